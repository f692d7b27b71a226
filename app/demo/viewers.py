"""The demo server's routes for the response viewers: one of each kind of body.

Images, server-sent events, NDJSON, XML, HTML (with remote references, to show
that a preview loads none), JavaScript, CSS, text in three charsets, compressed
JSON in four encodings.  Bodies are small and deterministic, so tests can compare
what a view shows with what was sent (the module's functions give the expected
bytes); the event streams are generated as they go and ``forever=1`` keeps them
going until the client hangs up, which ``/streams/open`` lets a test observe.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import gzip
import html
import json
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import brotli
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.demo import media
from app.demo.streams import OPEN_STREAMS

try:
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Python < 3.14
    from backports import zstd  # type: ignore[no-redef,unused-ignore]

MAX_EVENTS = 1_000_000
MAX_INTERVAL = 60.0
DEFAULT_PROBE = "http://example.invalid/"

# --- images -------------------------------------------------------------------------------


def _image(kind: str) -> Response:
    content_type, make = media.IMAGES[kind]
    return Response(make(), media_type=content_type)


async def image(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind == "jpg":
        kind = "jpeg"
    if kind not in media.IMAGES:
        return JSONResponse({"error": f"format must be one of {sorted(media.IMAGES)}"}, 404)
    return _image(kind)


#: Accept media type -> format, in httpbin's order of preference
_ACCEPTED = (
    ("image/webp", "webp"),
    ("image/svg+xml", "svg"),
    ("image/jpeg", "jpeg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/*", "png"),
    ("*/*", "png"),
)


async def image_by_accept(request: Request) -> Response:
    """httpbin's ``/image``: the format the Accept header asks for, else 406."""
    accept = request.headers.get("accept", "*/*").lower()
    for media_type, kind in _ACCEPTED:
        if media_type in accept:
            return _image(kind)
    return JSONResponse(
        {"error": "Accept one of: " + ", ".join(t for t, _k in _ACCEPTED[:5])}, status_code=406
    )


# --- event streams ------------------------------------------------------------------------


def _stream_params(request: Request, default_count: int) -> tuple[int, float, bool] | Response:
    try:
        count = int(request.query_params.get("count", str(default_count)))
        interval = float(request.query_params.get("interval", "0.5"))
    except ValueError:
        return JSONResponse({"error": "count and interval must be numbers"}, status_code=400)
    if not 0 <= count <= MAX_EVENTS or not 0 <= interval <= MAX_INTERVAL:
        return JSONResponse(
            {"error": f"count must be 0-{MAX_EVENTS}, interval 0-{MAX_INTERVAL:g} s"},
            status_code=400,
        )
    forever = request.query_params.get("forever", "0") not in ("", "0", "false")
    return count, interval, forever


def sse_event(n: int) -> bytes:
    """The n-th event (1-based) of ``/sse``, with the comment that may follow it.

    Every event has ``id: n``; the first also ``retry: 3000``; every third is
    ``event: update`` (the others are unnamed, i.e. "message"); every fourth carries
    three ``data:`` lines (text "multi-line event n\\nsecond line\\nthird line"), the
    others one line of JSON (:func:`sse_data`); after every fifth comes ``: keepalive``.
    """
    lines = [f"id: {n}"]
    if n == 1:
        lines.append("retry: 3000")
    if n % 3 == 0:
        lines.append("event: update")
    if n % 4 == 0:
        lines += [f"data: multi-line event {n}", "data: second line", "data: third line"]
    else:
        lines.append("data: " + json.dumps(sse_data(n), separators=(",", ":")))
    text = "\n".join(lines) + "\n\n"
    if n % 5 == 0:
        text += ": keepalive\n\n"
    return text.encode()


def sse_data(n: int) -> dict[str, Any]:
    return {"n": n, "message": f"event {n}", "ok": n % 2 == 1, "tags": ["demo", f"t{n % 7}"]}


def ndjson_record(n: int) -> dict[str, Any]:
    """Line n (1-based) of ``/ndjson``."""
    return {
        "n": n,
        "name": f"record {n}",
        "value": round(n * 1.25, 2),
        "even": n % 2 == 0,
        "nested": {"square": n * n, "tags": [f"t{n % 3}", f"u{n % 5}"]},
    }


def _live(
    kind: str, first: bytes, item: Callable[[int], bytes], params: Any
) -> AsyncIterator[bytes]:
    count, interval, forever = params

    async def body() -> AsyncIterator[bytes]:
        OPEN_STREAMS[kind] += 1
        try:
            if first:
                yield first
            n = 0
            while forever or n < count:
                n += 1
                yield item(n)
                if forever or n < count:
                    await asyncio.sleep(interval)
        finally:
            OPEN_STREAMS[kind] -= 1

    return body()


