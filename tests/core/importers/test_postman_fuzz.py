"""Whatever file is given, the Postman importers answer with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_postman, parse_postman_environment

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "postman"
SHOP = json.loads((FIXTURES / "shop.postman_collection.json").read_text())
ENV = json.loads((FIXTURES / "shop.postman_environment.json").read_text())

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["item", "request", "url", "header", "body", "mode", "raw", "auth", "type", "basic", "apikey",
     "oauth2", "formdata", "urlencoded", "file", "graphql", "variable", "event", "script", "exec",
     "query", "host", "path", "description", "options", "src", "values", "key", "value", "info",
     "response", "protocolProfileBehavior", "language", "in", "grant_type", "disabled", "enabled",
     "listen", "port", "protocol", "contentType", "schema", "name", "method"]
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


SHOP_PATHS = paths(SHOP)
ENV_PATHS = paths(ENV)


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


def outcome(parse: Any, text: str) -> MalformedImport | None:
    try:
        parse(text)
    except MalformedImport as exc:
        return exc
    return None


def check(parse: Any, text: str) -> None:
    error = outcome(parse, text)
    if error is not None:
        assert error.line >= 1 or error.where, str(error)


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
