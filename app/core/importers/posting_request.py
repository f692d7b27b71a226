"""One Posting ``*.posting.yaml`` file (Posting's ``RequestModel``) as a Courier request.

Errors name the file and, for bad YAML, the line and column; a value of the wrong
shape names its key path (``headers[2].value``).  What Courier cannot hold is
listed in the report, never dropped silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core import yamlio
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import ImportReport
from app.core.importers.json_doc import child, expect_list, expect_object, shown_type
from app.core.importers.posting_text import template
from app.core.model import Auth, AuthKind, Body, BodyKind, KeyValue, Request
from app.core.setting_ranges import SETTING_RANGES

_KEYS = frozenset(
    ("name", "description", "method", "url", "path", "body", "content", "auth", "headers",
     "params", "cookies", "posting_version", "scripts", "options")
)  # fmt: skip
_AUTH_KINDS = {"basic": AuthKind.BASIC, "digest": AuthKind.DIGEST, "bearer_token": AuthKind.BEARER}
_SCRIPTS = (("setup", "setup"), ("on_request", "on-request"), ("on_response", "on-response"))
#: a script file bigger than this is named in the notes, not copied into them
_SCRIPT_MAX_BYTES = 64 * 1024
_HEAD = "--- Posting {} script {} (kept as text; Courier does not run it) ---"


def parse_request(text: str | bytes, where: str, root: str, report: ImportReport) -> Request:
    """The request of one file; ``where`` names it in errors, ``root`` is the collection
    folder its script paths are relative to ("" for a file alone)."""
    data = _load(text, where)
    reader = _Reader(where, report)
    name = reader.text(data, "name") or _stem(where)
    method = (reader.text(data, "method") or "GET").upper()
    request = Request(name=name, method=method)
    request.url = template(reader.text(data, "url"))
    request.params = reader.rows(data, "params")
    request.headers = reader.rows(data, "headers")
    cookies = [row for row in reader.rows(data, "cookies") if row.enabled]
    if cookies:
        request.headers.append(
            KeyValue("Cookie", "; ".join(f"{c.name}={c.value}" for c in cookies))
        )
        report.note(where, "cookies sent as a Cookie header")
    request.body = reader.body(data.get("body"), request)
    content = reader.text(data, "content")  # early Posting files kept the body here
    if content and request.body.kind is BodyKind.NONE:
        request.body = Body(BodyKind.RAW, text=template(content))
    request.auth = reader.auth(data.get("auth"))
    reader.options(data.get("options"), request)
    description = reader.text(data, "description")
    request.notes = _notes(description, reader.scripts(data.get("scripts")), root)
    for key in sorted(set(data) - _KEYS, key=str):
        report.skip(where, f"{key!r} (not part of a Posting request)")
    return request


def _stem(where: str) -> str:
    return Path(where).name.removesuffix(".posting.yaml") or "request"


def _load(text: str | bytes, where: str) -> dict[str, Any]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedImport(f"{where}: not UTF-8 text", line=1, column=1) from exc
    try:
        data = yamlio.load(text)
    except (yamlio.YAMLError, yamlio.TooComplex, RecursionError) as exc:
        raise yaml_error(exc, where) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MalformedImport(
            f"{where}: expected a mapping, found {shown_type(data)}", line=1, column=1
        )
    return data


def yaml_error(exc: Exception, where: str) -> MalformedImport:
    """A YAML parse error as ``MalformedImport`` naming the file, line and column."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc) or type(exc).__name__
    if isinstance(exc, (yamlio.TooComplex, RecursionError)):
        problem = f"Courier does not load this YAML: {problem}"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return MalformedImport(f"{where}: not valid YAML: {problem}", line=line, column=column)


def _notes(description: str, scripts: list[tuple[str, str]], root: str) -> str:
    parts = [description.rstrip("\n")] if description.strip() else []
    for label, relative in scripts:
        head = _HEAD.format(label, relative)
        code = _script_text(root, relative)
        parts.append(head + ("\n" + code if code else ""))
    return "\n\n".join(parts)


def _script_text(root: str, relative: str) -> str:
    """The script's code when it is a small text file inside the collection folder."""
    if not root:
        return ""
    base = Path(root).resolve()
    try:
        path = (base / relative).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return ""
        if path.stat().st_size > _SCRIPT_MAX_BYTES:
            return ""
        return path.read_text(encoding="utf-8").rstrip("\n")
    except (OSError, UnicodeDecodeError, ValueError):
        return ""


