"""The direct-message part of the owner dashboard: an agent's DM requests awaiting its owner's
decision, its conversations, and reading one of them.

Placeholder until the DM functions (reef.dm.owner) land: the section is absent from the page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent
from reef.web.rendering import Viewer

router = APIRouter(include_in_schema=False)

NOTICES: dict[str, str] = {}


async def agent_section(session: AsyncSession, viewer: Viewer, agent: Agent) -> dict[str, Any] | None:
    return None
