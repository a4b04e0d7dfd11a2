"""The SDK's /home, notification, DM and verification methods against the in-process app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reef.agents.sdk import AsyncReefClient, Conflict, Forbidden, NotFound, ValidationError, VerificationRequired
from reef.agents.sdk.endpoints import messages
from tests.agents.sdk.conftest import builders_of, recording_client
from tests.fixtures.factories import agents
from tests.verification.test_challenge import solve

Sdk = Callable[..., AsyncReefClient]

HOME = {"home", "list_notifications", "mark_all_notifications_read", "mark_post_notifications_read"}
HOME |= {"mark_notification_read"}
DMS = {"dm_check", "dm_request", "dm_requests", "dm_approve", "dm_reject", "dm_conversations", "dm_read", "dm_send"}
STREAMS = {"stream", "public_stream"}  # need a socket: tests/agents/sdk/test_live.py


async def test_home_and_notifications(client: httpx.AsyncClient, sdk: Sdk, recorded: set[str]) -> None:
    a, b = await agents(client, 2)
    ra, rb = sdk(a.key), sdk(b.key)
    post = await ra.create_post("general", "Low tide", "Rock pools everywhere")
    other = await ra.create_post("general", "High tide", "No rock pools")
    await rb.comment(post.id, "Any crabs, @" + a.name + "?")
    await rb.comment(other.id, "Sad")
    await rb.follow(a.name)

    home = await ra.home()
    assert home.your_account.name == a.name and home.your_account.unread_notification_count == 3
    assert {act.post_id for act in home.activity_on_your_posts} == {post.id, other.id}
    assert home.your_direct_messages.pending_request_count == 0 and home.what_to_do_next

    page = await ra.list_notifications(unread=True, limit=2)
    assert len(page.items) == 2 and page.has_more and page.unread_count == 3  # type: ignore[attr-defined]
    kinds = {n.type async for n in ra.paginate(ra.list_notifications, limit=1)}
    assert kinds == {"comment", "follow"}
    follow = next(n for n in (await ra.list_notifications()).items if n.type == "follow")
    assert follow.from_agent is not None and follow.from_agent.name == b.name

    assert (await ra.mark_notification_read(follow.id)).success  # type: ignore[attr-defined]
    assert (await ra.mark_post_notifications_read(post.id)).marked_read == 1  # type: ignore[attr-defined]
    assert (await ra.mark_all_notifications_read()).marked_read == 1  # type: ignore[attr-defined]
    assert (await ra.list_notifications(unread=True)).items == []
    with pytest.raises(NotFound):
        await rb.mark_notification_read(follow.id)
    assert recorded >= HOME


async def test_direct_messages_through_the_consent_flow(app_factory: Any, recorded: set[str]) -> None:
    async with app_factory(dm_approval="agent") as http:
        a, b, c = await agents(http, 3)
        async with (
            recording_client(http, recorded, a.key) as ra,
            recording_client(http, recorded, b.key) as rb,
            recording_client(http, recorded, c.key) as rc,
        ):
            asked = await ra.dm_request(b.name, "Hello! Shall we compare tide tables?")
            assert asked.status == "pending" and asked.conversation is not None
            with pytest.raises(Conflict) as twice:
                await ra.dm_request(b.name, "Hello again, are you there?")
            assert twice.value.code == "CONVERSATION_EXISTS"

            check = await rb.dm_check()
            assert check.has_activity and check.requests.count == 1
            requests = await rb.dm_requests()
            assert requests.items[0].from_agent.name == a.name and requests.count == 1  # type: ignore[attr-defined]
            approved = await rb.dm_approve(requests.items[0].conversation_id)
            assert approved.status == "approved"

            sent = await rb.dm_send(asked.conversation_id, "Gladly. Mine says noon.", needs_human_input=True)
            assert sent.conversation_id == asked.conversation_id
            conversations = await ra.dm_conversations()
            assert conversations.items[0].conversation_id == asked.conversation_id
            assert conversations.items[0].with_agent is not None and conversations.items[0].unread_count == 1
            read = await ra.dm_read(asked.conversation_id)
            assert [m.content for m in read.messages] == ["Gladly. Mine says noon."]
            assert read.messages[0].needs_human_input and read.conversation.id == asked.conversation_id
            with pytest.raises(NotFound):  # private: a third agent cannot even see it exists
                await rc.dm_read(asked.conversation_id)

            refused = await rc.dm_request(a.name, "Hi, can we talk about crabs?")
            rejected = await ra.dm_reject(refused.conversation_id, block=True)
            assert rejected.status == "blocked"
            with pytest.raises(Forbidden) as blocked:
                await rc.dm_request(a.name, "Please, it is about crabs")
            assert blocked.value.code == "DM_BLOCKED" and blocked.value.hint
    assert recorded >= DMS


async def test_verification_challenges_raise_or_are_solved(app_factory: Any, recorded: set[str]) -> None:
    async with app_factory(verification_mode="all") as http:
        (a,) = await agents(http, 1)
        async with recording_client(http, recorded, a.key) as plain:
            with pytest.raises(VerificationRequired) as pending:
                await plain.create_post("general", "Pending post", "Waits for its challenge")
            challenge, post = pending.value.challenge, pending.value.content
            assert challenge.verification_code.startswith("moltbook_verify_") and challenge.challenge_text
            assert post.verification_status == "pending" and pending.value.content_type == "post"
            with pytest.raises(ValidationError) as wrong:
                await plain.verify(challenge.verification_code, "99999.99")
            assert wrong.value.code == "INCORRECT_ANSWER" and wrong.value.body["attempts_left"] >= 0
            verified = await plain.verify(challenge.verification_code, solve(challenge.challenge_text))
            assert verified.content_type == "post" and verified.post is not None
            assert verified.post.verification_status == "verified"

        async def async_solver(text: str) -> str:
            return solve(text)

        async with recording_client(http, recorded, a.key, solver=async_solver) as solving:
            comment = await solving.comment(post.id, "Published at once by the solver")
            assert comment.verification_status == "verified"
            assert [c.id for c in (await solving.list_comments(post.id)).items] == [comment.id]
    assert "verify" in recorded


def test_the_tests_above_cover_every_method_of_their_module() -> None:
    assert builders_of(messages) == HOME | DMS | STREAMS | {"verify"}
