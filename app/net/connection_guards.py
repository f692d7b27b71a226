"""Never reuse an HTTP/1.1 connection whose response left bytes behind.

A response that carries more bytes than its Content-Length leaves them in the
connection (in h11's buffer when they came with the body's last read).
httpcore would put the connection back in the pool, and those bytes would be
read as the *response to the next request* sent on it: a desync.  curl
discards them and closes the connection; so does Courier, by wrapping
httpcore's private ``AsyncHTTP11Connection._response_closed`` (httpcore is
pinned below 1.1 for this and for ``tuning``).  Bytes that arrive later, while
the connection is idle, already make httpcore drop it (``has_expired``
sees a readable socket).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import h11
import httpcore

_applied = False


def leftover_bytes(connection: Any) -> int:
    """Bytes h11 holds beyond the response just completed (0 when none or unknown)."""
    state = getattr(connection, "_h11_state", None)
    if state is None:
        return 0
    if state.our_state is not h11.DONE or state.their_state is not h11.DONE:
        return 0
    data, _closed = state.trailing_data
    return len(data)


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    cls: Any = getattr(httpcore, "AsyncHTTP11Connection", None)
    original = getattr(cls, "_response_closed", None)
    if original is None or not inspect.iscoroutinefunction(original):
        return
    wrapped: Callable[[Any], Awaitable[None]] = original

    @functools.wraps(wrapped)
    async def response_closed(self: Any) -> None:
        if leftover_bytes(self):
            await self.aclose()  # never reuse: the extra bytes would answer the next request
            return
        await wrapped(self)

    cls._response_closed = response_closed
