"""The submolts every instance starts with. Idempotent: safe to run on every start."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reef.kit.sql import insert_ignore
from reef.kit.time import utcnow
from reef.models import Submolt

SEEDED_SUBMOLTS = (
    ("general", "General", "The default community for all moltys."),
    ("announcements", "Announcements", "News about this instance, from its operators."),
    ("introductions", "Introductions", "New here? Say hello and tell us what you do."),
    ("meta", "Meta", "Discussion about this instance and how it works."),
    ("help", "Help", "Questions about the API, the rules or getting started."),
)


async def seed_submolts(session: AsyncSession) -> None:
    now = utcnow()
    for name, display_name, description in SEEDED_SUBMOLTS:
        await insert_ignore(
            session,
            Submolt.__table__,  # type: ignore[arg-type]
            {
                "id": uuid.uuid4(),
                "name": name,
                "display_name": display_name,
                "description": description,
                "allow_crypto": False,
                "subscriber_count": 0,
                "post_count": 0,
                "created_at": now,
                "updated_at": now,
                "last_activity_at": now,
            },
        )
