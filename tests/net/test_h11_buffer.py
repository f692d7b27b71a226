"""h11's receive buffer without copies (``h11_buffer``): same answers as h11's own."""

from __future__ import annotations

from typing import Any

import h11
import pytest
from h11 import _receivebuffer
from hypothesis import given, settings
from hypothesis import strategies as st

from app.net import h11_buffer, tuning

chunks = st.binary(max_size=40).map(lambda b: b.replace(b"x", b"\r\n"))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), chunks),
        st.tuples(st.just("at_most"), st.integers(1, 50)),
        st.tuples(st.just("next_line"), st.none()),
        st.tuples(st.just("lines"), st.none()),
        st.tuples(st.just("invalid"), st.none()),
        st.tuples(st.just("bytes"), st.none()),
    ),
    max_size=40,
)


def apply(buffer: Any, name: str, argument: Any) -> Any:
    if name == "add":
        buffer += argument
        return None
    if name == "at_most":
        out = buffer.maybe_extract_at_most(argument)
        return None if out is None else bytes(out)
    if name == "next_line":
        out = buffer.maybe_extract_next_line()
        return None if out is None else bytes(out)
    if name == "lines":
        lines = buffer.maybe_extract_lines()
        return None if lines is None else [bytes(line) for line in lines]
    if name == "invalid":
        return buffer.is_next_line_obviously_invalid_request_line()
    return bytes(buffer)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(operations)
def test_answers_like_h11s_own_buffer(ops: list[tuple[str, Any]]) -> None:
    """Any mix of small and "large" reads (large from 4 bytes here) and of every way h11
    takes bytes out gives the same bytes, lines and lengths as h11's ``ReceiveBuffer``."""
    keep = h11_buffer.KEEP_WHOLE_FROM
    h11_buffer.KEEP_WHOLE_FROM = 4
    try:
        theirs, ours = _receivebuffer.ReceiveBuffer(), h11_buffer.BulkReceiveBuffer()
        for name, argument in ops:
            assert apply(ours, name, argument) == apply(theirs, name, argument)
            assert len(ours) == len(theirs)
            assert bool(ours) == bool(theirs)
    finally:
        h11_buffer.KEEP_WHOLE_FROM = keep


def client_receiving(head: bytes, body_reads: list[bytes]) -> list[Any]:
    """The events an h11 client connection (with the bulk buffer) makes of a response."""
    connection = h11.Connection(h11.CLIENT)
    assert isinstance(connection._receive_buffer, h11_buffer.BulkReceiveBuffer)
    connection.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    connection.send(h11.EndOfMessage())
    connection.receive_data(head)
    events: list[Any] = [connection.next_event()]  # the response head, before the body
    assert isinstance(events[0], h11.Response)
    for data in body_reads:
        connection.receive_data(data)
        while (event := connection.next_event()) not in (h11.NEED_DATA, h11.PAUSED):
            events.append(event)
            if isinstance(event, h11.EndOfMessage):
                return events
    return events


def test_a_large_body_read_reaches_the_caller_without_a_copy() -> None:
    tuning.apply()  # the levers every client gets (clients.py)
    size = 3 * h11_buffer.KEEP_WHOLE_FROM
    reads = [bytes([n]) * size for n in range(3)]
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (3 * size)
    events = client_receiving(head, reads)
    data = [event.data for event in events if isinstance(event, h11.Data)]
    assert [piece is read for piece, read in zip(data, reads, strict=True)] == [True] * 3
    assert isinstance(events[-1], h11.EndOfMessage)


def test_a_read_past_the_body_keeps_the_rest_for_the_next_response() -> None:
    tuning.apply()
    body = b"a" * (2 * h11_buffer.KEEP_WHOLE_FROM)
    extra = b"HTTP/1.1 204 No Content\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    connection = h11.Connection(h11.CLIENT)
    connection.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    connection.send(h11.EndOfMessage())
    connection.receive_data(head)
    assert isinstance(connection.next_event(), h11.Response)
    connection.receive_data(body + extra)
    event = connection.next_event()
    assert isinstance(event, h11.Data)
    assert bytes(event.data) == body
    assert isinstance(connection.next_event(), h11.EndOfMessage)
    assert connection.trailing_data == (extra, False)


@pytest.mark.parametrize("chunk", [1, 1000, 70_000])
def test_chunked_bodies_in_large_reads_parse_exactly(chunk: int) -> None:
    tuning.apply()
    body = bytes(range(256)) * 1200
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    wire = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"
    reads = [wire[i : i + 200_000] for i in range(0, len(wire), 200_000)]
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    events = client_receiving(head, reads)
    received = b"".join(bytes(e.data) for e in events if isinstance(e, h11.Data))
    assert received == body
    assert isinstance(events[-1], h11.EndOfMessage)
