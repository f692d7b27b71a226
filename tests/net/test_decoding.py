"""Content-Encoding decoded in bounded pieces, whatever the compression ratio."""

from __future__ import annotations

import asyncio
import gzip
import os
import resource
import zlib
from pathlib import Path

import brotli
import pytest
from backports import zstd

from app.core import errors
from app.core.resolved import ClientProfile, ResolvedRequest
from app.net import engine
from app.net.body_store import BodyStore
from app.net.clients import ClientPool
from app.net.decoding import ACCEPT_ENCODING, PIECE, ContentDecoder, DecodingFailed
from app.net.exchange import Exchange, ExchangeState
from tests.helpers.encoded_server import EncodedServer


def decode_all(encoding: str, blob: bytes, read: int = 7000) -> list[bytes]:
    decoder = ContentDecoder(encoding)
    pieces: list[bytes] = []
    for start in range(0, len(blob), read):
        pieces.extend(decoder.decode(blob[start : start + read]))
    pieces.extend(decoder.flush())
    return pieces


DATA = os.urandom(100_000) + b"\0" * 3_000_000


@pytest.mark.parametrize(
    ("encoding", "blob"),
    [
        ("gzip", gzip.compress(DATA)),
        ("x-gzip", gzip.compress(DATA)),
        ("deflate", zlib.compress(DATA)),
        ("deflate", zlib.compress(DATA)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress(DATA)),
        ("zstd", zstd.compress(DATA)),
        ("identity", DATA),
        ("", DATA),
    ],
)
def test_decodes_exactly_in_bounded_pieces(encoding: str, blob: bytes) -> None:
    pieces = decode_all(encoding, blob)
    assert b"".join(pieces) == DATA
    assert max(len(p) for p in pieces) <= PIECE


BOMB_SIZE = 64 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", lambda data: gzip.compress(data, compresslevel=9)),
        ("br", lambda data: brotli.compress(data, quality=1)),
        ("zstd", lambda data: zstd.compress(data, level=3)),
    ],
)
def test_a_bomb_never_yields_more_than_a_piece_at_once(encoding: str, compress: object) -> None:
    bomb = compress(b"\0" * BOMB_SIZE)  # type: ignore[operator]
    assert len(bomb) < 100_000
    decoder = ContentDecoder(encoding)
    total = pieces = 0
    for piece in decoder.decode(bomb):  # the whole compressed body in one read
        assert len(piece) <= PIECE
        total += len(piece)
        pieces += 1
    total += sum(len(p) for p in decoder.flush())
    assert total == BOMB_SIZE
    assert pieces >= BOMB_SIZE // PIECE, "decoded lazily, piece by piece"


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_a_bomb_stops_after_the_pieces_taken(encoding: str) -> None:
    """What a consumer that stops (the body cap) costs: only the pieces it took."""
    bomb = brotli_bomb(10 * BOMB_SIZE) if encoding == "br" else zstd_bomb(10 * BOMB_SIZE)
    decoder = ContentDecoder(encoding)
    taken = 0
    for piece in decoder.decode(bomb):
        taken += len(piece)
        if taken >= 3 * PIECE:
            break
    assert 3 * PIECE <= taken <= 4 * PIECE


def test_brotli_and_zstd_are_asked_for() -> None:
    assert [n.strip() for n in ACCEPT_ENCODING.split(",")] == ["gzip", "deflate", "br", "zstd"]


@pytest.mark.parametrize("read", [4, 7000])
def test_several_zstd_frames_and_bytes_after_a_brotli_stream(read: int) -> None:
    frames = zstd.compress(b"one ") + zstd.compress(b"two") + b"\0\0"
    assert b"".join(decode_all("zstd", frames, read=read)) == b"one two"
    # Brotli's decoder refuses bytes after its stream (gzip's are ignored, as curl does)
    trailing = brotli.compress(b"only this") + b"junk after the stream"
    with pytest.raises(DecodingFailed):
        decode_all("br", trailing, read=read)
    stacked = zstd.compress(brotli.compress(b"inner"))  # br first, then zstd
    assert b"".join(decode_all("br, zstd", stacked)) == b"inner"


def test_several_gzip_members_and_stacked_encodings() -> None:
    members = gzip.compress(b"one ") + gzip.compress(b"two")
    assert b"".join(decode_all("gzip", members)) == b"one two"
    stacked = gzip.compress(zlib.compress(b"inner"))  # deflate first, then gzip
    assert b"".join(decode_all("deflate, gzip", stacked)) == b"inner"


