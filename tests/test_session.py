"""The Qt-free Session: concurrent sends keep their own credentials, clients are never
changed while in use (new client, same connections), OAuth token requests use the
collection's TLS settings, and the demo server starts in a worker when needed."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

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
from app.net.cookie_jar import jar_file
from app.net.exchange import Exchange, ExchangeState
from app.secrets import MemoryStore
from app.session import Session
from tests.conftest import TLSServer


def session(tmp_path: Path) -> Session:
    return Session(secrets=MemoryStore(), state_path=tmp_path / "state.json")


def echoed_headers(exchange: Exchange) -> dict[str, str]:
    assert exchange.state is ExchangeState.DONE, exchange.error
    data: dict[str, Any] = json.loads(exchange.body.read())
    return data["headers"]  # type: ignore[no-any-return]


def two_folders(base_url: str) -> tuple[Collection, Request, Request]:
    """Collection Bearer {{token}}; folder A and B set token differently (the issue)."""
    in_a = Request(name="in A", url="/delay/0.3")
    in_b = Request(name="in B", url="/headers")
    collection = Collection(
        name="c",
        base_url=base_url,
        auth=Auth(kind=AuthKind.BEARER, token="{{token}}"),
        headers=[KeyValue("X-Team", "{{team}}")],
        variables=[Variable("token", "token-collection"), Variable("team", "all")],
        folders=[
            Folder(name="A", variables=[Variable("token", "token-A")], requests=[in_a]),
            Folder(
                name="B",
                variables=[Variable("token", "token-B"), Variable("team", "bees")],
                requests=[in_b],
            ),
        ],
    )
    return collection, in_a, in_b


def test_concurrent_sends_in_two_folders_each_carry_their_own_credentials(
    tmp_path: Path, demo_server: str
) -> None:
    collection, in_a, in_b = two_folders(demo_server)
    in_a.url = "/anything"

    async def main() -> list[Exchange]:
        s = session(tmp_path)
        try:
            resolutions = [s.resolve(r, collection) for r in (in_a, in_b) * 10]
            return list(await asyncio.gather(*(s.send(r) for r in resolutions)))
        finally:
            await s.aclose()

    exchanges = asyncio.run(main())
    seen = [echoed_headers(x)["authorization"] for x in exchanges]
    assert seen == ["Bearer token-A", "Bearer token-B"] * 10
    teams = [echoed_headers(x)["x-team"] for x in exchanges]
    assert teams == ["all", "bees"] * 10


def test_concurrent_slow_and_fast_sends_do_not_see_each_others_settings(
    tmp_path: Path, demo_server: str
) -> None:
    """A send still waiting on the server keeps its client while another one starts."""
    collection, in_a, in_b = two_folders(demo_server)
    in_a.url = "/delay/0.5"

    async def main() -> tuple[Exchange, Exchange]:
        s = session(tmp_path)
        try:
            slow = asyncio.ensure_future(s.send(s.resolve(in_a, collection)))
            await asyncio.sleep(0.1)
            fast = await s.send(s.resolve(in_b, collection))
            return await slow, fast
        finally:
            await s.aclose()

    slow, fast = asyncio.run(main())
    assert slow.request is not None
    sent = dict(slow.request.headers)
    assert sent["authorization"] == "Bearer ••••••••", "credentials are masked for display"
    assert echoed_headers(fast)["authorization"] == "Bearer token-B"
    assert slow.state is ExchangeState.DONE


def test_settings_change_builds_a_new_client_on_the_same_connections(
    tmp_path: Path, demo_server: str
) -> None:
    request = Request(name="r", url="/headers")
    collection = Collection(
        name="c",
        base_url=demo_server,
        headers=[KeyValue("X-Version", "1")],
        requests=[request],
        environments=[
            Environment("one", [Variable("who", "first")]),
            Environment("two", [Variable("who", "second")]),
        ],
    )
    collection.headers.append(KeyValue("X-Who", "{{who}}"))

    async def main() -> tuple[list[Exchange], list[object]]:
        s = session(tmp_path)
        try:
            clients: list[object] = []
            exchanges = []
            for env in ("one", "two"):
                s.set_active_environment(collection, env)
                resolution = s.resolve(request, collection)
                clients.append(s.pool.lease(resolution.profile).client)
                exchanges.append(await s.send(resolution))
            collection.headers[0].value = "2"
            resolution = s.resolve(request, collection)
            clients.append(s.pool.lease(resolution.profile).client)
            exchanges.append(await s.send(resolution))
            return exchanges, clients
        finally:
            await s.aclose()

    exchanges, clients = asyncio.run(main())
    assert [echoed_headers(x)["x-who"] for x in exchanges] == ["first", "second", "second"]
    assert echoed_headers(exchanges[2])["x-version"] == "2"
    assert len({id(c) for c in clients}) == 3, "a new client object for each change"
    assert clients[0].headers["x-who"] == "first", "the old client was never changed"  # type: ignore[attr-defined]
    reused = [x.timings.reused_connection for x in exchanges if x.timings]
    assert reused == [False, True, True], "the clients share one connection pool"


def test_closing_a_collection_closes_its_transport(tmp_path: Path, demo_server: str) -> None:
    request = Request(name="r", url="/get")
    collection = Collection(name="c", base_url=demo_server, requests=[request])

    async def main() -> bool:
        s = session(tmp_path)
        s.collections.append(collection)
        try:
            resolution = s.resolve(request, collection)
            await s.send(resolution)
            transport = s.pool.lease(resolution.profile).transport.inner
            s.close_collection(collection)
            await asyncio.sleep(0.05)
            pool = transport._pool  # httpcore's pool: no connections once closed
            return len(pool.connections) == 0 and collection.id not in s.pool
        finally:
            await s.aclose()

    assert asyncio.run(main())


def test_oauth_token_requests_use_the_collections_tls_settings(
    tmp_path: Path, tls_demo_server: TLSServer
) -> None:
    """The token URL is on a server only the collection's CA bundle trusts."""
    base = tls_demo_server.base_url
    request = Request(name="me", url="/oauth/me")
    collection = Collection(
        name="c",
        base_url=base,
        settings=Settings(ca_bundle=str(tls_demo_server.ca_pem)),
        auth=Auth(
            kind=AuthKind.OAUTH2,
            grant="client_credentials",
            token_url=f"{base}/oauth/token",
            client_id="courier-demo",
            client_secret="demo-secret",
        ),
        requests=[request],
    )

    async def main() -> Exchange:
        s = session(tmp_path)
        try:
            return await s.send(s.resolve(request, collection))
        finally:
            await s.aclose()

    exchange = asyncio.run(main())
    assert exchange.state is ExchangeState.DONE, exchange.error
    assert json.loads(exchange.body.read())["client"] == "courier-demo"


