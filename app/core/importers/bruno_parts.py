"""Pieces of a Bruno collection shared by ``.bru`` and YAML files, in Courier's model:
auth by Bruno's mode name, bodies by Bruno's body mode, scripts / tests / asserts
kept as read-only notes, and the report lines for what Courier cannot hold.
"""

from __future__ import annotations

import json
import re

from app.core.importers.imported import ImportReport
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    FormPart,
    PartKind,
    Request,
)
from app.core.setting_ranges import SETTING_RANGES

_HEAD = "--- Bruno {} (kept as text; Courier does not run it) ---"
#: Bruno's ``{{process.env.NAME}}``: a value from the collection's .env file
PROCESS_ENV = re.compile(r"\{\{\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_CONTENT_TYPE = re.compile(r"^(.*?)\s*@contentType\(([^)]*)\)\s*$", re.S)
_FILE = re.compile(r"^@file\((.*)\)$", re.S)
_RAW_TYPES = {"text": "text/plain", "xml": "application/xml", "sparql": "application/sparql-query"}


def compose_notes(docs: str, sections: list[tuple[str, str]]) -> str:
    """Notes from the docs and ``(label, code)`` sections (scripts, tests, asserts)."""
    parts = [docs.rstrip("\n")] if docs.strip() else []
    for label, code in sections:
        if code.strip():
            parts.append(_HEAD.format(label) + "\n" + code.rstrip("\n"))
    return "\n\n".join(parts)


def note_kept(report: ImportReport, where: str, sections: list[tuple[str, str]]) -> None:
    kept = [label for label, code in sections if code.strip()]
    if kept:
        report.note(where, ", ".join(kept) + " kept as text in the notes, not run")


def auth_from(mode: str, fields: dict[str, str], where: str, report: ImportReport) -> Auth:
    """Bruno's auth ``mode`` with the fields of its ``auth:MODE`` block."""
    get = fields.get
    if mode in ("", "inherit"):
        return Auth(kind=AuthKind.INHERIT)
    if mode == "none":
        return Auth(kind=AuthKind.NONE)
    if mode in ("basic", "digest"):
        kind = AuthKind.BASIC if mode == "basic" else AuthKind.DIGEST
        return Auth(kind=kind, username=get("username", ""), password=get("password", ""))
    if mode == "bearer":
        return Auth(kind=AuthKind.BEARER, token=get("token", ""))
    if mode == "apikey":
        placement = get("placement", "header")
        return Auth(
            kind=AuthKind.API_KEY,
            key_name=get("key", ""),
            key_value=get("value", ""),
            key_in="query" if placement in ("queryparams", "query") else "header",
        )
    if mode == "awsv4":
        if get("profileName"):
            report.note(where, "the AWS profile name is not used; Courier signs with the keys")
        return Auth(
            kind=AuthKind.AWS_SIGV4,
            access_key=get("accessKeyId", ""),
            secret_key=get("secretAccessKey", ""),
            session_token=get("sessionToken", ""),
            region=get("region", ""),
            service=get("service", ""),
        )
    if mode == "oauth2":
        return _oauth2(fields, where, report)
    report.skip(where, f"{mode!r} auth (Courier has no {mode} auth); the request sends none")
    return Auth(kind=AuthKind.NONE)


def _oauth2(fields: dict[str, str], where: str, report: ImportReport) -> Auth:
    grant = fields.get("grant_type", "") or "client_credentials"
    if grant not in ("client_credentials", "password", "authorization_code"):
        report.skip(where, f"OAuth 2.0 grant {grant!r} (Courier runs client credentials, "
                    "password and authorization code)")  # fmt: skip
        return Auth(kind=AuthKind.NONE)
    if fields.get("pkce", "") == "true":
        report.note(where, "OAuth 2.0 PKCE is not used by Courier")
    return Auth(
        kind=AuthKind.OAUTH2,
        grant=grant,
        token_url=fields.get("access_token_url", ""),
        auth_url=fields.get("authorization_url", ""),
        client_id=fields.get("client_id", ""),
        client_secret=fields.get("client_secret", ""),
        scope=fields.get("scope", ""),
        username=fields.get("username", ""),
        password=fields.get("password", ""),
    )


