"""Collections on disk: a directory of YAML files, one per request.

::

    my-api/
      collection.yaml          courier: 1, id, name, base_url, headers, variables, notes
      environments/<slug>.yaml name, variables
      <folder-slug>/           a folder; folder.yaml holds its name and settings
        <slug>.request.yaml    name, method, url, params, headers, body, notes

Keys are written in that order with defaults left out, so a load followed by a
save is byte-identical and diffs stay small.  Every write is atomic.  Secret
variables are written by name only: their values never reach these files.

A request, folder or environment file that cannot be read becomes a
``LoadProblem`` on the collection (path and reason) and is never written to;
the rest of the collection loads.  Every operation here changes the files and
the in-memory model together and raises ``StorageError`` with a message a user
understands when the disk says no.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from app.core import yamlio
from app.core.errors import CollectionNotFound, StorageError
from app.core.model import (
    CREDENTIAL_FIELDS,
    DEFAULT_SETTINGS,
    OAUTH2_GRANTS,
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    LoadProblem,
    Request,
    Settings,
    Variable,
)
from app.core.parse_cache import ParseCache
from app.core.slugs import natural_key, slugify, unique_slug

FORMAT_VERSION = 1
COLLECTION_FILE = "collection.yaml"
FOLDER_FILE = "folder.yaml"
REQUEST_SUFFIX = ".request.yaml"
ENVIRONMENTS_DIR = "environments"

__all__ = [
    "add_environment",
    "add_folder",
    "add_request",
    "create_collection",
    "delete_environment",
    "delete_folder",
    "delete_request",
    "duplicate_folder",
    "duplicate_request",
    "load_collection",
    "parent_folder",
    "rename_folder",
    "rename_request",
    "request_from_yaml",
    "request_to_yaml",
    "save_collection_settings",
    "save_environment",
    "save_folder_settings",
    "save_request",
    "slugify",
]


#: Auth's text fields in file order; the last ones belong to one kind each
AUTH_TEXT_FIELDS = (
    "username",
    "password",
    "token",
    "key_name",
    "key_value",
    "token_url",
    "auth_url",
    "client_id",
    "client_secret",
    "scope",
    "access_key",
    "secret_key",
    "session_token",
    "region",
    "service",
)
AUTH_KIND_FIELDS: dict[AuthKind, tuple[str, ...]] = {
    AuthKind.OAUTH2: AUTH_TEXT_FIELDS[5:10],
    AuthKind.AWS_SIGV4: AUTH_TEXT_FIELDS[10:],
}
_REFERENCE = re.compile(r"\{\{\s*[A-Za-z0-9_.\-$]+\s*\}\}")


class _BadShape(ValueError):
    """A file parsed as YAML but is not what Courier expects there."""


# --------------------------------------------------------------- to YAML


def _rows_out(rows: list[KeyValue]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {"name": row.name}
        if row.value:
            item["value"] = row.value
        if not row.enabled:
            item["enabled"] = False
        out.append(item)
    return out


def _variables_out(variables: list[Variable]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for var in variables:
        item: dict[str, Any] = {"name": var.name}
        if var.secret:
            item["secret"] = True  # the value lives in the keychain, never here
        elif var.value:
            item["value"] = var.value
        if not var.enabled:
            item["enabled"] = False
        out.append(item)
    return out


def _body_out(body: Body) -> dict[str, Any] | None:
    if body.kind is BodyKind.NONE:
        return None
    item: dict[str, Any] = {"type": body.kind.value}
    if body.text:
        item["text"] = body.text
    if body.content_type:
        item["content_type"] = body.content_type
    if body.form:
        item["form"] = _rows_out(body.form)
    return item


def is_reference(value: str) -> bool:
    """True for a value that is exactly one ``{{variable}}`` (safe to write: it names a secret)."""
    return bool(_REFERENCE.fullmatch(value))


def _auth_out(auth: Auth, default: AuthKind) -> dict[str, Any] | None:
    if auth.kind is default and auth == Auth(kind=default):
        return None
    item: dict[str, Any] = {"type": auth.kind.value}
    if auth.kind in (AuthKind.INHERIT, AuthKind.NONE):
        return item
    if auth.kind is AuthKind.OAUTH2:
        item["grant"] = auth.grant
    secret_fields: list[str] = []
    names = AUTH_TEXT_FIELDS[:5] + AUTH_KIND_FIELDS.get(auth.kind, ())
    for name in names:
        value: str = getattr(auth, name)
        if name in CREDENTIAL_FIELDS and value and not is_reference(value):
            secret_fields.append(name)  # the value lives in the keychain
        elif name in CREDENTIAL_FIELDS and not value and name in auth.stored_secrets:
            secret_fields.append(name)  # in the keychain, not loaded in this session
        elif value:
            item[name] = value
    if auth.kind is AuthKind.API_KEY and auth.key_in != "header":
        item["key_in"] = auth.key_in
    if secret_fields:
        item["secret_fields"] = secret_fields
    return item


def _settings_out(settings: Settings) -> dict[str, Any] | None:
    item = {f.name: getattr(settings, f.name) for f in fields(Settings)}
    item = {k: v for k, v in item.items() if v is not None}
    return item or None


def _shared_out(data: dict[str, Any], auth: Auth, default: AuthKind, settings: Settings) -> None:
    auth_item = _auth_out(auth, default)
    if auth_item is not None:
        data["auth"] = auth_item
    settings_item = _settings_out(settings)
    if settings_item is not None:
        data["settings"] = settings_item


def request_to_yaml(request: Request) -> str:
    data: dict[str, Any] = {"name": request.name, "method": request.method}
    if request.url:
        data["url"] = request.url
    if request.params:
        data["params"] = _rows_out(request.params)
    if request.headers:
        data["headers"] = _rows_out(request.headers)
    body = _body_out(request.body)
    if body is not None:
        data["body"] = body
    _shared_out(data, request.auth, AuthKind.INHERIT, request.settings)
    if request.disabled_inherited_headers:
        data["disabled_inherited_headers"] = list(request.disabled_inherited_headers)
    if request.notes:
        data["notes"] = request.notes
    return yamlio.dump(data)


def _collection_to_yaml(collection: Collection) -> str:
    data: dict[str, Any] = {
        "courier": FORMAT_VERSION,
        "id": collection.id,
        "name": collection.name,
    }
    if collection.base_url:
        data["base_url"] = collection.base_url
    if collection.headers:
        data["headers"] = _rows_out(collection.headers)
    if collection.variables:
        data["variables"] = _variables_out(collection.variables)
    _shared_out(data, collection.auth, AuthKind.NONE, collection.settings)
    if collection.notes:
        data["notes"] = collection.notes
    return yamlio.dump(data)


def _folder_to_yaml(folder: Folder) -> str:
    data: dict[str, Any] = {"name": folder.name}
    if folder.headers:
        data["headers"] = _rows_out(folder.headers)
    if folder.variables:
        data["variables"] = _variables_out(folder.variables)
    _shared_out(data, folder.auth, AuthKind.INHERIT, folder.settings)
    if folder.notes:
        data["notes"] = folder.notes
    return yamlio.dump(data)


def _environment_to_yaml(environment: Environment) -> str:
    data: dict[str, Any] = {"name": environment.name}
    if environment.variables:
        data["variables"] = _variables_out(environment.variables)
    return yamlio.dump(data)


# ------------------------------------------------------------- from YAML


def _mapping(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _BadShape(f"expected a mapping for {what}, found {type(data).__name__}")
    return data


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if type(value) is str:  # the common case, first
        return value
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _BadShape(f"'{key}' must be text")
    return str(value)


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise _BadShape(f"'{key}' must be true or false")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _BadShape(f"'{key}' must be a list")
    return value


def _rows_in(data: dict[str, Any], key: str) -> list[KeyValue]:
    rows = []
    for item in _list(data, key):
        row = _mapping(item, f"a row of '{key}'")
        rows.append(KeyValue(_str(row, "name"), _str(row, "value"), _bool(row, "enabled", True)))
    return rows


def _variables_in(data: dict[str, Any]) -> list[Variable]:
    out = []
    for item in _list(data, "variables"):
        row = _mapping(item, "a variable")
        out.append(
            Variable(
                name=_str(row, "name"),
                value=_str(row, "value"),
                enabled=_bool(row, "enabled", True),
                secret=_bool(row, "secret", False),
            )
        )
    return out


def _body_in(data: dict[str, Any]) -> Body:
    raw = data.get("body")
    if raw is None:
        return Body()
    body = _mapping(raw, "'body'")
    kind_text = _str(body, "type", "none")
    try:
        kind = BodyKind(kind_text)
    except ValueError:
        raise _BadShape(
            f"unknown body type '{kind_text}' (expected none, raw, json or form)"
        ) from None
    return Body(
        kind=kind,
        text=_str(body, "text"),
        content_type=_str(body, "content_type"),
        form=_rows_in(body, "form"),
    )


def _auth_in(data: dict[str, Any], default: AuthKind) -> Auth:
    raw = data.get("auth")
    if raw is None:
        return Auth(kind=default)
    item = _mapping(raw, "'auth'")
    kind_text = _str(item, "type", default.value)
    try:
        kind = AuthKind(kind_text)
    except ValueError:
        known = ", ".join(k.value for k in AuthKind)
        raise _BadShape(f"unknown auth type '{kind_text}' (expected {known})") from None
    key_in = _str(item, "key_in", "header")
    if key_in not in ("header", "query"):
        raise _BadShape("'key_in' must be header or query")
    grant = _str(item, "grant", "client_credentials")
    if grant not in OAUTH2_GRANTS:
        raise _BadShape(f"unknown OAuth 2.0 grant '{grant}' (expected {', '.join(OAUTH2_GRANTS)})")
    secret_fields = [str(f) for f in _list(item, "secret_fields")]
    unknown = set(secret_fields) - set(CREDENTIAL_FIELDS)
    if unknown:
        raise _BadShape(f"'secret_fields' names unknown fields: {', '.join(sorted(unknown))}")
    return Auth(
        kind=kind,
        username=_str(item, "username"),
        password=_str(item, "password"),
        token=_str(item, "token"),
        key_name=_str(item, "key_name"),
        key_value=_str(item, "key_value"),
        key_in=key_in,
        grant=grant,
        token_url=_str(item, "token_url"),
        auth_url=_str(item, "auth_url"),
        client_id=_str(item, "client_id"),
        client_secret=_str(item, "client_secret"),
        scope=_str(item, "scope"),
        access_key=_str(item, "access_key"),
        secret_key=_str(item, "secret_key"),
        session_token=_str(item, "session_token"),
        region=_str(item, "region"),
        service=_str(item, "service"),
        stored_secrets=secret_fields,
    )


def _settings_in(data: dict[str, Any]) -> Settings:
    raw = data.get("settings")
    if raw is None:
        return Settings()
    item = _mapping(raw, "'settings'")
    out = Settings()
    for f in fields(Settings):
        if f.name not in item or item[f.name] is None:
            continue
        value = item[f.name]
        expected = type(getattr(DEFAULT_SETTINGS, f.name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not expected:
            raise _BadShape(f"setting '{f.name}' must be {expected.__name__}")
        setattr(out, f.name, value)
    return out


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        data = yamlio.load(text)
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise _BadShape(f"not valid YAML{where}: {problem}") from None
    return _mapping(data, path.name)


def request_from_yaml(text: str, path: Path | None = None) -> Request:
    """Parse one request file; raises ``ValueError`` with a reason if it is malformed."""
    return _request_from_data(_parse(path or Path("request"), text), path)


def _request_from_data(data: dict[str, Any], path: Path | None) -> Request:
    name = _str(data, "name")
    if not name:
        raise _BadShape("the request has no 'name'")
    return Request(
        name=name,
        method=_str(data, "method", "GET").upper() or "GET",
        url=_str(data, "url"),
        params=_rows_in(data, "params"),
        headers=_rows_in(data, "headers"),
        body=_body_in(data),
        notes=_str(data, "notes"),
        auth=_auth_in(data, AuthKind.INHERIT),
        settings=_settings_in(data),
        disabled_inherited_headers=[str(h) for h in _list(data, "disabled_inherited_headers")],
        path=path,
    )


def _read_text(path: Path) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# ----------------------------------------------------------------- loading


def load_collection(path: Path, *, use_cache: bool = True) -> Collection:
    """Read a collection directory.  Unreadable files become ``collection.problems``.

    ``use_cache``: reuse what unchanged request files parsed to last time
    (``app.core.parse_cache``), which makes reopening a big collection fast.
    """
    path = Path(path)
    meta_path = path / COLLECTION_FILE
    if not path.is_dir() or not meta_path.is_file():
        raise CollectionNotFound(
            f"{path} is not a Courier collection: it has no {COLLECTION_FILE}.",
            detail=str(meta_path),
        )
    try:
        data = _parse(meta_path, _read_text(meta_path))
        version = data.get("courier", FORMAT_VERSION)
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise StorageError(
                f"{meta_path} was written by a newer Courier (format {version}); "
                "update Courier to open it."
            )
        collection = Collection(
            name=_str(data, "name") or path.name,
            base_url=_str(data, "base_url"),
            headers=_rows_in(data, "headers"),
            variables=_variables_in(data),
            notes=_str(data, "notes"),
            auth=_auth_in(data, AuthKind.NONE),
            settings=_settings_in(data),
            path=path,
        )
        if data.get("id"):
            collection.id = _str(data, "id")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StorageError(f"Could not read {meta_path}: {_reason(exc)}", detail=repr(exc)) from exc
    problems = collection.problems
    cache = ParseCache(path) if use_cache else None
    folders, requests = _load_children(path, problems, cache, top_level=True)
    if cache is not None:
        cache.save()
    collection.folders = folders
    collection.requests = requests
    collection.environments = _load_environments(path / ENVIRONMENTS_DIR, problems)
    return collection


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    return str(exc)


def _load_children(
    directory: Path, problems: list[LoadProblem], cache: ParseCache | None, *, top_level: bool
) -> tuple[list[Folder], list[Request]]:
    folders: list[Folder] = []
    requests: list[Request] = []
    try:
        entries = list(os.scandir(directory))
    except OSError as exc:
        problems.append(LoadProblem(directory, _reason(exc)))
        return folders, requests
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if name.endswith(REQUEST_SUFFIX):
            file_path = Path(entry.path)
            try:
                requests.append(_load_request(entry, file_path, cache))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                problems.append(LoadProblem(file_path, _reason(exc)))
        elif entry.is_dir(follow_symlinks=False):
            if top_level and name == ENVIRONMENTS_DIR:
                continue
            folder = _load_folder(Path(entry.path), problems, cache)
            if folder is not None:
                folders.append(folder)
    folders.sort(key=lambda f: natural_key(f.name))
    requests.sort(key=lambda r: natural_key(r.name))
    return folders, requests


def _load_request(entry: os.DirEntry[str], file_path: Path, cache: ParseCache | None) -> Request:
    if cache is None:
        return request_from_yaml(_read_text(file_path), file_path)
    stat = entry.stat()
    data = cache.get(entry.path, stat)
    if isinstance(data, dict):
        return _request_from_data(data, file_path)
    data = _parse(file_path, _read_text(file_path))
    request = _request_from_data(data, file_path)  # only valid files are cached
    cache.put(entry.path, stat, data)
    return request


def _load_folder(
    directory: Path, problems: list[LoadProblem], cache: ParseCache | None
) -> Folder | None:
    folder = Folder(name=directory.name, path=directory)
    meta = directory / FOLDER_FILE
    if meta.is_file():
        try:
            data = _parse(meta, _read_text(meta))
            folder.name = _str(data, "name") or directory.name
            folder.headers = _rows_in(data, "headers")
            folder.variables = _variables_in(data)
            folder.notes = _str(data, "notes")
            folder.auth = _auth_in(data, AuthKind.INHERIT)
            folder.settings = _settings_in(data)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            # The folder's own settings are unreadable: report it, still show its requests.
            problems.append(LoadProblem(meta, _reason(exc)))
    folder.folders, folder.requests = _load_children(directory, problems, cache, top_level=False)
    return folder


def _load_environments(directory: Path, problems: list[LoadProblem]) -> list[Environment]:
    environments: list[Environment] = []
    if not directory.is_dir():
        return environments
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if not entry.name.endswith(".yaml") or entry.name.startswith("."):
            continue
        file_path = Path(entry.path)
        try:
            data = _parse(file_path, _read_text(file_path))
            environments.append(
                Environment(
                    name=_str(data, "name") or file_path.stem,
                    variables=_variables_in(data),
                    path=file_path,
                )
            )
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(LoadProblem(file_path, _reason(exc)))
    environments.sort(key=lambda e: natural_key(e.name))
    return environments


# ----------------------------------------------------------------- writing


def _write(path: Path, text: str) -> None:
    try:
        yamlio.atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise StorageError(
            f"Could not save {path}: {_reason(exc)}. The file on disk was left as it was.",
            detail=repr(exc),
        ) from exc


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=False)
    except OSError as exc:
        raise StorageError(f"Could not create the folder {path}: {_reason(exc)}") from exc


def _root(collection: Collection) -> Path:
    if collection.path is None:
        raise StorageError(f"The collection '{collection.name}' has no folder on disk.")
    return collection.path


def _dir_of(collection: Collection, folder: Folder | None) -> Path:
    if folder is None:
        return _root(collection)
    if folder.path is None:
        raise StorageError(f"The folder '{folder.name}' has no directory on disk.")
    return folder.path


def _taken_names(directory: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(directory)}
    except OSError:
        return set()


def _request_path(directory: Path, name: str, keep: Path | None = None) -> Path:
    taken = {
        n[: -len(REQUEST_SUFFIX)] for n in _taken_names(directory) if n.endswith(REQUEST_SUFFIX)
    }
    if keep is not None and keep.name.endswith(REQUEST_SUFFIX):
        taken.discard(keep.name[: -len(REQUEST_SUFFIX)])
    return directory / (unique_slug(slugify(name), taken) + REQUEST_SUFFIX)


def _folder_dir(parent: Path, name: str, *, top_level: bool) -> Path:
    taken = _taken_names(parent)
    if top_level:
        taken.add(ENVIRONMENTS_DIR)
    return parent / unique_slug(slugify(name), taken)


def create_collection(directory: Path, name: str) -> Collection:
    """A new, empty collection in ``directory`` (which must not exist or be empty)."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise StorageError(f"{directory} already exists and is not empty; choose another folder.")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Could not create {directory}: {_reason(exc)}") from exc
    collection = Collection(name=name, path=directory)
    save_collection_settings(collection)
    return collection


