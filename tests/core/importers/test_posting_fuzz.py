"""Whatever a Posting file or dotenv file holds, the importer answers with a collection
or with Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_posting, parse_posting_folder
from app.core.importers.posting_text import parse_dotenv

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SHOP = Path(__file__).resolve().parent / "fixtures" / "posting" / "shop"
FILES = sorted(SHOP.rglob("*.posting.yaml"))
DOCUMENTS = [yaml.safe_load(path.read_text()) for path in FILES]

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["name", "description", "method", "url", "body", "content", "form_data", "content_type",
     "auth", "type", "basic", "digest", "bearer_token", "token", "username", "password",
     "headers", "params", "cookies", "value", "enabled", "options", "follow_redirects",
     "verify_ssl", "attach_cookies", "proxy_url", "timeout", "scripts", "setup", "on_request",
     "on_response", "posting_version"]
)  # fmt: skip


def places(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += places(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += places(item, (*prefix, i))
    return out


PLACES = [(i, where) for i, document in enumerate(DOCUMENTS) for where in places(document)]


def mutated(document: Any, where: tuple[Any, ...], key: str, value: Any) -> Any:
    copy = yaml.safe_load(yaml.safe_dump(document))
    if not where:
        return {key: value} if key else value
    parent = copy
    for step in where[:-1]:
        parent = parent[step]
    target = parent[where[-1]]
    if isinstance(target, dict) and key:
        target[key] = value
    else:
        parent[where[-1]] = value
    return copy


def outcome(parse: Any, text: str | bytes) -> MalformedImport | None:
    try:
        parse(text)
    except MalformedImport as exc:
        return exc
    return None


def check(parse: Any, text: str | bytes) -> None:
    error = outcome(parse, text)
    if error is not None:
        assert error.line >= 1 or error.where, str(error)


@SETTINGS
@given(st.sampled_from(PLACES), KEYS | st.just(""), VALUES)
def test_a_request_file_changed_anywhere_imports_or_says_where(
    place: tuple[int, tuple[Any, ...]], key: str, value: Any
) -> None:
    index, where = place
    check(parse_posting, yaml.safe_dump(mutated(DOCUMENTS[index], where, key, value)))


@SETTINGS
@given(st.text(max_size=200) | st.binary(max_size=100))
def test_any_text_imports_or_says_where(text: str | bytes) -> None:
    check(parse_posting, text)
    if isinstance(text, str):
        check(lambda t: parse_dotenv(t, ".env"), text)


@settings(max_examples=_FUZZ or 40, derandomize=not _FUZZ, deadline=None)
@given(st.sampled_from(FILES), st.integers(0, 400), st.text(max_size=40))
def test_a_folder_with_a_damaged_file_imports_or_says_where(
    path: Path, cut: int, tail: str
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "c"
        (root / "sub").mkdir(parents=True)
        (root / "sub" / path.name).write_text(path.read_text()[:cut] + tail)
        (root / "dev.env").write_text(tail)
        check(lambda _t: parse_posting_folder(root), "")
