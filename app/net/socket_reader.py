"""Bulk reads of a plain TCP connection in a worker thread, behind httpcore's stream API.

On a qasync loop every socket wake-up is a Qt socket-notifier event plus a
loop iteration, and asyncio's transport copies each read into a fresh bytes
object on the window's thread.  Measured (1 GiB from nginx on 127.0.0.1, 2
cores, per-thread CPU from /proc): the loop thread spent 1.5-2.3 s of CPU per
GiB (recv and page faults 0.4-1.1 s of it) and the download ran at 180-280 MB/s
against curl's 260-590.  So, once a connection has carried ``BULK_AFTER``
bytes (a download, not an API call), ``ReaderStream`` reads the socket in its
own thread: ``recv_into`` a ``READ_CHUNK`` buffer, as much as the kernel holds,
and while the loop hands one chunk to h11 and the body store the thread is
already reading the next (one chunk ahead, never more).  The loop receives a
few hundred multi-MiB chunks per GiB, with almost nothing to do per chunk.

httpx and httpcore still own the connection and the framing: this is only the
network stream httpcore reads from (``AsyncConnectionPool._network_backend``;
httpcore is pinned below 1.1).  Writes stay on the loop (anyio); the reading
thread uses a duplicate of the socket's descriptor, so closing the connection
can never make it read another socket that got the same number.  TLS
connections are left to anyio (an SSL object must not be read and written
from two threads at once).
"""

# ruff: noqa: ASYNC109  (httpcore's stream API takes timeout= parameters)
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import select
import socket
import threading
import time
from typing import Any

import httpcore

#: bytes a connection carries on the loop before its reads move to a thread: API calls
#: (almost all under 4 MiB) never pay a thread hand-off, downloads switch early
BULK_AFTER = 4 * 1024 * 1024
#: the most one threaded read returns: 2 MiB stays under glibc's mmap threshold (raised
#: in ``tuning``), so buffers come from the heap without page faults; 4 MiB reads were
#: no faster on the benchmark and doubled what is in flight
READ_CHUNK = 2 * 1024 * 1024
#: a read returning at least this much starts reading the next chunk ahead
READ_AHEAD_AFTER = 256 * 1024
#: a waiting reader checks this often whether its stream was closed
_POLL_SLICE_S = 0.1


class ReaderBackend(httpcore.AsyncNetworkBackend):
    """httpcore's default backend, with plain TCP streams wrapped in ``ReaderStream``."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return ReaderStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(transport: Any) -> None:
    """Make an ``httpx.AsyncHTTPTransport`` (or its proxy pool) connect through
    ``ReaderBackend``."""
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = ReaderBackend(pool._network_backend)


def _asyncio_parts(stream: httpcore.AsyncNetworkStream) -> tuple[Any, Any, socket.socket] | None:
    """The asyncio transport, anyio protocol and socket under httpcore's anyio stream."""
    inner = getattr(stream, "_stream", None)
    transport = getattr(inner, "_transport", None)
    protocol = getattr(inner, "_protocol", None)
    if transport is None or protocol is None or not hasattr(protocol, "read_queue"):
        return None
    sock = transport.get_extra_info("socket")
    if sock is None or not hasattr(transport, "pause_reading"):
        return None
    return transport, protocol, sock


class _Reader:
    """The thread reading one connection (through a duplicate of its descriptor)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock.dup()  # its own descriptor: see the module's docstring
        self.stopped = threading.Event()
        #: reused by every read (only this reader's one thread touches it)
        self.buffer = bytearray()
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="courier-socket-reader"
        )

    def read(self, size: int, deadline: float | None) -> bytes:
        """Block until bytes arrive, then take what the kernel holds (up to ``size``).

        Returns an empty buffer at the end of the stream; raises ``TimeoutError``
        after ``deadline`` (monotonic), ``OSError`` when the connection fails.
        """
        if len(self.buffer) < size:
            self.buffer = bytearray(size)
        view = memoryview(self.buffer)[:size]
        got = 0
        sock = self.sock
        with view:
            while got < size and not self.stopped.is_set():
                try:
                    count = sock.recv_into(view[got:])
                except BlockingIOError:
                    if got:
                        break  # everything the kernel had: hand it over now
                    wait = _POLL_SLICE_S
                    if deadline is not None:
                        wait = min(wait, deadline - time.monotonic())
                        if wait <= 0:
                            raise TimeoutError("no bytes arrived in time") from None
                    select.select([sock], [], [], wait)
                    continue
                if count == 0:
                    break
                got += count
            # bytes, not the (reused) buffer: socksio and others hash or compare what they
            # read; the copy is made here, in the reading thread, never on the loop
            return bytes(view[:got])

    def close(self) -> None:
        self.stopped.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)  # a select() or recv waiting returns now
        self.executor.submit(self.sock.close)  # after the read in progress, if any
        self.executor.shutdown(wait=False)


class ReaderStream(httpcore.AsyncNetworkStream):
    """An anyio stream whose reads move to a thread once the connection is bulk."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._received = 0
        self._reader: _Reader | None = None
        self._ahead: asyncio.Future[bytes] | None = None
        self._closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._reader is None and not self._start_reader():
            data = await self._inner.read(max_bytes, timeout)
            self._received += len(data)
            return data
        parts = _asyncio_parts(self._inner)
        assert parts is not None
        assert self._reader is not None
        _transport, protocol, _sock = parts
        if protocol.read_queue or protocol.is_at_eof or protocol.exception is not None:
            return await self._inner.read(max_bytes, timeout)  # what anyio had already
        reader = self._reader
        if self._ahead is None:
            deadline = time.monotonic() + timeout if timeout is not None else None
            self._ahead = self._submit(reader, deadline)
        ahead = self._ahead
        try:
            async with asyncio.timeout(timeout):
                data = await asyncio.shield(ahead)  # a Stop leaves it for the next read
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "timed out") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc
        finally:
            if ahead.done():
                self._ahead = None
        if len(data) >= READ_AHEAD_AFTER and not self._closed:
            self._ahead = self._submit(reader, None)
        return data

    @staticmethod
    def _submit(reader: _Reader, deadline: float | None) -> asyncio.Future[bytes]:
        future = asyncio.get_running_loop().run_in_executor(
            reader.executor, reader.read, READ_CHUNK, deadline
        )
        # a read ahead that fails after its stream was closed is nobody's error
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        return future

    def _start_reader(self) -> bool:
        """Move reads to a thread once the connection carried ``BULK_AFTER`` bytes."""
        if self._received < BULK_AFTER or self._closed:
            return False
        parts = _asyncio_parts(self._inner)
        if parts is None:
            self._received = -(1 << 62)  # not an asyncio socket: never again
            return False
        transport, _protocol, sock = parts
        transport.pause_reading()  # from now on only the thread reads the socket
        self._reader = _Reader(sock)
        return True

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        self._closed = True
        reader, self._reader = self._reader, None
        ahead, self._ahead = self._ahead, None
        if reader is not None:
            reader.close()
        if ahead is not None:
            ahead.cancel()
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._ahead is not None and self._ahead.done():
            return True  # bytes (or the end) arrived while the connection was idle
        return self._inner.get_extra_info(info)
