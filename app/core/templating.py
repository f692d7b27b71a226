"""``{{name}}`` substitution with unresolved-variable reporting.

Values may refer to other variables (``base: "{{host}}/v1"``); they are
expanded recursively up to a fixed depth, so a variable that refers to itself
is reported as unresolved instead of looping.  Unresolved placeholders stay in
the text as typed, so the user sees exactly what is missing.

Dynamic built-ins are computed on every render: ``$uuid``, ``$timestamp``
(Unix seconds), ``$isoTimestamp`` (UTC, ISO 8601) and ``$randomInt`` (0-1000).
Callers add their own ``$``-names (``$demo``) through the values mapping.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

PATTERN = re.compile(r"\{\{\s*([A-Za-z0-9_.\-$]+)\s*\}\}")
MAX_DEPTH = 10


@dataclass(frozen=True, slots=True)
class VariableSpan:
    """Where a ``{{name}}`` sits in a text (for highlighting)."""

    start: int
    end: int
    name: str


@dataclass(frozen=True, slots=True)
class RenderResult:
    text: str
    unresolved: tuple[str, ...]


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


DYNAMIC: dict[str, Callable[[], str]] = {
    "$uuid": lambda: str(uuid.uuid4()),
    "$timestamp": lambda: str(int(time.time())),
    "$isoTimestamp": _iso_now,
    "$randomInt": lambda: str(random.randint(0, 1000)),
}


def find_variables(text: str) -> list[VariableSpan]:
    return [VariableSpan(m.start(), m.end(), m.group(1)) for m in PATTERN.finditer(text)]


def render(text: str, values: Mapping[str, str]) -> RenderResult:
    """Replace every ``{{name}}`` known to ``values`` (or a dynamic built-in)."""
    if "{{" not in text:
        return RenderResult(text, ())
    unresolved: list[str] = []
    out = _expand(text, values, unresolved, ())
    return RenderResult(out, tuple(dict.fromkeys(unresolved)))


def _expand(
    text: str, values: Mapping[str, str], unresolved: list[str], stack: tuple[str, ...]
) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in stack or len(stack) >= MAX_DEPTH:
            unresolved.append(name)
            return match.group(0)
        if name in values:
            value = values[name]
            if "{{" in value:
                return _expand(value, values, unresolved, (*stack, name))
            return value
        dynamic = DYNAMIC.get(name)
        if dynamic is not None:
            return dynamic()
        unresolved.append(name)
        return match.group(0)

    return PATTERN.sub(replace, text)
