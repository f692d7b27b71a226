"""Throughput levers for httpx on a qasync loop (see PERFORMANCE-NOTES.md).

* httpcore reads the socket 64 KiB at a time and per-read overhead dominates on
  asyncio; 1 MiB reads are the biggest single lever.  It is a class attribute
  of httpcore's HTTP/1.1 connection (httpcore is pinned <1.1 for this).
* ``SO_RCVBUF`` 4 MiB steadies loopback TCP autotuning.
* glibc serves reads over 128 KiB with mmap/munmap each time; raising the mmap
  threshold removes that cost (Linux/glibc only, best effort).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import socket
import sys

import httpcore

READ_SIZE = 1024 * 1024
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
    connection_class = getattr(httpcore, "AsyncHTTP11Connection", None)
    if connection_class is not None and hasattr(connection_class, "READ_NUM_BYTES"):
        connection_class.READ_NUM_BYTES = READ_SIZE
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(_M_MMAP_THRESHOLD, 4 * READ_SIZE)
            libc.mallopt(_M_TRIM_THRESHOLD, 16 * READ_SIZE)
