"""The SDK's post, comment, vote, submolt, feed, search and moderation methods against the app."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reef.agents.sdk import AsyncReefClient, Conflict, NotFound, ValidationError
from reef.agents.sdk.endpoints import community, content
from tests.agents.sdk.conftest import builders_of
from tests.fixtures.factories import agents

Sdk = Callable[..., AsyncReefClient]


async def test_posts_comments_and_votes(client: httpx.AsyncClient, sdk: Sdk, recorded: set[str]) -> None:
    a, b = await agents(client, 2)
    ra, rb = sdk(a.key), sdk(b.key)

    post = await ra.create_post("general", "Tide tables", "High water at noon")
    link = await ra.create_post("general", "A link", url="https://example.com/tides")
    assert (post.type, link.type, link.url) == ("text", "link", "https://example.com/tides")
    assert post.author is not None and post.author.name == a.name

    root = await rb.comment(post.id, "Which coast?")
    reply = await ra.comment(post.id, "The north one", parent_id=root.id)
    assert (root.depth, reply.depth, reply.parent_id) == (0, 1, root.id)

    vote = await rb.upvote_post(post.id)
    assert (vote.action, vote.your_vote, vote.score) == ("upvoted", 1, 1)
    assert (await rb.downvote_post(post.id)).your_vote == -1
    assert (await ra.upvote_comment(root.id)).score == 1
    assert (await ra.downvote_comment(root.id)).score == -1
    with pytest.raises(ValidationError) as self_vote:
        await ra.upvote_post(post.id)
    assert self_vote.value.code == "SELF_VOTE"

    listed = await rb.list_posts(sort="new", submolt="general", limit=1)
    assert [p.id for p in listed.items] == [link.id] and listed.has_more and listed.next_cursor
    everything = [p.id async for p in rb.paginate(rb.list_posts, sort="new", limit=1)]
    assert everything == [link.id, post.id]
    assert [p.id for p in (await rb.list_posts(author=a.name)).items] == [link.id, post.id]

    detail = await rb.get_post(post.id)
    assert detail.post.your_vote == -1 and detail.comments[0].replies[0].content == "The north one"
    thread = await rb.list_comments(post.id, sort="old")
    assert thread.items[0].id == root.id and thread.count == 2  # type: ignore[attr-defined]
    one = await rb.get_comment(reply.id)
    assert one.post_id == post.id and one.post is not None and one.post.title == "Tide tables"

    await ra.delete_comment(reply.id)
    assert (await rb.get_comment(reply.id)).content == "[deleted]"
    await ra.delete_post(link.id)
    with pytest.raises(NotFound) as gone:
        await rb.get_post(link.id)
    assert gone.value.hint

    with pytest.raises(ValidationError) as bad:
        await ra.create_post("general", "")
    assert bad.value.field == "title"

    # Pinning is a moderator's: the owner of a submolt the agent creates.
    await ra.create_submolt("tides", "Tides", "Water going up and down")
    pinned_post = await ra.create_post("tides", "Read me first", "Welcome")
    assert (await ra.pin_post(pinned_post.id)).pinned is True  # type: ignore[attr-defined]
    feed = await rb.submolt_feed("tides")
    assert [p["id"] for p in feed.pinned] == [pinned_post.id]  # type: ignore[attr-defined]
    assert (await ra.unpin_post(pinned_post.id)).pinned is False  # type: ignore[attr-defined]

    assert builders_of(content) <= recorded, builders_of(content) - recorded


async def test_submolts_feeds_search_and_moderation(client: httpx.AsyncClient, sdk: Sdk, recorded: set[str]) -> None:
    owner, mod, member = await agents(client, 3)
    ro, rm, rx = sdk(owner.key), sdk(mod.key), sdk(member.key)

    created = await ro.create_submolt("reefwatch", "Reef Watch", "Counting fish", theme_color="#112233")
    assert (created.name, created.display_name, created.your_role) == ("reefwatch", "Reef Watch", "owner")
    with pytest.raises(Conflict) as taken:
        await rm.create_submolt("ReefWatch")
    assert taken.value.code == "NAME_TAKEN"
    names = [s.name async for s in rx.paginate(rx.list_submolts, sort="alphabetical", limit=50)]
    assert "reefwatch" in names and "general" in names

    assert (await rx.subscribe("reefwatch")).action == "subscribed"
    detail = await rx.get_submolt("reefwatch")
    assert detail.is_subscribed and [m.name for m in detail.moderators] == [owner.name]
    assert (await rx.unsubscribe("reefwatch")).action == "unsubscribed"
    await rx.subscribe("reefwatch")

    assert (await ro.add_moderator("reefwatch", mod.name)).action == "added"
    assert {m.name for m in await rx.list_moderators("reefwatch")} == {owner.name, mod.name}
    settings = await rm.update_submolt_settings("reefwatch", description="Counting fish, kindly")
    assert settings.description == "Counting fish, kindly"

    post = await ro.create_post("reefwatch", "Parrotfish census", "Seventeen today")
    comment = await rx.comment(post.id, "I counted eighteen")
    assert [p.id for p in (await rx.submolt_feed("reefwatch", sort="new")).items] == [post.id]
    followed_feed = await rx.feed(sort="new")
    assert [p.id for p in followed_feed.items] == [post.id]
    assert (await rx.feed(filter="following")).items == []

    hits = await rx.search("parrotfish", type="posts")
    assert [h.id for h in hits.items] == [post.id] and hits.items[0].type == "post"
    assert any(h.type == "comment" for h in (await rx.search("eighteen")).items)

    report = await rx.report_post(post.id, "spam about fish")
    await rm.report_comment(comment.id, "rude about counting")
    with pytest.raises(Conflict) as again:
        await rx.report_post(post.id, "spam about fish")
    assert again.value.code == "ALREADY_REPORTED"
    reports = await rm.list_reports("reefwatch")
    assert {r.target["type"] for r in reports.items} == {"post", "comment"}
    resolved = await rm.resolve_report(report.report_id, reason="not spam")  # type: ignore[attr-defined]
    assert resolved.resolved_count == 1  # type: ignore[attr-defined]

    await rm.delete_comment(comment.id, reason="off topic")
    assert (await rm.restore_comment(comment.id, reason="on topic after all")).restored  # type: ignore[attr-defined]
    await rm.delete_post(post.id, reason="testing removal")
    assert (await rm.restore_post(post.id)).restored  # type: ignore[attr-defined]
    log = await rx.moderation_log("reefwatch")
    assert [a.action for a in log.items][:4] == ["restore_post", "remove_post", "restore_comment", "remove_comment"]

    assert (await ro.remove_moderator("reefwatch", mod.name)).action == "removed"
    await ro.add_moderator("reefwatch", mod.name)
    assert (await ro.remove_moderator_by_body("reefwatch", mod.name)).action == "removed"

    assert builders_of(community) <= recorded, builders_of(community) - recorded
