"""The throughput levers still find what they patch in the pinned httpcore.

``tuning`` guards every private attribute it touches, so an httpcore upgrade
would silently turn a lever off; these tests make that loud instead.
"""

from __future__ import annotations

import httpcore

from app.demo.app import seeded_bytes
from app.net import tuning
from tests.conftest import TLSServer


def test_http11_reads_a_mebibyte_at_a_time() -> None:
    tuning.apply()
    assert httpcore.AsyncHTTP11Connection.READ_NUM_BYTES == tuning.READ_SIZE


def test_http2_preamble_is_wrapped_once() -> None:
    tuning.apply()
    wrapped = httpcore.AsyncHTTP2Connection._send_connection_init
    assert getattr(wrapped, "_courier_large_frames", False)
    tuning._ask_for_large_h2_frames()  # a second call must not wrap the wrapper
    assert httpcore.AsyncHTTP2Connection._send_connection_init is wrapped


def test_http2_tls_download_is_byte_exact_with_drained_reads(tls_demo_server: TLSServer) -> None:
    """Reads that drain several TLS records return the body byte for byte."""
    import asyncio
    import ssl

    import httpx
    from httpcore._backends.anyio import AnyIOStream

    tuning.apply()
    read = AnyIOStream.read
    assert getattr(read, "_courier_drain", False)
    sizes: list[int] = []

    async def spy(
        self: AnyIOStream,
        max_bytes: int,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> bytes:
        data = await read(self, max_bytes, timeout)
        sizes.append(len(data))
        return data

    size = 3 * 1024 * 1024 + 17
    context = ssl.create_default_context(cafile=str(tls_demo_server.ca_pem))

    async def download() -> tuple[str, bytes]:
        async with httpx.AsyncClient(http2=True, verify=context) as client:
            response = await client.get(f"{tls_demo_server.base_url}/bytes/{size}?seed=tuning")
            return response.http_version, response.content

    AnyIOStream.read = spy  # type: ignore[method-assign]
    try:
        version, body = asyncio.run(download())
    finally:
        AnyIOStream.read = read  # type: ignore[method-assign]
    assert version == "HTTP/2"
    assert body == b"".join(seeded_bytes("tuning", size))
    assert max(sizes) > 16 * 1024, "a TLS record carries at most 16 KiB: reads were drained"


def test_data_frame_repr_is_unchanged() -> None:
    from hyperframe.frame import DataFrame, Frame

    tuning.apply()
    for data, flags, pad in ((b"", (), 0), (b"abc", (), 0), (bytes(range(40)), ("PADDED",), 3)):
        frame = DataFrame(1, data, flags=flags, pad_length=pad) if pad else DataFrame(1, data)
        expected = f"DataFrame(stream_id=1, flags={frame.flags!r}): " + Frame._body_repr(frame)
        assert repr(frame) == expected


def test_httpcore_locks_acquire_fast() -> None:
    import asyncio

    from httpcore._synchronization import AsyncLock, AsyncSemaphore

    tuning.apply()

    async def make() -> tuple[AsyncLock, AsyncSemaphore]:
        lock, semaphore = AsyncLock(), AsyncSemaphore(2)
        lock.setup()
        semaphore.setup()
        return lock, semaphore

    lock, semaphore = asyncio.run(make())
    assert lock._anyio_lock._fast_acquire
    assert semaphore._anyio_semaphore._fast_acquire
    assert semaphore._anyio_semaphore.max_value == 2


def test_h2_errors_are_deferred_only_for_httpcore_async_reads() -> None:
    """Outside httpcore's async connection (nothing raises a deferred error) h2 raises,
    even when frames before the bad one produced events."""
    import h2.config
    import h2.connection
    import h2.exceptions
    import pytest
    from hyperframe.frame import DataFrame

    tuning.apply()
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    client.send_headers(
        1,
        [(":method", "GET"), (":path", "/"), (":scheme", "https"), (":authority", "x")],
        end_stream=True,
    )
    server = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    server.initiate_connection()
    server.receive_data(client.data_to_send())
    server.send_headers(1, [(":status", "200"), ("content-length", "10")])
    wire = server.data_to_send() + DataFrame(1, b"abc", flags=["END_STREAM"]).serialize()
    with pytest.raises(h2.exceptions.ProtocolError):
        client.receive_data(wire)
