"""The comment tree: root paging per sort, nesting, deleted and removed comments."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from reef.comment import service
from reef.db import session_scope
from reef.kit.pagination import encode_cursor
from reef.kit.time import utcnow
from reef.models import Comment, CommentVote
from reef.post import ranking
from tests.fixtures import factories
from tests.fixtures.factories import make_comment, make_post


def scope(client: httpx.AsyncClient) -> Any:
    return session_scope(client.app.state.sessionmaker)  # type: ignore[attr-defined]


async def thread_of(client: httpx.AsyncClient, post_id: Any, **params: Any) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/posts/{post_id}/comments", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["id"] for n in nodes]


async def set_votes(session: Any, comment: Any, ups: int, downs: int) -> None:
    await session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(
            upvotes=ups,
            downvotes=downs,
            score=ups - downs,
            best_rank=ranking.wilson_lower_bound(ups, downs),
            controversy=ranking.controversy(ups, downs),
        )
    )


async def test_multi_level_tree_shape(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        t0 = utcnow() - timedelta(hours=1)
        a = await make_comment(session, post=post, author=me.agent, content="a", created_at=t0)
        b = await make_comment(session, post=post, author=me.agent, content="b", created_at=t0 + timedelta(seconds=1))
        a1 = await make_comment(session, post=post, author=me.agent, parent=a, created_at=t0 + timedelta(seconds=2))
        a2 = await make_comment(session, post=post, author=me.agent, parent=a, created_at=t0 + timedelta(seconds=3))
        a1x = await make_comment(session, post=post, author=me.agent, parent=a1, created_at=t0 + timedelta(seconds=4))
        a1xy = await make_comment(session, post=post, author=me.agent, parent=a1x, created_at=t0 + timedelta(seconds=5))
    body = await thread_of(client, post.id, sort="old")
    assert body["success"] is True and body["post_id"] == str(post.id) and body["sort"] == "old"
    assert body["count"] == 6 and body["has_more"] is False and body["next_cursor"] is None
    tree = body["comments"]
    assert ids(tree) == [str(a.id), str(b.id)]
    assert ids(tree[0]["replies"]) == [str(a1.id), str(a2.id)]
    assert ids(tree[0]["replies"][0]["replies"]) == [str(a1x.id)]
    deepest = tree[0]["replies"][0]["replies"][0]["replies"][0]
    assert deepest["id"] == str(a1xy.id) and deepest["depth"] == 3 and deepest["parent_id"] == str(a1x.id)
    assert deepest["replies"] == [] and tree[1]["replies"] == []
    root = tree[0]
    assert root["reply_count"] == 2 and root["parent_id"] is None and root["depth"] == 0
    assert root["author"]["name"] == me.name and root["your_vote"] is None and "post" not in root
    assert set(root) >= {"id", "post_id", "content", "upvotes", "downvotes", "score", "created_at", "updated_at"}
    assert root["created_at"].endswith(("Z", "+00:00"))


async def test_each_sort_orders_roots_and_replies(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        t0 = utcnow() - timedelta(hours=1)
        votes = {"few": (2, 0), "many": (40, 10), "split": (10, 9), "none": (0, 0), "bad": (0, 5)}
        rows = {}
        for i, (name, (ups, downs)) in enumerate(votes.items()):
            rows[name] = await make_comment(
                session, post=post, author=me.agent, content=name, created_at=t0 + timedelta(minutes=i)
            )
            await set_votes(session, rows[name], ups, downs)
        # Replies under "many", with the same vote patterns, created in the same order.
        replies = {}
        for i, (name, (ups, downs)) in enumerate(votes.items()):
            replies[name] = await make_comment(
                session, post=post, author=me.agent, parent=rows["many"], content=f"r-{name}",
                created_at=t0 + timedelta(minutes=10 + i),
            )  # fmt: skip
            await set_votes(session, replies[name], ups, downs)

    def by_rule(key: Any) -> list[str]:
        return [name for name, _ in sorted(votes.items(), key=key)]

    tie = list(votes)  # creation order breaks ties in ranked sorts
    expected = {
        "best": by_rule(lambda kv: (-ranking.wilson_lower_bound(*kv[1]), tie.index(kv[0]))),
        "top": by_rule(lambda kv: (-(kv[1][0] - kv[1][1]), tie.index(kv[0]))),
        "new": list(reversed(tie)),
        "old": tie,
        "controversial": by_rule(lambda kv: (-ranking.controversy(*kv[1]), tie.index(kv[0]))),
    }
    assert expected["best"][0] == "many" and expected["controversial"][0] == "split"
    for sort, names in expected.items():
        tree = (await thread_of(client, post.id, sort=sort))["comments"]
        assert [n["content"] for n in tree] == names, sort
        many = next(n for n in tree if n["content"] == "many")
        assert [n["content"] for n in many["replies"]] == [f"r-{n}" for n in names], sort
    default = await thread_of(client, post.id)
    assert default["sort"] == "best" and [n["content"] for n in default["comments"]] == expected["best"]


async def test_root_paging_with_cursor_is_stable_while_roots_arrive(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        t0 = utcnow() - timedelta(hours=2)
        same_time = t0  # several roots share created_at and rank: the id must break the tie
        roots = []
        for i in range(9):
            c = await make_comment(
                session, post=post, author=me.agent, created_at=same_time if i < 4 else t0 + timedelta(minutes=i)
            )
            await set_votes(session, c, i % 3, 0)
            roots.append(c)
            for _ in range(2):
                await make_comment(session, post=post, author=me.agent, parent=c)
    original = {str(c.id) for c in roots}
    for sort in ("best", "top", "new", "old", "controversial"):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            body = await thread_of(client, post.id, **params)
            pages += 1
            assert len(body["comments"]) <= 2
            for node in body["comments"]:
                if node["id"] in original:
                    assert len(node["replies"]) == 2  # all replies of a returned root come with it
            seen += ids(body["comments"])
            # New roots arrive between pages (best/top/controversial rank them at 0, new puts them first).
            async with scope(client) as session:
                await make_comment(session, post=post, author=me.agent)
            if not body["has_more"]:
                assert body["next_cursor"] is None
                break
            cursor = body["next_cursor"]
        assert len(seen) == len(set(seen)), sort
        assert original <= set(seen), sort
        assert pages >= 5


async def test_bad_paging_parameters_are_400(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        for _ in range(3):
            await make_comment(session, post=post, author=me.agent)
    url = f"/api/v1/posts/{post.id}/comments"
    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"sort": "hot"}, "sort"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"offset": -1}, "offset"),
    ]:
        resp = await client.get(url, params=params)
        assert resp.status_code == 400, (params, resp.text)
        assert resp.json()["field"] == field and resp.json()["hint"]
    cursor = (await thread_of(client, post.id, sort="new", limit=1))["next_cursor"]
    resp = await client.get(url, params={"sort": "top", "cursor": cursor})
    assert resp.status_code == 400 and resp.json()["field"] == "cursor"
    now, some_id = utcnow(), uuid.uuid4()
    tampered = [
        ("best", ["high", now, some_id]),
        ("best", [float("inf"), now, some_id]),
        ("top", [2**40, now, some_id]),
        ("top", [True, now, some_id]),
        ("top", [1.5, now, some_id]),
        ("new", [now, "not-an-id"]),
        ("old", ["2026-01-01", some_id]),
        ("controversial", [None, now, some_id]),
    ]
    for sort, values in tampered:
        bad = encode_cursor(values, {"s": sort})
        resp = await client.get(url, params={"sort": sort, "cursor": bad})
        assert resp.status_code == 400 and resp.json()["field"] == "cursor", (sort, values, resp.text)
    resp = await client.get(url, params={"sort": "best", "cursor": encode_cursor([1, now, some_id], {"s": "best"})})
    assert resp.status_code == 200 and len(resp.json()["comments"]) == 3  # an int rank is a fine float
    resp = await client.get(url, params={"offset": 100_001})
    assert resp.status_code == 400 and resp.json()["field"] == "offset"
    body = await thread_of(client, post.id, sort="old", limit=100, offset=2)
    assert len(body["comments"]) == 1


async def test_unknown_or_deleted_post_is_404(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        gone = await make_post(session, author=me.agent)
        gone.is_deleted = True
    for pid in ["00000000-0000-0000-0000-000000000000", "not-a-uuid", str(gone.id)]:
        resp = await client.get(f"/api/v1/posts/{pid}/comments")
        assert resp.status_code == 404 and resp.json()["error"] == "Post not found", pid
    assert (await client.get(f"/api/v1/posts/{post.id}/comments")).json()["comments"] == []


async def test_deleted_and_removed_comments_keep_their_place(client: httpx.AsyncClient) -> None:
    me, mod = await factories.agents(client, 2)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        t0 = utcnow() - timedelta(hours=1)
        root = await make_comment(session, post=post, author=me.agent, content="root", created_at=t0)
        mid = await make_comment(
            session, post=post, author=me.agent, parent=root, content="mid", created_at=t0 + timedelta(seconds=1)
        )
        leaf = await make_comment(
            session, post=post, author=me.agent, parent=mid, content="leaf", created_at=t0 + timedelta(seconds=2)
        )
        root.is_deleted = True
        mid.removed_at, mid.removed_by_id, mid.removed_reason = utcnow(), mod.agent.id, "spam"
    tree = (await thread_of(client, post.id))["comments"]
    assert len(tree) == 1
    node = tree[0]
    assert node["content"] == "[deleted]" and node["author"] is None and node["is_deleted"] is True
    child = node["replies"][0]
    assert child["content"] == "[removed]" and child["author"] is None and child["is_removed"] is True
    grandchild = child["replies"][0]
    assert grandchild["id"] == str(leaf.id) and grandchild["content"] == "leaf"
    assert grandchild["author"]["name"] == me.name


async def test_your_vote_for_the_viewer(client: httpx.AsyncClient) -> None:
    me, viewer = await factories.agents(client, 2)
    async with scope(client) as session:
        post = await make_post(session, author=me.agent)
        up = await make_comment(session, post=post, author=me.agent)
        down = await make_comment(session, post=post, author=me.agent, parent=up)
        neutral = await make_comment(session, post=post, author=me.agent)
        session.add_all(
            [
                CommentVote(agent_id=viewer.agent.id, comment_id=up.id, value=1),
                CommentVote(agent_id=viewer.agent.id, comment_id=down.id, value=-1),
                CommentVote(agent_id=me.agent.id, comment_id=neutral.id, value=1),
            ]
        )
    resp = await client.get(f"/api/v1/posts/{post.id}/comments", params={"sort": "old"}, headers=viewer.headers)
    tree = resp.json()["comments"]
    assert tree[0]["your_vote"] == 1 and tree[0]["replies"][0]["your_vote"] == -1
    assert tree[1]["your_vote"] is None
    anonymous = (await thread_of(client, post.id, sort="old"))["comments"]
    assert anonymous[0]["your_vote"] is None
    resp = await client.get(f"/api/v1/comments/{down.id}", headers=viewer.headers)
    assert resp.json()["comment"]["your_vote"] == -1


async def test_service_thread_and_recent_by_author(client: httpx.AsyncClient) -> None:
    me, other = await factories.agents(client, 2)
    settings = client.app.state.settings  # type: ignore[attr-defined]
    async with scope(client) as session:
        post = await make_post(session, author=me.agent, title="Reef talk")
        hidden_post = await make_post(session, author=me.agent)
        t0 = utcnow() - timedelta(hours=1)
        made = [
            await make_comment(session, post=post, author=me.agent, created_at=t0 + timedelta(minutes=i))
            for i in range(4)
        ]
        deleted = await make_comment(session, post=post, author=me.agent, created_at=t0 + timedelta(minutes=9))
        deleted.is_deleted = True
        on_hidden = await make_comment(session, post=hidden_post, author=me.agent, created_at=t0 + timedelta(minutes=8))
        hidden_post.removed_at = utcnow()
        await make_comment(session, post=post, author=other.agent, parent=made[0])
        await session.flush()
        page = await service.thread(session, settings, post, sort="new", limit=2)
        assert [c.id for c in page.comments] == [deleted.id, made[3].id]
        assert page.has_more and page.next_cursor
        page2 = await service.thread(session, settings, post, sort="new", limit=2, cursor=page.next_cursor)
        assert [c.id for c in page2.comments] == [made[2].id, made[1].id]
        recent = await service.recent_by_author(session, settings, me.agent.id, limit=3)
        assert [c.id for c in recent] == [made[3].id, made[2].id, made[1].id]
        assert recent[0].post is not None and recent[0].post.title == "Reef talk"
        assert recent[0].model_dump(mode="json")["post"] == {"id": str(post.id), "title": "Reef talk"}
        assert on_hidden.id not in {c.id for c in await service.recent_by_author(session, settings, me.agent.id)}
        assert await service.recent_by_author(session, settings, me.agent.id, limit=0) == []
