"""The demo server answers like the public APIs it imitates."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest


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
