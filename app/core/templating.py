"""``{{name}}`` substitution with unresolved-variable reporting, within a budget.

A placeholder is ``{{`` + any text without braces or line breaks + ``}}``; the
name is that text stripped of surrounding spaces, so ``{{ my var }}`` and
``{{ünï}}`` are variables like ``{{id}}`` (a name can be defined with spaces or
any letters).  ``{{}}`` and ``{{  }}`` name nothing and stay as they are.

Values may refer to other variables (``base: "{{host}}/v1"``); they are
expanded recursively, at most ``MAX_DEPTH`` levels deep.  A variable that
refers to itself, directly or through others, is reported as unresolved (its
placeholder stays where the loop closes) instead of looping: the user sees the
name in the "unresolved variables" prompt, and what is sent shows where.
Unresolved placeholders stay in the text as typed, so the user sees exactly
what is missing.

Expansion has a ``Budget``: a text may grow by at most ``MAX_GROWTH``
characters through substitution, and one budget (one resolve of a request)
allows at most ``MAX_STEPS`` substitutions.  Past either, ``ExpansionTooLarge``
says which variable blew up (ten variables each using the next one ten times
would otherwise expand to 10^10 characters and freeze the window).

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
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.core.errors import ExpansionTooLarge

#: ``{{`` + a name (anything but braces and line breaks) + ``}}``; group 1 is unstripped
PATTERN = re.compile(r"\{\{([^{}\r\n]*)\}\}")
#: how deep values may refer to values (``a`` -> ``{{b}}`` -> ``{{c}}``...)
MAX_DEPTH = 10
#: how many characters substitution may add to one text (4 MiB: far more than any
#: header or URL needs, small enough to build in a blink)
MAX_GROWTH = 4 * 1024 * 1024
#: how many substitutions one budget (one resolve) allows
MAX_STEPS = 100_000
#: the built-in naming the demo server's address (given by the caller once it runs)
DEMO_VARIABLE = "$demo"


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


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered text and what went into it."""

    text: str
    #: names without a value (their placeholders are still in ``text``), first use first
    unresolved: tuple[str, ...] = ()
    #: every name that was substituted, at any depth (``a`` and, through it, ``b``)
    used: frozenset[str] = frozenset()
    #: a dynamic built-in (``$uuid``...) went into it: another render differs
    dynamic: bool = False


@dataclass(slots=True)
class Budget:
    """How far expansion may go; share one between the renders of one request."""

    steps: int = MAX_STEPS
    growth: int = MAX_GROWTH
    used_steps: int = field(default=0, init=False)


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


DYNAMIC: dict[str, Callable[[], str]] = {
    "$uuid": lambda: str(uuid.uuid4()),
    "$timestamp": lambda: str(int(time.time())),
    "$isoTimestamp": _iso_now,
    "$randomInt": lambda: str(random.randint(0, 1000)),
}


def find_variables(text: str) -> list[VariableSpan]:
    """Every ``{{name}}`` of ``text`` (the same placeholders ``render`` substitutes)."""
    spans = []
    for match in PATTERN.finditer(text):
        name = match.group(1).strip()
        if name:
            spans.append(VariableSpan(match.start(), match.end(), name))
    return spans


def render(text: str, values: Mapping[str, str], budget: Budget | None = None) -> RenderResult:
    """Replace every ``{{name}}`` known to ``values`` (or a dynamic built-in).

    Raises ``ExpansionTooLarge`` past the budget (a fresh one if none is given).
    """
    result = Expander(values, budget).render(text)
    return RenderResult(result.text, result.unresolved)


class Expander:
    """Renders texts against one mapping of values, all within one ``Budget``."""

    def __init__(self, values: Mapping[str, str], budget: Budget | None = None) -> None:
        self.values = values
        self.budget = budget if budget is not None else Budget()

    def render(self, text: str) -> Rendered:
        if "{{" not in text:
            return Rendered(text)
        state = _State()
        out = self._expand(text, (), len(text) + self.budget.growth, state)
        return Rendered(
            out, tuple(dict.fromkeys(state.unresolved)), frozenset(state.used), state.dynamic
        )

    def _expand(self, text: str, stack: tuple[str, ...], room: int, state: _State) -> str:
        """``text`` with its placeholders replaced, at most ``room`` characters long."""
        pieces: list[str] = []
        size = 0
        position = 0
        for match in PATTERN.finditer(text):
            name = match.group(1).strip()
            if not name:
                continue
            piece = text[position : match.start()]
            position = match.end()
            replacement = self._substitute(name, match.group(0), stack, room - size, state)
            size += len(piece) + len(replacement)
            if size > room:
                raise self._too_large(name, stack, steps=False)
            pieces.append(piece)
            pieces.append(replacement)
        pieces.append(text[position:])
        size += len(text) - position
        if size > room:
            raise self._too_large(stack[-1] if stack else "", stack[:-1], steps=False)
        return "".join(pieces)

    def _substitute(
        self, name: str, placeholder: str, stack: tuple[str, ...], room: int, state: _State
    ) -> str:
        if name in stack or len(stack) >= MAX_DEPTH:
            state.unresolved.append(name)  # a loop, or nested too deep
            return placeholder
        value = self.values.get(name)
        dynamic = DYNAMIC.get(name) if value is None else None
        if value is None and dynamic is None:
            state.unresolved.append(name)
            return placeholder
        self.budget.used_steps += 1
        if self.budget.used_steps > self.budget.steps:
            raise self._too_large(name, stack, steps=True)
        state.used.add(name)
        if value is None:
            assert dynamic is not None
            state.dynamic = True
            return dynamic()
        if "{{" in value:
            return self._expand(value, (*stack, name), max(room, 0), state)
        return value

    def _too_large(self, name: str, stack: tuple[str, ...], steps: bool) -> ExpansionTooLarge:
        """The error naming the variable that blew up, and the path that led to it."""
        if steps:
            what = f"needs more than {self.budget.steps:,} substitutions"
        else:
            what = f"grows the text by more than {self.budget.growth / (1024 * 1024):g} MiB"
        path = [n for n in (*stack, name) if n]
        chain = " → ".join(f"{{{{{n}}}}}" for n in path)
        subject = f"{{{{{path[0]}}}}}" if path else "the text"
        message = f"Variables expand too far: {subject} {what}"
        if len(path) > 1:
            message += f" (through {chain})"
        return ExpansionTooLarge(
            message + ". Check for values that repeat other variables many times.",
            detail=chain,
        )


@dataclass(slots=True)
class _State:
    """What one render collects on its way."""

    unresolved: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    dynamic: bool = False
