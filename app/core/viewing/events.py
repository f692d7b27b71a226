"""Streams of records: Server-Sent Events and NDJSON / JSON Lines, parsed as bytes arrive.

Both parsers take the body in pieces of any size (a piece may end inside a
line, inside a CRLF or inside a UTF-8 sequence) and give the same records
whatever the split, each with the byte offsets it spans in the body, so a view
can keep only offsets and short previews for a million events and read the
full record from the body again when it is shown.

The SSE parser follows the WHATWG HTML standard ("Server-sent events",
"Parsing an event stream" and "Interpreting an event stream") exactly: UTF-8
with one optional BOM, CR / LF / CRLF line ends, ':' comments, ``data`` lines
joined with LF, ``event``, ``id`` (ignored when it contains NUL), ``retry``
(ASCII digits only), dispatch on a blank line, nothing dispatched for an event
without data, and an unfinished event at the end of the stream discarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

_BOM = b"\xef\xbb\xbf"
_EOL = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One dispatched event.

    ``id`` is the last event ID in effect when it was dispatched (it persists
    across events, as EventSource's ``lastEventId`` does); ``retry`` is the
    reconnection time set by the latest valid ``retry`` field so far, or None.
    ``start`` is where the event's first line begins, ``end`` is one past the
    byte that dispatched it (the CR or LF of the blank line), so ``end - 1`` is
    the byte whose arrival made the event.  ``id_line`` is where the ``id`` line
    that set ``id`` begins (-1 when none did): a view that keeps only offsets
    reads the id from there again.
    """

    event: str
    data: str
    id: str
    retry: int | None
    start: int
    end: int
    id_line: int = -1


class SseParser:
    """Incremental ``text/event-stream`` parser: ``feed`` bytes, get the events they complete."""

    def __init__(self, offset: int = 0) -> None:
        #: stream offset of the next byte fed; the BOM is only looked for at offset 0
        self._pos = offset
        self._line = bytearray()  # an unfinished line
        self._line_start = offset
        self._skip_lf = False  # the last piece ended with CR: a leading LF belongs to it
        self._data: list[str] = []
        self._has_data = False
        self._event = ""
        self._last_id = ""
        self._last_id_line = -1
        self._retry: int | None = None
        self._event_start = offset

    @property
    def offset(self) -> int:
        """Bytes fed so far (the stream offset of the next byte)."""
        return self._pos

    @property
    def last_event_id(self) -> str:
        return self._last_id

    def feed(self, data: bytes) -> list[SseEvent]:
        events: list[SseEvent] = []
        base = self._pos
        self._pos += len(data)
        start = 0
        if self._skip_lf:
            self._skip_lf = False
            if data[:1] == b"\n":
                start = 1
                self._line_start = base + 1
                if self._event_start == base:
                    self._event_start = base + 1
        for match in _EOL.finditer(data, start):
            if self._line:
                self._line += data[start : match.start()]
                line = bytes(self._line)
                self._line.clear()
            else:
                line = data[start : match.start()]
            line_start = self._line_start
            start = match.end()
            self._line_start = base + start
            event = self._process(line, line_start, base + match.start() + 1, base + start)
            if event is not None:
                events.append(event)
        if data.endswith(b"\r") and start == len(data):
            self._skip_lf = True
        if start < len(data):
            self._line += data[start:]
        return events

    def _process(
        self, line: bytes, line_start: int, dispatch_end: int, next_line: int
    ) -> SseEvent | None:
        if line_start == 0 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if not line:
            event = self._dispatch(dispatch_end)
            self._event_start = next_line
            return event
        if line[0] == 0x3A:  # ':' comment
            return None
        name_bytes, colon, value_bytes = line.partition(b":")
        if colon and value_bytes[:1] == b" ":
            value_bytes = value_bytes[1:]
        name = name_bytes.decode("utf-8", "replace")
        if name == "data":
            self._data.append(value_bytes.decode("utf-8", "replace"))
            self._has_data = True
        elif name == "event":
            self._event = value_bytes.decode("utf-8", "replace")
        elif name == "id":
            if b"\x00" not in value_bytes:
                self._last_id = value_bytes.decode("utf-8", "replace")
                self._last_id_line = line_start
        elif name == "retry" and value_bytes.isdigit():  # bytes.isdigit: ASCII digits only
            self._retry = int(value_bytes)
        return None

    def _dispatch(self, end: int) -> SseEvent | None:
        if not self._has_data:
            self._event = ""
            return None
        event = SseEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self._last_id,
            retry=self._retry,
            start=self._event_start,
            end=end,
            id_line=self._last_id_line,
        )
        self._data = []
        self._has_data = False
        self._event = ""
        return event


