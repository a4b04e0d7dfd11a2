"""Retries, waits and error mapping, against ``httpx.MockTransport`` (no server, no real sleeping)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from reef.agents.sdk import (
    AsyncReefClient,
    AuthError,
    Conflict,
    Forbidden,
    NetworkError,
    NotFound,
    RateLimited,
    ReefClient,
    ReefError,
    RetryPolicy,
    ServerUnavailable,
    ValidationError,
)

POST = {
    "id": "p1",
    "title": "Hi",
    "content": "x",
    "submolt": {"id": "s1", "name": "general", "display_name": "General"},
    "a_field_from_the_future": {"nested": True},
}


def error(status: int, code: str, hint: str = "Do something else.", **extra: Any) -> httpx.Response:
    body = {"success": False, "error": f"{code} happened", "hint": hint, "code": code, **extra}
    headers = {"Retry-After": str(extra["retry_after_seconds"])} if "retry_after_seconds" in extra else {}
    return httpx.Response(status, json=body, headers=headers)


def ok_post() -> httpx.Response:
    return httpx.Response(201, json={"success": True, "post": POST})


class Script:
    """Answers requests from a list of responses (or exceptions to raise), recording each request."""

    def __init__(self, *steps: httpx.Response | Exception) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def sync_client(script: Script, slept: list[float], **options: Any) -> ReefClient:
    policy = options.pop("retry", RetryPolicy(max_attempts=4, backoff_base=0.5))
    return ReefClient(
        "http://reef.test/api/v1/",  # the API base is accepted as well as the root
        "moltbook_sk_test",
        transport=httpx.MockTransport(script),
        sleep=slept.append,
        retry=policy,
        **options,
    )


def test_a_call_sends_the_key_and_parses_unknown_fields() -> None:
    script, slept = Script(ok_post()), []
    with sync_client(script, slept) as reef:
        post = reef.create_post("general", "Hi", "x")
    assert post.id == "p1" and post.submolt is not None and post.submolt.name == "general"
    assert post.a_field_from_the_future == {"nested": True}  # type: ignore[attr-defined]
    request = script.requests[0]
    assert str(request.url) == "http://reef.test/api/v1/posts"
    assert request.headers["authorization"] == "Bearer moltbook_sk_test"
    assert request.headers["user-agent"].startswith("reef-sdk/")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION_ERROR", ValidationError),
        (401, "UNAUTHORIZED", AuthError),
        (403, "AGENT_NOT_CLAIMED", Forbidden),
        (404, "NOT_FOUND", NotFound),
        (409, "NAME_TAKEN", Conflict),
        (418, "TEAPOT", ReefError),
    ],
)
def test_errors_map_to_classes_with_error_hint_and_code_and_are_not_retried(
    status: int, code: str, cls: type[ReefError]
) -> None:
    script, slept = Script(error(status, code, field="title")), []
    with sync_client(script, slept) as reef, pytest.raises(cls) as raised:
        reef.list_posts()
    assert raised.value.status == status and raised.value.code == code
    assert raised.value.error == f"{code} happened" and raised.value.hint == "Do something else."
    assert raised.value.field == "title"
    assert len(script.requests) == 1 and slept == []


def test_an_error_page_that_is_not_json_still_raises_a_reef_error() -> None:
    script, slept = Script(httpx.Response(502, text="<html>Bad gateway</html>")), []
    with sync_client(script, slept) as reef, pytest.raises(ReefError) as raised:
        reef.home()
    assert raised.value.status == 502 and "Bad gateway" in raised.value.error


def test_429_waits_retry_after_then_succeeds() -> None:
    script, slept = Script(error(429, "RATE_LIMITED", retry_after_seconds=14, daily_remaining=3), ok_post()), []
    with sync_client(script, slept) as reef:
        assert reef.create_post("general", "Hi", "x").id == "p1"
    assert slept == [14.0] and len(script.requests) == 2


def test_429_longer_than_the_max_wait_raises_at_once_with_retry_after() -> None:
    script, slept = Script(error(429, "RATE_LIMITED", retry_after_seconds=1800)), []
    with sync_client(script, slept) as reef, pytest.raises(RateLimited) as raised:
        reef.create_post("general", "Hi", "x")
    assert raised.value.retry_after == 1800 and slept == []
    assert raised.value.hint == "Do something else."


def test_429_raises_at_once_when_the_caller_prefers() -> None:
    script, slept = Script(error(429, "RATE_LIMITED", retry_after_seconds=2, daily_remaining=0)), []
    policy = RetryPolicy(wait_on_rate_limit=False)
    with sync_client(script, slept, retry=policy) as reef, pytest.raises(RateLimited) as raised:
        reef.comment("p1", "hello")
    assert raised.value.retry_after == 2 and raised.value.daily_remaining == 0 and slept == []


def test_503_backs_off_exponentially_with_jitter_then_gives_up() -> None:
    script, slept = Script(*[error(503, "SERVICE_UNAVAILABLE", retry_after_seconds=0)] * 4), []
    with sync_client(script, slept) as reef, pytest.raises(ServerUnavailable):
        reef.create_post("general", "Hi", "x")  # 503 means nothing was written: even a creation is retried
    assert len(script.requests) == 4 and len(slept) == 3
    for attempt, delay in enumerate(slept, start=1):
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling


def test_503_then_success() -> None:
    script, slept = Script(error(503, "SERVICE_UNAVAILABLE", retry_after_seconds=3), ok_post()), []
    with sync_client(script, slept) as reef:
        assert reef.get_post("p1").post.id == "p1"
    assert slept == [3.0]  # Retry-After is longer than the first backoff


def test_network_errors_retry_reads_but_never_a_creation_that_may_have_arrived() -> None:
    broken = httpx.ReadError("connection reset")
    script, slept = Script(broken, httpx.Response(200, json={"success": True, "posts": [POST], "has_more": False})), []
    with sync_client(script, slept) as reef:
        assert [p.id for p in reef.list_posts().items] == ["p1"]
    assert len(slept) == 1

    script, slept = Script(broken), []
    with sync_client(script, slept) as reef, pytest.raises(NetworkError):
        reef.create_post("general", "Hi", "x")
    assert len(script.requests) == 1 and slept == []

    script, slept = Script(broken), []
    with sync_client(script, slept) as reef, pytest.raises(NetworkError):
        reef.upvote_post("p1")  # a vote toggles: a repeat could undo it
    assert len(script.requests) == 1


def test_a_connection_that_never_opened_is_retried_even_for_a_creation() -> None:
    script, slept = Script(httpx.ConnectError("refused"), ok_post()), []
    with sync_client(script, slept) as reef:
        assert reef.create_post("general", "Hi", "x").id == "p1"
    assert len(script.requests) == 2 and len(slept) == 1


def test_rate_limit_headers_are_exposed_and_an_exhausted_limit_waits_for_the_reset() -> None:
    reset = time.time() + 20
    headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(reset))}
    listing = {"success": True, "posts": [], "has_more": False, "next_cursor": None}
    script, slept = Script(httpx.Response(200, json=listing, headers=headers), httpx.Response(200, json=listing)), []
    with sync_client(script, slept) as reef:
        reef.list_posts()
        assert reef.rate_limit is not None and (reef.rate_limit.limit, reef.rate_limit.remaining) == (100, 0)
        reef.list_posts()
    assert len(slept) == 1 and 15 < slept[0] <= 21


async def test_the_async_client_follows_the_same_policy() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    script = Script(
        error(503, "SERVICE_UNAVAILABLE", retry_after_seconds=0),
        error(429, "RATE_LIMITED", retry_after_seconds=5),
        ok_post(),
    )
    reef = AsyncReefClient("http://reef.test", "moltbook_sk_test", transport=httpx.MockTransport(script), sleep=sleep)
    async with reef:
        post = await reef.create_post("general", "Hi", "x")
        assert post.id == "p1"
        with pytest.raises(NotFound):
            script.steps.append(error(404, "NOT_FOUND"))
            await reef.get_post("nope")
    assert len(slept) == 2 and slept[1] == 5.0


def test_path_segments_are_escaped() -> None:
    script, slept = Script(httpx.Response(200, json={"success": True, "action": "followed"})), []
    with sync_client(script, slept) as reef:
        reef.follow("../posts?x=1")
    assert script.requests[0].url.raw_path == b"/api/v1/agents/..%2Fposts%3Fx%3D1/follow"
