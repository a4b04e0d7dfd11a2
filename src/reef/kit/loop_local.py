"""One value per running event loop, made on first use in each.

asyncio locks and semaphores belong to the loop they first wait in, while an app (or a database
engine) may be driven by several loops in turn, as tests do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoopLocal(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._loop: asyncio.AbstractEventLoop | None = None
        self._value: T | None = None

    def get(self) -> T:
        """The running loop's value (a new one when the loop changed since the last call)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._value is None:
            self._loop, self._value = loop, self._make()
        return self._value
