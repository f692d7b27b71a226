"""``$ref`` inside an OpenAPI / Swagger description, followed without ever hanging.

Only references within the document (``#/components/schemas/Pet``,
``#/definitions/Pet``) are followed: Courier imports offline, so a reference to
another file or a URL is not fetched; each use is noted in the report, once per
place.  A chain of references that comes back to itself stops where it loops.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from app.core.importers.imported import ImportReport

#: how many references one chain may follow (a -> b -> c ...) before it is given up
MAX_CHAIN = 32


class Refs:
    """Resolves ``$ref`` against one document; remembers what it could not follow."""

    def __init__(self, document: dict[str, Any], report: ImportReport) -> None:
        self.document = document
        self.report = report
        self._noted: set[tuple[str, str]] = set()

    def target(self, ref: str) -> Any:
        """What an internal ``#/a/b`` points at (None: nothing there, or not internal)."""
        if not ref.startswith("#"):
            return None
        node: Any = self.document
        pointer = unquote(ref[1:])
        if not pointer:
            return node
        if not pointer.startswith("/"):
            return None
        for raw in pointer[1:].split("/"):
            step = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node[step] if step in node else _missing(node, step)
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                return None
            if node is None:
                return None
        return node

    def resolve(self, node: Any, where: str) -> Any:
        """``node`` with its ``$ref`` chain followed: the object it names, or ``{}``
        when the reference cannot be followed (noted), loops, or names nothing."""
        seen: set[str] = set()
        for _ in range(MAX_CHAIN):
            if not isinstance(node, dict) or "$ref" not in node:
                return node
            ref = node["$ref"]
            if not isinstance(ref, str):
                self.once(where, "a $ref that is not text was left out")
                return {}
            if ref in seen:
                self.once(where, f"the reference {ref} refers back to itself; left out")
                return {}
            seen.add(ref)
            if not ref.startswith("#"):
                self.once(
                    where,
                    f"the reference {ref} is outside this file; not fetched (Courier imports "
                    "offline), so what it describes is missing",
                )
                return {}
            found = self.target(ref)
            if found is None:
                self.once(where, f"the reference {ref} names nothing in this file; left out")
                return {}
            node = found
        self.once(where, "a chain of references too long to follow; left out")
        return {}

    def once(self, where: str, text: str) -> None:
        """A note, given once per place and text (a schema used by 1,000 operations
        is noted where it is, not 1,000 times)."""
        if (where, text) not in self._noted:
            self._noted.add((where, text))
            self.report.note(where, text)


def _missing(node: dict[Any, Any], step: str) -> Any:
    """YAML reads ``200:`` as a number: ``#/paths/~1a/get/responses/200`` still finds it."""
    for key, value in node.items():
        if str(key) == step:
            return value
    return None
