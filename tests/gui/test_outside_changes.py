"""Files changed outside Courier (an editor, a git pull) while the window is open.

Real files, the real watcher thread (watchfiles), the qasync loop driven with
``run_until`` / ``let_time_pass``; the keep mine / take theirs / compare
question is answered by a fake the test scripts.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.errors import FileChangedOnDisk
from app.core.model import Collection, Request
from app.secrets import MemoryStore
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui.file_conflict import ConflictChoice
from app.ui.main_window import MainWindow
from tests.gui.conftest import let_time_pass, run_until
from tests.helpers.stamps import stamp_all


class Prompts:
    """The window's questions, answered from a script and recorded."""

    def __init__(self) -> None:
        self.answers: list[ConflictChoice] = []
        self.asked: list[str] = []
        self.diffs: list[str] = []
        self.removed: list[str] = []

    def ask_file_conflict(self, name: str, _path: Path | None) -> ConflictChoice:
        self.asked.append(name)
        return self.answers.pop(0) if self.answers else ConflictChoice.LATER


@pytest.fixture
def prompts() -> Prompts:
    return Prompts()


@pytest.fixture
def window(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, tmp_path: Path, prompts: Prompts
) -> Iterator[MainWindow]:
    workspace = Workspace(state_path=tmp_path / "state.json", secrets=MemoryStore())
    win = MainWindow(workspace, SendService(workspace.session))
    win.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    win.ask_file_conflict = prompts.ask_file_conflict  # type: ignore[method-assign]
    win.show_file_diff = lambda title, diff: prompts.diffs.append(diff)  # type: ignore[method-assign]
    win.tell_file_removed = lambda name, path: prompts.removed.append(name)  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.show()
    yield win
    win.outside.stop()
    qasync_loop.run_until_complete(win.sends.aclose())


def make_collection(directory: Path) -> Path:
    c = storage.create_collection(directory, "My API")
    folder = storage.add_folder(c, None, "Posts")
    storage.add_request(c, folder, Request(name="Get post 1", url="https://x/posts/1"))
    storage.add_request(c, folder, Request(name="List posts", url="https://x/posts"))
    storage.add_environment(c, "Local")
    assert c.path is not None
    return c.path


def open_watched(win: MainWindow, path: Path) -> Collection:
    """Open through the window, stamp it as the loader will, wait until it is watched."""
    opened = asyncio.get_event_loop().run_until_complete(win.open_collection(path))
    assert opened is not None
    stamp_all(opened)
    assert win.outside.watcher.wait_ready(opened)
    return opened


def find(collection: Collection, name: str) -> Request | None:
    return next((r for _c, r in collection.iter_requests() if r.name == name), None)


def request(collection: Collection, name: str) -> Request:
    found = find(collection, name)
    assert found is not None, name
    return found


def sidebar_text(win: MainWindow, obj: object) -> str:
    index = win.tree_model.index_of(obj)  # type: ignore[arg-type]
    return str(index.data()) if index.isValid() else ""


def edit_url(qtbot: QtBot, win: MainWindow, url: str) -> None:
    win.editor.url.clear()
    qtbot.keyClicks(win.editor.url, url)
    assert win.editor.is_modified()


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# --------------------------------------------------------------- no edits


