"""Whatever a Bruno YAML file holds, the importer answers with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception.
(The ``.bru`` parser is fuzzed in test_bruno_errors.py.)"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_bruno_folder

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 200,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SHOP = Path(__file__).resolve().parent / "fixtures" / "bruno" / "shop-yaml"
FILES = sorted(p.relative_to(SHOP) for p in SHOP.rglob("*.yml"))
DOCUMENTS = [yaml.safe_load((SHOP / path).read_text()) for path in FILES]

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["info", "name", "type", "seq", "http", "graphql", "method", "url", "params", "headers",
     "body", "data", "auth", "token", "username", "password", "flow", "credentials", "value",
     "disabled", "runtime", "scripts", "code", "assertions", "variables", "settings",
     "timeout", "maxRedirects", "docs", "request", "secret", "filePath", "selected"]
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
        return value if not isinstance(copy, dict) else {**copy, key: value}
    parent = copy
    for step in where[:-1]:
        parent = parent[step]
    target = parent[where[-1]]
    if isinstance(target, dict):
        target[key] = value
    else:
        parent[where[-1]] = value
    return copy


@SETTINGS
@given(st.sampled_from(PLACES), KEYS, VALUES)
def test_a_mutated_yaml_file_gives_a_collection_or_malformed_import(
    place: tuple[int, tuple[Any, ...]], key: str, value: Any
) -> None:
    index, where = place
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "shop"
        shutil.copytree(SHOP, root)
        text = yaml.safe_dump(mutated(DOCUMENTS[index], where, key, value), allow_unicode=True)
        (root / FILES[index]).write_text(text, encoding="utf-8")
        try:
            imported = parse_bruno_folder(root)
        except MalformedImport as error:
            failure = error
        else:
            assert imported.report.requests <= 10
            return
    assert failure.reason


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_as_a_request_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "opencollection.yml").write_text("info:\n  name: fuzz\n")
        (root / "request.yml").write_bytes(data)
        try:
            imported = parse_bruno_folder(root)
        except MalformedImport:
            return
        assert imported.report.requests <= 1
