"""What the history keeps of one exchange, with no secret value in it.

An ``Exchange`` already shows its request with credentials masked; the history
goes further, because what it keeps is written to disk: every text it stores
(URL, headers of the request, of each redirect hop and of the response, the
error, the request's model data and the body) has each known secret value
replaced by a mask, in the forms a server may echo it back (as typed,
percent-encoded, JSON-escaped, Base64 of Basic credentials).  Set-Cookie values are masked,
so are the values of credential headers.  ``Secrets`` gathers those values.

A ``HistoryRecord`` is plain data (the store writes it); ``exchange_from``
rebuilds an ``Exchange`` from a stored entry so the exchange panes can show it,
``request_from`` a model ``Request`` ("Open as new request", secrets empty).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

from app.core import codec, errors
from app.core.codec import is_reference
from app.core.model import KeyValue, Request
from app.core.resolved import ResolvedAuth
from app.net.body_store import BodyStore
from app.net.exchange import (
    Exchange,
    ExchangeState,
    RedirectHop,
    ResponseHead,
    SentRequest,
    Timings,
    Withheld,
)
from app.net.headers import CREDENTIAL_HEADERS

#: a body larger than this is not kept with its entry (the head and request still are)
ENTRY_BODY_BUDGET = 1024 * 1024
#: what replaces a secret value
MASK = "••••"
#: shorter values are not masked (they would garble every text they happen to occur in);
#: the engine masks its messages with the same bound
MASK_MIN_LENGTH = 4
#: headers whose values are never kept
_SECRET_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})
#: headers a rebuilt request leaves out: the client adds them when it sends
_TRANSPORT_HEADERS = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}
)


class BodyState(enum.StrEnum):
    KEPT = "kept"
    #: larger than ``ENTRY_BODY_BUDGET``
    OVER_BUDGET = "over budget"
    #: dropped later to keep the history within its total budget
    PRUNED = "pruned"
    #: the exchange had no body (no response, or an empty one)
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Origin:
    """Which request an exchange was sent from (all empty for an ad-hoc send)."""

    request_name: str = ""
    collection_name: str = ""
    collection_id: str = ""
    #: the collection's folder
    collection_path: str = ""
    #: the request's file, relative to the collection folder ("" for an unsaved request)
    request_file: str = ""


class Secrets:
    """Secret values to mask, in every form an echo may carry them."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self.add(*values)

    def add(self, *values: str) -> None:
        for value in values:
            if len(value) < MASK_MIN_LENGTH:
                continue
            self._values.add(value)
            forms = (
                quote(value, safe=""),
                quote_plus(value),
                json.dumps(value)[1:-1],  # echoed in JSON: quotes, backslashes, \u00e9
                json.dumps(value, ensure_ascii=False)[1:-1],
            )
            self._values.update(form for form in forms if len(form) >= MASK_MIN_LENGTH)

    def add_auth(self, auth: ResolvedAuth | None) -> None:
        """An auth's credentials, and the Base64 that Basic auth sends."""
        if auth is None:
            return
        self.add(auth.password, auth.token, auth.key_value, auth.client_secret)
        self.add(auth.secret_key, auth.session_token)
        if auth.kind == "basic" and (auth.username or auth.password):
            pair = f"{auth.username}:{auth.password}".encode()
            self.add(base64.b64encode(pair).decode("ascii"))

    def __len__(self) -> int:
        return len(self._values)

    def values(self) -> list[str]:
        """Longest first: a secret that contains another is masked whole."""
        return sorted(self._values, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for value in self.values():
            if value in text:
                text = text.replace(value, MASK)
        return text

    def mask_bytes(self, data: bytes) -> bytes:
        for value in self.values():
            raw = value.encode("utf-8")
            if raw in data:
                data = data.replace(raw, MASK.encode("utf-8"))
        return data


@dataclass(slots=True)
class HistoryRecord:
    """One exchange as the store writes it (secrets already masked)."""

    at: float
    method: str
    url: str
    name: str
    collection_name: str
    status: int
    reason: str
    state: str
    size: int
    duration_s: float | None
    error: str
    #: everything else the entry view shows (JSON-able)
    detail: dict[str, Any] = field(default_factory=dict)
    body: bytes | None = None
    body_state: BodyState = BodyState.NONE


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One row of the history list."""

    id: int
    at: float
    method: str
    url: str
    name: str
    collection_name: str
    status: int
    reason: str
    state: str
    size: int
    duration_s: float | None
    error: str

    @property
    def label(self) -> str:
        """What the list shows: the request's name, or its URL for an ad-hoc send."""
        return self.name or self.url


@dataclass(frozen=True, slots=True)
class HistoryDetail:
    """One entry with what the entry view shows."""

    entry: HistoryEntry
    detail: dict[str, Any]
    body: bytes | None
    body_state: BodyState

    @property
    def origin(self) -> Origin:
        data = self.detail.get("origin") or {}
        known = {f.name for f in dataclasses.fields(Origin)}
        return Origin(**{k: str(v) for k, v in data.items() if k in known})


# ------------------------------------------------------------------ recording


def record_of(
    exchange: Exchange,
    origin: Origin,
    secrets: Secrets,
    request: Request | None = None,
    body_budget: int = ENTRY_BODY_BUDGET,
) -> HistoryRecord:
    """The record of a finished ``exchange`` (reads at most ``body_budget`` bytes of
    its body: call it off the GUI thread)."""
    sent = exchange.request
    head = exchange.response
    error = exchange.error
    mask = secrets.mask
    url = mask(sent.url if sent is not None else exchange.url)
    detail: dict[str, Any] = {
        "origin": dataclasses.asdict(origin),
        "request": _sent_data(sent, mask) if sent is not None else None,
        "response": _head_data(head, mask) if head is not None else None,
        "timings": dataclasses.asdict(exchange.timings) if exchange.timings else None,
        "hops": [_hop_data(hop, mask) for hop in exchange.hops],
        "error": _error_data(error, mask) if error is not None else None,
        "notes": [mask(note) for note in exchange.notes],
        "model": _model_data(request, secrets) if request is not None else None,
        "received": exchange.received,
    }
    body, body_state = _body(exchange, secrets, body_budget)
    timings = exchange.timings
    return HistoryRecord(
        at=exchange.created_at,
        method=sent.method if sent is not None else exchange.method,
        url=url,
        name=origin.request_name,
        collection_name=origin.collection_name,
        status=head.status_code if head is not None else 0,
        reason=head.reason if head is not None else "",
        state=exchange.state.value,
        size=exchange.received,
        duration_s=timings.total_s if timings is not None else None,
        error=error.title if error is not None else "",
        detail=detail,
        body=body,
        body_state=body_state,
    )


def _body(exchange: Exchange, secrets: Secrets, budget: int) -> tuple[bytes | None, BodyState]:
    store = exchange.body
    if store.released or exchange.response is None or store.size == 0:
        return None, BodyState.NONE
    if store.size > budget:
        return None, BodyState.OVER_BUDGET
    try:
        data = store.read(0, store.size)
    except (OSError, ValueError):  # released meanwhile
        return None, BodyState.NONE
    return secrets.mask_bytes(data), BodyState.KEPT


def _headers(headers: Iterable[tuple[str, str]], mask: Any) -> list[list[str]]:
    out = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in _SECRET_RESPONSE_HEADERS:
            cookie, _, attributes = value.partition(";")
            cookie_name = cookie.partition("=")[0]
            value = f"{cookie_name}={MASK}" + (f";{attributes}" if attributes else "")
        elif lowered in CREDENTIAL_HEADERS and MASK not in value and "••" not in value:
            value = MASK
        out.append([name, mask(value)])
    return out


def _sent_data(sent: SentRequest, mask: Any) -> dict[str, Any]:
    return {
        "method": sent.method,
        "url": mask(sent.url),
        "headers": _headers(sent.headers, mask),
        "body_size": sent.body_size,
        "content_type": sent.content_type,
        "body_description": mask(sent.body_description),
    }


def _head_data(head: ResponseHead, mask: Any) -> dict[str, Any]:
    return {
        "status_code": head.status_code,
        "reason": head.reason,
        "http_version": head.http_version,
        "headers": _headers(head.headers, mask),
        "url": mask(head.url),
        "expected_size": head.expected_size,
        "content_encoding": head.content_encoding,
    }


def _hop_data(hop: RedirectHop, mask: Any) -> dict[str, Any]:
    return {
        "method": hop.method,
        "url": mask(hop.url),
        "status_code": hop.status_code,
        "reason": hop.reason,
        "location": mask(hop.location),
        "headers": _headers(hop.headers, mask),
        "elapsed_s": hop.elapsed_s,
        "next_method": hop.next_method,
        "next_url": mask(hop.next_url),
        "cross_origin": hop.cross_origin,
        "withheld": [[w.name, w.source] for w in hop.withheld],
    }


def _error_data(error: errors.RequestError, mask: Any) -> dict[str, Any]:
    return {
        "kind": type(error).__name__,
        "title": error.title,
        "message": mask(error.message),
        "detail": mask(error.detail),
        "phase": error.phase.value,
        "received": error.received,
    }


def _model_data(request: Request, secrets: Secrets) -> Any:
    """The request as its file would say it (credentials never in it), with header
    rows that carry credentials as literals emptied and known secrets masked."""
    data = codec.request_to_data(request)
    for row in data.get("headers", []):
        value = str(row.get("value", ""))
        if row.get("name", "").lower() in CREDENTIAL_HEADERS and not is_reference(value):
            row["value"] = ""
    return _mask_tree(data, secrets)


def _mask_tree(data: Any, secrets: Secrets) -> Any:
    if isinstance(data, str):
        return secrets.mask(data)
    if isinstance(data, list):
        return [_mask_tree(item, secrets) for item in data]
    if isinstance(data, dict):
        return {key: _mask_tree(value, secrets) for key, value in data.items()}
    return data


# ----------------------------------------------------------------- rebuilding


def _pairs(rows: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(name), str(value)) for name, value in rows or ())


