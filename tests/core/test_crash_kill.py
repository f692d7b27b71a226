"""Saves and renames survive ``kill -9`` at any moment.

A forked child saves and renames a request and a folder in a loop (files with a
comment and unknown keys, so the round-trip merge runs) and is killed with
SIGKILL after a random delay, 60 times.  After each kill every file must parse
and equal one of the contents Courier could have written (the old or the new),
the request must exist exactly once, and opening the collection must leave no
temp file behind.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from app.core import storage
from app.core.fileops import is_temp_name

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

REQUEST = re.compile(
    r"# a comment Courier does not own\n"
    r"name: (Alpha|Beta)\nmethod: GET\nurl: https://x/\d+\nx-team-owner: alice\n"
)
#: a rename writes the folder's order (the request's file name), appended at the end;
#: a kill between the two leaves the old name listed, which loading ignores
FOLDER = re.compile(
    r"# folder comment\nname: (Users|People)\nnotes: n\d+\nx-owner: bob\n"
    r"(order:\n- (alpha|beta)\.request\.yaml\n)?"
)


def make_collection(root: Path) -> None:
    storage.create_collection(root, "Crash")
    (root / "users").mkdir()
    (root / "users" / "folder.yaml").write_text(
        "# folder comment\nname: Users\nnotes: n0\nx-owner: bob\n"
    )
    (root / "users" / "alpha.request.yaml").write_text(
        "# a comment Courier does not own\n"
        "name: Alpha\nmethod: GET\nurl: https://x/0\nx-team-owner: alice\n"
    )


def churn(root: Path, seed: int) -> None:
    """The child: save and rename until killed."""
    collection = storage.load_collection(root, use_cache=False)
    folder = collection.folders[0]
    request = folder.requests[0]
    i = seed * 1000 + seed % 4  # each round starts with another operation
    while True:
        i += 1
        op = i % 4
        if op == 0:
            request.url = f"https://x/{i}"
            storage.save_request(collection, request)
        elif op == 1:
            storage.rename_request(
                collection, request, "Beta" if request.name == "Alpha" else "Alpha"
            )
        elif op == 2:
            folder.notes = f"n{i}"
            storage.save_folder_settings(collection, folder)
        else:
            storage.rename_folder(
                collection, folder, "People" if folder.name == "Users" else "Users"
            )


def check(root: Path) -> str:
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 1, folders
    folder_dir = folders[0]
    requests = [p for p in folder_dir.iterdir() if p.name.endswith(".request.yaml")]
    assert len(requests) == 1, requests  # never twice, never lost
    assert REQUEST.fullmatch(requests[0].read_text()), requests[0].read_text()
    assert FOLDER.fullmatch((folder_dir / "folder.yaml").read_text())
    collection = storage.load_collection(root, use_cache=False)
    assert not collection.problems
    assert [r.name for _c, r in collection.iter_requests()] in (["Alpha"], ["Beta"])
    left = [p for p in root.rglob("*") if is_temp_name(p.name)]
    assert not left, left  # the open removed what the kill left
    return requests[0].read_text() + folder_dir.name


def test_saves_and_renames_survive_sigkill(tmp_path: Path) -> None:
    root = tmp_path / "c"
    make_collection(root)
    rng = random.Random(7)
    states: set[str] = set()
    for round_ in range(60):
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                churn(root, round_)
            finally:
                os._exit(3)
        time.sleep(rng.uniform(0.005, 0.15))
        os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the child stopped by itself: a save or rename failed"
        states.add(check(root))
    assert len(states) > 20  # the child did get work done between kills
