"""JSON filters: JSONPath (python-jsonpath) or jq (the jq bindings) over a body.

An expression starting with ``$`` is JSONPath, anything else is jq.  The
result is the list of matches as pretty JSON (always a JSON array, so it can be
copied or viewed as JSON itself) and their count.  Parsing a big body takes
seconds and several times its size in memory, so the UI runs filters on large
bodies in the format worker process (kind ``filter``), refusing bodies over
``MAX_FILTER_BYTES`` with a message that says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, Literal

import orjson

from app.core.units import human_size

MAX_FILTER_BYTES: Final = 256 << 20

Language = Literal["jsonpath", "jq"]


class FilterError(Exception):
    """A filter that cannot run: the message is short and meant for the user."""


@dataclass(frozen=True)
class FilterResult:
    text: str  # pretty JSON array of the results
    count: int
    language: Language


def language_of(expression: str) -> Language:
    return "jsonpath" if expression.lstrip().startswith("$") else "jq"


def check_size(size: int, limit: int = MAX_FILTER_BYTES) -> None:
    if size > limit:
        raise FilterError(
            f"the body is too large to filter ({human_size(size)}; the limit is "
            f"{human_size(limit)})"
        )


def _parse(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # integers over 64 bits, or really invalid: ask the stdlib
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FilterError(f"the body is not valid JSON: {exc}") from None


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "invalid expression"
    return line.removeprefix("jq: error: ").strip()


def run_filter(data: bytes, expression: str, *, limit: int = MAX_FILTER_BYTES) -> FilterResult:
    """Run ``expression`` over the JSON ``data``; raises ``FilterError``."""
    expression = expression.strip()
    if not expression:
        raise FilterError("empty expression")
    check_size(len(data), limit)
    language = language_of(expression)
    results: list[Any]
    if language == "jsonpath":
        import jsonpath

        try:
            query = jsonpath.compile(expression)
        except jsonpath.JSONPathError as exc:
            raise FilterError(_first_line(str(exc))) from None
        document = _parse(data)
        try:
            results = list(query.findall(document))
        except jsonpath.JSONPathError as exc:
            raise FilterError(_first_line(str(exc))) from None
    else:
        import jq

        try:
            program = jq.compile(expression)
        except ValueError as exc:
            raise FilterError(_first_line(str(exc))) from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FilterError(f"the body is not valid UTF-8: {exc}") from None
        try:
            results = list(program.input_text(text).all())
        except ValueError as exc:
            message = _first_line(str(exc))
            if message.startswith("parse error"):
                message = f"the body is not valid JSON: {message}"
            raise FilterError(message) from None
    return FilterResult(json.dumps(results, indent=2, ensure_ascii=False), len(results), language)
