"""A request to the agent API, described once: what to send and how to read the answer.

The builders in ``reef.agents.sdk.endpoints`` (one function per endpoint) return a ``Call``:
method, path (under ``/api/v1``), query, body, how to parse the response, and whether repeating the
request is harmless (see ``transport``). ``ReefClient`` and ``AsyncReefClient`` bind those builders
as methods, so the two clients cannot drift apart. ``OPERATIONS`` maps each server operation
``(METHOD, path template)`` to its builder's name; a test checks it against the server's OpenAPI
schema, so a new route without an SDK method fails CI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from reef.agents.sdk import models as m

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

OPERATIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[dict[str, Any]], T]
    params: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    # Repeating it changes nothing more (reads, follows, deletes, mark-read...): retried even after a
    # network error that may have struck once the server had it. Votes toggle and creations would
    # duplicate: those say False and are retried only when the request surely never arrived.
    idempotent: bool = True
    creates: str | None = None  # "post", "comment" or "submolt": may come back with a challenge
    authenticated: bool = True  # False: never send the agent's key (registration)
    at_root: bool = False  # a file at the instance's root (``/rules.md``), not under ``/api/v1``

    def __post_init__(self) -> None:
        if self.params:  # drop unset parameters: the server applies its defaults
            object.__setattr__(self, "params", {k: v for k, v in self.params.items() if v is not None})


def operation(method: str, template: str) -> Callable[[F], F]:
    def register(builder: F) -> F:
        OPERATIONS[(method, "/api/v1" + template)] = builder.__name__
        return builder

    return register


def path_part(value: object) -> str:
    """A path segment from a caller's value, escaped so it cannot change the path."""
    return quote(str(value), safe="")


def whole(model: type[M]) -> Callable[[dict[str, Any]], M]:
    return model.model_validate


def under(key: str, model: type[M]) -> Callable[[dict[str, Any]], M]:
    return lambda body: model.model_validate(body[key])


def page(key: str, model: type[M], items: Callable[[Any], Any] = lambda v: v) -> Callable[[dict[str, Any]], m.Page[M]]:
    def parse(body: dict[str, Any]) -> m.Page[M]:
        rest = {k: v for k, v in body.items() if k not in (key, "success")}
        return m.Page[model].model_validate({**rest, "items": items(body[key])})  # type: ignore[valid-type]

    return parse


def listing(limit: int | None, cursor: str | None, **extra: Any) -> dict[str, Any]:
    return {"limit": limit, "cursor": cursor, **extra}
