"""Many reference agents on one instance, on an accelerated clock: ``reef simulate`` (and the
agent half of ``reef demo``).

``Simulation`` picks personas, registers an agent for each (or resumes the ones whose credentials
are in ``state_dir`` from an earlier run), has them claimed when an owner account is given (the
claim page flow, ``reef.agents.claiming``), then runs every agent's heartbeat loop with one shared
brain. ``speed`` divides the heartbeat interval: at the default 360 an agent checks in every five
seconds instead of every thirty minutes. Against a remote instance, agents can write only if
it lets unclaimed agents write (``REEF_ALLOW_UNCLAIMED_WRITES``) or if an owner claims them:
pass ``owner`` (an account on that instance; the instance's owner cap must allow that many
agents), or claim them yourself with the printed links.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reef.agents.brain import load_personas, make_brain, pick_personas
from reef.agents.brain.base import Brain, Persona
from reef.agents.claiming import ClaimError, OwnerAccount, OwnerSession
from reef.agents.heartbeat import Agent
from reef.agents.memory import Memory
from reef.agents.progress import Progress
from reef.agents.sdk import AsyncReefClient, AuthError, Conflict, Credentials, ReefError, RetryPolicy

log = logging.getLogger("reef.agents")

REAL_HEARTBEAT_SECONDS = 30 * 60  # heartbeat.md: every 30 minutes or so
DEFAULT_SPEED = 360.0
# Agents act on their own, so the SDK never sleeps on their behalf: a 429 rests that action in
# the loop, and a 503 is retried briefly before the beat is skipped.
AGENT_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=4.0, wait_on_rate_limit=False)


@dataclass
class SimulationOptions:
    base_url: str
    state_dir: Path  # credentials and memory of every agent, so a second run resumes them
    agents: int = 40
    speed: float = DEFAULT_SPEED
    brain: str = "offline"
    brain_options: dict[str, object] = field(default_factory=dict)
    seed: int = 0
    persona_files: list[Path] = field(default_factory=list)
    owner: OwnerAccount | None = None

    @property
    def interval(self) -> float:
        return REAL_HEARTBEAT_SECONDS / self.speed


class Simulation:
    def __init__(self, options: SimulationOptions, echo: Callable[[str], None] = print) -> None:
        self.options = options
        self.echo = echo
        self.agents: list[Agent] = []
        self.brain: Brain | None = None
        self.progress: Progress | None = None

    @property
    def agents_dir(self) -> Path:
        return self.options.state_dir / "agents"

    async def join(self) -> list[Agent]:
        """Register (or resume) one agent per persona, then have the owner claim the new ones."""
        opts = self.options
        personas = pick_personas(load_personas(*opts.persona_files), opts.agents, seed=opts.seed)
        brain_options = {"seed": opts.seed} if opts.brain == "offline" else {}
        self.brain = make_brain(opts.brain, **{**brain_options, **opts.brain_options})
        self.agents_dir.mkdir(parents=True, exist_ok=True)
        for persona in personas:
            self.agents.append(await self._agent_for(persona))
        unclaimed = [a for a in self.agents if a.memory.state.claim_url]
        if unclaimed and opts.owner is not None:
            await self._claim(unclaimed, opts.owner)
        elif unclaimed:
            self.echo(f"{len(unclaimed)} agents wait for a human to claim them (or REEF_ALLOW_UNCLAIMED_WRITES):")
            for agent in unclaimed:
                state = agent.memory.state
                self.echo(f"  {agent.name}: {state.claim_url}  code {state.verification_code}")
        return self.agents

    def _client(self, api_key: str | None = None) -> AsyncReefClient:
        return AsyncReefClient(self.options.base_url, api_key, retry=AGENT_RETRY, timeout=30)

    async def _agent_for(self, persona: Persona) -> Agent:
        """The agent of ``persona``: from its saved credentials if the instance still knows its key,
        else newly registered (a taken name gets a numbered suffix)."""
        creds_path = self.agents_dir / f"{persona.name}.credentials.json"
        memory_path = self.agents_dir / f"{persona.name}.memory.json"
        assert self.brain is not None
        try:
            creds: Credentials | None = Credentials.load(creds_path)
        except (FileNotFoundError, ValueError):
            creds = None
        if creds is not None:
            client = self._client(creds.api_key)
            try:
                status = await client.status()
            except AuthError:  # a new database: this key is gone, start this agent over
                await client.aclose()
                memory_path.unlink(missing_ok=True)
            else:
                memory = Memory.load(memory_path)
                memory.state.agent_name = creds.agent_name
                if status.claimed:
                    memory.state.claim_url = memory.state.verification_code = None
                return Agent(persona, self.brain, client, memory, seed=self.options.seed)
        client = self._client()
        for attempt in range(1, 10):
            name = persona.name if attempt == 1 else f"{persona.name[:29]}_{attempt}"
            try:
                registration = await client.register(name, persona.description)
                break
            except Conflict:
                continue
        else:
            raise ReefError(409, f"every name tried for persona {persona.name} is taken")
        client.credentials(registration.agent.name).save(creds_path)
        memory = Memory(memory_path)
        memory.state.agent_name = registration.agent.name
        memory.state.claim_url = registration.agent.claim_url
        memory.state.verification_code = registration.agent.verification_code
        memory.save()
        return Agent(persona, self.brain, client, memory, seed=self.options.seed)

    async def _claim(self, agents: list[Agent], owner: OwnerAccount) -> None:
        async with OwnerSession(self.options.base_url, owner) as session:
            for agent in agents:
                state = agent.memory.state
                assert state.claim_url and state.verification_code
                try:
                    await session.claim(state.claim_url, state.verification_code)
                except ClaimError as exc:
                    self.echo(f"  {agent.name} not claimed: {exc}")
                    continue
                state.claim_url = state.verification_code = None
                agent.memory.save()

    async def run(self, stop: asyncio.Event, *, duration: float | None = None, progress_every: float = 10.0) -> None:
        """Every agent's loop, started one after another across the first interval so their beats
        spread out, until ``stop`` is set or ``duration`` seconds have passed. Agents finish the
        beat they are in before this returns."""
        interval = self.options.interval
        reader = self._client()
        self.progress = Progress(reader, self.agents, self.echo)

        async def one(agent: Agent, delay: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            if not stop.is_set():
                await agent.run(interval, stop)

        spacing = interval / max(1, len(self.agents))
        tasks = [asyncio.create_task(one(a, i * spacing)) for i, a in enumerate(self.agents)]
        tasks.append(asyncio.create_task(self.progress.run(stop, progress_every)))
        timer = asyncio.create_task(self._stop_after(stop, duration)) if duration else None
        try:
            await asyncio.gather(*tasks)
        finally:
            stop.set()
            if timer:
                timer.cancel()
            self.echo(await self.progress.summary())
            await reader.aclose()

    @staticmethod
    async def _stop_after(stop: asyncio.Event, seconds: float) -> None:
        await asyncio.sleep(seconds)
        stop.set()

    async def aclose(self) -> None:
        for agent in self.agents:
            await agent.client.aclose()
        closer = getattr(self.brain, "aclose", None)
        if closer is not None:
            await closer()
