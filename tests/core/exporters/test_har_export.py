"""History as HAR 1.2: real exchanges with the demo server, recorded in a real history
database, exported, checked against the spec, and imported back."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from app.core.exporters import har_log, write_har
from app.core.importers import parse_har
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    KeyValue,
    Request,
    Variable,
)
from app.secrets import MemoryStore
from app.session import Session
from app.session.history_record import MASK, HistoryDetail, Origin, record_of
from app.session.history_secrets import secrets_of
from app.session.history_store import HistoryStore
from tests.core.exporters.har_spec import problems

TOKEN = "tok-3f9a8c7e55"


def record_sends(
    tmp_path: Path, requests: list[Request], collection: Collection | None = None
) -> list[HistoryDetail]:
    """Send each request for real and keep it in a history database, as the window does."""
    session = Session(secrets=MemoryStore(), state_path=tmp_path / "state.json")
    store = HistoryStore(tmp_path / "history.sqlite3")

    async def run() -> list[int]:
        ids = []
        try:
            for request in requests:
                resolution = session.resolve(request, collection)
                exchange = await session.send(resolution)
                secrets = secrets_of(session, resolution, exchange)
                origin = Origin(request_name=request.name)
                ids.append(store.add(record_of(exchange, origin, secrets, request)).id)
        finally:
            await session.aclose()
        return ids

    try:
        details = [store.get(entry_id) for entry_id in asyncio.run(run())]
    finally:
        store.close()
    assert all(detail is not None for detail in details)
    return [detail for detail in details if detail is not None]


def sent_header(document: dict, index: int, name: str) -> str | None:
    for row in document["log"]["entries"][index]["request"]["headers"]:
        if row["name"].lower() == name:
            return str(row["value"])
    return None


@pytest.fixture
def exchanges(tmp_path: Path, demo_server: str) -> list[HistoryDetail]:
    collection = Collection(
        name="Demo",
        variables=[Variable("token", TOKEN, secret=True)],
    )
    requests = [
        Request(
            name="Make a post",
            method="POST",
            url=f"{demo_server}/posts",
            params=[KeyValue("draft", "yes"), KeyValue("tag", "a b")],
            headers=[KeyValue("X-Trace", "t-1"), KeyValue("Cookie", "theme=dark; lang=en")],
            body=Body(BodyKind.JSON, text='{"title": "Hello", "body": "World"}'),
            auth=Auth(kind=AuthKind.BEARER, token="{{token}}"),
        ),
        Request(
            name="Log in",
            method="POST",
            url=f"{demo_server}/anything/login",
            body=Body(BodyKind.FORM, form=[KeyValue("user", "ada"), KeyValue("next", "/a&b")]),
        ),
        Request(name="Bytes", url=f"{demo_server}/bytes/64"),
        Request(name="Missing", method="DELETE", url=f"{demo_server}/status/404"),
    ]
    collection.requests = requests
    return record_sends(tmp_path, requests, collection)


def test_history_exports_as_valid_har_with_what_was_sent_and_received(
    exchanges: list[HistoryDetail], demo_server: str
) -> None:
    out = io.StringIO()
    assert write_har(exchanges, out) == 4
    document = json.loads(out.getvalue())
    assert document == json.loads(json.dumps(har_log(exchanges)))
    assert problems(document) == []
    log = document["log"]
    assert (log["version"], log["creator"]) == ("1.2", {"name": "Courier", "version": __version__})
    post, login, data, missing = log["entries"]

    request = post["request"]
    assert request["method"] == "POST"
    assert request["url"] == f"{demo_server}/posts?draft=yes&tag=a%20b"
    assert request["queryString"] == [
        {"name": "draft", "value": "yes"},
        {"name": "tag", "value": "a b"},
    ]
    assert request["httpVersion"] == "HTTP/1.1"
    assert sent_header(document, 0, "x-trace") == "t-1"
    # cookies are credentials to the history: masked whole, so none are listed
    assert sent_header(document, 0, "cookie") == "••••••••"
    assert request["cookies"] == []
    # the bearer token is masked as the history masked it, nowhere in the file
    assert sent_header(document, 0, "authorization") == "Bearer ••••••••"
    assert TOKEN not in out.getvalue()
    assert request["postData"]["mimeType"] == "application/json"
    assert json.loads(request["postData"]["text"]) == {"title": "Hello", "body": "World"}
    assert request["bodySize"] == len(b'{"title": "Hello", "body": "World"}')
    response = post["response"]
    assert (response["status"], response["statusText"]) == (201, "Created")
    assert response["content"]["mimeType"].startswith("application/json")
    assert json.loads(response["content"]["text"])["title"] == "Hello"
    assert response["content"]["size"] == len(response["content"]["text"].encode())
    assert post["serverIPAddress"] == "127.0.0.1"
    assert post["connection"] == demo_server.rpartition(":")[2]
    assert post["startedDateTime"].endswith("+00:00")
    timings = post["timings"]
    assert timings["wait"] > 0
    assert timings["send"] >= 0
    assert timings["receive"] >= 0

    assert login["request"]["postData"]["params"] == [
        {"name": "user", "value": "ada"},
        {"name": "next", "value": "/a&b"},
    ]
    assert login["request"]["postData"]["text"] == "user=ada&next=%2Fa%26b"

    content = data["response"]["content"]
    assert content["encoding"] == "base64"
    assert len(base64.b64decode(content["text"])) == content["size"] == 64
    assert "postData" not in data["request"]
    assert data["request"]["bodySize"] == 0

    assert (missing["request"]["method"], missing["response"]["status"]) == ("DELETE", 404)


def test_an_exported_har_imports_back_as_the_same_requests(
    exchanges: list[HistoryDetail], demo_server: str
) -> None:
    document = har_log(exchanges)
    imported = parse_har(json.dumps(document))
    (folder,) = imported.collection.folders
    assert folder.name == "127.0.0.1"
    back = {request.name: request for request in folder.requests}
    assert list(back) == [
        "POST /posts",
        "POST /anything/login",
        "GET /bytes/64",
        "DELETE /status/404",
    ]
    for entry, request in zip(document["log"]["entries"], folder.requests, strict=True):
        sent = entry["request"]
        assert request.method == sent["method"]
        assert request.url == sent["url"].partition("?")[0]
        assert [(p.name, p.value) for p in request.params] == [
            (q["name"], q["value"]) for q in sent["queryString"]
        ]
        dropped = {"host", "content-length", "connection", "accept-encoding"}
        expected = [
            (h["name"], "" if MASK in h["value"] else h["value"], MASK not in h["value"])
            for h in sent["headers"]
            if h["name"].lower() not in dropped
        ]
        assert [(h.name, h.value, h.enabled) for h in request.headers] == expected
    made = back["POST /posts"]
    assert made.body.kind == BodyKind.JSON
    assert json.loads(made.body.text) == {"title": "Hello", "body": "World"}
    # a masked credential is not a credential: it comes back switched off and empty
    assert [(h.value, h.enabled) for h in made.headers if h.name.lower() == "authorization"] == [
        ("", False)
    ]
    assert made.auth.kind == AuthKind.INHERIT
    assert not imported.collection.variables
    login = back["POST /anything/login"]
    assert login.body.kind == BodyKind.FORM
    assert login.body.form == [KeyValue("user", "ada"), KeyValue("next", "/a&b")]


def test_the_spec_check_finds_what_a_broken_export_gets_wrong(
    exchanges: list[HistoryDetail],
) -> None:
    document = har_log(exchanges[:1])
    assert problems(document) == []
    entry = document["log"]["entries"][0]
    entry["startedDateTime"] = "2026-11-20 10:00"  # no time zone
    entry["time"] += 5
    del entry["request"]["httpVersion"]
    entry["response"]["content"]["encoding"] = "hex"
    wait = entry["timings"]["wait"]
    entry["timings"]["wait"] = -1
    document["log"]["version"] = "1.1"
    found = problems(document)
    assert [line for line in found if line.startswith("log.entries[0].time: ")] == [
        f"log.entries[0].time: {entry['time']}, the timings add up to "
        f"{round(entry['time'] - 5 - wait, 3)}"
    ]
    assert sorted(line for line in found if not line.startswith("log.entries[0].time: ")) == [
        "log.entries[0].request.httpVersion: required",
        "log.entries[0].response.content.encoding: only base64 is known",
        "log.entries[0].startedDateTime: '2026-11-20 10:00' has no time zone",
        "log.entries[0].timings.wait: -1 (may not be -1)",
        "log.version: '1.1', not 1.2",
    ]


def test_a_big_history_is_written_one_entry_in_memory_at_a_time(tmp_path: Path) -> None:
    import tracemalloc

    from app.session.history_record import BodyState, HistoryRecord

    store = HistoryStore(tmp_path / "history.sqlite3")
    body = json.dumps({"items": ["x" * 60 for _ in range(1000)]}).encode()  # ~64 KiB
    detail = {
        "request": {"method": "GET", "url": "http://a.test/items", "headers": [["Accept", "*/*"]],
                    "body_size": 0},
        "response": {"status_code": 200, "reason": "OK", "http_version": "HTTP/1.1",
                     "headers": [["Content-Type", "application/json"]], "url": "http://a.test/items"},
    }  # fmt: skip
    try:
        ids = [
            store.add(
                HistoryRecord(
                    at=1_760_000_000.0 + i,
                    method="GET",
                    url="http://a.test/items",
                    name="",
                    collection_name="",
                    status=200,
                    reason="OK",
                    state="done",
                    size=len(body),
                    duration_s=0.01,
                    error="",
                    detail=detail,
                    body=body,
                    body_state=BodyState.KEPT,
                )
            ).id
            for i in range(150)
        ]
        target = tmp_path / "big.har"

        def details() -> Iterator[HistoryDetail]:
            for entry_id in ids:
                found = store.get(entry_id)
                assert found is not None
                yield found

        with target.open("w", encoding="utf-8") as out:
            tracemalloc.start()
            try:
                assert write_har(details(), out) == 150
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    finally:
        store.close()
    size = target.stat().st_size
    assert size > 150 * len(body)
    assert peak < 1.5 * 1024 * 1024, (peak, size)  # a few entries' worth, not the file's
    document = json.loads(target.read_text(encoding="utf-8"))
    assert problems(document) == []
    assert len(document["log"]["entries"]) == 150


def test_a_followed_redirect_gives_an_entry_per_hop_as_browsers_write_them(
    tmp_path: Path, demo_server: str
) -> None:
    (detail,) = record_sends(tmp_path, [Request(name="Hops", url=f"{demo_server}/redirect/2")])
    out = io.StringIO()
    assert write_har([detail], out) == 1, "one exchange"
    document = json.loads(out.getvalue())
    assert problems(document) == []
    entries = document["log"]["entries"]
    assert [(e["request"]["url"], e["response"]["status"], e["response"]["redirectURL"])
            for e in entries] == [
        (f"{demo_server}/redirect/2", 302, "/redirect/1"),
        (f"{demo_server}/redirect/1", 302, "/get"),
        (f"{demo_server}/get", 200, ""),
    ]  # fmt: skip
    started = [e["startedDateTime"] for e in entries]
    assert started == sorted(started)
    assert entries[2]["request"]["headers"], "the last request's headers are kept"
    assert "headers of the last request only" in entries[0]["request"]["comment"]
    back = parse_har(out.getvalue()).collection.folders[0].requests
    assert [r.name for r in back] == ["GET /redirect/2", "GET /redirect/1", "GET /get"]


def test_an_exchange_that_got_no_answer_is_an_entry_with_status_0_and_why(
    tmp_path: Path, refused_port: int
) -> None:
    url = f"http://127.0.0.1:{refused_port}/nothing"
    (detail,) = record_sends(tmp_path, [Request(name="Refused", url=url)])
    assert detail.entry.error, "the send failed"
    document = har_log([detail])
    assert problems(document) == []
    (entry,) = document["log"]["entries"]
    assert (entry["request"]["url"], entry["response"]["status"]) == (url, 0)
    assert entry["response"]["content"] == {"size": 0, "mimeType": ""}
    assert entry["comment"].startswith(detail.entry.error + ": ")
