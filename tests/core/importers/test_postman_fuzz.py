"""Whatever file is given, the Postman importers answer with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.core.importers import parse_postman, parse_postman_environment
from tests.core.importers.fuzzing import JSON, SETTINGS, check, mutated, outcome, paths

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "postman"
SHOP = json.loads((FIXTURES / "shop.postman_collection.json").read_text())
ENV = json.loads((FIXTURES / "shop.postman_environment.json").read_text())

KEYS = st.sampled_from(
    ["item", "request", "url", "header", "body", "mode", "raw", "auth", "type", "basic", "apikey",
     "oauth2", "formdata", "urlencoded", "file", "graphql", "variable", "event", "script", "exec",
     "query", "host", "path", "description", "options", "src", "values", "key", "value", "info",
     "response", "protocolProfileBehavior", "language", "in", "grant_type", "disabled", "enabled",
     "listen", "port", "protocol", "contentType", "schema", "name", "method"]
)  # fmt: skip


SHOP_PATHS = paths(SHOP)
ENV_PATHS = paths(ENV)


@SETTINGS
@given(st.sampled_from(SHOP_PATHS), KEYS | st.just(""), JSON)
def test_a_collection_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(parse_postman, json.dumps(mutated(SHOP, where, key, value)))


@SETTINGS
@given(st.sampled_from(ENV_PATHS), KEYS | st.just(""), JSON)
def test_an_environment_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(parse_postman_environment, json.dumps(mutated(ENV, where, key, value)))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_imports_or_says_where(text: str) -> None:
    check(parse_postman, text)
    check(parse_postman_environment, text)


@SETTINGS
@given(st.integers(0, len(json.dumps(SHOP)) - 1))
def test_a_truncated_file_says_line_and_column(cut: int) -> None:
    text = json.dumps(SHOP, indent="\t")[:cut]
    error = outcome(parse_postman, text)
    assert error is not None, "a truncated file imported"
    assert error.line >= 1