def raw_body(mode: str, text: str) -> Body:
    """A text body of Bruno's mode json, text, xml or sparql."""
    if mode == "json":
        return Body(BodyKind.JSON, text=text)
    return Body(BodyKind.RAW, text=text, content_type=_RAW_TYPES.get(mode, "text/plain"))


def graphql_body(query: str, variables: str, where: str, report: ImportReport) -> Body:
    """A GraphQL query and its variables sent as Bruno sends them: one JSON body."""
    parsed: object = {}
    if variables.strip():
        try:
            parsed = json.loads(variables)
        except ValueError:
            parsed = variables
            report.note(where, "the GraphQL variables are not JSON; kept as text")
    report.note(where, "the GraphQL body became a JSON body")
    return Body(BodyKind.JSON, text=json.dumps({"query": query, "variables": parsed}, indent=2))


def bru_value(value: str) -> tuple[str, list[str] | None, str]:
    """A ``.bru`` body value: its text (or None), the paths of ``@file(a|b)`` (or None)
    and the type of a trailing ``@contentType(...)`` ("" when none)."""
    content_type = ""
    typed = _CONTENT_TYPE.match(value)
    if typed:
        value, content_type = typed.group(1), typed.group(2).strip()
    found = _FILE.match(value)
    if found:
        return "", found.group(1).split("|"), content_type
    return value, None, content_type


def multipart_parts(rows: list[tuple[str, str, bool, str]]) -> list[FormPart]:
    """``(name, value, enabled, content_type)`` rows; a value ``@file(a|b)`` is one
    file part per path, ``@contentType(...)`` after a value gives the part's type."""
    parts = []
    for name, raw, enabled, given_type in rows:
        value, files, typed = bru_value(raw)
        content_type = given_type or typed
        if files is not None:
            for path in files:
                parts.append(
                    FormPart(name, path, PartKind.FILE, content_type=content_type, enabled=enabled)
                )
        else:
            parts.append(FormPart(name, value, content_type=content_type, enabled=enabled))
    return parts


def note_process_env(texts: list[str], where: str, report: ImportReport) -> None:
    """Bruno reads ``{{process.env.X}}`` from a .env file Courier does not import."""
    names = sorted({m.group(1) for text in texts for m in PROCESS_ENV.finditer(text)})
    if names:
        report.note(
            where,
            "uses " + ", ".join(f"process.env.{n}" for n in names)
            + " (Bruno's .env values; define them as variables in Courier)",
        )  # fmt: skip


def apply_settings(
    data: dict[str, object], request: Request, label: str, report: ImportReport
) -> None:
    """Bruno's request settings Courier has: redirects and the timeout (milliseconds,
    0 for none, which leaves Courier's own)."""
    follow = data.get("followRedirects")
    if isinstance(follow, bool):
        request.settings.follow_redirects = follow
    most = data.get("maxRedirects")
    limits = SETTING_RANGES["max_redirects"]
    if isinstance(most, int) and not isinstance(most, bool) and limits.low <= most <= limits.high:
        request.settings.max_redirects = most
    timeout = data.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        seconds = timeout / 1000
        if seconds <= SETTING_RANGES["timeout_s"].high:
            request.settings.timeout_s = seconds
        else:
            report.skip(label, f"settings.timeout {timeout!r} ms (over Courier's limit)")
    if data.get("encodeUrl") is False:
        report.note(label, "settings.encodeUrl false: Courier encodes the URL as it sends it")


def bru_settings(pairs: list[tuple[str, str]]) -> dict[str, object]:
    """A ``.bru`` ``settings`` block's text values as YAML would give them."""
    out: dict[str, object] = {}
    for name, value in pairs:
        if value in ("true", "false"):
            out[name] = value == "true"
        else:
            try:
                out[name] = int(value)
            except ValueError:
                out[name] = value
    return out