def save_collection_settings(collection: Collection) -> None:
    _write(_root(collection) / COLLECTION_FILE, _collection_to_yaml(collection))


def save_folder_settings(collection: Collection, folder: Folder) -> None:
    _write(_dir_of(collection, folder) / FOLDER_FILE, _folder_to_yaml(folder))


def save_request(collection: Collection, request: Request) -> None:
    """Rewrite exactly this request's file."""
    if request.path is None:
        raise StorageError(f"The request '{request.name}' has no file yet; add it first.")
    _write(request.path, request_to_yaml(request))


def add_request(collection: Collection, parent: Folder | None, request: Request) -> Request:
    directory = _dir_of(collection, parent)
    request.path = _request_path(directory, request.name)
    save_request(collection, request)
    (parent.requests if parent is not None else collection.requests).append(request)
    return request


def add_folder(collection: Collection, parent: Folder | None, name: str) -> Folder:
    parent_dir = _dir_of(collection, parent)
    folder = Folder(name=name, path=_folder_dir(parent_dir, name, top_level=parent is None))
    _mkdir(folder.path)  # type: ignore[arg-type]
    save_folder_settings(collection, folder)
    (parent.folders if parent is not None else collection.folders).append(folder)
    return folder


def parent_folder(collection: Collection, item: Request | Folder) -> Folder | None:
    """The folder directly containing ``item`` (None: the collection's top level)."""
    if any(r is item for r in collection.requests) or any(f is item for f in collection.folders):
        return None
    for folder in _walk_folders(collection.folders):
        if any(r is item for r in folder.requests) or any(f is item for f in folder.folders):
            return folder
    raise StorageError(f"'{item.name}' is not part of the collection '{collection.name}'.")