def test_a_request_changed_outside_shows_in_the_editor_and_the_sidebar(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    c = open_watched(window, make_collection(tmp_path / "api"))
    posts = request(c, "List posts")
    window.open_request(c, posts)
    assert posts.path is not None

    rewrite(posts.path, "https://x/posts", "https://x/v2/posts")
    rewrite(posts.path, "name: List posts", "name: All posts")

    run_until(qasync_loop, lambda: window.editor.url.text() == "https://x/v2/posts")
    assert not window.editor.is_modified()
    assert window.current_request is posts
    assert posts.name == "All posts"
    assert sidebar_text(window, posts) == "All posts"
    assert window.outside.watcher.threads_running() == 1


def test_added_requests_folders_and_environments_appear_removed_ones_go(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    c = open_watched(window, make_collection(tmp_path / "api"))
    window.open_request(c, request(c, "Get post 1"))
    root = c.path
    assert root is not None

    (root / "posts" / "delete-post.request.yaml").write_text(
        "name: Delete post\nmethod: DELETE\nurl: https://x/posts/1\n"
    )
    (root / "users" / "admins").mkdir(parents=True)
    (root / "users" / "folder.yaml").write_text("name: Users\n")
    (root / "users" / "admins" / "list.request.yaml").write_text("name: List admins\n")
    (root / "environments" / "prod.yaml").write_text("name: Prod\n")

    run_until(
        qasync_loop,
        lambda: (
            find(c, "Delete post") is not None
            and find(c, "List admins") is not None
            and len(c.environments) == 2
        ),
    )
    users = next(f for f in c.folders if f.name == "Users")
    assert sidebar_text(window, users) == "Users"
    assert sidebar_text(window, request(c, "Delete post")) == "Delete post"
    assert window.environment_box.findText("Prod") >= 0, "the toolbar lists the new environment"

    gone = request(c, "List posts")
    assert gone.path is not None
    gone.path.unlink()
    shutil.rmtree(root / "users")
    (root / "environments" / "prod.yaml").unlink()
    run_until(
        qasync_loop,
        lambda: find(c, "List posts") is None and len(c.folders) == 1 and len(c.environments) == 1,
    )
    assert not window.tree_model.index_of(gone).isValid()
    assert window.environment_box.findText("Prod") < 0


def test_the_open_request_removed_outside_leaves_the_editor(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, prompts: Prompts
) -> None:
    c = open_watched(window, make_collection(tmp_path / "api"))
    posts = request(c, "List posts")
    window.open_request(c, posts)
    assert posts.path is not None
    posts.path.unlink()
    run_until(qasync_loop, lambda: window.current_collection is None)
    assert "deleted outside Courier" in window.statusBar().currentMessage()
    assert prompts.removed == []


def test_courier_own_save_is_not_a_change_outside(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
) -> None:
    c = open_watched(window, make_collection(tmp_path / "api"))
    posts = request(c, "List posts")
    window.open_request(c, posts)
    watcher = window.outside.watcher
    applied: list[Collection] = []
    watcher.changesApplied.connect(applied.append)

    edit_url(qtbot, window, "https://x/mine")
    assert window.save_current()
    run_until(qasync_loop, lambda: watcher.scans >= 1)  # it did see the write...
    let_time_pass(qasync_loop, 0.6)
    assert prompts.asked == []  # ...and knew it for Courier's own
    assert applied == []
    assert posts.url == "https://x/mine"
    assert window.editor.url.text() == "https://x/mine"
    assert not window.editor.is_modified()


# ---------------------------------------------------- both sides changed


def both_changed(
    window: MainWindow, qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path, prompts: Prompts
) -> tuple[Collection, Request]:
    """Edit a request in the window, change its file outside; wait for the question."""
    c = open_watched(window, make_collection(tmp_path / "api"))
    posts = request(c, "List posts")
    window.open_request(c, posts)
    edit_url(qtbot, window, "https://x/mine")
    assert posts.path is not None
    rewrite(posts.path, "https://x/posts", "https://x/theirs")
    run_until(loop, lambda: bool(prompts.asked))
    return c, posts


def test_both_changed_keep_mine_saves_over_the_file(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
) -> None:
    prompts.answers = [ConflictChoice.KEEP_MINE]
    _c, posts = both_changed(window, qtbot, qasync_loop, tmp_path, prompts)
    assert posts.path is not None
    assert "https://x/mine" in posts.path.read_text()
    assert posts.url == "https://x/mine"
    assert not window.editor.is_modified()
    let_time_pass(qasync_loop, 0.6)  # the watcher sees Courier's write: no new question
    assert prompts.asked == ["List posts"]
    assert window.editor.url.text() == "https://x/mine"


def test_both_changed_take_theirs_reloads_the_editor(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
) -> None:
    prompts.answers = [ConflictChoice.TAKE_THEIRS]
    _c, posts = both_changed(window, qtbot, qasync_loop, tmp_path, prompts)
    run_until(qasync_loop, lambda: window.editor.url.text() == "https://x/theirs")
    assert posts.url == "https://x/theirs"
    assert not window.editor.is_modified()
    assert posts.path is not None
    assert "https://x/theirs" in posts.path.read_text()


def test_both_changed_compare_shows_the_diff_then_asks_again(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
) -> None:
    prompts.answers = [ConflictChoice.COMPARE, ConflictChoice.KEEP_MINE]
    _c, posts = both_changed(window, qtbot, qasync_loop, tmp_path, prompts)
    assert prompts.asked == ["List posts", "List posts"]
    [diff] = prompts.diffs
    assert "-url: https://x/theirs" in diff
    assert "+url: https://x/mine" in diff
    assert posts.path is not None
    assert "https://x/mine" in posts.path.read_text()


def test_a_question_put_off_is_asked_again_on_save(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
) -> None:
    prompts.answers = [ConflictChoice.LATER]
    _c, posts = both_changed(window, qtbot, qasync_loop, tmp_path, prompts)
    assert posts.path is not None
    assert "https://x/theirs" in posts.path.read_text(), "nothing was written"
    assert window.editor.is_modified()
    prompts.answers = [ConflictChoice.KEEP_MINE]
    assert window.save_current()
    assert prompts.asked == ["List posts", "List posts"]
    assert "https://x/mine" in posts.path.read_text()


def test_a_save_refused_by_storage_asks_the_same_question(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The watcher missed it; storage's check (issue 7's write side) caught it."""
    c = open_watched(window, make_collection(tmp_path / "api"))
    posts = request(c, "List posts")
    window.open_request(c, posts)
    save = storage.save_request
    forced: list[bool] = []

    def refusing_unless_forced(collection: Collection, req: Request, force: bool = False) -> None:
        forced.append(force)
        if not force:
            assert req.path is not None
            raise FileChangedOnDisk("changed", path=req.path)
        save(collection, req)

    monkeypatch.setattr(storage, "save_request", refusing_unless_forced)
    edit_url(qtbot, window, "https://x/mine")
    prompts.answers = [ConflictChoice.COMPARE, ConflictChoice.KEEP_MINE]
    assert window.save_current()
    assert forced == [False, True]
    assert "+url: https://x/mine" in prompts.diffs[0]
    assert posts.path is not None
    assert "https://x/mine" in posts.path.read_text()
    assert not window.editor.is_modified()


def test_a_file_removed_while_edited_keeps_the_draft_and_saving_recreates_it(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    prompts: Prompts,
) -> None:
    c = open_watched(window, make_collection(tmp_path / "api"))
    posts = request(c, "List posts")
    window.open_request(c, posts)
    edit_url(qtbot, window, "https://x/draft")
    assert posts.path is not None
    posts.path.unlink()
    run_until(qasync_loop, lambda: prompts.removed == ["List posts"])
    assert find(c, "List posts") is posts, "the draft stays in the collection"
    assert window.editor.url.text() == "https://x/draft"
    assert window.editor.is_modified()
    assert window.save_current()
    assert "https://x/draft" in posts.path.read_text()
    assert prompts.asked == []


# ----------------------------------------------------------- bulk, threads


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_git_pull_is_applied_once(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    upstream = make_collection(tmp_path / "upstream")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "start")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    c = open_watched(window, clone)
    watcher = window.outside.watcher
    applied: list[Collection] = []
    watcher.changesApplied.connect(applied.append)

    # upstream: 40 new requests, one changed, one removed, in a new folder too
    (upstream / "bulk").mkdir()
    for i in range(40):
        (upstream / "bulk" / f"r{i}.request.yaml").write_text(f"name: R{i}\nurl: https://x/{i}\n")
    rewrite(upstream / "posts" / "list-posts.request.yaml", "https://x/posts", "https://x/pulled")
    (upstream / "posts" / "get-post-1.request.yaml").unlink()
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "bulk")
    git(clone, "pull", "-q", "--ff-only")

    run_until(
        qasync_loop,
        lambda: (
            find(c, "R39") is not None
            and find(c, "Get post 1") is None
            and request(c, "List posts").url == "https://x/pulled"
        ),
    )
    let_time_pass(qasync_loop, 0.8)
    assert watcher.scans == 1, "the burst was read once"
    assert applied == [c], "and applied once"
    bulk = next(f for f in c.folders if f.name == "bulk")
    assert len(bulk.requests) == 40


def watch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("watch ")]


def test_watches_stop_when_a_collection_closes_and_with_the_window(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    first = open_watched(window, make_collection(tmp_path / "one"))
    second = open_watched(window, make_collection(tmp_path / "two"))
    watcher = window.outside.watcher
    assert watcher.threads_running() == 2
    assert len(watch_threads()) == 2

    window.workspace.close_collection(first)
    assert not watcher.is_watching(first)
    assert len(watch_threads()) == 1

    reloaded = qasync_loop.run_until_complete(window.workspace.reload_collection_async(second))
    assert not watcher.is_watching(second)
    assert watcher.is_watching(reloaded)
    assert watcher.wait_ready(reloaded)
    assert reloaded.path is not None
    (reloaded.path / "new.request.yaml").write_text("name: New\n")
    run_until(qasync_loop, lambda: find(reloaded, "New") is not None)

    window.close()
    assert watch_threads() == []
    # a change now reaches nobody, and nothing fails
    (reloaded.path / "later.request.yaml").write_text("name: Later\n")
    let_time_pass(qasync_loop, 0.4)
    assert find(reloaded, "Later") is None
