"""Bruno 2's YAML collections ("OpenCollection", usebruno/bruno ``bruno-filestore``
``formats/yml``) in Courier's model.

    opencollection.yml     info.name, request: {headers, auth, variables, scripts}, docs
    users/folder.yml       info: {name, seq}, request: {...}, docs
    users/get-user.yml     info: {name, type, seq}, http: {method, url, params, headers,
                           body, auth}, runtime: {variables, scripts, assertions}, docs
    environments/dev.yml   name, variables: [{name, value, disabled, secret}]

Auth is ``inherit`` or an object with ``type``; a body has ``type`` (json, text,
xml, sparql, form-urlencoded, multipart-form, file) and ``data``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.core import yamlio
from app.core.importers import bruno_parts as parts
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.json_doc import MAX_BYTES, shown_type
from app.core.importers.posting_request import yaml_error
from app.core.importers.urls import fill_path_parameters, split_query
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    Request,
    Variable,
)

MARKER = "opencollection.yml"
_FOLDER_FILE = "folder.yml"
_SCRIPT_LABELS = {
    "before-request": "pre-request script",
    "after-response": "post-response script",
    "tests": "tests",
}
_OAUTH_FLOWS = {
    "client_credentials": "client_credentials",
    "resource_owner_password": "password",
    "authorization_code": "authorization_code",
}


#: each request read with the file it came from
Sources = list[tuple[Request, Path]]


def parse_yaml_folder(root: Path, sources: Sources | None = None) -> Imported:
    """The YAML Bruno collection in ``root`` (marked by ``opencollection.yml``);
    ``sources`` (when given) gains each request with its file."""
    found: Sources = [] if sources is None else sources
    report = ImportReport(source="Bruno collection (YAML)")
    top = _load(root / MARKER, MARKER)
    info = _object(top.get("info"), MARKER, "info")
    collection = Collection(name=_text(info.get("name"), MARKER, "info.name") or root.name)
    _apply_defaults(top, collection, MARKER, report)
    imported = Imported(collection, report=report)
    collection.folders, collection.requests = _directory(root, root, report, found)
    imported.environments = _environments(root, report)
    imported.count()
    return imported


def _load(path: Path, where: str) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MalformedImport(f"{where}: over {MAX_BYTES >> 20} MiB", line=1, column=1)
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedImport(f"{where}: cannot read it: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedImport(f"{where}: not UTF-8 text", line=1, column=1) from exc
    try:
        loaded = yamlio.load(text)
    except (yamlio.YAMLError, yamlio.TooComplex, RecursionError) as exc:
        raise yaml_error(exc, where) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise MalformedImport(
            f"{where}: expected a mapping, found {shown_type(loaded)}", line=1, column=1
        )
    return loaded


def _fail(where: str, path: str, text: str) -> MalformedImport:
    return MalformedImport(text, where=f"{where}: {path}")


def _object(value: Any, where: str, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(where, path, f"expected a mapping, found {shown_type(value)}")
    return value


def _list(value: Any, where: str, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, path, f"expected a list, found {shown_type(value)}")
    return value


def _text(value: Any, where: str, path: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, dict) and "data" in value:  # a typed value {type, data}
        return _text(value["data"], where, f"{path}.data")
    raise _fail(where, path, f"expected text, found {shown_type(value)}")


def _rows(value: Any, where: str, path: str) -> list[tuple[str, str, bool, dict[str, Any]]]:
    rows = []
    for i, item in enumerate(_list(value, where, path)):
        here = f"{path}[{i}]"
        row = _object(item, where, here)
        name = _text(row.get("name"), where, f"{here}.name")
        value_text = _text(row.get("value"), where, f"{here}.value")
        rows.append((name, value_text, row.get("disabled") is not True, row))
    return rows


def _key_values(value: Any, where: str, path: str) -> list[KeyValue]:
    return [KeyValue(n, v, on) for n, v, on, _ in _rows(value, where, path)]


def _auth(value: Any, where: str, path: str, report: ImportReport) -> Auth | None:
    if value is None:
        return None
    if value == "inherit":
        return parts.auth_from("inherit", {}, where, report)
    data = _object(value, where, path)
    kind = _text(data.get("type"), where, f"{path}.type")
    if kind != "oauth2":
        fields = {k: _text(v, where, f"{path}.{k}") for k, v in data.items() if k != "type"}
        if "placement" in fields and fields["placement"] == "query":
            fields["placement"] = "queryparams"
        return parts.auth_from(kind or "none", fields, where, report)
    flow = _text(data.get("flow"), where, f"{path}.flow")
    credentials = _object(data.get("credentials"), where, f"{path}.credentials")
    owner = _object(data.get("resourceOwner"), where, f"{path}.resourceOwner")
    pkce = _object(data.get("pkce"), where, f"{path}.pkce")
    fields = {
        "grant_type": _OAUTH_FLOWS.get(flow, flow),
        "access_token_url": _text(data.get("accessTokenUrl"), where, path),
        "authorization_url": _text(data.get("authorizationUrl"), where, path),
        "client_id": _text(credentials.get("clientId"), where, path),
        "client_secret": _text(credentials.get("clientSecret"), where, path),
        "username": _text(owner.get("username"), where, path),
        "password": _text(owner.get("password"), where, path),
        "scope": _text(data.get("scope"), where, path),
        "pkce": "true" if pkce.get("enabled") is True else "",
    }
    return parts.auth_from("oauth2", fields, where, report)


def _sections(runtime: dict[str, Any], where: str, path: str) -> list[tuple[str, str]]:
    sections = []
    for i, item in enumerate(_list(runtime.get("scripts"), where, f"{path}.scripts")):
        script = _object(item, where, f"{path}.scripts[{i}]")
        kind = _text(script.get("type"), where, f"{path}.scripts[{i}].type")
        code = _text(script.get("code"), where, f"{path}.scripts[{i}].code")
        sections.append((_SCRIPT_LABELS.get(kind, f"{kind} script"), code))
    assertions = runtime.get("assertions")
    if assertions:
        lines = []
        for i, item in enumerate(_list(assertions, where, f"{path}.assertions")):
            row = _object(item, where, f"{path}.assertions[{i}]")
            expression = _text(row.get("expression"), where, f"{path}.assertions[{i}]")
            operator = _text(row.get("operator"), where, f"{path}.assertions[{i}]")
            expected = _text(row.get("value"), where, f"{path}.assertions[{i}]")
            lines.append(f"{expression}: {operator} {expected}".rstrip())
        sections.append(("assertions", "\n".join(lines)))
    return sections


def _docs(value: Any, where: str) -> str:
    if isinstance(value, dict):
        return _text(value.get("content"), where, "docs.content")
    return _text(value, where, "docs")


def _apply_defaults(
    data: dict[str, Any], into: Collection | Folder, where: str, report: ImportReport
) -> None:
    """``opencollection.yml`` / ``folder.yml``: the ``request`` defaults and docs."""
    request = _object(data.get("request"), where, "request")
    into.headers = _key_values(request.get("headers"), where, "request.headers")
    auth = _auth(request.get("auth"), where, "request.auth", report)
    if auth is not None and isinstance(into, Collection) and auth.kind is AuthKind.INHERIT:
        auth = Auth(kind=AuthKind.NONE)  # nothing above a collection to inherit from
    if auth is not None:
        into.auth = auth
    into.variables = [
        Variable(n, v, on)
        for n, v, on, _ in _rows(request.get("variables"), where, "request.variables")
    ]
    sections = _sections(request, where, "request")
    into.notes = parts.compose_notes(_docs(data.get("docs"), where), sections)
    parts.note_kept(report, where, sections)


def _request(
    data: dict[str, Any], stem: str, where: str, report: ImportReport
) -> tuple[float, Request] | None:
    info = _object(data.get("info"), where, "info")
    name = _text(info.get("name"), where, "info.name") or stem
    kind = _text(info.get("type"), where, "info.type") or "http"
    label = f"{where} ({name})"
    if kind not in ("http", "graphql"):
        report.skip(label, f"a {kind} request (Courier sends HTTP requests)")
        return None
    key = "graphql" if kind == "graphql" and "graphql" in data else "http"
    http = _object(data.get(key), where, key)
    request = Request(
        name=name, method=(_text(http.get("method"), where, f"{key}.method") or "GET").upper()
    )
    url = _text(http.get("url"), where, f"{key}.url")
    base, from_url = split_query(url)
    params = _rows(http.get("params"), where, f"{key}.params")
    query = [KeyValue(n, v, on) for n, v, on, row in params if row.get("type", "query") == "query"]
    request.params = query if params else from_url
    path_values = {n: v for n, v, on, row in params if row.get("type") == "path" and on}
    request.url = fill_path_parameters(base, path_values, label, report)
    request.headers = _key_values(http.get("headers"), where, f"{key}.headers")
    request.body = _body(
        http.get("body"), where, f"{key}.body", label, report, graphql=key == "graphql"
    )
    auth = _auth(http.get("auth"), where, f"{key}.auth", report)
    request.auth = auth if auth is not None else parts.auth_from("none", {}, label, report)
    parts.apply_settings(_object(data.get("settings"), where, "settings"), request, label, report)
    runtime = _object(data.get("runtime"), where, "runtime")
    sections = _sections(runtime, where, "runtime")
    variables = _rows(runtime.get("variables"), where, "runtime.variables")
    if variables:
        code = "\n".join(f"{'' if on else '~'}{n}: {v}" for n, v, on, _ in variables)
        sections.append(("pre-request variables", code))
    request.notes = parts.compose_notes(_docs(data.get("docs"), where), sections)
    parts.note_kept(report, label, sections)
    parts.note_process_env([url], label, report)
    for key, what in (("actions", "post-response action(s)"), ("examples", "saved example(s)")):
        found = (runtime if key == "actions" else data).get(key)
        if isinstance(found, list) and found:
            report.skip(label, f"{len(found)} {what} (Courier has none)")
    seq = info.get("seq")
    order = (
        float(seq) if isinstance(seq, (int, float)) and not isinstance(seq, bool) else float("inf")
    )
    return order, request


def _body(
    value: Any, where: str, path: str, label: str, report: ImportReport, *, graphql: bool
) -> Body:
    if value is None:
        return Body()
    data = _object(value, where, path)
    if graphql:
        query = _text(data.get("query"), where, f"{path}.query")
        variables = _text(data.get("variables"), where, f"{path}.variables")
        return parts.graphql_body(query, variables, label, report)
    kind = _text(data.get("type"), where, f"{path}.type")
    if kind in ("json", "text", "xml", "sparql"):
        return parts.raw_body(kind, _text(data.get("data"), where, f"{path}.data"))
    if kind == "form-urlencoded":
        return Body(BodyKind.FORM, form=_key_values(data.get("data"), where, f"{path}.data"))
    if kind == "multipart-form":
        rows = []
        for i, item in enumerate(_list(data.get("data"), where, f"{path}.data")):
            here = f"{path}.data[{i}]"
            row = _object(item, where, here)
            name = _text(row.get("name"), where, f"{here}.name")
            on = row.get("disabled") is not True
            content_type = _text(row.get("contentType"), where, f"{here}.contentType")
            if row.get("type") == "file":
                files = [
                    _text(f, where, f"{here}.value")
                    for f in _list(row.get("value"), where, f"{here}.value")
                ]
                rows.append((name, "@file(" + "|".join(files) + ")", on, content_type))
            else:
                rows.append(
                    (name, _text(row.get("value"), where, f"{here}.value"), on, content_type)
                )
        return Body(BodyKind.MULTIPART, parts=parts.multipart_parts(rows))
    if kind == "file":
        entries = [
            _object(f, where, f"{path}.data")
            for f in _list(data.get("data"), where, f"{path}.data")
        ]
        chosen = next(
            (f for f in entries if f.get("selected") is True), entries[0] if entries else {}
        )
        file_path = _text(chosen.get("filePath"), where, f"{path}.data.filePath")
        content_type = _text(chosen.get("contentType"), where, f"{path}.data.contentType")
        return Body(BodyKind.FILE, path=file_path, content_type=content_type)
    report.skip(label, f"a body of type {kind!r}, which Courier does not know")
    return Body()


def _directory(
    root: Path, directory: Path, report: ImportReport, sources: Sources
) -> tuple[list[Folder], list[Request]]:
    folders: list[tuple[float, str, Folder]] = []
    requests: list[tuple[float, str, Request]] = []
    with os.scandir(directory) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        where = path.relative_to(root).as_posix()
        if entry.is_dir(follow_symlinks=False):
            if entry.name.startswith(".") or (
                directory == root and entry.name in ("environments", "node_modules")
            ):
                continue
            found = _folder(root, path, where, report, sources)
            if found is not None:
                folders.append(found)
        elif entry.name.endswith((".yml", ".yaml")) and entry.name not in (MARKER, _FOLDER_FILE):
            read = _request(_load(path, where), path.stem, where, report)
            if read is not None:
                requests.append((read[0], read[1].name, read[1]))
                sources.append((read[1], path))
    folders.sort(key=lambda item: (item[0], item[1]))
    requests.sort(key=lambda item: (item[0], item[1]))
    return [f for _, _, f in folders], [r for _, _, r in requests]


def _folder(
    root: Path, path: Path, where: str, report: ImportReport, sources: Sources
) -> tuple[float, str, Folder] | None:
    folder = Folder(name=path.name)
    seq = float("inf")
    special = path / _FOLDER_FILE
    if special.is_file():
        label = f"{where}/{_FOLDER_FILE}"
        data = _load(special, label)
        info = _object(data.get("info"), label, "info")
        folder.name = _text(info.get("name"), label, "info.name") or folder.name
        raw_seq = info.get("seq")
        if isinstance(raw_seq, (int, float)) and not isinstance(raw_seq, bool):
            seq = float(raw_seq)
        _apply_defaults(data, folder, label, report)
    folder.folders, folder.requests = _directory(root, path, report, sources)
    if not (folder.folders or folder.requests or special.is_file()):
        return None
    return seq, folder.name, folder


def _environments(root: Path, report: ImportReport) -> list[Environment]:
    directory = root / "environments"
    if not directory.is_dir():
        return []
    found = []
    for path in sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")]):
        where = f"environments/{path.name}"
        data = _load(path, where)
        name = _text(data.get("name"), where, "name") or path.stem
        variables, secrets = [], []
        for n, v, on, row in _rows(data.get("variables"), where, "variables"):
            secret = row.get("secret") is True or row.get("transient") is True
            variables.append(Variable(n, "" if secret else v, on, secret=secret))
            if secret:
                secrets.append(n)
        if secrets:
            report.note(
                where,
                f"secret variable(s) {', '.join(secrets)} imported empty (Bruno keeps their "
                "values outside the file): set them in Courier, which keeps them in the keychain",
            )
        found.append(Environment(name, variables))
    return found
