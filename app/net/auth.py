"""ResolvedAuth -> an ``httpx.Auth``.

Basic and Digest are httpx's own classes (Digest answers the server's
challenge), AWS Signature v4 is httpx-auth's, OAuth 2.0 uses Authlib
(``app.net.oauth2``); Bearer and API keys follow httpx's documented pattern for custom
auth: a flow that sets a header or a query parameter on each request.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from httpx_auth import AWS4Auth

from app.core.errors import AuthFailure
from app.core.resolved import ResolvedAuth
from app.net.oauth2 import OAuth2BearerAuth, OAuth2Tokens


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
        return AWS4Auth(
            auth.access_key, auth.secret_key, auth.region or "us-east-1", auth.service, **extra
        )
    if auth.kind == "apikey":
        return APIKeyAuth(auth.key_name or "X-API-Key", auth.key_value, auth.key_in)
    raise AuthFailure(f"Courier does not know the auth type “{auth.kind}”.")