def _walk_folders(folders: list[Folder]) -> Iterator[Folder]:
    for folder in folders:
        yield folder
        yield from _walk_folders(folder.folders)


def rename_request(collection: Collection, request: Request, new_name: str) -> None:
    """Rename a request: its file is renamed to the new slug, then rewritten."""
    old_path = request.path
    if old_path is None:
        raise StorageError(f"The request '{request.name}' has no file yet.")
    new_path = _request_path(old_path.parent, new_name, keep=old_path)
    old_name = request.name
    request.name = new_name
    try:
        _write(new_path, request_to_yaml(request))
    except StorageError:
        request.name = old_name
        raise
    if new_path != old_path:
        try:
            old_path.unlink()
        except OSError as exc:
            raise StorageError(f"Renamed, but could not remove {old_path}: {_reason(exc)}") from exc
    request.path = new_path


def rename_folder(collection: Collection, folder: Folder, new_name: str) -> None:
    """Rename a folder: its directory moves to the new slug and every path below follows."""
    old_dir = _dir_of(collection, folder)
    top_level = any(f is folder for f in collection.folders)
    taken = _taken_names(old_dir.parent) - {old_dir.name}
    if top_level:
        taken.add(ENVIRONMENTS_DIR)
    new_dir = old_dir.parent / unique_slug(slugify(new_name), taken)
    old_name = folder.name
    folder.name = new_name
    try:
        save_folder_settings(collection, folder)
    except StorageError:
        folder.name = old_name
        raise
    if new_dir != old_dir:
        try:
            os.rename(old_dir, new_dir)
        except OSError as exc:
            raise StorageError(f"Could not rename {old_dir}: {_reason(exc)}") from exc
        _rebase(folder, old_dir, new_dir)


