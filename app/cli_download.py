"""``courier download``: a file straight to disk from a terminal, resumable.

    courier download URL_OR_REQUEST_FILE [-o PATH] [--env NAME] [--var NAME=VALUE]...
                     [--retries N] [--sha256 HEX] [--overwrite]

A URL is a plain GET; a ``*.request.yaml`` is resolved through its collection
exactly as ``courier send`` does.  ``-o PATH`` names the file (an existing
directory: the file goes in it); without it the file goes in the current
directory (as ``curl -O`` and ``wget`` do) under the name the server gives
(Content-Disposition) or the URL's.  An existing file is never replaced
(``NAME (1).EXT`` is used) unless ``--overwrite``.  Drops are retried with
resume; an interrupted run leaves ``NAME.part`` and ``NAME.part.json`` and the
same command resumes it.  The SHA-256 is printed on stdout at the end, as
``sha256sum`` prints it.  A progress bar goes to stderr when it is a terminal.

Exit status (as ``courier send``'s): 0 downloaded; 1 the download failed
(network after the retries, disk, or ``--sha256`` mismatch; what arrived is
kept for a resume); 2 usage or collection problem; 22 the server answered an
error status (4xx/5xx), as ``curl -f``; 130 interrupted (resume by running it
again).  Never imports Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.core.units import human_size

if TYPE_CHECKING:
    from app.net.downloads import DownloadOptions, DownloadSnapshot, DownloadTask
    from app.session import Session

#: progress lines per second when stderr is not a terminal (0: none)
PLAIN_LINES_EVERY_S = 5.0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    download = commands.add_parser(
        "download",
        help="download a URL or a saved request to a file (resumable)",
        description="Download straight to disk, with retries, resume and a SHA-256.",
    )
    download.add_argument("source", metavar="URL_OR_REQUEST_FILE")
    download.add_argument(
        "-o", "--output", type=Path, metavar="PATH", help="the file (or a directory for it)"
    )
    download.add_argument("--env", metavar="NAME", help="the environment (request files)")
    download.add_argument(
        "--var",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="set a variable, over every other definition (repeatable)",
    )
    download.add_argument(
        "--retries", type=int, default=8, metavar="N", help="automatic retries (default 8)"
    )
    download.add_argument("--sha256", metavar="HEX", help="fail unless the file has this SHA-256")
    download.add_argument(
        "--overwrite", action="store_true", help="replace an existing file at the destination"
    )


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


class ProgressLine:
    """A one-line progress bar on a terminal; occasional plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last_plain = time.monotonic()  # plain lines only for downloads that take a while
        self._drawn = False

    def show(self, snap: DownloadSnapshot) -> None:
        text = describe(snap)
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
            self._drawn = True
        elif time.monotonic() - self._last_plain >= PLAIN_LINES_EVERY_S:
            self._last_plain = time.monotonic()
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def describe(snap: DownloadSnapshot) -> str:
    """``[#####-----]  45%  450.0 MiB / 1.0 GiB  312.4 MiB/s  ETA 0:02``"""
    got = human_size(snap.received)
    speed = f"{human_size(snap.speed)}/s" if snap.speed else ""
    if snap.total:
        fraction = min(snap.received / snap.total, 1.0)
        bar = "#" * int(fraction * 20)
        eta = ""
        if snap.eta_s is not None:
            minutes, seconds = divmod(int(snap.eta_s), 60)
            eta = f"ETA {minutes}:{seconds:02d}"
        parts = [f"[{bar:-<20}]", f"{fraction:4.0%}", f"{got} / {human_size(snap.total)}"]
        parts += [speed, eta]
    else:
        parts = [got, speed]
    return "  ".join(p for p in parts if p)


async def run_download(args: argparse.Namespace) -> int:
    from app.cli import EXIT_FAILED, EXIT_HTTP_ERROR, EXIT_OK, UsageError
    from app.core.errors import HTTPStatusError
    from app.net.downloads import DownloadOptions, DownloadState

    if args.retries < 0:
        raise UsageError("--retries needs a number of at least 0.")
    expected = (args.sha256 or "").strip().lower()
    if expected and (len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected)):
        raise UsageError("--sha256 needs 64 hexadecimal digits.")
    options = DownloadOptions(
        retries=args.retries, expected_sha256=expected, overwrite=args.overwrite
    )
    destination, folder = where_to(args.output)
    progress = ProgressLine(sys.stderr)
    session, task = await _make_task(args, destination, folder, options, progress.show)
    try:
        try:
            snap = await task.run()
        finally:
            progress.end()
        for notice in snap.notices:
            print(f"courier: {notice}", file=sys.stderr)
        if snap.state is DownloadState.DONE:
            print(f"{snap.sha256}  {snap.destination}")
            return EXIT_OK
        error = snap.error
        message = f"{error.title}: {error.message}" if error else "the download did not complete"
        print(f"courier: {message}", file=sys.stderr)
        _say_what_is_kept(snap)
        return EXIT_HTTP_ERROR if isinstance(error, HTTPStatusError) else EXIT_FAILED
    except asyncio.CancelledError:
        _say_what_is_kept(task.snapshot())
        raise
    finally:
        await session.aclose()


def where_to(output: Path | None) -> tuple[Path | None, Path | None]:
    """(the file, or None and the folder it goes in, named from the response)."""
    from app.cli import UsageError

    if output is None:
        return None, Path.cwd()
    if output.is_dir():
        return None, output
    if not output.parent.is_dir():
        raise UsageError(f"{output.parent} is not a directory.")
    return output, None


def _say_what_is_kept(snap: DownloadSnapshot) -> None:
    if snap.destination is None:
        return
    part = snap.destination.with_name(snap.destination.name + ".part")
    if part.exists():
        print(
            f"courier: {human_size(part.stat().st_size)} kept in {part}; run the same "
            "command again to resume",
            file=sys.stderr,
        )


async def _make_task(
    args: argparse.Namespace,
    destination: Path | None,
    folder: Path | None,
    options: DownloadOptions,
    on_change: Callable[[DownloadSnapshot], None],
) -> tuple[Session, DownloadTask]:
    from app.cli import load_request, parse_vars
    from app.net.downloads import DownloadSource

    if is_url(args.source):
        from app.session import Session

        parse_vars(args.var)  # checked, though a plain URL has no variables
        session = Session()
        task = session.download_url(
            args.source, destination, folder=folder, options=options, on_change=on_change
        )
        return session, task
    target = load_request(Path(args.source), args.var, args.env)
    session = target.session
    try:
        resolution = await session.prepare(
            target.stored, target.collection, target.stored, target.environment
        )
    except BaseException:
        await session.aclose()
        raise
    if resolution.unresolved:
        names = ", ".join("{{" + n + "}}" for n in resolution.unresolved)
        print(
            f"courier: warning: {names} not defined (sent literally); set with --var",
            file=sys.stderr,
        )
    source = DownloadSource(
        collection=str(target.collection.path),
        request=str(target.stored.path),
        environment=args.env or "",
    )
    task = session.download(
        resolution, destination, folder=folder, source=source, options=options, on_change=on_change
    )
    return session, task
