"""Throughput levers for httpx on a qasync loop (see PERFORMANCE-NOTES.md).

* httpcore reads the socket 64 KiB at a time and per-read overhead dominates on
  asyncio; 1 MiB reads are the biggest single lever.  It is a class attribute
  of httpcore's HTTP/1.1 connection (httpcore is pinned <1.1 for this).
* Over HTTP/2 the cost is per frame (h2 events, a lock, a WINDOW_UPDATE each),
  and servers send 16 KiB DATA frames unless the client advertises a larger
  SETTINGS_MAX_FRAME_SIZE; httpcore never does, so after its connection
  preamble we send one more SETTINGS frame asking for 1 MiB frames (about twice
  the download speed against hypercorn).
* ``SO_RCVBUF`` 4 MiB steadies loopback TCP autotuning.
* HTTP/2 over TLS is bound by per-read and per-frame Python work on the loop
  thread: fast-acquire locks, several TLS records per read (1 MiB socket reads),
  no empty writes per frame, a cheap DATA frame repr.  nginx, 256 MiB-1 GiB: 16-19 ->
  102-157 MB/s (curl ~500), worst 10 ms GUI-timer gap 19-24 ms.
* h11 copies every body byte three times on the loop thread (bytearray in,
  slice out, httpcore's ``bytes``): ``h11_buffer`` hands large reads through
  without a copy.
* glibc serves reads over 128 KiB with mmap/munmap each time; raising the mmap
  threshold removes that cost (Linux/glibc only, best effort).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import inspect
import socket
import ssl
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpcore

from app.net import h11_buffer

READ_SIZE = 1024 * 1024
#: what we ask HTTP/2 servers for (RFC 9113 allows 16 KiB .. 16 MiB - 1)
H2_FRAME_SIZE = 1024 * 1024
#: HTTP/2 flow-control window per stream (and added to the connection's): h2 and
#: httpcore keep the protocol's 64 KiB per stream, so a download stalls for a
#: WINDOW_UPDATE round trip through the event loop every 32 KiB (nginx over TLS,
#: 1 GiB: 16 MB/s against curl's 330).  16 MiB lets the server stream on.
H2_WINDOW = 16 * 1024 * 1024
RECEIVE_BUFFER = 4 * 1024 * 1024
SOCKET_OPTIONS: list[tuple[int, int, int]] = [(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_applied = False


def apply() -> None:
    """Apply the process-wide levers once."""
    global _applied
    if _applied:
        return
    _applied = True
    for name in ("AsyncHTTP11Connection", "AsyncHTTP2Connection"):
        connection_class = getattr(httpcore, name, None)
        if connection_class is not None and hasattr(connection_class, "READ_NUM_BYTES"):
            connection_class.READ_NUM_BYTES = READ_SIZE
    _ask_for_large_h2_frames()
    _read_more_per_wakeup()
    _fast_acquire_locks()
    if _keep_events_before_h2_errors():
        _drain_tls_records()
    _cheap_data_frame_repr()
    _skip_empty_h2_writes()
    h11_buffer.install()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(_M_MMAP_THRESHOLD, 4 * READ_SIZE)
            libc.mallopt(_M_TRIM_THRESHOLD, 16 * READ_SIZE)
            global _malloc_trim
            _malloc_trim = libc.malloc_trim


_malloc_trim: Any = None


def release_free_memory() -> None:
    """Give the heap's free pages back to the system after a bulk transfer (glibc).

    The raised thresholds above keep multi-MiB buffers in the heap while a
    download runs; afterwards those pages stay with the process, and a later
    HTTP/2 download (other buffer sizes) adds its own: on the benchmark, five
    HTTP/1.1 runs then one HTTP/2 run left the worker 67 MB above its start.
    A worker thread's call (it takes the heap's locks for a few milliseconds).
    """
    if _malloc_trim is not None:
        with contextlib.suppress(OSError, TypeError):
            _malloc_trim(0)


#: what asyncio's socket transport reads per readiness event (it reads 256 KiB)
TRANSPORT_READ_SIZE = 4 * 1024 * 1024


def _read_more_per_wakeup() -> None:
    """Let asyncio's socket transport read up to ``TRANSPORT_READ_SIZE`` per wake-up.

    On a qasync loop every wake-up is a Qt socket-notifier event plus a loop
    iteration (tens of microseconds); at 256 KiB a read, a 1 GiB download is
    thousands of them.  A class attribute of a private class: best effort.
    """
    with contextlib.suppress(ImportError, AttributeError):
        from asyncio import selector_events

        transport: Any = getattr(selector_events, "_SelectorSocketTransport")  # noqa: B009
        if getattr(transport, "max_size", 0) < TRANSPORT_READ_SIZE:
            transport.max_size = TRANSPORT_READ_SIZE


def _ask_for_large_h2_frames() -> None:
    """Wrap httpcore's HTTP/2 connection preamble to advertise ``H2_FRAME_SIZE``
    and ``H2_WINDOW``.

    Only when httpcore still has the private coroutine methods this relies on;
    otherwise HTTP/2 simply keeps 16 KiB frames.
    """
    h2_class: Any = getattr(httpcore, "AsyncHTTP2Connection", None)
    init = getattr(h2_class, "_send_connection_init", None)
    write = getattr(h2_class, "_write_outgoing_data", None)
    if not (inspect.iscoroutinefunction(init) and inspect.iscoroutinefunction(write)):
        return
    if getattr(init, "_courier_large_frames", False):
        return
    original: Callable[[Any, Any], Awaitable[None]] = init

    @functools.wraps(original)
    async def send_connection_init(self: Any, request: Any) -> None:
        from h2.settings import SettingCodes  # h2 is loaded once HTTP/2 is in use

        await original(self, request)
        state = self._h2_state
        state.update_settings(
            {
                SettingCodes.MAX_FRAME_SIZE: H2_FRAME_SIZE,
                SettingCodes.INITIAL_WINDOW_SIZE: H2_WINDOW,
            }
        )
        state.increment_flow_control_window(H2_WINDOW)
        # h2 raises its inbound limit only when the server acknowledges, and checks
        # the limit before handling the ACK in the same read: accept large frames now
        state.max_inbound_frame_size = H2_FRAME_SIZE
        await self._write_outgoing_data(request)

    send_connection_init._courier_large_frames = True  # type: ignore[attr-defined]
    h2_class._send_connection_init = send_connection_init


def _fast_acquire_locks() -> None:
    """Create httpcore's asyncio locks and semaphores with ``fast_acquire=True``.

    anyio's plain ``Lock``/``Semaphore`` yield to the event loop even when
    uncontended; on qasync a yield is a Qt timer, and httpcore takes its HTTP/2
    locks several times per frame (~25,000 yields for 64 MiB).  anyio >= 4.5
    skips the yield when the lock is free.  Measured (nginx, h2 over TLS):
    13.6 -> 18-22 MB/s on its own; with the other levers, 512 MiB, 36 -> 54 MB/s
    and worst GUI-timer gap 53 -> 19 ms.  Only when anyio accepts the argument.
    """
    import anyio

    try:
        anyio.Lock(fast_acquire=True)
        anyio.Semaphore(1, fast_acquire=True)
    except TypeError:
        return
    from httpcore import _synchronization as sync

    lock_class: Any = getattr(sync, "AsyncLock", None)
    semaphore_class: Any = getattr(sync, "AsyncSemaphore", None)
    for cls, attribute, make in (
        (lock_class, "_anyio_lock", lambda self: anyio.Lock(fast_acquire=True)),
        (
            semaphore_class,
            "_anyio_semaphore",
            lambda self: anyio.Semaphore(self._bound, max_value=self._bound, fast_acquire=True),
        ),
    ):
        setup = getattr(cls, "setup", None)
        if setup is None or getattr(setup, "_courier_fast_acquire", False):
            continue
        cls.setup = _fast_setup(setup, attribute, make)


def _fast_setup(
    original: Callable[[Any], None], attribute: str, make: Callable[[Any], Any]
) -> Callable[[Any], None]:
    @functools.wraps(original)
    def setup(self: Any) -> None:
        original(self)
        if getattr(self, "_backend", "") == "asyncio" and hasattr(self, attribute):
            setattr(self, attribute, make(self))

    setup._courier_fast_acquire = True  # type: ignore[attr-defined]
    return setup


def _drain_tls_records() -> None:
    """After each read from a TLS stream, decrypt what the TLS object already holds.

    anyio's ``TLSStream.receive`` returns one TLS record (nginx: ~10 KiB) per
    call although it pulled 64 KiB from the socket, so httpcore pays a read
    (timeout scope, exception mapping, h2 parse, event loop round trip) per
    record.  This decrypts the records already in the read BIO without awaiting,
    up to ``max_bytes``.  Errors are left for the next plain read to raise.
    Only for anyio's ``TLSStream`` with the private attributes this relies on.
    Measured (nginx, h2 over TLS, 512 MiB, other levers on): 39 -> 54 MB/s,
    worst GUI-timer gap 197 -> 19 ms; with ``TLS_SOCKET_READ`` 68 -> 130 MB/s.
    """
    try:
        from anyio.streams.tls import TLSStream
        from httpcore._backends.anyio import AnyIOStream
    except ImportError:
        return
    read = getattr(AnyIOStream, "read", None)
    if not inspect.iscoroutinefunction(read) or getattr(read, "_courier_drain", False):
        return
    original: Callable[..., Awaitable[bytes]] = read

    @functools.wraps(original)
    async def drain_read(  # httpcore's signature
        self: Any,
        max_bytes: int,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> bytes:
        stream = getattr(self, "_stream", None)
        if type(stream) is TLSStream and not getattr(stream, "_courier_big_reads", False):
            _read_socket_in_large_chunks(stream)
        data = await original(self, max_bytes, timeout)
        if not data or len(data) >= max_bytes or type(stream) is not TLSStream:
            return data
        read_bio = getattr(stream, "_read_bio", None)
        ssl_object = getattr(stream, "_ssl_object", None)
        if read_bio is None or ssl_object is None or not read_bio.pending:
            return data
        chunks = [data]
        size = len(data)
        while size < max_bytes and read_bio.pending:
            try:
                more = ssl_object.read(max_bytes - size)
            except ssl.SSLError:  # incomplete record, or an error the next read raises
                break
            if not more:  # close_notify: the next read reports the end
                break
            chunks.append(more)
            size += len(more)
        return b"".join(chunks) if len(chunks) > 1 else data

    drain_read._courier_drain = True  # type: ignore[attr-defined]
    AnyIOStream.read = drain_read  # type: ignore[method-assign]


#: what a TLS stream asks its socket stream for per receive (anyio asks 64 KiB, and
#: the socket stream copies the rest of a ``TRANSPORT_READ_SIZE`` chunk each time):
#: 68 -> 130 MB/s over h2 + TLS from nginx (512 MiB), worst gap 95 -> 26 ms
TLS_SOCKET_READ = READ_SIZE


def _read_socket_in_large_chunks(stream: Any) -> None:
    stream._courier_big_reads = True
    transport: Any = getattr(stream, "transport_stream", None)
    receive = getattr(transport, "receive", None)
    if receive is None or not inspect.iscoroutinefunction(receive):
        return
    with contextlib.suppress(AttributeError):
        transport.receive = functools.partial(receive, TLS_SOCKET_READ)


def _cheap_data_frame_repr() -> None:
    """Give hyperframe's ``DataFrame`` a repr that does not serialise the body.

    h2 logs ``repr(frame)`` for every received frame even with its logger off,
    and ``Frame.__repr__`` serialises (copies) the whole body to hexlify its
    first ten bytes: ~7% of an HTTP/2 download's profile (51 -> 54 MB/s, noisy).
    Same text, from the first bytes only.  Only when DataFrame has no ``_body_repr`` of its own.
    """
    try:
        from hyperframe import frame as frames
    except ImportError:
        return
    data_frame: Any = getattr(frames, "DataFrame", None)
    raw_repr = getattr(frames, "_raw_data_repr", None)
    if data_frame is None or raw_repr is None or "_body_repr" in vars(data_frame):
        return
    if not hasattr(data_frame, "serialize_padding_data"):
        return

    def body_repr(self: Any) -> str:
        # the first 11 body bytes decide the text: 10 are shown, an 11th adds "..."
        head = (
            self.serialize_padding_data() + bytes(self.data[:11]) + b"\0" * min(self.pad_length, 11)
        )
        return str(raw_repr(head[:11]))

    data_frame._body_repr = body_repr


def _skip_empty_h2_writes() -> None:
    """Return at once from httpcore's HTTP/2 ``_write_outgoing_data`` when h2 has
    nothing to send.

    httpcore calls it after every DATA frame (to send a WINDOW_UPDATE that h2
    usually has not produced), taking its write lock and a write timeout scope
    each time: ~8% of an HTTP/2 download.  A pending write error is still raised
    by the original.  Measured (512 MiB, other levers on): 92-96 -> 103-113 MB/s.
    """
    h2_class: Any = getattr(httpcore, "AsyncHTTP2Connection", None)
    write = getattr(h2_class, "_write_outgoing_data", None)
    if not inspect.iscoroutinefunction(write) or getattr(write, "_courier_skip_empty", False):
        return
    original: Callable[[Any, Any], Awaitable[None]] = write

    @functools.wraps(original)
    async def write_outgoing_data(self: Any, request: Any) -> None:
        state = getattr(self, "_h2_state", None)
        if (
            state is not None
            and not getattr(state, "_data_to_send", True)
            and getattr(self, "_write_exception", True) is None
        ):
            return
        await original(self, request)

    write_outgoing_data._courier_skip_empty = True  # type: ignore[attr-defined]
    h2_class._write_outgoing_data = write_outgoing_data


def _keep_events_before_h2_errors() -> bool:
    """Deliver the events of the frames before a protocol error, then the error.

    h2 handles every frame of one ``receive_data`` call and, when one breaks the
    protocol (say an END_STREAM short of Content-Length), raises and drops the
    events of the frames before it.  With one TLS record per read that lost a
    few KiB; with drained reads (``_drain_tls_records``) a small response's
    headers and whole body would vanish behind the error.  Here the frames'
    events are kept, returned, and the error is raised by httpcore's next
    ``_read_incoming_data`` before it reads again.  False (and no drained
    reads) when h2 or httpcore lack what this relies on.
    """
    try:
        from h2.connection import H2Connection
        from h2.exceptions import ProtocolError
    except ImportError:
        return False
    h2_class: Any = getattr(httpcore, "AsyncHTTP2Connection", None)
    read_incoming = getattr(h2_class, "_read_incoming_data", None)
    receive_data = getattr(H2Connection, "receive_data", None)
    receive_frame = getattr(H2Connection, "_receive_frame", None)
    if not inspect.iscoroutinefunction(read_incoming) or receive_data is None:
        return False
    if receive_frame is None:
        return False
    if getattr(read_incoming, "_courier_deferred_errors", False):
        return True
    original_read: Callable[[Any, Any], Awaitable[list[Any]]] = read_incoming
    original_data: Callable[[Any, Any], list[Any]] = receive_data
    original_frame: Callable[[Any, Any], list[Any]] = receive_frame

    def collect_frame_events(self: Any, frame: Any) -> list[Any]:
        events = original_frame(self, frame)
        collected = self.__dict__.get("_courier_events")
        if collected is None:
            return events
        collected.extend(events)
        return []

    def receive_data_keeping_events(self: Any, data: Any) -> list[Any]:
        collected: list[Any] = []
        self._courier_events = collected
        try:
            events = original_data(self, data)
        except ProtocolError as exc:
            # only for httpcore's async connection, whose next read raises it
            if not collected or not self.__dict__.get("_courier_defer_errors"):
                raise
            self._courier_deferred_error = exc
            return collected
        finally:
            self._courier_events = None
        return collected + events

    @functools.wraps(original_read)
    async def read_incoming_data(self: Any, request: Any) -> list[Any]:
        state: Any = getattr(self, "_h2_state", None)
        error = getattr(state, "_courier_deferred_error", None)
        if error is not None:
            state._courier_deferred_error = None
            raise error
        if state is not None:
            state._courier_defer_errors = True
        return await original_read(self, request)

    read_incoming_data._courier_deferred_errors = True  # type: ignore[attr-defined]
    connection_class: Any = H2Connection
    connection_class._receive_frame = functools.wraps(original_frame)(collect_frame_events)
    connection_class.receive_data = functools.wraps(original_data)(receive_data_keeping_events)
    h2_class._read_incoming_data = read_incoming_data
    return True
