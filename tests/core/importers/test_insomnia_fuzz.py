"""Whatever file is given, the Insomnia importer answers with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from app.core.importers import parse_insomnia
from tests.core.importers.fuzzing import JSON, SETTINGS, check, mutated, outcome, paths

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "insomnia"
V4 = json.loads((FIXTURES / "shop.insomnia_v4.json").read_text())
V5 = yaml.safe_load((FIXTURES / "shop.insomnia_v5.yaml").read_text())

KEYS = st.sampled_from(
    ["_type", "_id", "parentId", "resources", "__export_format", "type", "collection", "children",
     "meta", "sortKey", "metaSortKey", "method", "url", "name", "parameters", "headers", "body",
     "mimeType", "text", "params", "fileName", "authentication", "prefix", "addTo", "grantType",
     "disabled", "environment", "environments", "subEnvironments", "data", "kvPairData",
     "environmentType", "__insomnia_vault", "scripts", "preRequest", "afterResponse", "settings",
     "followRedirects", "cookies", "cookieJar", "pathParameters", "description", "reflectionApi",
     "contents", "value", "enabled", "id"]
)  # fmt: skip


V4_PATHS = paths(V4)
V5_PATHS = paths(V5)


@SETTINGS
@given(st.sampled_from(V4_PATHS), KEYS | st.just(""), JSON)
def test_a_v4_export_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(parse_insomnia, json.dumps(mutated(V4, where, key, value)))


@SETTINGS
@given(st.sampled_from(V5_PATHS), KEYS | st.just(""), JSON)
def test_a_v5_file_changed_anywhere_imports_or_says_where(
    where: tuple[Any, ...], key: str, value: Any
) -> None:
    check(parse_insomnia, yaml.safe_dump(mutated(V5, where, key, value), allow_unicode=True))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_imports_or_says_where(text: str) -> None:
    check(parse_insomnia, text)


@SETTINGS
@given(st.integers(0, len(json.dumps(V4)) - 1))
def test_a_truncated_json_export_says_line_and_column(cut: int) -> None:
    text = json.dumps(V4, indent="\t")[:cut]
    error = outcome(parse_insomnia, text)
    assert error is not None, "a truncated export imported"
    assert error.line >= 1 or error.where
