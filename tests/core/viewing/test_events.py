"""SSE and NDJSON parsing: the WHATWG examples, the corner cases, and any split of the
input giving the same records as one piece (checked against a plain transcription of
the spec that decodes the whole stream first)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.viewing.events import (
    NdjsonSplitter,
    SseEvent,
    SseParser,
    parse_sse_event,
    parse_sse_id_line,
)


def parse_all(data: bytes) -> list[SseEvent]:
    return SseParser().feed(data)


def simple(events: list[SseEvent]) -> list[tuple[str, str, str]]:
    return [(e.event, e.data, e.id) for e in events]


def reference(data: bytes) -> list[tuple[str, str, str, int | None]]:
    """The spec, transcribed naively: decode all (one BOM dropped), split lines, interpret."""
    text = data.decode("utf-8", "replace")
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    lines.pop()  # the part after the last line end is not a line
    out: list[tuple[str, str, str, int | None]] = []
    data_buf, event_buf, last_id, retry = "", "", "", None
    for line in lines:
        if line == "":
            if data_buf == "":
                event_buf = ""
                continue
            out.append((event_buf or "message", data_buf.removesuffix("\n"), last_id, retry))
            data_buf, event_buf = "", ""
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, value = line.split(":", 1)
            value = value.removeprefix(" ")
        else:
            field, value = line, ""
        if field == "event":
            event_buf = value
        elif field == "data":
            data_buf += value + "\n"
        elif field == "id":
            if "\0" not in value:
                last_id = value
        elif field == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    return out


def test_whatwg_examples() -> None:
    assert simple(parse_all(b"data: YHOO\ndata: +2\ndata: 10\n\n")) == [
        ("message", "YHOO\n+2\n10", "")
    ]
    stream = (
        b": test stream\n\ndata: first event\nid: 1\n\n"
        b"data:second event\nid\n\ndata:  third event\n"
    )
    assert simple(parse_all(stream)) == [
        ("message", "first event", "1"),
        ("message", "second event", ""),
    ]
    assert simple(parse_all(b"data\n\ndata\ndata\n\ndata:")) == [
        ("message", "", ""),
        ("message", "\n", ""),
    ]
    assert simple(parse_all(b"data:test\n\ndata: test\n\n")) == [("message", "test", "")] * 2


def test_fields_and_corner_cases() -> None:
    events = parse_all(
        b'\xef\xbb\xbfevent: add\nid: 7\nretry: 1500\ndata: {"a": 1}\n\n'
        b"retry: 12x\nid: a\x00b\nevent: ignored-no-data\n\n"
        b"data: after\r\n\r\n"
        b"data: cr only\r\r"
        b"unknown: x\ndata:no space\ndata:  two spaces\n\n"
    )
    assert [(e.event, e.data, e.id, e.retry) for e in events] == [
        ("add", '{"a": 1}', "7", 1500),
        ("message", "after", "7", 1500),  # event type reset, id persists, NUL id ignored
        ("message", "cr only", "7", 1500),
        ("message", "no space\n two spaces", "7", 1500),
    ]


def test_bom_only_at_start_and_invalid_utf8() -> None:
    events = parse_all(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n")
    assert events == []  # the second BOM makes the field name "\ufeffdata": ignored
    assert [e.data for e in parse_all(b"data: \xff\xc3\n\n")] == ["\ufffd\ufffd"]


def test_offsets_span_the_event_and_reparse() -> None:
    body = b": hello\n\nid: 1\ndata: one\n\nevent: e\r\ndata: two\r\ndata: 2\r\n\r\ndata: three\n\n"
    events = parse_all(body)
    assert [e.data for e in events] == ["one", "two\n2", "three"]
    one, two, three = events
    assert body[one.start : one.end] == b"id: 1\ndata: one\n\n"
    assert body[two.start : two.end] == b"event: e\r\ndata: two\r\ndata: 2\r\n\r"
    assert body[three.end - 1 : three.end] == b"\n"
    assert three.end == len(body)
    again = parse_sse_event(body[two.start : two.end], two.start)
    assert again is not None
    assert (again.event, again.data, again.start, again.end) == ("e", "two\n2", two.start, two.end)


def test_unfinished_event_is_not_dispatched() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\n\ndata: b\n") != []
    assert parser.feed(b"data: c") == []
    assert parser.offset == len(b"data: a\n\ndata: b\ndata: c")


_pieces = st.sampled_from(
    [
        "data: x",
        "data:y",
        "data",
        "data:  spaced",
        "event: tick",
        "event:",
        "id: 42",
        "id",
        "id: a\0b",
        "retry: 300",
        "retry: 3a",
        ": comment",
        "other: z",
        "data: é✓😀",
        'data: {"k": [1, 2]}',
        "",
    ]
)
_eols = st.sampled_from(["\n", "\r", "\r\n"])


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.tuples(_pieces, _eols), max_size=30))
    text = "".join(p + e for p, e in parts)
    if draw(st.booleans()):
        text += draw(_pieces)  # an unfinished last line
    raw = text.encode()
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    if draw(st.booleans()):
        raw += b"\xff"  # invalid UTF-8
    return raw


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(data[last:p])
        last = p
    pieces.append(data[last:])
    return pieces


@settings(derandomize=True, max_examples=300)
@given(sse_streams(), st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_sse_any_split_gives_the_same_events(data: bytes, cuts: list[int]) -> None:
    whole = parse_all(data)
    assert [(e.event, e.data, e.id, e.retry) for e in whole] == reference(data)
    parser = SseParser()
    split: list[SseEvent] = []
    for piece in split_at(data, cuts):
        split.extend(parser.feed(piece))
    assert split == whole
    byte_by_byte = SseParser()
    one: list[SseEvent] = []
    for i in range(len(data)):
        one.extend(byte_by_byte.feed(data[i : i + 1]))
    assert one == whole
    for event in whole:
        assert data[event.end - 1 : event.end] in (b"\r", b"\n")
        if event.id_line >= 0:
            assert parse_sse_id_line(data[event.id_line : event.id_line + 100]) == event.id
        else:
            assert event.id == ""
        again = parse_sse_event(data[event.start : event.end], event.start)
        assert again is not None
        assert (again.event, again.data, again.end) == (event.event, event.data, event.end)


def test_ndjson_lines() -> None:
    body = b'\xef\xbb\xbf{"a": 1}\r\n\n[1, 2]\n\x1e{"seq": true}\nnot json\n{"last": 1}'
    splitter = NdjsonSplitter()
    lines = splitter.feed(body)
    assert [(ln.number, ln.value, ln.error is None) for ln in lines] == [
        (1, {"a": 1}, True),
        (3, [1, 2], True),
        (4, {"seq": True}, True),
        (5, None, False),
    ]
    assert lines[0].text == '{"a": 1}'
    assert body[lines[1].start : lines[1].end] == b"[1, 2]\n"
    last = splitter.finish()
    assert [(ln.number, ln.value, ln.end) for ln in last] == [(6, {"last": 1}, len(body))]
    assert splitter.finish() == []


@settings(derandomize=True, max_examples=200)
@given(
    st.lists(st.sampled_from(['{"a": 1}', "[]", "", "  ", "oops", '"é✓"', "12", "{"]), max_size=20),
    st.sampled_from(["\n", "\r\n"]),
    st.lists(st.integers(min_value=0, max_value=200), max_size=10),
)
def test_ndjson_any_split_gives_the_same_lines(rows: list[str], eol: str, cuts: list[int]) -> None:
    data = eol.join(rows).encode()
    whole = NdjsonSplitter()
    expected = whole.feed(data) + whole.finish()
    splitter = NdjsonSplitter()
    got = []
    for piece in split_at(data, cuts):
        got.extend(splitter.feed(piece))
    got.extend(splitter.finish())
    assert got == expected
    assert [ln.text for ln in got] == [r for r in rows if r.strip()]
