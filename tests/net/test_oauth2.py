"""OAuth 2.0 against the demo authorization server: every grant, caching,
refresh before expiry, retry on 401, PKCE through a loopback redirect."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.core import errors
from app.core.resolved import ClientProfile, ResolvedAuth, ResolvedRequest
from app.net.clients import ClientPool
from app.net.oauth2 import OAuth2Error, OAuth2Tokens
from tests.net.sending import send, status_and_json


def oauth(demo: str, grant: str, *, lifetime: int | None = None, **extra: str) -> ResolvedAuth:
    token_url = f"{demo}/oauth/token" + (f"?expires_in={lifetime}" if lifetime else "")
    return ResolvedAuth(
        "oauth2",
        grant=grant,
        token_url=token_url,
        auth_url=f"{demo}/oauth/authorize",
        client_id="courier-demo",
        client_secret="demo-secret",
        **extra,
    )


async def call_me(pool: ClientPool, profile: ClientProfile) -> tuple[int, dict[str, object]]:
    exchange, _ = await send(pool, profile, ResolvedRequest("GET", "/oauth/me"))
    if exchange.error is not None:
        raise exchange.error
    return status_and_json(exchange)


def test_client_credentials_token_is_cached(demo_server: str) -> None:
    auth = oauth(demo_server, "client_credentials")

    async def main() -> None:
        pool = ClientPool()
        profile = ClientProfile("c", demo_server, auth=auth)
        assert await call_me(pool, profile) == (200, {"client": "courier-demo", "user": ""})
        first = pool.oauth.cached(auth)
        assert first is not None
        await call_me(pool, profile)
        assert pool.oauth.cached(auth) is first, "the cached token is reused"
        assert "•" in first.masked()
        assert first.access_token not in first.masked()
        await pool.aclose()

    asyncio.run(main())


def test_password_grant_and_refresh_before_expiry(demo_server: str) -> None:
    # tokens that live 20 s are "about to expire" (margin 30 s): each use refreshes
    auth = oauth(demo_server, "password", lifetime=20, username="ada", password="lovelace")

    async def main() -> None:
        tokens = OAuth2Tokens()
        first = await tokens.token(auth)
        assert first.refresh_token
        second = await tokens.token(auth)
        assert second.access_token != first.access_token, "refreshed before expiry"
        assert second.refresh_token
        forced = await tokens.token(auth, force=True)
        assert forced.access_token != second.access_token

    asyncio.run(main())


def test_wrong_credentials_are_a_clear_failure(demo_server: str) -> None:
    bad = oauth(demo_server, "password", username="ada", password="nope")
    no_url = ResolvedAuth("oauth2", grant="client_credentials")

    async def main() -> None:
        with pytest.raises(OAuth2Error, match="refused"):
            await OAuth2Tokens().token(bad)
        with pytest.raises(OAuth2Error, match="token URL"):
            await OAuth2Tokens().token(no_url)
        pool = ClientPool()
        with pytest.raises(errors.AuthFailure, match="refused"):
            await call_me(pool, ClientProfile("c", demo_server, auth=bad))
        await pool.aclose()

    asyncio.run(main())


def test_a_401_gets_one_retry_with_a_new_token(demo_server: str) -> None:
    auth = oauth(demo_server, "client_credentials")

    async def main() -> None:
        pool = ClientPool()
        token = await pool.oauth.token(auth)
        token.access_token = "revoked"  # the server no longer knows it
        assert (await call_me(pool, ClientProfile("c", demo_server, auth=auth)))[0] == 200
        await pool.aclose()

    asyncio.run(main())


def test_authorization_code_with_pkce_through_a_loopback_redirect(demo_server: str) -> None:
    opened: list[str] = []

    async def browser(url: str) -> None:
        """Stands in for the system browser: follows the sign-in redirects."""
        opened.append(url)
        async with httpx.AsyncClient(follow_redirects=True) as b:
            page = await b.get(url)
            assert b"Signed in" in page.content

    auth = oauth(demo_server, "authorization_code")

    async def main() -> None:
        pool = ClientPool(OAuth2Tokens(open_browser=browser))
        status, body = await call_me(pool, ClientProfile("c", demo_server, auth=auth))
        assert status == 200
        assert body == {"client": "courier-demo", "user": "ada"}
        await pool.aclose()

    asyncio.run(main())
    assert "code_challenge=" in opened[0]
    assert "code_challenge_method=S256" in opened[0]
    assert "redirect_uri=http%3A%2F%2F127.0.0.1" in opened[0]
