"""The per-process admission limit (``kit.admission``): at most N requests inside at once, the
rest let in by order of arrival; a slow body or an open stream holds no place."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from starlette.types import Message, Receive, Scope, Send

from reef.app import create_app
from reef.config import Settings
from reef.kit.admission import AdmissionMiddleware


class Probe:
    """An ASGI app that counts who is inside; each path stays until its gate opens. Paths
    starting with /stream answer at once and then stay; /boom fails."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.entered: list[str] = []
        self.bodies: dict[str, bytes] = {}
        self.gates: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies[path] = body
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        self.entered.append(path)
        try:
            if path == "/boom":
                raise RuntimeError("the handler failed")
            if path.startswith("/stream"):
                await send({"type": "http.response.start", "status": 200, "headers": []})
            await self.gates[path].wait()
        finally:
            self.inside -= 1
        if not path.startswith("/stream"):
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})


def _scope(path: str) -> Scope:
    return {"type": "http", "method": "POST", "path": path, "headers": []}


def _body(*chunks: bytes, first: asyncio.Event | None = None) -> Receive:
    """A request body arriving in ``chunks``; with ``first``, nothing arrives until it is set."""
    pending = list(chunks) or [b""]

    async def receive() -> Message:
        if first is not None:
            await first.wait()
        if not pending:
            await asyncio.Event().wait()  # no disconnect in these tests
        chunk = pending.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    return receive


async def _noop_send(message: Message) -> None:
    return None


def _start(app: AdmissionMiddleware, path: str, receive: Receive | None = None) -> asyncio.Task[None]:
    return asyncio.create_task(app(_scope(path), receive or _body(), _noop_send))


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_at_most_limit_requests_are_inside_and_the_rest_enter_in_arrival_order() -> None:
    probe = Probe()
    app = AdmissionMiddleware(probe, limit=2)
    tasks = []
    for i in range(5):
        tasks.append(_start(app, f"/r{i}"))
        await _settle()
    assert probe.entered == ["/r0", "/r1"] and probe.inside == 2

    probe.gates["/r1"].set()
    await _settle()
    assert probe.entered == ["/r0", "/r1", "/r2"]
    probe.gates["/r0"].set()
    await _settle()
    assert probe.entered == ["/r0", "/r1", "/r2", "/r3"]

    for i in range(5):
        probe.gates[f"/r{i}"].set()
    await asyncio.gather(*tasks)
    assert probe.entered == [f"/r{i}" for i in range(5)]
    assert probe.most_inside == 2 and probe.inside == 0


async def test_a_place_is_freed_when_the_response_starts_so_open_streams_do_not_hold_it() -> None:
    probe = Probe()
    app = AdmissionMiddleware(probe, limit=1)
    streams = [_start(app, f"/stream{i}") for i in range(3)]
    await _settle()
    assert probe.inside == 3  # each stream answered, then left its place to the next

    plain = _start(app, "/plain")
    await _settle()
    probe.gates["/plain"].set()
    await asyncio.wait_for(plain, 5)
    for i in range(3):
        probe.gates[f"/stream{i}"].set()
    await asyncio.gather(*streams)


async def test_a_request_whose_body_is_still_arriving_waits_outside_and_gets_it_whole() -> None:
    probe = Probe()
    app = AdmissionMiddleware(probe, limit=1)
    upload_arrives = asyncio.Event()
    upload = _start(app, "/upload", _body(b"first ", b"second ", b"third", first=upload_arrives))
    await _settle()
    assert probe.entered == []

    quick = _start(app, "/quick", _body(b"{}"))
    await _settle()
    assert probe.entered == ["/quick"]  # the slow upload held no place
    probe.gates["/quick"].set()
    await quick

    upload_arrives.set()
    await _settle()
    probe.gates["/upload"].set()
    await upload
    assert probe.bodies == {"/quick": b"{}", "/upload": b"first second third"}


async def test_a_failing_request_frees_its_place() -> None:
    probe = Probe()
    app = AdmissionMiddleware(probe, limit=1)
    with pytest.raises(RuntimeError):
        await _start(app, "/boom")
    after = _start(app, "/after")
    await _settle()
    assert probe.entered == ["/boom", "/after"]
    probe.gates["/after"].set()
    await after


async def test_a_cancelled_waiter_does_not_take_a_place() -> None:
    probe = Probe()
    app = AdmissionMiddleware(probe, limit=1)
    first = _start(app, "/first")
    await _settle()
    gone = _start(app, "/gone")  # e.g. its client went away while it queued
    await _settle()
    gone.cancel()
    last = _start(app, "/last")
    await _settle()
    probe.gates["/first"].set()
    await first
    await _settle()
    assert probe.entered == ["/first", "/last"]
    probe.gates["/last"].set()
    await last


async def test_a_limit_of_zero_admits_every_request_at_once() -> None:
    probe = Probe()
    app = AdmissionMiddleware(probe, limit=0)
    tasks = [_start(app, f"/r{i}") for i in range(6)]
    await _settle()
    assert probe.inside == 6
    for i in range(6):
        probe.gates[f"/r{i}"].set()
    await asyncio.gather(*tasks)


def test_the_app_admits_as_many_requests_as_its_setting_says() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", max_concurrent_requests=3))
    (admission,) = [m for m in app.user_middleware if m.cls is AdmissionMiddleware]
    assert admission.kwargs == {"limit": 3}
