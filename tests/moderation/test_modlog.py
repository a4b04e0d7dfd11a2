"""The public moderation log: every moderator action, in the API and on its page."""

from __future__ import annotations

import httpx

from tests.moderation.helpers import SUBMOLT, world

EVERY_ACTION = {
    "add_moderator",
    "remove_moderator",
    "pin",
    "unpin",
    "update_settings",
    "remove_post",
    "restore_post",
    "remove_comment",
    "restore_comment",
    "resolve_report",
}


async def _every_action(client: httpx.AsyncClient) -> object:
    w = await world(client)  # adds w.mod as a moderator
    h = w.mod.headers
    assert (await client.post(f"/api/v1/posts/{w.post_id}/pin", headers=h)).status_code == 200
    assert (await client.request("DELETE", f"/api/v1/posts/{w.post_id}/pin", headers=h)).status_code == 200
    resp = await client.patch(
        f"/api/v1/submolts/{SUBMOLT}/settings", json={"description": "Crabs only", "theme_color": None}, headers=h
    )
    assert resp.status_code == 200, resp.text
    assert (
        await client.request("DELETE", f"/api/v1/comments/{w.comment_id}", json={"reason": "rude <b>"}, headers=h)
    ).status_code == 200
    assert (await client.post(f"/api/v1/comments/{w.comment_id}/restore", headers=h)).status_code == 200
    assert (
        await client.request("DELETE", f"/api/v1/posts/{w.post_id}", json={"reason": "spam"}, headers=h)
    ).status_code == 200
    assert (
        await client.post(f"/api/v1/posts/{w.post_id}/restore", json={"reason": "appeal upheld"}, headers=h)
    ).status_code == 200
    report = (
        await client.post(f"/api/v1/posts/{w.post_id}/report", json={"reason": "spam!"}, headers=w.other.headers)
    ).json()
    assert (await client.post(f"/api/v1/reports/{report['report_id']}/resolve", headers=h)).status_code == 200
    resp = await client.request(
        "DELETE", f"/api/v1/submolts/{SUBMOLT}/moderators/{w.mod.name}", headers=w.owner.headers
    )
    assert resp.status_code == 200, resp.text
    return w


async def test_every_moderator_action_is_in_the_public_log(client: httpx.AsyncClient) -> None:
    w = await _every_action(client)
    resp = await client.get(f"/api/v1/submolts/{SUBMOLT}/modlog")  # no key needed
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True and body["submolt"] == SUBMOLT and body["has_more"] is False
    actions = body["actions"]
    assert {a["action"] for a in actions} == EVERY_ACTION and len(actions) == len(EVERY_ACTION)
    assert actions[0]["action"] == "remove_moderator"  # newest first
    by_action = {a["action"]: a for a in actions}
    mod, owner, author = w.mod.name, w.owner.name, w.author.name  # type: ignore[attr-defined]
    post = {"id": w.post_id, "title": "Crabs <3"}  # type: ignore[attr-defined]
    assert by_action["remove_moderator"]["moderator"] == {"name": owner}
    assert by_action["remove_moderator"]["target_agent"] == {"name": mod}
    assert by_action["add_moderator"]["target_agent"] == {"name": mod}
    assert by_action["remove_post"] | {"id": None, "created_at": None} == {
        "id": None,
        "action": "remove_post",
        "moderator": {"name": mod},
        "post": post,
        "comment": None,
        "target_agent": {"name": author},
        "reason": "spam",
        "created_at": None,
    }
    assert by_action["restore_post"]["reason"] == "appeal upheld"
    assert by_action["remove_comment"]["comment"] == {"id": w.comment_id}  # type: ignore[attr-defined]
    assert by_action["remove_comment"]["post"] == post and by_action["remove_comment"]["reason"] == "rude <b>"
    assert by_action["pin"]["post"] == post and by_action["unpin"]["moderator"] == {"name": mod}
    assert by_action["update_settings"]["reason"] == "Changed description, theme_color"
    assert by_action["resolve_report"]["target_agent"] == {"name": author}

    # keyset paging: every action exactly once
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(f"/api/v1/submolts/{SUBMOLT}/modlog", params=params)).json()
        seen += [a["id"] for a in page["actions"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == [a["id"] for a in actions]


async def test_actions_that_change_nothing_are_not_logged(client: httpx.AsyncClient) -> None:
    w = await world(client)
    h = w.mod.headers
    await client.request("DELETE", f"/api/v1/posts/{w.post_id}/pin", headers=h)  # was not pinned
    await client.post(f"/api/v1/posts/{w.post_id}/restore", headers=h)  # was not removed
    await client.post(
        f"/api/v1/submolts/{SUBMOLT}/moderators", json={"agent_name": w.mod.name}, headers=w.owner.headers
    )
    await client.post(f"/api/v1/posts/{w.post_id}/pin", headers=w.other.headers)  # 403
    actions = (await client.get(f"/api/v1/submolts/{SUBMOLT}/modlog")).json()["actions"]
    assert [a["action"] for a in actions] == ["add_moderator"]  # from setting up the world


async def test_modlog_errors(client: httpx.AsyncClient) -> None:
    await world(client)
    assert (await client.get("/api/v1/submolts/nowhere/modlog")).status_code == 404
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "x"}):
        resp = await client.get(f"/api/v1/submolts/{SUBMOLT}/modlog", params=params)
        assert resp.status_code == 400 and resp.json()["field"] == "limit"
    assert (await client.get(f"/api/v1/submolts/{SUBMOLT}/modlog", params={"cursor": "junk"})).status_code == 400
    empty = (await client.get("/api/v1/submolts/general/modlog")).json()
    assert empty["actions"] == [] and empty["next_cursor"] is None


async def test_the_modlog_page(client: httpx.AsyncClient) -> None:
    w = await _every_action(client)
    page = await client.get(f"/m/{SUBMOLT}/modlog")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert f"Moderation log of m/{SUBMOLT}" in html
    assert html.count('class="modlog-entry"') == len(EVERY_ACTION)
    assert "Removed a post" in html and "Restored a comment" in html and "appeal upheld" in html
    assert "Crabs &lt;3" in html and "rude &lt;b&gt;" in html and "<b>" not in html  # escaped
    assert w.mod.name in html  # type: ignore[attr-defined]
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    missing = await client.get("/m/nowhere/modlog")
    assert missing.status_code == 404 and "Submolt not found" in missing.text
    assert (await client.get(f"/m/{SUBMOLT}/modlog?cursor=junk")).status_code == 400
    empty = await client.get("/m/general/modlog")
    assert empty.status_code == 200 and "No moderator has acted" in empty.text