async def sse(request: Request) -> Response:
    params = _stream_params(request, 10)
    if isinstance(params, Response):
        return params
    return StreamingResponse(
        _live("sse", b": Courier demo event stream\n\n", sse_event, params),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def ndjson(request: Request) -> Response:
    params = _stream_params(request, 20)
    if isinstance(params, Response):
        return params

    def line(n: int) -> bytes:
        return json.dumps(ndjson_record(n), separators=(",", ":")).encode() + b"\n"

    return StreamingResponse(_live("ndjson", b"", line, params), media_type="application/x-ndjson")


async def streams_open(request: Request) -> JSONResponse:
    return JSONResponse(OPEN_STREAMS)


# --- documents ----------------------------------------------------------------------------

XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Courier demo: a small catalogue -->
<catalog xmlns:x="urn:courier:demo" updated="2024-05-01">
  <book id="b1" lang="en">
    <title>Streams &amp; Rivers</title>
    <author><first>Ada</first><last>Lovelace</last></author>
    <price currency="EUR">12.50</price>
    <x:tags><x:tag>data</x:tag><x:tag>water</x:tag></x:tags>
  </book>
  <book id="b2" lang="de">
    <title>Grüße aus Köln</title>
    <author><first>Max</first><last>Mustermann</last></author>
    <price currency="EUR">9.90</price>
    <notes><![CDATA[Raw <b>markup</b> & "quotes" stay as they are]]></notes>
  </book>
  <empty/>
</catalog>
"""


def html_page(probe: str = DEFAULT_PROBE) -> str:
    """A page whose remote references all point under ``probe``: a safe preview loads none.

    The references: ``{probe}/image.png`` (img), ``/style.css`` (stylesheet link),
    ``/script.js`` (script), ``/frame.html`` (iframe), ``/background.png`` (CSS url()
    in a style element), ``/inline.png`` (CSS url() in a style attribute).
    """
    base = html.escape(probe.rstrip("/"), quote=True)
    data_png = base64.b64encode(media.png()).decode()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Courier demo page</title>
  <link rel="stylesheet" href="{base}/style.css">
  <script src="{base}/script.js"></script>
  <style>
    body {{ font-family: sans-serif; background: url("{base}/background.png"); }}
    table {{ border-collapse: collapse; }}
    td, th {{ border: 1px solid #999; padding: 2px 6px; }}
  </style>
</head>
<body>
  <h1>Courier demo page</h1>
  <p>A page for the HTML preview: text, a table and an inline image are shown;
  nothing from the network is loaded.</p>
  <h2>A table</h2>
  <table>
    <tr><th>Name</th><th>Kind</th><th>Size</th></tr>
    <tr><td>posts</td><td>JSON</td><td>100</td></tr>
    <tr><td>image</td><td>PNG</td><td>64 x 48</td></tr>
    <tr><td>café</td><td>text</td><td>4</td></tr>
  </table>
  <h2>An inline image (data: URI)</h2>
  <p><img alt="inline demo image" width="64" height="48" src="data:image/png;base64,{data_png}"></p>
  <h2>Remote content (must not load)</h2>
  <p><img alt="remote image" src="{base}/image.png"></p>
  <div style="background-image: url('{base}/inline.png')">styled block</div>
  <iframe title="remote frame" src="{base}/frame.html" width="200" height="80"></iframe>
</body>
</html>
"""


JAVASCRIPT = """// Courier demo script
"use strict";

const API = "/posts";

/** Fetches the posts of one user and counts their words. */
async function wordsByUser(userId) {
  const response = await fetch(`${API}?userId=${userId}`);
  const posts = await response.json();
  return posts.reduce((total, post) => total + post.body.split(/\\s+/).length, 0);
}

class Counter {
  #count = 0;
  increment(by = 1) { this.#count += by; return this; }
  get value() { return this.#count; }
}

export { wordsByUser, Counter };
"""

CSS = """/* Courier demo stylesheet */
:root {
  --accent: #2b6cb0;
  --spacing: 4px;
}

body {
  margin: 0;
  font: 14px/1.4 system-ui, sans-serif;
  color: #222;
}

.response > pre,
.response code {
  font-family: "JetBrains Mono", monospace;
  padding: calc(var(--spacing) * 2);
}

@media (prefers-color-scheme: dark) {
  body { color: #eee; background: #1e1e1e; }
}

a:hover::after { content: " \\2192"; color: var(--accent); }
"""


async def xml(request: Request) -> Response:
    return Response(XML.encode(), media_type="application/xml")


async def html_route(request: Request) -> Response:
    probe = request.query_params.get("probe", DEFAULT_PROBE)
    return Response(html_page(probe).encode(), media_type="text/html; charset=utf-8")


async def javascript(request: Request) -> Response:
    return Response(JAVASCRIPT.encode(), media_type="text/javascript; charset=utf-8")


async def css(request: Request) -> Response:
    return Response(CSS.encode(), media_type="text/css; charset=utf-8")


# --- charsets -----------------------------------------------------------------------------

#: the same text in every charset (only Latin-1 characters, so Latin-1 can carry it)
CHARSET_TEXT = (
    "Grüße, café, naïve, façade, Ærøskøbing, señor, ¿sí?\n"
    "Temperatur: 25 °C, ½ × ¾ ± 1, © Courier, «quoted», µs\n"
)

#: path name -> (charset declared, encoder)
CHARSETS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "utf-8": ("utf-8", lambda text: text.encode("utf-8")),
    "latin-1": ("iso-8859-1", lambda text: text.encode("latin-1")),
    "utf-16": ("utf-16", lambda text: b"\xff\xfe" + text.encode("utf-16-le")),
}


