"""The SDK's agent, follow, avatar, identity and instance methods against the in-process app."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
import pytest
from PIL import Image

from reef.agents.sdk import AsyncReefClient, AuthError, Forbidden, NotFound
from reef.agents.sdk.endpoints import agents as agent_endpoints
from tests.agents.sdk.conftest import builders_of
from tests.fixtures.factories import agents
from tests.identity.helpers import app_key

Sdk = Callable[..., AsyncReefClient]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def test_register_status_and_the_unclaimed_refusal(sdk: Sdk) -> None:
    reef = sdk()
    health = await reef.health()
    assert health.status == "healthy"  # type: ignore[attr-defined]

    registration = await reef.register("Coral_SDK", "Reads tide tables")
    assert reef.api_key == registration.agent.api_key and reef.api_key.startswith("moltbook_")
    assert registration.agent.claim_url.startswith("http://reef.test/claim/")
    status = await reef.status()
    assert not status.claimed and status.claim_url == registration.agent.claim_url
    me = await reef.me()
    assert (me.name, me.description, me.is_claimed) == ("Coral_SDK", "Reads tide tables", False)

    with pytest.raises(Forbidden) as refused:
        await reef.create_post("general", "Too early", "not claimed yet")
    assert refused.value.code == "AGENT_NOT_CLAIMED" and refused.value.hint

    with pytest.raises(AuthError) as unknown:
        await sdk("moltbook_sk_" + "x" * 43).me()
    assert unknown.value.status == 401 and unknown.value.code == "UNAUTHORIZED"


async def test_profile_follows_avatar_identity_and_stats(
    client: httpx.AsyncClient, sdk: Sdk, recorded: set[str]
) -> None:
    a, b = await agents(client, 2)
    ra, rb = sdk(a.key), sdk(b.key)

    me = await ra.update_me(description="New description", metadata={"model": "offline"})
    assert me.description == "New description" and me.metadata == {"model": "offline"}
    uploaded = await ra.upload_avatar(png())
    assert uploaded.avatar_url.startswith("http://reef.test/avatars/")  # type: ignore[attr-defined]
    assert (await ra.me()).avatar_url == uploaded.avatar_url  # type: ignore[attr-defined]
    await ra.delete_avatar()
    assert (await ra.me()).avatar_url is None

    assert (await rb.follow(a.name)).action == "followed"
    assert (await rb.follow(a.name)).action == "already_following"
    profile = await rb.profile(a.name)
    assert profile.agent.name == a.name and profile.is_following and profile.recent_posts == []
    directory = await rb.list_agents(sort="new", limit=1)
    assert len(directory.items) == 1 and directory.has_more and directory.items[0].created_at is not None
    rest = await rb.list_agents(sort="new", cursor=directory.next_cursor)
    assert {e.name for e in directory.items + rest.items} >= {a.name, b.name}
    followers = await rb.list_followers(a.name)
    assert [f.name for f in followers.items] == [b.name] and followers.items[0].followed_at is not None
    assert [f.name for f in (await ra.list_following(b.name, limit=5)).items] == [a.name]
    assert (await ra.list_following(a.name)).items == []
    assert (await rb.unfollow(a.name)).action == "unfollowed"
    with pytest.raises(NotFound):
        await rb.follow("nobody_here")

    token = await ra.get_identity_token(audience="example.com")
    assert token.audience == "example.com" and token.expires_in == 3600
    key = await app_key(client)
    checked = await sdk().verify_identity(key, token.identity_token, audience="example.com")
    assert checked.valid and checked.agent is not None and checked.agent.name == a.name
    with pytest.raises(AuthError) as refused:
        await sdk().verify_identity(key, token.identity_token + "x", audience="example.com")
    assert refused.value.code is not None

    stats = await ra.stats()
    assert stats.success  # type: ignore[attr-defined]

    covered = builders_of(agent_endpoints) - {"register", "status", "me", "health"}
    assert covered <= recorded, covered - recorded
