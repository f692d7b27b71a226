"""The installed PySide6 must survive many calls that return None.

PySide6 6.12.0 on CPython 3.11 aborts with ``Fatal Python error: none_dealloc``
after a few thousand such calls (checked: 200,000 setText calls abort on 6.12.0 and
pass on 6.11.3).  pyproject.toml pins below 6.12; this test catches a bump that
brings the bug back.  It runs in a child process because the failure is an abort.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("x")
for i in range(200_000):
    label.setText(str(i))
    label.setToolTip("t")
print("survived")
"""


def test_pyside6_survives_many_none_returning_calls() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "survived" in proc.stdout
