"""Every auth type against the demo server, which checks it for real."""

from __future__ import annotations

from app.core.inherit import resolve
from app.core.model import Auth, AuthKind, Collection, Folder, KeyValue, Request, Variable
from app.core.resolved import ClientProfile, ResolvedAuth, ResolvedRequest
from app.net.exchange import ExchangeState
from tests.net.sending import send_pairs, status_and_json


def send_all(*pairs: tuple[ClientProfile, ResolvedRequest]) -> list[tuple[int, dict[str, object]]]:
    return [status_and_json(exchange) for exchange in send_pairs(*pairs)]


def test_each_auth_kind_on_the_client_and_per_request(demo_server: str) -> None:
    basic = ResolvedAuth("basic", username="ada", password="pw")
    digest = ResolvedAuth("digest", username="ada", password="pw")
    bearer = ResolvedAuth("bearer", token="t0k")
    key_header = ResolvedAuth("apikey", key_name="X-API-Key", key_value="demo-key")
    key_query = ResolvedAuth("apikey", key_name="api_key", key_value="demo-key", key_in="query")
    with_client = ClientProfile("c", demo_server, auth=bearer)
    results = send_all(
        (with_client, ResolvedRequest("GET", "/bearer")),
        (with_client, ResolvedRequest("GET", "/basic-auth/ada/pw", auth_mode="own", auth=basic)),
        (with_client, ResolvedRequest("GET", "/digest-auth/ada/pw", auth_mode="own", auth=digest)),
        (with_client, ResolvedRequest("GET", "/api-key", auth_mode="own", auth=key_header)),
        (with_client, ResolvedRequest("GET", "/api-key", auth_mode="own", auth=key_query)),
        (with_client, ResolvedRequest("GET", "/bearer", auth_mode="none")),
        (
            with_client,
            ResolvedRequest("GET", "/digest-auth/ada/nope", auth_mode="own", auth=digest),
        ),
    )
    assert results[0] == (200, {"authenticated": True, "token": "t0k"})
    assert results[1] == (200, {"authenticated": True, "user": "ada"})
    assert results[2] == (200, {"authenticated": True, "user": "ada"})
    assert results[3] == (200, {"authenticated": True, "via": "header"})
    assert results[4] == (200, {"authenticated": True, "via": "query"})
    assert results[5][0] == 401, "auth turned off for one request sends none"
    assert results[6][0] == 401


def test_the_issue_scenario_collection_bearer_folder_basic_request_off(demo_server: str) -> None:
    """Collection: shared header + Bearer from a (secret) variable; a folder overrides with
    Basic; one request turns auth off.  Each sends exactly what it should."""
    plain = Request(name="plain", url="/anything")
    off = Request(name="off", url="/anything", auth=Auth(kind=AuthKind.NONE))
    in_folder = Request(name="in folder", url="/anything")
    folder = Folder(
        name="basic",
        auth=Auth(kind=AuthKind.BASIC, username="{{user}}", password="{{password}}"),
        variables=[Variable("user", "ada")],
        requests=[in_folder],
    )
    collection = Collection(
        name="c",
        base_url=demo_server,
        headers=[KeyValue("X-Team", "courier")],
        auth=Auth(kind=AuthKind.BEARER, token="{{token}}"),
        variables=[Variable("token", "s3cret-token", secret=True), Variable("password", "pw")],
        folders=[folder],
        requests=[plain, off],
    )
    resolved = [resolve(r, collection) for r in (plain, in_folder, off)]
    assert all(r.unresolved == () for r in resolved)
    results = send_all(*((r.profile, r.request) for r in resolved))
    headers = [body["headers"] for _status, body in results]
    assert all(h["x-team"] == "courier" for h in headers)  # type: ignore[index]
    assert headers[0]["authorization"] == "Bearer s3cret-token"  # type: ignore[index]
    assert headers[1]["authorization"] == "Basic YWRhOnB3"  # type: ignore[index]
    assert "authorization" not in headers[2]  # type: ignore[operator]
    assert len({r.profile.key for r in resolved}) == 1, "one client for the whole collection"


def test_a_request_can_switch_off_an_inherited_header(demo_server: str) -> None:
    request = Request(name="r", url="/headers", disabled_inherited_headers=["x-team", "X-Folder"])
    folder = Folder(name="f", headers=[KeyValue("X-Folder", "1")], requests=[request])
    collection = Collection(
        name="c", base_url=demo_server, headers=[KeyValue("X-Team", "courier")], folders=[folder]
    )
    resolution = resolve(request, collection)
    ((_status, body),) = send_all((resolution.profile, resolution.request))
    sent = body["headers"]
    assert "x-team" not in sent  # type: ignore[operator]
    assert "x-folder" not in sent  # type: ignore[operator]


def test_aws_signature_v4_checked_by_an_independent_verifier(demo_server: str) -> None:
    sigv4 = ResolvedAuth(
        "aws-sigv4",
        access_key="AKIDCOURIERDEMO",
        secret_key="courier/demo/secret/key",
        region="eu-west-1",
        service="execute-api",
    )
    wrong = ResolvedAuth(
        "aws-sigv4", access_key="AKIDCOURIERDEMO", secret_key="nope", service="execute-api"
    )
    profile = ClientProfile("c", demo_server)
    results = send_all(
        (profile, ResolvedRequest("GET", "/aws/items?b=x%20y&a=1", auth_mode="own", auth=sigv4)),
        (
            profile,
            ResolvedRequest(
                "POST",
                "/aws/items",
                headers=(("Content-Type", "application/json"),),
                content=b'{"k": 1}',
                auth_mode="own",
                auth=sigv4,
            ),
        ),
        (profile, ResolvedRequest("GET", "/aws/items", auth_mode="own", auth=wrong)),
    )
    ok = {"authenticated": True, "region": "eu-west-1", "service": "execute-api"}
    assert results[0] == (200, ok)
    assert results[1] == (200, ok)
    assert results[2][0] == 403


def test_aws_without_a_secret_is_a_clear_failure(demo_server: str) -> None:
    from app.core.errors import AuthFailure

    missing = ResolvedAuth("aws-sigv4", access_key="AKID", service="s3")
    request = ResolvedRequest("GET", "/aws/x", auth_mode="own", auth=missing)
    (exchange,) = send_pairs((ClientProfile("c", demo_server), request))
    assert exchange.state is ExchangeState.FAILED
    assert isinstance(exchange.error, AuthFailure)
    assert "secret access key" in exchange.error.message
