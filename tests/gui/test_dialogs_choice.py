"""The shared multiple-choice question behind the conflict and download prompts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.ui.dialogs import Role, ask_choice
from app.ui.downloads.prompts import ExistingFile, ask_existing
from app.ui.file_conflict import ConflictChoice, ask_file_conflict


def click_later(label: str) -> None:
    """Once the question is up, click its button labelled ``label``."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        for button in box.findChildren(QPushButton):
            if button.text().replace("&", "") == label:
                button.click()
                return
        raise AssertionError(f"no button {label!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(20, click)


def ask() -> str | None:
    return ask_choice(
        None,
        icon=QMessageBox.Icon.Question,
        title="Pick",
        text="Which?",
        informative="",
        choices=[("One", Role.AcceptRole, "one"), ("Two", Role.DestructiveRole, "two")],
        default="one",
        cancel="Neither",
    )


def test_the_clicked_choice_is_the_answer(qtbot: QtBot) -> None:
    click_later("Two")
    assert ask() == "two"
    click_later("One")
    assert ask() == "one"


def test_cancel_answers_none(qtbot: QtBot) -> None:
    click_later("Neither")
    assert ask() is None


def test_the_prompts_map_their_buttons(qtbot: QtBot) -> None:
    click_later("Keep both")
    assert ask_existing(None, Path("/tmp/x.bin")) is ExistingFile.KEEP_BOTH  # type: ignore[arg-type]
    click_later("Cancel")
    assert ask_file_conflict(None, "R", None) is ConflictChoice.LATER  # type: ignore[arg-type]
    click_later("Take theirs")
    assert ask_file_conflict(None, "R", None) is ConflictChoice.TAKE_THEIRS  # type: ignore[arg-type]
