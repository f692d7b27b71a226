"""Postman collections (v2.0 and v2.1) and Postman environment files in Courier's model.

    imported = parse_postman(text)       # raises MalformedImport (line/column or JSON path)
    imported.collection, imported.report

Item groups become folders (nested), items requests; auth at every level
(collection, folder, request; absent means inherit), collection and folder
variables, descriptions (as notes), and scripts (kept as text in the notes,
never run).  Postman's ``{{var}}`` syntax is Courier's.  What Courier cannot
hold (oauth1 auth, request-level variables, saved responses...) is listed in
the report, never dropped silently.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.core.importers import postman_notes
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.json_doc import (
    child,
    expect_list,
    expect_object,
    load_json,
    optional_list,
    text_of,
)
from app.core.importers.urls import fill_path_parameters, split_query
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Variable,
)

SCHEMA_V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"
SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_SCHEMA = re.compile(r"/collection/(v2\.[01])\.\d+/collection\.json$")

#: raw body language -> the content type Postman sends with it
LANGUAGE_TYPES = {
    "text": "text/plain",
    "javascript": "application/javascript",
    "html": "text/html",
    "xml": "application/xml",
}
_GRANTS = {
    "client_credentials": "client_credentials",
    "password_credentials": "password",
    "authorization_code": "authorization_code",
    "authorization_code_with_pkce": "authorization_code",
}


def parse_postman(text: str | bytes) -> Imported:
    """The collection of a Postman v2.0 / v2.1 export; nothing half-way."""
    data = expect_object(load_json(text), "")
    info = expect_object(data.get("info"), "info")
    schema = text_of(info.get("schema"), "info.schema")
    match = _SCHEMA.search(schema)
    if match is None:
        raise MalformedImport(
            f"not a Postman collection v2.0 or v2.1 (schema {schema or 'missing'!r}); "
            "export it from Postman as Collection v2.1",
            where="info.schema",
        )
    report = ImportReport(source=f"Postman collection {match.group(1)}")
    reader = _Reader(report)
    collection = Collection(name=text_of(info.get("name"), "info.name") or "Postman collection")
    collection.notes = reader.notes(info, data, "")
    collection.auth = reader.auth(data.get("auth"), "auth", top=True)
    collection.variables = reader.variables(data, "")
    reader.items(optional_list(data, "item", ""), "item", collection)
    imported = Imported(collection, report=report)
    imported.count()
    return imported


def parse_postman_environment(text: str | bytes) -> Imported:
    """A Postman environment file: its variables, secret ones marked secret."""
    data = expect_object(load_json(text), "")
    if "values" not in data:
        raise MalformedImport('not a Postman environment (it has no "values")', where="values")
    report = ImportReport(source="Postman environment")
    name = text_of(data.get("name"), "name") or "Postman environment"
    variables = []
    for i, raw in enumerate(expect_list(data.get("values"), "values")):
        where = f"values[{i}]"
        row = expect_object(raw, where)
        key = text_of(row.get("key"), child(where, "key"))
        if not key:
            report.skip(where, "a variable without a name")
            continue
        enabled = row.get("enabled", True) is not False
        secret = row.get("type") == "secret"
        variables.append(
            Variable(key, text_of(row.get("value"), child(where, "value")), enabled, secret)
        )
    imported = Imported(Collection(name=name), [Environment(name, variables)], report)
    imported.count()
    return imported


class _Reader:
    def __init__(self, report: ImportReport) -> None:
        self.report = report

    # ------------------------------------------------------------ items

    def items(self, items: list[Any], where: str, into: Collection | Folder) -> None:
        for i, raw in enumerate(items):
            here = f"{where}[{i}]"
            item = expect_object(raw, here)
            if "item" in item:
                into.folders.append(self.folder(item, here))
            elif "request" in item:
                into.requests.append(self.request(item, here))
            else:
                raise MalformedImport('an item needs "request" or "item"', where=here)

    def folder(self, item: dict[str, Any], where: str) -> Folder:
        folder = Folder(name=text_of(item.get("name"), child(where, "name")) or "folder")
        folder.notes = self.notes(item, item, where)
        folder.auth = self.auth(item.get("auth"), child(where, "auth"), top=False)
        folder.variables = self.variables(item, where)
        self.items(optional_list(item, "item", where), child(where, "item"), folder)
        return folder

    def request(self, item: dict[str, Any], where: str) -> Request:
        name = text_of(item.get("name"), child(where, "name"))
        raw = item.get("request")
        here = child(where, "request")
        if isinstance(raw, str):  # a request may be just its URL
            raw = {"url": raw}
        data = expect_object(raw, here)
        method = text_of(data.get("method"), child(here, "method")).upper() or "GET"
        request = Request(name=name or method, method=method)
        self.url(data.get("url"), child(here, "url"), request)
        request.headers = self.headers(data.get("header"), child(here, "header"))
        request.body = self.body(data.get("body"), child(here, "body"), request)
        request.auth = self.auth(data.get("auth"), child(here, "auth"), top=False)
        request.notes = self.notes(data, item, where)
        self.behaviour(item, where, request)
        label = f"{where} ({request.name})"
        responses = optional_list(item, "response", where)
        if responses:
            self.report.skip(label, f"{len(responses)} saved response(s) (examples)")
        if item.get("variable"):
            self.report.skip(label, "request variables (Courier has none at that level)")
        return request

    def behaviour(self, item: dict[str, Any], where: str, request: Request) -> None:
        behaviour = item.get("protocolProfileBehavior")
        if not isinstance(behaviour, dict):
            return
        if isinstance(behaviour.get("followRedirects"), bool):
            request.settings.follow_redirects = behaviour["followRedirects"]
        if isinstance(behaviour.get("strictSSL"), bool):
            request.settings.verify_tls = behaviour["strictSSL"]
        if isinstance(behaviour.get("maxRedirects"), int) and behaviour["maxRedirects"] >= 0:
            request.settings.max_redirects = behaviour["maxRedirects"]

    # -------------------------------------------------------------- URL

    def url(self, raw: Any, where: str, request: Request) -> None:
        if raw is None:
            return
        if isinstance(raw, str):
            request.url, request.params = split_query(raw)
            return
        data = expect_object(raw, where)
        text = text_of(data.get("raw"), child(where, "raw"))
        if not text:
            text = _url_from_parts(data, where)
        base, params = split_query(text)
        if "query" in data:
            params = []
            for i, row in enumerate(optional_list(data, "query", where)):
                here = f"{child(where, 'query')}[{i}]"
                row = expect_object(row, here)
                if row.get("key") is None and row.get("value") is None:
                    continue
                params.append(
                    KeyValue(
                        text_of(row.get("key"), child(here, "key")),
                        text_of(row.get("value"), child(here, "value")),
                        _on(row),
                    )
                )
        request.url = self.path_variables(base, data, where, request)
        request.params = params

    def path_variables(self, url: str, data: dict[str, Any], where: str, request: Request) -> str:
        """Postman's ``/users/:id`` with a value for ``id``: the value, or ``{{id}}``."""
        values = {}
        for i, row in enumerate(optional_list(data, "variable", where)):
            row = expect_object(row, f"{child(where, 'variable')}[{i}]")
            key = text_of(row.get("key"), f"{child(where, 'variable')}[{i}].key")
            if key:
                values[key] = text_of(row.get("value"), f"{child(where, 'variable')}[{i}].value")
        label = f"{where} ({request.name})"
        return fill_path_parameters(url, values, label, self.report, "variables")

    def headers(self, raw: Any, where: str) -> list[KeyValue]:
        if raw is None:
            return []
        if isinstance(raw, str):  # v2.0 allows "Name: value\nName: value"
            rows = []
            for line in raw.splitlines():
                name, _, value = line.partition(":")
                if name.strip():
                    rows.append(KeyValue(name.strip(), value.strip()))
            return rows
        return self.rows(expect_list(raw, where), where)

    def rows(self, raw: list[Any], where: str) -> list[KeyValue]:
        rows = []
        for i, row in enumerate(raw):
            here = f"{where}[{i}]"
            row = expect_object(row, here)
            rows.append(
                KeyValue(
                    text_of(row.get("key"), child(here, "key")),
                    text_of(row.get("value"), child(here, "value")),
                    _on(row),
                )
            )
        return rows

    # ------------------------------------------------------------- body

    def body(self, raw: Any, where: str, request: Request) -> Body:
        if raw is None:
            return Body()
        data = expect_object(raw, where)
        mode = data.get("mode")
        label = f"{where} ({request.name})"
        if data.get("disabled") is True:
            self.report.note(label, "the body is switched off in Postman; not sent")
            return Body()
        if mode in (None, "none", ""):
            return Body()
        if mode == "raw":
            text = text_of(data.get("raw"), child(where, "raw"))
            options = data.get("options")
            language = ""
            if isinstance(options, dict) and isinstance(options.get("raw"), dict):
                language = text_of(
                    options["raw"].get("language"), child(where, "options.raw.language")
                )
            if language == "json":
                return Body(BodyKind.JSON, text=text)
            return Body(
                BodyKind.RAW, text=text, content_type=LANGUAGE_TYPES.get(language, "text/plain")
            )
        if mode == "urlencoded":
            return Body(
                BodyKind.FORM,
                form=self.rows(
                    optional_list(data, "urlencoded", where), child(where, "urlencoded")
                ),
            )
        if mode == "formdata":
            return Body(
                BodyKind.MULTIPART,
                parts=self.parts(
                    optional_list(data, "formdata", where), child(where, "formdata"), label
                ),
            )
        if mode == "file":
            file = data.get("file")
            src = ""
            if isinstance(file, dict):
                src = text_of(file.get("src"), child(where, "file.src"))
            elif file is not None:
                raise MalformedImport("expected an object", where=child(where, "file"))
            if not src:
                self.report.note(label, "a binary body without a file: choose the file in Courier")
            return Body(BodyKind.FILE, path=src)
        if mode == "graphql":
            graphql = expect_object(data.get("graphql") or {}, child(where, "graphql"))
            query = text_of(graphql.get("query"), child(where, "graphql.query"))
            variables: Any = graphql.get("variables") or {}
            if isinstance(variables, str):
                try:
                    variables = json.loads(variables) if variables.strip() else {}
                except ValueError:
                    self.report.note(label, "the GraphQL variables are not JSON; kept as text")
            self.report.note(label, "the GraphQL body became a JSON body")
            return Body(
                BodyKind.JSON, text=json.dumps({"query": query, "variables": variables}, indent=2)
            )
        self.report.skip(label, f"a body in the mode {mode!r}, which Courier does not know")
        return Body()

    def parts(self, raw: list[Any], where: str, label: str) -> list[FormPart]:
        parts = []
        for i, row in enumerate(raw):
            here = f"{where}[{i}]"
            row = expect_object(row, here)
            name = text_of(row.get("key"), child(here, "key"))
            enabled = _on(row)
            content_type = text_of(row.get("contentType"), child(here, "contentType"))
            if row.get("type") == "file":
                src = row.get("src")
                files = src if isinstance(src, list) else [src]
                if isinstance(src, list) and len(src) > 1:
                    self.report.note(
                        label, f"the file part {name!r} sends {len(src)} files: one part each"
                    )
                for j, path in enumerate(files or [None]):
                    path_text = text_of(
                        path, child(here, "src") + (f"[{j}]" if isinstance(src, list) else "")
                    )
                    parts.append(
                        FormPart(name, path_text, PartKind.FILE, content_type, enabled=enabled)
                    )
            else:
                value = text_of(row.get("value"), child(here, "value"))
                parts.append(FormPart(name, value, PartKind.TEXT, content_type, enabled=enabled))
        return parts

    # ------------------------------------------------------------- auth

    def auth(self, raw: Any, where: str, *, top: bool) -> Auth:
        absent = AuthKind.NONE if top else AuthKind.INHERIT
        if raw is None:
            return Auth(kind=absent)
        data = expect_object(raw, where)
        kind = text_of(data.get("type"), child(where, "type"))
        if kind == "noauth":
            return Auth(kind=AuthKind.NONE)
        if kind in ("inherit", ""):
            return Auth(kind=absent)
        fields = _auth_fields(data.get(kind), child(where, kind))
        if kind == "basic":
            return Auth(
                kind=AuthKind.BASIC,
                username=fields.get("username", ""),
                password=fields.get("password", ""),
            )
        if kind == "digest":
            return Auth(
                kind=AuthKind.DIGEST,
                username=fields.get("username", ""),
                password=fields.get("password", ""),
            )
        if kind == "bearer":
            return Auth(kind=AuthKind.BEARER, token=fields.get("token", ""))
        if kind == "apikey":
            key_in = "query" if fields.get("in") == "query" else "header"
            return Auth(
                kind=AuthKind.API_KEY,
                key_name=fields.get("key", ""),
                key_value=fields.get("value", ""),
                key_in=key_in,
            )
        if kind == "awsv4":
            return Auth(
                kind=AuthKind.AWS_SIGV4,
                access_key=fields.get("accessKey", ""),
                secret_key=fields.get("secretKey", ""),
                session_token=fields.get("sessionToken", ""),
                region=fields.get("region", ""),
                service=fields.get("service", ""),
            )
        if kind == "oauth2":
            return self.oauth2(fields, where, absent)
        self.report.skip(where, f"{kind} auth, which Courier does not have (set it up by hand)")
        return Auth(kind=AuthKind.NONE)

    def oauth2(self, fields: dict[str, str], where: str, absent: AuthKind) -> Auth:
        grant = fields.get("grant_type", "authorization_code")
        if grant not in _GRANTS:
            self.report.skip(where, f"OAuth 2.0 with the {grant} grant, which Courier does not run")
            return Auth(kind=AuthKind.NONE)
        if grant == "authorization_code_with_pkce":
            self.report.note(where, "OAuth 2.0 with PKCE imported as the authorization code grant")
        if fields.get("accessToken"):
            self.report.note(
                where,
                "the OAuth 2.0 access token Postman had was not kept; Courier fetches its own",
            )
        return Auth(
            kind=AuthKind.OAUTH2,
            grant=_GRANTS[grant],
            token_url=fields.get("accessTokenUrl", ""),
            auth_url=fields.get("authUrl", ""),
            client_id=fields.get("clientId", ""),
            client_secret=fields.get("clientSecret", ""),
            scope=fields.get("scope", ""),
            username=fields.get("username", ""),
            password=fields.get("password", ""),
        )

    # ------------------------------------------------- variables, notes

    def variables(self, data: dict[str, Any], where: str) -> list[Variable]:
        out = []
        for i, raw in enumerate(optional_list(data, "variable", where)):
            here = f"{child(where, 'variable')}[{i}]"
            row = expect_object(raw, here)
            key = text_of(
                row.get("key") if row.get("key") is not None else row.get("id"), child(here, "key")
            )
            if not key:
                self.report.skip(here, "a variable without a name")
                continue
            out.append(
                Variable(
                    key,
                    text_of(row.get("value"), child(here, "value")),
                    enabled=_on(row),
                    secret=row.get("type") == "secret",
                )
            )
        return out

    def notes(self, described: dict[str, Any], evented: dict[str, Any], where: str) -> str:
        description = _description(described.get("description"), child(where, "description"))
        scripts = []
        for i, raw in enumerate(optional_list(evented, "event", where)):
            here = f"{child(where, 'event')}[{i}]"
            event = expect_object(raw, here)
            listen = text_of(event.get("listen"), child(here, "listen"))
            script = event.get("script")
            if script is None:
                continue
            script = expect_object(script, child(here, "script"))
            exec_ = script.get("exec")
            if isinstance(exec_, list):
                code = "\n".join(
                    text_of(line, f"{child(here, 'script.exec')}[{j}]")
                    for j, line in enumerate(exec_)
                )
            else:
                code = text_of(exec_, child(here, "script.exec"))
            if listen not in postman_notes.EVENTS:
                self.report.skip(here, f"a script for the {listen!r} event")
                continue
            if code.strip():
                scripts.append((listen, code))
        if scripts:
            self.report.note(
                where or "collection",
                "scripts kept as text in the notes (Courier does not run them)",
            )
        return postman_notes.compose(description, scripts)


