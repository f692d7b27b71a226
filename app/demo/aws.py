"""A server-side check of AWS Signature Version 4, for the demo and the tests.

Written from AWS's specification ("Create a signed AWS API request"), apart
from the client's signer, so a test proves the two agree.  Demo credentials:
access key ``AKIDCOURIERDEMO``, secret ``courier/demo/secret/key``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ACCESS_KEY = "AKIDCOURIERDEMO"
SECRET_KEY = "courier/demo/secret/key"
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), ?"
    r"SignedHeaders=(?P<headers>[^,]+), ?Signature=(?P<signature>[0-9a-f]+)"
)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(
    request_method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    signed_headers: list[str],
    payload_hash: str,
    amz_date: str,
    scope: str,
    secret: str,
) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_headers
    )
    canonical_request = "\n".join(
        [
            request_method,
            quote(path, safe="/-_.~"),
            canonical_query,
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    date, region, service, _terminal = scope.split("/")
    key = _hmac(("AWS4" + secret).encode(), date)
    key = _hmac(_hmac(_hmac(key, region), service), "aws4_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


async def check(request: Request) -> Response:
    match = _AUTH.fullmatch(request.headers.get("authorization", "").strip())
    if match is None or match["key"] != ACCESS_KEY:
        return JSONResponse({"error": "missing or unknown AWS SigV4 credentials"}, status_code=403)
    body = await request.body()
    payload_hash = request.headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    if payload_hash != hashlib.sha256(body).hexdigest():
        return JSONResponse({"error": "the payload hash does not match the body"}, status_code=403)
    headers = {k.lower(): v for k, v in request.headers.items()}
    signature = expected_signature(
        request.method,
        request.url.path,
        request.url.query,
        headers,
        match["headers"].split(";"),
        payload_hash,
        headers.get("x-amz-date", ""),
        match["scope"],
        SECRET_KEY,
    )
    if not hmac.compare_digest(signature, match["signature"]):
        return JSONResponse({"error": "the signature does not match"}, status_code=403)
    _date, region, service, _ = match["scope"].split("/")
    return JSONResponse({"authenticated": True, "region": region, "service": service})


def routes() -> list[Route]:
    return [Route("/aws/{rest:path}", check, methods=["GET", "POST", "PUT", "DELETE"])]
