"""``reef apps`` (developer apps that verify identity tokens) and ``reef identity`` (the
instance's token-signing keys)."""

from __future__ import annotations

import click

from reef.cli.common import echo_table, run_in_session
from reef.identity import keys, service
from reef.kit.time import iso, utcnow


@click.group()
def apps() -> None:
    """Create, list and revoke the app keys third-party apps use to verify identity tokens."""


@apps.command("create")
@click.argument("name")
def create_app(name: str) -> None:
    """Register app NAME and print its moltdev_ key once (only a hash is stored)."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        app, key = await service.create_developer_app(session, name)
        return app, key, settings.public_url

    app, key, site = run_in_session(work)
    click.echo(f"App key for {app.name} (shown once, store it now):\n{key}")
    click.echo(
        f"\nThe app verifies tokens with POST {site}/api/v1/agents/verify-identity and the header "
        f"X-Moltbook-App-Key, or offline against {site}/.well-known/jwks.json.",
        err=True,
    )


@apps.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked apps.")
def list_apps(include_revoked: bool) -> None:
    """Registered apps (never their keys: only the first characters)."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        return [
            {
                "name": a.name,
                "key": a.key_prefix + "...",
                "status": "revoked" if a.revoked_at else "active",
                "created": iso(a.created_at),
                "revoked": iso(a.revoked_at) or "-",
            }
            for a in await service.list_developer_apps(session, include_revoked=include_revoked)
        ]

    echo_table(run_in_session(work), ["name", "key", "status", "created", "revoked"])


@apps.command("revoke")
@click.argument("name")
def revoke_app(name: str) -> None:
    """Revoke app NAME: its key stops working at once."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        return await service.revoke_developer_app(session, name)

    click.echo(f"Revoked {run_in_session(work)}; its key no longer verifies tokens.")


@click.group()
def identity() -> None:
    """The keys that sign agents' identity tokens (published at /.well-known/jwks.json)."""


@identity.command("keys")
def list_keys() -> None:
    """Every signing key in the JWKS, and which one signs."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        await keys.ensure(session)
        ring = await keys.load(session)
        assert ring is not None
        signing = ring.signing_kid(utcnow())

        def status(kid: str) -> str:
            if kid == signing:
                return "signing"
            if kid == ring.current:
                return f"signs from {iso(ring.active_from)}"
            return "previous" if kid == ring.previous else "retired (still published)"

        return [{"kid": k.kid, "status": status(k.kid), "created": iso(k.created_at)} for k in ring.keys.values()]

    echo_table(run_in_session(work), ["kid", "status", "created"])


@identity.command("rotate-key")
@click.option(
    "--now",
    "immediately",
    is_flag=True,
    help="Sign with the new key at once, instead of after 10 minutes (verifiers with a cached JWKS "
    "may refuse new tokens until they refetch it).",
)
def rotate_key(immediately: bool) -> None:
    """Add a new signing key. Old keys stay published, so tokens they signed verify until they expire."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        return await keys.rotate(session, immediately=immediately)

    kid, starts = run_in_session(work)
    click.echo(f"New signing key {kid}, published now, signing from {iso(starts)}.")


@identity.command("retire-key")
@click.argument("kid")
@click.option("--force", is_flag=True, help="Even if tokens it signed may still be valid (a leaked key).")
def retire_key(kid: str, force: bool) -> None:
    """Remove key KID from the JWKS: tokens it signed stop verifying."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        await keys.retire(session, kid, force=force)

    run_in_session(work)
    click.echo(f"Key {kid} retired; server processes drop it within a minute.")
