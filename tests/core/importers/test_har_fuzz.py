"""Whatever file is given, the HAR importer answers with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.core.importers import parse_har
from tests.core.importers.fuzzing import JSON, SETTINGS, check, mutated, outcome, paths

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "har"
CHROME = json.loads((FIXTURES / "chrome-shop.har").read_text())
FIREFOX = json.loads((FIXTURES / "firefox-api.har").read_text())

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


CHROME_PATHS = paths(CHROME)
FIREFOX_PATHS = paths(FIREFOX)


@SETTINGS
@given(st.sampled_from(CHROME_PATHS), KEYS | st.just(""), JSON | URLS)
def test_a_chrome_har_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(parse_har, json.dumps(mutated(CHROME, where, key, value)))


@SETTINGS
@given(st.sampled_from(FIREFOX_PATHS), KEYS | st.just(""), JSON | URLS)
def test_a_firefox_har_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(parse_har, json.dumps(mutated(FIREFOX, where, key, value)))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_imports_or_says_where(text: str) -> None:
    check(parse_har, text)


@SETTINGS
@given(st.integers(0, len(json.dumps(FIREFOX)) - 1))
def test_a_truncated_file_says_line_and_column(cut: int) -> None:
    text = json.dumps(FIREFOX, indent="\t")[:cut]
    error = outcome(parse_har, text)
    assert error is not None, "a truncated file imported"
    assert error.line >= 1
