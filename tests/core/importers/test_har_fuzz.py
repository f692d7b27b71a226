"""Whatever file is given, the HAR importer answers with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_har

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "har"
CHROME = json.loads((FIXTURES / "chrome-shop.har").read_text())
FIREFOX = json.loads((FIXTURES / "firefox-api.har").read_text())

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
URLS = st.sampled_from(
    ["http://a.test/x?y=1", "data:,x", "ws://a", "https://[::1", "http://[zz]/", "//host/p",
     "x", " ", "https://a.test/a b?c=%ZZ#f", "HTTPS://A.TEST"]
)  # fmt: skip
KEYS = st.sampled_from(
    ["log", "entries", "pages", "pageref", "id", "title", "request", "method", "url", "headers",
     "cookies", "queryString", "postData", "mimeType", "text", "params", "name", "value",
     "fileName", "contentType", "comment", "_resourceType", "response", "content", "creator",
     "version"]
)  # fmt: skip


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a JSON document, as a key path."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, (*prefix, i))
    return out


CHROME_PATHS = paths(CHROME)
FIREFOX_PATHS = paths(FIREFOX)


def mutated(document: Any, where: tuple[Any, ...], key: str, value: Any) -> Any:
    """``document`` with the value at ``where`` replaced by ``value`` (or, for an
    object there, ``key`` set to it)."""
    copy = json.loads(json.dumps(document))
    if not where:
        return value
    parent = copy
    for step in where[:-1]:
        parent = parent[step]
    target = parent[where[-1]]
    if isinstance(target, dict) and key:
        target[key] = value
    else:
        parent[where[-1]] = value
    return copy


def outcome(text: str) -> MalformedImport | None:
    try:
        parse_har(text)
    except MalformedImport as exc:
        return exc
    return None


def check(text: str) -> None:
    error = outcome(text)
    if error is not None:
        assert error.line >= 1 or error.where, str(error)


@SETTINGS
@given(st.sampled_from(CHROME_PATHS), KEYS | st.just(""), JSON | URLS)
def test_a_chrome_har_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(json.dumps(mutated(CHROME, where, key, value)))


@SETTINGS
@given(st.sampled_from(FIREFOX_PATHS), KEYS | st.just(""), JSON | URLS)
def test_a_firefox_har_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(json.dumps(mutated(FIREFOX, where, key, value)))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_imports_or_says_where(text: str) -> None:
    check(text)


@SETTINGS
@given(st.integers(0, len(json.dumps(FIREFOX)) - 1))
def test_a_truncated_file_says_line_and_column(cut: int) -> None:
    text = json.dumps(FIREFOX, indent="\t")[:cut]
    error = outcome(text)
    assert error is not None, "a truncated file imported"
    assert error.line >= 1
