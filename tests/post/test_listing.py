"""Sorted lists of posts: orders match ranking.py, filters, paging stays stable while posts arrive."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import event, update

from reef.db import session_scope
from reef.kit.pagination import encode_cursor
from reef.kit.time import utcnow
from reef.models import Post
from reef.post import ranking
from tests.fixtures import factories

POSTS = "/api/v1/posts"

# (hours ago, score, upvotes, downvotes): distinct enough that no two posts tie in any sort.
SPECS = [
    (0.5, 3, 4, 1),
    (1.5, 40, 45, 5),
    (3, -2, 1, 3),
    (7, 12, 20, 8),
    (20, 100, 110, 10),
    (30, 7, 9, 2),
    (50, 1, 6, 5),
    (100, 300, 301, 1),
    (200, 25, 50, 25),
    (500, 0, 0, 0),
    (2000, 60, 90, 30),
    (9000, 900, 950, 50),
]


async def seed(client: httpx.AsyncClient, specs: list[tuple[float, int, int, int]] = SPECS) -> list[Post]:
    author = await factories.agent(client)
    now = utcnow()
    posts = []
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        for hours, score, ups, downs in specs:
            post = await factories.make_post(
                session, author=author.agent, created_at=now - timedelta(hours=hours), score=score
            )
            post.upvotes, post.downvotes, post.controversy = ups, downs, ranking.controversy(ups, downs)
            posts.append(post)
    return posts


async def ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    resp = await client.get(POSTS, params={"limit": 100, **params})
    assert resp.status_code == 200, resp.text
    assert resp.json()["sort"] == params.get("sort", "hot")
    return [p["id"] for p in resp.json()["posts"]]


def expected(posts: list[Post], key: Any, keep: Any = lambda p: True) -> list[str]:
    return [str(p.id) for p in sorted((p for p in posts if keep(p)), key=lambda p: (key(p), p.id), reverse=True)]


async def test_hot_new_top_controversial_follow_ranking(client: httpx.AsyncClient) -> None:
    posts = await seed(client)
    now = utcnow()
    assert await ids(client) == expected(posts, lambda p: ranking.hot(p.score, p.created_at))
    assert await ids(client, sort="hot") == await ids(client)
    assert await ids(client, sort="new") == expected(posts, lambda p: p.created_at)
    assert await ids(client, sort="top") == expected(posts, lambda p: (p.score, p.created_at))
    assert await ids(client, sort="controversial") == expected(
        posts, lambda p: ranking.controversy(p.upvotes, p.downvotes)
    )
    windows = {"hour": 1, "day": 24, "week": 24 * 7, "month": 24 * 30, "year": 24 * 365}
    for t, hours in windows.items():

        def recent(p: Post, hours: float = hours) -> bool:
            return p.created_at >= now - timedelta(hours=hours)

        assert await ids(client, sort="top", t=t) == expected(posts, lambda p: (p.score, p.created_at), recent), t
        assert await ids(client, sort="controversial", t=t) == expected(
            posts, lambda p: ranking.controversy(p.upvotes, p.downvotes), recent
        ), t
    assert await ids(client, sort="top", t="all") == await ids(client, sort="top")


async def test_rising_follows_ranking_over_the_last_three_days(client: httpx.AsyncClient) -> None:
    posts = await seed(client)
    now = utcnow()

    def rising(p: Post) -> float:
        return ranking.rising(p.score, (now - p.created_at).total_seconds() / 3600)

    recent = expected(posts, rising, lambda p: p.created_at > now - timedelta(days=3))
    assert await ids(client, sort="rising") == recent
    assert len(recent) == 7  # older posts are not candidates


async def test_lists_exclude_deleted_and_removed_posts(client: httpx.AsyncClient) -> None:
    posts = await seed(client, SPECS[:3])
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Post).where(Post.id == posts[0].id).values(is_deleted=True))
        await session.execute(update(Post).where(Post.id == posts[1].id).values(removed_at=utcnow()))
    for sort in ["hot", "new", "top", "rising", "controversial"]:
        assert await ids(client, sort=sort) == [str(posts[2].id)]


@pytest.mark.parametrize("sort", ["hot", "new", "top", "rising", "controversial"])
async def test_paging_while_posts_arrive_has_no_duplicates_or_gaps(client: httpx.AsyncClient, sort: str) -> None:
    posts = await seed(client, [s for s in SPECS if s[0] < 60])  # all rising candidates
    original = await ids(client, sort=sort)
    assert len(original) == len(posts)
    author = await factories.agent(client)
    seen: list[str] = []
    cursor = None
    pages = 0
    while pages < 20:
        pages += 1
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get(POSTS, params=params)).json()
        seen += [p["id"] for p in body["posts"]]
        # New posts of every kind arrive between pages: fresh, hot, top-scoring, controversial, old.
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            for hours, score in [(0, 0), (0, 500), (5, 1000), (40, -5)]:
                p = await factories.make_post(
                    session, author=author.agent, created_at=utcnow() - timedelta(hours=hours), score=score
                )
                p.upvotes, p.downvotes, p.controversy = 50, 50, ranking.controversy(50, 50)
        cursor = body["next_cursor"]
        assert body["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert pages > 2
    assert len(seen) == len(set(seen)), "duplicates"
    assert [i for i in seen if i in original] == original, "gaps or reordering among the original posts"


async def test_offset_paging_for_old_clients(client: httpx.AsyncClient) -> None:
    await seed(client, SPECS[:6])
    every = await ids(client, sort="new")
    page = await client.get(POSTS, params={"sort": "new", "limit": 2, "offset": 2})
    assert [p["id"] for p in page.json()["posts"]] == every[2:4]
    page = await client.get(POSTS, params={"sort": "rising", "limit": 2, "offset": 2})
    assert [p["id"] for p in page.json()["posts"]] == (await ids(client, sort="rising"))[2:4]


async def test_filters_by_submolt_and_author(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        a_general = await factories.make_post(session, author=alice.agent)
        a_meta = await factories.make_post(session, author=alice.agent, submolt="meta")
        b_meta = await factories.make_post(session, author=bob.agent, submolt="meta")
    assert set(await ids(client, submolt="meta")) == {str(a_meta.id), str(b_meta.id)}
    assert set(await ids(client, submolt="META", sort="new")) == {str(a_meta.id), str(b_meta.id)}
    assert set(await ids(client, author=alice.name.upper())) == {str(a_general.id), str(a_meta.id)}
    assert await ids(client, author=alice.name, submolt="meta", sort="top") == [str(a_meta.id)]
    assert await ids(client, author=bob.name, submolt="general", sort="rising") == []
    resp = await client.get(POSTS, params={"submolt": "nowhere"})
    assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found"
    resp = await client.get(POSTS, params={"author": "nobody"})
    assert resp.status_code == 404 and resp.json()["error"] == "Agent not found"


def forged(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sort": "best"}, "sort"),
        ({"sort": "top", "t": "decade"}, "t"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": forged({"k": [1.5, {"u": "0" * 32}], "s": "new", "ref": "2026-01-01T00:00:00+00:00"})}, "cursor"),
        ({"cursor": forged({"k": ["x", {"u": "0" * 32}], "s": "hot", "ref": "2026-01-01T00:00:00+00:00"})}, "cursor"),
        ({"sort": "top", "cursor": forged({"k": [2**40, {"t": "2026-01-01T00:00:00+00:00"}, {"u": "0" * 32}],
                                            "s": "top", "ref": "2026-01-01T00:00:00+00:00"})}, "cursor"),
        ({"sort": "rising", "cursor": forged({"k": [1.0, "id"], "s": "rising", "ref": "2026-01-01T00:00:00"})},
         "cursor"),
        ({"sort": "new", "cursor": encode_cursor([utcnow(), utcnow()], {"s": "new", "ref": "x"})}, "cursor"),
    ],
)  # fmt: skip
async def test_bad_list_parameters_are_400_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    resp = await client.get(POSTS, params=params)
    assert resp.status_code == 400, resp.text
    assert resp.json()["field"] == field and resp.json()["hint"]


async def test_a_cursor_from_another_sort_is_refused(client: httpx.AsyncClient) -> None:
    await seed(client, SPECS[:4])
    cursor = (await client.get(POSTS, params={"sort": "hot", "limit": 1})).json()["next_cursor"]
    assert cursor
    resp = await client.get(POSTS, params={"sort": "controversial", "cursor": cursor})
    assert resp.status_code == 400 and resp.json()["field"] == "cursor"
    assert (await client.get(POSTS, params={"sort": "hot", "cursor": cursor})).status_code == 200


@pytest.mark.parametrize("sort", ["hot", "new", "top", "controversial"])
async def test_sorted_pages_are_index_range_scans(client: httpx.AsyncClient, sort: str) -> None:
    """The SQL a cursor page runs, as SQLite plans it: a search along an index, never a scan of
    the table or a sort of all posts (PostgreSQL plans tiny test tables differently)."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans checked on SQLite")
    await seed(client, SPECS[:4])
    cursor = (await client.get(POSTS, params={"sort": sort, "limit": 1})).json()["next_cursor"]
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cur: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM posts" in statement and "LIMIT" in statement:
            statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        assert (await client.get(POSTS, params={"sort": sort, "cursor": cursor})).status_code == 200
        if sort in ("hot", "new"):  # the models index these two per submolt (top/controversial: not yet)
            params = {"sort": sort, "submolt": "general", "cursor": cursor}
            assert (await client.get(POSTS, params=params)).status_code == 200
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert len(statements) == (2 if sort in ("hot", "new") else 1)
    async with engine.connect() as conn:
        for statement, parameters in statements:
            plan = " | ".join(
                r[-1] for r in (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            )
            # "RIGHT PART OF ORDER BY" (new: ties on created_at ordered by id) is a small partial sort.
            assert "SEARCH posts USING INDEX" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
