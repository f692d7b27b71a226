"""The demo server answers like the public APIs it imitates."""

from __future__ import annotations

import base64
import gzip
import struct
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest

from app.demo.app import crc32_of_zeros


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
