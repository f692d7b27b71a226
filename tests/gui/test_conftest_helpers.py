"""The loop helpers of tests/gui/conftest.py do what their names say: a helper that
cannot fail would let every "nothing more happens" check pass unseen."""

from __future__ import annotations

import time

import qasync
from PySide6.QtCore import QTimer

from tests.gui.conftest import let_time_pass, run_until


def test_let_time_pass_runs_what_falls_due_and_nothing_early(
    qasync_loop: qasync.QEventLoop,
) -> None:
    ran: list[str] = []
    qasync_loop.call_later(0.1, ran.append, "asyncio")
    QTimer.singleShot(100, lambda: ran.append("qt"))
    qasync_loop.call_later(1.0, ran.append, "late")

    assert ran == [], "nothing runs before the loop does"
    let_time_pass(qasync_loop, 0.05)
    assert ran == [], "not due yet after 0.05 s"
    started = time.monotonic()
    let_time_pass(qasync_loop, 0.2)
    elapsed = time.monotonic() - started

    assert sorted(ran) == ["asyncio", "qt"], "asyncio and Qt timers both ran"
    # Qt's coarse timers may fire up to 5 % early
    assert elapsed >= 0.19, f"let_time_pass(0.2) returned after {elapsed:.3f} s"


def test_run_until_does_not_wait_for_a_true_predicate(qasync_loop: qasync.QEventLoop) -> None:
    """Why let_time_pass exists: run_until with a predicate already true returns at
    once, so it cannot stand for "wait and see"."""
    ran: list[int] = []
    qasync_loop.call_later(0.05, ran.append, 1)
    started = time.monotonic()
    run_until(qasync_loop, lambda: True, 1)
    assert time.monotonic() - started < 0.05
    assert ran == []
    let_time_pass(qasync_loop, 0.1)
    assert ran == [1]
