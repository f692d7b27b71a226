"""Formatting jobs run in a worker process, driven by polling (no Qt here).

A view that wants a 1 GB body pretty-printed (or filtered) starts a
``FormatJob``: the body's file descriptor is inherited by a child process
(``app.core.viewing.format_worker``) that formats it with its own GIL and
appends to an unlinked temporary file; the view reads that file through
``job.output`` (a ``FileSource``) while it grows.  The owner calls ``poll()``
from a timer (it never blocks), ``update()`` when more of the body arrived,
and ``cancel()`` (or ``close()``) when the view goes away.

If the parent dies the child sees EOF on its stdin and exits, so no worker
outlives the window.  Bodies already in memory and under ``IN_PROCESS_LIMIT``
are cheaper to format right here: ``format_now``.

Packaging: a frozen build (PyInstaller) has no ``python -m``; there
``worker_command()`` runs the app's own executable with ``--format-worker``,
which the entry point must hand to ``format_worker.main``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from app.core.viewing.format_worker import KINDS, Formatted, format_bytes
from app.core.viewing.source import FileSource

IN_PROCESS_LIMIT: Final = 1 << 20
WORKER_MODULE: Final = "app.core.viewing.format_worker"
FROZEN_FLAG: Final = "--format-worker"


def format_now(kind: str, data: bytes, expression: str | None = None) -> Formatted:
    """Format a small body (under ``IN_PROCESS_LIMIT``) in this process."""
    return format_bytes(kind, data, expression)


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, FROZEN_FLAG]
    return [sys.executable, "-m", WORKER_MODULE]


def _worker_env() -> dict[str, str]:
    """The child must import ``app`` from wherever this process did."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    paths = [root, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


class FormatJob:
    """One formatting or filtering run in a child process."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        output: FileSource,
        readable: int,
        complete: bool,
    ) -> None:
        self._process = process
        self.output = output
        self._readable = readable
        self._complete = complete
        self._to_send = b""
        self._lines = b""
        self.done = False
        self.error: str | None = None
        self.count: int | None = None
        self.cancelled = False
        assert process.stdout is not None
        assert process.stdin is not None
        os.set_blocking(process.stdout.fileno(), False)
        os.set_blocking(process.stdin.fileno(), False)

    @classmethod
    def start(
        cls,
        kind: str,
        input_fd: int,
        *,
        readable: int,
        complete: bool,
        expression: str | None = None,
        temp_dir: str | None = None,
    ) -> FormatJob:
        """Start the child on ``input_fd`` (not closed here: the caller keeps owning it)."""
        if kind not in KINDS:
            raise ValueError(f"unknown format kind {kind!r}")
        if kind == "filter" and not expression:
            raise ValueError("a filter job needs an expression")
        out_fd, out_path = tempfile.mkstemp(prefix="courier-format-", dir=temp_dir)
        os.unlink(out_path)
        command = [*worker_command(), kind, str(input_fd), str(out_fd), "--readable", str(readable)]
        fds = [input_fd, out_fd]
        if kind == "json":  # a lowered copy: a find ignoring case scans it with ``find``
            lowered_fd, lowered_path = tempfile.mkstemp(prefix="courier-format-", dir=temp_dir)
            os.unlink(lowered_path)
            fds.append(lowered_fd)
            command += ["--lowered-fd", str(lowered_fd)]
        if complete:
            command.append("--complete")
        if expression is not None:
            command += ["--expression", expression]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=tuple(fds),
                env=_worker_env(),
            )
        except BaseException:
            for fd in fds[1:]:
                os.close(fd)
            raise
        # only the worker appends to it, and nobody else can open it: a search may map it
        output = FileSource(out_fd, mappable=True)
        if kind == "json":
            output.lowered = FileSource(fds[2], mappable=True)
        return cls(process, output, readable, complete)

    @property
    def pid(self) -> int:
        return self._process.pid

    def update(self, readable: int, complete: bool) -> None:
        """More of the input can be read (and maybe it is complete now)."""
        if self.done or self.cancelled:
            return
        if readable > self._readable:
            self._readable = readable
            self._to_send += f"readable {readable}\n".encode()
        if complete and not self._complete:
            self._complete = True
            self._to_send += b"complete\n"
        self._flush()

    def _flush(self) -> None:
        stdin = self._process.stdin
        if not self._to_send or stdin is None or stdin.closed:
            return
        try:
            sent = os.write(stdin.fileno(), self._to_send)
        except BlockingIOError:
            return
        except BrokenPipeError:
            self._to_send = b""
            return
        self._to_send = self._to_send[sent:]

    def poll(self) -> bool:
        """Read the child's reports without blocking; True if anything changed."""
        if self.done or self.cancelled:
            return False
        self._flush()
        stdout = self._process.stdout
        assert stdout is not None
        changed = False
        while not self.done:
            try:
                data = os.read(stdout.fileno(), 65536)
            except BlockingIOError:
                break
            if not data:
                if not self.done:  # the child ended without saying "done"
                    code = self._process.wait()
                    self.error = self.error or f"the format worker stopped (exit code {code})"
                    self._finish()
                    changed = True
                break
            changed = True
            lines = (self._lines + data).split(b"\n")
            self._lines = lines.pop()
            for line in lines:
                self._handle(line.decode("utf-8", "replace"))
        return changed

    def _handle(self, line: str) -> None:
        word, _, value = line.partition(" ")
        if word == "out":
            self.output.grow_to(int(value))
            if self.output.lowered is not None:
                self.output.lowered.grow_to(int(value))
        elif word == "count":
            self.count = int(value)
        elif word == "error":
            self.error = value
        elif word == "done":
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.output.finish()
        if self.output.lowered is not None:
            self.output.lowered.finish()
        self._close_pipes()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=1)

    def _close_pipes(self) -> None:
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):
                    pipe.close()

    def cancel(self) -> None:
        """Stop the child at once and free the output file."""
        if not self.done:
            self.cancelled = True
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        self._close_pipes()
        self._process.wait()
        self.output.close()
        if self.output.lowered is not None:
            self.output.lowered.close()

    close = cancel
