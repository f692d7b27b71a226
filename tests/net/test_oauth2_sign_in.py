"""The OAuth 2.0 browser sign-in (authorization code with PKCE) against the demo
authorization server: the prompt gets the address to open (also when no browser
opens), the "browser" is a real HTTP GET that follows the demo's redirect to
Courier's loopback callback, the wait is bounded and can be cancelled, and every
way it ends is reported to the prompt."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.core import errors
from app.core.resolved import ClientProfile, ResolvedAuth, ResolvedRequest
from app.net.clients import ClientPool
from app.net.exchange import ExchangeState
from app.net.oauth2 import OAuth2Error, OAuth2Tokens, SignInCancelled, SignInTimedOut
from app.net.sign_in import PendingSignIn
from tests.net.sending import send, status_and_json


def pkce(demo: str) -> ResolvedAuth:
    return ResolvedAuth(
        "oauth2",
        grant="authorization_code",
        token_url=f"{demo}/oauth/token",
        auth_url=f"{demo}/oauth/authorize",
        client_id="courier-demo",
        client_secret="demo-secret",
    )


async def sign_in_as_a_browser_would(url: str) -> httpx.Response:
    """A real GET of the authorization URL, following the server's redirect to the
    loopback callback, as the browser does once the user approves."""
    async with httpx.AsyncClient(follow_redirects=True) as browser:
        return await browser.get(url)


class Prompt:
    """Records what a user would see; ``action`` runs when a sign-in starts."""

    def __init__(self, action: str = "sign in") -> None:
        self.action = action
        self.started: list[PendingSignIn] = []
        self.ended: list[PendingSignIn] = []
        self.pages: list[httpx.Response] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def sign_in_started(self, pending: PendingSignIn) -> None:
        self.started.append(pending)
        if self.action == "sign in":
            task = asyncio.ensure_future(self._browse(pending.url))
            self._tasks.add(task)
        elif self.action == "cancel":
            asyncio.get_running_loop().call_later(0.05, pending.cancel)

    async def _browse(self, url: str) -> None:
        self.pages.append(await sign_in_as_a_browser_would(url))

    def sign_in_ended(self, pending: PendingSignIn) -> None:
        self.ended.append(pending)


def no_browser(url: str) -> bool:
    return False


def broken_browser(url: str) -> bool:
    raise OSError("xdg-open: no method available for opening the URL")


def loopback_port(pending: PendingSignIn) -> int:
    redirect = parse_qs(urlsplit(pending.url).query)["redirect_uri"][0]
    port = urlsplit(redirect).port
    assert port is not None
    return port


@pytest.mark.parametrize("opener", [no_browser, broken_browser])
def test_without_a_browser_the_prompt_gets_the_address_and_signing_in_there_works(
    demo_server: str, opener: object
) -> None:
    prompt = Prompt("sign in")

    async def main() -> tuple[int, object]:
        pool = ClientPool(OAuth2Tokens(open_browser=opener, prompt=prompt))  # type: ignore[arg-type]
        try:
            exchange, _ = await send(
                pool, ClientProfile("c", demo_server, auth=pkce(demo_server)), me()
            )
            return status_and_json(exchange)
        finally:
            await pool.aclose()

    assert asyncio.run(main()) == (200, {"client": "courier-demo", "user": "ada"})
    [pending] = prompt.started
    assert pending.browser_opened is False
    assert pending.url.startswith(f"{demo_server}/oauth/authorize?")
    assert "code_challenge_method=S256" in pending.url
    assert prompt.ended == [pending]
    assert pending.outcome == "signed in"
    assert b"Signed in" in prompt.pages[0].content, "the browser tab says so"


def me() -> ResolvedRequest:
    return ResolvedRequest("GET", "/oauth/me")


def test_an_opened_browser_is_reported_to_the_prompt_too(demo_server: str) -> None:
    opened: list[str] = []
    prompt = Prompt("sign in")

    def browser(url: str) -> bool:
        opened.append(url)
        return True

    async def main() -> str:
        tokens = OAuth2Tokens(open_browser=browser, prompt=prompt)
        return (await tokens.token(pkce(demo_server))).access_token

    assert asyncio.run(main())
    assert opened == [prompt.started[0].url]
    assert prompt.started[0].browser_opened is True


def test_without_a_browser_or_a_prompt_it_fails_at_once(demo_server: str) -> None:
    async def main() -> None:
        await OAuth2Tokens(open_browser=no_browser).token(pkce(demo_server))

    began = time.monotonic()
    with pytest.raises(OAuth2Error, match="No web browser could be opened"):
        asyncio.run(main())
    assert time.monotonic() - began < 5, "no wait for a sign-in nobody can do"


def test_the_wait_is_bounded_and_the_send_fails_with_sign_in_timed_out(demo_server: str) -> None:
    prompt = Prompt("nothing")  # nobody signs in

    async def main() -> tuple[object, float, int]:
        tokens = OAuth2Tokens(open_browser=no_browser, prompt=prompt, sign_in_timeout_s=0.5)
        pool = ClientPool(tokens)
        began = time.monotonic()
        try:
            exchange, _ = await send(
                pool, ClientProfile("c", demo_server, auth=pkce(demo_server)), me()
            )
        finally:
            await pool.aclose()
        assert exchange.state is ExchangeState.FAILED
        return exchange.error, time.monotonic() - began, loopback_port(prompt.started[0])

    error, took, port = asyncio.run(main())
    assert isinstance(error, errors.AuthFailure)
    assert "Sign-in timed out" in str(error.message)
    assert "0.5 s" in str(error.message)
    assert "TimeoutError" not in (error.detail or ""), "no internal chain in the details"
    assert 0.4 < took < 5
    assert [p.outcome for p in prompt.ended] == ["timed out"]
    with pytest.raises(httpx.ConnectError):  # the loopback listener is gone
        httpx.get(f"http://127.0.0.1:{port}/callback?code=late&state=x", timeout=2)


def test_the_timeout_can_be_set_after_construction(demo_server: str) -> None:
    async def main() -> None:
        tokens = OAuth2Tokens(open_browser=no_browser, prompt=Prompt("nothing"))
        tokens.sign_in_timeout_s = 0.2
        with pytest.raises(SignInTimedOut):
            await tokens.token(pkce(demo_server))

    asyncio.run(main())


def test_cancelling_ends_the_wait_and_requests_waiting_for_the_same_token(
    demo_server: str,
) -> None:
    prompt = Prompt("cancel")

    async def main() -> list[object]:
        pool = ClientPool(OAuth2Tokens(open_browser=no_browser, prompt=prompt))
        profile = ClientProfile("c", demo_server, auth=pkce(demo_server))
        try:
            results = await asyncio.gather(send(pool, profile, me()), send(pool, profile, me()))
        finally:
            await pool.aclose()
        return [exchange.error for exchange, _ in results]

    began = time.monotonic()
    first, second = asyncio.run(main())
    assert time.monotonic() - began < 5
    for error in (first, second):
        assert isinstance(error, errors.AuthFailure)
        assert "Sign-in cancelled" in error.message
    assert len(prompt.started) == 1, "one sign-in for both, not a second one after Cancel"
    assert [p.outcome for p in prompt.ended] == ["cancelled"]


def test_a_new_attempt_after_a_cancel_signs_in(demo_server: str) -> None:
    prompt = Prompt("cancel")

    async def main() -> str:
        tokens = OAuth2Tokens(open_browser=no_browser, prompt=prompt)
        with pytest.raises(SignInCancelled):
            await tokens.token(pkce(demo_server))
        prompt.action = "sign in"
        return (await tokens.token(pkce(demo_server))).access_token

    assert asyncio.run(main())
    assert [p.outcome for p in prompt.ended] == ["cancelled", "signed in"]


def test_stopping_the_send_ends_the_sign_in(demo_server: str) -> None:
    prompt = Prompt("nothing")

    async def main() -> None:
        pool = ClientPool(OAuth2Tokens(open_browser=no_browser, prompt=prompt))
        profile = ClientProfile("c", demo_server, auth=pkce(demo_server))
        task = asyncio.ensure_future(send(pool, profile, me()))
        while not prompt.started:  # noqa: ASYNC110 - the prompt has no event to await
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await pool.aclose()

    asyncio.run(main())
    assert [p.outcome for p in prompt.ended] == ["stopped"]
