"""From what the user edited to what is sent: collection -> folders -> request.

``resolve`` merges a request with its folder chain, its collection and the
active environment, substitutes ``{{variables}}`` and encodes the body.  The
result is plain data in two parts:

- a ``ClientProfile`` for the collection's long-lived client: its base URL,
  shared headers and auth rendered from the collection and the active
  environment only (and static built-ins such as ``$demo``), never from folder
  variables, so every request of the collection finds the same client
  configuration and concurrent sends never reconfigure a client in use.  A
  value that would differ from one render to the next (a dynamic built-in such
  as ``$uuid``) or that is not fully resolved there stays out of the profile;
- the ``ResolvedRequest`` for this one send, carrying whatever differs for it:
  an absolute URL when its base URL differs from the profile's, a collection
  header whose value differs, and the collection's auth as its own
  (``AUTH_OWN``) when it renders differently for it.

Variable precedence, highest first: folder (nearest first), active
environment, collection, then built-ins (``$demo``, ``$uuid``...).
Expansion is bounded (``app.core.templating.Budget``): ``resolve`` raises
``ExpansionTooLarge`` rather than building gigabytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from app.core import proxy_url
from app.core.errors import ExpansionTooLarge
from app.core.model import (
    CREDENTIAL_FIELDS,
    DEFAULT_SETTINGS,
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    Request,
    Settings,
    Variable,
)
from app.core.resolved import (
    AUTH_FROM_CLIENT,
    AUTH_NONE,
    AUTH_OWN,
    DEFAULT_BODY_CAP_MB,
    MIB,
    SCRATCH_KEY,
    ClientProfile,
    ResolvedAuth,
    ResolvedRequest,
    TransportSettings,
    Upload,
)
from app.core.templating import DEMO_VARIABLE, DYNAMIC, Budget, Expander, Rendered
from app.core.uploads import resolve_upload

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
#: a URL that a client's base URL does not complete: ``scheme://...``
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


@dataclass(frozen=True, slots=True)
class Resolution:
    profile: ClientProfile
    request: ResolvedRequest
    #: variable names that had no value (left as ``{{name}}`` in what is sent), sorted;
    #: ``$demo`` is never among them while ``needs_demo`` is True
    unresolved: tuple[str, ...]
    #: the request uses ``{{$demo}}`` and no ``$demo`` built-in was given: the demo
    #: server is not running yet (the caller starts it and resolves again)
    needs_demo: bool = False


def _layers(
    collection: Collection | None, chain: tuple[Folder, ...], environment: Environment | None
) -> list[list[Variable]]:
    """Variable layers, lowest precedence first: collection, environment, folders."""
    layers = []
    if collection is not None:
        layers.append(collection.variables)
    if environment is not None:
        layers.append(environment.variables)
    layers.extend(folder.variables for folder in chain)  # outermost first, nearest last
    return layers


def _winners(layers: list[list[Variable]]) -> dict[str, Variable]:
    """Name -> the definition that wins (the last enabled one)."""
    out: dict[str, Variable] = {}
    for layer in layers:
        for var in layer:
            name = var.name.strip()
            if var.enabled and name:
                out[name] = var
    return out


def variable_values(
    collection: Collection | None,
    chain: tuple[Folder, ...],
    environment: Environment | None,
    builtins: Mapping[str, str],
) -> dict[str, str]:
    """All variables visible to a request, higher precedence overriding lower."""
    values: dict[str, str] = dict(builtins)
    for name, var in _winners(_layers(collection, chain, environment)).items():
        values[name] = var.value
    return values


def secret_names(
    collection: Collection | None, chain: tuple[Folder, ...], environment: Environment | None
) -> frozenset[str]:
    """Names whose winning definition (as in ``variable_values``) is a secret variable."""
    winners = _winners(_layers(collection, chain, environment))
    return frozenset(name for name, var in winners.items() if var.secret)


def lookup_variable(
    name: str,
    collection: Collection | None,
    chain: tuple[Folder, ...],
    environment: Environment | None,
    builtins: Mapping[str, str],
) -> tuple[str | None, bool]:
    """What ``{{name}}`` is for a request here: (value or None if undefined, is it secret).

    The values computed at each send (``$uuid``...) give ``""``.
    """
    var = _winners(_layers(collection, chain, environment)).get(name)
    if var is not None:
        return var.value, var.secret
    if name in builtins:
        return builtins[name], False
    if name in DYNAMIC:
        return "", False
    return None, False


def inherited_headers(
    collection: Collection, chain: tuple[Folder, ...]
) -> list[tuple[str, str, str]]:
    """The headers a request of ``chain`` inherits: (name, value, where from)."""
    rows: dict[str, tuple[str, str, str]] = {}
    layers = [(collection.headers, "collection"), *((f.headers, f.name) for f in chain)]
    for headers, source in layers:
        for header in headers:
            if header.enabled and header.name:
                rows[header.name.lower()] = (header.name, header.value, source)
    return list(rows.values())


class _Renderer:
    """Renders texts against one set of values (one ``Budget`` for the whole resolve).

    Notes the names left unresolved (for ``Resolution.unresolved``) and tells
    whether a rendered text used a secret variable, directly or through another.
    """

    def __init__(self, values: Mapping[str, str], secret: frozenset[str], budget: Budget) -> None:
        self.expander = Expander(values, budget)
        self.secret = secret
        self.unresolved: dict[str, None] = {}

    def item(self, text: str) -> Rendered:
        result = self.expander.render(text)
        for name in result.unresolved:
            self.unresolved[name] = None
        return result

    def __call__(self, text: str) -> str:
        return self.item(text).text

    def uses_secret(self, *results: Rendered) -> bool:
        return any(not self.secret.isdisjoint(result.used) for result in results)


def _stable(*results: Rendered) -> bool:
    """Fully resolved and the same on every render: fit for a client profile."""
    return not any(result.unresolved or result.dynamic for result in results)


def _enabled(rows: list[KeyValue]) -> list[KeyValue]:
    return [row for row in rows if row.enabled and row.name]


def merge_headers(layers: list[list[KeyValue]]) -> list[KeyValue]:
    """Later layers replace earlier headers of the same name (case-insensitive)."""
    merged: list[KeyValue] = []
    for layer in layers:
        names = {row.name.lower() for row in _enabled(layer)}
        merged = [row for row in merged if row.name.lower() not in names]
        merged.extend(_enabled(layer))
    return merged


def encode_query(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in params)


def join_query(url: str, query: str) -> str:
    if not query:
        return url
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    separator = "&" if "?" in url else "?"
    if url.endswith(("?", "&")):
        separator = ""
    return f"{url}{separator}{query}{fragment}"


def effective_settings(layers: list[Settings]) -> Settings:
    """Defaults, overridden by each layer in turn (collection first, request last)."""
    out = replace(DEFAULT_SETTINGS)
    for layer in layers:
        for f in fields(Settings):
            value = getattr(layer, f.name)
            if value is not None:
                setattr(out, f.name, value)
    return out


def effective_auth(
    request: Request, chain: tuple[Folder, ...], collection: Collection | None
) -> tuple[Auth, str]:
    """The auth that applies and where it comes from ("request", a folder name, "collection")."""
    if request.auth.kind is not AuthKind.INHERIT:
        return request.auth, "request"
    for folder in reversed(chain):
        if folder.auth.kind is not AuthKind.INHERIT:
            return folder.auth, folder.name
    if collection is not None and collection.auth.kind is not AuthKind.INHERIT:
        return collection.auth, "collection"
    return Auth(kind=AuthKind.NONE), "collection"


def _render_auth(auth: Auth, renderer: _Renderer) -> tuple[ResolvedAuth | None, bool]:
    """The auth with its variables substituted, and whether that is ``_stable``."""
    if auth.kind in (AuthKind.NONE, AuthKind.INHERIT):
        return None, True
    results: list[Rendered] = []

    def text(value: str) -> str:
        result = renderer.item(value)
        results.append(result)
        return result.text

    resolved = ResolvedAuth(
        kind=auth.kind.value,
        username=text(auth.username),
        password=text(auth.password),
        token=text(auth.token),
        key_name=text(auth.key_name),
        key_value=text(auth.key_value),
        key_in=auth.key_in,
        grant=auth.grant if auth.kind is AuthKind.OAUTH2 else "",
        token_url=text(auth.token_url),
        auth_url=text(auth.auth_url),
        client_id=text(auth.client_id),
        client_secret=text(auth.client_secret),
        scope=text(auth.scope),
        access_key=text(auth.access_key),
        secret_key=text(auth.secret_key),
        session_token=text(auth.session_token),
        region=text(auth.region),
        service=text(auth.service),
    )
    return resolved, _stable(*results)


def _credentials(auth: ResolvedAuth | None) -> set[str]:
    """The credential values of ``auth`` (non-empty ones)."""
    if auth is None:
        return set()
    return {value for name in CREDENTIAL_FIELDS if (value := getattr(auth, name))}


def _proxy_secrets(proxy: str) -> set[str]:
    """A proxy URL's password, as typed and decoded: masked out of messages like any secret."""
    secret = proxy_url.password(proxy)
    return {secret, unquote(secret)} if secret else set()


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def _agree_on_boundary(headers: list[tuple[str, str]], upload: Upload) -> Upload:
    """A Content-Type the user typed for a multipart body must name the boundary sent.

    ``multipart/form-data`` typed without one gets the body's boundary appended
    (servers cannot split the parts otherwise); one typed with a boundary is the
    boundary the body is then written with.  ``headers`` is updated in place.
    """
    for index, (name, value) in enumerate(headers):
        if name.lower() != "content-type" or not value.lower().startswith("multipart/"):
            continue
        if match := _BOUNDARY.search(value):
            return replace(upload, boundary=match.group(1))
        headers[index] = (name, f"{value.rstrip('; ')}; boundary={upload.boundary}")
    return upload


