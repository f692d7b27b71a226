"""A broken Bruno collection says which file and where in it (line and column), and
nothing of the collection is imported; Bru's own edge cases read as Bruno reads them.
Any text given to the ``.bru`` parser ends in blocks or ``MalformedImport`` (fuzzed)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_bruno_folder
from app.core.importers.bruno_lang import parse_bru

BRU = Path(__file__).resolve().parent / "fixtures" / "bruno" / "shop-bru"
YAML = Path(__file__).resolve().parent / "fixtures" / "bruno" / "shop-yaml"
_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def copy_of(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "collection"
    shutil.copytree(source, target)
    return target


def test_unclosed_block_names_the_file_line_and_column(tmp_path: Path) -> None:
    root = copy_of(BRU, tmp_path)
    (root / "users" / "broken.bru").write_text(
        "meta {\n  name: Broken\n  seq: 9\n}\n\nget {\n  url: http://x\n"
    )
    with pytest.raises(MalformedImport) as caught:
        parse_bruno_folder(root)
    error = caught.value
    assert error.reason == (
        "users/broken.bru: the 'get' block is never closed: expected '}' at the start of a line"
    )
    assert (error.line, error.column) == (6, 5)
    assert str(error).endswith("(line 6, column 5)")


def test_pair_without_colon(tmp_path: Path) -> None:
    root = copy_of(BRU, tmp_path)
    (root / "health.bru").write_text("meta {\n  name: Health\n}\n\nheaders {\n  Accept json\n}\n")
    with pytest.raises(MalformedImport) as caught:
        parse_bruno_folder(root)
    assert caught.value.reason == "health.bru: expected ':' after the key 'Accept'"
    assert (caught.value.line, caught.value.column) == (6, 10)


def test_text_outside_any_block_and_bad_environment(tmp_path: Path) -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_bru("meta {\n  name: x\n}\nstray text\n", "a.bru")
    assert caught.value.reason == "a.bru: expected '{' after 'stray'"
    assert (caught.value.line, caught.value.column) == (4, 7)
    root = copy_of(BRU, tmp_path)
    (root / "environments" / "Local.bru").write_text("vars:secret [\n  token,\n")
    with pytest.raises(MalformedImport) as env_error:
        parse_bruno_folder(root)
    assert env_error.value.reason.startswith("environments/Local.bru: this list is never closed")


def test_unclosed_multiline_value_points_at_its_start() -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_bru("headers {\n  X: '''\n    a\n}\n", "m.bru")
    assert caught.value.reason == "m.bru: this ''' text is never closed"
    assert (caught.value.line, caught.value.column) == (2, 6)


def test_broken_bruno_json_and_yaml(tmp_path: Path) -> None:
    root = copy_of(BRU, tmp_path)
    (root / "bruno.json").write_text('{"name": "x",\n  oops}')
    with pytest.raises(MalformedImport) as caught:
        parse_bruno_folder(root)
    assert caught.value.reason == "bruno.json: not valid JSON"
    assert (caught.value.line, caught.value.column) == (2, 3)
    yaml_root = copy_of(YAML, tmp_path / "y")
    (yaml_root / "users" / "get-user.yml").write_text("info:\n  name: [unclosed\n")
    with pytest.raises(MalformedImport) as yaml_error:
        parse_bruno_folder(yaml_root)
    assert yaml_error.value.reason.startswith("users/get-user.yml: not valid YAML")
    assert yaml_error.value.line == 3
    (yaml_root / "users" / "get-user.yml").write_text("info: {name: x}\nhttp: [1, 2]\n")
    with pytest.raises(MalformedImport) as shape:
        parse_bruno_folder(yaml_root)
    assert shape.value.where == "users/get-user.yml: http"


def test_bru_edge_cases_read_as_bruno_reads_them() -> None:
    bru = parse_bru(
        "meta {\r\n  name: Spaced   \r\n  seq: 3\r\n}\r\n"
        "headers {\n\n  ~X-Off: 1\n  Url: http://a/b?c=d:e\n  Empty:\n}\n"
        'body:json {\n  {\n    "a": "}"\n  }\n}\n'
        "docs {\n}\n",
        "edge.bru",
    )
    meta = bru.get("meta")
    assert meta is not None
    assert meta.value("name") == "Spaced"
    headers = bru.pairs("headers")
    assert [(p.name, p.value, p.enabled) for p in headers] == [
        ("X-Off", "1", False),
        ("Url", "http://a/b?c=d:e", True),
        ("Empty", "", True),
    ]
    assert bru.text("body:json") == '{\n  "a": "}"\n}'
    assert bru.text("docs") == ""
    unknown = parse_bru("settings {\n  encodeUrl: true\n}\nfuture:block {\n  anything\n}\n", "u")
    assert [(b.tag, b.unknown) for b in unknown.blocks] == [
        ("settings", False),
        ("future:block", True),
    ]


@SETTINGS
@given(
    st.text(
        alphabet=st.sampled_from(list("meta{}[]:~' \n\tgetbody:jsonurl@file()|,\r\"")), max_size=200
    )
)
def test_fuzz_bru_parser_only_raises_malformed_import(text: str) -> None:
    try:
        parse_bru(text, "fuzz.bru")
    except MalformedImport as error:
        failure = error
    else:
        return
    assert failure.reason.startswith("fuzz.bru: ")
    assert failure.line >= 1
    assert failure.column >= 1


@SETTINGS
@given(st.text(max_size=300))
def test_fuzz_bru_parser_any_unicode(text: str) -> None:
    with contextlib.suppress(MalformedImport):
        parse_bru(text, "fuzz.bru")


REQUEST = (BRU / "users" / "create-user.bru").read_text()


@SETTINGS
@given(st.integers(0, len(REQUEST)), st.integers(0, 20), st.text(max_size=8))
def test_fuzz_mutated_request_file_in_a_collection(cut: int, span: int, insert: str) -> None:
    """A real request file cut and spliced: a collection or MalformedImport, never a crash."""
    import tempfile

    text = REQUEST[:cut] + insert + REQUEST[cut + span :]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "bruno.json").write_text('{"name": "fuzz"}')
        (root / "request.bru").write_text(text, encoding="utf-8")
        try:
            imported = parse_bruno_folder(root)
        except MalformedImport:
            return
        assert imported.report.requests in (0, 1)


def big_collection(root: Path, folders: int) -> int:
    """``folders`` folders of 100 request files each; the bytes written."""
    root.mkdir()
    (root / "bruno.json").write_text('{"name": "Big"}')
    template = (BRU / "users" / "create-user.bru").read_text()
    total = 0
    for f in range(folders):
        directory = root / f"folder-{f:03d}"
        directory.mkdir()
        (directory / "folder.bru").write_text(f"meta {{\n  name: Folder {f}\n  seq: {f}\n}}\n")
        for r in range(100):
            text = template.replace("Create user", f"Create user {r}")
            text = text.replace("seq: 3", f"seq: {r}")
            (directory / f"r{r:03d}.bru").write_text(text)
            total += len(text)
    return total


def test_ten_thousand_bru_files_parse_whole(tmp_path: Path) -> None:
    """(How fast: tests/bench/import_formats.py.)"""
    big_collection(tmp_path / "big", 100)
    imported = parse_bruno_folder(tmp_path / "big")
    assert imported.report.requests == 10_000
    assert imported.report.folders == 100
    first = imported.collection.folders[0]
    assert [r.name for r in first.requests[:3]] == [
        "Create user 0",
        "Create user 1",
        "Create user 2",
    ]


def test_large_collection_parses_in_bounded_memory(tmp_path: Path) -> None:
    total = big_collection(tmp_path / "big", 20)
    tracemalloc.start()
    try:
        imported = parse_bruno_folder(tmp_path / "big")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert imported.report.requests == 2_000
    # the model (each request with its notes) is most of it; one file is read at a time
    print(f"2,000 .bru files ({total >> 10} KiB): peak {peak >> 10} KiB")
    assert peak < 20 * total, (peak, total)
