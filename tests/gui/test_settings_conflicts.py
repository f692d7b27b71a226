"""The settings dialog's save when a file changed outside Courier: keep mine / take
theirs / compare, as for requests, and the user's edits are never lost.

The dialog's ``exec`` is replaced by a script (``run_settings_dialog``) that types
into the real dialog; the conflict question is answered by a fake."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.core import storage, yamlio
from app.core.model import Auth, AuthKind, Collection, Variable
from app.secrets import MemoryStore
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui.file_conflict import ConflictChoice
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from tests.helpers.stamps import stamp_all

Script = Callable[[SettingsDialog], bool]


class Prompts:
    def __init__(self) -> None:
        self.answers: list[ConflictChoice] = []
        self.asked: list[Path | None] = []
        self.diffs: list[str] = []
        self.errors: list[str] = []

    def ask_file_conflict(self, name: str, path: Path | None) -> ConflictChoice:
        self.asked.append(path)
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
    win.ask_file_conflict = prompts.ask_file_conflict  # type: ignore[method-assign]
    win.show_file_diff = lambda title, diff: prompts.diffs.append(diff)  # type: ignore[method-assign]
    win.show_error = lambda title, message: prompts.errors.append(message)  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.show()
    yield win
    win.outside.stop()
    qasync_loop.run_until_complete(win.sends.aclose())


def opened(win: MainWindow, tmp_path: Path) -> Collection:
    collection = storage.create_collection(tmp_path / "api", "API")
    collection.notes = "ours"
    storage.save_collection_settings(collection)
    storage.add_environment(collection, "prod")
    assert collection.path is not None
    result = asyncio.get_event_loop().run_until_complete(win.open_collection(collection.path))
    assert result is not None
    stamp_all(result)
    return result


def change_outside(path: Path, key: str, value: object) -> None:
    data = yamlio.load(path.read_text())
    assert isinstance(data, dict)
    data[key] = value
    path.write_text(yamlio.dump(data))


def script(win: MainWindow, *steps: Script) -> list[SettingsDialog]:
    """Each opening of the dialog runs the next step; the dialogs it was given."""
    seen: list[SettingsDialog] = []
    queue = list(steps)

    def run(dialog: SettingsDialog) -> bool:
        seen.append(dialog)
        return queue.pop(0)(dialog) if queue else False

    win.run_settings_dialog = run  # type: ignore[method-assign]
    return seen


def type_base_url(dialog: SettingsDialog) -> bool:
    dialog.base_url.setText("https://mine.example")
    return True


def cancel(_dialog: SettingsDialog) -> bool:
    return False


def test_keep_mine_saves_over_the_outside_change(
    window: MainWindow, tmp_path: Path, prompts: Prompts
) -> None:
    collection = opened(window, tmp_path)
    file = tmp_path / "api" / "collection.yaml"
    change_outside(file, "notes", "theirs")
    prompts.answers = [ConflictChoice.COMPARE, ConflictChoice.KEEP_MINE]
    script(window, type_base_url)
    window.edit_settings(collection, collection)
    assert prompts.asked == [file, file]
    assert "-notes: theirs" in prompts.diffs[0]
    assert "+base_url: https://mine.example" in prompts.diffs[0]
    saved = yamlio.load(file.read_text())
    assert isinstance(saved, dict)
    assert saved["base_url"] == "https://mine.example"
    assert saved["notes"] == "ours", "keep mine: the whole dialog's version"
    assert collection.base_url == "https://mine.example"
    assert not prompts.errors


def test_take_theirs_reopens_the_dialog_with_the_files_content(
    window: MainWindow, tmp_path: Path, prompts: Prompts
) -> None:
    collection = opened(window, tmp_path)
    file = tmp_path / "api" / "collection.yaml"
    change_outside(file, "notes", "theirs")
    prompts.answers = [ConflictChoice.TAKE_THEIRS]
    dialogs = script(window, type_base_url, cancel)
    window.edit_settings(collection, collection)
    assert len(dialogs) == 2
    assert dialogs[1] is not dialogs[0]
    assert dialogs[1].notes.toPlainText() == "theirs"
    assert dialogs[1].base_url.text() == ""
    assert collection.notes == "theirs"
    assert collection.base_url == ""
    saved = yamlio.load(file.read_text())
    assert isinstance(saved, dict)
    assert saved["notes"] == "theirs", "the file was not touched"


def test_deciding_later_reopens_the_same_dialog_with_what_was_typed(
    window: MainWindow, tmp_path: Path, prompts: Prompts
) -> None:
    collection = opened(window, tmp_path)
    file = tmp_path / "api" / "collection.yaml"
    change_outside(file, "notes", "theirs")
    before = file.read_text()
    prompts.answers = [ConflictChoice.LATER]
    dialogs = script(window, type_base_url, cancel)
    window.edit_settings(collection, collection)
    assert len(dialogs) == 2
    assert dialogs[1] is dialogs[0]
    assert dialogs[1].base_url.text() == "https://mine.example", "what was typed is still there"
    assert collection.base_url == "", "the model is what the file held when read"
    assert file.read_text() == before


def test_a_folder_and_an_environment_changed_outside_are_asked_about_too(
    window: MainWindow, tmp_path: Path, prompts: Prompts
) -> None:
    collection = opened(window, tmp_path)
    folder = window.workspace.add_folder(collection, None, "Admin")
    assert folder.path is not None
    folder_file = folder.path / "folder.yaml"
    change_outside(folder_file, "notes", "theirs")
    prompts.answers = [ConflictChoice.KEEP_MINE]

    def folder_notes(dialog: SettingsDialog) -> bool:
        dialog.notes.setPlainText("mine")
        return True

    script(window, folder_notes)
    window.edit_settings(collection, folder)
    assert prompts.asked == [folder_file]
    assert "mine" in folder_file.read_text()

    env_file = tmp_path / "api" / "environments" / "prod.yaml"
    change_outside(env_file, "variables", [{"name": "host", "value": "theirs"}])
    prompts.answers = [ConflictChoice.KEEP_MINE]

    def env_variable(dialog: SettingsDialog) -> bool:
        assert dialog.environments is not None
        dialog.environments.variables.set_variables([Variable("host", "mine")])
        return True

    script(window, env_variable)
    window.edit_settings(collection, collection)
    assert prompts.asked[-1] == env_file
    assert "mine" in env_file.read_text()
    assert [v.value for v in collection.environments[0].variables] == ["mine"]


def test_a_settings_save_deletes_the_secret_the_user_removed(
    window: MainWindow, tmp_path: Path
) -> None:
    collection = opened(window, tmp_path)
    collection.auth = Auth(kind=AuthKind.BEARER, token="tok-1")
    window.workspace.save_collection_settings(collection)
    store = window.workspace.secrets
    key = f"{collection.id}/auth:collection.yaml/token"
    assert store.get(key) == "tok-1"

    def no_auth(dialog: SettingsDialog) -> bool:
        dialog.auth.kind.setCurrentIndex(dialog.auth.kind.findData("none"))
        return True

    script(window, no_auth)
    window.edit_settings(collection, collection)
    assert collection.auth.kind is AuthKind.NONE
    assert store.get(key) is None


def test_a_new_environment_is_not_added_twice_when_mine_is_kept(
    window: MainWindow, tmp_path: Path, prompts: Prompts
) -> None:
    collection = opened(window, tmp_path)
    change_outside(tmp_path / "api" / "environments" / "prod.yaml", "variables", [])
    prompts.answers = [ConflictChoice.KEEP_MINE]

    def add_and_edit(dialog: SettingsDialog) -> bool:
        assert dialog.environments is not None
        dialog.environments.environments[0].variables = [Variable("a", "1")]
        dialog.environments.add_environment("staging")
        return True

    script(window, add_and_edit)
    window.edit_settings(collection, collection)
    names = sorted(p.name for p in (tmp_path / "api" / "environments").iterdir())
    assert names == ["prod.yaml", "staging.yaml"]
    assert [e.name for e in collection.environments] == ["prod", "staging"]
    assert prompts.asked == [tmp_path / "api" / "environments" / "prod.yaml"]
