"""HAR 1.2 files as Chrome and Firefox save them, imported into Courier's model."""

from __future__ import annotations

import base64
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from app.core.importers import MalformedImport, parse_har
from app.core.importers.har import STATIC_FOLDER
from app.core.model import AuthKind, BodyKind, Folder, KeyValue, PartKind, Request

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "har"
CHROME = FIXTURES / "chrome-shop.har"
FIREFOX = FIXTURES / "firefox-api.har"


def by_name(folder: Folder) -> dict[str, Request]:
    return {request.name: request for request in folder.requests}


def header(request: Request, name: str) -> str | None:
    found = [h.value for h in request.headers if h.name.lower() == name.lower()]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_a_chrome_har_imports_every_http_entry_grouped_by_its_page() -> None:
    imported = parse_har(CHROME.read_bytes())
    collection = imported.collection
    # 18 entries: a data: URL, a WebSocket and a CORS preflight are not requests to import
    assert imported.report.requests == 15
    assert imported.report.folders == 2
    (page,) = collection.folders
    assert page.name == "https://shop.example.com/"
    assert list(by_name(page)) == [
        "GET /",
        "GET /api/products",
        "POST /v1/cart",
        "POST /api/login",
        "POST /api/avatar",
        "GET /v1/me",
        "GET /api/products (2)",
    ]
    (static,) = page.folders
    assert static.name == STATIC_FOLDER
    assert [r.name for r in static.requests] == [
        "GET /static/app.css",
        "GET /css/fonts.css",
        "GET /static/app.js",
        "GET /static/vendor.js",
        "GET /gtag/js",
        "GET /img/logo.png",
        "GET /img/hero.webp",
        "GET /fonts/inter.woff2",
    ]
    lines = imported.report.lines()
    assert lines[0] == "read HAR 1.2 from WebInspector 537.36: 15 request(s), 2 folder(s)"
    assert (
        "note: entries by kind: 6 xhr/fetch, 1 document, 3 script, 2 stylesheet, 2 image, 1 font"
        in lines
    )
    assert "note: responses are not imported (a HAR's responses are not requests)" in lines
    assert "not imported: 1 data URL(s) (nothing Courier can send)" in lines
    assert "not imported: 1 WebSocket connection(s) (Courier sends HTTP requests)" in lines
    assert "not imported: 1 CORS preflight(s) (OPTIONS the browser sends by itself)" in lines


def test_chrome_requests_keep_what_was_sent_without_what_the_wire_adds() -> None:
    collection = parse_har(CHROME.read_bytes()).collection
    # the credentials are secret variables (the keychain's), shared by the requests
    assert [(v.name, v.value, v.secret) for v in collection.variables] == [
        ("har_token_1", "eyJhbGciOiJIUzI1NiJ9.c2hvcA.sig", True),
        ("har_password_1", "correct horse battery", True),
    ]
    page = collection.folders[0]
    requests = by_name(page)
    products = requests["GET /api/products"]
    assert products.url == "https://shop.example.com/api/products"
    assert products.params == [KeyValue("page", "2"), KeyValue("sort", "price")]
    names = [h.name for h in products.headers]
    assert not [n for n in names if n.startswith(":") or n.lower() == "accept-encoding"]
    assert header(products, "cookie") == "session=abc123; theme=dark"
    assert header(products, "accept") == "application/json"
    assert header(products, "sec-ch-ua-platform") == '"Linux"'

    cart = requests["POST /v1/cart"]
    assert cart.auth.kind == AuthKind.BEARER
    assert cart.auth.token == "{{har_token_1}}"
    assert header(cart, "authorization") is None
    assert header(cart, "content-length") is None
    assert cart.body.kind == BodyKind.JSON
    assert json.loads(cart.body.text) == {"sku": "TEE-42", "quantity": 2}

    me = requests["GET /v1/me"]
    assert (me.auth.kind, me.auth.username, me.auth.password) == (
        AuthKind.BASIC,
        "ada",
        "{{har_password_1}}",
    )
    assert requests["GET /"].auth.kind == AuthKind.INHERIT

    login = requests["POST /api/login"]
    assert login.body.kind == BodyKind.FORM
    assert login.body.form == [
        KeyValue("email", "ada@example.com"),
        KeyValue("password", "s3cr&t"),
        KeyValue("remember", "on"),
    ]

    avatar = requests["POST /api/avatar"]
    assert avatar.body.kind == BodyKind.MULTIPART
    assert [(p.name, p.kind, p.value, p.file_name, p.content_type) for p in avatar.body.parts] == [
        ("caption", PartKind.TEXT, "Me at the beach", "", ""),
        ("avatar", PartKind.FILE, "", "me.jpg", "image/jpeg"),
    ]
    # the boundary of the capture is not the boundary Courier will send
    assert header(avatar, "content-type") is None


