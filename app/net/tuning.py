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
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpcore

READ_SIZE = 1024 * 1024
#: what we ask HTTP/2 servers for (RFC 9113 allows 16 KiB .. 16 MiB - 1)
H2_FRAME_SIZE = 1024 * 1024
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
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(_M_MMAP_THRESHOLD, 4 * READ_SIZE)
            libc.mallopt(_M_TRIM_THRESHOLD, 16 * READ_SIZE)


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
    """Wrap httpcore's HTTP/2 connection preamble to advertise ``H2_FRAME_SIZE``.

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
        state.update_settings({SettingCodes.MAX_FRAME_SIZE: H2_FRAME_SIZE})
        # h2 raises its inbound limit only when the server acknowledges, and checks
        # the limit before handling the ACK in the same read: accept large frames now
        state.max_inbound_frame_size = H2_FRAME_SIZE
        await self._write_outgoing_data(request)

    send_connection_init._courier_large_frames = True  # type: ignore[attr-defined]
    h2_class._send_connection_init = send_connection_init
