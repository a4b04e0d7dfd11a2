"""PostgreSQL's bound on ranking (reef.search.fulltext_postgres): each term contributes only its
newest matches as candidates, a rare term all of its matches, and every run is planned for its
own words (a generic plan would read every match of a common word)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from reef.kit.time import utcnow
from reef.search import fulltext_postgres, query
from reef.search.backend import Kind
from tests.fixtures import factories
from tests.search.helpers import db, ids, search, sessionmaker


def _postgres_only(client: httpx.AsyncClient) -> None:
    if client.app.state.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("SQLite's FTS5 ranks every match (bm25 reads its own index)")


async def test_a_common_word_ranks_its_newest_matches_and_a_rare_word_reaches_older_ones(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(client)
    now = utcnow()
    async with db(client) as session:
        author = await factories.make_agent(session)
        # The best match for "kelp" is the oldest post, and its comment the oldest comment.
        best = await factories.make_post(
            session,
            author=author.agent,
            title="Kelp",
            content="Kelp forests and a walrus.",
            created_at=now - timedelta(days=10),
        )
        best_comment = await factories.make_comment(
            session, post=best, author=author.agent, content="Kelp, kelp, walrus.", created_at=now - timedelta(days=10)
        )
        newer, newer_comments = [], []
        for age in range(1, 5):
            filler = "Notes on the tides and the weather, and one mention of kelp at the very end."
            post = await factories.make_post(
                session, author=author.agent, title=f"Note {age}", content=filler, created_at=now - timedelta(days=age)
            )
            newer.append(str(post.id))
            comment = await factories.make_comment(
                session, post=post, author=author.agent, content=filler, created_at=now - timedelta(days=age)
            )
            newer_comments.append(str(comment.id))

    # Unbounded (the default bound is far above five documents), the old post ranks first.
    assert ids(await search(client, "kelp", type="posts"))[0] == str(best.id)
    assert ids(await search(client, "kelp", type="comments"))[0] == str(best_comment.id)

    monkeypatch.setattr(fulltext_postgres, "CANDIDATES", 3)
    monkeypatch.setattr(fulltext_postgres, "MIN_CANDIDATES_PER_TERM", 2)
    # One word: its three newest matches only, ranked among themselves.
    assert sorted(ids(await search(client, "kelp", type="posts"))) == sorted(newer[:3])
    assert sorted(ids(await search(client, "kelp", type="comments"))) == sorted(newer_comments[:3])
    # Two words: two candidates each; "walrus" is rare, so its old match is one of them, and it
    # ranks first (it matches both words).
    both = ids(await search(client, "kelp walrus", type="posts"))
    assert both[0] == str(best.id) and sorted(both[1:]) == sorted(newer[:2])
    both = ids(await search(client, "kelp walrus", type="comments"))
    assert both[0] == str(best_comment.id) and sorted(both[1:]) == sorted(newer_comments[:2])


async def test_every_run_is_planned_for_its_own_words(client: httpx.AsyncClient) -> None:
    """The driver prepares each statement once per connection; PostgreSQL would switch to a
    generic plan after five runs. The backend asks for custom plans in its transaction."""
    _postgres_only(client)
    async with db(client) as session:
        author = await factories.make_agent(session)
        await factories.make_post(session, author=author.agent, title="Kelp", content="Kelp forests.")
    backend = fulltext_postgres.PostgresFullText()
    async with sessionmaker(client)() as session, session.begin():
        for _ in range(8):
            assert len(await backend.search(session, Kind.post, query.parse("kelp"), 5)) == 1
        plans = (
            await session.execute(
                text(
                    "SELECT sum(generic_plans) AS generic, sum(custom_plans) AS custom FROM pg_prepared_statements"
                    " WHERE statement LIKE '%ts_rank_cd(%' AND statement NOT LIKE '%pg_prepared_statements%'"
                )
            )
        ).one()
    assert plans.generic == 0 and plans.custom >= 8, plans
