"""The demo server's big bodies: ``/big/json`` and ``/big/text`` of about N MiB.

They exist for the viewers' tests and benchmark (1 GB at the speed of loopback),
so the server must not be the bottleneck nor hold the body: a block of about
64 KiB of records is built once, split where each record's block number goes, and
every block sent is ``number.join(pieces)`` (one C-level copy, unique ids, no
per-record Python work).  The length is known up front (Content-Length, so a
client shows progress), and the body ends with :data:`MARKER`, which occurs
nowhere else, for searches "near the end".
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.demo.streams import streamed

MIB = 1 << 20
MAX_MB = 4096.0
MARKER = "needle-at-the-end"
#: the number each block's records carry (8 digits: the same length for every block)
LABEL = b"%08d"
BLOCK_TARGET = 64 * 1024
BLOCKS_PER_SEND = 16

_WORDS = (
    *("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"),
    *("juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"),
    *("sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"),
)


@dataclass(frozen=True)
class Layout:
    """A body: ``head``, then blocks (``label.join(pieces)``), then ``tail``."""

    head: bytes
    pieces: tuple[bytes, ...]
    tail: bytes

    @functools.cached_property
    def block_size(self) -> int:
        return sum(map(len, self.pieces)) + len(LABEL % 0) * (len(self.pieces) - 1)

    def blocks_for(self, mb: float) -> int:
        room = mb * MIB - len(self.head) - len(self.tail)
        return max(0, round(room / self.block_size))

    def size(self, blocks: int) -> int:
        return len(self.head) + blocks * self.block_size + len(self.tail)

    def block(self, number: int) -> bytes:
        return (LABEL % number).join(self.pieces)

    def chunks(self, blocks: int) -> Iterator[bytes]:
        yield self.head
        for start in range(0, blocks, BLOCKS_PER_SEND):
            stop = min(start + BLOCKS_PER_SEND, blocks)
            yield b"".join(self.block(n) for n in range(start, stop))
        yield self.tail


def _records(one_line: bool) -> Iterator[tuple[str, str]]:
    """(text before the block number, text after it) for each record of a block."""
    rng = random.Random(20240501)
    indent, end = ("", " ") if one_line else ("  ", "\n")
    size, i = 0, 0
    while size < BLOCK_TARGET:
        name = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6)))
        tags = ", ".join(f'"{rng.choice(_WORDS)}"' for _ in range(rng.randint(0, 3)))
        before = f'{indent}{{"id": "'
        after = (
            f'-{i:04d}", "name": "{name}", "active": {str(rng.random() < 0.5).lower()},'
            f' "score": {rng.randint(0, 100_000) / 100}, "tags": [{tags}],'
            f' "point": {{"x": {rng.randint(-500, 500)}, "y": {rng.randint(-500, 500)}}}}},{end}'
        )
        size += len(before) + len(after) + 8
        i += 1
        yield before, after


def _layout(records: list[tuple[str, str]], head: str, tail: str) -> Layout:
    pieces = [records[0][0]]
    for (_before, after), (next_before, _after) in itertools.pairwise(records):
        pieces.append(after + next_before)
    pieces.append(records[-1][1])
    return Layout(head.encode(), tuple(p.encode() for p in pieces), tail.encode())


@functools.cache
def json_layout(one_line: bool) -> Layout:
    """``{"generator": ..., "records": [{"id": "BBBBBBBB-RRRR", ...}, ..., {marker}]}``:
    one record a line (two-space indent), or the whole body on one line."""
    nl, indent = ("", "") if one_line else ("\n", "  ")
    head = f'{{"generator": "Courier demo", "kind": "big json", "records": [{nl}'
    tail = f'{indent}{{"id": "end", "marker": "{MARKER}", "last": true}}{nl}]}}\n'
    return _layout(list(_records(one_line)), head, tail)


@functools.cache
def text_layout() -> Layout:
    """Lines ``BBBBBBBB.RRRR words...``, then a last line with the marker."""
    rng = random.Random(20240502)
    records, size, i = [], 0, 0
    while size < BLOCK_TARGET:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 16)))
        records.append(("", f".{i:04d} {words}\n"))
        size += len(records[-1][1]) + 8
        i += 1
    return _layout(records, "Courier demo big text\n", f"{MARKER}: the last line\n")


def _mb(request: Request) -> float | Response:
    try:
        mb = float(request.query_params.get("mb", "1"))
    except ValueError:
        mb = -1.0
    if not 0 <= mb <= MAX_MB:
        return JSONResponse({"error": f"mb must be 0-{MAX_MB:g}"}, status_code=400)
    return mb


def _send(layout: Layout, mb: float, media_type: str) -> Response:
    blocks = layout.blocks_for(mb)
    return StreamingResponse(
        streamed("big", layout.chunks(blocks)),
        media_type=media_type,
        headers={"Content-Length": str(layout.size(blocks))},
    )


async def big_json(request: Request) -> Response:
    mb = _mb(request)
    if isinstance(mb, Response):
        return mb
    one_line = request.query_params.get("one_line", "0") not in ("", "0", "false")
    return _send(json_layout(one_line), mb, "application/json")


async def big_text(request: Request) -> Response:
    mb = _mb(request)
    if isinstance(mb, Response):
        return mb
    return _send(text_layout(), mb, "text/plain; charset=utf-8")


def body(kind: str, mb: float) -> Iterator[bytes]:
    """The chunks of ``/big/{kind}?mb=`` (kind: "json", "json-one-line" or "text"), for
    tests that compare."""
    layout = text_layout() if kind == "text" else json_layout(kind == "json-one-line")
    return layout.chunks(layout.blocks_for(mb))


ROUTES_HELP = {
    "GET /big/json?mb=1&one_line=0": (
        f"about mb MiB of JSON (max {MAX_MB:g}): an object with an array of records, one a"
        f" line (one_line=1: a single line); ends with the record marker '{MARKER}'"
    ),
    "GET /big/text?mb=1": f"about mb MiB of text lines; the last line holds '{MARKER}'",
}


def routes() -> list[Route]:
    return [Route("/big/json", big_json), Route("/big/text", big_text)]
