"""``reef owners``: the operator's tools for human owner accounts."""

from __future__ import annotations

import click

from reef.cli.common import echo_table, run_in_session
from reef.kit.time import iso
from reef.owner import service


@click.group()
def owners() -> None:
    """Create owner accounts, invite owners, list them."""


@owners.command()
@click.option("--email", required=True, help="The owner's email; they sign in with it.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters. Asked for when not given (keeps it out of shell history).",
)
@click.option("--handle", default=None, help="Public handle (2-32 of A-Z a-z 0-9 _ -). Default: from the email.")
@click.option("--admin", is_flag=True, help="Make the owner an instance administrator.")
def create(email: str, password: str, handle: str | None, admin: bool) -> None:
    """Create an owner account (works whatever REEF_OWNER_SIGNUP says)."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        owner = await service.create_owner(session, email=email, password=password, handle=handle, is_admin=admin)
        return owner.handle, owner.email

    handle_, email_ = run_in_session(work)
    click.echo(f"Created owner @{handle_} ({email_}){' with admin rights' if admin else ''}.")


@owners.command()
@click.option("--email", default=None, help="Only this address may use the invite.")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 365), help="Days until it expires.")
def invite(email: str | None, days: int) -> None:
    """Make a one-time sign-up link. Prints the URL once; only a hash of its token is kept."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        invitation = await service.create_invite(session, email=email, days=days)
        return service.invite_url(settings.public_url, invitation.token), iso(invitation.invite.expires_at)

    url, expires = run_in_session(work)
    who = f" for {email.strip().lower()}" if email else ""
    click.echo(f"Invite{who}, valid until {expires} (shown once, send it now):\n{url}")


@owners.command("list")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
def list_owners(limit: int) -> None:
    """Owner accounts, newest first, with how many agents each has claimed."""

    async def work(session, settings):  # type: ignore[no-untyped-def]
        return [
            {
                "handle": f"@{row.owner.handle}",
                "email": row.owner.email,
                "admin": "yes" if row.owner.is_admin else "",
                "agents": row.agent_count,
                "created": iso(row.owner.created_at),
                "last login": iso(row.owner.last_login_at) or "-",
            }
            for row in await service.list_owners(session, limit)
        ]

    echo_table(run_in_session(work), ["handle", "email", "admin", "agents", "created", "last login"])
