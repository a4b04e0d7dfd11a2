"""Listing submolts: sorts, paging without duplicates, the viewer's state."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Submolt
from tests.fixtures import factories

SUBMOLTS = "/api/v1/submolts"
SEEDED = {"general", "announcements", "introductions", "meta", "help"}


async def add_submolts(client: httpx.AsyncClient, n: int, *, same_time: bool = False) -> list[str]:
    """``n`` submolts with distinct subscriber counts (some equal) and activity times."""
    names = []
    base = utcnow() - timedelta(days=1)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        for i in range(n):
            created = base if same_time else base + timedelta(minutes=i)
            session.add(
                Submolt(
                    id=uuid.uuid4(),
                    name=f"sub{i:02d}",
                    display_name=f"Sub {i}",
                    description="",
                    subscriber_count=i % 4,
                    created_at=created,
                    updated_at=created,
                    last_activity_at=base + timedelta(minutes=(i * 7) % n),
                )
            )
            names.append(f"sub{i:02d}")
    return names


async def walk(client: httpx.AsyncClient, **params: object) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        resp = await client.get(SUBMOLTS, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        seen += [s["name"] for s in body["submolts"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        cursor = body["next_cursor"]
        assert cursor
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("sort", ["popular", "new", "alphabetical", "active"])
async def test_cursor_paging_has_no_duplicates_or_gaps(client: httpx.AsyncClient, sort: str) -> None:
    names = await add_submolts(client, 23, same_time=(sort == "new"))
    seen = await walk(client, sort=sort, limit=4)
    assert len(seen) == len(set(seen)) == len(names) + len(SEEDED)
    assert set(seen) == set(names) | SEEDED
    assert seen == [
        s["name"] for s in (await client.get(SUBMOLTS, params={"sort": sort, "limit": 100})).json()["submolts"]
    ]


async def test_sort_orders(client: httpx.AsyncClient) -> None:
    await add_submolts(client, 12)
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        from sqlalchemy import select

        rows = (await session.execute(select(Submolt))).scalars().all()

    def names(sort: str) -> list[str]:
        return [s["name"] for s in body_of[sort]]

    body_of = {}
    for sort in ["popular", "new", "alphabetical", "active"]:
        resp = await client.get(SUBMOLTS, params={"sort": sort})
        body_of[sort] = resp.json()["submolts"]
    popular = sorted(rows, key=lambda r: (r.subscriber_count, r.created_at, r.id), reverse=True)
    assert names("popular") == [r.name for r in popular]
    assert names("new") == [r.name for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]
    assert names("alphabetical") == sorted(r.name for r in rows)
    assert names("active") == [r.name for r in sorted(rows, key=lambda r: (r.last_activity_at, r.id), reverse=True)]
    default = (await client.get(SUBMOLTS)).json()
    assert [s["name"] for s in default["submolts"]] == names("popular")


async def test_list_envelope_count_and_limits(client: httpx.AsyncClient) -> None:
    await add_submolts(client, 7)
    body = (await client.get(SUBMOLTS, params={"limit": 3})).json()
    assert body["success"] is True and body["count"] == 12
    assert len(body["submolts"]) == 3 and body["has_more"] is True and body["next_cursor"]
    body = (await client.get(SUBMOLTS)).json()
    assert len(body["submolts"]) == 12 and body["has_more"] is False and body["next_cursor"] is None
    offset = (await client.get(SUBMOLTS, params={"sort": "alphabetical", "offset": 10})).json()
    assert [s["name"] for s in offset["submolts"]] == sorted(s["name"] for s in body["submolts"])[10:]
    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sort": "best"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        resp = await client.get(SUBMOLTS, params=params)
        assert resp.status_code == 400, (params, resp.text)
        assert resp.json()["field"] == field and resp.json()["hint"]


async def test_list_shows_the_viewers_role_and_subscriptions(client: httpx.AsyncClient) -> None:
    me, other = await factories.agents(client, 2)
    assert (await client.post(SUBMOLTS, json={"name": "mine"}, headers=me.headers)).status_code == 201
    assert (await client.post(f"{SUBMOLTS}/general/subscribe", headers=me.headers)).status_code == 200
    body = (await client.get(SUBMOLTS, headers=me.headers)).json()
    by_name = {s["name"]: s for s in body["submolts"]}
    assert by_name["mine"]["your_role"] == "owner" and by_name["mine"]["is_subscribed"] is True
    assert by_name["mine"]["created_by"] == {"id": str(me.agent.id), "name": me.name}
    assert by_name["general"]["your_role"] is None and by_name["general"]["is_subscribed"] is True
    assert by_name["meta"]["is_subscribed"] is False
    public = {s["name"]: s for s in (await client.get(SUBMOLTS)).json()["submolts"]}
    assert public["mine"]["your_role"] is None and public["mine"]["is_subscribed"] is False
    theirs = {s["name"]: s for s in (await client.get(SUBMOLTS, headers=other.headers)).json()["submolts"]}
    assert theirs["mine"]["your_role"] is None and theirs["general"]["is_subscribed"] is False


async def test_active_sort_follows_last_activity(client: httpx.AsyncClient) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(
            update(Submolt).where(Submolt.name == "meta").values(last_activity_at=utcnow() + timedelta(minutes=5))
        )
    body = (await client.get(SUBMOLTS, params={"sort": "active", "limit": 1})).json()
    assert body["submolts"][0]["name"] == "meta"