def test_the_demo_server_starts_in_a_worker_when_a_request_needs_it(tmp_path: Path) -> None:
    request = Request(name="r", url="{{$demo}}/posts/1")
    started_on: list[str] = []

    async def main() -> Exchange:
        s = session(tmp_path)
        original = s.demo._start  # type: ignore[attr-defined]

        def recording_start() -> str:
            started_on.append(threading.current_thread().name)
            return original()  # type: ignore[no-any-return]

        s.demo._start = recording_start  # type: ignore[attr-defined]
        try:
            assert s.resolve(request, None).needs_demo
            resolution = await s.prepare(request, None)
            assert not resolution.needs_demo
            return await s.send(resolution)
        finally:
            await s.aclose()

    exchange = asyncio.run(main())
    assert json.loads(exchange.body.read())["id"] == 1
    assert started_on
    assert started_on[0] != threading.main_thread().name


def test_a_body_outlives_the_next_send(tmp_path: Path, demo_server: str) -> None:
    request = Request(name="r", url=f"{demo_server}/bytes/3000000?seed=same")

    async def main() -> tuple[Exchange, Exchange]:
        s = session(tmp_path)
        try:
            first = await s.send(s.resolve(request, None))
            second = await s.send(s.resolve(request, None))
            return first, second
        finally:
            await s.aclose()

    first, second = asyncio.run(main())
    assert first.body.read() == second.body.read()
    assert first.received == 3_000_000


