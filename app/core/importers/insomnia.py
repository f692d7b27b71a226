"""Insomnia exports in Courier's model: export format 4 (JSON or YAML) and v5 YAML.

    imported = parse_insomnia(text)      # raises MalformedImport (line/column or JSON path)

The file says which it is: ``_type: export`` with ``__export_format: 4`` (v4,
``app.core.importers.insomnia_v4``) or ``type: collection.insomnia.rest/5.0``
(v5, ``app.core.importers.insomnia_v5``).  Text starting with ``{`` is read as
JSON (line and column of a syntax error from the JSON parser), anything else as
YAML (``insomnia_yaml``: fast, bounded — no alias bombs, at most 100 levels deep).
"""

from __future__ import annotations

from typing import Any

from app.core import yamlio
from app.core.importers import insomnia_yaml
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.insomnia_v4 import read_v4
from app.core.importers.insomnia_v5 import read_v5
from app.core.importers.json_doc import document_text, load_json, shown_type

_FORMATS = (3, 4)


def parse_insomnia(text: str | bytes) -> Imported:
    """The collection of an Insomnia v4 (JSON or YAML) or v5 (YAML) export; nothing half-way."""
    document = load_document(text)
    if not isinstance(document, dict):
        raise MalformedImport(
            f"not an Insomnia export: the file holds {shown_type(document)}, not an object",
            where="$",
        )
    if document.get("_type") == "export":
        version = document.get("__export_format")
        if version not in _FORMATS:
            raise MalformedImport(
                f"Insomnia export format {version!r}; Courier reads format 4 "
                "(export it again from a recent Insomnia)",
                where="__export_format",
            )
        report = ImportReport(source=f"Insomnia export v{version}")
        return read_v4(document, report)
    kind = document.get("type")
    if isinstance(kind, str) and "insomnia" in kind and kind.endswith("/5.0"):
        return read_v5(document, kind, ImportReport(source="Insomnia v5"))
    if "info" in document and "item" in document:
        hint = "it looks like a Postman collection: import it as one"
    elif "openapi" in document or "swagger" in document:
        hint = "it looks like an OpenAPI document: import it as one"
    else:
        hint = "it has neither _type: export (v4) nor type: collection.insomnia.rest/5.0 (v5)"
    raise MalformedImport(f"not an Insomnia export: {hint}", where="$")


def load_document(text: str | bytes) -> Any:
    """JSON when it looks like JSON, else YAML; errors with line and column."""
    text = document_text(text)
    if text.lstrip()[:1] in ("{", "["):
        return load_json(text)
    try:
        return insomnia_yaml.load(text)
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MalformedImport(f"not valid YAML: {problem}", line=line, column=column) from exc
    except (ValueError, TypeError, OverflowError) as exc:  # TooComplex, a bad date...
        raise MalformedImport(f"cannot read the YAML: {exc}", line=1, column=1) from exc
