"""Fixtures for pytest-qt tests: an offscreen QApplication and a qasync loop.

``qtbot.waitSignal`` alone does not run asyncio, so tests that touch the network
drive the scenario with ``qasync_loop.run_until_complete(...)`` (see
``wait_for_signal``).  Never call ``qtbot.wait*`` inside a coroutine.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication


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


__all__ = ["run_until", "wait_for_signal"]
