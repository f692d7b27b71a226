"""Streamed bodies that notice when the client has gone, and a count of those open.

Hypercorn accepts writes to a connection the client has closed without raising,
and without waiting: a loop that only yields body chunks never gives the event
loop a turn, so Starlette never hears ``http.disconnect`` and the server goes on
generating (a 1 GB body abandoned after a megabyte cost two seconds of CPU and a
log line per chunk).  :func:`streamed` yields to the loop after every chunk, which
lets Starlette cancel the response as soon as the client hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

#: bodies being sent now, by kind ("sse", "ndjson", "big", "bytes"): GET /streams/open
OPEN_STREAMS = {"sse": 0, "ndjson": 0, "big": 0, "bytes": 0}


async def streamed(kind: str, chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    OPEN_STREAMS[kind] += 1
    try:
        for chunk in chunks:
            yield chunk
            await asyncio.sleep(0)
    finally:
        OPEN_STREAMS[kind] -= 1
