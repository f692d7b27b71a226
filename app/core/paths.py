"""Where Courier keeps its own files (never inside a collection folder).

``COURIER_HOME`` overrides everything (tests and portable installs use it);
otherwise the platform's data and config directories from platformdirs.

Those files (cookie jars with live session tokens, app state, the parse cache)
are the user's alone: written 0600 inside directories that are 0700, and
directories or files left laxer by an older Courier are tightened on start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "courier"


def _home() -> Path | None:
    value = os.environ.get("COURIER_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    home = _home()
    if home:
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


#: Courier's own files and directories: readable by their owner only
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
#: what ``tighten`` walks under the data directory (``collections`` holds the user's
#: collections, which keep the modes the user gave them)
_PRIVATE_DATA_FOLDERS = ("cookies", "cache")


def _private(directory: Path) -> None:
    directory.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    if directory.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        os.chmod(directory, PRIVATE_DIR_MODE)


def ensure_dir(path: Path) -> Path:
    """Make ``path`` a directory only its owner can enter (0700), tightening it if laxer.

    Under the data or config directory every level from that directory down is
    made (or tightened to) 0700; elsewhere (a state file a test put in a temp
    folder) missing directories are made 0700 and existing ones left alone.
    Raises ``OSError``.
    """
    for root in (data_dir(), config_dir()):
        if path == root or path.is_relative_to(root):
            root.parent.mkdir(parents=True, exist_ok=True)
            directory = root
            _private(directory)
            for part in path.relative_to(root).parts:
                directory = directory / part
                _private(directory)
            return path
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def tighten() -> None:
    """Make what an older Courier wrote owner-only: the data and config directories,
    and every directory (to 0700) and file (group and others lose access: 0600 for
    Courier's files) in the config directory and the data directory's cookie jars and
    cache.  Missing ones are skipped; raises ``OSError``."""
    data, config = data_dir(), config_dir()
    trees = [config, *(data / name for name in _PRIVATE_DATA_FOLDERS)]
    if data.is_dir():
        _private(data)
    for tree in trees:
        if not tree.is_dir():
            continue
        _private(tree)
        for folder, subfolders, files in os.walk(tree):
            for name in subfolders:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    _private(Path(path))
            for name in files:
                path = os.path.join(folder, name)
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
                    os.chmod(path, stat.S_IMODE(st.st_mode) & PRIVATE_DIR_MODE)