def _transport(settings: Settings, render_text: _Renderer) -> TransportSettings:
    return TransportSettings(
        http2=bool(settings.http2),
        verify=bool(settings.verify_tls),
        ca_bundle=render_text(settings.ca_bundle or ""),
        client_cert=render_text(settings.client_cert or ""),
        client_key=render_text(settings.client_key or ""),
        proxy=render_text(settings.proxy or ""),
    )


def _with_scheme(url: str, has_base: bool) -> str:
    if not url or has_base or url.startswith("/"):
        return url
    if "://" in url or urlsplit(url).scheme in {"http", "https"}:
        return url
    return "http://" + url


def _upload_base(request: Request, collection: Collection | None) -> Path | None:
    """What relative upload paths are relative to: the request file's folder (or the
    collection's, for a request not saved yet)."""
    if request.path is not None:
        return request.path.parent
    return collection.path if collection is not None else None


def _encode_body(body: Body, render_text: _Renderer) -> tuple[bytes | None, str]:
    if body.kind in (BodyKind.NONE, BodyKind.FILE, BodyKind.MULTIPART):
        return None, ""  # file bodies are streamed by the engine (``resolve_upload``)
    if body.kind is BodyKind.FORM:
        pairs = [(render_text(r.name), render_text(r.value)) for r in _enabled(body.form)]
        return encode_query(pairs).encode("utf-8"), FORM_CONTENT_TYPE
    text = render_text(body.text)
    if body.kind is BodyKind.JSON:
        return text.encode("utf-8"), JSON_CONTENT_TYPE
    return text.encode("utf-8"), render_text(body.content_type)


