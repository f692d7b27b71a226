"""What the ``courier import`` / ``export`` tests share: running the command line in
this process, the text of a collection's files (to look for leaked secrets), and a
child process that reports which Qt modules the command loaded (it must load none)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import cli

ROOT = Path(__file__).resolve().parents[1]

#: ``python -c QT_PROBE ARGS...``: runs ``courier ARGS...`` and prints the Qt modules it
#: imported to stderr as ``QT-MODULES [...]``
QT_PROBE = (
    "import sys\n"
    "from app.__main__ import main\n"
    "code = main(sys.argv[1:])\n"
    "qt = ('PySide6', 'qasync', 'shiboken6')\n"
    "print('QT-MODULES', sorted(m for m in sys.modules if m.split('.')[0] in qt),"
    " file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``courier ARGS`` in this process: exit code, stdout, stderr."""
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def all_text(directory: Path) -> str:
    """Every YAML file of a collection, as one text."""
    return "".join(p.read_text() for p in sorted(directory.rglob("*.yaml")))


def qt_free_env(courier_home: Path, *, keychain: bool = False) -> dict[str, str]:
    """The environment of a child with no display; without ``keychain`` its keyring is
    the fail backend (the import says the secrets were not kept)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["COURIER_HOME"] = str(courier_home)
    env["PYTHONPATH"] = str(ROOT)
    if not keychain:
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env
