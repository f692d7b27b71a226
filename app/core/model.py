"""Courier's data model: plain dataclasses, no Qt, no httpx.

Everything the user edits is one of these.  Storage turns them into YAML files
(``app.core.storage``), the engine sends the ``ResolvedRequest`` that
``app.core.inherit`` derives from them, and the UI edits copies of them through
``to_model()`` / ``load_model()``.

Runtime-only fields (``path``) are never written to disk; they tell storage
where an object lives so that saving one request rewrites exactly one file.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from app.core.proxy_url import masked
from app.core.resolved import DEFAULT_BODY_CAP_MB

#: Methods offered in the method dropdown.  Any other token is allowed too.
COMMON_METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(slots=True)
class KeyValue:
    """One row of a params / headers / form table: order and duplicates matter."""

    name: str
    value: str = ""
    enabled: bool = True


@dataclass(slots=True)
class Variable:
    """A ``{{name}}`` value defined by a collection, folder, environment or request.

    ``secret`` variables keep only their name on disk (the value lives in the
    OS keychain, see issue #3); ``value`` is then the in-memory value.
    """

    name: str
    value: str = ""
    enabled: bool = True
    secret: bool = False

    def __repr__(self) -> str:  # a secret's value never shows in logs or tracebacks
        value = "'••••'" if self.secret and self.value else repr(self.value)
        return f"Variable(name={self.name!r}, value={value}, secret={self.secret})"


class BodyKind(enum.StrEnum):
    NONE = "none"
    RAW = "raw"
    JSON = "json"
    FORM = "form"
    #: a file sent as it is on disk (streamed, never read whole into memory)
    FILE = "file"
    #: multipart/form-data: text parts and file parts
    MULTIPART = "multipart"


class PartKind(enum.StrEnum):
    TEXT = "text"
    FILE = "file"


@dataclass(slots=True)
class FormPart:
    """One part of a multipart body.

    ``value`` is the text of a TEXT part, the file's path for a FILE part (as
    typed: relative paths are relative to the request file's folder, ``~`` is
    the home folder, ``{{variables}}`` are allowed).  ``file_name`` defaults to
    the file's base name; ``content_type`` to none for text, and for a file to
    the type its extension suggests.
    """

    name: str
    value: str = ""
    kind: PartKind = PartKind.TEXT
    content_type: str = ""
    file_name: str = ""
    enabled: bool = True


@dataclass(slots=True)
class Body:
    """A request body.

    ``text`` is used by RAW and JSON, ``content_type`` by RAW and FILE (JSON
    implies ``application/json``; a file's default comes from its extension),
    ``form`` by FORM (sent as ``application/x-www-form-urlencoded``), ``path``
    by FILE (a path as typed, like a file part's), ``parts`` by MULTIPART.
    """

    kind: BodyKind = BodyKind.NONE
    text: str = ""
    content_type: str = ""
    form: list[KeyValue] = field(default_factory=list)
    path: str = ""
    parts: list[FormPart] = field(default_factory=list)


class AuthKind(enum.StrEnum):
    #: use what the folder chain / collection says (the default for requests and folders)
    INHERIT = "inherit"
    NONE = "none"
    BASIC = "basic"
    BEARER = "bearer"
    API_KEY = "apikey"
    DIGEST = "digest"
    OAUTH2 = "oauth2"
    AWS_SIGV4 = "aws-sigv4"


#: OAuth 2.0 grant types Courier can run
OAUTH2_GRANTS: tuple[str, ...] = (
    "client_credentials",
    "password",
    "authorization_code",
)


#: Auth fields that hold credentials: secret by default (kept in the OS keychain)
CREDENTIAL_FIELDS: tuple[str, ...] = (
    "password",
    "token",
    "key_value",
    "client_secret",
    "secret_key",
    "session_token",
)


@dataclass(slots=True)
class Auth:
    """How a request proves who it is.  Fields may use ``{{variables}}``.

    Credential fields (``CREDENTIAL_FIELDS``) never reach collection files as
    literal values: a ``{{variable}}`` reference is written as is, anything else
    goes to the keychain (``app.services.secrets``) and the file says ``secret``.
    """

    kind: AuthKind = AuthKind.INHERIT
    username: str = ""
    password: str = ""
    token: str = ""
    #: API key: the header or query parameter name, its value, and where it goes
    key_name: str = ""
    key_value: str = ""
    key_in: str = "header"  # "header" or "query"
    #: OAuth 2.0 (username/password above serve the password grant)
    grant: str = "client_credentials"
    token_url: str = ""
    auth_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scope: str = ""
    #: AWS Signature v4
    access_key: str = ""
    secret_key: str = ""
    session_token: str = ""
    region: str = ""
    service: str = ""

    def __repr__(self) -> str:  # credentials never show in logs or tracebacks
        return f"Auth(kind={self.kind.value!r}, ...)"

    #: credential fields whose values are in the keychain (from the file's ``secret_fields``);
    #: kept so a session without a keychain does not forget them on save
    stored_secrets: list[str] = field(default_factory=list, compare=False)


@dataclass(slots=True)
class Settings:
    """Request options; ``None`` means "inherit from the folder chain / collection".

    The field order is the key order in files (new keys go where they read best;
    a file never shows a key that is None).
    """

    #: how long any one step (connect, each read, each write) may stall, in seconds
    timeout_s: float | None = None
    #: how long the whole exchange may take, connect to last body byte, in seconds:
    #: a server trickling bytes cannot stretch it (0 = no deadline)
    deadline_s: float | None = None
    follow_redirects: bool | None = None
    max_redirects: int | None = None
    verify_tls: bool | None = None
    #: PEM file of CA certificates to trust in addition to none ("" = system store)
    ca_bundle: str | None = None
    http2: bool | None = None
    #: client certificate for mutual TLS: a PEM file (with the key, or key in client_key)
    client_cert: str | None = None
    client_key: str | None = None
    #: e.g. http://proxy:3128 or socks5://127.0.0.1:1080 ("" = no proxy, None = inherit)
    proxy: str | None = None
    #: neither send nor store cookies
    no_cookies: bool | None = None
    #: the response body kept (memory, then a temp file) may be at most this many MiB
    max_body_mb: int | None = None

    def __repr__(self) -> str:  # a proxy URL may carry a password (a keychain secret)
        shown = (
            f"{f.name}={masked(value)!r}" if f.name == "proxy" else f"{f.name}={value!r}"
            for f in fields(self)
            if (value := getattr(self, f.name)) is not None
        )
        return f"Settings({', '.join(shown)})"


DEFAULT_SETTINGS = Settings(
    timeout_s=30.0,
    deadline_s=0.0,
    follow_redirects=True,
    max_redirects=20,
    verify_tls=True,
    ca_bundle="",
    client_cert="",
    client_key="",
    http2=True,
    proxy="",
    no_cookies=False,
    max_body_mb=DEFAULT_BODY_CAP_MB,
)


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a file was when Courier last read or wrote it (runtime only).

    ``mtime_ns`` and ``size`` come from ``stat`` (like git's index); ``sha256``
    is the digest of the bytes read, or None when the file's content was not
    read (its parse came from the cache).  A save compares the file on disk with
    this stamp and refuses to overwrite a file changed since
    (``app.core.errors.FileChangedOnDisk``).
    """

    mtime_ns: int
    size: int
    sha256: str | None = None


@dataclass(slots=True)
class Request:
    name: str
    method: str = "GET"
    url: str = ""
    params: list[KeyValue] = field(default_factory=list)
    headers: list[KeyValue] = field(default_factory=list)
    body: Body = field(default_factory=Body)
    notes: str = ""
    auth: Auth = field(default_factory=Auth)
    settings: Settings = field(default_factory=Settings)
    #: names of inherited headers switched off for this request (case-insensitive)
    disabled_inherited_headers: list[str] = field(default_factory=list)
    #: runtime only: the ``*.request.yaml`` file this request was loaded from / saved to
    path: Path | None = field(default=None, compare=False, repr=False)
    #: runtime only: that file as last read or written
    disk: FileStamp | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Folder:
    name: str
    headers: list[KeyValue] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    notes: str = ""
    auth: Auth = field(default_factory=Auth)
    settings: Settings = field(default_factory=Settings)
    folders: list[Folder] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    #: the entry names of its directory (``users``, ``login.request.yaml``) in the order
    #: the user gave them: ``order:`` in folder.yaml; None when the file names none
    #: (natural order).  Kept in step by storage (``app.core.ordering``).
    order: list[str] | None = field(default=None, compare=False, repr=False)
    #: runtime only: the directory of this folder
    path: Path | None = field(default=None, compare=False, repr=False)
    #: runtime only: its folder.yaml as last read or written (None: no such file)
    disk: FileStamp | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Environment:
    name: str
    variables: list[Variable] = field(default_factory=list)
    #: runtime only: ``environments/<slug>.yaml``
    path: Path | None = field(default=None, compare=False, repr=False)
    #: runtime only: that file as last read or written
    disk: FileStamp | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class LoadProblem:
    """A file of a collection that could not be read; it is left untouched on disk."""

    path: Path
    reason: str


@dataclass(slots=True)
class Collection:
    """A collection is a directory: ``collection.yaml`` plus folders and request files.

    ``id`` is stable for the life of the collection (it keys the client pool,
    the cookie jar and keychain entries); it is written to collection.yaml.  A
    copy of the folder (cp -r, a second git worktree) carries the same id: the
    session gives the copy its own when both are open (``Session.load_collection``).
    """

    name: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    base_url: str = ""
    headers: list[KeyValue] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    notes: str = ""
    #: the collection's auth configures its client; requests and folders inherit it
    auth: Auth = field(default_factory=lambda: Auth(kind=AuthKind.NONE))
    settings: Settings = field(default_factory=Settings)
    folders: list[Folder] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    #: the top level's entry order, ``order:`` in collection.yaml (see ``Folder.order``)
    order: list[str] | None = field(default=None, compare=False, repr=False)
    #: runtime only: the collection directory
    path: Path | None = field(default=None, compare=False, repr=False)
    #: runtime only: its collection.yaml as last read or written
    disk: FileStamp | None = field(default=None, compare=False, repr=False)
    #: runtime only: files that failed to load (reported, never overwritten)
    problems: list[LoadProblem] = field(default_factory=list, compare=False, repr=False)
    #: runtime only: False when collection.yaml named no id (``id`` was derived from the
    #: folder, ``codec.path_id``, and the session writes it into the file)
    id_in_file: bool = field(default=True, compare=False, repr=False)
    #: runtime only: another tool's collection opened in place (the format's name,
    #: "posting", "bruno"): read and sent as it is, never written; "" for Courier's own
    foreign: str = field(default="", compare=False, repr=False)

    def iter_requests(self) -> Iterator[tuple[tuple[Folder, ...], Request]]:
        """Every request with its folder chain (outermost first)."""
        for request in self.requests:
            yield (), request
        for folder in self.folders:
            yield from _iter_folder(folder, ())

    def folder_chain(self, request: Request) -> tuple[Folder, ...] | None:
        """The folders containing ``request`` (outermost first), or None if absent."""
        for chain, candidate in self.iter_requests():
            if candidate is request:
                return chain
        return None


def _iter_folder(
    folder: Folder, parents: tuple[Folder, ...]
) -> Iterator[tuple[tuple[Folder, ...], Request]]:
    chain = (*parents, folder)
    for request in folder.requests:
        yield chain, request
    for sub in folder.folders:
        yield from _iter_folder(sub, chain)
