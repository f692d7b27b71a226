"""The open tabs and their drafts on disk: secrets never written, owner-only files,
stale drafts removed, a damaged file never fatal."""

from __future__ import annotations

import os
from pathlib import Path

from app.core import drafts
from app.core.model import Auth, AuthKind, Request


def test_a_draft_round_trips_without_its_secret(tmp_path: Path) -> None:
    request = Request(
        name="Users",
        url="https://api.example/users",
        auth=Auth(kind=AuthKind.BASIC, username="ann", password="hunter2-secret"),
    )
    drafts.save_draft("abc123", request, tmp_path)
    (path,) = drafts.drafts_dir(tmp_path).iterdir()
    assert b"hunter2-secret" not in path.read_bytes()
    assert os.stat(path).st_mode & 0o777 == 0o600
    back = drafts.load_draft("abc123", tmp_path)
    assert back is not None
    assert back.url == "https://api.example/users"
    assert back.auth.username == "ann"
    assert back.auth.password == ""


def test_the_tab_list_round_trips_and_drops_drafts_no_tab_has(tmp_path: Path) -> None:
    drafts.save_draft("keep", Request(name="a", url="/a"), tmp_path)
    drafts.save_draft("stale", Request(name="b", url="/b"), tmp_path)
    state = drafts.OpenTabs(
        [
            drafts.TabRecord("keep", "", "", has_draft=True),
            drafts.TabRecord("plain", "/c", "x.request.yaml", pinned=False),
        ],
        selected=1,
    )
    drafts.save_open_tabs(state, tmp_path)
    assert drafts.load_open_tabs(tmp_path) == state
    assert [p.name for p in drafts.drafts_dir(tmp_path).iterdir()] == ["keep.request.yaml"]


def test_damaged_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / drafts.TABS_FILE).write_text("{not json", encoding="utf-8")
    assert drafts.load_open_tabs(tmp_path) == drafts.OpenTabs()
    (tmp_path / drafts.TABS_FILE).write_text(
        '{"tabs": [{"key": "../../etc"}, {"key": "ok1"}, 3], "selected": 9}', encoding="utf-8"
    )
    assert drafts.load_open_tabs(tmp_path) == drafts.OpenTabs([drafts.TabRecord("ok1")], 0)
    drafts.drafts_dir(tmp_path).mkdir()
    (drafts.drafts_dir(tmp_path) / "bad.request.yaml").write_text("name: [", encoding="utf-8")
    assert drafts.load_draft("bad", tmp_path) is None
    assert drafts.load_draft("../x", tmp_path) is None
