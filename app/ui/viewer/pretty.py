"""Pretty text of a JSON or XML body, while it arrives and at any size.

A body still in memory (the store's first MiB) is formatted here, a piece per
tick; once the body spools to disk, a worker process formats it from the file
(the GIL would stall the window on a big one), and the view switches to the
worker's output as soon as that has overtaken what was formatted here.  XML is
formatted once complete (indenting needs the whole document); until then the
view shows it as it arrives.
"""

from __future__ import annotations

import time

from app.core.units import human_size
from app.core.viewing.json_pretty import JsonPrettyPrinter
from app.core.viewing.source import ByteSource, MemorySource
from app.core.viewing.xml_pretty import pretty_xml
from app.services.format_jobs import FormatJob
from app.ui.viewer.sources import ExchangeBody

#: the most body bytes formatted here per tick
PIECE = 64 * 1024
#: a body formatted by the worker still has this much formatted here, for the first screen
FIRST_SCREEN = 128 * 1024
#: XML up to this size is formatted in this process once complete
XML_HERE = 1024 * 1024


class PrettyText:
    """The pretty text of one body (``kind`` "json" or "xml") as a growing source."""

    def __init__(self, body: ExchangeBody, kind: str) -> None:
        self.body = body
        self.kind = kind
        self._here = MemorySource(complete=False)
        self._printer = JsonPrettyPrinter() if kind == "json" else None
        self._fed = 0
        self._job: FormatJob | None = None
        self._source: ByteSource = self._here if kind == "json" else body
        self.error = ""
        self.closed = False

    @property
    def source(self) -> ByteSource:
        return self._source

    @property
    def formatted(self) -> bool:
        """The source shown is formatted text (XML: before completion it is the body)."""
        return self._source is not self.body

    def settled(self) -> bool:
        """Everything there will be is formatted (or the body is shown as it came)."""
        if not self.body.complete():
            return False
        if self._job is not None:
            return self._job.done
        if self.kind == "json":
            return self._here.complete()
        return self._source is not self.body or bool(self.error)

    def status(self) -> str:
        """A short line for the view bar: a big body's formatting under way, or an error."""
        if self.error:
            return self.error
        job = self._job
        if job is not None and not job.done:
            done = human_size(job.output.size())
            return f"Formatting {human_size(self.body.size())}… {done} so far"
        return ""

    def pump(self, budget_s: float) -> bool:
        """Format more within ``budget_s``; True when ``source`` is now another object."""
        if self.closed:
            return False
        before = self._source
        if self.kind == "json":
            self._pump_json(budget_s)
        else:
            self._pump_xml()
        return self._source is not before

    def _pump_json(self, budget_s: float) -> None:
        body = self.body
        if self._job is None and body.file_descriptor() >= 0 and not self._here.complete():
            self._start_job("json")
        printer = self._printer
        assert printer is not None
        # the first screen is formatted here even when a worker takes over: it shows
        # at once while the worker starts (an interpreter, ~0.1-0.2 s)
        limit = body.size() if self._job is None else min(body.size(), FIRST_SCREEN)
        deadline = time.perf_counter() + budget_s
        while self._fed < limit and time.perf_counter() < deadline:
            data = body.read(self._fed, min(PIECE, limit - self._fed))
            if not data:
                break
            self._fed += len(data)
            self._here.append(printer.feed(data))
        if self._job is not None:
            self._follow_job()
            return
        if body.complete() and self._fed >= body.size() and not self._here.complete():
            self._here.append(printer.finish())
            self._here.finish()
            if printer.error:
                self.error = f"Not valid JSON ({printer.error}): shown as it came from there on"

    def _pump_xml(self) -> None:
        body = self.body
        if not body.complete() or self._source is not body:
            if self._job is not None:
                self._follow_job()
            return
        if body.file_descriptor() < 0 and body.size() <= XML_HERE:
            text, error = pretty_xml(body.read(0, body.size()))
            if error:
                self.error = f"Not well-formed XML ({error}): shown as it came"
                self._source = body
            else:
                self._source = MemorySource(text)
            return
        if self._job is None:
            self._start_job("xml")

    def _start_job(self, kind: str) -> None:
        body = self.body
        self._job = FormatJob.start(
            kind, body.file_descriptor(), readable=body.written(), complete=False
        )

    def _follow_job(self) -> None:
        job = self._job
        assert job is not None
        body = self.body
        written = body.written()
        job.update(written, body.complete() and written >= body.size())
        job.poll()
        if job.error and not self.error:
            self.error = job.error
        output = job.output
        if self.kind == "xml":
            # XML is whole-document: its text replaces the body only once it is all
            # there, and never on an error (the body as it came stays on show)
            overtaken = job.done and not job.error
        else:
            overtaken = job.done or output.size() > self._here.size()
        if overtaken:
            self._source = output

    def close(self) -> None:
        self.closed = True
        if self._job is not None:
            self._job.cancel()
            self._job = None
