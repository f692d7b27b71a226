"""Whatever the settings dialog lets a user pick loads again from the file: its
spin boxes end where the loader's ranges (``app.core.setting_ranges``) end."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from app.core.setting_ranges import SETTING_RANGES
from app.ui.settings_dialog import OptionsEditor


def test_the_dialogs_ranges_lie_within_the_loaders(qtbot: QtBot) -> None:
    for inheritable in (False, True):
        editor = OptionsEditor(inheritable=inheritable)
        qtbot.addWidget(editor)
        spins: dict[str, QSpinBox | QDoubleSpinBox] = {
            "timeout_s": editor.timeout,
            "deadline_s": editor.deadline,
            "max_redirects": editor.max_redirects,
            "max_body_mb": editor.max_body,
        }
        assert set(spins) == set(SETTING_RANGES)
        for name, spin in spins.items():
            limits = SETTING_RANGES[name]
            assert spin.maximum() == limits.high, name
            # the lowest value of an inheritable box means "inherit" and is never saved
            lowest = spin.minimum() + (spin.singleStep() if inheritable else 0)
            assert lowest >= limits.low, name
