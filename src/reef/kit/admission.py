"""A cap on how many requests one server process works on at once; the others wait their turn,
first come first served.

Why: a server process runs one event loop, and every database round trip of a request puts it
back at the end of the loop's queue. With every request admitted at once, a request waited behind
all the others at each of its round trips, so writes (8-11 round trips) took several times as
long as reads (1-3), and the slowest percent of requests took 5-20 times the median. Admitted a
few at a time, each request runs nearly alone and the waiting, which the number of clients fixes
anyway, is spent at the door, the same for all: the slowest percent went under 100 ms and
throughput rose. See docs/performance.md, round 5.

A request enters once its body has arrived (a slow upload holds no place) and leaves when its
response starts, so a stream of live events takes a place only while it is being set up.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reef.kit.body_limit import buffer_body
from reef.kit.loop_local import LoopLocal


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        """``limit`` requests at once; 0 admits every request at once."""
        self.app = app
        self.limit = limit
        self._places = LoopLocal(lambda: asyncio.Semaphore(limit))  # FIFO: waiters enter in arrival order

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        receive = await buffer_body(receive)  # the body limit, outside, bounds it
        places = self._places.get()
        await places.acquire()
        holding = True

        def leave() -> None:
            nonlocal holding
            if holding:
                holding = False
                places.release()

        async def send_and_leave(message: Message) -> None:
            if message["type"] == "http.response.start":
                leave()
            await send(message)

        try:
            await self.app(scope, receive, send_and_leave)
        finally:
            leave()
