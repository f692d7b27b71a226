"""Fixtures for pytest-qt tests: an offscreen QApplication and a qasync loop.

``qtbot.waitSignal`` alone does not run asyncio, so tests that touch the network
drive the scenario with ``qasync_loop.run_until_complete(...)`` (see
``wait_for_signal``, ``run_until``; ``let_time_pass`` to prove nothing more
happens).  Never call ``qtbot.wait*`` inside a coroutine.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
        _kill_qasync_timers(loop)


def _kill_qasync_timers(loop: qasync.QEventLoop) -> None:
    """Stop the Qt timers a closed qasync loop leaves behind.

    ``close()`` only flags qasync's timer object as stopped; its Qt timers stay
    registered and fire later, inside the next test's loop, on an object that
    the garbage collector may have freed by then (a segfault in
    ``QCoreApplication::notifyInternal2``).  Kill them while the object is alive.
    (qasync is pinned < 0.29: these are its private names.)
    """
    timer = getattr(loop, "_timer", None)
    callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
    if timer is None or callbacks is None:
        return
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()
    gc.collect()


def wait_for_signal(loop: qasync.QEventLoop, signal: SignalInstance, timeout: float = 10.0) -> Any:
    """Run the qasync loop until ``signal`` fires; return its first argument (or None)."""
    future: asyncio.Future[Any] = loop.create_future()

    def on_signal(*args: Any) -> None:
        if not future.done():
            future.set_result(args[0] if args else None)

    signal.connect(on_signal)
    try:
        return loop.run_until_complete(asyncio.wait_for(future, timeout))
    finally:
        signal.disconnect(on_signal)


def run_until(loop: qasync.QEventLoop, predicate: Any, timeout: float = 10.0) -> None:
    """Run the qasync loop until ``predicate()`` is true (polled every 10 ms)."""

    async def poll() -> None:
        # Polling on purpose: the predicate reads widget state, which has no event.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    loop.run_until_complete(asyncio.wait_for(poll(), timeout))


def let_time_pass(loop: qasync.QEventLoop, seconds: float) -> None:
    """Run the qasync loop (asyncio callbacks and Qt events) for ``seconds``.

    For "nothing more happens" checks: ``run_until(loop, lambda: True, t)`` returns
    at once without running the loop, so it proves nothing; this really waits, and
    whatever was due in that time (tasks, timers, queued signals) gets to run.
    """
    loop.run_until_complete(asyncio.sleep(seconds))


__all__ = ["let_time_pass", "run_until", "wait_for_signal"]


@pytest.fixture
def window(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    """The real main window on a throw-away home and state file, prompts answered."""
    from app.services.sends import SendService
    from app.services.workspace import Workspace
    from app.ui.main_window import MainWindow

    monkeypatch.setenv("COURIER_HOME", str(tmp_path / "home"))
    workspace = Workspace(state_path=tmp_path / "state.json")
    win = MainWindow(workspace, SendService(workspace.session))
    win.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    win.ask_quit_with_downloads = lambda count: True  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.show()
    yield win
    qasync_loop.run_until_complete(win.sends.aclose())
    win.workbench.close()  # the history's writer and reader threads, its database
    workspace.demo.stop()
    # a QMimeData made in Python still on the clipboard when the interpreter exits
    # crashes it (PySide6, offscreen): Copy's tests leave none behind
    QGuiApplication.clipboard().clear()