def charset_body(name: str) -> bytes:
    """``CHARSET_TEXT`` as ``/charset/{name}`` sends it (UTF-16: little-endian with a BOM)."""
    return CHARSETS[name][1](CHARSET_TEXT)


async def charset(request: Request) -> Response:
    name = request.path_params["name"].lower()
    if name in ("latin1", "iso-8859-1"):
        name = "latin-1"
    if name not in CHARSETS:
        return JSONResponse({"error": f"charset must be one of {sorted(CHARSETS)}"}, 404)
    declared = CHARSETS[name][0]
    content_type = "text/plain"
    if request.query_params.get("declare", "1") != "0":
        content_type += f"; charset={declared}"
    return Response(charset_body(name), headers={"Content-Type": content_type})


# --- content encodings --------------------------------------------------------------------


@functools.cache
def encoding_json() -> bytes:
    """The JSON every ``/encoding/{name}`` route sends, before compression (about 25 KB)."""
    from app.demo.app import POSTS

    return json.dumps({"encoded": True, "posts": POSTS}, indent=2).encode() + b"\n"


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "deflate": zlib.compress,  # HTTP's "deflate" is the zlib format (RFC 9110)
    "br": brotli.compress,
    "zstd": zstd.compress,
}


@functools.cache
def encoded(name: str) -> bytes:
    """``encoding_json()`` compressed as ``/encoding/{name}`` sends it."""
    return ENCODERS[name](encoding_json())


async def encoding(request: Request) -> Response:
    name = request.path_params["name"].lower()
    plain = encoding_json()
    if name == "identity":
        return Response(plain, media_type="application/json")
    if name not in ENCODERS:
        names = [*ENCODERS, "identity"]
        return JSONResponse({"error": f"encoding must be one of {names}"}, 404)
    return Response(
        encoded(name),
        media_type="application/json",
        headers={"Content-Encoding": name, "X-Decoded-Length": str(len(plain))},
    )


ROUTES_HELP = {
    "GET /image/{png|jpeg|gif|webp|svg}": "a 64 x 48 image in that format",
    "GET /image": "a 64 x 48 image in the format Accept asks for (webp, svg, jpeg, png, gif)",
    "GET /sse?count=10&interval=0.5&forever=0": (
        "server-sent events: ids, some 'event: update', JSON data, a multi-line one every"
        " 4th, ': keepalive' comments; forever=1 sends until the client hangs up"
    ),
    "GET /ndjson?count=20&interval=0.5&forever=0": "JSON lines, one record per interval",
    "GET /streams/open": "how many /sse, /ndjson, /big and /bytes bodies are being sent now",
    "GET /xml": "a small XML document (attributes, namespace, comment, CDATA)",
    "GET /html?probe=URL": (
        "an HTML page: headings, a table, a data: image, and remote img, stylesheet,"
        " script, iframe and CSS url() all under probe (default http://example.invalid/)"
    ),
    "GET /javascript": "a JavaScript file",
    "GET /css": "a CSS file",
    "GET /charset/{utf-8|latin-1|utf-16}?declare=1": (
        "the same accented text in that charset; declare=0 leaves charset out of"
        " Content-Type (UTF-16 has a BOM)"
    ),
    "GET /encoding/{gzip|deflate|br|zstd|identity}": (
        "the same JSON (about 25 KB) with that Content-Encoding; identity: uncompressed"
    ),
}


def routes() -> list[Route]:
    return [
        Route("/image", image_by_accept),
        Route("/image/{kind}", image),
        Route("/sse", sse),
        Route("/ndjson", ndjson),
        Route("/streams/open", streams_open),
        Route("/xml", xml),
        Route("/html", html_route),
        Route("/javascript", javascript),
        Route("/css", css),
        Route("/charset/{name}", charset),
        Route("/encoding/{name}", encoding),
    ]
