"""Saves reach the keychain from a worker thread, never the GUI thread, one save of a
collection at a time, while the window keeps running its event loop: checked
against the real keychain through a store that records where each call ran."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
import uuid
from pathlib import Path

import keyring
import qasync
from PySide6.QtCore import QTimer

from app.core import storage
from app.core.model import Auth, AuthKind, Request
from app.secrets import SecretStore
from app.secrets.store import SERVICE
from app.services.workspace import Workspace
from tests.secrets.conftest import require_keychain

#: how long each keychain write is held up: a slow D-Bus round trip (or a prompt)
SLOW_S = 0.15


class RecordingStore:
    """The real keychain, slowed down, recording the thread and overlap of each call."""

    def __init__(self, inner: SecretStore) -> None:
        self.inner = inner
        self.persistent = inner.persistent
        self.reason = inner.reason
        self.threads: list[threading.Thread] = []
        self.calls: list[str] = []
        self._running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def _enter(self, what: str) -> None:
        with self._lock:
            self.threads.append(threading.current_thread())
            self.calls.append(what)
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)

    def _leave(self) -> None:
        with self._lock:
            self._running -= 1

    def get(self, key: str) -> str | None:
        self._enter(f"get {key}")
        try:
            return self.inner.get(key)
        finally:
            self._leave()

    def set(self, key: str, value: str) -> None:
        self._enter(f"set {key}")
        try:
            time.sleep(SLOW_S)
            self.inner.set(key, value)
        finally:
            self._leave()

    def delete(self, key: str) -> None:
        self._enter(f"delete {key}")
        try:
            time.sleep(SLOW_S)
            self.inner.delete(key)
        finally:
            self._leave()


def test_saves_store_secrets_off_the_gui_thread_in_order_while_the_loop_runs(
    qasync_loop: qasync.QEventLoop, tmp_path: Path, courier_home: Path
) -> None:
    store = RecordingStore(require_keychain())
    collection = storage.create_collection(tmp_path / "api", "API")
    storage.add_request(collection, None, Request(name="First", url="/1"))
    storage.add_request(collection, None, Request(name="Second", url="/2"))
    ws = Workspace(state_path=tmp_path / "state.json", secrets=store)
    opened = ws.open_collection(tmp_path / "api")
    first, second = opened.requests
    passwords = [f"pw-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"]
    busy: list[tuple[str, str]] = []
    ws.busy.connect(lambda key, text: busy.append((key, text)))
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))

    def save(stored: Request, password: str) -> None:
        edited = copy.deepcopy(stored)
        edited.auth = Auth(kind=AuthKind.BASIC, username="ada", password=password)
        ws.save_request(opened, stored, edited)

    async def scenario() -> None:
        done = asyncio.get_running_loop().create_future()

        def click_both() -> None:
            # as two clicks would: plain Qt callbacks, the second one while the first
            # save is still in its worker (timers run while a save waits)
            QTimer.singleShot(0, lambda: save(second, passwords[1]))
            save(first, passwords[0])
            done.set_result(None)

        ticker.start()
        QTimer.singleShot(0, click_both)
        await asyncio.wait_for(done, 10)
        ticker.stop()

    qasync_loop.run_until_complete(scenario())

    sets = [(c, t) for c, t in zip(store.calls, store.threads, strict=True) if c.startswith("set")]
    assert len(sets) == 2
    main = threading.main_thread()
    assert all(thread is not main for _call, thread in sets), "keychain call on the GUI thread"
    assert store.most_at_once == 1, "two saves of one collection overlapped"
    # the window's loop kept turning while the keychain was slow
    assert len(ticks) >= 5
    assert busy
    assert busy[-1][1] == ""
    assert any(text.startswith("Saving") for _k, text in busy)
    # the result: each file names its password, the keychain holds it
    for request, password in zip((first, second), passwords, strict=True):
        assert request.path is not None
        text = request.path.read_text()
        assert password not in text
        assert request.auth.password == password
        key = f"{opened.id}/auth:{request.path.name}/password"
        assert keyring.get_password(SERVICE, key) == password
        keyring.delete_password(SERVICE, key)


def test_a_refused_keychain_write_leaves_the_file_as_it_was(
    qasync_loop: qasync.QEventLoop, tmp_path: Path, courier_home: Path
) -> None:
    class Refusing(RecordingStore):
        def set(self, key: str, value: str) -> None:
            self._enter(f"set {key}")
            self._leave()
            raise RuntimeError("the keychain said no")

    store = Refusing(require_keychain())
    collection = storage.create_collection(tmp_path / "api", "API")
    storage.add_request(collection, None, Request(name="Me", url="/me"))
    ws = Workspace(state_path=tmp_path / "state.json", secrets=store)
    opened = ws.open_collection(tmp_path / "api")
    stored = opened.requests[0]
    assert stored.path is not None
    before = stored.path.read_text()
    edited = copy.deepcopy(stored)
    edited.url = "/changed"
    edited.auth = Auth(kind=AuthKind.BEARER, token="tok")
    errors: list[str] = []

    async def scenario() -> None:
        done = asyncio.get_running_loop().create_future()

        def click() -> None:
            try:
                ws.save_request(opened, stored, edited)
            except Exception as exc:
                errors.append(str(exc))
            done.set_result(None)

        QTimer.singleShot(0, click)
        await asyncio.wait_for(done, 10)

    qasync_loop.run_until_complete(scenario())
    assert errors
    assert "nothing was saved" in errors[0]
    assert stored.path.read_text() == before
    assert stored.url == "/me"
    assert store.threads[0] is not threading.main_thread()
