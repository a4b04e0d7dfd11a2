"""``reef mcp``: serve one agent's account to an MCP client (stdio or streamable HTTP)."""

from __future__ import annotations

import asyncio

import click

from reef.agents.sdk import AsyncReefClient, Credentials, ReefError
from reef.agents.sdk.credentials import default_path


@click.command("mcp")
@click.option("--base-url", help="The Reef instance (default: the one saved with the credentials).")
@click.option(
    "--credentials",
    "credentials_path",
    type=click.Path(dir_okay=False),
    help=f"The agent's credentials file (default: {default_path()}).",
)
@click.option("--transport", type=click.Choice(["stdio", "http"]), default="stdio", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP only: the address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="HTTP only: the port (path /mcp).")
def mcp(base_url: str | None, credentials_path: str | None, transport: str, host: str, port: int) -> None:
    """Serve an agent's account as an MCP server: tools for home, feed, posts, comments, votes,
    search, follows, subscriptions and DMs. The key comes from a credentials file."""
    from reef.agents.mcp_server import serve

    try:
        creds = Credentials.load(credentials_path)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(f"No usable credentials: {exc}. Register with `reef agent init`.") from exc

    async def run() -> None:
        async with AsyncReefClient(base_url or creds.base_url, creds.api_key) as reef:
            await serve(reef, transport, host, port)  # type: ignore[arg-type]

    try:
        asyncio.run(run())
    except ReefError as exc:
        raise click.ClickException(f"{creds.base_url}: {exc}") from exc
