"""Content-Encoding decoded in bounded pieces, whatever the compression ratio."""

from __future__ import annotations

import gzip
import os
import zlib

import pytest

from app.net.decoding import PIECE, ContentDecoder, DecodingFailed


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
        ("identity", DATA),
        ("", DATA),
    ],
)
def test_decodes_exactly_in_bounded_pieces(encoding: str, blob: bytes) -> None:
    pieces = decode_all(encoding, blob)
    assert b"".join(pieces) == DATA
    assert max(len(p) for p in pieces) <= PIECE


def test_a_bomb_never_yields_more_than_a_piece_at_once() -> None:
    bomb = gzip.compress(b"\0" * 64 * 1024 * 1024, compresslevel=9)
    assert len(bomb) < 100_000
    decoder = ContentDecoder("gzip")
    total = 0
    for piece in decoder.decode(bomb):  # the whole compressed body in one read
        assert len(piece) <= PIECE
        total += len(piece)
    total += sum(len(p) for p in decoder.flush())
    assert total == 64 * 1024 * 1024


def test_several_gzip_members_and_stacked_encodings() -> None:
    members = gzip.compress(b"one ") + gzip.compress(b"two")
    assert b"".join(decode_all("gzip", members)) == b"one two"
    stacked = gzip.compress(zlib.compress(b"inner"))  # deflate first, then gzip
    assert b"".join(decode_all("deflate, gzip", stacked)) == b"inner"


def test_unknown_encoding_passes_through_and_says_so() -> None:
    decoder = ContentDecoder("br")
    assert decoder.undecoded == "br"
    assert list(decoder.decode(b"raw")) == [b"raw"]


def test_corrupt_gzip_fails_clearly() -> None:
    with pytest.raises(DecodingFailed):
        decode_all("gzip", b"this is not gzip at all")
