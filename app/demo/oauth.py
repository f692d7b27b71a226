"""A small OAuth 2.0 authorization server for the demo and the tests.

Grants: client_credentials, password, authorization_code with PKCE (S256; the
authorize step approves at once, it is a demo), refresh_token.  Tokens are
random strings kept in memory; ``/oauth/me`` checks one.  ``?expires_in=N`` on
the token URL shortens a token's life, so refreshing can be shown and tested.
Client: ``courier-demo`` / ``demo-secret``; user: ``ada`` / ``lovelace``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENTS = {"courier-demo": "demo-secret"}
USERS = {"ada": "lovelace"}
DEFAULT_LIFETIME = 3600


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    user: str = "ada"


@dataclass
class OAuthDemo:
    access: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    refresh: dict[str, tuple[str, str]] = field(default_factory=dict)
    codes: dict[str, _Grant] = field(default_factory=dict)
    issued: int = 0

    def _error(self, error: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": error}, status_code=status)

    def _client(self, request: Request, form: dict[str, str]) -> str | None:
        header = request.headers.get("authorization", "")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return None
            client_id, _, secret = decoded.partition(":")
        return client_id if CLIENTS.get(client_id) == secret else None

    def _issue(self, client: str, user: str, lifetime: int, with_refresh: bool) -> JSONResponse:
        self.issued += 1
        token = secrets.token_urlsafe(24)
        self.access[token] = (client, user, time.time() + lifetime)
        body: dict[str, object] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(24)
            self.refresh[refresh] = (client, user)
            body["refresh_token"] = refresh
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def token(self, request: Request) -> Response:
        # parsed by hand: Starlette's form parser needs python-multipart, not worth a dependency
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        client = self._client(request, form)
        if client is None:
            return self._error("invalid_client", 401)
        try:
            lifetime = int(request.query_params.get("expires_in", DEFAULT_LIFETIME))
        except ValueError:
            return self._error("invalid_request")
        grant = form.get("grant_type")
        if grant == "client_credentials":
            return self._issue(client, "", lifetime, with_refresh=False)
        if grant == "password":
            user = form.get("username", "")
            if USERS.get(user) != form.get("password"):
                return self._error("invalid_grant")
            return self._issue(client, user, lifetime, with_refresh=True)
        if grant == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if (
                pending is None
                or pending.client_id != client
                or pending.redirect_uri != form.get("redirect_uri")
                or pending.challenge != challenge
            ):
                return self._error("invalid_grant")
            return self._issue(client, pending.user, lifetime, with_refresh=True)
        if grant == "refresh_token":
            known = self.refresh.get(form.get("refresh_token", ""))
            if known is None or known[0] != client:
                return self._error("invalid_grant")
            return self._issue(client, known[1], lifetime, with_refresh=True)
        return self._error("unsupported_grant_type")

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("response_type") != "code" or q.get("client_id") not in CLIENTS:
            return self._error("invalid_request")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return self._error("PKCE with S256 is required")
        redirect_uri = q.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://127.0.0.1:", "http://localhost:")):
            return self._error("only loopback redirect URIs are allowed")
        code = secrets.token_urlsafe(16)
        self.codes[code] = _Grant(q["client_id"], redirect_uri, q["code_challenge"])
        query = urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

    async def me(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        known = self.access.get(token.strip()) if scheme.lower() == "bearer" else None
        if known is None or known[2] < time.time():
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse({"client": known[0], "user": known[1]})

    def routes(self) -> list[Route]:
        return [
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/oauth/authorize", self.authorize),
            Route("/oauth/me", self.me),
        ]
