"""Downloads from the window: Send and Download, the panel's rows and buttons, the
queue, a restart, the attachment offer, no silent overwrite and a full disk.

Real servers on 127.0.0.1 (the demo server; ``FileServer`` for Range, stalls and
hashes), the qasync loop driven with ``run_until``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.model import Request
from app.secrets import MemoryStore
from app.services.demo import DemoService
from app.services.downloads import Download, DownloadService
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.session import Session
from app.ui.downloads.prompts import ExistingFile, PartialFile
from app.ui.downloads.row import DownloadRow
from app.ui.main_window import MainWindow
from tests.gui.conftest import run_until, wait_for_signal
from tests.helpers.file_server import FileServer

MIB = 1024 * 1024


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: qasync.QEventLoop, tmp_path: Path) -> Iterator[MainWindow]:
    workspace = Workspace(state_path=tmp_path / "state.json")
    downloads = DownloadService(workspace.session, tmp_path / "downloads.json")
    win = MainWindow(workspace, SendService(workspace.session), downloads)
    win.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    win.ask_quit_with_downloads = lambda count: True  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.show()
    yield win
    qasync_loop.run_until_complete(downloads.aclose())
    qasync_loop.run_until_complete(win.sends.aclose())
    workspace.demo.stop()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "Downloads"
    target.mkdir()
    return target


def set_url(win: MainWindow, url: str) -> None:
    win.show_request(None, Request(name="scratch", url=url))


def into(win: MainWindow, folder: Path, asked: list[Path] | None = None) -> None:
    """The file dialog answers with the suggested name in ``folder``."""

    def answer(suggested: Path) -> Path:
        if asked is not None:
            asked.append(suggested)
        return folder / suggested.name

    win.ask_download_path = answer  # type: ignore[method-assign]


def menu_action(win: MainWindow, text: str) -> QAction:
    for action in win.findChildren(QAction):
        if action.text() == text:
            return action
    raise AssertionError(f"no action {text!r}")


def row_of(win: MainWindow, download: Download) -> DownloadRow:
    return win.downloads_panel.row(download)


def click(qtbot: QtBot, row: DownloadRow, action: str) -> None:
    button = row.buttons[action]
    assert button.isVisible(), f"{action} is not offered in state {row.state()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_state(loop: qasync.QEventLoop, row: DownloadRow, state: str, timeout: float = 20) -> None:
    run_until(loop, lambda: row.state() == state, timeout)


def test_send_and_download_writes_the_file_and_the_row_shows_done_and_its_hash(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, folder: Path
) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    with FileServer(data) as server:
        set_url(window, f"{server.url}/files/data.bin")
        asked: list[Path] = []
        into(window, folder, asked)
        action = menu_action(window, "Send and Download…")
        assert action.shortcut().toString() == "Ctrl+Shift+Return"
        action.trigger()
        assert asked[0].name == "data.bin", "named from the URL"
        assert window.downloads_dock.isVisible(), "the panel opens when a download starts"
        (download,) = window.downloads.downloads
        row = row_of(window, download)
        wait_state(qasync_loop, row, "done")
    target = folder / "data.bin"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == server.sha256
    assert download.snapshot.sha256 == server.sha256
    assert server.sha256 in row.sha_label.text()
    assert row.state_label.full_text() == "Done"
    assert row.bar.value() == row.bar.maximum()
    assert row.buttons["open"].isVisible()
    assert row.buttons["copy_sha"].isVisible()
    click(qtbot, row, "copy_sha")
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    assert clipboard.text() == server.sha256
    opened: list[str] = []
    window.downloads_panel.open_url = lambda url: opened.append(url.toLocalFile()) or True  # type: ignore[method-assign]
    click(qtbot, row, "show")  # no file manager on the test's bus: its folder opens
    qtbot.waitUntil(lambda: opened == [str(folder)], timeout=10_000)
    window.downloads_panel.ask_sha256 = lambda name: f"  {server.sha256.upper()} "  # type: ignore[method-assign]
    click(qtbot, row, "verify")
    assert "matches" in row.message()
    assert window.workspace.state.download_folder == str(folder), "the folder is remembered"


def test_pause_resume_and_cancel_keep_or_delete_the_part_from_the_row(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, folder: Path
) -> None:
    data = hashlib.sha256(b"x").digest() * (MIB // 16)  # 2 MiB
    with FileServer(data) as server:
        server.stall_at = 300_000
        into(window, folder)
        set_url(window, f"{server.url}/big.bin")
        download = window.send_and_download()
        assert download is not None
        row = row_of(window, download)
        run_until(qasync_loop, lambda: download.snapshot.received >= 300_000, 20)
        assert row.state() == "running"
        assert row.speed_label.full_text().endswith("/s") or row.speed_label.full_text() == ""
        click(qtbot, row, "pause")
        wait_state(qasync_loop, row, "paused")
        part = folder / "big.bin.part"
        assert part.stat().st_size == 300_000, "what arrived is kept"

        server.stall_at = None
        server.release.set()
        click(qtbot, row, "resume")
        wait_state(qasync_loop, row, "done")
        assert server.requests[-1]["range"] == "bytes=300000-", "resumed, not restarted"
        assert hashlib.sha256((folder / "big.bin").read_bytes()).hexdigest() == server.sha256

        server.release.clear()
        for answer, name in ((PartialFile.KEEP, "kept.bin"), (PartialFile.DELETE, "gone.bin")):
            server.stall_at = 100_000
            set_url(window, f"{server.url}/{name}")
            cancelled = window.send_and_download()
            assert cancelled is not None
            cancelled_row = row_of(window, cancelled)
            run_until(qasync_loop, lambda d=cancelled: d.snapshot.received >= 100_000, 20)
            window.downloads_panel.ask_partial_file = lambda _n, a=answer: a  # type: ignore[method-assign]
            click(qtbot, cancelled_row, "cancel")
            wait_state(qasync_loop, cancelled_row, "cancelled")
            assert cancelled_row.buttons["retry"].isVisible()
        server.release.set()
    assert (folder / "kept.bin.part").stat().st_size == 100_000
    assert not (folder / "gone.bin.part").exists()
    assert not (folder / "gone.bin.part.json").exists()


def test_the_fourth_download_waits_queued_past_the_limit_of_three(
    window: MainWindow, qasync_loop: qasync.QEventLoop, folder: Path
) -> None:
    assert window.downloads.concurrency == 3
    assert window.downloads_panel.concurrency_box.value() == 3
    with FileServer(b"q" * 200_000) as server:
        server.stall_at = 1000
        into(window, folder)
        started = []
        for number in range(4):
            set_url(window, f"{server.url}/file{number}.bin")
            download = window.send_and_download()
            assert download is not None
            started.append(download)
        rows = [row_of(window, d) for d in started]
        run_until(qasync_loop, lambda: sum(r.state() == "running" for r in rows) == 3, 10)
        assert rows[3].state() == "queued"
        assert rows[3].state_label.full_text() == "Queued"
        assert window.downloads.active_count() == 3
        server.release.set()
        run_until(qasync_loop, lambda: all(r.state() == "done" for r in rows), 20)
    assert sorted(p.name for p in folder.iterdir()) == [f"file{n}.bin" for n in range(4)]


def test_a_restart_lists_the_unfinished_download_paused_and_resumes_it(
    qasync_loop: qasync.QEventLoop, tmp_path: Path, folder: Path
) -> None:
    data = hashlib.sha256(b"restart").digest() * (MIB // 32)  # 1 MiB
    list_path = tmp_path / "data" / "downloads.json"

    def new_service() -> DownloadService:
        session = Session(
            secrets=MemoryStore(), state_path=tmp_path / "state.json", demo=DemoService()
        )
        return DownloadService(session, list_path)

    with FileServer(data) as server:
        server.stall_at = 400_000
        first = new_service()
        download = first.start(
            Request(name="r", url=f"{server.url}/r.bin"), None, None, folder / "r.bin"
        )
        run_until(qasync_loop, lambda: download.snapshot.received >= 400_000, 20)
        qasync_loop.run_until_complete(first.aclose())  # as on quitting: paused, saved
        assert str(download.state) == "paused"
        assert list_path.stat().st_mode & 0o777 == 0o600
        qasync_loop.run_until_complete(first.session.aclose())

        second = new_service()
        qasync_loop.run_until_complete(second.restore())
        (restored,) = second.downloads
        assert str(restored.state) == "paused"
        assert restored.snapshot.destination == folder / "r.bin"
        assert restored.snapshot.received == 400_000
        server.stall_at = None
        server.release.set()
        second.resume(restored)
        run_until(qasync_loop, lambda: str(restored.state) == "done", 20)
        assert server.requests[-1]["range"] == "bytes=400000-"
        qasync_loop.run_until_complete(second.aclose())
        qasync_loop.run_until_complete(second.session.aclose())
    assert hashlib.sha256((folder / "r.bin").read_bytes()).hexdigest() == server.sha256


def test_an_attachment_response_offers_to_download_it_by_its_name(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
    folder: Path,
) -> None:
    set_url(window, f"{demo_server}/attachment/report%20Q3.pdf?size=50000")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    offer = window.response.offer_bar
    assert offer.isVisible()
    assert "report Q3.pdf" in window.response.offer_label.text()
    assert "size limit" in window.response.offer_label.text()
    set_url(window, f"{demo_server}/posts/1")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert not offer.isVisible(), "JSON is shown, not offered as a file"

    set_url(window, f"{demo_server}/attachment/report%20Q3.pdf?size=50000")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    asked: list[Path] = []
    into(window, folder, asked)
    qtbot.mouseClick(window.response.offer_button, Qt.MouseButton.LeftButton)
    assert asked[0].name == "report Q3.pdf", "named as Content-Disposition says"
    (download,) = window.downloads.downloads
    wait_state(qasync_loop, row_of(window, download), "done")
    assert (folder / "report Q3.pdf").stat().st_size == 50000


def test_an_existing_file_is_never_replaced_without_asking(
    window: MainWindow, qasync_loop: qasync.QEventLoop, folder: Path
) -> None:
    existing = folder / "same.bin"
    existing.write_bytes(b"mine")
    with FileServer(b"theirs" * 1000) as server:
        set_url(window, f"{server.url}/same.bin")
        into(window, folder)
        window.ask_existing = lambda path: None  # type: ignore[method-assign]
        assert window.send_and_download() is None, "cancelled: nothing starts"
        assert not window.downloads.downloads

        window.ask_existing = lambda path: ExistingFile.KEEP_BOTH  # type: ignore[method-assign]
        both = window.send_and_download()
        assert both is not None
        wait_state(qasync_loop, row_of(window, both), "done")
        assert existing.read_bytes() == b"mine"
        assert (folder / "same (1).bin").read_bytes() == server.data

        window.ask_existing = lambda path: ExistingFile.REPLACE  # type: ignore[method-assign]
        replaced = window.send_and_download()
        assert replaced is not None
        wait_state(qasync_loop, row_of(window, replaced), "done")
    assert existing.read_bytes() == server.data


def test_a_full_disk_says_so_in_the_row_and_keeps_the_part(
    window: MainWindow, qasync_loop: qasync.QEventLoop, small_tmpfs: Path
) -> None:
    with FileServer(b"\xff" * (6 * MIB), no_length=True) as server:
        set_url(window, f"{server.url}/huge.bin")
        into(window, small_tmpfs)
        download = window.send_and_download()
        assert download is not None
        row = row_of(window, download)
        wait_state(qasync_loop, row, "paused", 30)
    assert "Disk full writing huge.bin" in row.message()
    assert "kept for resume" in row.message()
    assert row.buttons["resume"].isVisible()
    assert (small_tmpfs / "huge.bin.part").stat().st_size > 0


def test_closing_the_window_pauses_running_downloads_keeping_their_parts(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, folder: Path
) -> None:
    with FileServer(b"c" * 500_000) as server:
        server.stall_at = 50_000
        into(window, folder)
        set_url(window, f"{server.url}/closing.bin")
        download = window.send_and_download()
        assert download is not None
        run_until(qasync_loop, lambda: download.snapshot.received >= 50_000, 20)
        asked: list[int] = []
        window.ask_quit_with_downloads = lambda n: asked.append(n) is None and False  # type: ignore[method-assign]
        assert not window.close(), "the user said no: nothing stops"
        assert str(download.state) == "running"
        window.ask_quit_with_downloads = lambda n: asked.append(n) is None  # type: ignore[method-assign]
        assert window.close()
        assert asked == [1, 1]
        assert "paused" in window.statusBar().currentMessage()
        qasync_loop.run_until_complete(window.downloads.aclose())
        server.release.set()
    assert str(download.state) == "paused"
    assert (folder / "closing.bin.part").stat().st_size == 50_000
    saved = (tmp_path / "downloads.json").read_text()
    assert '"state": "paused"' in saved
