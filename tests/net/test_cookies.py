"""A cookie jar per collection: kept between runs in Courier's data folder, and a
"no cookies" option that neither sends nor stores."""

from __future__ import annotations

import asyncio
import json
import stat
import time
from pathlib import Path

from app.core.inherit import resolve
from app.core.model import Collection, Request, Settings
from app.core.resolved import ClientProfile, ResolvedRequest
from app.net import cookie_jar
from app.net.clients import ClientPool
from tests.net.sending import json_body, send


async def body(pool: ClientPool, profile: ClientProfile, url: str) -> dict[str, object]:
    exchange, _ = await send(pool, profile, ResolvedRequest("GET", url))
    await pool.save_cookies_async()
    return json_body(exchange)  # type: ignore[no-any-return]


def test_cookies_persist_per_collection_outside_the_collection(
    demo_server: str, courier_home: Path
) -> None:
    profile = ClientProfile("c1", demo_server, cookie_key="c1")

    async def first_run() -> None:
        pool = ClientPool()
        await body(pool, profile, "/cookies/keep?flavour=oat")
        assert await body(pool, profile, "/cookies") == {"cookies": {"flavour": "oat"}}
        await pool.aclose()

    async def second_run() -> None:
        pool = ClientPool()
        assert await body(pool, profile, "/cookies") == {"cookies": {"flavour": "oat"}}
        other = ClientProfile("c2", demo_server, cookie_key="c2")
        assert await body(pool, other, "/cookies") == {"cookies": {}}, "jars are per collection"
        rows = pool.cookie_rows("c1")
        assert [(r.name, r.value) for r in rows] == [("flavour", "oat")]
        await pool.aclose()

    asyncio.run(first_run())
    saved = cookie_jar.jar_file("c1")
    assert saved.is_relative_to(courier_home)
    assert "flavour" in saved.read_text()
    asyncio.run(second_run())


def test_edit_delete_and_clear(demo_server: str) -> None:
    from dataclasses import replace

    profile = ClientProfile("k", demo_server, cookie_key="k")

    async def main() -> None:
        pool = ClientPool()
        await body(pool, profile, "/cookies/keep?a=1&b=2")
        a, b = pool.cookie_rows("k")
        pool.set_cookie("k", replace(a, value="edited"))
        assert await body(pool, profile, "/cookies") == {"cookies": {"a": "edited", "b": "2"}}
        pool.delete_cookie("k", b)
        assert await body(pool, profile, "/cookies") == {"cookies": {"a": "edited"}}
        pool.clear_cookies("k")
        assert await body(pool, profile, "/cookies") == {"cookies": {}}
        await pool.save_cookies_async()
        await pool.aclose()

    asyncio.run(main())
    assert json.loads(cookie_jar.jar_file("k").read_text())["cookies"] == []


def test_no_cookies_option_neither_sends_nor_stores(demo_server: str) -> None:
    collection = Collection(name="c", base_url=demo_server)
    with_cookies = Request(name="w", url="/cookies/set?x=1")
    without = Request(name="n", url="/cookies/set?y=2", settings=Settings(no_cookies=True))
    check_without = Request(name="c", url="/cookies", settings=Settings(no_cookies=True))
    check = Request(name="c2", url="/cookies")
    collection.requests = [with_cookies, without, check_without, check]

    async def main() -> list[dict[str, object]]:
        pool = ClientPool()
        out = []
        for request in collection.requests:
            resolution = resolve(request, collection)
            out.append(await body(pool, resolution.profile, resolution.request.url))
        await pool.aclose()
        return out

    results = asyncio.run(main())
    assert results[2] == {"cookies": {}}, "nothing is sent"
    assert results[3] == {"cookies": {"x": "1"}}, "y=2 was never stored"


def test_a_corrupt_jar_file_is_moved_aside(courier_home: Path) -> None:
    path = cookie_jar.jar_file("bad")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert list(cookie_jar.load("bad")) == []
    assert path.with_name(path.name + ".bad").read_text() == "{not json"


def session_and_lasting_cookies(demo_server: str, key: str, keep: bool) -> None:
    """One run: a session cookie, a lasting one (Max-Age), an expired one set by hand."""
    profile = ClientProfile(key, demo_server, cookie_key=key)

    async def run() -> None:
        pool = ClientPool()
        pool.keep_session_cookies = keep
        await body(pool, profile, "/cookies/set?session=1")
        await body(pool, profile, "/cookies/keep?lasting=2")
        gone = cookie_jar.CookieRow("127.0.0.1", "/", "stale", "3", int(time.time()) - 60, False)
        pool.set_cookie(key, gone)
        names = {r.name for r in pool.cookie_rows(key)}
        assert names == {"session", "lasting", "stale"}, "all three live in this run"
        await pool.aclose()

    asyncio.run(run())


def saved_names(key: str) -> set[str]:
    return {c["name"] for c in json.loads(cookie_jar.jar_file(key).read_text())["cookies"]}


def next_run_names(key: str, keep: bool) -> set[str]:
    async def run() -> set[str]:
        pool = ClientPool()
        pool.keep_session_cookies = keep
        names = {r.name for r in pool.cookie_rows(key)}
        await pool.aclose()
        return names

    return asyncio.run(run())


def test_session_cookies_end_with_the_run_and_expired_ones_are_never_written(
    demo_server: str,
) -> None:
    session_and_lasting_cookies(demo_server, "s", keep=False)
    assert saved_names("s") == {"lasting"}
    assert next_run_names("s", keep=False) == {"lasting"}


def test_session_cookies_are_kept_when_the_user_says_so(demo_server: str) -> None:
    session_and_lasting_cookies(demo_server, "k", keep=True)
    assert saved_names("k") == {"session", "lasting"}, "expired ones are still not written"
    assert next_run_names("k", keep=True) == {"session", "lasting"}

    # the user changes their mind: the next run drops them, and rewrites the file
    async def run() -> None:
        pool = ClientPool()
        assert {r.name for r in pool.cookie_rows("k")} == {"lasting"}
        await pool.aclose()

    asyncio.run(run())
    assert saved_names("k") == {"lasting"}


def test_jar_files_are_owner_only_in_owner_only_folders(
    demo_server: str, courier_home: Path
) -> None:
    session_and_lasting_cookies(demo_server, "m", keep=False)
    path = cookie_jar.jar_file("m")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700, "the data directory"
