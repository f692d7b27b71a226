"""The built-in demo server as a service: started on demand in a worker thread.

It serves on 127.0.0.1 at a free port in a background thread, so Courier works
offline out of the box; the sample collection reaches it through the
``{{$demo}}`` built-in variable.  Starting it waits for the server to accept
connections, which can take seconds on a busy machine: that wait happens in a
worker, never on the GUI thread (``start_async``), and ``startedAt`` /
``failed`` say how it went.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from app.demo.runner import DemoServer


class DemoService(QObject):
    startedAt = Signal(str)  # base URL
    starting = Signal()
    failed = Signal(str)  # why it could not start

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server: DemoServer | None = None
        self._starting: asyncio.Future[str] | None = None

    @property
    def base_url(self) -> str | None:
        return self._server.base_url if self._server is not None else None

    def is_running(self) -> bool:
        return self._server is not None

    async def start_async(self) -> str:
        """Start the server (once; concurrent callers share the start) and return its URL."""
        if self._server is not None:
            return self._server.base_url
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self._start())
        return await asyncio.shield(self._starting)

    def start_in_background(self) -> None:
        """Start it without waiting (e.g. when the demo collection opens)."""
        if self._server is None and (self._starting is None or self._starting.done()):
            self._starting = asyncio.ensure_future(self._start())
            # a failure is reported through ``failed``; nobody awaits this one
            self._starting.add_done_callback(lambda f: f.cancelled() or f.exception())

    async def _start(self) -> str:
        self.starting.emit()
        try:
            server = await asyncio.to_thread(_start_server)
        except OSError as exc:
            self.failed.emit(str(exc))
            raise
        self._server = server
        self.startedAt.emit(server.base_url)
        return server.base_url

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()


def _start_server() -> DemoServer:
    from app.demo.runner import DemoServer

    server = DemoServer()
    server.start()
    return server
