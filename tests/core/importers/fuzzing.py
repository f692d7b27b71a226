"""What the importers' fuzz tests share: hypothesis settings (``COURIER_FUZZ=N`` runs
N examples, randomised), JSON-like values, the places inside a document, a document
changed at one place, and the one outcome allowed: a collection, or ``MalformedImport``
saying where."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


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


def outcome(parse: Callable[[Any], object], text: Any) -> MalformedImport | None:
    """The error ``parse`` gave for ``text`` (None: it imported); any other exception
    fails the test."""
    try:
        parse(text)
    except MalformedImport as exc:
        return exc
    return None


def check(parse: Callable[[Any], object], text: Any) -> None:
    """``parse`` imports ``text`` or says where it went wrong."""
    error = outcome(parse, text)
    if error is not None:
        assert error.line >= 1 or error.where, str(error)
