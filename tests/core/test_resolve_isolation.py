"""One client per collection, whatever folder a request is in: the client profile is
rendered from the collection and the environment only, and what differs for one request
travels with that request (so concurrent sends never reconfigure a shared client)."""

from __future__ import annotations

import pytest

from app.core.errors import ExpansionTooLarge
from app.core.inherit import resolve
from app.core.model import (
    Auth,
    AuthKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    Request,
    Settings,
    Variable,
)
from app.core.resolved import AUTH_FROM_CLIENT, AUTH_NONE, AUTH_OWN, DEFAULT_BODY_CAP_MB, MIB


def two_folders(**collection_fields: object) -> tuple[Collection, Request, Request]:
    in_a = Request(name="a", url="/items")
    in_b = Request(name="b", url="/items")
    collection = Collection(
        name="c",
        folders=[
            Folder(name="A", variables=[Variable("token", "token-A")], requests=[in_a]),
            Folder(name="B", variables=[Variable("token", "token-B")], requests=[in_b]),
        ],
        **collection_fields,  # type: ignore[arg-type]
    )
    return collection, in_a, in_b


def test_folder_tokens_give_one_profile_and_each_request_its_own_auth() -> None:
    collection, in_a, in_b = two_folders(auth=Auth(kind=AuthKind.BEARER, token="{{token}}"))
    a, b = resolve(in_a, collection), resolve(in_b, collection)
    assert a.profile == b.profile, "the same client serves both folders"
    assert a.profile.auth is None, "an unresolved token never configures the client"
    assert (a.request.auth_mode, b.request.auth_mode) == (AUTH_OWN, AUTH_OWN)
    assert a.request.auth is not None
    assert b.request.auth is not None
    assert (a.request.auth.kind, a.request.auth.token) == ("bearer", "token-A")
    assert (b.request.auth.kind, b.request.auth.token) == ("bearer", "token-B")
    assert a.unresolved == b.unresolved == ()

    # a collection default: on the client, and still overridden per folder
    collection.variables = [Variable("token", "token-C")]
    a, b = resolve(in_a, collection), resolve(in_b, collection)
    assert a.profile == b.profile
    assert a.profile.auth is not None
    assert a.profile.auth.token == "token-C"
    assert a.request.auth is not None
    assert a.request.auth.token == "token-A"
    assert a.request.auth_mode == AUTH_OWN


def test_environment_token_lives_on_the_client() -> None:
    collection, in_a, in_b = two_folders(auth=Auth(kind=AuthKind.BEARER, token="{{token}}"))
    for folder in collection.folders:
        folder.variables = []
    env = Environment("local", [Variable("token", "token-E")])
    a, b = resolve(in_a, collection, env), resolve(in_b, collection, env)
    assert a.profile == b.profile
    assert a.profile.auth is not None
    assert a.profile.auth.token == "token-E"
    assert (a.request.auth_mode, a.request.auth) == (AUTH_FROM_CLIENT, None)
    assert (b.request.auth_mode, b.request.auth) == (AUTH_FROM_CLIENT, None)

    # a collection with no auth: nothing on the client, nothing per request
    collection.auth = Auth(kind=AuthKind.NONE)
    plain = resolve(in_a, collection, env)
    assert plain.profile.auth is None
    assert plain.request.auth_mode == AUTH_FROM_CLIENT
    in_a.auth = Auth(kind=AuthKind.NONE)
    assert resolve(in_a, collection, env).request.auth_mode == AUTH_NONE


def test_base_url_and_headers_from_folder_variables_travel_with_the_request() -> None:
    collection, in_a, in_b = two_folders(
        base_url="https://{{host}}/v1",
        headers=[KeyValue("X-Token", "{{token}}"), KeyValue("Accept", "application/json")],
    )
    collection.folders[0].variables.append(Variable("host", "a.example.com"))
    collection.folders[1].variables.append(Variable("host", "b.example.com"))
    a, b = resolve(in_a, collection), resolve(in_b, collection)
    assert a.profile == b.profile
    assert a.profile.base_url == ""
    assert a.profile.headers == (("Accept", "application/json"),)
    assert a.request.url == "https://a.example.com/v1/items"
    assert b.request.url == "https://b.example.com/v1/items"
    assert a.request.headers == (("X-Token", "token-A"),)
    assert b.request.headers == (("X-Token", "token-B"),)