def parse_sse_id_line(line: bytes) -> str | None:
    """The id an ``id`` line sets (the line from ``SseEvent.id_line``, its end optional)."""
    line = _EOL.split(line, maxsplit=1)[0]
    if line.startswith(_BOM):
        line = line[len(_BOM) :]
    name, colon, value = line.partition(b":")
    if name != b"id" or b"\x00" in value:
        return None
    if colon and value[:1] == b" ":
        value = value[1:]
    return value.decode("utf-8", "replace")


def parse_sse_event(block: bytes, start: int) -> SseEvent | None:
    """Parse again the event whose bytes are ``block`` (``start`` to ``end`` of an SseEvent).

    The full data of an event a view kept only the offsets of.  The ``id`` is
    what the block itself sets ('' when it sets none): the view keeps the one in effect.
    """
    parser = SseParser(start)
    events = parser.feed(block)
    return events[-1] if events else None


# ---------------------------------------------------------------- NDJSON


@dataclass(frozen=True, slots=True)
class NdjsonLine:
    """One non-blank line: its number (from 1), text, byte span and parsed value.

    ``error`` is None when the line parsed (``value`` is then the value), else
    the parser's message (``value`` is None).
    """

    number: int
    text: str
    start: int
    end: int
    value: Any
    error: str | None


def parse_ndjson_line(raw: bytes) -> tuple[Any, str | None]:
    """The value of one line (RS of application/json-seq and spaces ignored) or the error."""
    raw = raw.strip(b" \t\r\n\x1e")
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        return None, str(exc)


class NdjsonSplitter:
    """Splits NDJSON / JSON Lines / json-seq into lines as bytes arrive.

    Lines end with LF (a CR before it is dropped); blank lines are counted but
    not returned.  The last line, when the body does not end with LF, comes
    from ``finish()`` once the body is complete.
    """

    def __init__(self, *, parse: bool = True) -> None:
        self._parse = parse
        self._pos = 0
        self._line = bytearray()
        self._line_start = 0
        self._number = 0

    @property
    def offset(self) -> int:
        return self._pos

    def feed(self, data: bytes) -> list[NdjsonLine]:
        lines: list[NdjsonLine] = []
        base = self._pos
        self._pos += len(data)
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                break
            if self._line:
                self._line += data[start:nl]
                raw = bytes(self._line)
                self._line.clear()
            else:
                raw = data[start:nl]
            line = self._make(raw, self._line_start, base + nl + 1)
            if line is not None:
                lines.append(line)
            start = nl + 1
            self._line_start = base + start
        self._line += data[start:]
        return lines

    def finish(self) -> list[NdjsonLine]:
        """The last line when the body does not end with a newline (call once, at the end)."""
        if not self._line:
            return []
        raw = bytes(self._line)
        self._line.clear()
        line = self._make(raw, self._line_start, self._pos)
        self._line_start = self._pos
        return [line] if line is not None else []

    def _make(self, raw: bytes, start: int, end: int) -> NdjsonLine | None:
        self._number += 1
        if start == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip(b" \t\x1e"):
            return None
        value, error = parse_ndjson_line(raw) if self._parse else (None, None)
        return NdjsonLine(
            number=self._number,
            text=raw.decode("utf-8", "replace"),
            start=start,
            end=end,
            value=value,
            error=error,
        )
