"""Redirects Courier follows itself: every hop recorded, every credential withheld on a
hop to another origin, kept on same-origin hops, methods rewritten as browsers do."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from app.core import errors
from app.core.resolved import ClientProfile, ResolvedAuth, ResolvedRequest
from app.net.exchange import Exchange, ExchangeState
from tests.net.sending import json_body, send_pairs

SECRET = "s3cret-value-123"

AUTHS: dict[str, tuple[ResolvedAuth, list[str]]] = {
    "basic": (ResolvedAuth("basic", username="ada", password=SECRET), ["authorization"]),
    "bearer": (ResolvedAuth("bearer", token=SECRET), ["authorization"]),
    "digest": (ResolvedAuth("digest", username="ada", password=SECRET), []),
    "apikey-header": (
        ResolvedAuth("apikey", key_name="X-API-Key", key_value=SECRET),
        ["x-api-key"],
    ),
    "aws-sigv4": (
        ResolvedAuth(
            "aws-sigv4",
            access_key="AKIDCOURIER",
            secret_key=SECRET,
            session_token="session-" + SECRET,
            region="eu-west-1",
            service="execute-api",
        ),
        ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"],
    ),
}


def redirect(start: str, target: str, status: int = 302) -> str:
    return f"{start}/redirect-to?url={quote(target, safe='')}&status_code={status}"


def echoed(exchange: Exchange) -> dict[str, Any]:
    data = json_body(exchange)
    assert isinstance(data, dict)
    return data


def has_secret(data: dict[str, Any]) -> bool:
    return SECRET in repr(data)


@pytest.mark.parametrize("where", ["client", "request"])
@pytest.mark.parametrize("kind", sorted(AUTHS))
def test_cross_origin_hop_withholds_auth(
    kind: str, where: str, demo_server: str, second_origin_server: str
) -> None:
    auth, headers = AUTHS[kind]
    if where == "client":
        profile = ClientProfile("c", demo_server, auth=auth)
        own: dict[str, Any] = {}
    else:
        profile = ClientProfile("c", demo_server)
        own = {"auth_mode": "own", "auth": auth}
    away, home = send_pairs(
        (profile, ResolvedRequest("GET", redirect("", f"{second_origin_server}/anything"), **own)),
        (profile, ResolvedRequest("GET", redirect("", "/anything"), **own)),
    )
    arrived = echoed(away)
    assert arrived["url"].startswith(second_origin_server)
    assert not any(h in arrived["headers"] for h in headers), arrived["headers"]
    assert not has_secret(arrived)
    (hop,) = away.hops
    assert hop.cross_origin
    assert hop.status_code == 302
    assert hop.withheld, "the exchange records what was withheld"
    assert all(w.source for w in hop.withheld)
    kept = echoed(home)
    assert not home.hops[0].cross_origin
    assert home.hops[0].withheld == ()
    for header in headers:
        assert header in kept["headers"], f"same-origin hop keeps {header}"


def test_api_key_in_the_query_is_not_added_on_the_other_origin(
    demo_server: str, second_origin_server: str
) -> None:
    auth = ResolvedAuth("apikey", key_name="api_key", key_value=SECRET, key_in="query")
    profile = ClientProfile("c", demo_server, auth=auth)
    away, home = send_pairs(
        (profile, ResolvedRequest("GET", redirect("", f"{second_origin_server}/anything"))),
        (profile, ResolvedRequest("GET", redirect("", "/anything"))),
    )
    assert "api_key" not in echoed(away)["args"]
    assert [w.name for w in away.hops[0].withheld] == ["api_key (query parameter)"]
    assert echoed(home)["args"]["api_key"] == SECRET


def test_oauth2_token_is_not_sent_to_the_other_origin(
    demo_server: str, second_origin_server: str
) -> None:
    auth = ResolvedAuth(
        "oauth2",
        grant="client_credentials",
        token_url=f"{demo_server}/oauth/token",
        client_id="courier-demo",
        client_secret="demo-secret",
    )
    profile = ClientProfile("c", demo_server, auth=auth)
    (away,) = send_pairs(
        (profile, ResolvedRequest("GET", redirect("", f"{second_origin_server}/anything")))
    )
    assert "authorization" not in echoed(away)["headers"]
    assert [(w.name, w.source) for w in away.hops[0].withheld] == [
        ("Authorization", "OAuth 2.0 token")
    ]


def test_secret_headers_typed_credentials_withheld_plain_headers_kept(
    demo_server: str, second_origin_server: str
) -> None:
    profile = ClientProfile(
        "c",
        demo_server,
        headers=(("X-Team-Token", SECRET), ("X-Team", "courier")),
        secret_headers=frozenset({"x-team-token"}),
    )
    request = ResolvedRequest(
        "GET",
        redirect("", f"{second_origin_server}/anything"),
        headers=(
            ("X-Own-Secret", "own-" + SECRET),
            ("Proxy-Authorization", "Basic " + SECRET),
            ("Authorization", "Token " + SECRET),
            ("Cookie", "session=" + SECRET),
            ("X-Trace", "visible"),
        ),
        secret_headers=frozenset({"x-own-secret"}),
    )
    (away,) = send_pairs((profile, request))
    arrived = echoed(away)
    assert not has_secret(arrived), arrived
    assert arrived["headers"]["x-team"] == "courier"
    assert arrived["headers"]["x-trace"] == "visible"
    withheld = {w.name: w.source for w in away.hops[0].withheld}
    assert withheld == {
        "X-Own-Secret": "secret variable",
        "Proxy-Authorization": "typed header",
        "Authorization": "typed header",
        "Cookie": "typed header",
        "X-Team-Token": "collection header (secret variable)",
    }


def test_a_hop_back_to_the_first_origin_gets_the_credentials_again(
    demo_server: str, second_origin_server: str
) -> None:
    back = redirect(second_origin_server, f"{demo_server}/anything")
    profile = ClientProfile("c", demo_server, auth=ResolvedAuth("bearer", token=SECRET))
    (exchange,) = send_pairs((profile, ResolvedRequest("GET", redirect("", back))))
    assert [h.cross_origin for h in exchange.hops] == [True, False]
    assert echoed(exchange)["headers"]["authorization"] == f"Bearer {SECRET}"


def test_https_to_http_on_the_same_host_is_another_origin(demo_server: str) -> None:
    import httpx

    from app.net.engine import origin

    assert origin(httpx.URL("https://a.example/x")) != origin(httpx.URL("http://a.example/x"))
    assert origin(httpx.URL("http://a.example/x")) == origin(httpx.URL("http://a.example:80/y"))
    assert origin(httpx.URL("http://a.example/")) != origin(httpx.URL("http://a.example:81/"))


@pytest.mark.parametrize(
    ("status", "method", "expected_method", "keeps_body"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (303, "HEAD", "HEAD", False),
        (302, "PUT", "PUT", True),
        (307, "POST", "POST", True),
        (308, "POST", "POST", True),
    ],
)
def test_method_rewriting_as_browsers_do(
    status: int, method: str, expected_method: str, keeps_body: bool, demo_server: str
) -> None:
    request = ResolvedRequest(
        method,
        redirect("", "/anything", status),
        headers=(("Content-Type", "application/json"),),
        content=b'{"a": 1}',
    )
    (exchange,) = send_pairs((ClientProfile("c", demo_server), request))
    assert exchange.hops[0].next_method == expected_method
    if expected_method == "HEAD":
        assert exchange.response is not None
        assert exchange.response.status_code == 200
        return
    arrived = echoed(exchange)
    assert arrived["method"] == expected_method
    if keeps_body:
        assert arrived["json"] == {"a": 1}
    else:
        assert arrived["body"] == ""
        assert "content-type" not in arrived["headers"]


def test_redirect_limit_and_not_following(demo_server: str) -> None:
    profile = ClientProfile("c", demo_server)
    limited, unfollowed = send_pairs(
        (profile, ResolvedRequest("GET", "/redirect/5", max_redirects=2)),
        (profile, ResolvedRequest("GET", "/redirect/2", follow_redirects=False)),
    )
    assert limited.state is ExchangeState.FAILED
    assert isinstance(limited.error, errors.TooManyRedirects)
    assert len(limited.hops) == 2
    assert unfollowed.response is not None
    assert unfollowed.response.status_code == 302
    assert unfollowed.hops == []


def test_a_redirect_to_another_scheme_is_refused(demo_server: str) -> None:
    (exchange,) = send_pairs(
        (
            ClientProfile("c", demo_server),
            ResolvedRequest("GET", redirect("", "file:///etc/passwd")),
        )
    )
    assert isinstance(exchange.error, errors.ProtocolViolation)
    assert "file:" in exchange.error.message
