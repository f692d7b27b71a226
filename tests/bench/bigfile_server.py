"""A plain HTTP/1.1 server for one big file of zeros, for tests/bench/responsiveness.py.

Serves ``GET /big.bin`` (any path, in fact) from a sparse file made with
``truncate``, with ``Content-Length``, through ``socket.sendfile`` (the kernel
copies: loopback speed, next to nothing on the CPU).  It runs in its own
process so it never competes with the measured process for the GIL.  Prints
its base URL on one line, then serves until it is terminated.

    .venv/bin/python tests/bench/bigfile_server.py [--size BYTES]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GIB = 1 << 30


def make_handler(path: Path, size: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _head(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()

        def do_HEAD(self) -> None:
            self._head()

        def do_GET(self) -> None:
            self._head()
            with path.open("rb") as source:
                self.connection.sendfile(source)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=GIB)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)  # terminate() must still remove the file
    directory = tempfile.mkdtemp(prefix="courier-bench-big-")
    path = Path(directory) / "big.bin"
    try:
        with path.open("wb") as handle:
            handle.truncate(args.size)  # sparse: no disk used, reads are zeros
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(path, args.size))
        server.daemon_threads = True
        host, port = server.server_address[:2]
        print(f"http://{host}:{port}/big.bin", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
