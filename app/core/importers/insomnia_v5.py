"""Insomnia v5 YAML (Insomnia 10 and later): ``type: collection.insomnia.rest/5.0``
with a ``collection:`` tree (folders hold ``children``), ``environments`` (the
base environment and its ``subEnvironments``) and a ``cookieJar``.

The shape follows Insomnia's own schema (``import-v5-parser.ts``): an item with
a ``method`` is a request, one with ``reflectionApi`` a gRPC request, one whose
``meta.id`` starts ``ws-req`` / ``socketio-req`` a WebSocket / Socket.IO
request, anything else a folder.  A design document (``spec.insomnia.rest``)
imports its collection; its spec and tests are reported, not imported.
"""

from __future__ import annotations

from typing import Any

from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.insomnia_common import (
    InsomniaReader,
    scalar_text,
    scripts_of,
    sort_by_key,
    sort_key,
    too_deep,
)
from app.core.importers.json_doc import child, expect_list, expect_object
from app.core.model import Collection, Environment, Folder, Request

COLLECTION = "collection.insomnia.rest/5.0"
SPEC = "spec.insomnia.rest/5.0"
ENVIRONMENT = "environment.insomnia.rest/5.0"
_NOT_COLLECTIONS = {
    "mock.insomnia.rest/5.0": "an Insomnia mock server",
    "mcpClient.insomnia/5.0": "an Insomnia MCP client",
}
_MAX_DEPTH = 100


def read_v5(data: dict[str, Any], kind: str, report: ImportReport) -> Imported:
    """The collection of an Insomnia v5 file (already parsed)."""
    if kind in _NOT_COLLECTIONS:
        raise MalformedImport(
            f"{_NOT_COLLECTIONS[kind]}, not a collection: nothing to import", where="type"
        )
    if kind not in (COLLECTION, SPEC, ENVIRONMENT):
        raise MalformedImport(
            f"an Insomnia v5 file of type {kind!r}, not a collection", where="type"
        )
    reader = _Walker(InsomniaReader(report))
    meta = _meta(data, "")
    collection = Collection(name=scalar_text(data.get("name"), "name") or "Insomnia collection")
    collection.notes = scalar_text(meta.get("description"), "meta.description")
    environments: list[Environment] = []
    raw = data.get("environments")
    if raw is not None:
        base = expect_object(raw, "environments")
        base_environment = reader.reader.environment(base, "environments", "Base Environment")
        if kind == ENVIRONMENT:
            environments.append(base_environment)
        else:
            collection.variables = base_environment.variables
        subs = expect_list(base.get("subEnvironments") or [], "environments.subEnvironments")
        ordered = []
        for i, sub in enumerate(subs):
            here = f"environments.subEnvironments[{i}]"
            sub = expect_object(sub, here)
            ordered.append((sort_key(_meta(sub, here).get("sortKey")), i, (here, sub)))
        for here, sub in sort_by_key(ordered):
            environments.append(reader.reader.environment(sub, here, "Environment"))
    items = data.get("collection")
    if items is not None:
        reader.items(items, "collection", collection, 0)
    _report_the_rest(data, report)
    imported = Imported(collection, environments, report)
    imported.count()
    return imported


def _report_the_rest(data: dict[str, Any], report: ImportReport) -> None:
    jar = data.get("cookieJar")
    if isinstance(jar, dict) and isinstance(jar.get("cookies"), list) and jar["cookies"]:
        report.skip("cookieJar", f"{len(jar['cookies'])} cookie(s) (Courier keeps its own cookies)")
    if data.get("spec"):
        report.skip("spec", "the API spec: import it with --format openapi")
    suites = data.get("testSuites")
    if isinstance(suites, list) and suites:
        report.skip("testSuites", f"{len(suites)} unit test suite(s) (Courier has no tests)")
    certificates = data.get("certificates")
    if isinstance(certificates, list) and certificates:
        report.skip("certificates", f"{len(certificates)} CA certificate(s): set them in Options")


def _meta(data: dict[str, Any], where: str) -> dict[str, Any]:
    raw = data.get("meta")
    return {} if raw is None else expect_object(raw, child(where, "meta"))


class _Walker:
    def __init__(self, reader: InsomniaReader) -> None:
        self.reader = reader

    def items(self, raw: Any, where: str, into: Collection | Folder, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise too_deep(where)
        entries = []
        for i, item in enumerate(expect_list(raw, where)):
            here = f"{where}[{i}]"
            data = expect_object(item, here)
            meta = _meta(data, here)
            entries.append((sort_key(meta.get("sortKey")), i, (here, data, meta)))
        for here, data, meta in sort_by_key(entries):
            item_id = scalar_text(meta.get("id"), child(here, "meta.id"))
            name = scalar_text(data.get("name"), child(here, "name"))
            if "method" in data:
                into.requests.append(self.request(data, meta, here))
            elif "reflectionApi" in data:
                self.reader.report.skip(f"{here} ({name})", "a gRPC request")
            elif item_id.startswith(("ws-req", "socketio-req", "mcp-req")):
                kind = "a WebSocket" if item_id.startswith("ws-req") else "a Socket.IO"
                if item_id.startswith("mcp-req"):
                    kind = "an MCP"
                self.reader.report.skip(f"{here} ({name})", f"{kind} request")
            else:
                into.folders.append(self.folder(data, meta, here, depth))

    def folder(self, data: dict[str, Any], meta: dict[str, Any], where: str, depth: int) -> Folder:
        folder = Folder(scalar_text(data.get("name"), child(where, "name")) or "folder")
        self.reader.folder_parts(
            folder,
            data,
            where,
            scalar_text(meta.get("description"), child(where, "meta.description")),
            self.scripts(data, where),
        )
        children = data.get("children")
        if children is not None:
            self.items(children, child(where, "children"), folder, depth + 1)
        return folder

    def request(self, data: dict[str, Any], meta: dict[str, Any], where: str) -> Request:
        settings = data.get("settings")
        settings = {} if settings is None else expect_object(settings, child(where, "settings"))
        request = self.reader.request(
            data,
            where,
            description=scalar_text(meta.get("description"), child(where, "meta.description")),
            scripts=self.scripts(data, where),
            follow_redirects=settings.get("followRedirects"),
            render_body=settings.get("renderRequestBody") is not False,
        )
        cookies = settings.get("cookies")
        if (
            isinstance(cookies, dict)
            and cookies.get("send") is False
            and cookies.get("store") is False
        ):
            request.settings.no_cookies = True
        return request

    def scripts(self, data: dict[str, Any], where: str) -> dict[str, str]:
        raw = data.get("scripts")
        if raw is None:
            return {}
        scripts = expect_object(raw, child(where, "scripts"))
        here = child(where, "scripts")
        return scripts_of(scripts.get("preRequest"), scripts.get("afterResponse"), here)
