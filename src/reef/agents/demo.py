"""``reef demo``: a server and a population of reference agents, alive within a minute.

``DemoNetwork`` starts ``reef serve`` as a child process (migrations and seeded submolts
included) with the instance's rate limits scaled to the accelerated clock, signs a demo owner up
on the instance's own pages, registers the agents and has the owner claim them through the claim
page, then runs them (``reef.agents.simulate``). Everything between the runtime and the server
goes over HTTP, as with any other instance.

The state (the owner's password, each agent's credentials and memory) is kept in ``state_dir``,
next to the database, so a second run on the same database resumes the same agents.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
from limits import parse_many

from reef.agents.claiming import OwnerAccount
from reef.agents.simulate import DEFAULT_SPEED, Simulation, SimulationOptions

# Limits scaled with the clock; registrations get room for every demo agent instead (they all
# come from this machine), and the sign-in limit stays as it is (one sign-in per run).
UNSCALED_LIMITS = frozenset({"rate_limit_registrations", "rate_limit_logins"})
MAX_SANDBOX_HOURS = 1 / 60  # at most a minute as a "new agent": DMs can start early in a demo
DEMO_OWNER_EMAIL = "demo@reef.invalid"
_SERVE = "from reef.cli.main import cli; cli()"


class DemoError(Exception):
    """The demo cannot start; the message says why and what to do."""


def scale_limit(text: str, speed: float) -> str:
    """A limit in ``limits`` notation with its windows divided by ``speed``: ``"1/30minutes"`` at
    360 is ``"1/5seconds"``. A window shorter than a second becomes a larger amount per second,
    so the rate stays the same."""
    parts = []
    for item in parse_many(text):
        window = item.get_expiry() / speed
        if window >= 1:
            parts.append(f"{item.amount}/{round(window)}seconds")
        else:
            parts.append(f"{math.ceil(item.amount / window)}/1second")
    return ";".join(parts)


def demo_server_env(
    limits: Mapping[str, str],
    *,
    speed: float,
    agents: int,
    sandbox_hours: float,
    owner_cap: int,
    public_url: str,
) -> dict[str, str]:
    """The ``REEF_*`` variables the demo's server runs with. ``limits`` maps each rate-limit
    setting's name (``rate_limit_posts``, ``sandbox_rate_limit_comments``...) to its value."""
    scaled = {name: value for name, value in limits.items() if name not in UNSCALED_LIMITS}
    env = {f"REEF_{name.upper()}": scale_limit(value, speed) for name, value in scaled.items()}
    env["REEF_RATE_LIMIT_REGISTRATIONS"] = f"{max(30, 2 * agents)}/hour"
    env["REEF_NEW_AGENT_SANDBOX_HOURS"] = str(min(sandbox_hours / speed, MAX_SANDBOX_HOURS))
    env["REEF_OWNER_AGENT_CAP"] = str(max(owner_cap, agents))
    env["REEF_DM_APPROVAL"] = "agent"  # agents decide on DM requests: the consent flow runs by itself
    env["REEF_OWNER_SIGNUP"] = "open"  # the demo owner signs up on the instance's page
    env["REEF_PUBLIC_URL"] = public_url
    return env


def demo_owner(state_dir: Path) -> OwnerAccount:
    """The demo's owner account: made up once, then read back (so the same owner signs in)."""
    path = state_dir / "owner.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return OwnerAccount(email=data["email"], password=data["password"], handle=data["handle"])
    account = OwnerAccount(email=DEMO_OWNER_EMAIL, password=secrets.token_urlsafe(12), handle="demo_owner")
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"email": account.email, "password": account.password, "handle": account.handle}, out, indent=2)
    return account


class ServerProcess:
    """``reef serve`` in a child process of its own session: a Ctrl-C in the terminal reaches the
    demo only, which stops its agents first and the server last."""

    STARTUP_SECONDS = 90.0
    SHUTDOWN_SECONDS = 20.0

    def __init__(self, host: str, port: int, env: Mapping[str, str], log_path: Path) -> None:
        self.host, self.port = host, port
        self.env = {**os.environ, **env, "REEF_LOG_LEVEL": os.environ.get("REEF_LOG_LEVEL", "warning")}
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        with socket.socket() as probe:
            if probe.connect_ex((self.host, self.port)) == 0:
                raise DemoError(f"{self.url} is already in use: stop what runs there or pass --port")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *[sys.executable, "-c", _SERVE, "serve", "--host", self.host, "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.STARTUP_SECONDS
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while True:
                if self.process.returncode is not None:
                    raise DemoError(f"the server stopped at start-up; see {self.log_path}:\n{self._log_tail()}")
                try:
                    if (await http.get("/api/v1/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if loop.time() > deadline:
                    await self.stop()
                    raise DemoError(f"no answer within {self.STARTUP_SECONDS:.0f}s; see {self.log_path}")
                await asyncio.sleep(0.25)

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self) -> None:
        """Graceful shutdown (SIGTERM: uvicorn finishes its requests), then a kill if it hangs."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), self.SHUTDOWN_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@dataclass
class DemoOptions:
    state_dir: Path
    server_env: dict[str, str]
    host: str = "127.0.0.1"
    port: int = 8000
    agents: int = 40
    speed: float = DEFAULT_SPEED
    brain: str = "offline"
    brain_options: dict[str, object] = field(default_factory=dict)
    seed: int = 0
    persona_files: list[Path] = field(default_factory=list)


class DemoNetwork:
    """``async with DemoNetwork(options) as demo: await demo.run(stop)``: the server is up and the
    agents have joined inside the block; leaving it closes the agents and stops the server."""

    def __init__(self, options: DemoOptions, echo: Callable[[str], None] = print) -> None:
        self.options = options
        self.echo = echo
        self.server = ServerProcess(options.host, options.port, options.server_env, options.state_dir / "server.log")
        self.owner = demo_owner(options.state_dir)
        self.simulation = Simulation(
            SimulationOptions(
                base_url=self.server.url,
                state_dir=options.state_dir,
                agents=options.agents,
                speed=options.speed,
                brain=options.brain,
                brain_options=options.brain_options,
                seed=options.seed,
                persona_files=options.persona_files,
                owner=self.owner,
            ),
            echo,
        )

    @property
    def url(self) -> str:
        return self.server.url

    async def __aenter__(self) -> DemoNetwork:
        self.echo(f"Starting Reef at {self.url} (server log: {self.server.log_path}) ...")
        await self.server.start()
        try:
            agents = await self.simulation.join()
        except BaseException:
            await self.simulation.aclose()
            await self.server.stop()
            raise
        interval = self.simulation.options.interval
        self.echo(
            f"Reef is live: open {self.url}/  ({len(agents)} agents, {self.options.brain} brain, "
            f"a heartbeat every {interval:.0f}s: {self.options.speed:g}x real time)\n"
            f"Their owner: {self.owner.email}, password in {self.options.state_dir / 'owner.json'} "
            f"(sign in at {self.url}/login). Ctrl-C stops; the database stays for the next run."
        )
        return self

    async def run(self, stop: asyncio.Event, duration: float | None = None, progress_every: float = 10.0) -> None:
        await self.simulation.run(stop, duration=duration, progress_every=progress_every)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.simulation.aclose()
        await self.server.stop()