def _on(row: dict[str, Any]) -> bool:
    """v2.1 says ``"disabled": true``; some v2.0 exports ``"enabled": false``."""
    return row.get("disabled") is not True and row.get("enabled") is not False


def _auth_fields(raw: Any, where: str) -> dict[str, str]:
    """v2.1 lists ``[{key, value, type}]``; v2.0 an object ``{name: value}``."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {
            str(k): text_of(v, child(where, str(k)))
            for k, v in raw.items()
            if not isinstance(v, (dict, list))
        }
    fields = {}
    for i, row in enumerate(expect_list(raw, where)):
        row = expect_object(row, f"{where}[{i}]")
        key = text_of(row.get("key"), f"{where}[{i}].key")
        value = row.get("value")
        if not isinstance(value, (dict, list)):
            fields[key] = text_of(value, f"{where}[{i}].value")
    return fields


def _description(raw: Any, where: str) -> str:
    if isinstance(raw, dict):
        return text_of(raw.get("content"), child(where, "content"))
    return text_of(raw, where)


def _url_from_parts(data: dict[str, Any], where: str) -> str:
    """A URL object without ``raw``: protocol, host, port and path put together."""
    protocol = text_of(data.get("protocol"), child(where, "protocol"))
    host = data.get("host")
    if isinstance(host, list):
        host_text = ".".join(text_of(h, f"{child(where, 'host')}[{i}]") for i, h in enumerate(host))
    else:
        host_text = text_of(host, child(where, "host"))
    port = text_of(data.get("port"), child(where, "port"))
    path = data.get("path")
    if isinstance(path, list):
        segments = []
        for i, segment in enumerate(path):
            if isinstance(segment, dict):
                segment = segment.get("value")
            segments.append(text_of(segment, f"{child(where, 'path')}[{i}]"))
        path_text = "/".join(segments)
    else:
        path_text = text_of(path, child(where, "path")).lstrip("/")
    url = (protocol + "://" if protocol else "") + host_text + (":" + port if port else "")
    return url + ("/" + path_text if path_text else "")
