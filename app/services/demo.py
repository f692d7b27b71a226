"""The built-in demo server as a service: started on demand, stopped on exit.

It serves on 127.0.0.1 at a free port in a background thread, so Courier works
offline out of the box; the sample collection reaches it through the
``{{$demo}}`` built-in variable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from app.demo.runner import DemoServer


class DemoService(QObject):
    startedAt = Signal(str)  # base URL

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server: DemoServer | None = None

    @property
    def base_url(self) -> str | None:
        return self._server.base_url if self._server is not None else None

    def is_running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Start the server (once) and return its base URL."""
        if self._server is None:
            from app.demo.runner import DemoServer

            server = DemoServer()
            server.start()
            self._server = server
            self.startedAt.emit(server.base_url)
        return self._server.base_url

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