def _rebase(folder: Folder, old: Path, new: Path) -> None:
    def moved(path: Path | None) -> Path | None:
        if path is None:
            return None
        return new / path.relative_to(old)

    folder.path = moved(folder.path)
    for request in folder.requests:
        request.path = moved(request.path)
    for sub in folder.folders:
        _rebase(sub, old, new)


def _inside(collection: Collection, path: Path) -> None:
    root = _root(collection).resolve()
    if root != path.resolve() and root not in path.resolve().parents:
        raise StorageError(f"{path} is outside the collection folder; Courier will not delete it.")


def delete_request(collection: Collection, request: Request) -> None:
    parent = parent_folder(collection, request)
    if request.path is not None:
        _inside(collection, request.path)
        try:
            request.path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not delete {request.path}: {_reason(exc)}") from exc
    siblings = parent.requests if parent is not None else collection.requests
    siblings[:] = [r for r in siblings if r is not request]


def delete_folder(collection: Collection, folder: Folder) -> None:
    parent = parent_folder(collection, folder)
    directory = _dir_of(collection, folder)
    _inside(collection, directory)
    if directory.resolve() == _root(collection).resolve():
        raise StorageError("Courier will not delete the collection folder itself.")
    try:
        shutil.rmtree(directory)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StorageError(f"Could not delete {directory}: {_reason(exc)}") from exc
    siblings = parent.folders if parent is not None else collection.folders
    siblings[:] = [f for f in siblings if f is not folder]


