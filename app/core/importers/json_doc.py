"""Reading a JSON document to import, with errors that say where (line and column for
bad JSON, the JSON path such as ``item[3].request.url`` for a wrong shape).

Memory is bounded by ``MAX_BYTES``: the document is parsed whole (the standard
``json`` module; a streaming parser would be a new dependency), which costs a few
times its size, and a bigger one is refused before it is parsed.
"""

from __future__ import annotations

import json
from typing import Any

from app.core.importers.errors import MalformedImport

#: the largest document accepted (a Postman export of 10,000 requests is ~10 MiB)
MAX_BYTES = 256 * 1024 * 1024


def document_text(text: str | bytes) -> str:
    """An imported file's text: refused past ``MAX_BYTES``, decoded as UTF-8 (a BOM
    dropped); ``MalformedImport`` at line 1 otherwise."""
    if len(text) > MAX_BYTES:
        raise MalformedImport(
            f"the file is over {MAX_BYTES // (1024 * 1024)} MiB, more than Courier imports",
            line=1,
            column=1,
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedImport("the file is not UTF-8 text", line=1, column=1) from exc
    return text.removeprefix("\ufeff")


def load_json(text: str | bytes) -> Any:
    """The parsed document; ``MalformedImport`` with the line and column if it is not JSON."""
    text = document_text(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedImport(
            f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from exc
    except RecursionError as exc:
        raise MalformedImport("the JSON is nested too deeply", line=1, column=1) from exc


def child(path: str, key: str | int) -> str:
    """``item[3]`` + ``request`` -> ``item[3].request``; + 2 -> ``item[3][2]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def shown_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "a number"
    )


def expect_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedImport(f"expected an object, found {shown_type(value)}", where=where or "$")
    return value


def expect_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedImport(f"expected a list, found {shown_type(value)}", where=where or "$")
    return value


def optional_list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    return [] if value is None else expect_list(value, child(where, key))


def text_of(value: Any, where: str) -> str:
    """A scalar as text (Postman stores numbers and booleans in value fields too)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise MalformedImport(f"expected text, found {shown_type(value)}", where=where)
