"""Per-request timings and phase from httpcore's ``trace`` extension.

httpcore calls the trace callback with event names such as
``connection.connect_tcp.started`` / ``.complete`` / ``.failed``,
``connection.start_tls.*``, ``http11.send_request_headers.*`` (or ``http2.*``),
``*.receive_response_headers.*`` and ``*.receive_response_body.*``.  No
``connect_tcp`` event means the request went out on a pooled connection.  The
step that started but did not complete is where a failure happened: that is
the error's phase, and whether the request can have reached the server.
"""

from __future__ import annotations

import time
from typing import Any

from app.core.errors import Phase
from app.net.exchange import Timings

#: httpcore step -> the phase a failure during it belongs to
_STEP_PHASES: tuple[tuple[str, Phase], ...] = (
    ("receive_response_body", Phase.RECEIVE),
    ("receive_response_headers", Phase.WAIT),
    ("send_request_body", Phase.SEND),
    ("send_request_headers", Phase.SEND),
    ("send_connection_init", Phase.SEND),
    ("start_tls", Phase.TLS),
    ("connect_tcp", Phase.CONNECT),
)


class TimingRecorder:
    """Marks of one request (one hop, one attempt)."""

    def __init__(self, start: float | None = None) -> None:
        self.start = time.perf_counter() if start is None else start
        self._marks: dict[str, float] = {}
        #: the HTTP/2 stream the request was given (None: HTTP/1.1 or not yet)
        self.stream_id: int | None = None
        #: the httpcore step running now, and the last one that failed
        self.current_step: str | None = None
        self.failed_step: str | None = None

    async def trace(self, event_name: str, info: dict[str, Any]) -> None:
        step = event_name.split(".", 1)[-1]
        name, _, outcome = step.rpartition(".")
        if outcome == "started":
            self.current_step = name
        elif outcome == "failed":
            self.failed_step = name
            self.current_step = None
        elif outcome == "complete" and self.current_step == name:
            self.current_step = None
        self._marks.setdefault(step, time.perf_counter())
        if self.stream_id is None and event_name.startswith("http2.send_request_headers"):
            stream_id = info.get("stream_id")
            if isinstance(stream_id, int):
                self.stream_id = stream_id

    def started(self, step: str) -> bool:
        return f"{step}.started" in self._marks

    def completed(self, step: str) -> bool:
        return f"{step}.complete" in self._marks

    def unfinished(self, step: str) -> bool:
        return self.started(step) and not self.completed(step)

    def phase(self) -> Phase:
        """Where the request is (or was when it failed)."""
        phases = dict(_STEP_PHASES)
        for step in (self.failed_step, self.current_step):
            if step in phases:
                return phases[step]
        for step, phase in _STEP_PHASES:
            if self.started(step):
                return phase
        return Phase.CONNECT

    def request_written(self) -> bool:
        """Did the request headers leave (as far as httpcore knows)?"""
        return self.completed("send_request_headers")

    def head_received(self) -> bool:
        return self.completed("receive_response_headers")

    @property
    def reused_connection(self) -> bool:
        return not self.started("connect_tcp")

    def _span(self, name: str) -> float | None:
        started = self._marks.get(f"{name}.started")
        done = self._marks.get(f"{name}.complete")
        if started is None or done is None:
            return None
        return done - started

    def timings(
        self,
        exchange_start: float,
        end: float | None = None,
        *,
        http_version: str = "",
        remote_address: str = "",
    ) -> Timings:
        end = time.perf_counter() if end is None else end
        sent_at = self._marks.get("send_request_body.complete") or self._marks.get(
            "send_request_headers.complete"
        )
        send_started = self._marks.get("send_request_headers.started")
        head_at = self._marks.get("receive_response_headers.complete")
        return Timings(
            reused_connection=self.reused_connection,
            connect_s=self._span("connect_tcp"),
            tls_s=self._span("start_tls"),
            send_s=sent_at - send_started if sent_at and send_started else None,
            wait_s=head_at - sent_at if head_at and sent_at else None,
            ttfb_s=head_at - exchange_start if head_at else None,
            download_s=end - head_at if head_at else None,
            total_s=end - exchange_start,
            redirects_s=max(self.start - exchange_start, 0.0),
            http_version=http_version,
            remote_address=remote_address,
        )
