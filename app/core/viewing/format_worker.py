"""The format worker: a child process that formats or filters a body.

Formatting a large body is CPU work that would hold the GIL and stall the
window, so it runs here.  The parent (``app.services.format_jobs``) passes
two inherited file descriptors: the body (read with ``pread`` only up to the
size the parent says is readable) and an output file (usually unlinked) that
this process appends to.  Protocol, one line each:

- parent -> child on stdin: ``readable N`` (N bytes of input may be read),
  ``complete`` (the input will not grow).  EOF on stdin means the parent is
  gone or cancelled: the child exits at once.
- child -> parent on stdout: ``out N`` (the output now holds N bytes),
  ``count N`` (filter matches), ``error MSG`` (formatting stopped or failed),
  ``done`` (the output is final).

Usage: ``python -m app.core.viewing.format_worker KIND INPUT_FD OUTPUT_FD
[--readable N] [--complete] [--expression EXPR]`` with KIND json, xml or filter,
or find: the expression is a ``TextSearch.spec()`` with a ``start``, the input
complete; the output is the matches from ``start`` on as int64 (start, end)
pairs (the first ``cap``), then ``count N`` (half of a big body's find).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import sys
from array import array
from dataclasses import dataclass
from typing import Final

from app.core.units import human_size
from app.core.viewing.json_filter import FilterError, check_size, run_filter
from app.core.viewing.json_pretty import JsonPrettyPrinter, pretty_json
from app.core.viewing.xml_pretty import MAX_XML_BYTES, pretty_xml

KINDS: Final = ("json", "xml", "filter", "find")
#: input read per step: big enough for C-speed work, small enough to report often
CHUNK: Final = 1 << 20


@dataclass(frozen=True)
class Formatted:
    """The result of formatting a body held in memory."""

    text: bytes
    error: str | None = None
    count: int | None = None  # filter matches


def format_bytes(kind: str, data: bytes, expression: str | None = None) -> Formatted:
    """Format (or filter) a whole body in this process: for small bodies."""
    if kind == "json":
        text, error = pretty_json(data)
        return Formatted(text, error)
    if kind == "xml":
        text, error = pretty_xml(data)
        return Formatted(text, error)
    if kind == "filter":
        try:
            result = run_filter(data, expression or "")
        except FilterError as exc:
            return Formatted(b"", str(exc))
        return Formatted(result.text.encode("utf-8"), None, result.count)
    raise ValueError(f"unknown format kind {kind!r}")


class _ParentGone(Exception):
    pass


class _Worker:
    def __init__(
        self, input_fd: int, output_fd: int, readable: int, complete: bool, lowered_fd: int = -1
    ) -> None:
        self.input_fd = input_fd
        self.output_fd = output_fd
        self.lowered_fd = lowered_fd  # the output again, ASCII letters lowered (-1: none)
        self.readable = readable
        self.complete = complete
        self.written = 0
        self._stdin = sys.stdin.fileno()
        self._partial = b""

    # -- parent messages -------------------------------------------------

    def check_parent(self, *, wait: bool) -> None:
        """Read what the parent sent; block until something arrives if ``wait``."""
        while True:
            ready, _, _ = select.select([self._stdin], [], [], None if wait else 0)
            if not ready:
                return
            data = os.read(self._stdin, 65536)
            if not data:
                raise _ParentGone
            lines = (self._partial + data).split(b"\n")
            self._partial = lines.pop()
            for line in lines:
                word, _, value = line.decode("ascii", "replace").partition(" ")
                if word == "readable":
                    self.readable = max(self.readable, int(value))
                elif word == "complete":
                    self.complete = True
            if wait:
                return

    # -- output ----------------------------------------------------------

    def say(self, line: str) -> None:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            raise _ParentGone from None

    def write(self, data: bytes) -> None:
        if self.lowered_fd >= 0:  # first: the parent reads both up to what "out" says
            _write_all(self.lowered_fd, data.lower())
        _write_all(self.output_fd, data)
        if data:
            self.written += len(data)
            self.say(f"out {self.written}")

    def read(self, offset: int, size: int) -> bytes:
        parts: list[bytes] = []
        while size > 0:
            chunk = os.pread(self.input_fd, size, offset)
            if not chunk:
                break
            parts.append(chunk)
            offset += len(chunk)
            size -= len(chunk)
        return b"".join(parts)

    # -- jobs ------------------------------------------------------------

    def run_json(self) -> None:
        printer = JsonPrettyPrinter()
        position = 0
        reported_error = False
        while True:
            self.check_parent(wait=False)
            if position < self.readable:
                chunk = self.read(position, min(CHUNK, self.readable - position))
                if not chunk:  # the file is shorter than the parent said: wait for more
                    self.check_parent(wait=True)
                    continue
                position += len(chunk)
                self.write(printer.feed(chunk))
            elif self.complete:
                self.write(printer.finish())
                if printer.error and not reported_error:
                    self.say(f"error {printer.error}")
                return
            else:
                self.check_parent(wait=True)
            if printer.error and not reported_error:
                reported_error = True
                self.say(f"error {printer.error}")

    def run_find(self, spec_json: str | None) -> None:
        from app.core.viewing.search import TextSearch
        from app.core.viewing.source import FileSource

        while not self.complete:
            self.check_parent(wait=True)
        spec = json.loads(spec_json or "{}")
        mappable = bool(spec.get("mappable", False))
        source = FileSource(self.input_fd, self.readable, complete=True, mappable=mappable)
        search = TextSearch(
            source,
            spec["pattern"],
            case_sensitive=spec["case_sensitive"],
            encoding=spec["encoding"],
            cap=spec["cap"],
            start=spec["start"],
            stop=spec.get("stop"),
            mapped=mappable,
        )
        while not search.step(0.05):
            self.check_parent(wait=False)
        if search.error is not None:
            self.say(f"error {search.error}")
            return
        pairs = array("q")
        for start, end in search.matches:
            pairs.append(start)
            pairs.append(end)
        self.write(pairs.tobytes())
        self.say(f"count {search.count}")

    def wait_complete(self, limit: int) -> bytes | None:
        while not self.complete:
            if self.readable > limit:
                return None
            self.check_parent(wait=True)
        if self.readable > limit:
            return None
        return self.read(0, self.readable)

    def run_whole(self, kind: str, expression: str | None) -> None:
        limit = MAX_XML_BYTES if kind == "xml" else 1 << 62
        if kind == "filter":
            try:
                check_size(self.readable)
            except FilterError as exc:
                self.say(f"error {exc}")
                return
            from app.core.viewing.json_filter import MAX_FILTER_BYTES

            limit = MAX_FILTER_BYTES
        data = self.wait_complete(limit)
        if data is None:
            if kind == "filter":
                try:
                    check_size(self.readable)
                except FilterError as exc:
                    self.say(f"error {exc}")
            else:
                self.say(
                    f"error too large to format: {human_size(self.readable)} "
                    f"(limit {human_size(limit)})"
                )
            return
        result = format_bytes(kind, data, expression)
        del data
        self.write(result.text)
        if result.count is not None:
            self.say(f"count {result.count}")
        if result.error:
            self.say(f"error {result.error}")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="format_worker")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("input_fd", type=int)
    parser.add_argument("output_fd", type=int)
    parser.add_argument("--readable", type=int, default=0)
    parser.add_argument("--complete", action="store_true")
    parser.add_argument("--expression")
    parser.add_argument("--lowered-fd", type=int, default=-1)
    args = parser.parse_args(argv)
    worker = _Worker(args.input_fd, args.output_fd, args.readable, args.complete, args.lowered_fd)
    try:
        if args.kind == "json":
            worker.run_json()
        elif args.kind == "find":
            worker.run_find(args.expression)
        else:
            worker.run_whole(args.kind, args.expression)
        worker.say("done")
    except _ParentGone:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
