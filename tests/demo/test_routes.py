"""The demo server answers like the public APIs it imitates."""

from __future__ import annotations

import base64
import gzip
import json
import struct
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest

from app.demo import big, media, viewers
from app.demo.app import crc32_of_zeros, seeded_bytes


@pytest.fixture
def client(demo_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo_server, timeout=10) as c:
        yield c


def test_posts_crud(client: httpx.Client) -> None:
    posts = client.get("/posts").json()
    assert len(posts) == 100
    assert {p["userId"] for p in client.get("/posts", params={"userId": 3}).json()} == {3}
    assert client.get("/posts/1").json()["id"] == 1
    assert client.get("/posts/101").status_code == 404
    created = client.post("/posts", json={"title": "t", "userId": 1})
    assert created.status_code == 201
    assert created.json() == {"title": "t", "userId": 1, "id": 101}
    assert client.put("/posts/2", json={"title": "new"}).json() == {"title": "new", "id": 2}
    patched = client.patch("/posts/2", json={"title": "p"}).json()
    assert patched["title"] == "p"
    assert patched["userId"] == 1
    assert client.delete("/posts/2").json() == {}
    assert client.post("/posts", content=b"not json").status_code == 400


def test_echo_routes(client: httpx.Client) -> None:
    echo = client.post("/anything?x=1", data={"a": "b"}, headers={"X-T": "v"}).json()
    assert echo["method"] == "POST"
    assert echo["args"] == {"x": "1"}
    assert echo["form"] == {"a": "b"}
    assert echo["headers"]["x-t"] == "v"
    assert client.post("/anything", json={"k": 1}).json()["json"] == {"k": 1}
    assert client.get("/headers", headers={"X-A": "1"}).json()["headers"]["x-a"] == "1"


def test_status_delay_bytes_stream(client: httpx.Client) -> None:
    assert client.get("/status/418").status_code == 418
    assert client.get("/status/503").status_code == 503
    assert client.get("/status/999").status_code == 400
    assert client.get("/delay/0.1").json()["delayed_s"] == 0.1
    data = client.get("/bytes/100000")
    assert len(data.content) == 100000
    assert data.headers["content-length"] == "100000"
    assert data.headers["content-type"] == "application/octet-stream"
    lines = client.get("/stream/3").text.splitlines()
    assert len(lines) == 3
    assert client.get("/drip", params={"numbytes": 5, "duration": 0.1}).content == b"*****"


def test_auth_and_redirects(client: httpx.Client) -> None:
    assert client.get("/basic-auth/u/p").status_code == 401
    good = "Basic " + base64.b64encode(b"u:p").decode()
    assert client.get("/basic-auth/u/p", headers={"Authorization": good}).status_code == 200
    assert client.get("/bearer").status_code == 401
    ok = client.get("/bearer", headers={"Authorization": "Bearer abc"})
    assert ok.json()["token"] == "abc"
    final = client.get("/redirect/3", follow_redirects=True)
    assert final.url.path == "/get"
    assert len(final.history) == 3


def test_broken_route_hangs_up_mid_body(client: httpx.Client) -> None:
    assert "GET /broken/{n}" in client.get("/").json()["routes"]
    received: list[bytes] = []

    def read_all() -> None:
        with client.stream("GET", "/broken/1000") as response:
            assert response.headers["content-length"] == "2000"
            received.extend(response.iter_bytes())

    with pytest.raises(httpx.RemoteProtocolError, match=r"received 1000 bytes, expected 2000"):
        read_all()
    assert sum(map(len, received)) == 1000
    assert client.get("/get").status_code == 200, "the server keeps serving"
    assert client.get("/broken/0").status_code == 400


