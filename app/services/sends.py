"""SendService: any number of exchanges at once, each stoppable on its own.

The widgets call ``send()`` / ``stop()`` and listen; they never see asyncio or
httpx.  Each send is one ``Exchange`` run by the Session on its own task.  The
engine's events become at most ~30 ``exchangeUpdated`` signals a second per
exchange (progress is coalesced by a timer); state changes (started, head,
finished) are signalled at once.  Upload progress (a file or multipart body
going out) is coalesced the same way.  Body bytes never travel through a signal:
views read what they show from the exchange's store.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QTimer, Signal

from app.core.errors import CourierError, NetworkError, RequestError
from app.core.inherit import Resolution
from app.core.model import Collection, Request
from app.core.viewing.charset import detect_charset
from app.core.viewing.sniff import media_type as sniffed_media_type
from app.net.cookie_jar import CookieRow
from app.net.events import Event, HeadReceived, Progress, Redirected, Started, Uploaded
from app.net.exchange import Exchange, ExchangeState
from app.net.sign_in import SIGN_IN_TIMEOUT_S, BrowserOpener, PendingSignIn
from app.session import Session

#: at most this often per exchange (about 30 times a second)
UPDATE_INTERVAL_MS = 33
#: "Copy" reads the body in pieces of this size (progress between them)
COPY_PIECE = 8 * 1024 * 1024


class SendService(QObject):
    exchangeStarted = Signal(Exchange)
    exchangeUpdated = Signal(Exchange)
    #: done, failed or stopped: the exchange's ``state`` says which
    exchangeFinished = Signal(Exchange)
    #: how many exchanges are running
    runningChanged = Signal(int)
    #: OAuth 2.0 "get new token": the token, masked for display / why it failed
    tokenReady = Signal(str)
    tokenFailed = Signal(str)
    #: an OAuth 2.0 browser sign-in waits for the user / has ended: its ``PendingSignIn``
    #: (the address to open or copy, ``cancel()``, time left, ``outcome`` once ended)
    signInStarted = Signal(object)
    signInEnded = Signal(object)
    #: "Save body…": (bytes copied, bytes in all), then the path or why it failed
    saveProgress = Signal(int, int)
    saveFinished = Signal(str)
    saveFailed = Signal(str)
    #: "Copy": (bytes read, bytes in all), then the body's original bytes, its media
    #: type (no parameters) and the body as UTF-8 text (the same bytes for a UTF-8
    #: body), or why it could not be read
    copyProgress = Signal(int, int)
    copyReady = Signal(QByteArray, str, QByteArray)
    copyFailed = Signal(str)

    def __init__(
        self,
        session: Session,
        parent: QObject | None = None,
        *,
        sign_in_timeout_s: float = SIGN_IN_TIMEOUT_S,
    ) -> None:
        super().__init__(parent)
        self.session = session
        #: how long a browser sign-in waits for the browser to come back
        self.sign_in_timeout_s = sign_in_timeout_s
        #: opens the sign-in address (the window installs the desktop's); None: Python's
        #: ``webbrowser``.  Returns False when no browser opened.
        self.browser_opener: BrowserOpener | None = None
        self._sign_ins: list[PendingSignIn] = []
        self._pool_ready = False
        self._tasks: dict[Exchange, asyncio.Task[None]] = {}
        self._dirty: dict[Exchange, None] = {}
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(UPDATE_INTERVAL_MS)
        self._timer.timeout.connect(self._flush_updates)

    # ------------------------------------------------------------- sending

    def running(self) -> list[Exchange]:
        return list(self._tasks)

    def is_running(self, exchange: Exchange | None) -> bool:
        return exchange is not None and exchange in self._tasks

    def send(
        self, request: Request, collection: Collection | None, stored: Request | None = None
    ) -> Exchange:
        """Start sending ``request``; returns its exchange at once.

        Raises ``CourierError`` when the request cannot be resolved (a variable
        expansion past its budget); every later failure is the exchange's.
        """
        resolution = self.session.resolve(request, collection, stored)
        exchange = self.session.new_exchange(resolution)
        task = asyncio.ensure_future(self._run(exchange, resolution, request, collection, stored))
        self._tasks[exchange] = task
        self.exchangeStarted.emit(exchange)
        self.runningChanged.emit(len(self._tasks))
        return exchange

    def stop(self, exchange: Exchange | None) -> bool:
        """Stop one exchange (what arrived stays in it); False if it was not running."""
        task = self._tasks.get(exchange) if exchange is not None else None
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def stop_all(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()

    async def _run(
        self,
        exchange: Exchange,
        resolution: Resolution,
        request: Request,
        collection: Collection | None,
        stored: Request | None,
    ) -> None:
        try:
            await self._prepare_sign_in()
            if resolution.needs_demo:  # the demo server starts in a worker, then resolve again
                resolution = await self.session.prepare(request, collection, stored)
            await self.session.send(resolution, exchange, self._on_event)
        except asyncio.CancelledError:
            if not exchange.finished:
                exchange.state = ExchangeState.STOPPED
        except OSError as exc:  # the demo server could not start
            _fail(exchange, NetworkError(f"The demo server could not start: {exc}"))
        except CourierError as exc:
            _fail(exchange, exc)
        except Exception as exc:  # a bug must surface in the pane, never kill the loop
            _fail(exchange, NetworkError("Courier could not send the request.", detail=repr(exc)))
        finally:
            self._tasks.pop(exchange, None)
            self._dirty.pop(exchange, None)
            self.exchangeFinished.emit(exchange)
            self.runningChanged.emit(len(self._tasks))

    def _on_event(self, exchange: Exchange, event: Event) -> None:
        if isinstance(event, Progress | Uploaded):  # coalesced: at most ~30 a second
            self._dirty[exchange] = None
            if not self._timer.isActive():
                self._timer.start()
        elif isinstance(event, Started | HeadReceived | Redirected):
            self._dirty.pop(exchange, None)
            self.exchangeUpdated.emit(exchange)

    def _flush_updates(self) -> None:
        dirty, self._dirty = list(self._dirty), {}
        for exchange in dirty:
            self.exchangeUpdated.emit(exchange)
        if not self._dirty and not self._tasks:
            self._timer.stop()

    # ---------------------------------------------------------- body copies

    def save_body(self, exchange: Exchange, path: Path) -> None:
        """Copy the whole body to ``path`` in a worker thread (atomically), with progress."""
        self._spawn(self._save_body(exchange, path))

    async def _save_body(self, exchange: Exchange, path: Path) -> None:
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            loop.call_soon_threadsafe(self.saveProgress.emit, done, total)

        try:
            await asyncio.to_thread(exchange.body.copy_to, path, progress)
        except (OSError, ValueError) as exc:
            self.saveFailed.emit(f"{path}: {getattr(exc, 'strerror', None) or exc}")
            return
        self.saveFinished.emit(str(path))

    def copy_body(self, exchange: Exchange, start: int = 0, end: int | None = None) -> None:
        """Read the whole body (or bytes ``start`` to ``end``: a big value of the JSON
        tree) in a worker thread for the clipboard, with progress.

        The bytes become a ``QByteArray`` in the worker too, so the GUI thread
        only hands them to the clipboard (no copy of a big body on it).
        """
        self._spawn(self._copy_body(exchange, start, end))

    async def _copy_body(self, exchange: Exchange, start: int, end: int | None) -> None:
        loop = asyncio.get_running_loop()
        head = exchange.response
        media_type, declared = sniffed_media_type(head.content_type if head else "")

        def read_all() -> tuple[QByteArray, QByteArray]:
            store = exchange.body
            stop = store.size if end is None else min(end, store.size)
            total = max(stop - start, 0)
            parts: list[bytes] = []
            done = 0
            while done < total:
                piece = store.read(start + done, min(COPY_PIECE, total - done))
                if not piece:
                    break
                parts.append(piece)
                done += len(piece)
                loop.call_soon_threadsafe(self.copyProgress.emit, done, total)
            raw = b"".join(parts)
            parts.clear()
            data = QByteArray(raw)
            # the text for pasting, decoded here too: never a big decode on the GUI thread
            charset = detect_charset(raw[:4096], declared or None).name
            if codecs.lookup(charset).name in ("utf-8", "ascii"):
                return data, data
            return data, QByteArray(raw.decode(charset, errors="replace").encode("utf-8"))

        try:
            data, text = await asyncio.to_thread(read_all)
        except (OSError, ValueError) as exc:
            self.copyFailed.emit(f"{getattr(exc, 'strerror', None) or exc}")
            return
        self.copyReady.emit(data, media_type, text)

    # --------------------------------------------------------------- tokens

    def fetch_token(
        self, request: Request, collection: Collection | None, stored: Request | None
    ) -> None:
        """Get a new OAuth 2.0 token now for the request's auth (the "Get new token" button)."""
        self._spawn(self._fetch_token(request, collection, stored))

    async def _fetch_token(
        self, request: Request, collection: Collection | None, stored: Request | None
    ) -> None:
        try:
            await self._prepare_sign_in()
            resolution = await self.session.prepare(request, collection, stored)
            if resolution.request.auth_mode == "none":
                self.tokenFailed.emit("This request does not use OAuth 2.0.")
                return
            auth = next(
                (
                    a
                    for a in (resolution.request.auth, resolution.profile.auth)
                    if a is not None and a.kind == "oauth2"
                ),
                None,
            )
            if auth is None:
                self.tokenFailed.emit("This request does not use OAuth 2.0.")
                return
            masked = await self.session.fetch_token(resolution.profile, auth)
        except CourierError as exc:
            self.tokenFailed.emit(exc.message)
            return
        except Exception as exc:  # OAuth2Error and anything the server said
            self.tokenFailed.emit(str(exc))
            return
        self.tokenReady.emit(masked)

    # ------------------------------------------------------------- sign-in

    def sign_ins(self) -> list[PendingSignIn]:
        """Browser sign-ins waiting for the user now."""
        return list(self._sign_ins)

    def cancel_sign_ins(self) -> None:
        for pending in list(self._sign_ins):
            pending.cancel()

    def sign_in_started(self, pending: PendingSignIn) -> None:
        """(``SignInPrompt``) a sign-in waits: the window shows its address and Cancel."""
        self._sign_ins.append(pending)
        self.signInStarted.emit(pending)

    def sign_in_ended(self, pending: PendingSignIn) -> None:
        if pending in self._sign_ins:
            self._sign_ins.remove(pending)
        self.signInEnded.emit(pending)

    async def _prepare_sign_in(self) -> None:
        """Browser sign-ins of the session's OAuth 2.0 tokens go through this service: its
        signals (the window's prompt), the window's browser, this timeout.  The network
        stack is imported in a worker the first time, as the Session does."""
        if not self._pool_ready:
            await asyncio.to_thread(lambda: self.session.pool)
            self._pool_ready = True
        tokens = self.session.pool.oauth
        tokens.prompt = self
        tokens.sign_in_timeout_s = self.sign_in_timeout_s
        if self.browser_opener is not None:
            tokens.open_browser = self.browser_opener

    # -------------------------------------------------------------- cookies

    def cookie_rows(self, key: str) -> list[CookieRow]:
        return self.session.pool.cookie_rows(key)

    def set_cookie(self, key: str, row: CookieRow) -> None:
        self.session.pool.set_cookie(key, row)
        self._spawn(self.session.save_cookies())

    def delete_cookie(self, key: str, row: CookieRow) -> None:
        self.session.pool.delete_cookie(key, row)
        self._spawn(self.session.save_cookies())

    def clear_cookies(self, key: str) -> None:
        self.session.pool.clear_cookies(key)
        self._spawn(self.session.save_cookies())

    def keep_session_cookies(self) -> bool:
        return self.session.state.keep_session_cookies

    def set_keep_session_cookies(self, keep: bool) -> None:
        self.session.set_keep_session_cookies(keep)
        self._spawn(self.session.save_cookies())

    # ------------------------------------------------------------- closing

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def aclose(self) -> None:
        """Stop every exchange and close every pooled client (on exit)."""
        tasks = list(self._tasks.values())
        self.cancel_sign_ins()
        self.stop_all()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for side in list(self._side_tasks):
            side.cancel()
        await self.session.aclose()
        self._timer.stop()


def _fail(exchange: Exchange, error: RequestError | CourierError) -> None:
    if not isinstance(error, RequestError):
        error = RequestError(error.message, detail=error.detail)
    exchange.error = error
    exchange.state = ExchangeState.FAILED
