"""From what the user edited to what is sent: collection -> folders -> request.

``resolve`` merges a request with its folder chain, its collection and the
active environment, substitutes ``{{variables}}`` and encodes the body.  The
result is plain data: a ``ClientProfile`` for the collection's long-lived
client (base URL and shared headers live there, as httpx advises) and the
``ResolvedRequest`` for this one send.

Variable precedence, highest first: folder (nearest first), active
environment, collection, then built-ins (``$demo``, ``$uuid``...).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import quote, urlsplit

from app.core.model import (
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
)
from app.core.resolved import (
    AUTH_FROM_CLIENT,
    AUTH_NONE,
    AUTH_OWN,
    SCRATCH_KEY,
    ClientProfile,
    Headers,
    ResolvedAuth,
    ResolvedRequest,
    TransportSettings,
)
from app.core.templating import render

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Resolution:
    profile: ClientProfile
    request: ResolvedRequest
    #: variable names that had no value (left as ``{{name}}`` in what is sent)
    unresolved: tuple[str, ...]


def variable_values(
    collection: Collection | None,
    chain: tuple[Folder, ...],
    environment: Environment | None,
    builtins: Mapping[str, str],
) -> dict[str, str]:
    """All variables visible to a request, higher precedence overriding lower."""
    values: dict[str, str] = dict(builtins)
    layers = []
    if collection is not None:
        layers.append(collection.variables)
    if environment is not None:
        layers.append(environment.variables)
    layers.extend(folder.variables for folder in chain)  # outermost first, nearest last
    for layer in layers:
        for var in layer:
            if var.enabled and var.name:
                values[var.name] = var.value
    return values


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
    from app.core.templating import DYNAMIC

    if name in DYNAMIC:
        return "", False
    values = variable_values(collection, chain, environment, builtins)
    if name not in values:
        return None, False
    secret = False
    layers = [
        *((collection.variables,) if collection else ()),
        *((environment.variables,) if environment else ()),
        *(f.variables for f in chain),
    ]
    for layer in layers:  # the same order as variable_values: the last one wins
        for var in layer:
            if var.enabled and var.name == name:
                secret = var.secret
    return values[name], secret


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
    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        self.unresolved: dict[str, None] = {}

    def __call__(self, text: str) -> str:
        result = render(text, self.values)
        for name in result.unresolved:
            self.unresolved[name] = None
        return result.text


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


def _render_auth(auth: Auth, render_text: _Renderer) -> ResolvedAuth | None:
    if auth.kind in (AuthKind.NONE, AuthKind.INHERIT):
        return None
    return ResolvedAuth(
        kind=auth.kind.value,
        username=render_text(auth.username),
        password=render_text(auth.password),
        token=render_text(auth.token),
        key_name=render_text(auth.key_name),
        key_value=render_text(auth.key_value),
        key_in=auth.key_in,
        grant=auth.grant if auth.kind is AuthKind.OAUTH2 else "",
        token_url=render_text(auth.token_url),
        auth_url=render_text(auth.auth_url),
        client_id=render_text(auth.client_id),
        client_secret=render_text(auth.client_secret),
        scope=render_text(auth.scope),
        access_key=render_text(auth.access_key),
        secret_key=render_text(auth.secret_key),
        session_token=render_text(auth.session_token),
        region=render_text(auth.region),
        service=render_text(auth.service),
    )


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


def _encode_body(body: Body, render_text: _Renderer) -> tuple[bytes | None, str]:
    if body.kind is BodyKind.NONE:
        return None, ""
    if body.kind is BodyKind.FORM:
        pairs = [(render_text(r.name), render_text(r.value)) for r in _enabled(body.form)]
        return encode_query(pairs).encode("utf-8"), FORM_CONTENT_TYPE
    text = render_text(body.text)
    if body.kind is BodyKind.JSON:
        return text.encode("utf-8"), JSON_CONTENT_TYPE
    return text.encode("utf-8"), render_text(body.content_type)


def resolve(
    request: Request,
    collection: Collection | None,
    environment: Environment | None = None,
    *,
    builtins: Mapping[str, str] | None = None,
    chain: tuple[Folder, ...] | None = None,
) -> Resolution:
    """The request as it will be sent.

    ``chain`` is the request's folder chain; by default it is looked up in the
    collection (a request being edited is a copy, so pass the chain of the
    stored request when you have it).
    """
    if chain is None:
        chain = collection.folder_chain(request) or () if collection is not None else ()
    values = variable_values(collection, chain, environment, builtins or {})
    render_text = _Renderer(values)

    base_url = render_text(collection.base_url) if collection is not None else ""
    shared = _enabled(collection.headers) if collection is not None else []
    collection_settings = effective_settings([collection.settings] if collection else [])
    settings = effective_settings(
        [
            *([collection.settings] if collection else []),
            *(f.settings for f in chain),
            request.settings,
        ]
    )
    client_transport = _transport(collection_settings, render_text)
    transport = _transport(settings, render_text)
    key = collection.id if collection is not None else SCRATCH_KEY
    if transport != client_transport:
        # a folder or request that changes TLS/proxy/HTTP2 gets its own long-lived client
        digest = hashlib.sha256(repr(transport).encode()).hexdigest()[:12]
        key = f"{key}/{digest}"
    if settings.no_cookies:
        key = f"{key}/no-cookies"
    client_auth = _render_auth(collection.auth, render_text) if collection else None
    auth, source = effective_auth(request, chain, collection)
    if source == "collection":
        auth_mode, own_auth = AUTH_FROM_CLIENT, None
    else:
        own_auth = _render_auth(auth, render_text)
        auth_mode = AUTH_OWN if own_auth is not None else AUTH_NONE
    disabled = {name.lower() for name in request.disabled_inherited_headers}
    profile = ClientProfile(
        key=key,
        base_url=base_url,
        headers=tuple((render_text(h.name), render_text(h.value)) for h in shared),
        transport=transport,
        auth=client_auth,
        max_redirects=collection_settings.max_redirects or 0,
        cookie_key=collection.id if collection is not None else "",
        cookies=not settings.no_cookies,
    )
    drop_headers = tuple(sorted(h.name for h in shared if h.name.lower() in disabled))

    url = _with_scheme(render_text(request.url.strip()), bool(base_url))
    params = [(render_text(p.name), render_text(p.value)) for p in _enabled(request.params)]
    url = join_query(url, encode_query(params))

    inherited = merge_headers([f.headers for f in chain])
    inherited = [h for h in inherited if h.name.lower() not in disabled]
    headers = merge_headers([inherited, request.headers])
    rendered: list[tuple[str, str]] = [(render_text(h.name), render_text(h.value)) for h in headers]
    content, content_type = _encode_body(request.body, render_text)
    all_names = {name.lower() for name, _ in rendered} | {h.name.lower() for h in shared}
    if content_type and "content-type" not in all_names:
        rendered.append(("Content-Type", content_type))
    resolved_headers: Headers = tuple(rendered)

    return Resolution(
        profile=profile,
        request=ResolvedRequest(
            method=(request.method.strip() or "GET").upper(),
            url=url,
            headers=resolved_headers,
            content=content,
            timeout_s=settings.timeout_s or DEFAULT_SETTINGS.timeout_s or 30.0,
            follow_redirects=bool(settings.follow_redirects),
            auth_mode=auth_mode,
            auth=own_auth,
            drop_headers=drop_headers,
        ),
        unresolved=tuple(sorted(render_text.unresolved)),
    )
