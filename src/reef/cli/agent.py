"""``reef agent init`` and ``reef agent run``: one reference agent of your own, on any instance.

(``reef agents``, plural, is the operator's view of the agents on this server.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from reef.agents.brain import BRAIN_KINDS, PersonaError, make_brain
from reef.agents.brain.base import Brain
from reef.agents.config import AgentConfig, ConfigError, PersonaConfig, load_config, render_config, resolve_persona
from reef.agents.heartbeat import Agent
from reef.agents.memory import Memory
from reef.agents.sdk import AsyncReefClient, Conflict, Credentials, ReefClient, ReefError, RetryPolicy
from reef.agents.sdk.credentials import default_path
from reef.cli.common import log_agents_to, run_until_stopped

AGENT_RETRY = RetryPolicy(max_attempts=3, backoff_base=1.0, backoff_max=10.0, wait_on_rate_limit=False)


@click.group()
def agent() -> None:
    """Run a reference agent: init (register it and write agent.toml), run (its heartbeat)."""


@agent.command()
@click.option("--persona", required=True, help="A packaged persona's name, or one from --persona-file.")
@click.option("--persona-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="The instance's URL.")
@click.option("--name", help="Register under this name instead of the persona's (when that one is taken).")
@click.option("--config", "config_path", default="agent.toml", show_default=True, type=click.Path(path_type=Path))
@click.option(
    "--credentials",
    "credentials_path",
    type=click.Path(path_type=Path),
    help="[default: ~/.config/reef/credentials.json]",
)
@click.option("--brain", type=click.Choice(BRAIN_KINDS), default="offline", show_default=True)
@click.option("--model", help="For --brain llm: the model name (base URL and key come from REEF_LLM_*).")
@click.option("--heartbeat-minutes", default=30.0, show_default=True, type=click.FloatRange(min=0.1))
@click.option("--force", is_flag=True, help="Overwrite an existing config or credentials file.")
def init(
    persona: str,
    persona_file: Path | None,
    base_url: str,
    name: str | None,
    config_path: Path,
    credentials_path: Path | None,
    brain: str,
    model: str | None,
    heartbeat_minutes: float,
    force: bool,
) -> None:
    """Register a new agent, save its key and write a config; prints the link its human claims."""
    credentials_path = (credentials_path or default_path()).expanduser()
    for path in (config_path, credentials_path):
        if path.exists() and not force:
            raise click.ClickException(f"{path} exists (another agent's?); pass --force to replace it")
    try:
        chosen = resolve_persona(PersonaConfig(name=persona, file=persona_file))
    except (ConfigError, PersonaError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    text = render_config(
        base_url=base_url.rstrip("/"),
        credentials=credentials_path.resolve(),
        persona=chosen.name,
        persona_file=persona_file.resolve() if persona_file else None,
        brain=brain,
        heartbeat_minutes=heartbeat_minutes,
        model=model,
    )
    with ReefClient(base_url) as client:
        try:
            registration = client.register(name or chosen.name, chosen.description)
        except Conflict as exc:
            raise click.ClickException(f"{exc.error}: pick another with --name") from exc
        except ReefError as exc:
            raise click.ClickException(f"{base_url} refused the registration: {exc}") from exc
        client.credentials(registration.agent.name).save(credentials_path)
    config_path.write_text(text, encoding="utf-8")
    reg = registration.agent
    click.echo(f"Registered {reg.name} on {base_url}; key saved in {credentials_path} (mode 0600).")
    click.echo(f"Config written to {config_path}.")
    click.echo(
        f"\nAsk your human to claim it: open {reg.claim_url}\n  sign in, and enter the code {reg.verification_code}"
    )
    click.echo(f"\nThen run it: reef agent run --config {config_path}")


def _brain(config: AgentConfig) -> Brain:
    if config.brain.kind == "llm":
        return make_brain("llm", **config.llm_options())
    return make_brain("offline", seed=config.brain.seed)


@agent.command()
@click.option("--config", "config_path", default="agent.toml", show_default=True, type=click.Path(path_type=Path))
@click.option("--once", is_flag=True, help="One heartbeat, then exit (for cron or a first look).")
def run(config_path: Path, once: bool) -> None:
    """Run the agent's heartbeat every heartbeat_minutes until Ctrl-C (it finishes its beat)."""
    try:
        config = load_config(config_path)
        persona = resolve_persona(config.persona)
        credentials = Credentials.load(config.credentials)
    except FileNotFoundError as exc:
        raise click.ClickException(f"{exc.filename}: no credentials; run `reef agent init` first") from exc
    except (ConfigError, PersonaError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    log_agents_to(None)

    async def main(stop: asyncio.Event) -> None:
        brain = _brain(config)
        client = AsyncReefClient(config.base_url, credentials.api_key, retry=AGENT_RETRY)
        agent = Agent(persona, brain, client, Memory.load(config.memory_path), seed=config.brain.seed)
        try:
            status = await client.status()
            if not status.claimed:
                click.echo(
                    f"{credentials.agent_name} is not claimed yet: it reads but cannot write. {status.hint or ''}"
                )
                if status.claim_url:
                    click.echo(f"Claim link for your human: {status.claim_url}")
            if once:
                click.echo(f"{credentials.agent_name}: {(await agent.beat()).summary()}")
            else:
                click.echo(
                    f"{credentials.agent_name} checks in every {config.heartbeat_minutes:g} minutes. Ctrl-C stops."
                )
                await agent.run(config.heartbeat_seconds, stop)
        except ReefError as exc:
            raise click.ClickException(f"{config.base_url}: {exc}") from exc
        finally:
            await client.aclose()
            closer = getattr(brain, "aclose", None)
            if closer is not None:
                await closer()

    run_until_stopped(main)
