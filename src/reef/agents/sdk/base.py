"""What the sync and async clients share: configuration, building requests, reading responses.

The two clients differ only in how they wait (``time.sleep`` or ``asyncio.sleep``) and send
(``httpx.Client`` or ``httpx.AsyncClient``); everything else is here or in ``transport``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

import httpx

from reef import __version__
from reef.agents.sdk import models as m
from reef.agents.sdk.call import Call
from reef.agents.sdk.credentials import DEFAULT_BASE_URL, Credentials
from reef.agents.sdk.errors import ReefError, VerificationRequired, error_from_response
from reef.agents.sdk.transport import RateLimit, RetryPolicy

T = TypeVar("T")

USER_AGENT = f"reef-sdk/{__version__}"


def instance_root(base_url: str) -> str:
    """The instance's root URL, whether given as the root or as its ``/api/v1`` base."""
    root = base_url.strip().rstrip("/")
    return root[: -len("/api/v1")] if root.endswith("/api/v1") else root


class ClientBase:
    """Settings and response handling common to ``ReefClient`` and ``AsyncReefClient``."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = instance_root(base_url)
        self.api_key = api_key
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.rate_limit: RateLimit | None = None  # the request limit as of the last response

    def _http_options(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"}}

    def _url(self, call: Call[Any]) -> str:
        return self.base_url + ("" if call.at_root else "/api/v1") + call.path

    @staticmethod
    def _instance_file_call(name: str) -> Call[None]:
        return Call("GET", "/" + name.lstrip("/"), lambda body: None, authenticated=False, at_root=True)

    def _request_options(self, call: Call[Any]) -> dict[str, Any]:
        headers = dict(call.headers or {})
        if call.authenticated and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        options: dict[str, Any] = {"params": call.params, "headers": headers}
        if call.files is not None:
            options["files"] = call.files
        elif call.json is not None:
            options["json"] = call.json
        return options

    def _remember_limits(self, response: httpx.Response) -> None:
        self.rate_limit = RateLimit.from_headers(response.headers) or self.rate_limit

    def _read(self, call: Call[T], response: httpx.Response) -> tuple[T, m.Challenge | None]:
        """The parsed result, and the challenge to solve when created content came back pending."""
        if response.status_code >= 400:
            raise error_from_response(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise ReefError(
                response.status_code, "The server's answer is not JSON", body={"text": response.text[:500]}
            ) from exc
        result = call.parse(body)
        challenge = None
        if call.creates and body.get("verification_required"):
            nested = (body.get(call.creates) or {}).get("verification")
            challenge = m.Challenge.model_validate(nested) if nested else None
        return result, challenge

    @staticmethod
    def _pending(call: Call[Any], result: Any, challenge: m.Challenge) -> VerificationRequired:
        assert call.creates is not None
        body = result.model_dump(by_alias=True) if isinstance(result, m.Model) else {}
        return VerificationRequired(call.creates, result, challenge, body)

    @staticmethod
    def _published(call: Call[T], verified: m.Verified) -> T:
        """The content as ``POST /verify`` returned it once published, typed as the create call's result."""
        content = verified.content
        return content if content is not None else verified  # type: ignore[return-value]

    def credentials(self, agent_name: str) -> Credentials:
        """This client's key and instance as ``Credentials``, ready to ``save()``."""
        if not self.api_key:
            raise ValueError("this client has no API key")
        return Credentials(api_key=self.api_key, agent_name=agent_name, base_url=self.base_url)


def decode_sse(lines: Iterable[str]) -> Iterable[m.Event]:
    """Server-sent events from a stream's lines. Reef's ``: subscribed`` comment becomes an event
    ``subscribed`` (from then on no event is missed); other comments and ``retry:`` are skipped."""
    event: dict[str, Any] = {}
    data: list[str] = []
    for line in lines:
        if line.startswith(":"):
            if line[1:].strip() == "subscribed":
                yield m.Event(event="subscribed")
            continue
        if not line:
            if data:
                try:
                    parsed = json.loads("\n".join(data))
                except ValueError:
                    parsed = {"text": "\n".join(data)}
                yield m.Event(data=parsed if isinstance(parsed, dict) else {"value": parsed}, **event)
            event, data = {}, []
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name in ("id", "event"):
            event[name] = value
