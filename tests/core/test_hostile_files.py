"""Files that try to hurt the loader: alias bombs, special files, huge files.

The dangerous cases run in a subprocess under a memory limit and a timeout
(``tests.helpers.bounded_open``): a regression fails the test instead of
eating the machine's memory or hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core import storage
from app.core.bounded_read import MAX_FILE_BYTES
from app.core.errors import StorageError
from app.core.model import Request

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_MB = 1536
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")


def alias_bomb(tail: str) -> str:
    """A billion laughs (9**9 "lol"s from under 600 bytes); ``tail`` uses it as ``*i``."""
    lines = ["name: Bomb", "x-anchors:", "  a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    previous = "a"
    for level in "bcdefghi":
        lines.append(f"  {level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = level
    return "\n".join([*lines, tail]) + "\n"


def open_bounded(collection_dir: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "tests.helpers.bounded_open", str(collection_dir)]
    done = subprocess.run(
        [*command, str(MEMORY_LIMIT_MB)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return report


def make_collection(root: Path) -> Path:
    collection = storage.create_collection(root, "C")
    storage.add_request(collection, None, Request(name="Good", url="/ok"))
    return root


def test_alias_bombs_are_per_file_problems_in_bounded_time_memory_and_cache(
    tmp_path: Path,
) -> None:
    root = make_collection(tmp_path / "c")
    bombs = {
        root / "unknown-key.request.yaml": alias_bomb("x-payload: *i"),
        root / "secret-fields.request.yaml": alias_bomb("auth:\n  secret_fields: *i"),
        root / "disabled.request.yaml": alias_bomb("disabled_inherited_headers: *i"),
    }
    (root / "sub").mkdir()
    bombs[root / "sub" / "folder.yaml"] = alias_bomb("x-payload: *i")
    (root / "environments").mkdir()
    bombs[root / "environments" / "dev.yaml"] = alias_bomb("variables: *i")
    for path, text in bombs.items():
        assert len(text.encode()) < 600
        path.write_text(text)
    (root / "sub" / "inner.request.yaml").write_text("name: Inner\n")

    report = open_bounded(root)
    for run in ("first", "second"):
        opened = report[run]
        assert opened["requests"] == ["Good", "Inner"]
        assert opened["folders"] == ["sub"]
        assert set(opened["problems"]) == {str(p) for p in bombs}
        for reason in opened["problems"].values():
            assert "alias bomb" in reason
        assert opened["seconds"] < 5
        assert opened["cache_bytes"] < 4096  # two small requests, nothing expanded
    assert report["max_rss_mb"] < 500


def test_a_bomb_that_stays_within_the_budget_is_not_multiplied_by_the_cache(
    tmp_path: Path,
) -> None:
    root = make_collection(tmp_path / "c")
    # 40 KB of text shared 2,000 times: 80 MB once expanded, from a 6 KB file
    text = 'name: Wide\nx-big: &s "' + "x" * 40_000 + '"\nx-many: [' + ",".join(["*s"] * 2000)
    (root / "wide.request.yaml").write_text(text + "]\n")
    report = open_bounded(root)
    assert report["first"]["requests"] == ["Good"]
    assert report["second"]["cache_bytes"] < 4096


@pytest.mark.timeout(90)
def test_fifos_and_devices_are_problems_and_never_block_or_stream(tmp_path: Path) -> None:
    root = make_collection(tmp_path / "c")
    fifo = root / "fifo.request.yaml"
    os.mkfifo(fifo)
    zero = root / "zero.request.yaml"
    zero.symlink_to("/dev/zero")
    (root / "sub").mkdir()
    os.mkfifo(root / "sub" / "folder.yaml")
    (root / "sub" / "inner.request.yaml").write_text("name: Inner\n")
    (root / "environments").mkdir()
    (root / "environments" / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(root / "environments" / "pipe.yaml")
    (root / "environments" / "dev.yaml").write_text("name: Dev\n")
    loop = root / "loop.request.yaml"
    loop.symlink_to(loop.name)
    (root / "loop-dir").symlink_to(".", target_is_directory=True)  # never followed

    report = open_bounded(root)
    for run in ("first", "second"):
        opened = report[run]
        assert opened["requests"] == ["Good", "Inner"]
        assert opened["folders"] == ["sub"]
        assert opened["environments"] == ["Dev"]
        problems = opened["problems"]
        assert "named pipe (FIFO), not a regular file" in problems[str(fifo)]
        assert "character device, not a regular file" in problems[str(zero)]
        assert "FIFO" in problems[str(root / "sub" / "folder.yaml")]
        assert "character device" in problems[str(root / "environments" / "zero.yaml")]
        assert "FIFO" in problems[str(root / "environments" / "pipe.yaml")]
        assert str(loop) in problems
        assert len(problems) == 6
        assert opened["seconds"] < 5


def test_symlinks_to_regular_files_inside_or_outside_are_read(tmp_path: Path) -> None:
    root = make_collection(tmp_path / "c")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("name: Outside\n")
    (root / "outside.request.yaml").symlink_to(outside)
    (root / "twin.request.yaml").symlink_to(root / "good.request.yaml")
    loaded = storage.load_collection(root)
    assert loaded.problems == []
    assert sorted(r.name for r in loaded.requests) == ["Good", "Good", "Outside"]


def test_a_file_over_the_size_cap_is_a_problem(tmp_path: Path) -> None:
    root = make_collection(tmp_path / "c")
    big = root / "big.request.yaml"
    with big.open("w") as handle:
        handle.write("name: Big\nnotes: |\n")
        line = "  " + "x" * 1022 + "\n"
        for _ in range(MAX_FILE_BYTES // len(line) + 1):
            handle.write(line)
    loaded = storage.load_collection(root)
    assert [r.name for r in loaded.requests] == ["Good"]
    assert "larger than 8 MiB, too large for a collection file" in loaded.problems[0].reason
    assert loaded.problems[0].path == big
    # a big but allowed body loads
    big.write_text("name: Big\nnotes: |\n" + ("  " + "x" * 1022 + "\n") * 4096)
    assert len(storage.load_collection(root).requests) == 2


def test_deep_nesting_and_recursion_are_problems(tmp_path: Path) -> None:
    root = make_collection(tmp_path / "c")
    (root / "deep.request.yaml").write_text("name: D\nx: " + "[" * 900 + "]" * 900 + "\n")
    (root / "deeper.request.yaml").write_text("name: D\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    (root / "loop.request.yaml").write_text("name: L\nx: &a [1, *a]\n")
    loaded = storage.load_collection(root)
    assert [r.name for r in loaded.requests] == ["Good"]
    reasons = {p.path.name: p.reason for p in loaded.problems}
    assert "nests more than 100 levels deep" in reasons["deep.request.yaml"]
    assert "nesting depth" in reasons["deeper.request.yaml"]  # libyaml's own limit
    assert "refers to itself" in reasons["loop.request.yaml"]


def test_an_unexpected_exception_in_one_file_is_that_files_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_collection(tmp_path / "c")
    (root / "other.request.yaml").write_text("name: Other\n")
    from app.core import codec

    real = codec.request_from_data

    def flaky(data: dict[str, Any], path: Path | None) -> Request:
        if data.get("name") == "Other":
            raise MemoryError
        return real(data, path)

    monkeypatch.setattr(storage, "request_from_data", flaky)
    loaded = storage.load_collection(root, use_cache=False)
    assert [r.name for r in loaded.requests] == ["Good"]
    assert [p.path.name for p in loaded.problems] == ["other.request.yaml"]
    assert "more memory" in loaded.problems[0].reason


@pytest.mark.timeout(30)
def test_a_collection_file_that_is_not_a_regular_file_is_refused_at_once(
    tmp_path: Path,
) -> None:
    root = make_collection(tmp_path / "c")
    meta = root / "collection.yaml"
    meta.unlink()
    os.mkfifo(meta)
    with pytest.raises(StorageError, match="named pipe"):
        storage.load_collection(root)
    meta.unlink()
    meta.symlink_to("/dev/zero")
    with pytest.raises(StorageError, match="character device"):
        storage.load_collection(root)
    meta.unlink()
    meta.write_text("courier: 1\nname: C\nx: " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(StorageError, match="too large"):
        storage.load_collection(root)