def test_base_url_and_headers_from_the_environment_stay_on_the_client() -> None:
    collection, in_a, in_b = two_folders(
        base_url="https://{{host}}/v1", headers=[KeyValue("X-Env", "{{stage}}")]
    )
    for folder in collection.folders:
        folder.variables = []
    env = Environment("staging", [Variable("host", "s.example.com"), Variable("stage", "s")])
    a, b = resolve(in_a, collection, env), resolve(in_b, collection, env)
    assert a.profile == b.profile
    assert a.profile.base_url == "https://s.example.com/v1"
    assert a.profile.headers == (("X-Env", "s"),)
    assert a.request.url == "/items", "relative: the client's base URL completes it"
    assert a.request.headers == ()

    # one folder pins its own value: only its requests carry the header, and only them
    collection.folders[0].variables = [Variable("stage", "pinned")]
    a, b = resolve(in_a, collection, env), resolve(in_b, collection, env)
    assert a.profile == b.profile
    assert a.request.headers == (("X-Env", "pinned"),)
    assert b.request.headers == ()


def test_a_header_of_the_request_replaces_a_differing_collection_header() -> None:
    collection, in_a, _in_b = two_folders(headers=[KeyValue("X-Token", "{{token}}")])
    in_a.headers = [KeyValue("x-token", "mine")]
    assert resolve(in_a, collection).request.headers == (("x-token", "mine"),)
    in_a.headers = []
    in_a.disabled_inherited_headers = ["X-TOKEN"]
    assert resolve(in_a, collection).request.headers == ()


def test_joining_the_base_url_follows_httpx() -> None:
    from app.core.inherit import join_base_url

    assert join_base_url("https://h/v1", "/items?x=1") == "https://h/v1/items?x=1"
    assert join_base_url("https://h/v1/", "items") == "https://h/v1/items"
    assert join_base_url("https://h", "") == "https://h/"
    assert join_base_url("https://h/v1", "https://other/x") == "https://other/x"
    assert join_base_url("", "/items") == "/items"


def test_dynamic_builtins_never_make_the_profile_differ() -> None:
    collection = Collection(
        name="c",
        base_url="https://h",
        headers=[KeyValue("X-Request-Id", "{{rid}}"), KeyValue("X-Static", "1")],
        variables=[Variable("rid", "req-{{$uuid}}")],
        auth=Auth(kind=AuthKind.API_KEY, key_name="X-Nonce", key_value="{{$randomInt}}"),
    )
    request = Request(name="r", url="/x")
    collection.requests.append(request)
    first, second = resolve(request, collection), resolve(request, collection)
    assert first.profile == second.profile
    assert first.profile.headers == (("X-Static", "1"),)
    assert first.profile.auth is None
    ids = [dict(r.request.headers)["X-Request-Id"] for r in (first, second)]
    assert ids[0].startswith("req-")
    assert ids[0] != ids[1], "computed for each send, carried by the request"
    assert first.request.auth_mode == AUTH_OWN
    assert first.request.auth is not None
    assert first.request.auth.key_value.isdigit()


def test_the_expansion_bomb_is_refused() -> None:
    names = [f"v{i}" for i in range(10)]
    variables = [Variable(n, f"{{{{{names[i + 1]}}}}}" * 10) for i, n in enumerate(names[:-1])]
    variables.append(Variable(names[-1], "boom"))
    collection = Collection(name="c", variables=variables)
    request = Request(name="r", url="https://h/?q={{v0}}")
    with pytest.raises(ExpansionTooLarge, match=r"\{\{v0\}\}"):
        resolve(request, collection)


