"""``reef db``: migrations."""

from __future__ import annotations

import click

from reef import migrate
from reef.cli.common import load_settings, run_in_session
from reef.submolt.seed import seed_submolts


def upgrade_and_seed() -> None:
    settings = load_settings()
    migrate.upgrade(settings.database_url)

    async def seed(session, _settings):  # type: ignore[no-untyped-def]
        await seed_submolts(session)

    run_in_session(seed, settings)


@click.group()
def db() -> None:
    """Database migrations."""


@db.command()
def upgrade() -> None:
    """Migrate the database (REEF_DATABASE_URL) to the latest schema and seed submolts."""
    upgrade_and_seed()
    click.echo("Database is up to date.")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate down to REVISION (e.g. -1, or base)."""
    migrate.downgrade(load_settings().database_url, revision)
    click.echo(f"Downgraded to {revision}.")
