"""Reports: filing (once, not your own, a reason), listing for moderators, resolving."""

from __future__ import annotations

import uuid

import httpx

from tests.fixtures import factories
from tests.moderation.helpers import SUBMOLT, World, world


async def _report(
    client: httpx.AsyncClient, who: factories.TestAgent, path: str, reason: object = "spam, plain and simple"
) -> httpx.Response:
    return await client.post(path, json={"reason": reason}, headers=who.headers)


async def test_report_a_post_and_a_comment(client: httpx.AsyncClient) -> None:
    w = await world(client)
    resp = await _report(client, w.other, f"/api/v1/posts/{w.post_id}/report")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True and uuid.UUID(body["report_id"]) and SUBMOLT in body["message"]
    resp = await _report(client, w.other, f"/api/v1/comments/{w.comment_id}/report", "asks for API keys")
    assert resp.status_code == 201, resp.text

    again = await _report(client, w.other, f"/api/v1/posts/{w.post_id}/report", "still spam")
    assert again.status_code == 409
    assert (
        again.json()["error"] == "Already reported"
        and again.json()["code"] == "ALREADY_REPORTED"
        and again.json()["hint"]
    )
    assert (await _report(client, w.other, f"/api/v1/comments/{w.comment_id}/report")).status_code == 409
    # another reporter may report the same post
    assert (await _report(client, w.mod, f"/api/v1/posts/{w.post_id}/report")).status_code == 201


async def test_report_errors(client: httpx.AsyncClient) -> None:
    w = await world(client)
    own = await _report(client, w.author, f"/api/v1/posts/{w.post_id}/report")
    assert own.status_code == 400 and "own" in own.json()["error"] and own.json()["hint"]
    assert (await _report(client, w.author, f"/api/v1/comments/{w.comment_id}/report")).status_code == 400
    for reason in ("no", "  x  ", "x" * 501, 42, None):
        resp = await _report(client, w.other, f"/api/v1/posts/{w.post_id}/report", reason)
        assert resp.status_code == 400, (reason, resp.text)
        assert resp.json()["field"] == "reason"
    resp = await client.post(f"/api/v1/posts/{w.post_id}/report", json={}, headers=w.other.headers)
    assert resp.status_code == 400 and resp.json()["error"] == "reason is required"
    for path in (
        f"/api/v1/posts/{uuid.uuid4()}/report",
        "/api/v1/posts/not-a-uuid/report",
        f"/api/v1/comments/{uuid.uuid4()}/report",
        "/api/v1/comments/nope/report",
    ):
        assert (await _report(client, w.other, path)).status_code == 404, path
    assert (await client.post(f"/api/v1/posts/{w.post_id}/report", json={"reason": "spam"})).status_code == 401
    # removed content cannot be reported any more
    await client.request("DELETE", f"/api/v1/posts/{w.post_id}", json={"reason": "off topic"}, headers=w.mod.headers)
    assert (await _report(client, w.other, f"/api/v1/posts/{w.post_id}/report")).status_code == 404
    assert (await _report(client, w.other, f"/api/v1/comments/{w.comment_id}/report")).status_code == 404


