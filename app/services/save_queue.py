"""Saves run in a worker thread, one queue per collection, while the window waits live.

A save stores secrets in the keychain before it writes the file: D-Bus round
trips that can take long (a locked keychain may even show a prompt).  On the
GUI thread that would freeze the window, so the workspace hands each save's
keychain-and-file work to its collection's queue: a single worker thread, so
two saves of one collection (of one item, say) never run at the same time and
always run in the order they were asked for.

The widgets that save want an answer (saved, or why not) before they go on,
as they did when saves were synchronous, so ``wait`` keeps the Qt event loop
running until the work is done: the window repaints, the busy indicator
turns, sends and timers go on, but user input waits (Qt delivers it after),
so the user cannot start something that depends on a save still under way.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, Signal

_T = TypeVar("_T")


class SaveQueue:
    """One single-thread worker per collection (keyed by the caller, e.g. ``id(collection)``)."""

    def __init__(self) -> None:
        self._workers: dict[int, concurrent.futures.ThreadPoolExecutor] = {}

    def submit(self, key: int, work: Callable[[], _T]) -> concurrent.futures.Future[_T]:
        worker = self._workers.get(key)
        if worker is None:
            worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="courier-save")
            self._workers[key] = worker
        return worker.submit(work)

    def retire(self, key: int) -> None:
        """The collection closed: its worker ends after what it was given (not waited for)."""
        worker = self._workers.pop(key, None)
        if worker is not None:
            worker.shutdown(wait=False)

    def close(self) -> None:
        for key in list(self._workers):
            self.retire(key)


class _Waker(QObject):
    """Carries "done" from the worker thread to the waiting loop (a queued signal)."""

    done = Signal()


def wait(future: concurrent.futures.Future[_T]) -> _T:
    """The result of ``future``, the Qt event loop kept running meanwhile (no user input).

    Without a running asyncio loop on this thread (a script, a test calling in
    directly) or from inside an asyncio task (a nested loop would step other
    tasks inside it, which asyncio forbids), it simply blocks: the work still
    runs in its worker, in its collection's order.
    """
    if not future.done() and _may_spin():
        loop = QEventLoop()
        waker = _Waker()
        waker.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
        future.add_done_callback(lambda _f: waker.done.emit())
        if not future.done():
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    return future.result()


def _may_spin() -> bool:
    if QCoreApplication.instance() is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return asyncio.current_task() is None
