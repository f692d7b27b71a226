"""Exchanges from the history as a HAR 1.2 file (what browsers' dev tools and proxies
read): one entry per request, oldest first; an exchange that followed redirects
gives an entry per hop (with its ``redirectURL``), as browsers write them.

    write_har(exchanges, out)          # streams: one entry in memory at a time
    har_log(exchanges)                 # the same document as a dict (tests, small sets)

An exchange is what the history keeps of it (``RecordedExchange``: the entry's
summary, its detail data, its kept response body), so nothing here needs the
history store or the network layer.  Secrets stay masked as the history masked
them.  What the history did not record is said the way HAR says it: ``-1`` for a
size or a timing that is not known, a ``comment`` for a body it did not keep.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import IO, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

from app import __version__
from app.core import codec
from app.core.errors import CourierError
from app.core.model import Body, BodyKind, PartKind

HAR_VERSION = "1.2"
CREATOR = {"name": "Courier", "version": __version__}
#: what a body kind is sent as when the request did not say
_DEFAULT_TYPES = {
    BodyKind.JSON: "application/json",
    BodyKind.FORM: "application/x-www-form-urlencoded",
    BodyKind.MULTIPART: "multipart/form-data",
    BodyKind.RAW: "text/plain",
    BodyKind.FILE: "application/octet-stream",
}


class RecordedEntry(Protocol):
    @property
    def at(self) -> float: ...
    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def duration_s(self) -> float | None: ...
    @property
    def error(self) -> str: ...


class RecordedExchange(Protocol):
    """A history entry with its detail (``app.session.history_record.HistoryDetail``)."""

    @property
    def entry(self) -> RecordedEntry: ...
    @property
    def detail(self) -> dict[str, Any]: ...
    @property
    def body(self) -> bytes | None: ...


def har_log(exchanges: Iterable[RecordedExchange]) -> dict[str, Any]:
    """The HAR document of ``exchanges`` (in the order given)."""
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": dict(CREATOR),
            "pages": [],
            "entries": [entry for exchange in exchanges for entry in har_entries(exchange)],
        }
    }


def write_har(exchanges: Iterable[RecordedExchange], out: IO[str]) -> int:
    """Write the HAR document of ``exchanges`` to ``out`` entry by entry; how many
    exchanges."""
    head = {"version": HAR_VERSION, "creator": CREATOR, "pages": []}
    out.write('{"log": ' + json.dumps(head, ensure_ascii=False)[:-1] + ', "entries": [\n')
    count = 0
    first = True
    for exchange in exchanges:
        for item in har_entries(exchange):
            out.write("" if first else ",\n")
            out.write(json.dumps(item, ensure_ascii=False))
            first = False
        count += 1
    out.write("\n]}}\n")
    return count


def har_entries(exchange: RecordedExchange) -> list[dict[str, Any]]:
    """The redirect hops of ``exchange`` (if it followed any), then its last request."""
    hops = [hop for hop in exchange.detail.get("hops") or () if isinstance(hop, dict)]
    out = []
    started = exchange.entry.at
    for i, hop in enumerate(hops):
        out.append(_hop_entry(exchange, hop, started, first=i == 0))
        started += max(float(hop.get("elapsed_s") or 0), 0)
    out.append(har_entry(exchange, started))
    return out


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def _hop_entry(
    exchange: RecordedExchange, hop: Mapping[str, Any], started: float, *, first: bool
) -> dict[str, Any]:
    """A redirect answer: the history keeps its response head, not its request's
    headers (only the last request's)."""
    head = exchange.detail.get("response") or {}
    http_version = str(head.get("http_version") or "HTTP/1.1")
    sent = {"method": str(hop.get("method") or ""), "url": str(hop.get("url") or "")}
    request = _request(exchange.entry, sent, None, http_version)
    request["bodySize"] = -1
    request["comment"] = "a redirect hop: the history kept the headers of the last request only"
    if first and request["method"] not in ("GET", "HEAD"):
        # the request as it was first sent: its body, if it had one
        post = _post_data(exchange.detail.get("model"), "")
        if post is not None:
            request["postData"] = post
    headers = _pairs(hop.get("headers"))
    wait = max(_ms(hop.get("elapsed_s")), 0)
    return {
        "startedDateTime": _when(started),
        "time": wait,
        "request": request,
        "response": {
            "status": int(hop.get("status_code") or 0),
            "statusText": str(hop.get("reason") or ""),
            "httpVersion": http_version,
            "cookies": _set_cookies(headers),
            "headers": headers,
            "content": {"size": 0, "mimeType": _header(headers, "content-type")},
            "redirectURL": str(hop.get("location") or ""),
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": -1,
            "connect": -1,
            "ssl": -1,
            "send": 0,
            "wait": wait,
            "receive": 0,
        },
    }


def har_entry(exchange: RecordedExchange, started: float | None = None) -> dict[str, Any]:
    """The entry of the exchange's last request (``started``: when it was sent, after
    any redirect hops)."""
    entry = exchange.entry
    detail = exchange.detail
    sent: Mapping[str, Any] = detail.get("request") or {}
    head: Mapping[str, Any] = detail.get("response") or {}
    timings = _timings(detail.get("timings"), entry.duration_s)
    http_version = str(head.get("http_version") or "HTTP/1.1")
    item: dict[str, Any] = {
        "startedDateTime": _when(entry.at if started is None else started),
        # HAR counts ``ssl`` within ``connect``: the sum leaves it out
        "time": round(sum(v for k, v in timings.items() if v > 0 and k != "ssl"), 3),
        "request": _request(entry, sent, detail.get("model"), http_version),
        "response": _response(entry, head, exchange.body, detail, http_version),
        "cache": {},
        "timings": timings,
    }
    address = str((detail.get("timings") or {}).get("remote_address") or "")
    if address:
        host, _, port = address.rpartition(":")
        item["serverIPAddress"] = host.strip("[]")
        item["connection"] = port
    if entry.error:
        error = detail.get("error") or {}
        item["comment"] = f"{entry.error}: {error.get('message', '')}".rstrip(": ")
    return item


def _pairs(rows: Any) -> list[dict[str, str]]:
    return [{"name": str(name), "value": str(value)} for name, value in rows or ()]


def _header(headers: list[dict[str, str]], name: str) -> str:
    for row in headers:
        if row["name"].lower() == name:
            return row["value"]
    return ""


def _request(
    entry: RecordedEntry, sent: Mapping[str, Any], model: Any, http_version: str
) -> dict[str, Any]:
    url = str(sent.get("url") or entry.url)
    headers = _pairs(sent.get("headers"))
    cookies = []
    for row in headers:
        if row["name"].lower() == "cookie" and "••" not in row["value"]:
            for pair in row["value"].split(";"):
                name, _, value = pair.strip().partition("=")
                if name:
                    cookies.append({"name": name, "value": value})
    try:
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        query = []
    size = int(sent.get("body_size") or 0)
    request: dict[str, Any] = {
        "method": str(sent.get("method") or entry.method),
        "url": url.split("#", 1)[0],
        "httpVersion": http_version,
        "cookies": cookies,
        "headers": headers,
        "queryString": [{"name": name, "value": value} for name, value in query],
        "headersSize": -1,
        "bodySize": size if sent else -1,
    }
    post = _post_data(model, str(sent.get("content_type") or _header(headers, "content-type")))
    if post is not None and size:
        request["postData"] = post
    return request


def _post_data(model: Any, sent_type: str) -> dict[str, Any] | None:
    """The body as the request's data recorded it (the history keeps no sent bytes)."""
    if not isinstance(model, dict):
        return None
    try:
        body = codec.request_from_data(model, None).body
    except (CourierError, ValueError, TypeError, KeyError):
        return None
    if body.kind is BodyKind.NONE:
        return None
    mime = sent_type or body.content_type or _DEFAULT_TYPES[body.kind]
    post: dict[str, Any] = {"mimeType": mime}
    if body.kind is BodyKind.FORM:
        rows = [(row.name, row.value) for row in body.form if row.enabled]
        post["params"] = [{"name": name, "value": value} for name, value in rows]
        post["text"] = urlencode(rows)
    elif body.kind is BodyKind.MULTIPART:
        post["params"] = _parts(body)
    elif body.kind is BodyKind.FILE:
        post["text"] = ""
        post["comment"] = "a file was sent; its content is not in the history"
    else:
        post["text"] = body.text
    if "{{" in json.dumps(post, ensure_ascii=False):
        post["comment"] = "the body as the request wrote it; {{variables}} were not resolved"
    return post


def _parts(body: Body) -> list[dict[str, str]]:
    params = []
    for part in body.parts:
        if not part.enabled:
            continue
        param = {"name": part.name}
        if part.kind is PartKind.FILE:
            param["fileName"] = part.file_name or part.value.replace("\\", "/").rpartition("/")[2]
        else:
            param["value"] = part.value
        if part.content_type:
            param["contentType"] = part.content_type
        params.append(param)
    return params


def _response(
    entry: RecordedEntry,
    head: Mapping[str, Any],
    body: bytes | None,
    detail: Mapping[str, Any],
    http_version: str,
) -> dict[str, Any]:
    headers = _pairs(head.get("headers"))
    cookies = _set_cookies(headers)
    mime = _header(headers, "content-type")
    content: dict[str, Any] = {
        "size": len(body) if body is not None else entry.size,
        "mimeType": mime,
    }
    if body is not None:
        try:
            content["text"] = body.decode("utf-8")
        except UnicodeDecodeError:
            content["text"] = base64.b64encode(body).decode("ascii")
            content["encoding"] = "base64"
    elif entry.size:
        content["comment"] = "the history did not keep this body"
    status = int(head.get("status_code") or 0)
    received = detail.get("received")
    return {
        "status": status,
        "statusText": str(head.get("reason") or ""),
        "httpVersion": http_version,
        "cookies": cookies,
        "headers": headers,
        "content": content,
        "redirectURL": _header(headers, "location") if 300 <= status < 400 else "",
        "headersSize": -1,
        "bodySize": int(received) if isinstance(received, int) and head else -1,
    }


def _set_cookies(headers: list[dict[str, str]]) -> list[dict[str, str]]:
    cookies = []
    for row in headers:
        if row["name"].lower() == "set-cookie":
            name, _, rest = row["value"].partition("=")
            cookies.append({"name": name.strip(), "value": rest.partition(";")[0]})
    return cookies


def _ms(seconds: Any) -> float:
    """Milliseconds, or -1 for a phase that did not happen or was not timed."""
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds >= 0:
        return round(seconds * 1000, 3)
    return -1


def _timings(data: Any, duration_s: float | None) -> dict[str, float]:
    """HAR's phases from Courier's: ``connect`` includes ``ssl`` in HAR (it does not
    in Courier's timings); a lookup timed within the connection is not known apart."""
    if not isinstance(data, dict):
        total = _ms(duration_s)
        return {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0,
                "wait": max(total, 0), "receive": 0}  # fmt: skip
    dns = -1 if data.get("connect_includes_dns") else _ms(data.get("dns_s"))
    ssl = _ms(data.get("tls_s"))
    connect = _ms(data.get("connect_s"))
    if connect >= 0 and ssl >= 0:
        connect = round(connect + ssl, 3)
    return {
        "blocked": -1,
        "dns": dns,
        "connect": connect,
        "ssl": ssl,
        "send": max(_ms(data.get("send_s")), 0),
        "wait": max(_ms(data.get("wait_s")), 0),
        "receive": max(_ms(data.get("download_s")), 0),
    }
