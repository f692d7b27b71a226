"""What Insomnia's v4 export and its v5 YAML share: a request's URL, parameters,
headers, body and authentication, a folder's headers, auth and environment, and
environments, read into Courier's model.

Insomnia writes variables as ``{{ _.name }}`` (or ``{{name}}``, and secrets as
``{{ vault.name }}``); all become Courier's ``{{name}}``.  Nunjucks tags
(``{% response ... %}``) and filters (``{{ _.x | upper }}``) have no equivalent:
they stay in the text as they were, and the report says where.  Nested
environment values (``{"admin": {"id": 1}}``, used as ``{{ _.admin.id }}``)
become dotted names (``admin.id``).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from app.core.importers.errors import MalformedImport
from app.core.importers.imported import ImportReport
from app.core.importers.insomnia_auth import AuthReader
from app.core.importers.json_doc import child, expect_list, expect_object, text_of
from app.core.importers.urls import split_query
from app.core.model import (
    Body,
    BodyKind,
    Environment,
    Folder,
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Variable,
)

#: where Insomnia keeps an environment's secret ("vault") values
VAULT = "__insomnia_vault"
#: what a private environment's secret values read as in an export
VAULT_MASK = "••••••"
_PLACEHOLDER = re.compile(r"\{\{([^{}\r\n]*)\}\}")
_SIMPLE_NAME = re.compile(r"^[^\s|(){}'\"]+$")
_TAG = re.compile(r"\{%.*?%\}", re.S)
_SCRIPT_HEAD = "--- Insomnia {} script (kept as text; Courier does not run it) ---"
_SCRIPT_KINDS = {"preRequest": "pre-request", "afterResponse": "after-response"}


def scalar_text(value: Any, where: str) -> str:
    """A scalar as text; a YAML date or time (unquoted in the file) as ISO 8601."""
    if isinstance(value, date):
        return value.isoformat()
    return text_of(value, where)


class InsomniaReader(AuthReader):
    """Reads the parts of one export, noting what Courier keeps differently."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report)
        self._tagged: set[str] = set()

    # ------------------------------------------------------------ templates

    def template(self, text: str, label: str) -> str:
        """Insomnia's template text in Courier's ``{{name}}`` syntax."""
        if "{" not in text:
            return text
        kept = bool(_TAG.search(text))

        def convert(match: re.Match[str]) -> str:
            nonlocal kept
            inner = match.group(1).strip()
            if inner.startswith("_."):
                inner = inner[2:].strip()
            if inner.startswith("vault."):  # a secret: a secret variable of the same name
                inner = inner[6:].strip()
            if inner and _SIMPLE_NAME.match(inner):
                return "{{" + inner + "}}"
            kept = True
            return match.group(0)

        converted = _PLACEHOLDER.sub(convert, text)
        if kept and label not in self._tagged:
            self._tagged.add(label)
            self.report.note(
                label, "Insomnia template tags or filters kept as text (Courier does not run them)"
            )
        return converted

    def text(self, value: Any, where: str, label: str) -> str:
        return self.template(scalar_text(value, where), label)

    def field(self, data: dict[str, Any], key: str, where: str, label: str) -> str:
        return self.text(data.get(key), child(where, key), label)

    # ----------------------------------------------------------- rows

    def rows(self, raw: Any, where: str, label: str) -> list[KeyValue]:
        """``[{name, value, disabled}]`` (headers, parameters, form fields)."""
        if raw is None:
            return []
        rows = []
        for i, row in enumerate(expect_list(raw, where)):
            here = f"{where}[{i}]"
            row = expect_object(row, here)
            name = self.field(row, "name", here, label)
            value = self.field(row, "value", here, label)
            if not name and not value:
                continue
            rows.append(KeyValue(name, value, row.get("disabled") is not True))
        return rows

    # ---------------------------------------------------------- requests

    def request(
        self,
        data: dict[str, Any],
        where: str,
        *,
        description: str,
        scripts: dict[str, str],
        follow_redirects: Any,
        render_body: bool = True,
    ) -> Request:
        method = scalar_text(data.get("method"), child(where, "method")).upper() or "GET"
        name = scalar_text(data.get("name"), child(where, "name")) or method
        label = f"{where} ({name})"
        request = Request(name=name, method=method)
        url = self.field(data, "url", where, label)
        url, request.params = split_query(url)
        request.url = self.path_parameters(url, data, where, label)
        request.params += self.rows(data.get("parameters"), child(where, "parameters"), label)
        request.headers = self.rows(data.get("headers"), child(where, "headers"), label)
        request.body = self.body(data.get("body"), child(where, "body"), label)
        request.auth = self.auth(data.get("authentication"), child(where, "authentication"), label)
        request.notes = self.notes(description, scripts, label)
        if follow_redirects in ("on", "off"):
            request.settings.follow_redirects = follow_redirects == "on"
        if not render_body and "{{" in request.body.text:
            self.report.note(
                label, "Insomnia sends this body without filling in its variables; Courier does"
            )
        return request

    def path_parameters(self, url: str, data: dict[str, Any], where: str, label: str) -> str:
        """Insomnia's ``/users/:id`` with a value for ``id``: the value written in."""
        raw = data.get("pathParameters")
        if raw is None:
            return url
        values = {}
        for i, row in enumerate(expect_list(raw, child(where, "pathParameters"))):
            here = f"{child(where, 'pathParameters')}[{i}]"
            row = expect_object(row, here)
            name = scalar_text(row.get("name"), child(here, "name"))
            if name:
                values[name] = self.field(row, "value", here, label) or "{{" + name + "}}"
        if not values:
            return url

        def replace(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            return match.group(0) if value is None else "/" + value

        replaced = re.sub(r"/:([A-Za-z0-9_\-]+)", replace, url)
        if replaced != url:
            self.report.note(
                label,
                "path parameters " + ", ".join(":" + k for k in values) + " written into the URL",
            )
        return replaced

    def body(self, raw: Any, where: str, label: str) -> Body:
        if raw is None:
            return Body()
        data = expect_object(raw, where)
        mime = scalar_text(data.get("mimeType"), child(where, "mimeType"))
        base = mime.split(";", 1)[0].strip().lower()
        text = self.field(data, "text", where, label)
        if base == "application/json":
            return Body(BodyKind.JSON, text=text)
        if base == "application/x-www-form-urlencoded":
            return Body(
                BodyKind.FORM, form=self.rows(data.get("params"), child(where, "params"), label)
            )
        if base == "multipart/form-data":
            return Body(BodyKind.MULTIPART, parts=self.parts(data.get("params"), where, label))
        if base == "application/graphql":
            return self.graphql(text, label)
        file_name = self.field(data, "fileName", where, label)
        if file_name or base == "application/octet-stream":
            if not file_name:
                self.report.note(label, "a binary body without a file: choose the file in Courier")
            return Body(BodyKind.FILE, path=file_name, content_type=mime)
        if not text and not mime:
            return Body()
        return Body(BodyKind.RAW, text=text, content_type=mime)

    def parts(self, raw: Any, where: str, label: str) -> list[FormPart]:
        parts = []
        here = child(where, "params")
        for i, row in enumerate(expect_list(raw or [], here)):
            row = expect_object(row, f"{here}[{i}]")
            name = self.field(row, "name", f"{here}[{i}]", label)
            enabled = row.get("disabled") is not True
            if row.get("type") == "file":
                path = self.field(row, "fileName", f"{here}[{i}]", label)
                parts.append(FormPart(name, path, PartKind.FILE, enabled=enabled))
            else:
                value = self.field(row, "value", f"{here}[{i}]", label)
                parts.append(FormPart(name, value, PartKind.TEXT, enabled=enabled))
        return parts

    def graphql(self, text: str, label: str) -> Body:
        """Insomnia keeps a GraphQL body as the JSON it sends: ``{query, variables}``."""
        self.report.note(label, "the GraphQL body became a JSON body")
        try:
            document = json.loads(text) if text.strip() else {}
        except ValueError:
            document = {"query": text}
        if not isinstance(document, dict):
            document = {"query": text}
        shown: dict[str, Any] = {"query": document.get("query", "")}
        variables = document.get("variables")
        shown["variables"] = variables if variables not in (None, "") else {}
        if document.get("operationName"):
            shown["operationName"] = document["operationName"]
        return Body(BodyKind.JSON, text=json.dumps(shown, indent=2, ensure_ascii=False))

    # ------------------------------------------------------ folders, notes

    def folder_parts(
        self,
        folder: Folder,
        data: dict[str, Any],
        where: str,
        description: str,
        scripts: dict[str, str],
    ) -> None:
        """A request group's headers, auth, variables and notes."""
        label = f"{where} ({folder.name})"
        folder.headers = self.rows(data.get("headers"), child(where, "headers"), label)
        folder.auth = self.auth(data.get("authentication"), child(where, "authentication"), label)
        environment = data.get("environment")
        if environment is not None:
            folder.variables = self.variables(
                expect_object(environment, child(where, "environment")),
                None,
                child(where, "environment"),
                label,
            )
        folder.notes = self.notes(description, scripts, label)

    def notes(self, description: str, scripts: dict[str, str], label: str) -> str:
        parts = [description.rstrip("\n")] if description.strip() else []
        kept = False
        for kind, shown in _SCRIPT_KINDS.items():
            code = scripts.get(kind, "")
            if code.strip():
                parts.append(_SCRIPT_HEAD.format(shown) + "\n" + code)
                kept = True
        if kept:
            self.report.note(label, "scripts kept as text in the notes (Courier does not run them)")
        return "\n\n".join(parts)

    # ------------------------------------------------------- environments

    def environment(self, data: dict[str, Any], where: str, fallback: str) -> Environment:
        name = scalar_text(data.get("name"), child(where, "name")) or fallback
        raw = data.get("data")
        values = expect_object(raw, child(where, "data")) if raw is not None else {}
        pairs = data.get("kvPairData") if data.get("environmentType") == "kv" else None
        return Environment(name, self.variables(values, pairs, where, f"{where} ({name})"))

    def variables(
        self, values: dict[str, Any], pairs: Any, where: str, label: str
    ) -> list[Variable]:
        """An environment's ``data`` (or its key-value rows) as variables; vault
        values as secret variables."""
        if pairs is not None:
            return self._pairs(pairs, child(where, "kvPairData"), label)
        out: list[Variable] = []
        for key, value in values.items():
            if str(key) == VAULT:
                vault = expect_object(value, child(where, VAULT))
                for name, secret in vault.items():
                    out.append(
                        self._secret(
                            str(name), secret, child(child(where, VAULT), str(name)), label
                        )
                    )
                continue
            self._flatten(str(key), value, child(where, str(key)), label, out)
        return out

    def _pairs(self, raw: Any, where: str, label: str) -> list[Variable]:
        out = []
        for i, row in enumerate(expect_list(raw, where)):
            here = f"{where}[{i}]"
            row = expect_object(row, here)
            name = scalar_text(row.get("name"), child(here, "name"))
            if not name:
                continue
            enabled = row.get("enabled") is not False
            if row.get("type") == "secret":
                variable = self._secret(name, row.get("value"), child(here, "value"), label)
                variable.enabled = enabled
            else:
                variable = Variable(name, self.field(row, "value", here, label), enabled)
            out.append(variable)
        return out

    def _secret(self, name: str, value: Any, where: str, label: str) -> Variable:
        text = scalar_text(value, where)
        if text == VAULT_MASK:
            self.report.skip(
                label, f"the secret {name!r} was masked in the export: enter it in Courier"
            )
            text = ""
        return Variable(name, text, secret=True)

    def _flatten(self, name: str, value: Any, where: str, label: str, out: list[Variable]) -> None:
        if isinstance(value, dict):
            if not value:
                out.append(Variable(name, "{}"))
            for key, inner in value.items():
                self._flatten(f"{name}.{key}", inner, child(where, str(key)), label, out)
        elif isinstance(value, list):
            out.append(Variable(name, json.dumps(value, ensure_ascii=False, default=str)))
        else:
            out.append(Variable(name, self.text(value, where, label)))


def scripts_of(pre: Any, after: Any, where: str) -> dict[str, str]:
    return {
        "preRequest": scalar_text(pre, child(where, "preRequest")),
        "afterResponse": scalar_text(after, child(where, "afterResponse")),
    }


def sort_by_key(items: list[tuple[float, int, Any]]) -> list[Any]:
    """Items in Insomnia's order: by sort key, ties (and missing keys) as listed."""
    return [item for _key, _index, item in sorted(items, key=lambda t: (t[0], t[1]))]


def sort_key(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if value == value else 0.0  # NaN sorts as 0


def too_deep(where: str) -> MalformedImport:
    return MalformedImport("folders nest more than 100 levels deep", where=where)
