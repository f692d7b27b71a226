"""Courier's file format: model objects <-> the plain data of its YAML files.

Writers put keys in a fixed order and leave defaults out, so a load followed by a
save is byte-identical; secret values never appear (a credential typed as a
literal is listed in ``secret_fields`` and kept in the keychain by the services).
Readers check the shape of what they get and raise ``BadShape`` (a
``ValueError``) with a reason a user can act on.  ``app.core.storage`` does the
files; this module only converts.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.core import proxy_url, yamlio
from app.core.errors import StorageError
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
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Settings,
    Variable,
)
from app.core.setting_ranges import SETTING_RANGES
from app.core.unknown_secret import is_unknown, unknown

FORMAT_VERSION = 1

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


class BadShape(ValueError):
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
        elif var.value and not is_unknown(var.value):  # an unread secret has no text to write
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
    if body.path:
        item["path"] = body.path
    if body.parts:
        item["parts"] = _parts_out(body.parts)
    return item


def _parts_out(parts: list[FormPart]) -> list[dict[str, Any]]:
    """Multipart rows: a text part says ``value``, a file part ``type: file`` and ``path``."""
    out: list[dict[str, Any]] = []
    for part in parts:
        item: dict[str, Any] = {"name": part.name}
        if part.kind is PartKind.FILE:
            item["type"] = part.kind.value
            if part.value:
                item["path"] = part.value
        elif part.value:
            item["value"] = part.value
        if part.file_name:
            item["file_name"] = part.file_name
        if part.content_type:
            item["content_type"] = part.content_type
        if not part.enabled:
            item["enabled"] = False
        out.append(item)
    return out


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
    item: dict[str, Any] = {f.name: getattr(settings, f.name) for f in fields(Settings)}
    item = {k: v for k, v in item.items() if v is not None}
    secret = proxy_url.password(settings.proxy)
    if secret and not is_reference(secret):
        # the password lives in the keychain, like an auth credential's
        item["proxy"] = proxy_url.without_password(item["proxy"])
        item["secret_fields"] = ["proxy"]
    return item or None


def _shared_out(data: dict[str, Any], auth: Auth, default: AuthKind, settings: Settings) -> None:
    auth_item = _auth_out(auth, default)
    if auth_item is not None:
        data["auth"] = auth_item
    settings_item = _settings_out(settings)
    if settings_item is not None:
        data["settings"] = settings_item


def request_to_yaml(request: Request) -> str:
    return yamlio.dump(request_to_data(request))


def request_to_data(request: Request) -> dict[str, Any]:
    """A request as its file's plain data (what ``request_to_yaml`` writes)."""
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
    return data


def _container_out(data: dict[str, Any], item: Collection | Folder, default: AuthKind) -> None:
    """What collections and folders share, in file order: headers, variables, auth,
    settings, notes, then the order of their entries (last: a long list reads best there)."""
    if item.headers:
        data["headers"] = _rows_out(item.headers)
    if item.variables:
        data["variables"] = _variables_out(item.variables)
    _shared_out(data, item.auth, default, item.settings)
    if item.notes:
        data["notes"] = item.notes
    if item.order is not None:
        data["order"] = list(item.order)


def collection_to_yaml(collection: Collection) -> str:
    return yamlio.dump(collection_to_data(collection))


def collection_to_data(collection: Collection) -> dict[str, Any]:
    data: dict[str, Any] = {
        "courier": FORMAT_VERSION,
        "id": collection.id,
        "name": collection.name,
    }
    if collection.base_url:
        data["base_url"] = collection.base_url
    _container_out(data, collection, AuthKind.NONE)
    return data


def folder_to_yaml(folder: Folder) -> str:
    return yamlio.dump(folder_to_data(folder))


def folder_to_data(folder: Folder) -> dict[str, Any]:
    data: dict[str, Any] = {"name": folder.name}
    _container_out(data, folder, AuthKind.INHERIT)
    return data


def environment_to_yaml(environment: Environment) -> str:
    return yamlio.dump(environment_to_data(environment))


def environment_to_data(environment: Environment) -> dict[str, Any]:
    data: dict[str, Any] = {"name": environment.name}
    if environment.variables:
        data["variables"] = _variables_out(environment.variables)
    return data


# ------------------------------------------------------------- from YAML


def _shown(value: Any) -> str:
    """A value as a message shows it: short, and in YAML's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _mapping(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadShape(f"expected a mapping for {what}, found {_shown(data)}")
    return data


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if type(value) is str:  # the common case, first
        return value
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadShape(f"'{key}' must be text, not {_shown(value)}")
    return str(value)  # ``port: 8080`` means the text 8080


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise BadShape(f"'{key}' must be true or false, not {_shown(value)}")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadShape(f"'{key}' must be a list, not {_shown(value)}")
    return value


def _texts(data: dict[str, Any], key: str) -> list[str]:
    """A list of names: each item text (or a number, meaning its text)."""
    out = []
    for item in _list(data, key):
        if type(item) is str:
            out.append(item)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append(str(item))
        else:
            raise BadShape(f"'{key}' must be a list of names, not a list holding {_shown(item)}")
    return out


def _order_in(data: dict[str, Any]) -> list[str] | None:
    """``order:``, the entry names in the user's order (None: the file names none)."""
    return _texts(data, "order") if "order" in data else None


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
        known = ", ".join(k.value for k in BodyKind)
        raise BadShape(f"unknown body type '{kind_text}' (expected {known})") from None
    return Body(
        kind=kind,
        text=_str(body, "text"),
        content_type=_str(body, "content_type"),
        form=_rows_in(body, "form"),
        path=_str(body, "path"),
        parts=_parts_in(body),
    )


