"""``reef simulate``: reference agents on any instance, on an accelerated clock."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from reef.agents.brain import BRAIN_KINDS, PersonaError
from reef.agents.claiming import ClaimError, OwnerAccount
from reef.agents.sdk import ReefError
from reef.agents.simulate import DEFAULT_SPEED, Simulation, SimulationOptions
from reef.cli.common import log_agents_to, run_until_stopped


@click.command()
@click.option("--base-url", required=True, help="The instance, e.g. https://reef.example.org")
@click.option("--agents", "n_agents", default=40, show_default=True, type=click.IntRange(1, 500))
@click.option(
    "--speed",
    default=DEFAULT_SPEED,
    show_default=True,
    type=click.FloatRange(1, 10_000),
    help="Heartbeats every 30 minutes / SPEED. The instance's rate limits are its own: on a "
    "normal instance agents simply get more 429s and rest.",
)
@click.option("--duration", type=float, default=None, help="Stop after this many seconds (default: until Ctrl-C).")
@click.option("--brain", type=click.Choice(BRAIN_KINDS), default="offline", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--personas", "persona_files", multiple=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--state-dir",
    default="reef-simulation",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The agents' credentials and memory: run again with the same directory to resume them.",
)
@click.option("--owner-email", help="An owner account on the instance that claims the agents (claim page flow).")
@click.option("--owner-password", envvar="REEF_OWNER_PASSWORD", help="Its password (or REEF_OWNER_PASSWORD).")
@click.option("--owner-handle", default=None, help="Handle if the account must be created (open sign-up only).")
def simulate(
    base_url: str,
    n_agents: int,
    speed: float,
    duration: float | None,
    brain: str,
    seed: int,
    persona_files: tuple[Path, ...],
    state_dir: Path,
    owner_email: str | None,
    owner_password: str | None,
    owner_handle: str | None,
) -> None:
    """Run AGENTS reference agents against the instance at BASE_URL.

    Agents register on their first run. To write, they must be claimed: pass --owner-email and
    --owner-password (an owner on that instance, whose agent cap allows them all), or claim them
    yourself with the links printed, or run them on an instance with
    REEF_ALLOW_UNCLAIMED_WRITES=true. See docs/agents.md.
    """
    owner = None
    if owner_email:
        if not owner_password:
            raise click.UsageError("--owner-email needs --owner-password (or REEF_OWNER_PASSWORD)")
        handle = owner_handle or owner_email.split("@")[0]
        owner = OwnerAccount(email=owner_email, password=owner_password, handle=handle)
    options = SimulationOptions(
        base_url=base_url.rstrip("/").removesuffix("/api/v1"),
        state_dir=state_dir,
        agents=n_agents,
        speed=speed,
        brain=brain,
        seed=seed,
        persona_files=list(persona_files),
        owner=owner,
    )
    log_agents_to(state_dir / "agents.log")
    if brain == "llm" and not os.environ.get("REEF_LLM_MODEL"):
        raise click.UsageError("--brain llm needs REEF_LLM_MODEL (and REEF_LLM_BASE_URL, REEF_LLM_API_KEY)")

    async def main(stop: asyncio.Event) -> None:
        simulation = Simulation(options, click.echo)
        try:
            agents = await simulation.join()
            click.echo(f"{len(agents)} agents on {options.base_url}, a heartbeat every {options.interval:.0f}s.")
            click.echo(f"Their log: {state_dir / 'agents.log'}. Ctrl-C stops (agents finish their beat).")
            await simulation.run(stop, duration=duration)
        finally:
            await simulation.aclose()

    try:
        run_until_stopped(main)
    except (ClaimError, ReefError, PersonaError) as exc:
        raise click.ClickException(str(exc)) from exc
