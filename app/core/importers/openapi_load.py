"""Reading an OpenAPI / Swagger description's text (JSON or YAML) into plain objects,
with errors that say where: line and column for bad JSON or YAML.

JSON goes to ``json_doc.load_json``; anything else to Courier's bounded YAML loader
(``app.core.yamlio.load``: alias bombs and runaway nesting are refused, not built).
"""

from __future__ import annotations

from typing import Any

import yaml

from app.core import yamlio
from app.core.importers.errors import MalformedImport
from app.core.importers.json_doc import document_text, load_json


def load_document(text: str | bytes) -> Any:
    """The parsed document; ``MalformedImport`` with line and column when unreadable."""
    text = document_text(text)
    if text.lstrip()[:1] in ("{", "["):
        return load_json(text)
    return _load_yaml(text)


def _load_yaml(text: str) -> Any:
    try:
        return yamlio.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise MalformedImport(f"not valid YAML: {problem}", line=line, column=column) from exc
    except yamlio.TooComplex as exc:
        raise MalformedImport(f"cannot read this YAML: {exc}", line=1, column=1) from exc
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise MalformedImport(f"not valid YAML: {exc}", line=1, column=1) from exc
    except RecursionError as exc:
        raise MalformedImport("the YAML is nested too deeply", line=1, column=1) from exc
