"""Insomnia's export format 4 (JSON or YAML): a flat list of ``resources`` tied
together by ``parentId`` — workspace, request_group (folders, nested), request,
environment (the base one and its sub-environments), cookie_jar, api_spec...

One workspace becomes the collection: its base environment the collection's
variables, its sub-environments Courier environments.  An export of several
workspaces keeps them all: each becomes a top-level folder with its base
environment as the folder's variables and its sub-environments as environments
named ``Workspace / Environment``.  What Courier has no place for (cookies,
API specs, unit tests, gRPC and WebSocket requests) is counted in the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
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
from app.core.model import Collection, Environment, Folder, Request, Variable

_MAX_DEPTH = 100
_SKIPPED = {
    "grpc_request": "gRPC request(s)",
    "websocket_request": "WebSocket request(s)",
    "websocket_payload": "WebSocket message(s)",
    "socketio_request": "Socket.IO request(s)",
    "socketio_payload": "Socket.IO message(s)",
    "proto_file": "proto file(s)",
    "proto_directory": "proto folder(s)",
    "unit_test_suite": "unit test suite(s) (Courier has no tests)",
    "unit_test": "unit test(s) (Courier has no tests)",
    "mock_server": "mock server(s)",
    "mock_route": "mock route(s)",
    "mcp_request": "MCP client(s)",
}


@dataclass(slots=True)
class _Resource:
    index: int
    kind: str
    id: str
    parent: str
    data: dict[str, Any]

    @property
    def where(self) -> str:
        return f"resources[{self.index}]"


@dataclass(slots=True)
class _Export:
    workspaces: list[_Resource] = field(default_factory=list)
    environments: list[_Resource] = field(default_factory=list)
    #: request groups and requests under each parent id, in Insomnia's order
    children: dict[str, list[tuple[float, int, _Resource]]] = field(default_factory=dict)
    #: ids of workspaces and request groups: what may hold requests
    containers: set[str] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)


def read_v4(data: dict[str, Any], report: ImportReport) -> Imported:
    """The collection of an Insomnia v4 export (already parsed)."""
    export = _index(expect_list(data.get("resources"), "resources"), report)
    reader = _Builder(InsomniaReader(report), export)
    with_content = [w for w in export.workspaces if w.id in export.children]
    if len(export.workspaces) <= 1 or len(with_content) <= 1:
        imported = reader.single(with_content[0] if with_content else _first(export))
    else:
        imported = reader.several(with_content)
        for workspace in export.workspaces:
            if workspace not in with_content:
                report.skip(_label(workspace), "a workspace without requests")
    reader.orphans(imported.collection)
    for kind, count in export.skipped.items():
        report.skip("", f"{count} {_SKIPPED.get(kind, f'{kind!r} resource(s)')}")
    imported.count()
    return imported


def _first(export: _Export) -> _Resource | None:
    return export.workspaces[0] if export.workspaces else None


def _index(resources: list[Any], report: ImportReport) -> _Export:
    export = _Export()
    for i, raw in enumerate(resources):
        where = f"resources[{i}]"
        data = expect_object(raw, where)
        kind = scalar_text(data.get("_type"), child(where, "_type"))
        resource = _Resource(
            i,
            kind,
            scalar_text(data.get("_id"), child(where, "_id")),
            scalar_text(data.get("parentId"), child(where, "parentId")),
            data,
        )
        if kind in ("workspace", "request_group"):
            export.containers.add(resource.id)
        if kind == "workspace":
            export.workspaces.append(resource)
        elif kind == "environment":
            export.environments.append(resource)
        elif kind in ("request", "request_group"):
            place = (sort_key(data.get("metaSortKey")), i, resource)
            export.children.setdefault(resource.parent, []).append(place)
        elif kind == "cookie_jar":
            cookies = data.get("cookies")
            if isinstance(cookies, list) and cookies:
                report.skip(
                    f"{where} ({scalar_text(data.get('name'), child(where, 'name'))})",
                    f"a cookie jar of {len(cookies)} cookie(s) (Courier keeps its own cookies)",
                )
        elif kind == "api_spec":
            if scalar_text(data.get("contents"), child(where, "contents")).strip():
                report.skip(where, "an API spec: import it with --format openapi")
        else:
            export.skipped[kind or "untyped"] += 1
    return export


def _label(resource: _Resource) -> str:
    name = resource.data.get("name")
    return f"{resource.where} ({name})" if isinstance(name, str) and name else resource.where


class _Builder:
    def __init__(self, reader: InsomniaReader, export: _Export) -> None:
        self.reader = reader
        self.export = export
        self.placed: set[int] = set()

    def single(self, workspace: _Resource | None) -> Imported:
        collection = Collection(name="Insomnia collection")
        environments: list[Environment] = []
        if workspace is not None:
            where = workspace.where
            collection.name = scalar_text(workspace.data.get("name"), child(where, "name")) or (
                collection.name
            )
            collection.notes = scalar_text(
                workspace.data.get("description"), child(where, "description")
            )
            self.fill(workspace.id, collection, 0)
        collection.variables, environments = self.environments(workspace, "")
        return Imported(collection, environments, self.reader.report)

    def several(self, workspaces: list[_Resource]) -> Imported:
        collection = Collection(name="Insomnia workspaces")
        environments = []
        for workspace in workspaces:
            where = workspace.where
            folder = Folder(
                scalar_text(workspace.data.get("name"), child(where, "name")) or "workspace"
            )
            folder.notes = scalar_text(
                workspace.data.get("description"), child(where, "description")
            )
            self.fill(workspace.id, folder, 1)
            folder.variables, more = self.environments(workspace, folder.name + " / ")
            environments += more
            collection.folders.append(folder)
        self.reader.report.note("", f"{len(workspaces)} workspaces: one top-level folder each")
        return Imported(collection, environments, self.reader.report)

    def environments(
        self, workspace: _Resource | None, prefix: str
    ) -> tuple[list[Variable], list[Environment]]:
        """The workspace's base environment's variables and its sub-environments."""
        all_ids = {e.id for e in self.export.environments}
        bases = [
            e
            for e in self.export.environments
            if e.parent not in all_ids
            and (workspace is None or e.parent == workspace.id or len(self.export.workspaces) <= 1)
        ]
        if not bases:
            return [], []
        base = bases[0]
        for extra in bases[1:]:
            self.reader.report.skip(_label(extra), "a second base environment (the first is used)")
        variables = self.reader.environment(base.data, base.where, "Base Environment").variables
        subs = [e for e in self.export.environments if e.parent == base.id]
        subs.sort(key=lambda e: (sort_key(e.data.get("metaSortKey")), e.index))
        environments = []
        for sub in subs:
            environment = self.reader.environment(sub.data, sub.where, f"Environment {sub.index}")
            environment.name = prefix + environment.name
            environments.append(environment)
        return variables, environments

    def fill(self, parent: str, into: Collection | Folder, depth: int) -> None:
        for resource in sort_by_key(self.export.children.get(parent, [])):
            if resource.index in self.placed:
                continue
            self.placed.add(resource.index)
            if resource.kind == "request_group":
                into.folders.append(self.folder(resource, depth + 1))
            else:
                into.requests.append(self.request(resource))

    def folder(self, resource: _Resource, depth: int) -> Folder:
        if depth > _MAX_DEPTH:
            raise too_deep(child(resource.where, "parentId"))
        data, where = resource.data, resource.where
        folder = Folder(scalar_text(data.get("name"), child(where, "name")) or "folder")
        self.reader.folder_parts(
            folder,
            data,
            where,
            scalar_text(data.get("description"), child(where, "description")),
            scripts_of(data.get("preRequestScript"), data.get("afterResponseScript"), where),
        )
        self.fill(resource.id, folder, depth)
        return folder

    def request(self, resource: _Resource) -> Request:
        data, where = resource.data, resource.where
        request = self.reader.request(
            data,
            where,
            description=scalar_text(data.get("description"), child(where, "description")),
            scripts=scripts_of(
                data.get("preRequestScript"), data.get("afterResponseScript"), where
            ),
            follow_redirects=data.get("settingFollowRedirects"),
            render_body=data.get("settingDisableRenderRequestBody") is not True,
        )
        if data.get("settingSendCookies") is False and data.get("settingStoreCookies") is False:
            request.settings.no_cookies = True
        return request

    def orphans(self, collection: Collection) -> None:
        """Folders and requests whose parent is not in the export go to the top;
        folders whose parents form a loop are refused."""
        for parent, items in self.export.children.items():
            if parent in self.export.containers:
                continue
            if self.export.workspaces:
                for _key, _i, resource in items:
                    self.reader.report.note(
                        _label(resource),
                        f"its parent {parent!r} is not in the export: put at the top",
                    )
            self.fill(parent, collection, 0)
        for items in self.export.children.values():
            for _key, _i, resource in items:
                if resource.index not in self.placed:
                    raise MalformedImport(
                        "this folder is inside itself (its parentId chain loops)",
                        where=child(resource.where, "parentId"),
                    )