def exchange_from(stored: HistoryDetail) -> Exchange:
    """An ``Exchange`` as the entry was recorded (finished; its body the kept one, if
    any), for the panes that show exchanges (headers, timing, redirects, request)."""
    detail = stored.detail
    entry = stored.entry
    body = BodyStore()
    if stored.body:
        body.append(stored.body)
    exchange = Exchange(entry.method, entry.url, body)
    exchange.created_at = entry.at
    try:
        exchange.state = ExchangeState(entry.state)
    except ValueError:  # a state a later Courier wrote
        exchange.state = ExchangeState.DONE if entry.status else ExchangeState.FAILED
    sent = detail.get("request")
    if sent:
        exchange.request = SentRequest(
            method=sent["method"],
            url=sent["url"],
            headers=_pairs(sent["headers"]),
            body_size=int(sent["body_size"]),
            content_type=sent.get("content_type", ""),
            body_description=sent.get("body_description", ""),
        )
    head = detail.get("response")
    if head:
        exchange.response = ResponseHead(
            status_code=int(head["status_code"]),
            reason=head["reason"],
            http_version=head["http_version"],
            headers=_pairs(head["headers"]),
            url=head["url"],
            expected_size=head.get("expected_size"),
            content_encoding=head.get("content_encoding", ""),
        )
    timings = detail.get("timings")
    if timings:
        known = {f.name for f in dataclasses.fields(Timings)}
        exchange.timings = Timings(**{k: v for k, v in timings.items() if k in known})
    for hop in detail.get("hops") or ():
        exchange.hops.append(
            RedirectHop(
                method=hop["method"],
                url=hop["url"],
                status_code=int(hop["status_code"]),
                reason=hop["reason"],
                location=hop["location"],
                headers=_pairs(hop["headers"]),
                elapsed_s=float(hop["elapsed_s"]),
                next_method=hop["next_method"],
                next_url=hop["next_url"],
                cross_origin=bool(hop["cross_origin"]),
                withheld=tuple(Withheld(str(n), str(s)) for n, s in hop.get("withheld") or ()),
            )
        )
    error = detail.get("error")
    if error:
        exchange.error = _error_from(error)
    exchange.notes = [str(note) for note in detail.get("notes") or ()]
    return exchange


