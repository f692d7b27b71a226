"""Per-request timings from httpcore's ``trace`` extension.

httpcore calls the trace callback with event names such as
``connection.connect_tcp.started`` / ``.complete``,
``connection.start_tls.*``, ``http11.send_request_headers.started`` (or
``http2.*``) and ``*.receive_response_headers.complete``.  No ``connect_tcp``
event means the request went out on a pooled connection.
"""

from __future__ import annotations

import time
from typing import Any

from app.net.events import Timings


class TimingRecorder:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self._marks: dict[str, float] = {}

    async def trace(self, event_name: str, info: dict[str, Any]) -> None:
        # keep the first occurrence: redirects send more requests on the same recorder
        self._marks.setdefault(event_name.split(".", 1)[-1], time.perf_counter())

    def _span(self, name: str) -> float | None:
        started = self._marks.get(f"{name}.started")
        done = self._marks.get(f"{name}.complete")
        if started is None or done is None:
            return None
        return done - started

    @property
    def reused_connection(self) -> bool:
        return "connect_tcp.started" not in self._marks

    def head_received(self) -> float | None:
        done = self._marks.get("receive_response_headers.complete")
        return None if done is None else done - self.start

    def timings(self, end: float | None = None) -> Timings:
        end = time.perf_counter() if end is None else end
        return Timings(
            reused_connection=self.reused_connection,
            connect_s=self._span("connect_tcp"),
            tls_s=self._span("start_tls"),
            ttfb_s=self.head_received(),
            total_s=end - self.start,
        )
