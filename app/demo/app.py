"""The built-in demo API: a JSON placeholder service plus httpbin-style test routes.

Courier ships it so a new user (who may be offline) has something real to
send requests to, and the test suite reuses it as its server.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import json
import random
import secrets
import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from app.demo.streams import streamed

MAX_BYTES = 200 * 1024 * 1024
MAX_DELAY = 10.0
CHUNK = 64 * 1024

ROUTES_HELP = {
    "GET /posts": "100 posts (filter with ?userId=)",
    "GET /posts/{id}": "one post",
    "POST /posts": "create: answers 201 with your JSON and id 101",
    "PUT|PATCH /posts/{id}": "replace or update a post",
    "DELETE /posts/{id}": "delete a post",
    "ANY /anything": "echo of the request: method, args, headers, body, json, form",
    "GET /get": "echo of a GET request",
    "GET /headers": "the request headers",
    "GET /status/{code}": "answers with that status",
    "GET /delay/{seconds}": "answers after a delay (max 10 s)",
    "GET /bytes/{n}?seed=": (
        "n random bytes (max 200 MiB), streamed; the same for the same seed (sent back in X-Seed)"
    ),
    "GET /attachment/{name}?size=n&seed=": "n random bytes as a file to save (Content-Disposition)",
    "GET /stream/{n}": "n JSON lines, chunked, 50 ms apart",
    "GET /drip": "a slow body: ?numbytes=&duration=",
    "GET /basic-auth/{user}/{password}": "200 with the right Basic credentials, else 401",
    "GET /bearer": "200 with any Bearer token, else 401",
    "GET /digest-auth/{user}/{password}": "HTTP Digest (MD5, qop=auth)",
    "GET /api-key": "200 with X-API-Key: demo-key (header) or ?api_key=demo-key",
    "GET /redirect/{n}": "n redirects, then /get",
    "ANY /redirect-to?url=&status_code=302": "redirects to url (301, 302, 303, 307 or 308)",
    "GET /gzip-bomb?gb=10": "gzip body (Content-Encoding) that decodes to gb GiB of zeros",
    "GET /broken/{n}": "promises 2n bytes, sends n, hangs up (what a failed download looks like)",
    "POST /upload": "size, SHA-256 and content type of the body (streamed, any size)",
    "POST /upload/multipart": "per part: name, file name, content type, size and SHA-256",
    "GET /cookies": "the cookies the request carried",
    "POST /oauth/token": "OAuth 2.0 tokens (client courier-demo / demo-secret, user ada)",
    "GET /oauth/authorize": "OAuth 2.0 authorization (PKCE S256, approves at once)",
    "GET /oauth/me": "200 with a valid OAuth 2.0 access token",
    "ANY /aws/...": "checks AWS Signature v4 (AKIDCOURIERDEMO / courier/demo/secret/key)",
    "GET /cookies/set?name=value": "sets the query parameters as session cookies",
    "GET /cookies/keep?name=value": "sets the query parameters as cookies that last a day",
}

_WORDS = tuple(
    [
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
        "sed",
        "do",
        "eiusmod",
        "tempor",
        "incididunt",
        "ut",
        "labore",
        "et",
        "dolore",
        "magna",
        "aliqua",
        "enim",
        "ad",
        "minim",
        "veniam",
        "quis",
        "nostrud",
    ]
)


def _post(post_id: int) -> dict[str, Any]:
    rng = random.Random(post_id)
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7)))
    body = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(15, 30)))
    return {"userId": (post_id - 1) // 10 + 1, "id": post_id, "title": title, "body": body}


POSTS = [_post(i) for i in range(1, 101)]


async def index(request: Request) -> JSONResponse:
    from app.demo import big, viewers

    routes = {**ROUTES_HELP, **viewers.ROUTES_HELP, **big.ROUTES_HELP}
    return JSONResponse({"name": "Courier demo server", "routes": routes})


def _post_id(request: Request) -> int | None:
    try:
        post_id = int(request.path_params["post_id"])
    except ValueError:
        return None
    return post_id if 1 <= post_id <= len(POSTS) else None


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return None


async def posts(request: Request) -> Response:
    if request.method == "POST":
        data = await _json_body(request)
        if not isinstance(data, dict):
            return JSONResponse({"error": "send a JSON object"}, status_code=400)
        return JSONResponse({**data, "id": len(POSTS) + 1}, status_code=201)
    user = request.query_params.get("userId")
    found = [p for p in POSTS if user is None or str(p["userId"]) == user]
    return JSONResponse(found)


async def post(request: Request) -> Response:
    post_id = _post_id(request)
    if post_id is None:
        return JSONResponse({"error": "no such post"}, status_code=404)
    current = POSTS[post_id - 1]
    if request.method == "GET":
        return JSONResponse(current)
    if request.method == "DELETE":
        return JSONResponse({})
    data = await _json_body(request)
    if not isinstance(data, dict):
        return JSONResponse({"error": "send a JSON object"}, status_code=400)
    if request.method == "PUT":
        return JSONResponse({**data, "id": post_id})
    return JSONResponse({**current, **data, "id": post_id})


async def _echo(request: Request) -> dict[str, Any]:
    raw = await request.body()
    text = raw.decode("utf-8", errors="replace")
    echo: dict[str, Any] = {
        "method": request.method,
        "url": str(request.url),
        "args": dict(request.query_params.multi_items()),
        "headers": _headers(request),
        "body": text,
        "json": None,
        "form": {},
    }
    content_type = request.headers.get("content-type", "")
    if "json" in content_type and raw:
        with contextlib.suppress(ValueError):
            echo["json"] = json.loads(raw)
    elif "x-www-form-urlencoded" in content_type:
        echo["form"] = dict(parse_qsl(text, keep_blank_values=True))
    return echo


def _headers(request: Request) -> dict[str, str]:
    """The request headers by lower-case name; repeated ones joined (cookies by "; ",
    which is how HTTP/2 may split them), so an echo never hides a value."""
    joined: dict[str, str] = {}
    for name, value in request.headers.items():
        if name in joined:
            joined[name] += ("; " if name == "cookie" else ", ") + value
        else:
            joined[name] = value
    return joined


async def anything(request: Request) -> JSONResponse:
    return JSONResponse(await _echo(request))


async def headers(request: Request) -> JSONResponse:
    return JSONResponse({"headers": _headers(request)})


async def status(request: Request) -> Response:
    try:
        code = int(request.path_params["code"])
    except ValueError:
        return JSONResponse({"error": "the status must be a number"}, status_code=400)
    if not 100 <= code <= 599:
        return JSONResponse({"error": "status must be 100-599"}, status_code=400)
    if code == 418:
        return PlainTextResponse("I'm a teapot\n", status_code=418)
    return Response(status_code=code)


async def delay(request: Request) -> JSONResponse:
    try:
        seconds = min(float(request.path_params["seconds"]), MAX_DELAY)
    except ValueError:
        return JSONResponse({"error": "the delay must be a number"}, status_code=400)
    await asyncio.sleep(max(seconds, 0.0))
    return JSONResponse({"delayed_s": seconds, **await _echo(request)})


def seeded_bytes(seed: str, size: int) -> Iterator[bytes]:
    """``size`` pseudo-random bytes from ``seed``, in chunks of CHUNK: ``/bytes/{n}?seed=``
    sends exactly these, so a test can compute what it should receive."""
    rng = random.Random(seed)
    left = size
    while left > 0:
        piece = rng.randbytes(min(CHUNK, left))
        left -= len(piece)
        yield piece


async def byte_stream(request: Request) -> Response:
    try:
        size = int(request.path_params["n"])
    except ValueError:
        return JSONResponse({"error": "the size must be a number"}, status_code=400)
    return _bytes_response(size, request.query_params.get("seed"))


def _bytes_response(size: int, seed: str | None, headers: dict[str, str] | None = None) -> Response:
    """Random bytes (seeded: the same every time), streamed, with Content-Length and
    the seed used in X-Seed (a random one when none was asked for)."""
    if not 0 <= size <= MAX_BYTES:
        return JSONResponse({"error": f"size must be 0-{MAX_BYTES}"}, status_code=400)
    if seed is None:
        seed = secrets.token_hex(8)

    return StreamingResponse(
        streamed("bytes", seeded_bytes(seed, size)),
        media_type="application/octet-stream",
        headers={"Content-Length": str(size), "X-Seed": seed, **(headers or {})},
    )


async def attachment(request: Request) -> Response:
    """``/bytes/{n}`` as a file to save: ``Content-Disposition: attachment`` with the name."""
    name = request.path_params["name"]
    try:
        size = int(request.query_params.get("size", "1024"))
    except ValueError:
        return JSONResponse({"error": "the size must be a number"}, status_code=400)
    disposition = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    seed = request.query_params.get("seed")
    return _bytes_response(size, seed, {"Content-Disposition": disposition})


async def stream(request: Request) -> Response:
    try:
        count = min(int(request.path_params["n"]), 10_000)
    except ValueError:
        return JSONResponse({"error": "the count must be a number"}, status_code=400)

    async def lines() -> AsyncIterator[bytes]:
        for i in range(count):
            yield (json.dumps({"id": i, "url": str(request.url)}) + "\n").encode()
            await asyncio.sleep(0.05)

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def drip(request: Request) -> Response:
    try:
        numbytes = min(int(request.query_params.get("numbytes", "10")), 10_000)
        duration = min(float(request.query_params.get("duration", "2")), 60.0)
    except ValueError:
        return JSONResponse({"error": "numbytes and duration must be numbers"}, status_code=400)
    pause = duration / max(numbytes, 1)

    async def drops() -> AsyncIterator[bytes]:
        for _ in range(numbytes):
            await asyncio.sleep(pause)
            yield b"*"

    return StreamingResponse(
        drops(),
        media_type="application/octet-stream",
        headers={"Content-Length": str(numbytes)},
    )


async def basic_auth(request: Request) -> Response:
    user, password = request.path_params["user"], request.path_params["password"]
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    if request.headers.get("authorization") == expected:
        return JSONResponse({"authenticated": True, "user": user})
    return JSONResponse(
        {"authenticated": False},
        status_code=401,
        headers={"WWW-Authenticate": 'Basic realm="Courier demo"'},
    )


async def bearer(request: Request) -> Response:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return JSONResponse({"authenticated": True, "token": token.strip()})
    return JSONResponse(
        {"authenticated": False}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )


DIGEST_REALM = "courier-demo"


def _digest_fields(header: str) -> dict[str, str]:
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "digest":
        return {}
    out: dict[str, str] = {}
    for part in _split_commas(rest):
        name, _, value = part.strip().partition("=")
        out[name.strip().lower()] = value.strip().strip('"')
    return out


def _split_commas(text: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


async def digest_auth(request: Request) -> Response:
    """RFC 7616 Digest (MD5, qop=auth): 401 with a challenge, 200 with a right answer."""
    user, password = request.path_params["user"], request.path_params["password"]
    got = _digest_fields(request.headers.get("authorization", ""))
    if got.get("username") == user and got.get("nonce"):

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{user}:{DIGEST_REALM}:{password}")
        ha2 = md5(f"{request.method}:{got.get('uri', '')}")
        expected = md5(
            f"{ha1}:{got['nonce']}:{got.get('nc', '')}:{got.get('cnonce', '')}:auth:{ha2}"
        )
        if got.get("response") == expected:
            return JSONResponse({"authenticated": True, "user": user})
    nonce = secrets.token_hex(16)
    challenge = f'Digest realm="{DIGEST_REALM}", qop="auth", nonce="{nonce}", algorithm=MD5'
    return JSONResponse(
        {"authenticated": False}, status_code=401, headers={"WWW-Authenticate": challenge}
    )


DEMO_API_KEY = "demo-key"


async def api_key(request: Request) -> Response:
    """200 when the key 'demo-key' comes as header X-API-Key or query parameter api_key."""
    header = request.headers.get("x-api-key")
    query = request.query_params.get("api_key")
    if DEMO_API_KEY in (header, query):
        return JSONResponse({"authenticated": True, "via": "header" if header else "query"})
    return JSONResponse({"authenticated": False}, status_code=401)


async def cookies(request: Request) -> JSONResponse:
    return JSONResponse({"cookies": dict(request.cookies)})


async def set_cookies(request: Request) -> JSONResponse:
    """Sets every query parameter as a session cookie (?flavour=oat&size=big)."""
    response = JSONResponse({"set": dict(request.query_params)})
    for name, value in request.query_params.items():
        response.set_cookie(name, value, path="/")
    return response


async def keep_cookies(request: Request) -> JSONResponse:
    """Sets every query parameter as a cookie with Max-Age (a day): kept between runs."""
    response = JSONResponse({"set": dict(request.query_params)})
    for name, value in request.query_params.items():
        response.set_cookie(name, value, max_age=86400, path="/")
    return response


async def broken(request: Request) -> Response:
    """Content-Length says 2n, the body ends after n: the server closes mid-body."""
    try:
        size = int(request.path_params["n"])
    except ValueError:
        return JSONResponse({"error": "the size must be a number"}, status_code=400)
    if not 1 <= size <= MAX_BYTES // 2:
        return JSONResponse({"error": f"size must be 1-{MAX_BYTES // 2}"}, status_code=400)

    return StreamingResponse(
        streamed("bytes", seeded_bytes("broken", size)),
        media_type="application/octet-stream",
        headers={"Content-Length": str(2 * size)},
    )


async def redirect(request: Request) -> Response:
    try:
        left = int(request.path_params["n"])
    except ValueError:
        return JSONResponse({"error": "the count must be a number"}, status_code=400)
    target = "/get" if left <= 1 else f"/redirect/{left - 1}"
    return RedirectResponse(target, status_code=302)


REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


async def redirect_to(request: Request) -> Response:
    """httpbin's /redirect-to: answers ``status_code`` (302 by default) with
    ``Location: url``, whatever the method, so a test can follow any hop anywhere."""
    url = request.query_params.get("url")
    if not url:
        return JSONResponse({"error": "give the target as ?url="}, status_code=400)
    try:
        code = int(request.query_params.get("status_code", "302"))
    except ValueError:
        code = 0
    if code not in REDIRECT_CODES:
        return JSONResponse(
            {"error": f"status_code must be one of {sorted(REDIRECT_CODES)}"}, status_code=400
        )
    # read (and drop) the body first: a server that answers while a client is still
    # uploading, then closes, resets the connection, and the reset can discard the answer
    async for _chunk in request.stream():
        pass
    return Response(status_code=code, headers={"Location": url})


MIB = 1 << 20
GIB = 1 << 30
MAX_BOMB_GB = 100.0
_BOMB_BLOCKS_PER_CHUNK = 16


@functools.cache
def _gzip_bomb_parts() -> tuple[bytes, bytes]:
    """The gzip header, and the deflate bytes of 1 MiB of zeros after a full flush.

    A full flush resets the compressor's history, so every further MiB of zeros
    compresses to the same ~1 KB block: a body of any size is that block repeated,
    computed once per process.
    """
    zeros = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    if not first.endswith(block) or block != compressor.compress(zeros) + compressor.flush(
        zlib.Z_FULL_FLUSH
    ):
        raise RuntimeError("zlib no longer repeats a fully flushed block")
    return first[: len(first) - len(block)], block


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc32(A), crc32(B) and len(B) (zlib's crc32_combine)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


@functools.lru_cache(maxsize=64)
def crc32_of_zeros(size: int) -> int:
    """CRC-32 of ``size`` zero bytes, in O(log size) without touching them."""
    if size <= MIB:
        return zlib.crc32(bytes(size))
    half = size // 2
    crc_half = crc32_of_zeros(half)
    crc = crc32_combine(crc_half, crc_half, half)
    return crc32_combine(crc, zlib.crc32(b"\0"), 1) if size % 2 else crc


async def gzip_bomb(request: Request) -> Response:
    """``Content-Encoding: gzip`` whose body inflates to ``gb`` GiB of zeros (~1000:1),
    streamed without Content-Length; the trailer's CRC-32 and size are right for
    every size, so a client that inflates it all sees a valid gzip member."""
    try:
        gb = float(request.query_params.get("gb", "10"))
    except ValueError:
        gb = -1.0
    if not 0 <= gb <= MAX_BOMB_GB:
        return JSONResponse({"error": f"gb must be 0-{MAX_BOMB_GB:g}"}, status_code=400)
    size = round(gb * GIB)
    whole, rest = divmod(size, MIB)
    header, block = _gzip_bomb_parts()

    async def body() -> AsyncIterator[bytes]:
        yield header
        left = whole
        while left > 0:
            count = min(left, _BOMB_BLOCKS_PER_CHUNK)
            left -= count
            yield block * count
        # after a full flush a fresh raw deflate stream may follow: it ends the member
        tail = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = tail.compress(bytes(rest)) + tail.flush()
        yield last + struct.pack("<II", crc32_of_zeros(size), size & 0xFFFFFFFF)

    return StreamingResponse(
        body(),
        media_type="application/octet-stream",
        headers={"Content-Encoding": "gzip", "X-Decoded-Length": str(size)},
    )


def create_demo_app() -> Starlette:
    from app.demo import aws, big, uploads, viewers
    from app.demo.oauth import OAuthDemo

    return Starlette(
        routes=[
            *OAuthDemo().routes(),
            *aws.routes(),
            *uploads.routes(),
            *viewers.routes(),
            *big.routes(),
            Route("/", index),
            Route("/posts", posts, methods=["GET", "POST"]),
            Route("/posts/{post_id}", post, methods=["GET", "PUT", "PATCH", "DELETE"]),
            Route(
                "/anything",
                anything,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            ),
            Route(
                "/anything/{rest:path}", anything, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
            ),
            Route("/get", anything, methods=["GET"]),
            Route("/headers", headers),
            Route("/status/{code}", status, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/delay/{seconds}", delay, methods=["GET", "POST"]),
            Route("/bytes/{n}", byte_stream),
            Route("/attachment/{name}", attachment),
            Route("/stream/{n}", stream),
            Route("/drip", drip),
            Route("/basic-auth/{user}/{password}", basic_auth),
            Route("/bearer", bearer),
            Route("/digest-auth/{user}/{password}", digest_auth),
            Route("/api-key", api_key),
            Route("/cookies", cookies),
            Route("/cookies/set", set_cookies),
            Route("/cookies/keep", keep_cookies),
            Route("/redirect/{n}", redirect),
            Route(
                "/redirect-to",
                redirect_to,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            ),
            Route("/gzip-bomb", gzip_bomb),
            Route("/broken/{n}", broken),
        ]
    )