def test_a_firefox_har_is_grouped_by_page_title_and_kinds_come_from_the_response() -> None:
    imported = parse_har(FIREFOX.read_bytes())
    docs, dashboard = imported.collection.folders
    assert (docs.name, dashboard.name) == ("Docs – Example API", "Dashboard")
    assert list(by_name(docs)) == ["GET /"]
    assert [r.name for r in docs.folders[0].requests] == [
        "GET /style.css",
        "GET /favicon.ico",
        "GET /app.js",
    ]
    assert list(by_name(dashboard)) == [
        "GET /v2/items",
        "PUT /v2/items/42",
        "DELETE /v2/items/42",
        "POST /v2/upload",
    ]
    assert (imported.report.requests, imported.report.folders) == (8, 3)
    lines = imported.report.lines()
    assert "note: entries by kind: 4 xhr/fetch, 1 document, 1 script, 1 stylesheet, 1 image" in (
        lines
    )
    assert "note: Host dropped from 8 request(s) (Courier sends its own)" in lines
    assert (
        "not imported: log.entries[7].request.postData.text: 'file' (report.pdf): "
        "a file part's content (Courier sends files from disk): choose the file"
    ) in lines

    items = by_name(dashboard)["GET /v2/items"]
    assert items.params == [KeyValue("limit", "10"), KeyValue("q", "café")]
    assert header(items, "host") is None
    assert header(items, "connection") is None
    assert header(items, "te") is None

    put = by_name(dashboard)["PUT /v2/items/42"]
    # a scheme Courier has no auth for: its value is a secret variable, not in the file
    assert header(put, "authorization") == "{{har_authorization_1}}"
    (variable,) = imported.collection.variables
    assert (variable.name, variable.value, variable.secret) == (
        "har_authorization_1",
        "Token 9f8e7d6c5b4a",
        True,
    )
    assert put.body.kind == BodyKind.JSON
    assert json.loads(put.body.text)["name"] == "Café"

    upload = by_name(dashboard)["POST /v2/upload"]
    assert [(p.name, p.kind, p.value, p.file_name, p.content_type) for p in upload.body.parts] == [
        ("title", PartKind.TEXT, "Quarterly report", "", ""),
        ("file", PartKind.FILE, "", "report.pdf", "application/pdf"),
    ]


def test_multipart_params_with_file_names_as_proxies_write_them() -> None:
    post = {
        "mimeType": "multipart/form-data; boundary=xyz",
        "params": [
            {"name": "title", "value": "Q3"},
            {"name": "file", "fileName": "q3.pdf", "contentType": "application/pdf"},
        ],
    }
    imported = parse_har(
        har(
            entry(
                "POST",
                "http://a.test/up",
                headers=[{"name": "Content-Type", "value": "multipart/form-data; boundary=xyz"}],
                postData=post,
            )
        )
    )
    (request,) = imported.collection.folders[0].requests
    assert header(request, "content-type") is None
    assert [(p.name, p.kind, p.value, p.file_name, p.content_type) for p in request.body.parts] == [
        ("title", PartKind.TEXT, "Q3", "", ""),
        ("file", PartKind.FILE, "", "q3.pdf", "application/pdf"),
    ]
    assert (
        "not imported: log.entries[0].request.postData.params[1]: 'file' (q3.pdf): "
        "a file part's content (Courier sends files from disk): choose the file"
    ) in imported.report.lines()


def har(*entries: dict[str, Any], pages: list[dict[str, Any]] | None = None) -> str:
    log: dict[str, Any] = {"version": "1.2", "creator": {"name": "mitmproxy", "version": "11"}}
    if pages is not None:
        log["pages"] = pages
    log["entries"] = list(entries)
    return json.dumps({"log": log})


def entry(method: str, url: str, **request: Any) -> dict[str, Any]:
    return {
        "startedDateTime": "2026-11-20T10:00:00Z",
        "time": 1,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", **request},
        "response": {"status": 200, "content": {"mimeType": "application/json"}},
    }


