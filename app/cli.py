"""``courier send``: send a saved request from a terminal or a script, no display needed.

(``courier download``, a file straight to disk with resume: ``app.cli_download``;
``courier import`` / ``courier export``, curl commands in and curl or httpx code
out: ``app.cli_transfer``.)

    courier send REQUEST_FILE [--env NAME] [--var NAME=VALUE]... [-i] [-o FILE]
                 [--timeout S] [--fail]

The request's collection is found by walking up from the file to the nearest
``collection.yaml``; it is resolved exactly as the window would (folders,
collection, the environment active in the window or ``--env``, then ``--var``
over everything), secrets come from the OS keychain.  The body goes to stdout
as it arrives (``-o``: to a file, written whole or not at all), ``-i`` puts the
status line and headers first.

Exit status: 0 when a response arrived (``--fail``: 22 when it is 4xx/5xx, as
curl does), 1 when sending failed (Courier's message on stderr), 2 for a
usage or collection problem, or a secret the request needs that the keychain
could not give (locked, or no keychain: it is never sent empty; ``--var``
supplies a variable), 130 when interrupted.  This module never imports
PySide6 or qasync.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from app import cli_download, cli_transfer
from app.core.errors import CourierError, SecretUnavailable

if TYPE_CHECKING:
    from app.core.inherit import Resolution
    from app.core.model import Collection, Environment, Request
    from app.net.events import Event
    from app.net.exchange import Exchange
    from app.session import Session

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HTTP_ERROR = 22
EXIT_INTERRUPTED = 130
COLLECTION_FILE = "collection.yaml"
COMMANDS = frozenset({"send", "download", "import", "export"})


class UsageError(Exception):
    """Bad arguments or a collection that cannot be used: exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="courier", description="Courier on the command line (no window)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    send = commands.add_parser(
        "send",
        help="send a saved request and print the response body",
        description="Send a saved *.request.yaml as Courier's window would.",
    )
    send.add_argument("request_file", type=Path, metavar="REQUEST_FILE")
    send.add_argument(
        "--env",
        metavar="NAME",
        help="use this environment (default: the one active in the window, else the first)",
    )
    send.add_argument(
        "--var",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="set a variable, over every other definition (repeatable)",
    )
    send.add_argument(
        "-i", "--include", action="store_true", help="print the status line and headers first"
    )
    send.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the body to FILE")
    send.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="give up after S seconds in all (connect to last byte)",
    )
    send.add_argument(
        "--fail", action="store_true", help="exit with status 22 when the status is 4xx or 5xx"
    )
    cli_download.add_parser(commands)
    cli_transfer.add_parsers(commands)
    return parser


