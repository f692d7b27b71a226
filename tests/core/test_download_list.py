"""The downloads list on disk (owner-only, a corrupt file set aside) and which
responses are files to offer for download."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.download_list import load_download_list, save_download_list
from app.core.download_names import is_attachment, is_binary_type


def test_the_list_round_trips_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "downloads.json"
    records = [{"url": "http://h/a.bin", "state": "paused", "received": 5}]
    save_download_list(path, records)
    assert load_download_list(path) == records
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_corrupt_list_is_set_aside_and_the_list_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "downloads.json"
    path.write_text("{not json")
    assert load_download_list(path) == []
    assert path.with_name("downloads.json.bad").read_text() == "{not json"
    assert load_download_list(tmp_path / "missing.json") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('attachment; filename="a.pdf"', True),
        ("ATTACHMENT", True),
        ('inline; filename="a.pdf"', False),
        (None, False),
    ],
)
def test_attachment(value: str | None, expected: bool) -> None:
    assert is_attachment(value) is expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/octet-stream", True),
        ("image/png", True),
        ("application/zip", True),
        ("application/json; charset=utf-8", False),
        ("application/problem+json", False),
        ("text/html", False),
        ("application/xml", False),
        ("application/javascript", False),
        ("", False),
    ],
)
def test_binary_type(content_type: str, expected: bool) -> None:
    assert is_binary_type(content_type) is expected