def test_unknown_encoding_passes_through_and_says_so() -> None:
    decoder = ContentDecoder("compress")
    assert decoder.undecoded == "compress"
    assert list(decoder.decode(b"raw")) == [b"raw"]


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_corrupt_bodies_fail_clearly(encoding: str) -> None:
    with pytest.raises(DecodingFailed):
        decode_all(encoding, b"this is not compressed at all, not in any way")


# ------------------------------------------------------- through the engine

MIB = 1024 * 1024


def brotli_bomb(size: int) -> bytes:
    """``size`` zeros as Brotli, made in pieces (quality 1: fast, about 5,000:1)."""
    compressor = brotli.Compressor(quality=1, lgwin=24)
    zeros = bytes(16 * MIB)
    parts = [compressor.process(zeros) for _ in range(size // len(zeros))]
    return b"".join([*parts, compressor.finish()])


def zstd_bomb(size: int) -> bytes:
    """``size`` zeros as zstd frames of 64 MiB each (a body may hold several frames)."""
    frame = zstd.compress(bytes(64 * MIB), level=1)
    return frame * (size // (64 * MIB))


def fetch(url: str, store: BodyStore | None = None, cap: int | None = None) -> Exchange:
    async def main() -> Exchange:
        pool = ClientPool()
        try:
            exchange = Exchange("GET", url, store)
            request = ResolvedRequest("GET", url, body_cap=cap)
            return await engine.send(pool, ClientProfile(), request, exchange)
        finally:
            await pool.aclose()

    return asyncio.run(main())


ENCODERS = {
    "gzip": gzip.compress,
    "br": brotli.compress,
    "zstd": zstd.compress,
}


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_a_body_is_decoded_and_kept_as_received_too(encoding: str) -> None:
    data = b"".join(b'{"row": %d, "text": "lorem ipsum"}\n' % i for i in range(40_000))
    sent = ENCODERS[encoding](data)
    with EncodedServer(sent, encoding) as server:
        exchange = fetch(server.url)
    assert exchange.state is ExchangeState.DONE, exchange.error
    assert exchange.body.read() == data
    assert exchange.wire_body is not None
    assert exchange.wire_body.read() == sent, "the Raw view's bytes as received"
    assert exchange.wire_bytes == len(sent)
    wire = exchange.wire_body
    exchange.release()
    assert wire.released


def test_a_body_stored_as_it_came_has_no_second_copy(demo_server: str) -> None:
    exchange = fetch(f"{demo_server}/bytes/5000")
    assert exchange.body.size == 5000
    assert exchange.wire_body is None
    with EncodedServer(b"kept as is", "compress") as server:
        unknown = fetch(server.url)
    assert unknown.body.read() == b"kept as is"
    assert unknown.wire_body is None, "nothing was decoded: the body is the bytes as received"


def test_the_client_asks_for_brotli_and_zstd(demo_server: str) -> None:
    exchange = fetch(f"{demo_server}/headers")
    assert exchange.request is not None
    sent = {k.lower(): v for k, v in exchange.request.headers}
    assert sent["accept-encoding"] == "gzip, deflate, br, zstd"


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_a_bomb_stops_at_the_cap_within_memory(encoding: str, tmp_path: Path) -> None:
    # a zstd frame of 64 MiB of zeros is 2 KiB: 200 GiB make a body worth streaming
    size = 2 * 1024 * MIB if encoding == "br" else 200 * 1024 * MIB
    bomb = brotli_bomb(size) if encoding == "br" else zstd_bomb(size)
    assert len(bomb) < size // 1000
    cap = 64 * MIB
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with EncodedServer(bomb, encoding, chunk=4096) as server:
        store = BodyStore(cap=cap, directory=tmp_path, reserve=0)
        exchange = fetch(server.url, store, cap)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    assert exchange.state is ExchangeState.FAILED
    assert isinstance(exchange.error, errors.BodyTooLarge), exchange.error
    assert exchange.received == cap, "everything up to the cap is kept"
    if encoding == "zstd":  # (the 390 KB Brotli bomb fits in the socket buffers at once)
        assert exchange.wire_bytes < len(bomb) // 4, "it stopped reading at the cap"
    assert exchange.body.on_disk
    assert exchange.wire_body is not None
    assert exchange.wire_body.read() == bomb[: exchange.wire_body.size]
    assert grown < 16 * PIECE + 64 * MIB, f"peak memory grew by {grown / MIB:.0f} MiB"


def test_a_corrupt_brotli_body_fails_and_keeps_what_came() -> None:
    sent = b"this is not brotli at all" * 10
    with EncodedServer(sent, "br") as server:
        exchange = fetch(server.url)
    assert exchange.state is ExchangeState.FAILED
    assert isinstance(exchange.error, errors.ProtocolViolation), exchange.error
    assert exchange.wire_body is not None
    assert exchange.wire_body.read() == sent
