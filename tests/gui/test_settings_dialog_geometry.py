"""The collection and folder settings dialogs as a user sees them: every tab laid
out without widgets drawn over each other, built from the real sample collection."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import DEFAULT_SETTINGS, Collection, Folder, Settings
from app.resources import resource_path
from app.ui import theme
from app.ui.settings_dialog import OptionsEditor, SettingsDialog
from tests.gui.geometry import overlapping_widgets


@pytest.fixture
def sample(tmp_path: Path) -> Collection:
    shutil.copytree(resource_path("sample-collection"), tmp_path / "demo")
    return storage.load_collection(tmp_path / "demo")


def auth_demos(collection: Collection) -> Folder:
    return next(f for f in collection.folders if f.name == "Auth demos")


def shown_dialog(qtbot: QtBot, target: Collection | Folder) -> SettingsDialog:
    dialog = SettingsDialog(target)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_folder_general_tab_has_no_stray_url_field_over_notes(
    qtbot: QtBot, sample: Collection
) -> None:
    dialog = shown_dialog(qtbot, auth_demos(sample))
    general = dialog.tabs.widget(0)
    assert overlapping_widgets(general) == []
    assert dialog.base_url is None, "a folder has no base URL"
    notes_label = dialog.notes.parentWidget().layout().labelForField(dialog.notes)  # type: ignore[attr-defined]
    assert notes_label.isVisible()
    assert notes_label.geometry().top() >= 0
    dialog.apply_to(folder := auth_demos(sample))
    assert folder.notes.startswith("This folder overrides")


@pytest.mark.parametrize("kind", ["collection", "folder"])
def test_every_settings_tab_is_laid_out_without_overlaps(
    qtbot: QtBot, sample: Collection, kind: str
) -> None:
    dialog = shown_dialog(qtbot, sample if kind == "collection" else auth_demos(sample))
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        page = dialog.tabs.widget(index)
        qtbot.waitUntil(page.isVisible)
        assert overlapping_widgets(page) == [], dialog.tabs.tabText(index)


def test_collection_general_tab_keeps_its_base_url(qtbot: QtBot, sample: Collection) -> None:
    dialog = shown_dialog(qtbot, sample)
    assert dialog.base_url is not None
    assert dialog.base_url.isVisible()
    assert dialog.base_url.text() == "{{base_url}}"
    dialog.base_url.setText("https://api.example.com")
    dialog.apply_to(sample)
    assert sample.base_url == "https://api.example.com"


@pytest.mark.parametrize("inheritable", [True, False])
def test_request_options_fit_a_narrow_editor(qtbot: QtBot, inheritable: bool) -> None:
    """The Options tab in a 1,024 px window's request editor: no long label beside its
    field sets the editor's width; labels go above their fields instead, whole."""
    editor = OptionsEditor(inheritable=inheritable)
    editor.setStyleSheet(theme.stylesheet())
    editor.set_settings(Settings(), DEFAULT_SETTINGS)
    qtbot.addWidget(editor)
    assert editor.minimumSizeHint().width() <= 300
    editor.resize(300, 700)
    editor.show()
    qtbot.waitExposed(editor)
    assert overlapping_widgets(editor) == []
    for label in editor.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap():
            assert label.width() >= label.sizeHint().width(), label.text()