def join_base_url(base_url: str, url: str) -> str:
    """``url`` completed by ``base_url`` the way httpx's ``base_url`` does it.

    An absolute ``url`` (``scheme://...``) stays as it is; a relative one is
    appended to the base path, which gets a trailing slash first:
    ``https://h/v1`` + ``/items`` -> ``https://h/v1/items``.
    """
    if not base_url or _ABSOLUTE.match(url):
        return url
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + url.lstrip("/")


def resolve(
    request: Request,
    collection: Collection | None,
    environment: Environment | None = None,
    *,
    builtins: Mapping[str, str] | None = None,
    chain: tuple[Folder, ...] | None = None,
) -> Resolution:
    """The request as it will be sent, and the client configuration it is sent with.

    ``chain`` is the request's folder chain; by default it is looked up in the
    collection (a request being edited is a copy, so pass the chain of the
    stored request when you have it).  ``builtins`` are the static built-ins
    (``$demo`` once the demo server runs).  Raises ``ExpansionTooLarge`` when
    variables expand past ``templating.Budget`` (one budget for the whole request).
    """
    if chain is None:
        chain = collection.folder_chain(request) or () if collection is not None else ()
    statics = dict(builtins or {})
    budget = Budget()
    # everything this request sees, and what its collection's client sees
    render = _Renderer(
        variable_values(collection, chain, environment, statics),
        secret_names(collection, chain, environment),
        budget,
    )
    shared = _Renderer(
        variable_values(collection, (), environment, statics),
        secret_names(collection, (), environment),
        budget,
    )
    settings = effective_settings(
        [
            *([collection.settings] if collection else []),
            *(f.settings for f in chain),
            request.settings,
        ]
    )
    disabled = {name.lower() for name in request.disabled_inherited_headers}
    own_rows = merge_headers([f.headers for f in chain])
    own_rows = [h for h in own_rows if h.name.lower() not in disabled]
    own_rows = merge_headers([own_rows, request.headers])
    own_names = {h.name.lower() for h in own_rows}

    # the collection's base URL: on the client when it is the same for every request
    base_url = profile_base = ""
    if collection is not None and collection.base_url:
        shared_base = shared.item(collection.base_url)
        profile_base = shared_base.text if _stable(shared_base) else ""
        base_url = render(collection.base_url)

    # the collection's headers: on the client, or with this request where they differ
    shared_rows = _enabled(collection.headers) if collection is not None else []
    profile_headers: list[tuple[str, str]] = []
    profile_secret: set[str] = set()
    differing: list[tuple[str, str]] = []
    headers_secret: set[str] = set()
    drop_headers: list[str] = []
    for row in shared_rows:
        name, value = shared.item(row.name), shared.item(row.value)
        on_client = _stable(name, value)
        if on_client:
            profile_headers.append((name.text, value.text))
            if shared.uses_secret(name, value):
                profile_secret.add(name.text.lower())
        lower = row.name.lower()
        if lower in disabled:
            if on_client:
                drop_headers.append(name.text)
            continue
        if lower in own_names:
            continue  # a folder's or the request's header of that name replaces it
        full_name, full_value = render.item(row.name), render.item(row.value)
        if on_client and (full_name.text, full_value.text) == (name.text, value.text):
            continue
        if on_client and full_name.text.lower() != name.text.lower():
            drop_headers.append(name.text)  # renamed for this request: not both
        differing.append((full_name.text, full_value.text))
        if render.uses_secret(full_name, full_value):
            headers_secret.add(full_name.text.lower())

    # auth: the collection's on the client; a request's own, or the collection's
    # rendered differently for this request, travels with the request
    profile_auth: ResolvedAuth | None = None
    if collection is not None:
        client_auth, stable = _render_auth(collection.auth, shared)
        profile_auth = client_auth if stable else None
    auth, source = effective_auth(request, chain, collection)
    if source == "collection":
        own_auth = _render_auth(collection.auth, render)[0] if collection is not None else None
        if own_auth == profile_auth:
            own_auth = None
            auth_mode = AUTH_FROM_CLIENT
        else:
            auth_mode = AUTH_OWN if own_auth is not None else AUTH_NONE
    else:
        own_auth = _render_auth(auth, render)[0]
        auth_mode = AUTH_OWN if own_auth is not None else AUTH_NONE

    url = _with_scheme(render(request.url.strip()), bool(base_url))
    if base_url != profile_base:
        url = join_base_url(base_url, url)
    params = [(render(p.name), render(p.value)) for p in _enabled(request.params)]
    url = join_query(url, encode_query(params))

    rendered = list(differing)
    for row in own_rows:
        name, value = render.item(row.name), render.item(row.value)
        rendered.append((name.text, value.text))
        if render.uses_secret(name, value):
            headers_secret.add(name.text.lower())
    content, content_type = _encode_body(request.body, render)
    upload_and_type = resolve_upload(request.body, render, _upload_base(request, collection))
    upload = None
    if upload_and_type is not None:
        upload, content_type = upload_and_type
        if upload.multipart:
            upload = _agree_on_boundary(rendered, upload)
    all_names = {name.lower() for name, _ in rendered}
    all_names |= {h.name.lower() for h in shared_rows if h.name.lower() not in disabled}
    if content_type and "content-type" not in all_names:
        rendered.append(("Content-Type", content_type))

    transport = _transport(settings, render)
    secrets = _credentials(own_auth if auth_mode == AUTH_OWN else None)
    if auth_mode == AUTH_FROM_CLIENT:
        secrets |= _credentials(profile_auth)
    for layer in _layers(collection, chain, environment):
        for var in layer:
            if var.enabled and var.secret and var.value:
                secrets.add(var.value)
                if "{{" in var.value:  # as sent, too: a secret's value may use others
                    with suppress(ExpansionTooLarge):  # (one this request may not use)
                        secrets.add(render.expander.render(var.value).text)
    secrets |= _proxy_secrets(transport.proxy)
    secrets.discard("")

    unresolved = dict(render.unresolved)
    needs_demo = DEMO_VARIABLE in unresolved and DEMO_VARIABLE not in statics
    if needs_demo:
        del unresolved[DEMO_VARIABLE]

    profile = ClientProfile(
        key=collection.id if collection is not None else SCRATCH_KEY,
        base_url=profile_base,
        headers=tuple(profile_headers),
        transport=transport,
        auth=profile_auth,
        cookie_key=collection.id if collection is not None else "",
        cookies=not settings.no_cookies,
        secret_headers=frozenset(profile_secret),
    )
    return Resolution(
        profile=profile,
        request=ResolvedRequest(
            method=(request.method.strip() or "GET").upper(),
            url=url,
            headers=tuple(rendered),
            content=content,
            upload=upload,
            timeout_s=settings.timeout_s or DEFAULT_SETTINGS.timeout_s or 30.0,
            follow_redirects=bool(settings.follow_redirects),
            max_redirects=_max_redirects(settings),
            auth_mode=auth_mode,
            auth=own_auth,
            drop_headers=tuple(sorted(drop_headers)),
            deadline_s=_deadline(settings),
            body_cap=_body_cap_mb(settings) * MIB,
            secret_headers=frozenset(headers_secret),
            secrets=frozenset(secrets),
        ),
        unresolved=tuple(sorted(unresolved)),
        needs_demo=needs_demo,
    )


def _deadline(settings: Settings) -> float | None:
    """The whole exchange's deadline in seconds; 0 (or less) means none."""
    value = settings.deadline_s
    return value if value is not None and value > 0 else None


def _body_cap_mb(settings: Settings) -> int:
    value = settings.max_body_mb
    return value if value is not None and value > 0 else DEFAULT_BODY_CAP_MB


def _max_redirects(settings: Settings) -> int:
    value = settings.max_redirects
    if value is None or value < 0:
        return DEFAULT_SETTINGS.max_redirects or 0
    return value
