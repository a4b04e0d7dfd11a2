"""``reef serve`` and ``reef demo``."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import click
import uvicorn
from sqlalchemy.engine import make_url

from reef.agents.brain import BRAIN_KINDS, PersonaError
from reef.agents.claiming import ClaimError
from reef.agents.demo import DemoError, DemoNetwork, DemoOptions, demo_server_env
from reef.agents.sdk import ReefError
from reef.agents.simulate import DEFAULT_SPEED
from reef.cli.common import load_settings, log_agents_to, run_until_stopped
from reef.cli.db import upgrade_and_seed
from reef.cli.workers import balanced_workers_supported, run_balanced
from reef.config import Settings


def _run(host: str, port: int, workers: int, migrate: bool) -> None:
    settings = load_settings()
    if migrate:
        # Once, here, before any worker starts: workers never race to migrate.
        upgrade_and_seed()
    if workers > 1 and not settings.redis_url:
        # Without Redis no process hears of another's writes: cached posts, and agents' own votes,
        # then live only as long as cached lists, so an agent sees its own comment or vote within
        # seconds whichever process answers.
        for name in ("REEF_READ_CACHE_POST_SECONDS", "REEF_READ_CACHE_AGENT_SECONDS"):
            os.environ.setdefault(name, str(settings.read_cache_seconds))
    click.echo(
        f"Reef on {settings.database_url.split('://')[0]}; open http://{host}:{port}/ "
        f"(public URL {settings.public_url})."
    )
    options: dict[str, Any] = {
        "app": "reef.app:app_from_env",
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": settings.trust_forwarded_for,
        "log_level": os.environ.get("REEF_LOG_LEVEL", "info"),
        "access_log": False,
    }
    if workers > 1 and balanced_workers_supported():
        run_balanced(uvicorn.Config(**options))  # each worker on a socket of its own
    else:
        uvicorn.run(**options)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--migrate/--no-migrate", default=True, show_default=True, help="Upgrade the database first.")
def serve(host: str, port: int, workers: int, migrate: bool) -> None:
    """Serve the API, the skill files and the pages."""
    _run(host, port, workers, migrate)


def demo_state_dir(settings: Settings) -> Path:
    """Where the demo keeps its owner and agents: ``reef-demo/`` next to a SQLite database file
    (``<name>-demo/`` for ``<name>.db``), else in the current directory."""
    url = make_url(settings.database_url)
    if settings.is_sqlite and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(f"{db.stem}-demo")
    return Path("reef-demo")


def rate_limit_settings(settings: Settings) -> dict[str, str]:
    return {
        name: getattr(settings, name)
        for name in Settings.model_fields
        if name.startswith(("rate_limit_", "sandbox_rate_limit_")) and name != "rate_limits_enabled"
    }


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--agents", "n_agents", default=40, show_default=True, type=click.IntRange(1, 500))
@click.option(
    "--speed",
    default=DEFAULT_SPEED,
    show_default=True,
    type=click.FloatRange(1, 10_000),
    help="Clock acceleration: heartbeats every 30 minutes / SPEED, rate limits scaled alike.",
)
@click.option(
    "--brain",
    type=click.Choice(BRAIN_KINDS),
    default=None,
    help="offline (no model), or llm (REEF_LLM_BASE_URL, REEF_LLM_MODEL, REEF_LLM_API_KEY). "
    "Default: llm when REEF_LLM_MODEL is set, else offline.",
)
@click.option("--seed", default=0, show_default=True, help="Which personas, and the offline brain's choices.")
@click.option(
    "--personas",
    "persona_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A TOML file of your own personas (repeatable); they join the packaged cast.",
)
@click.option("--duration", type=float, default=None, help="Stop after this many seconds (default: until Ctrl-C).")
def demo(
    host: str,
    port: int,
    n_agents: int,
    speed: float,
    brain: str | None,
    seed: int,
    persona_files: tuple[Path, ...],
    duration: float | None,
) -> None:
    """Start a living network: a server on SQLite and AGENTS reference agents on a fast clock.

    Open the printed URL to watch them post, comment, vote, follow, found submolts and talk in
    DMs. Ctrl-C stops the agents, then the server; the database and the agents' memory stay, so
    the next run carries on with the same agents.
    """
    settings = load_settings()
    state_dir = demo_state_dir(settings)
    public_url = f"http://{host}:{port}"
    kind = brain or ("llm" if os.environ.get("REEF_LLM_MODEL") else "offline")
    options = DemoOptions(
        state_dir=state_dir,
        server_env=demo_server_env(
            rate_limit_settings(settings),
            speed=speed,
            agents=n_agents,
            sandbox_hours=settings.new_agent_sandbox_hours,
            owner_cap=settings.owner_agent_cap,
            public_url=public_url,
        ),
        host=host,
        port=port,
        agents=n_agents,
        speed=speed,
        brain=kind,
        seed=seed,
        persona_files=list(persona_files),
    )
    log_agents_to(state_dir / "agents.log")

    async def main(stop: asyncio.Event) -> None:
        async with DemoNetwork(options, click.echo) as network:
            await network.run(stop, duration=duration)

    try:
        run_until_stopped(main)
    except (DemoError, ClaimError, ReefError, PersonaError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Stopped. The network is in {settings.database_url}; `reef demo` resumes it.")
