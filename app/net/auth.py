"""ResolvedAuth -> an ``httpx.Auth``.

Basic and Digest are httpx's own classes (Digest answers the server's
challenge), AWS Signature v4 is httpx-auth's, OAuth 2.0 uses Authlib
(``app.net.oauth2``); Bearer and API keys follow httpx's documented pattern for custom
auth: a flow that sets a header or a query parameter on each request.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
from collections.abc import AsyncGenerator, Generator

import httpx
from httpx_auth import AWS4Auth
from httpx_auth import _aws as aws_signing

from app.core.errors import AuthFailure
from app.core.resolved import ResolvedAuth
from app.net.oauth2 import OAuth2BearerAuth, OAuth2Tokens
from app.net.uploads import UploadStream, payload_sha256


class BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class APIKeyAuth(httpx.Auth):
    def __init__(self, name: str, value: str, where: str) -> None:
        self._name = name
        self._value = value
        self._where = where

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._where == "query":
            request.url = request.url.copy_add_param(self._name, self._value)
        else:
            request.headers[self._name] = self._value
        yield request


def build_auth(
    auth: ResolvedAuth | None,
    oauth: OAuth2Tokens | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.Auth | None:
    """The httpx auth for ``auth``.

    OAuth 2.0 needs the pool's token cache (``oauth``) and the collection's
    transport, so token requests use its TLS settings, certificates and proxy.
    """
    if auth is None:
        return None
    if auth.kind == "oauth2":
        tokens = oauth if oauth is not None else OAuth2Tokens()
        return OAuth2BearerAuth(tokens, auth, transport)
    if auth.kind == "basic":
        return httpx.BasicAuth(auth.username, auth.password)
    if auth.kind == "digest":
        return httpx.DigestAuth(auth.username, auth.password)
    if auth.kind == "bearer":
        return BearerAuth(auth.token)
    if auth.kind == "aws-sigv4":
        if not auth.secret_key:
            raise AuthFailure("AWS Signature v4 needs a secret access key.")
        extra = {"security_token": auth.session_token} if auth.session_token else {}
        return StreamingAWS4Auth(
            auth.access_key, auth.secret_key, auth.region or "us-east-1", auth.service, **extra
        )
    if auth.kind == "apikey":
        return APIKeyAuth(auth.key_name or "X-API-Key", auth.key_value, auth.key_in)
    raise AuthFailure(f"Courier does not know the auth type “{auth.kind}”.")


class StreamingAWS4Auth(AWS4Auth):
    """httpx-auth's AWS Signature v4, without holding a file body in memory.

    SigV4 signs the SHA-256 of the payload (``x-amz-content-sha256``), and
    httpx-auth reads the whole body to hash it: a 2 GiB file upload would sit
    in memory.  For Courier's streamed file and multipart bodies the hash is
    computed in a worker thread by reading the files once (kept on the stream
    for redirect hops), then the body streams from disk as it is sent.  Other
    bodies are signed by httpx-auth's own flow.
    """

    requires_request_body = False  # read below, only when the body is not a file

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        stream = request.stream
        if isinstance(stream, UploadStream):
            if stream.payload_sha256 is None:
                stream.payload_sha256 = await asyncio.to_thread(payload_sha256, stream.prepared)
            yield self._signed(request, stream.payload_sha256)
            return
        await request.aread()
        for signed in self.auth_flow(request):
            yield signed

    def _signed(self, request: httpx.Request, payload_hash: str) -> httpx.Request:
        """httpx-auth's ``auth_flow``, with the payload's hash given rather than read."""
        date = datetime.datetime.now(datetime.UTC)
        request.headers["x-amz-date"] = date.strftime("%Y%m%dT%H%M%SZ")
        request.headers["x-amz-content-sha256"] = payload_hash
        if self.security_token:
            request.headers["x-amz-security-token"] = self.security_token
        canonical_headers, signed_headers = aws_signing.canonical_and_signed_headers(
            request.headers, self.include_headers
        )
        canonical_request = self._canonical_request(request, canonical_headers, signed_headers)
        scope = f"{date.strftime('%Y%m%d')}/{self.region}/{self.service}/aws4_request"
        string_to_sign = aws_signing._string_to_sign(request, canonical_request, scope)
        key = aws_signing._signing_key(
            self.secret_key, self.region, self.service, date.strftime("%Y%m%d")
        )
        signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        return request
