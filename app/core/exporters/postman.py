"""A Courier collection as a Postman collection v2.1 document.

    document, notes = to_postman(collection)
    json.dumps(document, indent="\t")

Folders, requests, auth at every level, variables, every body mode, notes (as
descriptions; the script sections ``app.core.importers.postman_notes`` keeps
become scripts again).  Secrets are not written: credentials and secret
variables go out empty (a ``{{reference}}`` is kept: it names a secret).
Headers a collection or folder gives its requests, which Postman cannot hold,
are written into each request; ``notes`` says so, and what else was left out.
"""

from __future__ import annotations

import uuid
from dataclasses import fields
from typing import Any

from app.core.codec import is_reference
from app.core.importers import postman_notes
from app.core.importers.postman import LANGUAGE_TYPES, SCHEMA_V21
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Folder,
    KeyValue,
    PartKind,
    Request,
    Settings,
    Variable,
)

_LANGUAGES = {content_type: language for language, content_type in LANGUAGE_TYPES.items()}
_GRANTS = {
    "client_credentials": "client_credentials",
    "password": "password_credentials",
    "authorization_code": "authorization_code",
}


def to_postman(collection: Collection) -> tuple[dict[str, Any], list[str]]:
    """The Postman v2.1 document of ``collection`` and what the user should know."""
    exporter = _Exporter()
    info: dict[str, Any] = {"_postman_id": _uuid(collection.id), "name": collection.name}
    description, scripts = postman_notes.split(collection.notes)
    if description:
        info["description"] = description
    info["schema"] = SCHEMA_V21
    document: dict[str, Any] = {"info": info}
    headers = [h for h in collection.headers if h.enabled]
    exporter.base_url = collection.base_url.rstrip("/")
    document["item"] = exporter.items(collection, headers, collection.name)
    auth = exporter.auth(collection.auth, top=True)
    if auth is not None:
        document["auth"] = auth
    if scripts:
        document["event"] = _events(scripts)
    variables = exporter.variables(collection.variables, "the collection")
    if collection.base_url:
        variables.append({"key": "baseUrl", "value": exporter.base_url, "type": "string"})
        exporter.notes.append("the base URL became the variable {{baseUrl}} before relative URLs")
    if variables:
        document["variable"] = variables
    return document, exporter.notes


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(hex=text))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "courier:" + text))


def _events(scripts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"listen": event, "script": {"type": "text/javascript", "exec": code.split("\n")}}
        for event, code in scripts
    ]


