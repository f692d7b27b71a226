"""What is sent: collection -> folders -> request, variables, params, bodies."""

from __future__ import annotations

from app.core.inherit import resolve
from app.core.model import (
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    Request,
    Variable,
)
from app.core.resolved import SCRATCH_KEY


def tree() -> tuple[Collection, Folder, Folder, Request]:
    request = Request(name="r", url="{{base}}/items/{{id}}", headers=[KeyValue("X-Level", "req")])
    inner = Folder(
        name="inner",
        headers=[KeyValue("x-level", "inner"), KeyValue("X-Inner", "1")],
        variables=[Variable("id", "inner-id")],
        requests=[request],
    )
    outer = Folder(
        name="outer",
        headers=[KeyValue("X-Outer", "1"), KeyValue("X-Off", "no", enabled=False)],
        variables=[Variable("id", "outer-id"), Variable("region", "eu")],
        folders=[inner],
    )
    collection = Collection(
        name="c",
        base_url="https://{{host}}",
        headers=[KeyValue("Accept", "application/json")],
        variables=[Variable("host", "prod.example.com"), Variable("id", "coll-id")],
        folders=[outer],
    )
    return collection, outer, inner, request


def test_precedence_folder_nearest_then_environment_then_collection() -> None:
    collection, _outer, inner, request = tree()
    env = Environment("staging", [Variable("host", "staging.example.com"), Variable("id", "env")])
    result = resolve(request, collection, env)
    assert result.profile.base_url == "https://staging.example.com"
    assert "inner-id" in result.request.url
    inner.variables = []
    assert "outer-id" in resolve(request, collection, env).request.url
    collection.folders[0].variables = []
    assert "env" in resolve(request, collection, env).request.url
    assert "coll-id" in resolve(request, collection, None).request.url


def test_headers_merge_case_insensitively_and_skip_disabled() -> None:
    collection, _outer, _inner, request = tree()
    result = resolve(request, collection)
    assert result.profile.headers == (("Accept", "application/json"),)
    assert result.request.headers == (("X-Outer", "1"), ("X-Inner", "1"), ("X-Level", "req"))
    assert result.profile.key == collection.id


def test_unresolved_names_are_reported() -> None:
    collection, _outer, _inner, request = tree()
    result = resolve(request, collection)
    assert result.unresolved == ("base",)
    assert result.request.url == "{{base}}/items/inner-id"


def test_params_are_encoded_into_the_url() -> None:
    request = Request(
        name="q",
        url="/search",
        params=[
            KeyValue("q", "a b&c"),
            KeyValue("lang", "{{lang}}"),
            KeyValue("off", "x", enabled=False),
        ],
    )
    collection = Collection(name="c", variables=[Variable("lang", "fr")])
    assert resolve(request, collection).request.url == "/search?q=a%20b%26c&lang=fr"
    request.url = "/search?fixed=1"
    assert resolve(request, collection).request.url == "/search?fixed=1&q=a%20b%26c&lang=fr"


def test_bodies_get_content_types_unless_a_header_sets_one() -> None:
    json_request = Request(name="j", method="post", body=Body(BodyKind.JSON, text='{"a": 1}'))
    result = resolve(json_request, None)
    assert result.request.method == "POST"
    assert result.request.content == b'{"a": 1}'
    assert ("Content-Type", "application/json") in result.request.headers

    form = Request(
        name="f", body=Body(BodyKind.FORM, form=[KeyValue("a", "1 2"), KeyValue("b", "")])
    )
    result = resolve(form, None)
    assert result.request.content == b"a=1%202&b="
    assert ("Content-Type", "application/x-www-form-urlencoded") in result.request.headers

    raw = Request(
        name="r",
        headers=[KeyValue("content-type", "text/csv")],
        body=Body(BodyKind.RAW, text="a,b", content_type="text/plain"),
    )
    assert resolve(raw, None).request.headers == (("content-type", "text/csv"),)
    assert resolve(Request(name="n"), None).request.content is None


def test_scratch_requests_get_a_scheme_and_the_scratch_client() -> None:
    result = resolve(Request(name="s", url="example.com/x"), None)
    assert result.request.url == "http://example.com/x"
    assert result.profile.key == SCRATCH_KEY
    assert resolve(Request(name="s", url="https://e.com"), None).request.url == "https://e.com"


def test_auth_comes_from_the_nearest_level_that_sets_one() -> None:
    from app.core.model import Auth, AuthKind

    request = Request(name="r")
    inner = Folder(name="inner", requests=[request])
    outer = Folder(
        name="outer", auth=Auth(kind=AuthKind.BASIC, username="u", password="p"), folders=[inner]
    )
    collection = Collection(name="c", auth=Auth(kind=AuthKind.BEARER, token="t"), folders=[outer])
    result = resolve(request, collection)
    assert result.request.auth_mode == "own"
    assert result.request.auth is not None
    assert result.request.auth.kind == "basic"
    assert result.profile.auth is not None
    assert result.profile.auth.token == "t"
    assert "p" not in repr(result.request.auth), "credentials never show in a repr"

    outer.auth = Auth()
    assert resolve(request, collection).request.auth_mode == "client"
    request.auth = Auth(kind=AuthKind.NONE)
    assert resolve(request, collection).request.auth_mode == "none"


def test_settings_inherit_and_the_profile_carries_this_requests_transport() -> None:
    """The key is the collection's whatever the transport: the pool keys transports by
    ``TransportSettings`` within a collection (it used to be a digest in the key)."""
    from app.core.model import Settings

    request = Request(name="r", settings=Settings(timeout_s=5.0, max_redirects=3))
    folder = Folder(
        name="f", settings=Settings(verify_tls=False, no_cookies=True), requests=[request]
    )
    collection = Collection(
        name="c",
        settings=Settings(follow_redirects=False, http2=False, max_redirects=7),
        folders=[folder],
    )
    result = resolve(request, collection)
    assert result.request.timeout_s == 5.0
    assert result.request.follow_redirects is False
    assert result.request.max_redirects == 3
    assert result.profile.transport.verify is False
    assert result.profile.transport.http2 is False
    assert result.profile.cookies is False
    assert result.profile.key == collection.id
    plain = Request(name="p")
    collection.requests.append(plain)
    plain_result = resolve(plain, collection)
    assert plain_result.profile.key == collection.id
    assert plain_result.profile.transport.verify is True
    assert plain_result.profile.cookies is True
    assert plain_result.request.max_redirects == 7, "the collection's, on the request"
    assert resolve(Request(name="s"), None).request.max_redirects == 20, "the default"


def test_lookup_and_inherited_headers_for_the_editor() -> None:
    from app.core.inherit import inherited_headers, lookup_variable

    request = Request(name="r")
    folder = Folder(
        name="f",
        headers=[KeyValue("accept", "text/plain")],
        variables=[Variable("token", "folder-t", secret=True)],
        requests=[request],
    )
    collection = Collection(
        name="c",
        headers=[KeyValue("Accept", "application/json"), KeyValue("X-Off", "1", enabled=False)],
        variables=[Variable("token", "coll-t"), Variable("who", "ada")],
        folders=[folder],
    )
    assert lookup_variable("token", collection, (folder,), None, {}) == ("folder-t", True)
    assert lookup_variable("who", collection, (folder,), None, {}) == ("ada", False)
    assert lookup_variable("nope", collection, (folder,), None, {}) == (None, False)
    assert lookup_variable("$uuid", collection, (), None, {}) == ("", False)
    assert inherited_headers(collection, (folder,)) == [("accept", "text/plain", "f")]
