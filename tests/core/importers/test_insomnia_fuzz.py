"""Whatever file is given, the Insomnia importer answers with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_insomnia

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "insomnia"
V4 = json.loads((FIXTURES / "shop.insomnia_v4.json").read_text())
V5 = yaml.safe_load((FIXTURES / "shop.insomnia_v5.yaml").read_text())

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["_type", "_id", "parentId", "resources", "__export_format", "type", "collection", "children",
     "meta", "sortKey", "metaSortKey", "method", "url", "name", "parameters", "headers", "body",
     "mimeType", "text", "params", "fileName", "authentication", "prefix", "addTo", "grantType",
     "disabled", "environment", "environments", "subEnvironments", "data", "kvPairData",
     "environmentType", "__insomnia_vault", "scripts", "preRequest", "afterResponse", "settings",
     "followRedirects", "cookies", "cookieJar", "pathParameters", "description", "reflectionApi",
     "contents", "value", "enabled", "id"]
)  # fmt: skip


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a document, as a key path."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, (*prefix, i))
    return out


V4_PATHS = paths(V4)
V5_PATHS = paths(V5)


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
        parse_insomnia(text)
    except MalformedImport as exc:
        return exc
    return None


def check(text: str) -> None:
    error = outcome(text)
    if error is not None:
        assert error.line >= 1 or error.where, str(error)


@SETTINGS
@given(st.sampled_from(V4_PATHS), KEYS | st.just(""), JSON)
def test_a_v4_export_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(json.dumps(mutated(V4, where, key, value)))


@SETTINGS
@given(st.sampled_from(V5_PATHS), KEYS | st.just(""), JSON)
def test_a_v5_file_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(yaml.safe_dump(mutated(V5, where, key, value), allow_unicode=True))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_imports_or_says_where(text: str) -> None:
    check(text)


@SETTINGS
@given(st.integers(0, len(json.dumps(V4)) - 1))
def test_a_truncated_json_export_says_line_and_column(cut: int) -> None:
    text = json.dumps(V4, indent="\t")[:cut]
    error = outcome(text)
    assert error is not None, "a truncated export imported"
    assert error.line >= 1 or error.where
