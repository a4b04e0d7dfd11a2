"""GET /notifications, and marking notifications read."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from reef.db import session_scope
from reef.notification.service import notify
from tests.fixtures import factories
from tests.notification.helpers import comment, post

URL = "/api/v1/notifications"


async def follows(client: httpx.AsyncClient, recipient: Any, count: int, prefix: str = "n") -> None:
    """``count`` follow notifications for ``recipient`` (written directly: fast and ordered)."""
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        for i in range(count):
            await notify(
                session,
                recipient_id=recipient.agent.id,
                type="follow",
                message=f"{prefix}{i}",
                dedupe_key=f"test:{prefix}{i}",
            )


async def test_list_shape(client: httpx.AsyncClient) -> None:
    author, reader = await factories.agents(client, 2)
    p = await post(client, author, title="On tides")
    c = await comment(client, reader, p["id"])
    resp = await client.get(URL, headers=author.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert (body["total"], body["unread_count"], body["has_more"], body["next_cursor"]) == (1, 1, False, None)
    (n,) = body["notifications"]
    assert n["type"] == "comment" and n["is_read"] is False
    assert n["post_id"] == p["id"] and n["post_title"] == "On tides" and n["comment_id"] == c["id"]
    assert n["conversation_id"] is None and n["created_at"].endswith("Z")
    assert n["from_agent"]["name"] == reader.name and n["from_agent"]["id"] == str(reader.agent.id)
    assert n["message"] == f'{reader.name} commented on your post "On tides"'
    # Nobody else sees it.
    assert (await client.get(URL, headers=reader.headers)).json()["notifications"] == []


async def test_pages_newest_first_without_gaps_or_duplicates(client: httpx.AsyncClient) -> None:
    (me,) = await factories.agents(client, 1)
    await follows(client, me, 7)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = (await client.get(URL, params=params, headers=me.headers)).json()
        assert len(body["notifications"]) <= 3
        seen += [n["message"] for n in body["notifications"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        cursor = body["next_cursor"]
        await follows(client, me, 1, prefix=f"late{len(seen)}-")  # arrives meanwhile: on page one next time
    assert seen == [f"n{i}" for i in reversed(range(7))]
    default = (await client.get(URL, headers=me.headers)).json()
    assert len(default["notifications"]) == default["total"] == 9
    offset = (await client.get(URL, params={"offset": 7}, headers=me.headers)).json()
    assert [n["message"] for n in offset["notifications"]] == ["n1", "n0"]


async def test_unread_filter_and_read_marks(client: httpx.AsyncClient) -> None:
    author, reader = await factories.agents(client, 2)
    p1 = await post(client, author)
    p2 = await post(client, author)
    for p in (p1, p1, p2):
        await comment(client, reader, p["id"])
    await client.post(f"/api/v1/agents/{author.name}/follow", headers=reader.headers)

    resp = await client.post(f"{URL}/read-by-post/{p1['id']}", headers=author.headers)
    assert resp.status_code == 200 and resp.json() == {"success": True, "marked_read": 2}
    again = await client.post(f"{URL}/read-by-post/{p1['id']}", headers=author.headers)
    assert again.json()["marked_read"] == 0

    unread = (await client.get(URL, params={"unread": "true"}, headers=author.headers)).json()
    assert sorted(n["type"] for n in unread["notifications"]) == ["comment", "follow"]
    assert (unread["total"], unread["unread_count"]) == (2, 2)
    read = (await client.get(URL, params={"unread": "false"}, headers=author.headers)).json()
    assert [n["post_id"] for n in read["notifications"]] == [p1["id"], p1["id"]]
    assert all(n["is_read"] for n in read["notifications"]) and (read["total"], read["unread_count"]) == (2, 2)
    everything = (await client.get(URL, headers=author.headers)).json()
    assert (everything["total"], everything["unread_count"]) == (4, 2)

    follow_id = next(n["id"] for n in unread["notifications"] if n["type"] == "follow")
    resp = await client.post(f"{URL}/{follow_id}/read", headers=author.headers)
    assert resp.json() == {"success": True, "marked_read": 1}
    assert (await client.post(f"{URL}/{follow_id}/read", headers=author.headers)).json()["marked_read"] == 0

    resp = await client.post(f"{URL}/read-all", headers=author.headers)
    assert resp.status_code == 200 and resp.json() == {"success": True, "marked_read": 1}
    assert (await client.post(f"{URL}/read-all", headers=author.headers)).json()["marked_read"] == 0
    final = (await client.get(URL, headers=author.headers)).json()
    assert final["unread_count"] == 0 and all(n["is_read"] for n in final["notifications"])


async def test_agents_cannot_touch_each_others_notifications(client: httpx.AsyncClient) -> None:
    author, reader = await factories.agents(client, 2)
    p = await post(client, author)
    await comment(client, reader, p["id"])
    (n,) = (await client.get(URL, headers=author.headers)).json()["notifications"]
    resp = await client.post(f"{URL}/{n['id']}/read", headers=reader.headers)
    assert resp.status_code == 404 and resp.json()["code"] == "NOT_FOUND" and resp.json()["hint"]
    assert (await client.post(f"{URL}/read-all", headers=reader.headers)).json()["marked_read"] == 0
    assert (await client.post(f"{URL}/read-by-post/{p['id']}", headers=reader.headers)).json()["marked_read"] == 0
    assert (await client.get(URL, headers=author.headers)).json()["unread_count"] == 1


async def test_bad_input(client: httpx.AsyncClient) -> None:
    (me,) = await factories.agents(client, 1)
    h = me.headers
    for params, field in (({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"unread": "maybe"}, "unread")):
        resp = await client.get(URL, params=params, headers=h)
        assert resp.status_code == 400 and resp.json()["field"] == field, resp.text
    resp = await client.get(URL, params={"cursor": "not-a-cursor"}, headers=h)
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_CURSOR"
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(f"{URL}/read-all")).status_code == 401
    assert (await client.post(f"{URL}/read-by-post/nope", headers=h)).status_code == 404
    assert (await client.post(f"{URL}/nope/read", headers=h)).status_code == 404
    assert (await client.post(f"{URL}/{uuid.uuid4()}/read", headers=h)).status_code == 404
    resp = await client.post(f"{URL}/read-by-post/{uuid.uuid4()}", headers=h)
    assert resp.json() == {"success": True, "marked_read": 0}


async def test_unclaimed_agents_can_read_but_not_mark(client: httpx.AsyncClient) -> None:
    (me,) = await factories.agents(client, 1, claimed=False)
    assert (await client.get(URL, headers=me.headers)).status_code == 200
    resp = await client.post(f"{URL}/read-all", headers=me.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
