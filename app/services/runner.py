"""RequestRunner: owns the one running send and turns engine events into Qt signals.

The widgets never see asyncio or httpx: they call ``send()`` / ``stop()`` and
listen.  A new ``send()`` cancels the one still running (as Stop does); the
collection's client stays in the pool, so the next send reuses its connection.
The network modules are imported on first use, which keeps start-up fast.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core.errors import RequestError
from app.core.resolved import ClientProfile, ResolvedRequest

if TYPE_CHECKING:
    from app.net.clients import ClientPool


class RequestRunner(QObject):
    """One send at a time, on the qasync loop.

    Signals carry the engine's plain-data events: ``head`` a ``ResponseHead``,
    ``chunk`` the bytes of one ``BodyChunk``, ``finished`` a ``Finished``,
    ``failed`` a ``RequestError``.
    """

    started = Signal(str, str)
    head = Signal(object)
    chunk = Signal(bytes)
    finished = Signal(object)
    failed = Signal(object)
    stopped = Signal()
    runningChanged = Signal(bool)
    #: OAuth 2.0 "get new token": the token, masked for display / why it failed
    tokenReady = Signal(str)
    tokenFailed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ClientPool | None = None
        self._task: asyncio.Task[None] | None = None
        #: the spool of the last finished response (the caller may save it)
        self.last_spool: Any = None
        self._token_tasks: set[asyncio.Task[None]] = set()

    @property
    def pool(self) -> ClientPool:
        if self._pool is None:
            from app.net.clients import ClientPool

            self._pool = ClientPool()
        return self._pool

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def send(self, profile: ClientProfile, request: ResolvedRequest) -> None:
        """Start sending ``request`` on the client configured by ``profile``."""
        self._cancel_running()
        self._release_last_spool()
        self._task = asyncio.ensure_future(self._run(profile, request))
        self.runningChanged.emit(True)

    def stop(self) -> None:
        """Cancel the running send; what arrived so far stays on screen."""
        if self._cancel_running():
            self.stopped.emit()
            self.runningChanged.emit(False)

    def _cancel_running(self) -> bool:
        task = self._task
        self._task = None
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def _release_last_spool(self) -> None:
        if self.last_spool is not None:
            self.last_spool.close()
            self.last_spool = None

    async def _run(self, profile: ClientProfile, request: ResolvedRequest) -> None:
        from app.net import engine
        from app.net.events import BodyChunk, Failed, Finished, ResponseHead, Started

        me = asyncio.current_task()
        try:
            client = self.pool.client_for(profile)
            async for event in engine.send(client, request, oauth=self.pool.oauth):
                if isinstance(event, Started):
                    self.started.emit(event.method, event.url)
                elif isinstance(event, ResponseHead):
                    self.head.emit(event)
                elif isinstance(event, BodyChunk):
                    self.chunk.emit(event.data)
                elif isinstance(event, Finished):
                    self.last_spool = event.spool
                    self.pool.save_cookies()
                    self.finished.emit(event)
                elif isinstance(event, Failed):
                    self.pool.save_cookies()
                    self.failed.emit(event.error)
        except asyncio.CancelledError:
            raise
        except RequestError as exc:  # e.g. a client certificate that cannot be loaded
            self.failed.emit(exc)
        except Exception as exc:  # a bug must surface in the pane, never kill the loop
            from app.core.errors import NetworkError

            self.failed.emit(NetworkError("Courier could not send the request.", detail=repr(exc)))
        finally:
            if self._task is me:  # not replaced by a newer send, not stopped
                self._task = None
                self.runningChanged.emit(False)

    def fetch_token(self, auth: Any) -> None:
        """Get a new OAuth 2.0 token now (the "Get new token" button)."""
        task = asyncio.ensure_future(self._fetch_token(auth))
        self._token_tasks.add(task)
        task.add_done_callback(self._token_tasks.discard)

    async def _fetch_token(self, auth: Any) -> None:
        from app.net.oauth2 import OAuth2Error

        try:
            token = await self.pool.oauth.token(auth, force=True)
        except OAuth2Error as exc:
            self.tokenFailed.emit(str(exc))
            return
        self.tokenReady.emit(token.masked())

    def token_status(self, auth: Any) -> str:
        """The cached token of ``auth``, masked, or "" when there is none."""
        token = self.pool.oauth.cached(auth)
        return token.masked() if token is not None else ""

    # the cookie manager's view of a collection's jar (key: the collection id)

    def cookie_rows(self, key: str) -> list[Any]:
        return self.pool.cookie_rows(key)

    def set_cookie(self, key: str, row: Any) -> None:
        self.pool.set_cookie(key, row)

    def delete_cookie(self, key: str, row: Any) -> None:
        self.pool.delete_cookie(key, row)

    def clear_cookies(self, key: str) -> None:
        self.pool.clear_cookies(key)

    async def aclose(self) -> None:
        """Cancel any send and close every pooled client (on exit)."""
        task = self._task
        self._cancel_running()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._release_last_spool()
        for token_task in list(self._token_tasks):
            token_task.cancel()
        if self._pool is not None:
            await self._pool.aclose()