def test_without_pages_requests_are_grouped_by_host_and_cookies_make_a_cookie_header() -> None:
    imported = parse_har(
        har(
            entry("get", "http://a.test/x", cookies=[{"name": "s", "value": "1"}]),
            entry(
                "POST", "http://b.test:8080/y?z=1", postData={"mimeType": "text/csv", "text": "a,b"}
            ),
            entry("GET", "http://a.test/x#top", queryString=[{"name": "other", "value": "1"}]),
        )
    )
    a, b = imported.collection.folders
    assert (a.name, b.name) == ("a.test", "b.test")
    first, second = a.requests
    assert (first.name, first.method, header(first, "Cookie")) == ("GET /x", "GET", "s=1")
    assert second.name == "GET /x (2)"
    assert second.url == "http://a.test/x"
    (csv,) = b.requests
    assert (csv.body.kind, csv.body.text, csv.body.content_type) == (
        BodyKind.RAW,
        "a,b",
        "text/csv",
    )
    assert csv.params == [KeyValue("z", "1")]
    assert (
        "note: 1 request(s) whose queryString differs from the URL: the URL's query was kept"
        in imported.report.lines()
    )


def test_basic_credentials_that_do_not_decode_stay_secret() -> None:
    imported = parse_har(
        har(
            entry("GET", "http://a.test/", headers=[{"name": "Authorization", "value": "Basic !!"}])
        )
    )
    (request,) = imported.collection.folders[0].requests
    assert request.auth.kind == AuthKind.INHERIT
    assert header(request, "Authorization") == "{{har_authorization_1}}"
    assert imported.collection.variables[0].secret


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [('{"log": {"entries": [}}', 1, 22), ('{\n  "log": {\n    "entries": [\n      {,\n', 4, 8)],
)
def test_broken_json_says_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_har(text)
    assert (caught.value.line, caught.value.column) == (line, column)


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d["log"].pop("entries"), "log.entries"),
        (lambda d: d.update(log=[]), "log"),
        (lambda d: d["log"]["entries"][4]["request"].update(url=7), "log.entries[4].request.url"),
        (lambda d: d["log"]["entries"][4]["request"].update(url=""), "log.entries[4].request.url"),
        (lambda d: d["log"]["entries"][2].pop("request"), "log.entries[2].request"),
        (
            lambda d: d["log"]["entries"][11]["request"].update(method="GE T"),
            "log.entries[11].request.method",
        ),
        (
            lambda d: d["log"]["entries"][9]["request"]["headers"][5].update(value=[]),
            "log.entries[9].request.headers[5].value",
        ),
        (
            lambda d: d["log"]["entries"][12]["request"]["postData"].update(params={}),
            "log.entries[12].request.postData.params",
        ),
        (lambda d: d["log"]["pages"][0].update(title={}), "log.pages[0].title"),
    ],
)
def test_a_wrong_shape_says_its_json_path(mutate: Any, where: str) -> None:
    data = json.loads(CHROME.read_text())
    mutate(data)
    with pytest.raises(MalformedImport) as caught:
        parse_har(json.dumps(data))
    assert caught.value.where == where
    assert caught.value.line == 0


def big_har(count: int) -> str:
    body = json.dumps({"query": "x" * 200, "items": list(range(40))})
    entries = []
    for i in range(count):
        entries.append(
            entry(
                "POST",
                f"https://api{i % 7}.example.com/v1/items/{i}?page={i}",
                headers=[
                    {"name": "Content-Type", "value": "application/json"},
                    {"name": "Authorization", "value": f"Bearer {'t-' * (1 + i % 3)}"},
                    {"name": "Accept", "value": "application/json"},
                ],
                postData={"mimeType": "application/json", "text": body},
            )
            | {
                "response": {
                    "status": 200,
                    "content": {
                        "mimeType": "application/json",
                        "text": base64.b64encode(body.encode()).decode(),
                        "encoding": "base64",
                    },
                }
            }
        )
    return har(*entries)


def test_a_large_har_parses_in_memory_bounded_by_its_size() -> None:
    """(How fast: tests/bench/import_formats.py.)"""
    text = big_har(10_000)
    tracemalloc.start()
    try:
        imported = parse_har(text)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert imported.report.requests == 10_000
    assert imported.report.folders == 7
    assert [v.name for v in imported.collection.variables] == [
        "har_token_1",
        "har_token_2",
        "har_token_3",
    ], "one secret per distinct token, not one per request"
    assert peak < 8 * len(text.encode()), (peak, len(text))


def test_a_cors_preflight_without_a_resource_type_is_not_imported() -> None:
    asks = [{"name": "Access-Control-Request-Method", "value": "PUT"}]
    imported = parse_har(
        har(
            entry("OPTIONS", "http://a.test/items/1", headers=asks),
            entry("OPTIONS", "http://a.test/items"),  # an OPTIONS someone meant to send
            entry("PUT", "http://a.test/items/1"),
        )
    )
    assert [r.name for r in imported.collection.folders[0].requests] == [
        "OPTIONS /items",
        "PUT /items/1",
    ]
    assert (
        "not imported: 1 CORS preflight(s) (OPTIONS the browser sends by itself)"
        in imported.report.lines()
    )