T = TypeVar("T", Request, Folder)


def _insert_after(siblings: list[T], original: T, item: T) -> None:
    for i, existing in enumerate(siblings):
        if existing is original:
            siblings.insert(i + 1, item)
            return
    siblings.append(item)


def duplicate_request(collection: Collection, request: Request) -> Request:
    parent = parent_folder(collection, request)
    directory = _dir_of(collection, parent)
    twin = copy.deepcopy(request)
    twin.name = f"{request.name} copy"
    twin.path = _request_path(directory, twin.name)
    save_request(collection, twin)
    _insert_after(parent.requests if parent else collection.requests, request, twin)
    return twin


def duplicate_folder(collection: Collection, folder: Folder) -> Folder:
    parent = parent_folder(collection, folder)
    parent_dir = _dir_of(collection, parent)
    twin = copy.deepcopy(folder)
    twin.name = f"{folder.name} copy"
    _write_tree(collection, twin, parent_dir, top_level=parent is None)
    _insert_after(parent.folders if parent else collection.folders, folder, twin)
    return twin


def _write_tree(
    collection: Collection, folder: Folder, parent_dir: Path, *, top_level: bool
) -> None:
    folder.path = _folder_dir(parent_dir, folder.name, top_level=top_level)
    _mkdir(folder.path)
    save_folder_settings(collection, folder)
    for request in folder.requests:
        request.path = _request_path(folder.path, request.name)
        save_request(collection, request)
    for sub in folder.folders:
        _write_tree(collection, sub, folder.path, top_level=False)


# ------------------------------------------------------------ environments


def add_environment(collection: Collection, name: str) -> Environment:
    directory = _root(collection) / ENVIRONMENTS_DIR
    try:
        directory.mkdir(exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Could not create {directory}: {_reason(exc)}") from exc
    taken = {n[:-5] for n in _taken_names(directory) if n.endswith(".yaml")}
    environment = Environment(
        name=name, path=directory / (unique_slug(slugify(name), taken) + ".yaml")
    )
    save_environment(collection, environment)
    collection.environments.append(environment)
    return environment


def save_environment(collection: Collection, environment: Environment) -> None:
    if environment.path is None:
        raise StorageError(f"The environment '{environment.name}' has no file yet.")
    _write(environment.path, _environment_to_yaml(environment))


def delete_environment(collection: Collection, environment: Environment) -> None:
    if environment.path is not None:
        _inside(collection, environment.path)
        try:
            environment.path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not delete {environment.path}: {_reason(exc)}") from exc
    collection.environments = [e for e in collection.environments if e is not environment]
