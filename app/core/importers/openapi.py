"""OpenAPI 3.0 / 3.1 and Swagger 2.0 descriptions (JSON or YAML) as a Courier collection.

    imported = parse_openapi(text)       # raises MalformedImport (line/column or JSON path)

One request per operation, in a folder per (first) tag (untagged operations at
the top level, folders in the order of the document's ``tags``), with example
parameters and bodies (``openapi_operations``, ``openapi_bodies``), the servers
as the ``baseUrl`` variable (``openapi_servers``) and security schemes as auth
(``openapi_security``).  References within the document are followed, others are
not fetched and noted (``openapi_refs``); webhooks and callbacks are noted, not
imported.
"""

from __future__ import annotations

from typing import Any

from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.json_doc import child, expect_object, text_of
from app.core.importers.openapi_load import load_document
from app.core.importers.openapi_operations import OperationReader
from app.core.importers.openapi_refs import Refs
from app.core.importers.openapi_security import SecuritySchemes
from app.core.importers.openapi_servers import apply_servers, server_urls, swagger_urls
from app.core.importers.openapi_variables import CollectionVariables
from app.core.model import AuthKind, Collection, Folder

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def parse_openapi(text: str | bytes) -> Imported:
    """The collection of an OpenAPI 3.x or Swagger 2.0 description; nothing half-way."""
    data = load_document(text)
    if not isinstance(data, dict):
        raise MalformedImport(
            "not an OpenAPI or Swagger description (it is not an object with an "
            '"openapi" or "swagger" field)',
            where="$",
        )
    source = _version(data)
    report = ImportReport(source=source)
    refs = Refs(data, report)
    info = expect_object(data.get("info") or {}, "info")
    collection = Collection(name=text_of(info.get("title"), "info.title").strip() or "API")
    collection.notes = _notes(info)
    variables = CollectionVariables()
    swagger = "swagger" in data
    if swagger:
        urls = swagger_urls(data, report)
    else:
        urls = server_urls(data.get("servers"), "servers", report)
    if swagger:
        environments = apply_servers(urls, variables, report, "schemes", "host")
    else:
        environments = apply_servers(urls, variables, report, "servers", "servers[0]")
    raw_components = data.get("components")
    components: dict[Any, Any] = raw_components if isinstance(raw_components, dict) else {}
    schemes_where = "securityDefinitions" if swagger else "components.securitySchemes"
    schemes = data.get("securityDefinitions") if swagger else components.get("securitySchemes")
    security = SecuritySchemes(schemes, schemes_where, refs, report, variables)
    collection.auth = security.auth_for(data.get("security"), "security", AuthKind.NONE)
    reader = OperationReader(data, refs, security, report, variables)
    folders = _tag_folders(data)
    _read_paths(data, reader, collection, folders, refs)
    collection.folders = [folder for folder in folders.values() if folder.requests]
    collection.variables = variables.rows
    _note_webhooks(data, report)
    imported = Imported(collection, environments, report)
    imported.count()
    return imported


def _version(data: dict[str, Any]) -> str:
    if "openapi" in data:
        version = text_of(data["openapi"], "openapi")
        if not version.startswith("3."):
            raise MalformedImport(
                f"OpenAPI {version or '(no version)'} is not one Courier reads "
                "(it reads OpenAPI 3.0, 3.1 and Swagger 2.0)",
                where="openapi",
            )
        return f"OpenAPI {version}"
    if "swagger" in data:
        version = text_of(data["swagger"], "swagger")
        if version != "2.0":
            raise MalformedImport(
                f"Swagger {version or '(no version)'} is not one Courier reads "
                "(it reads Swagger 2.0 and OpenAPI 3.x)",
                where="swagger",
            )
        return "Swagger 2.0"
    raise MalformedImport(
        'not an OpenAPI or Swagger description: it has no "openapi" or "swagger" field',
        where="$",
    )


def _notes(info: dict[str, Any]) -> str:
    parts = []
    description = text_of(info.get("description"), "info.description").strip()
    if description:
        parts.append(description)
    version = info.get("version")
    if isinstance(version, (str, int, float)) and str(version):
        parts.append(f"API version {version}")
    return "\n\n".join(parts)


def _tag_folders(data: dict[str, Any]) -> dict[str, Folder]:
    """A folder for each tag the document lists, in its order, with its description."""
    folders: dict[str, Folder] = {}
    tags = data.get("tags")
    if not isinstance(tags, list):
        return folders
    for i, tag in enumerate(tags):
        if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
            continue
        name = tag["name"]
        description = text_of(tag.get("description"), f"tags[{i}].description").strip()
        folders.setdefault(name, Folder(name=name, notes=description))
    return folders


def _read_paths(
    data: dict[str, Any],
    reader: OperationReader,
    collection: Collection,
    folders: dict[str, Folder],
    refs: Refs,
) -> None:
    paths = data.get("paths")
    if paths is None:
        return
    for path, raw in expect_object(paths, "paths").items():
        where = child("paths", str(path))
        item = expect_object(refs.resolve(raw, where), where)
        for method, operation in item.items():
            if not isinstance(method, str) or method.lower() not in METHODS:
                continue
            here = child(where, method)
            if operation is None:
                continue
            operation = expect_object(operation, here)
            request = reader.request(str(path), method.lower(), item, operation, here)
            tags = operation.get("tags")
            tag = tags[0] if isinstance(tags, list) and tags else None
            if isinstance(tag, str) and tag:
                folder = folders.get(tag)
                if folder is None:
                    folder = folders[tag] = Folder(name=tag)
                folder.requests.append(request)
            else:
                collection.requests.append(request)


def _note_webhooks(data: dict[str, Any], report: ImportReport) -> None:
    webhooks = data.get("webhooks")
    if isinstance(webhooks, dict) and webhooks:
        names = ", ".join(str(name) for name in webhooks)
        report.note(
            "webhooks",
            f"{len(webhooks)} webhook(s) ({names}): requests the API sends to you, "
            "not imported as requests",
        )
