"""Per-request timings and phase from httpcore's ``trace`` extension.

httpcore calls the trace callback with event names such as
``connection.connect_tcp.started`` / ``.complete`` / ``.failed``,
``connection.start_tls.*``, ``http11.send_request_headers.*`` (or ``http2.*``),
``*.receive_response_headers.*`` and ``*.receive_response_body.*``.  No
``connect_tcp`` event means the request went out on a pooled connection.  The
step that started but did not complete is where a failure happened: that is
the error's phase, and whether the request can have reached the server.

The host name lookup is part of httpcore's ``connect_tcp`` step (anyio resolves,
then connects, trying addresses in the Happy Eyeballs way).  To time it on its
own, ``install_dns_timing`` wraps anyio's ``getaddrinfo`` as its ``connect_tcp``
calls it: while a request runs with its recorder in ``RECORDING`` (the engine
sets it around the send), the lookup made during ``connect_tcp`` is marked as
``dns``.  Connecting is unchanged (same addresses, same order, SNI and Host
from the URL).  An IP address is not looked up, and a reused connection makes
no lookup: ``dns_s`` is None then.  Without the wrapper (anyio changed), DNS
stays inside ``connect_s``, and ``Timings.connect_includes_dns`` says so.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Awaitable, Callable
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


#: lookups are timed (``install_dns_timing`` took): no ``dns`` mark means none was made
_dns_timed = False
#: the recorder of the request the current task is sending (None: none)
RECORDING: contextvars.ContextVar[TimingRecorder | None] = contextvars.ContextVar(
    "courier_timing_recorder", default=None
)


def install_dns_timing() -> bool:
    """Wrap anyio's ``getaddrinfo`` as ``connect_tcp`` sees it (once); False when
    this anyio does not look names up that way (DNS then stays in ``connect_s``)."""
    try:
        from anyio._core import _sockets
    except ImportError:  # pragma: no cover - anyio reorganized
        return False
    original = getattr(_sockets, "getaddrinfo", None)
    if original is None or not callable(original):  # pragma: no cover
        return False
    global _dns_timed
    if getattr(original, "_courier_dns_timing", False):
        _dns_timed = True
        return True
    lookup: Callable[..., Awaitable[Any]] = original

    @functools.wraps(lookup)
    async def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        recorder = RECORDING.get()
        if recorder is None or not recorder.looking_up():
            return await lookup(*args, **kwargs)
        await recorder.trace("dns.started", {})
        try:
            result = await lookup(*args, **kwargs)
        except BaseException:
            await recorder.trace("dns.failed", {})
            raise
        await recorder.trace("dns.complete", {})
        return result

    getaddrinfo._courier_dns_timing = True  # type: ignore[attr-defined]
    _sockets.getaddrinfo = getaddrinfo
    _dns_timed = True
    return True


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
        if event_name.startswith("dns."):  # inside connect_tcp: not a step of its own
            self._marks.setdefault(event_name, time.perf_counter())
            return
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

    def looking_up(self) -> bool:
        """Is a host name lookup now part of this request's connecting (the first one)?"""
        return self.current_step == "connect_tcp" and not self.started("dns")

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
        dns_applies: bool = True,
    ) -> Timings:
        """``dns_applies``: False through a proxy (the lookup was the proxy's, it stays
        in ``connect_s``)."""
        end = time.perf_counter() if end is None else end
        connect = self._span("connect_tcp")
        dns = self._span("dns")
        includes_dns = False
        if connect is None:
            dns = None
        elif dns is not None and dns_applies:
            connect = max(connect - dns, 0.0)
        else:
            # a proxy's lookup, or one made where it could not be timed
            includes_dns = dns is not None or not _dns_timed
            dns = None
        sent_at = self._marks.get("send_request_body.complete") or self._marks.get(
            "send_request_headers.complete"
        )
        send_started = self._marks.get("send_request_headers.started")
        head_at = self._marks.get("receive_response_headers.complete")
        return Timings(
            reused_connection=self.reused_connection,
            dns_s=dns,
            connect_s=connect,
            tls_s=self._span("start_tls"),
            send_s=sent_at - send_started if sent_at and send_started else None,
            wait_s=head_at - sent_at if head_at and sent_at else None,
            ttfb_s=head_at - exchange_start if head_at else None,
            download_s=end - head_at if head_at else None,
            total_s=end - exchange_start,
            redirects_s=max(self.start - exchange_start, 0.0),
            http_version=http_version,
            remote_address=remote_address,
            connect_includes_dns=includes_dns,
        )