def _parts_in(body: dict[str, Any]) -> list[FormPart]:
    parts = []
    for number, item in enumerate(_list(body, "parts"), 1):
        row = _mapping(item, f"part {number} of 'parts'")
        kind_text = _str(row, "type", PartKind.TEXT.value)
        try:
            kind = PartKind(kind_text)
        except ValueError:
            raise BadShape(
                f"part {number} of 'parts' has the unknown 'type' '{kind_text}' "
                "(expected text or file)"
            ) from None
        if kind is PartKind.FILE and "value" in row:
            raise BadShape(
                f"part {number} of 'parts' is a file part: name its file with 'path', not 'value'"
            )
        if kind is PartKind.TEXT and "path" in row:
            raise BadShape(
                f"part {number} of 'parts' has a 'path' but is a text part: add 'type: file'"
            )
        parts.append(
            FormPart(
                name=_str(row, "name"),
                value=_str(row, "path" if kind is PartKind.FILE else "value"),
                kind=kind,
                content_type=_str(row, "content_type"),
                file_name=_str(row, "file_name"),
                enabled=_bool(row, "enabled", True),
            )
        )
    return parts


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
        raise BadShape(f"unknown auth type '{kind_text}' (expected {known})") from None
    key_in = _str(item, "key_in", "header")
    if key_in not in ("header", "query"):
        raise BadShape("'key_in' must be header or query")
    grant = _str(item, "grant", "client_credentials")
    if grant not in OAUTH2_GRANTS:
        raise BadShape(f"unknown OAuth 2.0 grant '{grant}' (expected {', '.join(OAUTH2_GRANTS)})")
    secret_fields = _texts(item, "secret_fields")
    unknown = set(secret_fields) - set(CREDENTIAL_FIELDS)
    if unknown:
        raise BadShape(f"'secret_fields' names unknown fields: {', '.join(sorted(unknown))}")
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
        value = item.get(f.name)
        if value is not None:
            setattr(out, f.name, _setting(f.name, value))
    secret_fields = _texts(item, "secret_fields")
    if set(secret_fields) - {"proxy"}:
        raise BadShape("'secret_fields' of 'settings' may only name 'proxy'")
    if secret_fields and out.proxy:
        # its password is in the keychain: unknown until the session reads it
        out.proxy = proxy_url.with_password(out.proxy, unknown("proxy password"))
    return out


def _setting(name: str, value: Any) -> Any:
    """One setting's value, checked: its type, and numbers finite and in range."""
    expected = type(getattr(DEFAULT_SETTINGS, name))
    if expected is bool or expected is str:
        if type(value) is not expected:
            what = "true or false" if expected is bool else "text"
            raise BadShape(f"setting '{name}' must be {what}, not {_shown(value)}")
        return value
    limits = SETTING_RANGES[name]
    number = type(value) is int or (expected is float and type(value) is float)
    if not number or not math.isfinite(value) or not limits.low <= value <= limits.high:
        raise BadShape(f"setting '{name}' must be {limits.describe()}, not {_shown(value)}")
    return float(value) if expected is float else value


def parse_mapping(path: Path, text: str) -> dict[str, Any]:
    try:
        data = yamlio.load(text)
    except yamlio.TooComplex as exc:
        raise BadShape(f"Courier does not load this YAML: {exc}") from None
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BadShape(f"not valid YAML{where}: {problem}") from None
    return _mapping(data, path.name)


def request_from_yaml(text: str, path: Path | None = None) -> Request:
    """Parse one request file; raises ``ValueError`` with a reason if it is malformed."""
    return request_from_data(parse_mapping(path or Path("request"), text), path)


def request_from_data(data: dict[str, Any], path: Path | None) -> Request:
    name = _str(data, "name")
    if not name:
        raise BadShape("the request has no 'name'")
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
        disabled_inherited_headers=_texts(data, "disabled_inherited_headers"),
        path=path,
    )


def collection_from_data(data: dict[str, Any], path: Path) -> Collection:
    """The collection's own settings from collection.yaml (its folders load separately)."""
    version = data.get("courier", FORMAT_VERSION)
    if type(version) is not int or version < 1:
        raise StorageError(
            f"{path / 'collection.yaml'} has an unknown format version ({version!r}); "
            "'courier:' should be 1."
        )
    if version > FORMAT_VERSION:
        raise StorageError(
            f"{path / 'collection.yaml'} was written by a newer Courier (format {version}); "
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
        order=_order_in(data),
        path=path,
    )
    collection.id = _str(data, "id")
    if not collection.id:
        collection.id, collection.id_in_file = path_id(path), False
    return collection


def path_id(path: Path) -> str:
    """The id of a collection whose file names none: derived from its folder, so it
    stays the same from one opening to the next (a random one would orphan its
    keychain entries and cookie jar at each restart).  The session writes it into
    collection.yaml when it can; from then on the collection keeps it wherever it
    is moved."""
    try:
        where = path.resolve().as_uri()
    except (OSError, ValueError):
        where = str(path)
    return uuid.uuid5(uuid.NAMESPACE_URL, where).hex


def apply_folder_data(folder: Folder, data: dict[str, Any]) -> None:
    """A folder's settings from its folder.yaml: all of them, or none if one is malformed."""
    name = _str(data, "name") or folder.name
    headers = _rows_in(data, "headers")
    variables = _variables_in(data)
    notes = _str(data, "notes")
    auth = _auth_in(data, AuthKind.INHERIT)
    settings = _settings_in(data)
    order = _order_in(data)
    folder.name, folder.headers, folder.variables = name, headers, variables
    folder.notes, folder.auth, folder.settings = notes, auth, settings
    folder.order = order


def environment_from_data(data: dict[str, Any], path: Path) -> Environment:
    return Environment(
        name=_str(data, "name") or path.stem, variables=_variables_in(data), path=path
    )