class _Exporter:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.base_url = ""
        self._pushed: set[str] = set()

    def items(
        self, container: Collection | Folder, inherited: list[KeyValue], where: str
    ) -> list[dict[str, Any]]:
        items = [self.folder(folder, inherited) for folder in container.folders]
        items += [self.request(request, inherited) for request in container.requests]
        return items

    def folder(self, folder: Folder, inherited: list[KeyValue]) -> dict[str, Any]:
        headers = [*inherited, *(h for h in folder.headers if h.enabled)]
        item: dict[str, Any] = {"name": folder.name}
        description, scripts = postman_notes.split(folder.notes)
        if description:
            item["description"] = description
        item["item"] = self.items(folder, headers, folder.name)
        auth = self.auth(folder.auth, top=False)
        if auth is not None:
            item["auth"] = auth
        if scripts:
            item["event"] = _events(scripts)
        variables = self.variables(folder.variables, f"folder {folder.name}")
        if variables:
            item["variable"] = variables
        return item

    def request(self, request: Request, inherited: list[KeyValue]) -> dict[str, Any]:
        description, scripts = postman_notes.split(request.notes)
        item: dict[str, Any] = {"name": request.name}
        if scripts:
            item["event"] = _events(scripts)
        behaviour = _behaviour(request.settings)
        if _unexported_settings(request.settings):
            self.notes.append(
                f"{request.name}: settings other than redirects and TLS verification "
                "(timeouts, proxy, client certificate...) are not in Postman's format"
            )
        if behaviour:
            item["protocolProfileBehavior"] = behaviour
        body: dict[str, Any] = {"method": request.method}
        auth = self.auth(request.auth, top=False)
        if auth is not None:
            body["auth"] = auth
        body["header"] = self.headers(request, inherited)
        exported_body = self.body(request.body, body["header"])
        if exported_body is not None:
            body["body"] = exported_body
        body["url"] = _url(self.absolute(request.url), request.params)
        if description:
            body["description"] = description
        item["request"] = body
        item["response"] = []
        return item

    def absolute(self, url: str) -> str:
        """A URL relative to the collection's base URL, made ``{{baseUrl}}/...``."""
        if not self.base_url or "://" in url or url.startswith("{{"):
            return url
        return "{{baseUrl}}" + ("" if url.startswith("/") or not url else "/") + url

    def headers(self, request: Request, inherited: list[KeyValue]) -> list[dict[str, Any]]:
        off = {name.lower() for name in request.disabled_inherited_headers}
        own = {h.name.lower() for h in request.headers}
        rows = []
        for header in inherited:
            if header.name.lower() in off or header.name.lower() in own:
                continue
            if header.name.lower() not in self._pushed:
                self._pushed.add(header.name.lower())
                self.notes.append(
                    f"the shared header {header.name} was written into each request "
                    "(Postman has no collection or folder headers)"
                )
            rows.append(_row(header))
        rows += [_row(header) for header in request.headers]
        return rows

    def body(self, body: Body, headers: list[dict[str, Any]]) -> dict[str, Any] | None:
        if body.kind is BodyKind.NONE:
            return None
        if body.kind is BodyKind.JSON:
            return {"mode": "raw", "raw": body.text, "options": {"raw": {"language": "json"}}}
        if body.kind is BodyKind.RAW:
            content_type = body.content_type or "text/plain"
            language = _LANGUAGES.get(content_type)
            if language is None:
                language = "text"
                if not any(h["key"].lower() == "content-type" for h in headers):
                    headers.append({"key": "Content-Type", "value": content_type, "type": "text"})
            return {"mode": "raw", "raw": body.text, "options": {"raw": {"language": language}}}
        if body.kind is BodyKind.FORM:
            return {"mode": "urlencoded", "urlencoded": [_row(row) for row in body.form]}
        if body.kind is BodyKind.FILE:
            if body.content_type and not any(h["key"].lower() == "content-type" for h in headers):
                headers.append({"key": "Content-Type", "value": body.content_type, "type": "text"})
            return {"mode": "file", "file": {"src": body.path}}
        parts = []
        for part in body.parts:
            row: dict[str, Any] = {"key": part.name}
            if part.kind is PartKind.FILE:
                row["type"] = "file"
                row["src"] = part.value
            else:
                row["value"] = part.value
                row["type"] = "text"
            if part.content_type:
                row["contentType"] = part.content_type
            if not part.enabled:
                row["disabled"] = True
            if part.file_name:
                self.notes.append(f"the file name {part.file_name!r} of a part was not kept")
            parts.append(row)
        return {"mode": "formdata", "formdata": parts}

    def auth(self, auth: Auth, *, top: bool) -> dict[str, Any] | None:
        if auth.kind is AuthKind.INHERIT or (top and auth.kind is AuthKind.NONE):
            return None
        if auth.kind is AuthKind.NONE:
            return {"type": "noauth"}
        fields: list[tuple[str, str]]
        if auth.kind in (AuthKind.BASIC, AuthKind.DIGEST):
            kind = auth.kind.value
            fields = [("username", auth.username), ("password", _secret(auth.password))]
        elif auth.kind is AuthKind.BEARER:
            kind, fields = "bearer", [("token", _secret(auth.token))]
        elif auth.kind is AuthKind.API_KEY:
            kind = "apikey"
            fields = [
                ("key", auth.key_name),
                ("value", _secret(auth.key_value)),
                ("in", auth.key_in),
            ]
        elif auth.kind is AuthKind.AWS_SIGV4:
            kind = "awsv4"
            fields = [
                ("accessKey", auth.access_key),
                ("secretKey", _secret(auth.secret_key)),
                ("sessionToken", _secret(auth.session_token)),
                ("region", auth.region),
                ("service", auth.service),
            ]
        else:
            kind = "oauth2"
            fields = [
                ("grant_type", _GRANTS.get(auth.grant, auth.grant)),
                ("accessTokenUrl", auth.token_url),
                ("authUrl", auth.auth_url),
                ("clientId", auth.client_id),
                ("clientSecret", _secret(auth.client_secret)),
                ("scope", auth.scope),
                ("username", auth.username),
                ("password", _secret(auth.password)),
            ]
        return {
            "type": kind,
            kind: [{"key": key, "value": value, "type": "string"} for key, value in fields],
        }

    def variables(self, variables: list[Variable], where: str) -> list[dict[str, Any]]:
        out = []
        for variable in variables:
            row: dict[str, Any] = {"key": variable.name}
            if variable.secret:
                row["value"] = ""
                self.notes.append(
                    f"the secret variable {{{{{variable.name}}}}} of {where} went out empty"
                )
            else:
                row["value"] = variable.value
            row["type"] = "string"
            if not variable.enabled:
                row["disabled"] = True
            out.append(row)
        return out


def _secret(value: str) -> str:
    """Only a ``{{reference}}`` goes out; a secret itself never does."""
    return value if is_reference(value) else ""


def _row(row: KeyValue) -> dict[str, Any]:
    out: dict[str, Any] = {"key": row.name, "value": row.value, "type": "text"}
    if not row.enabled:
        out["disabled"] = True
    return out


def _unexported_settings(settings: Settings) -> bool:
    kept = {"follow_redirects", "verify_tls", "max_redirects"}
    return any(
        getattr(settings, field.name) is not None
        for field in fields(settings)
        if field.name not in kept
    )


def _behaviour(settings: Settings) -> dict[str, Any]:
    behaviour: dict[str, Any] = {}
    if settings.follow_redirects is not None:
        behaviour["followRedirects"] = settings.follow_redirects
    if settings.verify_tls is not None:
        behaviour["strictSSL"] = settings.verify_tls
    if settings.max_redirects is not None:
        behaviour["maxRedirects"] = settings.max_redirects
    return behaviour


def _url(url: str, params: list[KeyValue]) -> dict[str, Any]:
    """Postman's URL object: ``raw`` with the enabled query, and its parts."""
    enabled = [p for p in params if p.enabled]
    query_text = "&".join(f"{p.name}={p.value}" if p.value else p.name for p in enabled)
    raw = url + ("?" + query_text if query_text else "")
    out: dict[str, Any] = {"raw": raw}
    rest = url
    if "://" in rest:
        protocol, rest = rest.split("://", 1)
        out["protocol"] = protocol
    host, slash, path = rest.partition("/")
    if ":" in host and not host.startswith("{{"):
        host, port = host.rsplit(":", 1)
        out["host"] = host.split(".")
        out["port"] = port
    elif host:
        out["host"] = host.split(".")
    if slash:
        out["path"] = path.split("/")
    if params:
        out["query"] = [_query_row(p) for p in params]
    return out


def _query_row(param: KeyValue) -> dict[str, Any]:
    out: dict[str, Any] = {"key": param.name, "value": param.value}
    if not param.enabled:
        out["disabled"] = True
    return out