def _error_from(data: dict[str, Any]) -> errors.RequestError:
    kinds: dict[str, type[errors.RequestError]] = {}
    pending: list[type[errors.RequestError]] = [errors.RequestError]
    while pending:
        kind = pending.pop()
        kinds[kind.__name__] = kind
        pending.extend(kind.__subclasses__())
    kind = kinds.get(str(data.get("kind")), errors.RequestError)
    phase = errors.Phase(data["phase"]) if data.get("phase") else None
    error = kind.__new__(kind)
    errors.RequestError.__init__(
        error,
        str(data.get("message", "")),
        detail=str(data.get("detail", "")),
        phase=phase,
        received=int(data.get("received", 0)),
    )
    return error


def request_from(stored: HistoryDetail) -> Request:
    """A new model ``Request`` that sends what the entry sent: its file's data when
    the entry knows it (``{{variables}}`` and all), else the request as sent.
    Secrets are left empty; the request belongs to no file."""
    entry = stored.entry
    sent = stored.detail.get("request") or {}
    sent_url = sent.get("url") or entry.url
    model = stored.detail.get("model")
    if model:
        request = codec.request_from_data(model, None)
        request.auth.stored_secrets = []
        if not _absolute(request.url):
            # relative to its collection's base URL (or made of its variables): a new
            # untitled request could not send it, so it takes the URL it was sent to
            # (query included); headers, body and auth stay its own
            request.url = sent_url
            request.params = []
        return request
    return Request(
        name=entry.name or _name_for(entry.method, entry.url),
        method=entry.method,
        url=sent_url,
        headers=_sent_headers(sent),
    )


def _absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _sent_headers(sent: dict[str, Any]) -> list[KeyValue]:
    """The headers as sent, masked ones switched off and emptied (secrets are never kept)."""
    headers = []
    for name, value in _pairs(sent.get("headers")):
        if name.lower() in _TRANSPORT_HEADERS:
            continue
        hidden = MASK in value or "••" in value
        headers.append(KeyValue(name, "" if hidden else value, enabled=not hidden))
    return headers


def _name_for(method: str, url: str) -> str:
    return f"{method} {url}"[:80]


def day_of(at: float) -> tuple[int, int, int]:
    """The local calendar day of a timestamp (the list groups entries by it)."""
    moment = time.localtime(at)
    return moment.tm_year, moment.tm_mon, moment.tm_mday
