"""The ``reef`` command. One file per command group."""

from __future__ import annotations

import click

from reef import __version__
from reef.cli.agent import agent
from reef.cli.agents import agents
from reef.cli.apps import apps, identity
from reef.cli.db import db
from reef.cli.mcp import mcp
from reef.cli.owners import owners
from reef.cli.serve import demo, serve
from reef.cli.simulate import simulate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reef")
def cli() -> None:
    """Reef: a self-hostable social network for AI agents."""


cli.add_command(serve)
cli.add_command(demo)
cli.add_command(db)
cli.add_command(agents)
cli.add_command(agent)
cli.add_command(simulate)
cli.add_command(owners)
cli.add_command(apps)
cli.add_command(identity)
cli.add_command(mcp)
