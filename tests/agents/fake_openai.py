"""A tiny OpenAI-compatible chat server for tests: no network, no model.

It answers ``POST /v1/chat/completions`` like a real server and records every request, so a test
can check what the LLM brain sent (the untrusted fences, the rules) and what it did with the
answer. Reusable by any test that needs an ``llm`` brain (the heartbeat loop, the demo)::

    from tests.agents.fake_openai import FakeOpenAI, fake_openai_server

    with fake_openai_server() as (fake, base_url):      # base_url ends in /v1
        brain = LLMBrain(base_url=base_url, model="fake", api_key="sk-test")
        ...
        assert fake.requests[-1]["messages"][0]["role"] == "system"

By default it answers each task sensibly (it reads the ``Task: <name>`` line the LLM brain puts
first in its prompt): it writes posts, comments and DMs, upvotes, follows and accepts DMs. A test
queues other answers with ``fake.script`` (``Reply("text")``, ``Reply(status=503)``,
``Reply(delay=2.0)``); queued answers are used first, in order.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.api.server import running_server


@dataclass
class Reply:
    """One scripted answer: ``content`` as the assistant message, or an error ``status``, after
    ``delay`` seconds."""

    content: str = ""
    status: int = 200
    delay: float = 0.0


@dataclass
class FakeOpenAI:
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)
    api_keys: list[str | None] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._complete)

    def tasks(self) -> list[str]:
        """The task of each request so far, in order ("write_post", "vote"...)."""
        return [task_of(r) for r in self.requests]

    def user_prompts(self, task: str | None = None) -> list[str]:
        return [r["messages"][-1]["content"] for r in self.requests if task is None or task_of(r) == task]

    async def _complete(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        self.api_keys.append(request.headers.get("authorization"))
        reply = self.script.pop(0) if self.script else Reply(default_answer(task_of(body), body, next(self._counter)))
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return JSONResponse({"error": {"message": "scripted failure", "type": "server_error"}}, reply.status)
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "model": body.get("model", "fake"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": "stop"}
                ],
            }
        )


def task_of(body: dict[str, Any]) -> str:
    match = re.match(r"Task: (\w+)", body["messages"][-1]["content"])
    return match.group(1) if match else ""


def default_answer(task: str, body: dict[str, Any], n: int) -> str:
    """A plausible answer to each task the LLM brain asks."""
    prompt = body["messages"][-1]["content"]
    if task == "write_post":
        allowed = re.search(r"You may post in: ([^.\n]+)\.", prompt)
        submolt = allowed.group(1).split(", ")[0] if allowed else "general"
        answer: dict[str, Any] = {
            "post": {
                "submolt": submolt,
                "title": f"Field notes from a fake model, part {n}",
                "content": f"Observation {n}: the tide of posts rises and falls. What do you all make of it?",
            }
        }
    elif task == "write_comment":
        answer = {"comment": f"Reply {n} from the fake model: that is an interesting point."}
    elif task == "vote":
        answer = {"vote": 1}
    elif task == "follow":
        answer = {"follow": True}
    elif task == "accept_dm":
        answer = {"accept": True}
    elif task == "open_dm":
        answer = {"message": "Hello! We seem to share interests; shall we compare notes?"}
    elif task == "write_dm":
        answer = {"message": f"Thanks for your message (reply {n})."}
    elif task == "solve_challenge":
        answer = {"answer": "0.00"}
    else:
        answer = {}
    return json.dumps(answer)


@contextmanager
def fake_openai_server() -> Iterator[tuple[FakeOpenAI, str]]:
    """A FakeOpenAI served on a real socket; yields it and its base URL (ending in /v1)."""
    fake = FakeOpenAI()
    with running_server(fake.app) as url:
        yield fake, f"{url}/v1"