def test_vars_given_on_the_command_line_win(tmp_path: Path, demo_server: str) -> None:
    collection, _in_a, in_b = two_folders(demo_server)
    s = session(tmp_path)
    s.overrides = {"token": "from-cli"}
    resolution = s.resolve(in_b, collection)
    assert resolution.request.auth is not None
    assert resolution.request.auth.token == "from-cli"


class CountingStore(MemoryStore):
    """A session-only store that counts the keychain calls a real one would make."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def get(self, key: str) -> str | None:
        self.calls.append("get")
        return super().get(key)

    def set(self, key: str, value: str) -> None:
        self.calls.append("set")
        super().set(key, value)

    def delete(self, key: str) -> None:
        self.calls.append("delete")
        super().delete(key)


def test_saving_unchanged_secrets_makes_no_keychain_call(tmp_path: Path) -> None:
    from app.core import secret_slots, storage

    store = CountingStore()
    s = Session(secrets=store, state_path=tmp_path / "state.json")
    collection = storage.create_collection(tmp_path / "api", "API")
    collection.variables = [Variable("token", "t-1", secret=True)]
    collection.auth = Auth(kind=AuthKind.BASIC, username="ada", password="pw")
    s.store_secrets(secret_slots.collection_slots(collection))
    assert store.calls == ["set", "set"]
    store.calls.clear()
    s.store_secrets(secret_slots.collection_slots(collection))
    assert store.calls == [], "nothing changed: no D-Bus round trip on save"
    collection.variables[0].value = "t-2"
    s.store_secrets(secret_slots.collection_slots(collection))
    assert store.calls == ["set"]
    assert store.get(f"{collection.id}/collection/token") == "t-2"
    from app.session import secret_fields

    collection.auth.stored_secrets = secret_fields(collection.auth)
    storage.save_collection_settings(collection)
    reopened = Session(secrets=store, state_path=tmp_path / "state.json")
    store.calls.clear()
    loaded = reopened.load_collection(tmp_path / "api")
    assert "get" in store.calls
    store.calls.clear()
    reopened.store_secrets(secret_slots.collection_slots(loaded))
    assert "set" not in store.calls, "values read from the keychain are known to be there"


def test_session_cookies_end_with_the_app_unless_the_user_keeps_them(
    tmp_path: Path, demo_server: str
) -> None:
    collection = Collection(name="c", base_url=demo_server)
    set_both = Request(name="set", url="/cookies/set?session=1")
    set_lasting = Request(name="keep", url="/cookies/keep?lasting=2")
    check = Request(name="check", url="/cookies")

    async def run(*requests: Request, keep: bool | None = None) -> dict[str, str]:
        s = session(tmp_path)
        if keep is not None:
            s.set_keep_session_cookies(keep)
        try:
            for request in (*requests, check):
                exchange = await s.send(s.resolve(request, collection))
            assert exchange.state is ExchangeState.DONE, exchange.error
            cookies: dict[str, str] = json.loads(exchange.body.read())["cookies"]
            return cookies
        finally:
            await s.aclose()
            s.save_state()

    assert asyncio.run(run(set_both, set_lasting)) == {"session": "1", "lasting": "2"}
    assert asyncio.run(run()) == {"lasting": "2"}, "the session cookie ended with the app"

    asyncio.run(run(set_both, keep=True))
    assert asyncio.run(run()) == {"session": "1", "lasting": "2"}, "kept: the setting is saved"
    assert asyncio.run(run(keep=False)) == {"lasting": "2"}, "no longer kept: not read back"
    assert json.loads(jar_file(collection.id).read_text())["cookies"][0]["name"] == "lasting"
    assert len(json.loads(jar_file(collection.id).read_text())["cookies"]) == 1, "rewritten"
