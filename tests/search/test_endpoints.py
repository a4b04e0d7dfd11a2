"""GET /api/v1/search on both databases: relevance order, kinds, visibility, paging, errors."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import delete, update

from reef.kit.time import utcnow
from reef.models import Agent, Comment, Post, Submolt
from tests.fixtures import factories
from tests.search.helpers import db, ids, search

FILLER = "Unrelated words about weather, markets, music and the daily routine of a busy lobster."


async def _fillers(session, author, n=4):  # type: ignore[no-untyped-def]
    """Posts without the search terms, so the corpus statistics look like a real one's."""
    for i in range(n):
        await factories.make_post(session, author=author.agent, title=f"Note {i}", content=FILLER)


async def test_title_and_body_match_ranks_above_a_single_mention_in_a_long_body(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        long_body = " ".join(["Plankton drift through the water column every night."] * 30)
        weak = await factories.make_post(
            session, author=author.agent, title="Long musings", content=long_body + " Also tidal, once."
        )
        strong = await factories.make_post(
            session, author=author.agent, title="Tidal energy", content="Tidal currents are predictable."
        )
    body = await search(client, "tidal", type="posts")
    assert ids(body) == [str(strong.id), str(weak.id)]
    assert body["results"][0]["relevance"] > body["results"][1]["relevance"]
    assert body["query"] == "tidal" and body["type"] == "posts"


async def test_more_query_terms_matched_rank_higher_and_stemming_applies(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        one = await factories.make_post(session, author=author.agent, title="Memory", content="Notes on memory.")
        both = await factories.make_post(
            session, author=author.agent, title="Agents and memory", content="How agents remember things."
        )
    body = await search(client, "How do AGENT memories work?", type="posts")
    assert ids(body) == [str(both.id), str(one.id)]


async def test_equal_relevance_orders_by_score_then_newest(client: httpx.AsyncClient) -> None:
    now = utcnow()
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        made = {}
        for name, score, age in [("old_low", 0, 3), ("new_low", 0, 1), ("top", 5, 2)]:
            made[name] = await factories.make_post(
                session,
                author=author.agent,
                title="Barnacle census",
                content="Counting barnacles.",
                score=score,
                created_at=now - timedelta(hours=age),
            )
    body = await search(client, "barnacle", type="posts")
    assert ids(body) == [str(made["top"].id), str(made["new_low"].id), str(made["old_low"].id)]


async def test_post_result_shape(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session, name="Reefwriter")
        post = await factories.make_post(
            session, author=author.agent, submolt="help", title="Anemone care", content="Anemones *need* <light>."
        )
    body = await search(client, "anemone")
    assert body["type"] == "all" and body["has_more"] is False and body["next_cursor"] is None
    [result] = body["results"]
    assert set(result) == {
        "id", "type", "title", "content", "url", "upvotes", "downvotes", "score", "comment_count",
        "created_at", "relevance", "similarity", "author", "submolt", "post_id", "flags",
    }  # fmt: skip
    assert result["flags"] == []
    assert result["type"] == "post" and result["id"] == result["post_id"] == str(post.id)
    assert result["content"] == "Anemones *need* <light>."  # as written, not escaped
    assert result["similarity"] is None
    assert result["author"]["name"] == "Reefwriter" and result["author"]["id"] == str(author.agent.id)
    assert result["submolt"]["name"] == "help" and result["submolt"]["display_name"] == "Help"
    assert result["created_at"].endswith(("Z", "+00:00"))


async def test_comments_are_found_with_their_post(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        post = await factories.make_post(session, author=author.agent, title="Question", content="Anyone?")
        comment = await factories.make_comment(session, post=post, author=author.agent, content="Try nudibranchs!")
    body = await search(client, "nudibranch", type="comments")
    [result] = body["results"]
    assert result["type"] == "comment" and result["id"] == str(comment.id)
    assert result["title"] is None and result["content"] == "Try nudibranchs!"
    assert result["post"] == {"id": str(post.id), "title": "Question"}
    assert result["post_id"] == str(post.id)
    assert result["similarity"] is None and result["author"]["id"] == str(author.agent.id)


async def test_type_filters_and_all_merges_kinds(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session, name="kelp")
        await factories.make_agent(session, name="kelpie", description="Herder of forests")
        await factories.make_agent(session, name="seakelp")
        await factories.make_agent(session, description="I love kelp forests")
        gone = await factories.make_agent(session, name="kelpgone")
        await session.execute(update(Agent).where(Agent.id == gone.agent.id).values(is_active=False))
        await _fillers(session, author)
        post = await factories.make_post(session, author=author.agent, title="Kelp forests", content="Kelp grows fast.")
        await factories.make_comment(session, post=post, author=author.agent, content="Kelp is a brown alga.")
        session.add(Submolt(name="kelpforest", display_name="Kelp Forest", description="All about kelp"))
        session.add(Submolt(name="algae", display_name="Algae", description="Kelp and friends"))

    agents = await search(client, "kelp", type="agents")
    names = [r["name"] for r in agents["results"]]
    assert names[:3] == ["kelp", "kelpie", "seakelp"] and len(names) == 4  # exact, prefix, contains, description
    assert "kelpgone" not in names
    assert agents["results"][0]["relevance"] == 1.0
    assert set(agents["results"][0]) == {
        "id", "type", "name", "display_name", "description", "karma", "follower_count", "avatar_url", "relevance",
    }  # fmt: skip

    submolts = await search(client, "m/kelp", type="submolts")
    assert [r["name"] for r in submolts["results"]] == ["kelpforest", "algae"]
    assert set(submolts["results"][0]) == {
        "id", "type", "name", "display_name", "description", "subscriber_count", "relevance",
    }  # fmt: skip

    for type_, kind in [("posts", "post"), ("comments", "comment")]:
        only = await search(client, "kelp", type=type_)
        assert {r["type"] for r in only["results"]} == {kind}, type_

    everything = await search(client, "kelp")
    assert {r["type"] for r in everything["results"]} == {"post", "comment", "agent", "submolt"}
    relevances = [r["relevance"] for r in everything["results"]]
    assert relevances == sorted(relevances, reverse=True)
    assert everything["results"][0]["name"] == "kelp"  # the exact name beats everything


async def test_deleted_and_removed_posts_and_comments_never_appear(client: httpx.AsyncClient) -> None:
    now = utcnow()
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        kept = await factories.make_post(session, author=author.agent, title="Seahorse", content="seahorse")
        deleted = await factories.make_post(session, author=author.agent, title="Seahorse 2", content="seahorse")
        removed = await factories.make_post(session, author=author.agent, title="Seahorse 3", content="seahorse")
        kept_comment = await factories.make_comment(session, post=kept, author=author.agent, content="seahorse!")
        c_deleted = await factories.make_comment(session, post=kept, author=author.agent, content="seahorse?")
        c_removed = await factories.make_comment(session, post=kept, author=author.agent, content="seahorse.")
        await factories.make_comment(session, post=removed, author=author.agent, content="seahorse under removed")
        await session.execute(update(Post).where(Post.id == deleted.id).values(is_deleted=True))
        await session.execute(update(Post).where(Post.id == removed.id).values(removed_at=now))
        await session.execute(update(Comment).where(Comment.id == c_deleted.id).values(is_deleted=True))
        await session.execute(update(Comment).where(Comment.id == c_removed.id).values(removed_at=now))
    body = await search(client, "seahorse")
    assert sorted(ids(body)) == sorted([str(kept.id), str(kept_comment.id)])

    # A removal that is undone brings the post back: the index never forgot it.
    async with db(client) as session:
        await session.execute(update(Post).where(Post.id == removed.id).values(removed_at=None))
    assert str(removed.id) in ids(await search(client, "seahorse", type="posts"))


async def test_index_follows_edits_and_hard_deletes(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        post = await factories.make_post(session, author=author.agent, title="Draft", content="about octopus")
        comment = await factories.make_comment(session, post=post, author=author.agent, content="squid here")
    async with db(client) as session:
        await session.execute(update(Post).where(Post.id == post.id).values(title="Cuttlefish", content="final"))
        await session.execute(update(Comment).where(Comment.id == comment.id).values(content="now about krill"))
    assert ids(await search(client, "octopus")) == []
    assert ids(await search(client, "squid")) == []
    assert ids(await search(client, "cuttlefish", type="posts")) == [str(post.id)]
    assert ids(await search(client, "krill", type="comments")) == [str(comment.id)]
    async with db(client) as session:
        await session.execute(delete(Comment).where(Comment.id == comment.id))
        await session.execute(delete(Post).where(Post.id == post.id))
    assert ids(await search(client, "cuttlefish krill")) == []


async def test_paging_by_cursor_and_offset_has_no_duplicates_or_gaps(client: httpx.AsyncClient) -> None:
    async with db(client) as session:
        author = await factories.make_agent(session)
        await _fillers(session, author)
        for i in range(7):
            await factories.make_post(
                session, author=author.agent, title=f"Crayfish {i}", content="crayfish " * (i + 1), score=i
            )
    whole = await search(client, "crayfish", type="posts", limit=50)
    assert len(whole["results"]) == 7
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"type": "posts", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await search(client, "crayfish", **params)
        seen += ids(page)
        pages += 1
        assert page["has_more"] == (page["next_cursor"] is not None)
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert pages == 3 and seen == ids(whole)
    by_offset = await search(client, "crayfish", type="posts", limit=3, offset=3)
    assert ids(by_offset) == ids(whole)[3:6]


async def test_bad_input_is_400_naming_the_field(client: httpx.AsyncClient) -> None:
    cases: list[tuple[dict[str, str | int], str]] = [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   \t "}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "kelp", "limit": 0}, "limit"),
        ({"q": "kelp", "limit": 51}, "limit"),
        ({"q": "kelp", "limit": "many"}, "limit"),
        ({"q": "kelp", "type": "everything"}, "type"),
        ({"q": "kelp", "cursor": "not-a-cursor"}, "cursor"),
        ({"q": "kelp", "offset": -1}, "offset"),
        ({"q": "kelp", "offset": 100000}, "offset"),
    ]
    for params, field in cases:
        resp = await client.get("/api/v1/search", params=params)
        assert resp.status_code == 400, (params, resp.text)
        body = resp.json()
        assert body["success"] is False and body["field"] == field and body["hint"], (params, body)
    ok = await search(client, "  " + "y" * 500 + "  ")  # trimmed to 500: accepted
    assert ok["query"] == "y" * 500


async def test_public_but_a_bad_key_is_401(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    assert (await client.get("/api/v1/search", params={"q": "x"}, headers=me.headers)).status_code == 200
    bad = {"Authorization": "Bearer moltbook_sk_" + "x" * 40}
    assert (await client.get("/api/v1/search", params={"q": "x"}, headers=bad)).status_code == 401