def test_spaces_and_any_letters_in_names() -> None:
    request = Request(name="r", url="https://h/{{my var}}/{{ünï}}/{{ ünï }}")
    result = resolve(request, None)
    assert result.unresolved == ("my var", "ünï")
    assert result.request.url == "https://h/{{my var}}/{{ünï}}/{{ ünï }}"
    collection = Collection(
        name="c", variables=[Variable("my var", "1"), Variable("ünï", "2")], requests=[request]
    )
    result = resolve(request, collection)
    assert result.unresolved == ()
    assert result.request.url == "https://h/1/2/2"


def test_demo_is_wanted_not_unresolved_until_it_runs() -> None:
    collection = Collection(name="c", base_url="{{$demo}}")
    request = Request(name="r", url="/posts/{{id}}")
    collection.requests.append(request)
    waiting = resolve(request, collection)
    assert waiting.needs_demo is True
    assert waiting.unresolved == ("id",)
    running = resolve(request, collection, builtins={"$demo": "http://127.0.0.1:9"})
    assert running.needs_demo is False
    assert running.profile.base_url == "http://127.0.0.1:9"
    assert running.unresolved == ("id",)
    assert resolve(Request(name="s", url="https://h"), None).needs_demo is False


def test_secret_headers_and_secret_values() -> None:
    request = Request(
        name="r",
        url="https://h",
        headers=[
            KeyValue("X-Key", "{{api_key}}"),
            KeyValue("X-Nested", "k={{wrapped}}"),
            KeyValue("X-Plain", "{{who}}"),
        ],
    )
    folder = Folder(
        name="f",
        variables=[Variable("api_key", "k-123", secret=True)],
        requests=[request],
    )
    collection = Collection(
        name="c",
        headers=[KeyValue("X-Shared", "{{shared_key}}"), KeyValue("X-Open", "open")],
        variables=[
            Variable("wrapped", "<{{api_key}}>"),
            Variable("who", "ada"),
            Variable("shared_key", "s-456", secret=True),
            Variable("unused", "", secret=True),
        ],
        auth=Auth(kind=AuthKind.BASIC, username="u", password="pw-789"),
        folders=[folder],
    )
    result = resolve(request, collection)
    assert result.request.secret_headers == frozenset({"x-key", "x-nested"})
    assert result.profile.secret_headers == frozenset({"x-shared"})
    assert dict(result.request.headers)["X-Nested"] == "k=<k-123>"
    assert result.request.secrets == frozenset({"k-123", "s-456", "pw-789"})
    assert "ada" not in result.request.secrets

    # a folder's non-secret value of the same name is not a secret
    folder.variables = [Variable("api_key", "public")]
    assert resolve(request, collection).request.secret_headers == frozenset()

    # the request's own credentials are secrets too; the collection's, not sent, are not
    request.auth = Auth(kind=AuthKind.BEARER, token="tok-000")
    assert resolve(request, collection).request.secrets == frozenset({"s-456", "tok-000"})


def test_deadline_body_cap_and_redirects_come_from_every_level() -> None:
    request = Request(name="r", url="https://h")
    folder = Folder(name="f", settings=Settings(deadline_s=12.5), requests=[request])
    collection = Collection(
        name="c", settings=Settings(max_body_mb=64, max_redirects=4), folders=[folder]
    )
    result = resolve(request, collection).request
    assert (result.deadline_s, result.body_cap, result.max_redirects) == (12.5, 64 * MIB, 4)
    request.settings = Settings(deadline_s=0.0, max_body_mb=1, max_redirects=0)
    result = resolve(request, collection).request
    assert (result.deadline_s, result.body_cap, result.max_redirects) == (None, MIB, 0)
    plain = resolve(Request(name="p", url="https://h"), None).request
    assert (plain.deadline_s, plain.body_cap) == (None, DEFAULT_BODY_CAP_MB * MIB)
