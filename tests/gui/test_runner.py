"""RequestRunner: engine events become Qt signals; Stop and a new Send cancel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import qasync

from app.core.resolved import ClientProfile, ResolvedRequest
from app.services.runner import RequestRunner
from tests.gui.conftest import run_until, wait_for_signal


@pytest.fixture
def runner(qasync_loop: qasync.QEventLoop) -> Iterator[RequestRunner]:
    r = RequestRunner()
    yield r
    qasync_loop.run_until_complete(r.aclose())


def record(runner: RequestRunner) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    for name in ("started", "head", "chunk", "finished", "failed", "stopped", "runningChanged"):
        signal = getattr(runner, name)
        signal.connect(lambda *args, n=name: seen.append((n, args[0] if args else None)))
    return seen


def test_send_emits_head_chunks_and_finished(
    runner: RequestRunner, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    seen = record(runner)
    profile = ClientProfile(key="c1", base_url=demo_server)
    runner.send(profile, ResolvedRequest("GET", "/posts/1"))
    finished = wait_for_signal(qasync_loop, runner.finished)
    names = [n for n, _ in seen]
    assert names[0] == "runningChanged"
    assert names.index("started") < names.index("head") < names.index("chunk")
    assert names.index("chunk") < names.index("finished")
    assert seen[names.index("head")][1].status_code == 200
    assert b'"id"' in finished.spool.read()
    run_until(qasync_loop, lambda: not runner.is_running())
    assert ("runningChanged", False) in seen


def test_the_pool_reuses_the_connection_across_sends(
    runner: RequestRunner, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    profile = ClientProfile(key="c1", base_url=demo_server)
    runner.send(profile, ResolvedRequest("GET", "/get"))
    first = wait_for_signal(qasync_loop, runner.finished)
    runner.send(profile, ResolvedRequest("GET", "/get"))
    second = wait_for_signal(qasync_loop, runner.finished)
    assert not first.timings.reused_connection
    assert second.timings.reused_connection


def test_stop_cancels_and_emits_stopped(
    runner: RequestRunner, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    seen = record(runner)
    runner.send(ClientProfile(), ResolvedRequest("GET", f"{demo_server}/delay/5"))
    wait_for_signal(qasync_loop, runner.started)
    runner.stop()
    assert not runner.is_running()
    run_until(qasync_loop, lambda: ("stopped", None) in seen)
    run_until(qasync_loop, lambda: True, 0.3)
    assert not any(n in {"finished", "failed"} for n, _ in seen)


def test_a_new_send_replaces_the_running_one(
    runner: RequestRunner, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    seen = record(runner)
    runner.send(ClientProfile(), ResolvedRequest("GET", f"{demo_server}/delay/5"))
    wait_for_signal(qasync_loop, runner.started)
    runner.send(ClientProfile(), ResolvedRequest("GET", f"{demo_server}/status/204"))
    finished = wait_for_signal(qasync_loop, runner.finished)
    assert finished.size == 0
    heads = [ev for n, ev in seen if n == "head"]
    assert [h.status_code for h in heads] == [204]


def test_failure_is_a_signal_not_an_exception(
    runner: RequestRunner, qasync_loop: qasync.QEventLoop, refused_port: int
) -> None:
    runner.send(ClientProfile(), ResolvedRequest("GET", f"http://127.0.0.1:{refused_port}/"))
    error = wait_for_signal(qasync_loop, runner.failed)
    assert error.title == "Connection refused"
    assert str(refused_port) in error.message
