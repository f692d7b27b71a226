"""OAuth 2.0 tokens with Authlib: fetched, cached, refreshed before they expire.

Grants: client credentials, password, and authorization code with PKCE through
the system browser and a loopback redirect (RFC 8252): a one-shot HTTP
listener on 127.0.0.1 at a free port receives the code.  The wait for it is
bounded (``sign_in_timeout_s``) and shown by an injected ``SignInPrompt`` with the
address to copy (a machine where no browser opens) and a way to cancel; without a
prompt and without a browser it fails at once instead of waiting.  Tokens live in
memory for the session, keyed by everything that identifies them (token URL,
client, grant, scope, user); a token that expires within ``REFRESH_MARGIN_S``
is refreshed (or fetched again) before use.  Requests carry it as a Bearer
token; a 401 answer makes one more attempt with a fresh token.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import time
import warnings
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import authlib.deprecate  # noqa: F401 - its global "always" filter must come before ours
import httpx
from authlib.common.security import generate_token

with warnings.catch_warnings():
    # Authlib 1.9 announces a move to "httpx2"; its httpx client works as before
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from app.core.resolved import ResolvedAuth
from app.net.sign_in import SIGN_IN_TIMEOUT_S, BrowserOpener, PendingSignIn, SignInPrompt

REFRESH_MARGIN_S = 30.0
CALLBACK_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>Courier</title>"
    b"<body style='font-family:sans-serif;margin:3em'><h2>Signed in.</h2>"
    b"<p>You can close this tab and go back to Courier.</p>"
)


class OAuth2Error(Exception):
    """Getting a token failed; the message says why in words a user understands."""


class SignInTimedOut(OAuth2Error):
    """The browser did not come back with the authorization code in time."""


class SignInCancelled(OAuth2Error):
    """The user cancelled a browser sign-in."""


@dataclass
class Token:
    access_token: str
    refresh_token: str | None
    expires_at: float | None

    def fresh(self) -> bool:
        return self.expires_at is None or self.expires_at - time.time() > REFRESH_MARGIN_S

    def masked(self) -> str:
        shown = self.access_token[:4] + "…" + "•" * 8 if len(self.access_token) > 8 else "•" * 8
        if self.expires_at is None:
            return shown
        left = int(self.expires_at - time.time())
        return f"{shown}  (expires in {max(left, 0) // 60} min {max(left, 0) % 60} s)"


def cache_key(auth: ResolvedAuth) -> str:
    parts = (auth.grant, auth.token_url, auth.client_id, auth.scope, auth.username)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class OAuth2Tokens:
    """The session's OAuth 2.0 tokens, shared by every client of the pool.

    ``open_browser``, ``prompt`` and ``sign_in_timeout_s`` configure the browser
    sign-in and may be set after construction (the window installs its own).
    """

    def __init__(
        self,
        open_browser: BrowserOpener | None = None,
        *,
        prompt: SignInPrompt | None = None,
        sign_in_timeout_s: float = SIGN_IN_TIMEOUT_S,
    ) -> None:
        self.open_browser: BrowserOpener = open_browser or _open_system_browser
        self.prompt = prompt
        self.sign_in_timeout_s = sign_in_timeout_s
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        #: per token: how many fetches failed, and the last failure (shared with waiters)
        self._failures: dict[str, tuple[int, OAuth2Error]] = {}

    def cached(self, auth: ResolvedAuth) -> Token | None:
        return self._tokens.get(cache_key(auth))

    def forget(self, auth: ResolvedAuth) -> None:
        self._tokens.pop(cache_key(auth), None)

    async def token(
        self,
        auth: ResolvedAuth,
        *,
        force: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Token:
        """A usable token: cached, refreshed, or fetched (``force``: always a new one).

        ``transport`` is the collection's: token requests go out with its TLS
        settings, client certificate and proxy.
        """
        key = cache_key(auth)
        lock = self._locks.setdefault(key, asyncio.Lock())
        failures_before = self._failures.get(key, (0, None))[0]
        async with lock:  # one fetch at a time per token, however many requests wait
            failures, failure = self._failures.get(key, (0, None))
            if failures != failures_before and failure is not None:
                # the fetch this request waited for failed (a cancelled or timed-out
                # sign-in): the same answer, not a second browser sign-in straight after
                raise failure
            current = self._tokens.get(key)
            if current is not None and not force and current.fresh():
                return current
            token: Token | None = None
            if current is not None and current.refresh_token and not force:
                token = await self._refresh(auth, current.refresh_token, transport)
            if token is None:
                try:
                    token = await self._fetch(auth, transport)
                except OAuth2Error as exc:
                    self._failures[key] = (failures + 1, exc)
                    raise
            self._tokens[key] = token
            return token

    def _client(
        self, auth: ResolvedAuth, transport: httpx.AsyncBaseTransport | None, **extra: Any
    ) -> AsyncOAuth2Client:
        if not auth.token_url:
            raise OAuth2Error("OAuth 2.0 needs a token URL.")
        if transport is not None:
            extra["transport"] = transport
        return AsyncOAuth2Client(
            client_id=auth.client_id or None,
            client_secret=auth.client_secret or None,
            scope=auth.scope or None,
            timeout=30.0,
            **extra,
        )

    async def _fetch(
        self, auth: ResolvedAuth, transport: httpx.AsyncBaseTransport | None = None
    ) -> Token:
        try:
            if auth.grant == "client_credentials":
                async with self._client(auth, transport) as client:
                    data = await client.fetch_token(auth.token_url, grant_type="client_credentials")
            elif auth.grant == "password":
                async with self._client(auth, transport) as client:
                    data = await client.fetch_token(
                        auth.token_url, username=auth.username, password=auth.password
                    )
            elif auth.grant == "authorization_code":
                data = await self._authorization_code(auth, transport)
            else:
                raise OAuth2Error(f"Unknown OAuth 2.0 grant “{auth.grant}”.")
        except OAuth2Error:
            raise
        except httpx.HTTPStatusError as exc:
            raise OAuth2Error(
                f"The authorization server refused: HTTP {exc.response.status_code} "
                f"{exc.response.text[:200]}"
            ) from exc
        except httpx.HTTPError as exc:
            raise OAuth2Error(f"Could not reach the token URL {auth.token_url}: {exc}") from exc
        except Exception as exc:  # authlib reports the server's OAuth error this way
            raise OAuth2Error(f"The authorization server refused: {exc}") from exc
        return _token_from(data)

    async def _refresh(
        self,
        auth: ResolvedAuth,
        refresh_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Token | None:
        try:
            async with self._client(auth, transport) as client:
                data = await client.refresh_token(auth.token_url, refresh_token=refresh_token)
        except Exception:
            return None  # the refresh token is no good any more: fetch a new token instead
        token = _token_from(data)
        if token.refresh_token is None:
            token.refresh_token = refresh_token
        return token

    async def _authorization_code(
        self, auth: ResolvedAuth, transport: httpx.AsyncBaseTransport | None = None
    ) -> dict[str, Any]:
        if not auth.auth_url:
            raise OAuth2Error("The authorization code grant needs an authorization URL.")
        verifier = generate_token(64)
        async with (
            LoopbackRedirect() as redirect,
            self._client(
                auth, transport, redirect_uri=redirect.uri, code_challenge_method="S256"
            ) as client,
        ):
            url, state = client.create_authorization_url(auth.auth_url, code_verifier=verifier)
            params = await self._sign_in(url, redirect)
            if params.get("state") != state:
                raise OAuth2Error("The authorization answer does not match (state differs).")
            if "error" in params:
                raise OAuth2Error(f"Authorization was refused: {params['error']}")
            data: dict[str, Any] = await client.fetch_token(
                auth.token_url,
                code=params.get("code", ""),
                code_verifier=verifier,
                redirect_uri=redirect.uri,
            )
            return data

    async def _sign_in(self, url: str, redirect: LoopbackRedirect) -> dict[str, str]:
        """Open ``url`` in a browser, show the prompt, wait (bounded) for the redirect."""
        opened = await _try_open(self.open_browser, url)
        prompt = self.prompt
        if not opened and prompt is None:
            raise OAuth2Error(
                "No web browser could be opened for the OAuth 2.0 sign-in (authorization "
                "code with PKCE), so nobody can sign in: use Get new token in Courier's "
                "window, which shows the address to open, or another grant."
            )
        timeout = self.sign_in_timeout_s
        pending = PendingSignIn(url, opened, timeout, _cancel=redirect.cancel)
        if prompt is not None:
            prompt.sign_in_started(pending)
        try:
            params = await redirect.wait(timeout)
        except SignInTimedOut:
            pending.outcome = "timed out"
            raise
        except SignInCancelled:
            pending.outcome = "cancelled"
            raise
        except BaseException:  # stopped (the exchange was cancelled) or failed
            pending.outcome = "stopped"
            raise
        finally:
            if prompt is not None:
                prompt.sign_in_ended(pending)
        pending.outcome = "refused" if "error" in params else "signed in"
        return params


def _token_from(data: dict[str, Any]) -> Token:
    access = data.get("access_token")
    if not access:
        raise OAuth2Error("The authorization server answered without an access token.")
    expires_at = data.get("expires_at")
    if expires_at is None and data.get("expires_in") is not None:
        expires_at = time.time() + float(data["expires_in"])
    return Token(str(access), data.get("refresh_token"), float(expires_at) if expires_at else None)


async def _try_open(opener: BrowserOpener, url: str) -> bool:
    """Did ``opener`` open ``url``?  An exception or False means no browser opened."""
    try:
        result = opener(url)
        if inspect.isawaitable(result):
            result = await result
    except asyncio.CancelledError:
        raise
    except Exception:
        return False
    return result is not False


async def _open_system_browser(url: str) -> bool:
    """Python's ``webbrowser`` (in a worker: some browsers block while they start);
    False where it finds none (a server, a container, a session without a display)."""
    import webbrowser

    def run() -> bool:
        try:
            return bool(webbrowser.open(url))
        except (webbrowser.Error, OSError):
            return False

    return await asyncio.to_thread(run)


class LoopbackRedirect:
    """A one-shot HTTP listener on 127.0.0.1 that receives the authorization redirect."""

    def __init__(self) -> None:
        self._server: asyncio.base_events.Server | None = None
        self._result: asyncio.Future[dict[str, str]] | None = None
        self.uri = ""

    async def __aenter__(self) -> LoopbackRedirect:
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.uri = f"http://127.0.0.1:{port}/callback"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cancel(self) -> None:
        """The user gave up: ``wait`` ends with ``SignInCancelled``."""
        if self._result is not None and not self._result.done():
            self._result.set_exception(SignInCancelled("Sign-in cancelled."))

    async def wait(self, within_s: float) -> dict[str, str]:
        assert self._result is not None
        try:
            return await asyncio.wait_for(self._result, within_s)
        except TimeoutError:
            pass  # raised below, outside this block: the error's details name no timeout chain
        raise SignInTimedOut(
            f"Sign-in timed out: the browser did not come back to Courier within "
            f"{within_s:g} s. Get a new token (or send again) to sign in again."
        )

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 10)
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass
            target = line.split(b" ")[1].decode() if line.count(b" ") >= 2 else "/"
            query = parse_qs(urlsplit(target).query)
            params = {k: v[0] for k, v in query.items()}
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Connection: close\r\nContent-Length: "
                + str(len(CALLBACK_PAGE)).encode()
                + b"\r\n\r\n"
                + CALLBACK_PAGE
            )
            await writer.drain()
            if ("code" in params or "error" in params) and self._result and not self._result.done():
                self._result.set_result(params)
        except (TimeoutError, OSError, IndexError):
            pass
        finally:
            writer.close()


class OAuth2BearerAuth(httpx.Auth):
    """Sends the OAuth 2.0 access token; on a 401, once more with a new token."""

    def __init__(
        self,
        tokens: OAuth2Tokens,
        auth: ResolvedAuth,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._tokens = tokens
        self._auth = auth
        self._transport = transport

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._tokens.token(self._auth, transport=self._transport)
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            token = await self._tokens.token(self._auth, force=True, transport=self._transport)
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            yield request
