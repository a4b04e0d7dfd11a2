"""The verification challenge through the HTTP API: who gets one (off / new_agents / all), pending
content hidden until solved, POST /verify's answers, failures, suspension, and counters that
always equal the visible content."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent, Comment, OwnerAlert, Post, Submolt, VerificationChallenge
from tests.fixtures import factories
from tests.fixtures.factories import TestAgent
from tests.verification.test_challenge import solve

API = "/api/v1"
YOUNG = timedelta(hours=1)  # inside the default 24-hour sandbox


async def answer_of(client: httpx.AsyncClient, code: str) -> str:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        stmt = select(VerificationChallenge.answer).where(VerificationChallenge.code == code)
        return str((await session.execute(stmt)).scalar_one())


async def verify(client: httpx.AsyncClient, who: TestAgent, code: str, answer: Any) -> httpx.Response:
    return await client.post(f"{API}/verify", json={"verification_code": code, "answer": answer}, headers=who.headers)


async def new_post(client: httpx.AsyncClient, who: TestAgent, title: str = "Tides", **kw: Any) -> dict[str, Any]:
    body = {"submolt": "general", "title": title, "content": "about the tides", **kw}
    resp = await client.post(f"{API}/posts", json=body, headers=who.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def new_comment(client: httpx.AsyncClient, who: TestAgent, post_id: str, **kw: Any) -> dict[str, Any]:
    body = {"content": "a fine point about kelp", **kw}
    resp = await client.post(f"{API}/posts/{post_id}/comments", json=body, headers=who.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def new_submolt(client: httpx.AsyncClient, who: TestAgent, name: str) -> httpx.Response:
    return await client.post(f"{API}/submolts", json={"name": name, "display_name": name.title()}, headers=who.headers)


async def solve_it(client: httpx.AsyncClient, who: TestAgent, created: dict[str, Any], key: str) -> httpx.Response:
    code = created[key]["verification"]["verification_code"]
    return await verify(client, who, code, await answer_of(client, code))


async def published_post(client: httpx.AsyncClient, who: TestAgent) -> str:
    """A post that is already visible (made with verification out of the way)."""
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = await factories.make_post(session, author=who.agent, title="Published")
        return str(post.id)


async def row(client: httpx.AsyncClient, model: Any, id_: Any) -> Any:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return await session.get(model, uuid.UUID(id_) if isinstance(id_, str) else id_)


# --- who must verify ------------------------------------------------------------------------------


def assert_challenge(body: dict[str, Any], key: str, message_start: str) -> None:
    assert body["verification_required"] is True
    assert body["message"].startswith(message_start) and "Complete verification to publish. 🦞" in body["message"]
    item = body[key]
    assert item["verification_status"] == "pending"
    challenge = item["verification"]
    assert set(challenge) == {"verification_code", "challenge_text", "expires_at", "instructions"}
    code = challenge["verification_code"]
    assert code.startswith("moltbook_verify_") and len(code) == 16 + 32 and int(code[16:], 16) >= 0
    assert "2 decimal places" in challenge["instructions"]


def assert_no_challenge(body: dict[str, Any], key: str) -> None:
    assert "verification_required" not in body
    assert "verification" not in body[key] and "verification_status" not in body[key]


async def test_off_publishes_at_once(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="off") as client:
        young = await factories.agent(client, age=YOUNG)
        post = await new_post(client, young)
        assert_no_challenge(post, "post")
        assert post["message"] == "Post created! 🦞"
        assert_no_challenge(await new_comment(client, young, post["post"]["id"]), "comment")
        resp = await new_submolt(client, young, "openwater")
        assert resp.status_code == 201
        assert_no_challenge(resp.json(), "submolt")
        assert (await client.get(f"{API}/posts/{post['post']['id']}")).status_code == 200


async def test_new_agents_challenges_only_agents_in_the_sandbox(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="new_agents") as client:
        young = await factories.agent(client, age=YOUNG)
        old = await factories.agent(client, age=timedelta(days=3))
        target = await published_post(client, old)

        assert_challenge(await new_post(client, young), "post", "Post created!")
        assert_challenge(await new_comment(client, young, target), "comment", "Comment created!")
        resp = await new_submolt(client, young, "youngsters")
        assert resp.status_code == 201
        assert_challenge(resp.json(), "submolt", "m/youngsters created!")

        assert_no_challenge(await new_post(client, old), "post")
        assert_no_challenge(await new_comment(client, old, target), "comment")
        resp = await new_submolt(client, old, "elders")
        assert_no_challenge(resp.json(), "submolt")


async def test_new_agents_with_the_sandbox_switched_off_challenges_nobody(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="new_agents", new_agent_sandbox_hours=0) as client:
        young = await factories.agent(client, age=YOUNG)
        assert_no_challenge(await new_post(client, young), "post")


async def test_all_challenges_every_agent(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        old = await factories.agent(client, age=timedelta(days=300))
        target = await published_post(client, old)
        assert_challenge(await new_post(client, old), "post", "Post created!")
        assert_challenge(await new_comment(client, old, target), "comment", "Comment created!")
        assert_challenge((await new_submolt(client, old, "everyone")).json(), "submolt", "m/everyone created!")


async def test_default_mode_is_new_agents() -> None:
    from reef.config import Settings, VerificationMode

    assert Settings(_env_file=None).verification_mode == VerificationMode.new_agents  # type: ignore[call-arg]


# --- hidden until solved, counted when published --------------------------------------------------


async def post_ids(client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> set[str]:
    resp = await client.get(f"{API}{path}", headers=headers or {})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    items = body.get("posts", body.get("results", []))
    return {p["id"] for p in items} | {p["id"] for p in body.get("recentPosts", [])}


async def counts(client: httpx.AsyncClient, who: TestAgent) -> tuple[int, int, int]:
    """(general's post_count, the agent's post_count, the agent's comment_count)."""
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        general = (await session.execute(select(Submolt.post_count).where(Submolt.name == "general"))).scalar_one()
        agent = await session.get(Agent, who.agent.id)
        assert agent is not None
        return general, agent.post_count, agent.comment_count


async def test_a_pending_post_is_hidden_until_solved_and_counted_when_published(
    app_factory: Callable[..., Any],
) -> None:
    async with app_factory(verification_mode="new_agents") as client:
        young = await factories.agent(client, age=YOUNG)
        reader = await factories.agent(client)
        await client.post(f"{API}/submolts/general/subscribe", headers=reader.headers)
        before = await counts(client, young)
        created = await new_post(client, young, title="Zyzzyva lobster migration")
        post_id = created["post"]["id"]
        everywhere = [
            "/posts?sort=new",
            "/posts?sort=hot",
            "/posts?sort=rising",
            "/submolts/general/feed?sort=new",
            f"/agents/profile?name={young.name}",
            "/search?q=zyzzyva&type=posts",
        ]
        for path in everywhere:
            assert post_id not in await post_ids(client, path), path
            assert post_id not in await post_ids(client, path, young.headers), path
        assert post_id not in await post_ids(client, "/feed?sort=new", reader.headers)
        assert (await client.get(f"{API}/posts/{post_id}")).status_code == 404
        assert (await client.get(f"{API}/posts/{post_id}", headers=reader.headers)).status_code == 404
        assert (await client.get(f"{API}/posts/{post_id}/comments")).status_code == 404
        own = await client.get(f"{API}/posts/{post_id}", headers=young.headers)
        assert own.status_code == 200 and own.json()["post"]["verification_status"] == "pending"
        # Nobody can act on it meanwhile.
        assert (
            await client.post(f"{API}/posts/{post_id}/comments", json={"content": "hi"}, headers=reader.headers)
        ).status_code == 404
        assert (await client.post(f"{API}/posts/{post_id}/upvote", headers=reader.headers)).status_code == 404
        assert await counts(client, young) == before

        resp = await solve_it(client, young, created, "post")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["success"] is True
        assert body["message"] == "Verification successful! Your post is now published. 🦞"
        assert body["content_type"] == "post" and body["content_id"] == post_id
        assert body["post"]["id"] == post_id and body["post"]["verification_status"] == "verified"
        assert "verification" not in body["post"] and "comment" not in body and "submolt" not in body

        for path in everywhere:
            assert post_id in await post_ids(client, path), path
        assert post_id in await post_ids(client, "/feed?sort=new", reader.headers)
        assert (await client.get(f"{API}/posts/{post_id}", headers=reader.headers)).status_code == 200
        general, posts, comments = await counts(client, young)
        assert (general, posts, comments) == (before[0] + 1, before[1] + 1, before[2])


async def test_a_pending_comment_is_hidden_until_solved_and_counted_when_published(
    app_factory: Callable[..., Any],
) -> None:
    async with app_factory(verification_mode="new_agents") as client:
        young = await factories.agent(client, age=YOUNG)
        old = await factories.agent(client)
        post_id = await published_post(client, old)
        parent = (await new_comment(client, old, post_id))["comment"]
        created = await new_comment(client, young, post_id, parent_id=parent["id"], content="Quixotic krill ballet")
        comment_id = created["comment"]["id"]

        async def thread_ids(headers: dict[str, str] | None = None) -> set[str]:
            body = (await client.get(f"{API}/posts/{post_id}/comments?sort=new", headers=headers or {})).json()
            found = set()
            stack = list(body["comments"])
            while stack:
                c = stack.pop()
                found.add(c["id"])
                stack.extend(c["replies"])
            return found

        async def state() -> tuple[int, int, int]:
            post = await row(client, Post, post_id)
            reply_count = (await row(client, Comment, parent["id"])).reply_count
            return post.comment_count, reply_count, (await counts(client, young))[2]

        assert comment_id not in await thread_ids()
        assert comment_id not in await thread_ids(young.headers)
        detail = (await client.get(f"{API}/posts/{post_id}")).json()
        assert detail["post"]["comment_count"] == 1 and len(detail["comments"][0]["replies"]) == 0
        assert (await client.get(f"{API}/comments/{comment_id}")).status_code == 404
        assert (await client.get(f"{API}/comments/{comment_id}", headers=old.headers)).status_code == 404
        own = await client.get(f"{API}/comments/{comment_id}", headers=young.headers)
        assert own.status_code == 200 and own.json()["comment"]["verification_status"] == "pending"
        assert (await client.get(f"{API}/search?q=quixotic&type=comments")).json()["results"] == []
        assert (await client.post(f"{API}/comments/{comment_id}/upvote", headers=old.headers)).status_code == 404
        reply = await client.post(
            f"{API}/posts/{post_id}/comments", json={"content": "x", "parent_id": comment_id}, headers=old.headers
        )
        assert reply.status_code == 404
        assert await state() == (1, 0, 0)

        resp = await solve_it(client, young, created, "comment")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["message"] == "Verification successful! Your comment is now published. 🦞"
        assert body["content_type"] == "comment" and body["comment"]["id"] == comment_id
        assert comment_id in await thread_ids()
        assert (await client.get(f"{API}/comments/{comment_id}")).status_code == 200
        results = (await client.get(f"{API}/search?q=quixotic&type=comments")).json()["results"]
        assert [r["id"] for r in results] == [comment_id]
        assert await state() == (2, 1, 1)


async def test_a_pending_submolt_is_hidden_until_solved(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="new_agents") as client:
        young = await factories.agent(client, age=YOUNG)
        other = await factories.agent(client)
        resp = await new_submolt(client, young, "hiddenreef")
        assert resp.status_code == 201
        created = resp.json()

        async def listed() -> tuple[set[str], int]:
            body = (await client.get(f"{API}/submolts?sort=new&limit=100")).json()
            return {s["name"] for s in body["submolts"]}, body["count"]

        names, count = await listed()
        assert "hiddenreef" not in names and count == len(names)
        assert (await client.get(f"{API}/submolts/hiddenreef")).status_code == 404
        assert (await client.get(f"{API}/submolts/hiddenreef", headers=other.headers)).status_code == 404
        own = await client.get(f"{API}/submolts/hiddenreef", headers=young.headers)
        assert own.status_code == 200 and own.json()["submolt"]["verification_status"] == "pending"
        assert (await client.get(f"{API}/submolts/hiddenreef/feed")).status_code == 404
        assert (await client.post(f"{API}/submolts/hiddenreef/subscribe", headers=other.headers)).status_code == 404
        post = await client.post(
            f"{API}/posts", json={"submolt": "hiddenreef", "title": "t", "content": "c"}, headers=other.headers
        )
        assert post.status_code == 404
        found = (await client.get(f"{API}/search?q=hiddenreef&type=submolts")).json()["results"]
        assert found == []
        assert (await new_submolt(client, other, "hiddenreef")).status_code == 409  # the name is held

        resp = await solve_it(client, young, created, "submolt")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["message"] == "Verification successful! Your submolt is now published. 🦞"
        assert body["submolt"]["name"] == "hiddenreef" and body["submolt"]["your_role"] == "owner"
        names, count = await listed()
        assert "hiddenreef" in names and count == len(names)
        assert (await client.get(f"{API}/submolts/hiddenreef", headers=other.headers)).status_code == 200
        found = (await client.get(f"{API}/search?q=hiddenreef&type=submolts")).json()["results"]
        assert [r["name"] for r in found] == ["hiddenreef"]


async def test_public_live_events_fire_on_publish_not_on_create(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        async with client.app.state.events.subscribe({"public"}) as queue:  # type: ignore[attr-defined]
            created = await new_post(client, author)
            assert queue.empty()
            assert (await solve_it(client, author, created, "post")).status_code == 200
            event = queue.get_nowait()
        assert event.type == "post.created" and event.data["id"] == created["post"]["id"]


async def test_deleting_a_pending_post_moves_no_counter(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        before = await counts(client, author)
        created = await new_post(client, author)
        assert (await client.delete(f"{API}/posts/{created['post']['id']}", headers=author.headers)).status_code == 200
        assert await counts(client, author) == before
        resp = await solve_it(client, author, created, "post")  # solved after all: still deleted, not counted
        assert resp.status_code == 200
        assert await counts(client, author) == before
        assert created["post"]["id"] not in await post_ids(client, "/posts?sort=new")


# --- answering ------------------------------------------------------------------------------------


async def agent_row(client: httpx.AsyncClient, who: TestAgent) -> Agent:
    agent = await row(client, Agent, who.agent.id)
    assert agent is not None
    return agent  # type: ignore[no-any-return]


def wrong(answer: str) -> str:
    return f"{float(answer) + 1:.2f}"


async def test_a_reader_solves_the_challenge_from_its_text(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        challenge = created["post"]["verification"]
        resp = await verify(client, author, challenge["verification_code"], solve(challenge["challenge_text"]))
        assert resp.status_code == 200, resp.text


async def test_wrong_answer_says_how_many_tries_are_left_and_may_be_retried(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        resp = await verify(client, author, code, wrong(right))
        assert resp.status_code == 400
        body = resp.json()
        assert body["success"] is False and body["error"] == "Incorrect answer" and body["code"] == "INCORRECT_ANSWER"
        assert body["content_type"] == "post" and body["content_id"] == created["post"]["id"]
        assert body["attempts_left"] == 9
        assert "2 decimal places" in body["hint"] and "9 more failed tries" in body["hint"]
        assert (await agent_row(client, author)).verification_failures == 1
        assert created["post"]["id"] not in await post_ids(client, "/posts?sort=new")
        assert (await verify(client, author, code, wrong(right))).json()["attempts_left"] == 8
        assert (await verify(client, author, code, right)).status_code == 200
        agent = await agent_row(client, author)
        assert (agent.verification_failures, agent.verified_count) == (0, 1)


async def test_answers_are_read_to_two_decimal_places(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        forms: list[Callable[[str], Any]] = [
            lambda a: a.removesuffix(".00") if a.endswith(".00") else a,  # "15"
            lambda a: a[:-1] if a.endswith("0") else a,  # "15.0"
            lambda a: a,  # "15.00"
            lambda a: f" {a}000 ",
            lambda a: float(a),  # a JSON number
        ]
        for form in forms:
            created = await new_post(client, author)
            code = created["post"]["verification"]["verification_code"]
            async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
                await session.execute(
                    update(VerificationChallenge).where(VerificationChallenge.code == code).values(answer="15.00")
                )
            resp = await verify(client, author, code, form("15.00"))
            assert resp.status_code == 200, (form("15.00"), resp.text)


async def test_an_answer_that_is_not_a_number_is_bad_input_and_counts_nothing(
    app_factory: Callable[..., Any],
) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        for bad in ["fifteen", "", "1,5", True, None, [], "9" * 100]:
            resp = await verify(client, author, code, bad)
            assert resp.status_code == 400, (bad, resp.text)
            assert resp.json()["field"] == "answer"
        assert (await client.post(f"{API}/verify", json={"answer": "1"}, headers=author.headers)).json()["field"] == (
            "verification_code"
        )
        assert (await agent_row(client, author)).verification_failures == 0
        assert (await verify(client, author, code, await answer_of(client, code))).status_code == 200


async def test_an_expired_challenge_is_410_and_counts_once(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            await session.execute(
                update(VerificationChallenge)
                .where(VerificationChallenge.code == code)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        right = await answer_of(client, code)
        resp = await verify(client, author, code, right)
        assert resp.status_code == 410
        body = resp.json()
        assert body["code"] == "CHALLENGE_EXPIRED" and body["content_id"] == created["post"]["id"]
        assert body["attempts_left"] == 9 and body["hint"]
        again = await verify(client, author, code, right)
        assert again.status_code == 410 and "attempts_left" not in again.json()
        assert (await agent_row(client, author)).verification_failures == 1
        post = await row(client, Post, created["post"]["id"])
        assert post.verification_status == "expired"
        assert (await client.get(f"{API}/posts/{post.id}", headers=author.headers)).json()["post"][
            "verification_status"
        ] == "expired"
        assert created["post"]["id"] not in await post_ids(client, "/posts?sort=new")
        assert (await counts(client, author))[1] == 0


async def test_expired_challenges_are_counted_when_the_agent_next_creates(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        other = await factories.agent(client)
        await new_post(client, author, title="one")
        await new_post(client, author, title="two")
        assert (await new_submolt(client, author, "abandoned")).status_code == 201
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            await session.execute(update(VerificationChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
        # Another agent may take the name of a submolt whose challenge expired; its creator pays.
        resp = await new_submolt(client, other, "abandoned")
        assert resp.status_code == 201, resp.text
        assert (await agent_row(client, author)).verification_failures == 1
        await new_post(client, author, title="three")  # the sweep finds the two expired posts
        assert (await agent_row(client, author)).verification_failures == 3
        await new_post(client, author, title="four")  # nothing new to count
        assert (await agent_row(client, author)).verification_failures == 3
        async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
            statuses = (await session.execute(select(VerificationChallenge.status))).scalars().all()
        assert sorted(statuses).count("expired") == 3


async def test_already_answered_is_409(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        assert (await verify(client, author, code, right)).status_code == 200
        for answer in (right, wrong(right)):
            resp = await verify(client, author, code, answer)
            assert resp.status_code == 409
            assert resp.json()["error"] == "Already answered" and resp.json()["content_type"] == "post"
        agent = await agent_row(client, author)
        assert (agent.verification_failures, agent.verified_count) == (0, 1)


async def test_unknown_codes_and_other_agents_codes_are_404(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author, thief = await factories.agents(client, 2)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        for who, attempt in ((thief, code), (author, "moltbook_verify_" + "0" * 32), (author, "nonsense")):
            resp = await verify(client, who, attempt, right)
            assert resp.status_code == 404, resp.text
            assert resp.json()["error"] == "Verification code not found" and resp.json()["hint"]
        assert (await agent_row(client, thief)).verification_failures == 0
        assert created["post"]["id"] not in await post_ids(client, "/posts?sort=new")
        assert (await verify(client, author, code, right)).status_code == 200


async def test_ten_failures_in_a_row_suspend_and_a_success_resets_the_run(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        for left in range(9, 0, -1):
            assert (await verify(client, author, code, wrong(right))).json()["attempts_left"] == left
        assert (await verify(client, author, code, right)).status_code == 200  # the run resets

        created = await new_post(client, author, title="again")
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        for left in range(9, 0, -1):
            assert (await verify(client, author, code, wrong(right))).json()["attempts_left"] == left
        resp = await verify(client, author, code, wrong(right))
        assert resp.status_code == 400
        body = resp.json()
        assert body["attempts_left"] == 0 and body["suspended_until"]
        assert "suspended for 24 hours" in body["hint"]
        agent = await agent_row(client, author)
        assert agent.suspended_until is not None and agent.suspended_until > utcnow() + timedelta(hours=23)
        assert "verification challenges failed in a row" in (agent.suspension_reason or "")
        assert agent.verification_failures == 0  # a new run starts after the suspension
        async with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
            alerts = (await session.execute(select(OwnerAlert).where(OwnerAlert.agent_id == agent.id))).scalars().all()
        assert [(a.kind, a.owner_id) for a in alerts] == [("suspended", agent.owner_id)]
        assert "verification system" in alerts[0].message
        refused = await verify(client, author, code, right)
        assert refused.status_code == 403 and refused.json()["code"] == "AGENT_SUSPENDED"
        resp = await client.post(f"{API}/posts", json={"submolt": "general", "title": "x"}, headers=author.headers)
        assert resp.status_code == 403


async def test_failure_limit_and_suspension_length_are_settings(app_factory: Callable[..., Any]) -> None:
    async with app_factory(
        verification_mode="all", verification_failure_limit=2, verification_suspension_hours=3
    ) as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        assert (await verify(client, author, code, wrong(right))).json()["attempts_left"] == 1
        body = (await verify(client, author, code, wrong(right))).json()
        assert body["attempts_left"] == 0 and "suspended for 3 hours" in body["hint"]


async def test_verification_answers_are_rate_limited(app_factory: Callable[..., Any]) -> None:
    async with app_factory(
        verification_mode="all", rate_limits_enabled=True, rate_limit_verifications="2/minute"
    ) as client:
        author = await factories.agent(client)
        created = await new_post(client, author)
        code = created["post"]["verification"]["verification_code"]
        right = await answer_of(client, code)
        assert (await verify(client, author, code, wrong(right))).status_code == 400
        assert (await verify(client, author, code, wrong(right))).status_code == 400
        resp = await verify(client, author, code, right)
        assert resp.status_code == 429
        assert resp.json()["error"] == "Too many verification attempts" and resp.headers["Retry-After"]
        assert (await agent_row(client, author)).verification_failures == 2
