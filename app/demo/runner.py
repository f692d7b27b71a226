"""DemoServer: the demo app served by hypercorn on 127.0.0.1, in a background thread.

The listening socket is bound before the thread starts (port 0: the system
picks a free one) and handed to hypercorn, so there is no window in which
another process can take the port.  HTTP/1.1 always; HTTP/2 too when TLS is on
(ALPN).  ``stop()`` shuts down cleanly and joins the thread.

Tests may bind another loopback address (``host="127.0.0.2"``: a second origin on
Linux) and lower ``keep_alive_max_requests`` (after that many requests on one
connection hypercorn closes it: ``Connection: close`` on HTTP/1.1, GOAWAY on HTTP/2).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from pathlib import Path
from types import TracebackType

from hypercorn.asyncio import serve
from hypercorn.config import Config

from app.demo.app import create_demo_app

HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0


class DemoServer:
    def __init__(
        self,
        *,
        port: int = 0,
        certfile: Path | None = None,
        keyfile: Path | None = None,
        client_ca: Path | None = None,
        host: str = HOST,
        keep_alive_max_requests: int | None = None,
    ) -> None:
        self._host = host
        self._port = port
        #: None keeps hypercorn's default (1000 requests per connection)
        self._keep_alive_max_requests = keep_alive_max_requests
        self._certfile = certfile
        self._keyfile = keyfile
        #: when set, clients must present a certificate signed by this CA (mutual TLS)
        self._client_ca = client_ca
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.base_url = ""

    @property
    def tls(self) -> bool:
        return self._certfile is not None

    def start(self) -> str:
        """Start serving; returns the base URL (``http(s)://HOST:PORT``)."""
        if self._thread is not None:
            return self.base_url
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError:
            sock.close()
            raise
        port = sock.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{sock.detach()}"]
        config.accesslog = None
        config.errorlog = None
        config.graceful_timeout = 0.5
        config.keep_alive_timeout = 30
        if self._keep_alive_max_requests is not None:
            config.keep_alive_max_requests = self._keep_alive_max_requests
        if self._certfile is not None:
            config.certfile = str(self._certfile)
            config.keyfile = str(self._keyfile) if self._keyfile else None
            if self._client_ca is not None:
                config.ca_certs = str(self._client_ca)
                config.verify_mode = ssl.CERT_REQUIRED
        scheme = "https" if self.tls else "http"
        self.base_url = f"{scheme}://{self._host}:{port}"
        self._thread = threading.Thread(
            target=self._run, args=(config,), name="courier-demo-server", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self._error is not None:
            self.stop()
            raise OSError(f"the demo server did not start: {self._error or 'timed out'}")
        self._wait_until_accepting(port)
        return self.base_url

    def _wait_until_accepting(self, port: int) -> None:
        for _ in range(300):
            try:
                with socket.create_connection((self._host, port), timeout=0.5):
                    return
            except OSError:
                threading.Event().wait(0.01)
        raise OSError("the demo server does not accept connections")

    def _run(self, config: Config) -> None:
        try:
            asyncio.run(self._serve(config))
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    async def _serve(self, config: Config) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await serve(create_demo_app(), config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop.set)
        thread.join(15)

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