def test_anything_echoes_what_the_request_carried(client: httpx.Client) -> None:
    echo = client.put(
        "/anything/deep/path?a=1&b=two",
        content=b"raw body",
        headers=[("X-Trace", "1"), ("X-Trace", "2"), ("Authorization", "Bearer t")],
    ).json()
    assert echo["method"] == "PUT"
    assert echo["url"] == f"{str(client.base_url).rstrip('/')}/anything/deep/path?a=1&b=two"
    assert echo["args"] == {"a": "1", "b": "two"}
    assert echo["body"] == "raw body"
    assert echo["headers"]["x-trace"] == "1, 2", "a repeated header is not lost"
    assert echo["headers"]["authorization"] == "Bearer t"


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_to_answers_the_asked_status(client: httpx.Client, code: int) -> None:
    target = "http://elsewhere.invalid/x?y=1"
    response = client.get("/redirect-to", params={"url": target, "status_code": code})
    assert response.status_code == code
    assert response.headers["location"] == target
    assert client.post("/redirect-to", params={"url": "/get"}).status_code == 302


def test_redirect_to_defaults_and_refusals(client: httpx.Client) -> None:
    response = client.get("/redirect-to", params={"url": "/anything?q=1"})
    assert response.status_code == 302, "302 by default"
    assert response.headers["location"] == "/anything?q=1"
    assert client.get("/redirect-to").status_code == 400
    for bad in ("304", "200", "abc"):
        refused = client.get("/redirect-to", params={"url": "/get", "status_code": bad})
        assert refused.status_code == 400
    assert "ANY /redirect-to?url=&status_code=302" in client.get("/").json()["routes"]


def test_redirect_to_keeps_method_and_body_on_307(client: httpx.Client) -> None:
    final = client.post(
        "/redirect-to",
        params={"url": "/anything?hop=1", "status_code": 307},
        content=b"payload",
        follow_redirects=True,
    )
    echo = final.json()
    assert [r.status_code for r in final.history] == [307]
    assert echo["method"] == "POST"
    assert echo["body"] == "payload"
    assert echo["url"].endswith("/anything?hop=1")


def test_redirect_to_another_origin(client: httpx.Client, second_origin_server: str) -> None:
    target = f"{second_origin_server}/anything?from=first"
    final = client.get(
        "/redirect-to", params={"url": target, "status_code": 303}, follow_redirects=True
    )
    assert final.json()["url"] == target
    assert final.json()["headers"]["host"] == second_origin_server.removeprefix("http://")


GIB = 1 << 30


def _raw_bomb(client: httpx.Client, gb: str) -> tuple[httpx.Headers, bytes]:
    with client.stream("GET", "/gzip-bomb", params={"gb": gb}) as response:
        assert response.status_code == 200
        return response.headers, b"".join(response.iter_raw())


def test_gzip_bomb_small_decodes_fully(client: httpx.Client) -> None:
    headers, raw = _raw_bomb(client, "0.01")
    size = round(0.01 * GIB)
    assert size % (1 << 20), "a size that is not whole MiB: the tail is exercised"
    assert headers["content-encoding"] == "gzip"
    assert "content-length" not in headers, "streamed"
    assert headers["x-decoded-length"] == str(size)
    decoded = gzip.decompress(raw)  # checks the trailer's CRC-32 and size too
    assert len(decoded) == size
    assert decoded == bytes(size)
    assert len(raw) < size // 900, "about 1000:1"
    assert "GET /gzip-bomb?gb=10" in client.get("/").json()["routes"]


def test_gzip_bomb_quarter_gib_is_one_valid_gzip_member(client: httpx.Client) -> None:
    _, raw = _raw_bomb(client, "0.25")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total, pending = 0, raw
    while pending:
        out = inflater.decompress(pending, 8 << 20)  # bounded memory
        assert out.count(0) == len(out)
        total += len(out)
        pending = inflater.unconsumed_tail
    total += len(inflater.flush())
    assert inflater.eof, "the member ended (trailer checked by zlib)"
    assert inflater.unused_data == b""
    assert total == GIB // 4


def test_gzip_bomb_default_is_ten_gib_and_cheap_to_serve(client: httpx.Client) -> None:
    started = time.monotonic()
    _, raw = _raw_bomb(client, "10")
    elapsed = time.monotonic() - started
    assert raw[:3] == b"\x1f\x8b\x08"
    crc, isize = struct.unpack("<II", raw[-8:])
    assert isize == (10 * GIB) % (1 << 32)
    assert crc == crc32_of_zeros(10 * GIB)
    assert len(raw) < 11 * 1024 * 1024
    assert elapsed < 10, (
        f"serving 10 GiB took {elapsed:.1f} s: it must not compress at request time"
    )
    with client.stream("GET", "/gzip-bomb") as response:
        assert response.headers["x-decoded-length"] == str(10 * GIB)


