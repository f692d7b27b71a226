"""Download file names: Content-Disposition (RFC 6266/8187), URLs, and hostile names."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.download_names import (
    MAX_NAME_BYTES,
    name_from_content_disposition,
    name_from_url,
    numbered,
    safe_name,
    suggested_name,
    unique_path,
)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename=report.pdf", "report.pdf"),
        ('inline; FILENAME="a \\"quoted\\" b.txt"', 'a "quoted" b.txt'),
        ("attachment; filename*=UTF-8''%e2%82%ac%20rates.csv", "€ rates.csv"),
        ("attachment; filename=\"x.csv\"; filename*=UTF-8''%e2%82%ac.csv", "€.csv"),
        ("attachment; filename*=UTF-8''%e2%82%ac.csv; filename=\"x.csv\"", "€.csv"),
        ("attachment; filename*=iso-8859-1'en'%A3%20rates", "£ rates"),
        ("attachment; filename*=UTF-8''%ff%fe; filename=ok.bin", "ok.bin"),  # bad UTF-8
        ("attachment; filename*=koi8-r''%c1; filename=ok.bin", "ok.bin"),
        ("attachment", None),
        ("", None),
    ],
)
def test_content_disposition(header: str, name: str | None) -> None:
    assert name_from_content_disposition(header) == name


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.dll", "evil.dll"),
        ("..", "download"),
        (".", "download"),
        ("", "download"),
        (".bashrc", "bashrc"),
        ("a\x00b\nc\x7f.txt", "a_b_c_.txt"),
        ('what?<is>:"this"|*.txt', "what__is___this___.txt"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("LPT1.tar.gz", "LPT1_.tar.gz"),
        ("trailing. . ", "trailing"),
        ("/", "download"),
    ],
)
def test_safe_name(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = safe_name("é" * 300 + ".tar")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name.endswith(".tar")


def test_url_names() -> None:
    assert name_from_url("https://h/a/b/file%20name.zip?x=1#f") == "file name.zip"
    assert name_from_url("https://h/") is None
    assert suggested_name(None, "https://h/") == "download"
    assert suggested_name(None, "https://h/dir/..%2F..%2Fx") == "x"
    assert suggested_name('attachment; filename="a.txt"', "https://h/b.bin") == "a.txt"


def test_unique_path_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "report.tar.gz"
    assert unique_path(target) == target
    target.write_text("x")
    assert unique_path(target) == tmp_path / "report (1).tar.gz"
    (tmp_path / "report (1).tar.gz.part").write_text("in progress")
    assert unique_path(target) == tmp_path / "report (2).tar.gz"
    assert numbered(tmp_path / "README", 3) == tmp_path / "README (3)"