class _Reader:
    def __init__(self, where: str, report: ImportReport) -> None:
        self.where = where
        self.report = report

    def fail(self, path: str, text: str) -> MalformedImport:
        return MalformedImport(text, where=f"{self.where}: {path}")

    def scalar(self, value: Any, path: str) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        raise self.fail(path, f"expected text, found {shown_type(value)}")

    def text(self, data: dict[str, Any], key: str, where: str = "") -> str:
        return self.scalar(data.get(key), child(where, key))

    def flag(self, data: dict[str, Any], key: str, where: str) -> bool | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.fail(child(where, key), f"expected true or false, found {shown_type(value)}")
        return value

    def object(self, value: Any, path: str) -> dict[str, Any]:
        try:
            return expect_object(value, path)
        except MalformedImport as exc:
            raise self.fail(path, exc.reason) from None

    def rows(self, data: dict[str, Any], key: str, where: str = "") -> list[KeyValue]:
        path = child(where, key)
        raw = data.get(key)
        if raw is None:
            return []
        try:
            items = expect_list(raw, path)
        except MalformedImport as exc:
            raise self.fail(path, exc.reason) from None
        rows = []
        for i, item in enumerate(items):
            here = f"{path}[{i}]"
            row = self.object(item, here)
            enabled = self.flag(row, "enabled", here)
            rows.append(
                KeyValue(
                    template(self.text(row, "name", here)),
                    template(self.text(row, "value", here)),
                    enabled is not False,
                )
            )
        return rows

    def body(self, raw: Any, request: Request) -> Body:
        if raw is None:
            return Body()
        data = self.object(raw, "body")
        content = self.text(data, "content", "body")
        content_type = self.text(data, "content_type", "body")
        form = self.rows(data, "form_data", "body")
        if content:
            if form:
                self.report.skip(self.where, "body.form_data (Posting sends the content instead)")
            if content_type.split(";")[0].strip().lower() == "application/json":
                return Body(BodyKind.JSON, text=template(content))
            return Body(BodyKind.RAW, text=template(content), content_type=content_type)
        if form:
            return Body(BodyKind.FORM, form=form)
        return Body()

    def auth(self, raw: Any) -> Auth:
        if raw is None:
            return Auth()
        data = self.object(raw, "auth")
        kind_text = self.text(data, "type", "auth")
        if not kind_text:
            return Auth()
        kind = _AUTH_KINDS.get(kind_text)
        if kind is None:
            self.report.skip(
                self.where, f"{kind_text!r} auth (Posting has basic, digest, bearer_token)"
            )
            return Auth(kind=AuthKind.NONE)
        detail = data.get(kind_text)
        fields = self.object(detail, child("auth", kind_text)) if detail is not None else {}
        where = child("auth", kind_text)
        if kind is AuthKind.BEARER:
            return Auth(kind=kind, token=template(self.text(fields, "token", where)))
        return Auth(
            kind=kind,
            username=template(self.text(fields, "username", where)),
            password=template(self.text(fields, "password", where)),
        )

    def options(self, raw: Any, request: Request) -> None:
        if raw is None:
            return
        data = self.object(raw, "options")
        settings = request.settings
        settings.follow_redirects = self.flag(data, "follow_redirects", "options")
        settings.verify_tls = self.flag(data, "verify_ssl", "options")
        attach = self.flag(data, "attach_cookies", "options")
        settings.no_cookies = None if attach is None else not attach
        proxy = self.text(data, "proxy_url", "options")
        settings.proxy = template(proxy) if proxy else None
        timeout = data.get("timeout")
        if timeout is None:
            return
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise self.fail("options.timeout", f"expected seconds, found {shown_type(timeout)}")
        limits = SETTING_RANGES["timeout_s"]
        if not limits.low < timeout <= limits.high:
            self.report.skip(
                self.where, f"options.timeout {timeout!r} (Courier takes {limits.describe()})"
            )
            return
        settings.timeout_s = float(timeout)

    def scripts(self, raw: Any) -> list[tuple[str, str]]:
        if raw is None:
            return []
        data = self.object(raw, "scripts")
        found = []
        for key, label in _SCRIPTS:
            path = self.text(data, key, "scripts")
            if path:
                found.append((label, path))
        if found:
            self.report.note(
                self.where, f"{len(found)} script(s) kept as text in the notes, not run"
            )
        return found