def test_gzip_bomb_refuses_bad_sizes(client: httpx.Client) -> None:
    for bad in ("-1", "abc", "101", "nan", "inf"):
        assert client.get("/gzip-bomb", params={"gb": bad}).status_code == 400
    _, raw = _raw_bomb(client, "0")
    assert gzip.decompress(raw) == b""


def test_crc32_of_zeros_matches_zlib() -> None:
    mib = 1 << 20
    for size in (0, 1, 7, mib - 1, mib, mib + 1, 3 * mib + 12345, 8 * mib):
        assert crc32_of_zeros(size) == zlib.crc32(bytes(size)), size


# --- routes for the viewers ---------------------------------------------------------------


def test_bytes_are_random_and_seedable(client: httpx.Client) -> None:
    size = 300_000  # several chunks and a partial one
    seeded = client.get(f"/bytes/{size}", params={"seed": "abc"})
    assert seeded.headers["x-seed"] == "abc"
    assert seeded.content == b"".join(seeded_bytes("abc", size))
    assert client.get(f"/bytes/{size}", params={"seed": "abc"}).content == seeded.content
    assert client.get(f"/bytes/{size}", params={"seed": "abd"}).content != seeded.content
    first, second = client.get("/bytes/4096"), client.get("/bytes/4096")
    assert first.content != second.content, "no seed: different bytes every time"
    assert first.content == b"".join(seeded_bytes(first.headers["x-seed"], 4096))
    assert len(set(seeded.content)) == 256, "every byte value occurs"
    assert len(zlib.compress(seeded.content)) > size, "random: incompressible"
    assert client.get("/bytes/0").content == b""


IMAGE_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}
#: (x, y) -> the colour media.pixel gives there: ground, rectangle, square, band
PROBES = ((0, 0), (10, 10), (45, 10), (5, 40), (63, 47))


@pytest.mark.gui
@pytest.mark.parametrize("kind", sorted(IMAGE_TYPES))
def test_images_decode_with_the_stated_size(client: httpx.Client, qapp: object, kind: str) -> None:
    from PySide6.QtGui import QColor, QImage

    response = client.get(f"/image/{kind}")
    assert response.headers["content-type"] == IMAGE_TYPES[kind]
    assert int(response.headers["content-length"]) == len(response.content)
    image = QImage.fromData(response.content)
    assert not image.isNull()
    assert (image.width(), image.height()) == (media.WIDTH, media.HEIGHT) == (64, 48)
    tolerance = 12 if kind == "jpeg" else 0  # lossy
    for x, y in PROBES:
        got = QColor(image.pixel(x, y))
        want = media.pixel(x, y)
        assert all(
            abs(a - b) <= tolerance
            for a, b in zip((got.red(), got.green(), got.blue()), want, strict=True)
        ), (kind, x, y, got.name())
    assert "GET /image/{png|jpeg|gif|webp|svg}" in client.get("/").json()["routes"]


def test_image_by_accept(client: httpx.Client) -> None:
    for accept, content_type in (
        ("image/webp,image/*;q=0.8", "image/webp"),
        ("image/svg+xml", "image/svg+xml"),
        ("image/jpeg", "image/jpeg"),
        ("image/png", "image/png"),
        ("image/*", "image/png"),
        ("*/*", "image/png"),
    ):
        response = client.get("/image", headers={"Accept": accept})
        assert response.headers["content-type"] == content_type, accept
    assert client.get("/image", headers={"Accept": "application/json"}).status_code == 406
    assert client.get("/image/tiff").status_code == 404
    assert client.get("/image/jpg").headers["content-type"] == "image/jpeg"


def parse_sse(text: str) -> tuple[list[dict[str, str]], int]:
    """Events (fields joined as the spec says) and the number of comment lines."""
    events, comments, current = [], 0, {}  # type: ignore[var-annotated]
    for line in text.split("\n"):
        if line == "":
            if current:
                events.append(current)
            current = {}
        elif line.startswith(":"):
            comments += 1
        else:
            name, _, value = line.partition(": ")
            if name == "data" and "data" in current:
                current["data"] += "\n" + value
            else:
                current[name] = value
    assert current == {}, "the stream ends after a blank line"
    return events, comments


