"""SendService: many exchanges at once, each stoppable on its own, throttled typed
signals, bodies that outlive the send, body copies and demo start off the GUI thread."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync

from app.core.model import Auth, AuthKind, Collection, Folder, Request, Variable
from app.net.exchange import Exchange, ExchangeState
from app.secrets import MemoryStore
from app.services.demo import DemoService
from app.services.sends import UPDATE_INTERVAL_MS, SendService
from app.session import Session
from tests.gui.conftest import let_time_pass, run_until, wait_for_signal


@pytest.fixture
def sends(qasync_loop: qasync.QEventLoop, tmp_path: Path) -> Iterator[SendService]:
    demo = DemoService()
    service = SendService(
        Session(secrets=MemoryStore(), state_path=tmp_path / "state.json", demo=demo)
    )
    yield service
    qasync_loop.run_until_complete(service.aclose())


def record(service: SendService) -> list[tuple[str, Exchange]]:
    seen: list[tuple[str, Exchange]] = []
    for name in ("exchangeStarted", "exchangeUpdated", "exchangeFinished"):
        getattr(service, name).connect(lambda x, n=name: seen.append((n, x)))
    return seen


def wait_finished(loop: qasync.QEventLoop, service: SendService, exchange: Exchange) -> None:
    run_until(loop, lambda: exchange.finished and not service.is_running(exchange), 15)


def test_send_signals_started_updated_finished_with_the_exchange(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    seen = record(sends)
    exchange = sends.send(Request(name="r", url=f"{demo_server}/posts/1"), None)
    assert seen[0] == ("exchangeStarted", exchange)
    assert sends.is_running(exchange)
    finished = wait_for_signal(qasync_loop, sends.exchangeFinished)
    assert finished is exchange
    assert exchange.state is ExchangeState.DONE
    assert json.loads(exchange.body.read())["id"] == 1
    assert ("exchangeUpdated", exchange) in seen
    assert not sends.is_running(exchange)


def test_concurrent_sends_from_two_folders_each_with_their_own_token(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    in_a, in_b = Request(name="a", url="/headers"), Request(name="b", url="/headers")
    collection = Collection(
        name="c",
        base_url=demo_server,
        auth=Auth(kind=AuthKind.BEARER, token="{{token}}"),
        folders=[
            Folder(name="A", variables=[Variable("token", "token-A")], requests=[in_a]),
            Folder(name="B", variables=[Variable("token", "token-B")], requests=[in_b]),
        ],
    )
    exchanges = [sends.send(r, collection, r) for r in (in_a, in_b, in_a, in_b)]
    assert len(sends.running()) == 4, "all four run at once"
    run_until(qasync_loop, lambda: all(x.finished for x in exchanges), 15)
    tokens = [json.loads(x.body.read())["headers"]["authorization"] for x in exchanges]
    assert tokens == ["Bearer token-A", "Bearer token-B"] * 2


def test_stop_one_exchange_the_other_goes_on_and_nothing_more_arrives(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    streaming = sends.send(
        Request(name="s", url=f"{demo_server}/drip?numbytes=40&duration=4"), None
    )
    other = sends.send(Request(name="o", url=f"{demo_server}/delay/1"), None)
    run_until(qasync_loop, lambda: streaming.received >= 2, 10)
    assert sends.stop(streaming)
    run_until(qasync_loop, lambda: streaming.finished, 5)
    assert streaming.state is ExchangeState.STOPPED
    kept = streaming.received
    assert 0 < kept < 40
    let_time_pass(qasync_loop, 0.5)
    assert streaming.received == kept, "nothing more arrives after Stop"
    assert not sends.stop(streaming), "stopping twice does nothing"
    wait_finished(qasync_loop, sends, other)
    assert other.state is ExchangeState.DONE
    assert streaming.body.read() == b"*" * kept, "a stopped exchange keeps what arrived"


def test_updates_are_throttled_to_the_screens_pace(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    seen = record(sends)
    started = time.monotonic()
    # 2,000 bytes over 2 s, each in its own read: 2,000 progress events from the engine
    url = f"{demo_server}/drip?numbytes=2000&duration=2"
    exchange = sends.send(Request(name="drip", url=url), None)
    wait_finished(qasync_loop, sends, exchange)
    elapsed = time.monotonic() - started
    updates = sum(1 for name, x in seen if name == "exchangeUpdated" and x is exchange)
    assert exchange.received == 2000
    # started + head are immediate; progress at most once per interval
    assert updates <= 3 + elapsed / (UPDATE_INTERVAL_MS / 1000) + 2, (updates, elapsed)
    # ... yet the view is kept up to date while the body trickles in over 2 s
    assert updates >= 5, (updates, elapsed)


def test_a_body_outlives_the_next_send(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    request = Request(name="r", url=f"{demo_server}/bytes/3000000?seed=same")
    first = sends.send(request, None)
    wait_finished(qasync_loop, sends, first)
    second = sends.send(request, None)
    wait_finished(qasync_loop, sends, second)
    assert first.body.read() == second.body.read()


def test_save_body_copies_in_a_worker_with_progress(
    sends: SendService,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exchange = sends.send(Request(name="r", url=f"{demo_server}/bytes/9000000"), None)
    wait_finished(qasync_loop, sends, exchange)
    threads: list[str] = []
    original = type(exchange.body).copy_to

    def recording(self: object, path: Path, progress: object = None) -> None:
        threads.append(threading.current_thread().name)
        original(self, path, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(type(exchange.body), "copy_to", recording)
    progress: list[tuple[int, int]] = []
    sends.saveProgress.connect(lambda done, total: progress.append((done, total)))
    target = tmp_path / "body.bin"
    sends.save_body(exchange, target)
    saved = wait_for_signal(qasync_loop, sends.saveFinished, 15)
    assert saved == str(target)
    assert target.read_bytes() == exchange.body.read()
    assert threads
    assert threads[0] != threading.main_thread().name
    run_until(qasync_loop, lambda: (9_000_000, 9_000_000) in progress, 5)


def test_saving_into_a_missing_folder_fails_clearly(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str, tmp_path: Path
) -> None:
    exchange = sends.send(Request(name="r", url=f"{demo_server}/bytes/10"), None)
    wait_finished(qasync_loop, sends, exchange)
    sends.save_body(exchange, tmp_path / "nope" / "body.bin")
    message = wait_for_signal(qasync_loop, sends.saveFailed, 15)
    assert "nope" in message


def test_the_demo_server_starts_in_a_worker_thread(
    sends: SendService, qasync_loop: qasync.QEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import demo

    threads: list[str] = []
    original = demo._start_server

    def recording() -> object:
        threads.append(threading.current_thread().name)
        return original()

    monkeypatch.setattr(demo, "_start_server", recording)
    exchange = sends.send(Request(name="r", url="{{$demo}}/posts/1"), None)
    assert exchange.state is ExchangeState.PENDING, "nothing blocked: the start is under way"
    wait_finished(qasync_loop, sends, exchange)
    assert exchange.state is ExchangeState.DONE, exchange.error
    assert json.loads(exchange.body.read())["id"] == 1
    assert threads
    assert threads[0] != threading.main_thread().name


def test_a_template_error_is_raised_before_anything_runs(sends: SendService) -> None:
    from app.core.errors import ExpansionTooLarge

    values = [Variable(f"v{i}", f"{{{{v{i + 1}}}}}" * 10) for i in range(9)]
    values.append(Variable("v9", "x" * 10))
    collection = Collection(name="c", variables=values)
    request = Request(name="r", url="/{{v0}}")
    collection.requests.append(request)
    with pytest.raises(ExpansionTooLarge):
        sends.send(request, collection, request)
    assert sends.running() == []


def test_stopping_a_compressed_body_stops_its_inflating_worker(
    sends: SendService, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    """Inflating runs in a worker thread: Stop must stop it too, not only the socket."""
    from app.net.decoding import PIECE

    exchange = sends.send(Request(name="b", url=f"{demo_server}/gzip-bomb?gb=1"), None)
    run_until(qasync_loop, lambda: exchange.received >= 64 * PIECE, 30)
    assert sends.stop(exchange)
    run_until(qasync_loop, lambda: exchange.finished, 10)
    assert exchange.state is ExchangeState.STOPPED
    at_stop = exchange.received
    let_time_pass(qasync_loop, 0.5)
    assert exchange.received <= at_stop + PIECE, "at most the piece being stored finishes"
    assert exchange.received < 1024**3