async def test_reports_are_rate_limited(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(
        rate_limits_enabled=True,
        rate_limit_reports="2/hour",
        rate_limit_posts="100/minute",
        rate_limit_comments="100/minute",
        new_agent_sandbox_hours=0,
    ) as client:
        w = await world(client)
        other_post = (
            await client.post("/api/v1/posts", json={"submolt": SUBMOLT, "title": "two"}, headers=w.author.headers)
        ).json()["post"]["id"]
        assert (await _report(client, w.other, f"/api/v1/posts/{w.post_id}/report")).status_code == 201
        assert (await _report(client, w.other, f"/api/v1/comments/{w.comment_id}/report")).status_code == 201
        resp = await _report(client, w.other, f"/api/v1/posts/{other_post}/report")
        assert resp.status_code == 429
        assert resp.json()["error"] == "You are reporting too often" and resp.headers["Retry-After"]


async def _open(client: httpx.AsyncClient, who: factories.TestAgent, **params: object) -> httpx.Response:
    return await client.get(f"/api/v1/submolts/{SUBMOLT}/reports", params=params, headers=who.headers)


async def _filed(client: httpx.AsyncClient, w: World) -> tuple[str, str, str]:
    post_report = (await _report(client, w.other, f"/api/v1/posts/{w.post_id}/report")).json()["report_id"]
    comment_report = (await _report(client, w.other, f"/api/v1/comments/{w.comment_id}/report", "rude reply")).json()[
        "report_id"
    ]
    second = (await _report(client, w.owner, f"/api/v1/posts/{w.post_id}/report", "spam too")).json()["report_id"]
    return post_report, comment_report, second


async def test_moderators_list_open_reports_with_previews(client: httpx.AsyncClient) -> None:
    w = await world(client)
    post_report, comment_report, second = await _filed(client, w)
    for who in (w.mod, w.owner):
        resp = await _open(client, who)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["success"] is True and body["has_more"] is False and body["next_cursor"] is None
        assert [r["id"] for r in body["reports"]] == [second, comment_report, post_report]  # newest first
    by_id = {r["id"]: r for r in body["reports"]}
    post_target = by_id[post_report]["target"]
    assert by_id[post_report]["reason"] == "spam, plain and simple"
    assert post_target == {
        "type": "post",
        "id": w.post_id,
        "post": {"id": w.post_id, "title": "Crabs <3"},
        "preview": "Crabs are great",
        "author": {"name": w.author.name},
        "is_removed": False,
        "flags": [],
    }
    comment_target = by_id[comment_report]["target"]
    assert comment_target["type"] == "comment" and comment_target["id"] == w.comment_id
    assert comment_target["preview"] == "Agreed!" and comment_target["post"]["id"] == w.post_id
    assert "reporter" not in str(body)  # reporters stay anonymous

    page1 = (await _open(client, w.mod, limit=2)).json()
    assert len(page1["reports"]) == 2 and page1["has_more"] is True
    page2 = (await _open(client, w.mod, limit=2, cursor=page1["next_cursor"])).json()
    assert [r["id"] for r in page1["reports"] + page2["reports"]] == [second, comment_report, post_report]
    assert (await _open(client, w.mod, limit=0)).json()["field"] == "limit"
    assert (await _open(client, w.mod, cursor="garbage")).status_code == 400


async def test_only_moderators_see_and_resolve_reports(client: httpx.AsyncClient) -> None:
    w = await world(client)
    post_report, _, _ = await _filed(client, w)
    for who in (w.author, w.other):
        resp = await _open(client, who)
        assert resp.status_code == 403 and resp.json()["code"] == "NOT_MODERATOR"
        resp = await client.post(f"/api/v1/reports/{post_report}/resolve", headers=who.headers)
        assert resp.status_code == 403 and resp.json()["code"] == "NOT_MODERATOR"
    assert (await client.get(f"/api/v1/submolts/{SUBMOLT}/reports")).status_code == 401
    assert (await client.get("/api/v1/submolts/nowhere/reports", headers=w.mod.headers)).status_code == 404
    # a moderator of another submolt has no say here
    assert (
        await client.post("/api/v1/submolts", json={"name": "elsewhere"}, headers=w.other.headers)
    ).status_code == 201
    assert (await client.post(f"/api/v1/reports/{post_report}/resolve", headers=w.other.headers)).status_code == 403
    for bad in (str(uuid.uuid4()), "nope"):
        assert (await client.post(f"/api/v1/reports/{bad}/resolve", headers=w.mod.headers)).status_code == 404


async def test_resolving_closes_every_open_report_of_the_target(client: httpx.AsyncClient) -> None:
    w = await world(client)
    post_report, comment_report, _ = await _filed(client, w)
    resp = await client.post(
        f"/api/v1/reports/{post_report}/resolve", json={"reason": "not spam, just enthusiastic"}, headers=w.mod.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "success": True,
        "message": "Resolved 2 reports",
        "report_id": post_report,
        "resolved_count": 2,
    }
    assert [r["id"] for r in (await _open(client, w.mod)).json()["reports"]] == [comment_report]
    again = await client.post(f"/api/v1/reports/{post_report}/resolve", headers=w.mod.headers)
    assert again.status_code == 200 and again.json()["resolved_count"] == 0
    resp = await client.post(f"/api/v1/reports/{comment_report}/resolve", json={}, headers=w.owner.headers)
    assert resp.json()["resolved_count"] == 1
    assert (await _open(client, w.mod)).json()["reports"] == []
    log = (await client.get(f"/api/v1/submolts/{SUBMOLT}/modlog")).json()["actions"]
    resolved = [a for a in log if a["action"] == "resolve_report"]
    assert len(resolved) == 2
    assert resolved[-1]["reason"] == "not spam, just enthusiastic" and resolved[-1]["target_agent"] == {
        "name": w.author.name
    }
    # a target reported after it was resolved opens a new report
    assert (await _report(client, w.mod, f"/api/v1/comments/{w.comment_id}/report")).status_code == 201
    assert len((await _open(client, w.owner)).json()["reports"]) == 1
