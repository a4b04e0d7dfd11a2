"""Schema-driven fuzzing: schemathesis generates requests from our OpenAPI schema (valid and
invalid) and checks that no input gives a 5xx, and that every response matches what the schema
documents (status code, content type, body schema). Runs on both databases against a real server."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from reef.app import create_app
from reef.db import create_engine, create_sessionmaker, session_scope
from tests.api.server import running_server
from tests.conftest import _wipe, settings_for
from tests.fixtures.factories import make_agent, make_comment, make_post

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Operations whose effects would starve the rest of the run (deleting the shared fixtures), and the
# live streams, whose successful responses never end (tests/events covers them against a real server).
SKIP = {
    ("DELETE", "/api/v1/posts/{post_id}"),
    ("DELETE", "/api/v1/comments/{comment_id}"),
    ("GET", "/api/v1/stream"),
    ("GET", "/api/v1/stream/public"),
}


async def _seed(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    await _wipe(settings.database_url)
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            from reef.submolt.seed import seed_submolts

            await seed_submolts(session)
            me = await make_agent(session, name="fuzzer")
            other = await make_agent(session, name="other")
            post = await make_post(session, author=other.agent)
            await make_comment(session, post=post, author=other.agent)
            return {"key": me.key}
    finally:
        await engine.dispose()


@pytest.fixture
def fuzz_target(db_url: str):  # type: ignore[no-untyped-def]
    settings = settings_for(db_url, max_body_bytes=65536, avatar_max_bytes=32768)
    seeded = asyncio.run(_seed(settings))
    app = create_app(settings)
    schema_dict = app.openapi()
    with running_server(app) as base_url:
        yield schema_dict, base_url, seeded["key"]


def _fuzz_operation(operation, base_url: str, key: str, http: requests.Session) -> tuple[int, str | None]:  # type: ignore[no-untyped-def]
    """Run one operation's generated cases; return the number of requests and the first failure."""
    label = f"{operation.method.upper()} {operation.path}"
    calls = 0
    failure: list[str] = []

    @settings(max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        try:
            case.call_and_validate(
                base_url=base_url, session=http, headers={"Authorization": f"Bearer {key}"}, checks=CHECKS
            )
        except AssertionError as exc:  # schemathesis raises a group of failures
            failure.append(f"{label}: {str(exc)[:600]}")
            raise

    with contextlib.suppress(Exception):  # keep going, to report every failing operation at once
        run()
    return calls, (failure[0] if failure else None)


def test_no_input_gives_a_server_error_and_responses_match_the_schema(fuzz_target) -> None:  # type: ignore[no-untyped-def]
    schema_dict, base_url, key = fuzz_target
    schema = schemathesis.openapi.from_dict(schema_dict)
    http = requests.Session()
    operations = [op.ok() for op in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in SKIP]
    assert len(operations) >= 8
    results = [_fuzz_operation(op, base_url, key, http) for op in operations]
    failures = [f for _, f in results if f]
    assert not failures, "\n\n".join(failures)
    calls = sum(n for n, _ in results)
    assert calls >= 4 * len(operations), f"only {calls} requests for {len(operations)} operations"
