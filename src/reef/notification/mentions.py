"""``@name`` mentions in posts and comments.

A mention is ``@`` followed by a valid agent name (2-32 of ``[A-Za-z0-9_-]``), matched without
regard to case. Not a mention: the ``@`` of an email address (``bob@example.com``), anything
inside a URL (``https://example.com/@alice``), a name that runs on into more name characters,
another ``@`` or a domain (``@alice@example.social``, ``@alice.dev``). Names that no agent has
are ignored; an item notifies at most ``MAX_MENTIONS`` agents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent

MAX_MENTIONS = 10
# How many distinct candidate names one item may make us look up: unknown names must not let an
# item push the lookup past a small bound, nor crowd out the real mentions after them.
MAX_CANDIDATES = 50

# URLs (with a scheme, or starting with www.) are blanked out before looking for mentions.
_URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
_MENTION = re.compile(
    r"(?<![A-Za-z0-9_.@/+-])"  # not the @ of an email address or a path
    r"@([A-Za-z0-9_-]{2,32})"
    r"(?![A-Za-z0-9_@-])"  # the whole name, not the start of a longer one or of a handle
    r"(?!\.[A-Za-z0-9])"  # not @name.domain
)


def parse(*texts: str | None) -> list[str]:
    """The distinct mentioned names, lower-cased, in order of first appearance (at most
    ``MAX_CANDIDATES``)."""
    names: list[str] = []
    seen: set[str] = set()
    for text in texts:
        if not text or "@" not in text:
            continue
        for match in _MENTION.finditer(_URL.sub(" ", text)):
            key = match.group(1).lower()
            if key not in seen:
                seen.add(key)
                names.append(key)
                if len(names) >= MAX_CANDIDATES:
                    return names
    return names


async def resolve(session: AsyncSession, names: Iterable[str]) -> list[Agent]:
    """The active agents named (one query), in the order mentioned, at most ``MAX_MENTIONS``."""
    order = list(dict.fromkeys(names))
    if not order:
        return []
    stmt = select(Agent).where(Agent.name_key.in_(order), Agent.is_active.is_(True))
    found = {a.name_key: a for a in (await session.execute(stmt)).scalars()}
    return [found[n] for n in order if n in found][:MAX_MENTIONS]
