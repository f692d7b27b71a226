"""curl in the window: a curl command pasted into a URL bar becomes that request, File ▸
Import ▸ curl takes several at once, and Copy as curl / Copy as httpx code export the
active tab's request (``app.core.importers`` and ``app.core.exporters`` do the work).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit

from app.core.exporters import SecretEnv, flatten, to_curl, to_httpx
from app.core.importers import (
    CurlImport,
    MalformedImport,
    looks_like_curl,
    parse_curl,
    to_request,
)
from app.core.inherit import effective_auth
from app.core.model import Collection, Request
from app.services.workspace import Workspace


class CurlPaste(QObject):
    """Watches one URL bar: a pasted (or typed-in-one-go) curl command is parsed instead
    of landing in the bar as a URL.  ``imported`` carries the parse; ``failed`` the
    message (line and column) — the bar keeps what it had."""

    imported = Signal(object)
    failed = Signal(str)

    def __init__(self, line_edit: QLineEdit, base_dir: Callable[[], Path]) -> None:
        super().__init__(line_edit)
        self._line_edit = line_edit
        self._base_dir = base_dir
        line_edit.installEventFilter(self)
        # the context menu's Paste, a drop, or a one-line command typed whole
        line_edit.textEdited.connect(self._on_edited)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._line_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
        ):
            text = QGuiApplication.clipboard().text()
            if looks_like_curl(text):  # whole, newlines and all (a QLineEdit drops them)
                self.take(text)
                return True
        return False

    def _on_edited(self, text: str) -> None:
        if looks_like_curl(text):
            self.take(text)

    def take(self, text: str) -> asyncio.Future[None]:
        """Parse ``text`` in a worker (``-d @file`` reads the file) and say the result."""
        return asyncio.ensure_future(self._take(text, self._base_dir()))

    async def _take(self, text: str, base_dir: Path) -> None:
        try:
            parsed = await asyncio.to_thread(parse_curl, text, base_dir=base_dir)
        except MalformedImport as exc:
            self.failed.emit(f"Not a curl command Courier can read: {exc}")
            return
        if parsed.requests:
            self.imported.emit(parsed)


def requests_of(parsed: CurlImport) -> list[Request]:
    return [to_request(item) for item in parsed.requests]


def curl_command(
    workspace: Workspace, request: Request, collection: Collection | None, stored: Request
) -> str:
    """The active request as a curl command (secrets included: it is meant to be run)."""
    return to_curl(workspace.resolve(request, collection, stored))


def httpx_code(
    workspace: Workspace,
    request: Request,
    collection: Collection | None,
    stored: Request,
    style: str = "httpx-client",
) -> str:
    """The active request as httpx code; secrets read from environment variables."""
    resolution = workspace.resolve(request, collection, stored)
    secrets = SecretEnv()
    if collection is not None:
        chain = collection.folder_chain(stored) or ()
        secrets.add_variables(collection, chain, workspace.active_environment(collection))
        typed, _source = effective_auth(request, chain, collection)
        secrets.add_references(typed, flatten.effective_auth(resolution))
    code = to_httpx([(request.name, resolution)], style, secrets)
    if code.environment:
        names = " ".join(sorted(code.environment))
        return f"# reads secrets from the environment: {names}\n{code.text}"
    return code.text
