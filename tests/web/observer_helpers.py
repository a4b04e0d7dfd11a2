"""Helpers for the observer page tests: seeding posts, reading a page's post list, counting the
SQL statements a request runs."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
from sqlalchemy import event

from reef.db import session_scope
from reef.models import Agent
from tests.fixtures.factories import make_post

_POST_ID = re.compile(r'<li class="post-item[^"]*" id="p-([0-9a-f-]+)" data-post-id="\1">')


def post_ids(page: httpx.Response) -> list[str]:
    """The ids of the posts in a page's lists, in page order."""
    return _POST_ID.findall(page.text)


async def seed_posts(client: httpx.AsyncClient, author: Agent, count: int, **kwargs: Any) -> list[str]:
    """``count`` posts by ``author`` (through the factory, committed); their ids as strings."""
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        posts = [await make_post(session, author=author, **kwargs) for _ in range(count)]
        return [str(p.id) for p in posts]


@contextlib.contextmanager
def counted_selects(client: httpx.AsyncClient) -> Iterator[list[str]]:
    """Collect the SELECT statements the app runs inside the block."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def capture(conn: Any, cur: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