def test_sse_framing(client: httpx.Client) -> None:
    response = client.get("/sse", params={"count": 12, "interval": 0})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert "content-length" not in response.headers
    text = response.text
    assert text == ": Courier demo event stream\n\n" + "".join(
        viewers.sse_event(n).decode() for n in range(1, 13)
    )
    events, comments = parse_sse(text)
    assert comments == 1 + 2, "the opening comment and a keepalive after events 5 and 10"
    assert [e["id"] for e in events] == [str(n) for n in range(1, 13)]
    assert events[0]["retry"] == "3000"
    assert [e.get("event") for e in events[:6]] == [None, None, "update", None, None, "update"]
    assert events[3]["data"] == "multi-line event 4\nsecond line\nthird line"
    assert (
        json.loads(events[4]["data"])
        == viewers.sse_data(5)
        == {
            "n": 5,
            "message": "event 5",
            "ok": True,
            "tags": ["demo", "t5"],
        }
    )
    json_events = [e for e in events if e["data"].startswith("{")]
    assert len(json_events) == 9, "all but every fourth carry JSON"


def test_sse_arrives_live(client: httpx.Client) -> None:
    arrivals: list[float] = []
    started = time.monotonic()
    with client.stream("GET", "/sse", params={"count": 4, "interval": 0.2}) as response:
        for chunk in response.iter_bytes():
            if b"id: " in chunk:
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) >= 3, "events come one by one, not all at the end"
    assert arrivals[-1] - arrivals[0] >= 0.4