def find_collection_root(request_file: Path) -> Path:
    """The nearest directory above ``request_file`` that holds a collection.yaml (else,
    for another tool's request file, that tool's collection folder, read as it is)."""
    for directory in request_file.resolve().parents:
        if (directory / COLLECTION_FILE).is_file():
            return directory
    from app.session.foreign import foreign_root

    root = foreign_root(request_file)
    if root is not None:
        return root
    raise UsageError(
        f"{request_file} is not inside a Courier collection (no {COLLECTION_FILE} above it)."
    )


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var needs NAME=VALUE, got “{pair}”.")
        values[name.strip()] = value
    return values


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "download":
            return asyncio.run(cli_download.run_download(args))
        if args.command == "import":
            return cli_transfer.run_import(args)
        if args.command == "export":
            return asyncio.run(cli_transfer.run_export(args))
        return asyncio.run(_send(args))
    except cli_transfer.TransferUsageError as exc:
        print(f"courier: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"courier: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SecretUnavailable as exc:
        print(f"courier: {exc.title}: {exc.message}", file=sys.stderr)
        print("courier: a secret variable can be given with --var NAME=VALUE", file=sys.stderr)
        return EXIT_USAGE
    except CourierError as exc:
        print(f"courier: {exc.title}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("courier: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


@dataclasses.dataclass(slots=True)
class _Target:
    """The request to send and where it lives."""

    session: Session
    collection: Collection
    stored: Request
    environment: Environment | None


def _load(args: argparse.Namespace) -> _Target:
    return load_request(args.request_file, args.var, args.env)


def load_request(request_file: Path, var: Sequence[str], env: str | None) -> _Target:
    """A saved request, its collection and environment, in a new Session."""
    from app.session import Session

    if not request_file.is_file():
        raise UsageError(f"{request_file}: no such file.")
    root = find_collection_root(request_file)
    session = Session()
    session.overrides = parse_vars(var)
    collection = session.load_collection(root, settle_identity=False)  # a send changes no file
    wanted = request_file.resolve()
    for problem in collection.problems:
        if problem.path.resolve() == wanted:
            raise UsageError(f"{request_file} could not be read: {problem.reason}")
    stored = next(
        (r for _chain, r in collection.iter_requests() if r.path and r.path.resolve() == wanted),
        None,
    )
    if stored is None:
        raise UsageError(f"{request_file} is not a request of the collection in {root}.")
    environment = session.environment_named(collection, env) if env else None
    if not session.secrets.persistent:
        print(
            "courier: note: no working keychain, so secret values are unknown unless given "
            "with --var NAME=VALUE",
            file=sys.stderr,
        )
    return _Target(session, collection, stored, environment)


async def _send(args: argparse.Namespace) -> int:
    target = _load(args)
    session = target.session
    try:
        resolution = await session.prepare(
            target.stored, target.collection, target.stored, target.environment
        )
        if resolution.unresolved:
            names = ", ".join("{{" + n + "}}" for n in resolution.unresolved)
            print(
                f"courier: warning: {names} not defined (sent literally); set with --var",
                file=sys.stderr,
            )
        if args.timeout is not None:
            if args.timeout <= 0:
                raise UsageError("--timeout needs a number of seconds above 0.")
            request = resolution.request
            resolution = dataclasses.replace(
                resolution,
                request=dataclasses.replace(
                    request,
                    timeout_s=min(request.timeout_s, args.timeout),
                    deadline_s=args.timeout,
                ),
            )
        return await _run(session, resolution, args)
    finally:
        await session.aclose()


async def _run(session: Session, resolution: Resolution, args: argparse.Namespace) -> int:
    from app.net.events import HeadReceived
    from app.net.exchange import ExchangeState

    output: Path | None = args.output
    sink = _BodySink(output)
    exchange = session.new_exchange(resolution)

    def on_event(current: Exchange, event: Event) -> None:
        if isinstance(event, HeadReceived) and args.include:
            sink.write_head(current)
        sink.pump(current)

    try:
        await session.send(resolution, exchange, on_event)
        sink.pump(exchange)
    except BaseException:
        sink.abandon()
        raise
    if exchange.state is not ExchangeState.DONE:
        sink.abandon()
        error = exchange.error
        message = f"{error.title}: {error.message}" if error else "the request did not complete"
        print(f"courier: {message}", file=sys.stderr)
        return EXIT_FAILED
    sink.finish()
    status = exchange.response.status_code if exchange.response else 0
    if args.fail and status >= 400:
        print(f"courier: the server answered {status}", file=sys.stderr)
        return EXIT_HTTP_ERROR
    return EXIT_OK


class _BodySink:
    """Where the body goes as it arrives: stdout, or a file written whole or not at all."""

    def __init__(self, output: Path | None) -> None:
        self.output = output
        self.written = 0
        self._stream: IO[bytes]
        self._temp: str | None = None
        if output is None:
            self._stream = sys.stdout.buffer
        else:
            directory = output.parent if str(output.parent) else Path(".")
            fd, self._temp = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
            self._stream = os.fdopen(fd, "wb")

    def write_head(self, exchange: Exchange) -> None:
        head = exchange.response
        if head is None:
            return
        lines = [f"{head.http_version} {head.status_code} {head.reason}"]
        lines += [f"{name}: {value}" for name, value in head.headers]
        text = "\r\n".join(lines) + "\r\n\r\n"
        target = sys.stdout.buffer if self.output is not None else self._stream
        target.write(text.encode("latin-1", errors="replace"))
        target.flush()

    def pump(self, exchange: Exchange) -> None:
        """Write whatever arrived since the last call."""
        while self.written < exchange.received:
            block = exchange.body.read(self.written, 1024 * 1024)
            if not block:
                break
            self._stream.write(block)
            self.written += len(block)
        self._stream.flush()

    def finish(self) -> None:
        if self.output is None or self._temp is None:
            return
        self._stream.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._temp, 0o666 & ~umask)  # mkstemp made it private: as any new file
        os.replace(self._temp, self.output)
        self._temp = None

    def abandon(self) -> None:
        if self.output is None or self._temp is None:
            return
        self._stream.close()
        with contextlib.suppress(OSError):
            os.unlink(self._temp)
        self._temp = None
