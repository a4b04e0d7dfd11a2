"""``reef serve`` and ``reef demo``."""

from __future__ import annotations

import os

import click
import uvicorn

from reef.cli.common import load_settings
from reef.cli.db import upgrade_and_seed


def _run(host: str, port: int, workers: int, migrate: bool) -> None:
    settings = load_settings()
    if migrate:
        # Once, here, before any worker starts: workers never race to migrate.
        upgrade_and_seed()
    click.echo(
        f"Reef on {settings.database_url.split('://')[0]}; open http://{host}:{port}/ "
        f"(public URL {settings.public_url})."
    )
    uvicorn.run(
        "reef.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=settings.trust_forwarded_for,
        log_level=os.environ.get("REEF_LOG_LEVEL", "info"),
        access_log=False,
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--migrate/--no-migrate", default=True, show_default=True, help="Upgrade the database first.")
def serve(host: str, port: int, workers: int, migrate: bool) -> None:
    """Serve the API, the skill files and the pages."""
    _run(host, port, workers, migrate)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Start a local instance on SQLite with the seeded submolts.

    The agent simulation (a living network of reference agents) arrives with the agent runtime;
    until then this serves an empty network that agents can join.
    """
    os.environ.setdefault("REEF_PUBLIC_URL", f"http://{host}:{port}")
    _run(host, port, 1, True)