def wait_until_closed(client: httpx.Client, kind: str) -> int:
    deadline = time.monotonic() + 5
    while (count := client.get("/streams/open").json()[kind]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return int(count)


@pytest.mark.parametrize("kind", ["sse", "ndjson"])
def test_forever_stops_when_the_client_hangs_up(demo_server: str, kind: str) -> None:
    with httpx.Client(base_url=demo_server, timeout=10) as watcher:
        assert wait_until_closed(watcher, kind) == 0
        with httpx.Client(base_url=demo_server, timeout=10) as client:
            received, open_while_reading = b"", -1
            with client.stream(
                "GET", f"/{kind}", params={"forever": 1, "interval": 0.01, "count": 1}
            ) as response:
                for chunk in response.iter_bytes():
                    received += chunk
                    if open_while_reading < 0 and received.count(b"\n") > 20:
                        open_while_reading = watcher.get("/streams/open").json()[kind]
                    if received.count(b"\n") > 200:
                        break  # httpcore closes the connection here
        assert open_while_reading == 1, "sending while the client reads"
        assert received.count(b"\n") > 200, "forever goes past count"
        assert wait_until_closed(watcher, kind) == 0, "the server stopped sending"


def test_ndjson_framing(client: httpx.Client) -> None:
    response = client.get("/ndjson", params={"count": 25, "interval": 0})
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.content.endswith(b"\n")
    lines = response.content.splitlines()
    assert [json.loads(line) for line in lines] == [viewers.ndjson_record(n) for n in range(1, 26)]
    assert all(b"\n" not in line and line.startswith(b"{") for line in lines)
    assert client.get("/ndjson", params={"count": "x"}).status_code == 400
    assert client.get("/ndjson", params={"count": 0}).content == b""


def test_xml_document(client: httpx.Client) -> None:
    import xml.etree.ElementTree as ET

    response = client.get("/xml")
    assert response.headers["content-type"] == "application/xml"
    assert b"<!--" in response.content
    assert b"<![CDATA[" in response.content
    root = ET.fromstring(response.content)
    assert root.tag == "catalog"
    books = root.findall("book")
    assert [b.get("id") for b in books] == ["b1", "b2"]
    assert books[1].findtext("title") == "Grüße aus Köln"
    assert books[1].findtext("notes") == 'Raw <b>markup</b> & "quotes" stay as they are'
    assert root.find("book/{urn:courier:demo}tags") is not None


def test_html_page_points_its_remote_content_at_the_probe(client: httpx.Client) -> None:
    from html.parser import HTMLParser

    probe = "http://127.0.0.1:9/probe?x=1&y=2"
    response = client.get("/html", params={"probe": probe})
    assert response.headers["content-type"] == "text/html; charset=utf-8"

    found: list[tuple[str, str]] = []

    class Refs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("src", "href") and value:
                    found.append((tag, value))

    Refs().feed(response.text)
    remote = {tag: url for tag, url in found if not url.startswith("data:")}
    assert remote == {
        "link": f"{probe}/style.css",
        "script": f"{probe}/script.js",
        "img": f"{probe}/image.png",
        "iframe": f"{probe}/frame.html",
    }
    assert ("img", "data:image/png;base64," + base64.b64encode(media.png()).decode()) in found
    assert f'url("{probe}/background.png")'.replace("&", "&amp;") in response.text
    assert f"url('{probe}/inline.png')".replace("&", "&amp;") in response.text
    for heading in ("<h1>", "<h2>", "<table>"):
        assert heading in response.text
    default = client.get("/html").text
    assert "http://example.invalid/image.png" in default


def test_javascript_and_css(client: httpx.Client) -> None:
    js = client.get("/javascript")
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "async function wordsByUser" in js.text
    css = client.get("/css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert ":root {" in css.text


@pytest.mark.parametrize(
    ("name", "declared", "codec"),
    [
        ("utf-8", "utf-8", "utf-8"),
        ("latin-1", "iso-8859-1", "latin-1"),
        ("utf-16", "utf-16", "utf-16"),
    ],
)
def test_charsets(client: httpx.Client, name: str, declared: str, codec: str) -> None:
    response = client.get(f"/charset/{name}")
    assert response.headers["content-type"] == f"text/plain; charset={declared}"
    assert response.content == viewers.charset_body(name)
    assert response.content.decode(codec) == viewers.CHARSET_TEXT
    assert response.text == viewers.CHARSET_TEXT, "httpx reads the declared charset"
    assert "Grüße" in viewers.CHARSET_TEXT
    undeclared = client.get(f"/charset/{name}", params={"declare": 0})
    assert undeclared.headers["content-type"] == "text/plain"
    assert undeclared.content == response.content
    if name == "utf-16":
        assert response.content.startswith(b"\xff\xfe"), "a BOM"
    if name == "latin-1":
        with pytest.raises(UnicodeDecodeError):
            response.content.decode("utf-8")
        assert len(response.content) == len(viewers.CHARSET_TEXT)


def _decode(name: str, raw: bytes) -> bytes:
    import brotli

    from app.demo.viewers import zstd

    decoders = {
        "gzip": gzip.decompress,
        "deflate": zlib.decompress,
        "br": brotli.decompress,
        "zstd": zstd.decompress,
    }
    return decoders[name](raw)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["gzip", "deflate", "br", "zstd"])
def test_encodings_decode_to_the_plain_json(client: httpx.Client, name: str) -> None:
    plain = client.get("/encoding/identity")
    assert plain.headers["content-type"] == "application/json"
    assert "content-encoding" not in plain.headers
    assert plain.content == viewers.encoding_json()
    assert json.loads(plain.content)["posts"][0]["id"] == 1
    with client.stream("GET", f"/encoding/{name}") as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == name
        assert response.headers["content-type"] == "application/json"
        assert int(response.headers["content-length"]) == len(raw)
        assert int(response.headers["x-decoded-length"]) == len(plain.content)
    assert len(raw) < len(plain.content) // 3, "compressed"
    assert _decode(name, raw) == plain.content


def _read_big(client: httpx.Client, path: str, **params: object) -> tuple[httpx.Headers, bytes]:
    with client.stream("GET", path, params=params) as response:
        assert response.status_code == 200
        return response.headers, b"".join(response.iter_bytes())


@pytest.mark.parametrize("one_line", [0, 1])
def test_big_json(client: httpx.Client, one_line: int) -> None:
    headers, body = _read_big(client, "/big/json", mb=3, one_line=one_line)
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    assert abs(len(body) - 3 * big.MIB) < 64 * 1024, "about 3 MiB"
    assert body == b"".join(big.body("json-one-line" if one_line else "json", 3))
    document = json.loads(body)
    records = document["records"]
    assert records[-1] == {"id": "end", "marker": big.MARKER, "last": True}
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids), "every record has its own id"
    assert ids[0] == "00000000-0000"
    assert body.count(big.MARKER.encode()) == 1
    assert body.rindex(big.MARKER.encode()) > len(body) - 100, "near the end"
    lines = body.count(b"\n")
    if one_line:
        assert lines == 1
        assert body.endswith(b"\n")
    else:
        assert lines == len(records) + 2, "a record a line, the head's and the tail's"


def test_big_text(client: httpx.Client) -> None:
    headers, body = _read_big(client, "/big/text", mb=2.5)
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    assert abs(len(body) - 2.5 * big.MIB) < 64 * 1024
    lines = body.decode().splitlines()
    assert lines[0] == "Courier demo big text"
    assert lines[-1] == f"{big.MARKER}: the last line"
    assert body.count(big.MARKER.encode()) == 1
    labels = [line.split(" ", 1)[0] for line in lines[1:-1]]
    assert len(set(labels)) == len(labels), "every line is numbered differently"


def test_big_sizes_and_refusals(client: httpx.Client) -> None:
    for kind, path in (("json", "/big/json"), ("text", "/big/text")):
        headers, body = _read_big(client, path, mb=0)
        assert int(headers["content-length"]) == len(body) < 200
        assert big.MARKER.encode() in body
        if kind == "json":
            assert json.loads(body)["records"][0]["marker"] == big.MARKER
    for bad in ("-1", "abc", "5000", "nan"):
        assert client.get("/big/json", params={"mb": bad}).status_code == 400
    with client.stream("GET", "/big/json", params={"mb": 1000}) as response:
        declared = int(response.headers["content-length"])
    assert abs(declared - 1000 * big.MIB) < 64 * 1024, "a GB is announced without being built"


def test_index_lists_the_viewer_routes(client: httpx.Client) -> None:
    routes = client.get("/").json()["routes"]
    for route in (
        "GET /sse?count=10&interval=0.5&forever=0",
        "GET /ndjson?count=20&interval=0.5&forever=0",
        "GET /html?probe=URL",
        "GET /charset/{utf-8|latin-1|utf-16}?declare=1",
        "GET /encoding/{gzip|deflate|br|zstd|identity}",
        "GET /big/json?mb=1&one_line=0",
        "GET /big/text?mb=1",
        "GET /bytes/{n}?seed=",
    ):
        assert route in routes


def test_the_sample_collections_viewer_requests_answer(client: httpx.Client) -> None:
    from app.core import storage
    from app.resources import resource_path

    sample = storage.load_collection(resource_path("sample-collection"))
    folder = next(f for f in sample.folders if f.name == "Viewers")
    assert len(folder.requests) >= 9
    kinds = set()
    for request in folder.requests:
        params = {p.name: p.value for p in request.params}
        with client.stream(request.method, request.url, params=params) as response:
            assert response.status_code == 200, request.name
            kinds.add(response.headers["content-type"].split(";")[0])
            next(response.iter_raw(), None)  # a byte arrives; leaving hangs up
    assert {"image/png", "text/event-stream", "application/x-ndjson", "application/xml"} <= kinds


def test_an_abandoned_big_body_stops_being_generated(demo_server: str) -> None:
    """4 GiB take the server ~8 s to generate: gone within the 5 s wait only if it
    noticed the hang-up (hypercorn's writes to a closed socket neither fail nor wait)."""
    kind, path = "big", "/big/text?mb=4096"
    with httpx.Client(base_url=demo_server, timeout=10) as watcher:
        assert wait_until_closed(watcher, kind) == 0
        with (
            httpx.Client(base_url=demo_server, timeout=10) as client,
            client.stream("GET", path) as response,
        ):
            chunks = response.iter_raw()  # kept: a dropped iterator closes the connection
            assert next(chunks)
            assert watcher.get("/streams/open").json()[kind] == 1
        assert wait_until_closed(watcher, kind) == 0
