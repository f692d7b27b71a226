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

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from app.core.model import Body, BodyKind, Collection, Environment, Folder, KeyValue, Request
from app.core.resolved import SCRATCH_KEY, ClientProfile, Headers, ResolvedRequest
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
    profile = ClientProfile(
        key=collection.id if collection is not None else SCRATCH_KEY,
        base_url=base_url,
        headers=tuple((render_text(h.name), render_text(h.value)) for h in shared),
    )

    url = _with_scheme(render_text(request.url.strip()), bool(base_url))
    params = [(render_text(p.name), render_text(p.value)) for p in _enabled(request.params)]
    url = join_query(url, encode_query(params))

    headers = merge_headers([*(f.headers for f in chain), request.headers])
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
        ),
        unresolved=tuple(sorted(render_text.unresolved)),
    )
