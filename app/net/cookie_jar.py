"""A collection's cookie jar, kept in Courier's data directory between runs.

Cookies belong to the collection's client (one jar per collection, shared by
its transport variants) and are written as JSON under
``<data dir>/cookies/<collection id>.json`` - never into the collection folder,
which may be shared in git.  A request or folder can opt out: it then uses a
jar whose policy refuses every cookie, so nothing is sent or stored.

Session cookies (no Expires or Max-Age) end with the run, as in a browser: they
are neither written nor read back unless the user keeps them (an app-wide
preference); expired cookies are never written.  Jar files are 0600 in a 0700
folder: they hold live login sessions.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from pathlib import Path

from app.core import paths
from app.core.yamlio import atomic_write

FORMAT = 1


@dataclass(frozen=True, slots=True)
class CookieRow:
    """A cookie as the cookie manager shows it."""

    domain: str
    path: str
    name: str
    value: str
    expires: int | None
    secure: bool


def jar_file(key: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key)
    return paths.data_dir() / "cookies" / f"{safe}.json"


def refusing_jar() -> CookieJar:
    """A jar that neither sends nor stores anything (the "no cookies" option)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def make_cookie(row: CookieRow) -> Cookie:
    return Cookie(
        version=0,
        name=row.name,
        value=row.value,
        port=None,
        port_specified=False,
        domain=row.domain,
        domain_specified=row.domain.startswith("."),
        domain_initial_dot=row.domain.startswith("."),
        path=row.path or "/",
        path_specified=True,
        secure=row.secure,
        expires=row.expires,
        discard=row.expires is None,
        comment=None,
        comment_url=None,
        rest={},
    )


def rows(jar: CookieJar) -> list[CookieRow]:
    return sorted(
        (CookieRow(c.domain, c.path, c.name, c.value or "", c.expires, c.secure) for c in jar),
        key=lambda r: (r.domain, r.path, r.name),
    )


def _kept(row: CookieRow, now: float, keep_session: bool) -> bool:
    if row.expires is None:
        return keep_session
    return row.expires > now


def dump(jar: CookieJar, *, keep_session: bool = False) -> bytes:
    """What is written of ``jar``: unexpired cookies, session ones only if kept."""
    now = time.time()
    data = [_as_dict(r) for r in rows(jar) if _kept(r, now, keep_session)]
    return json.dumps({"format": FORMAT, "cookies": data}, indent=1).encode("utf-8")


def _as_dict(row: CookieRow) -> dict[str, object]:
    return {
        "domain": row.domain,
        "path": row.path,
        "name": row.name,
        "value": row.value,
        "expires": row.expires,
        "secure": row.secure,
    }


def load(key: str, *, keep_session: bool = False) -> CookieJar:
    """The saved jar of ``key``; a corrupt file is moved aside, expired cookies dropped
    (and session cookies a run that kept them wrote, unless they are kept now)."""
    return load_jar(key, keep_session=keep_session)[0]


def load_jar(key: str, *, keep_session: bool = False) -> tuple[CookieJar, bool]:
    """``load``, and whether the file held cookies it dropped (it should be rewritten)."""
    jar = CookieJar()
    dropped = False
    path = jar_file(key)
    try:
        data = json.loads(path.read_bytes())
        now = time.time()
        for item in data["cookies"]:
            row = CookieRow(
                domain=str(item["domain"]),
                path=str(item["path"]),
                name=str(item["name"]),
                value=str(item["value"]),
                expires=int(item["expires"]) if item.get("expires") is not None else None,
                secure=bool(item.get("secure", False)),
            )
            if _kept(row, now, keep_session):
                jar.set_cookie(make_cookie(row))
            else:
                dropped = True
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError):
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(path.name + ".bad"))
        jar = CookieJar()
    return jar, dropped


def write(key: str, data: bytes) -> None:
    """Write a jar's ``dump`` (blocking: call it from a worker thread), owner-only."""
    path = jar_file(key)
    paths.ensure_dir(path.parent)
    atomic_write(path, data, mode=paths.PRIVATE_FILE_MODE)


def save(key: str, jar: CookieJar, *, keep_session: bool = False) -> None:
    write(key, dump(jar, keep_session=keep_session))
