"""ClientPool: one long-lived ``httpx.AsyncClient`` per collection.

As httpx advises, a collection's shared configuration lives on its client and
the client lives as long as the collection is open, so connections (and
HTTP/2 streams) are reused across sends.  Base URL and shared headers are
updated in place; only a transport-level change (TLS verification, HTTP/2)
builds a new client, and the old one is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from http.cookiejar import CookieJar

import httpx

from app import __version__
from app.core.errors import TLSFailure
from app.core.resolved import ClientProfile, TransportSettings
from app.net import cookie_jar, tuning
from app.net.auth import build_auth
from app.net.oauth2 import OAuth2Tokens

DEFAULT_TIMEOUT = httpx.Timeout(30.0)


USER_AGENT = f"courier/{__version__}"


@dataclass(slots=True)
class _Entry:
    client: httpx.AsyncClient
    profile: ClientProfile


def _client_headers(profile: ClientProfile) -> list[tuple[str, str]]:
    return [("User-Agent", USER_AGENT), *profile.headers]


def tls_context(settings: TransportSettings) -> ssl.SSLContext | bool:
    """What ``verify=`` gets: a context when a CA bundle or client certificate is set."""
    if not settings.ca_bundle and not settings.client_cert:
        return settings.verify
    try:
        if settings.verify:
            context = ssl.create_default_context(cafile=settings.ca_bundle or None)
        else:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if settings.client_cert:
            context.load_cert_chain(settings.client_cert, settings.client_key or None)
    except (OSError, ssl.SSLError) as exc:
        which = "client certificate" if settings.client_cert else "CA bundle"
        raise TLSFailure(
            f"Could not load the {which}: {getattr(exc, 'strerror', None) or exc}",
            detail=repr(exc),
        ) from exc
    return context


def build_client(
    profile: ClientProfile, jar: CookieJar | None = None, oauth: OAuth2Tokens | None = None
) -> httpx.AsyncClient:
    tuning.apply()
    settings = profile.transport
    verify = tls_context(settings)
    transport = httpx.AsyncHTTPTransport(
        verify=verify,
        http2=settings.http2,
        socket_options=tuning.SOCKET_OPTIONS,
        retries=0,
        proxy=settings.proxy or None,
    )
    return httpx.AsyncClient(
        base_url=profile.base_url,
        headers=_client_headers(profile),
        auth=build_auth(profile.auth, oauth),
        cookies=jar if jar is not None else cookie_jar.refusing_jar(),
        transport=transport,
        timeout=DEFAULT_TIMEOUT,
        follow_redirects=True,
        max_redirects=profile.max_redirects,
        trust_env=False,
    )


class ClientPool:
    def __init__(self, oauth: OAuth2Tokens | None = None) -> None:
        #: OAuth 2.0 tokens of the session, shared by all clients
        self.oauth = oauth if oauth is not None else OAuth2Tokens()
        self._entries: dict[str, _Entry] = {}
        self._closing: set[asyncio.Task[None]] = set()
        #: cookie key -> (jar, what was last saved)
        self._jars: dict[str, tuple[CookieJar, bytes]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return list(self._entries)

    def client_for(self, profile: ClientProfile) -> httpx.AsyncClient:
        """The collection's client, configured as ``profile`` says."""
        entry = self._entries.get(profile.key)
        if entry is not None and entry.profile.transport != profile.transport:
            self._close_later(entry.client)
            entry = None
        if entry is None:
            entry = _Entry(build_client(profile, self._jar_for(profile), self.oauth), profile)
            self._entries[profile.key] = entry
            return entry.client
        client = entry.client
        if entry.profile.base_url != profile.base_url:
            client.base_url = profile.base_url
        if entry.profile.headers != profile.headers:
            client.headers = _client_headers(profile)
        if entry.profile.auth != profile.auth:
            client.auth = build_auth(profile.auth, self.oauth) or httpx.Auth()  # Auth(): none
        if entry.profile.max_redirects != profile.max_redirects:
            client.max_redirects = profile.max_redirects
        if (entry.profile.cookies, entry.profile.cookie_key) != (
            profile.cookies,
            profile.cookie_key,
        ):
            client.cookies = self._jar_for(profile)
        entry.profile = profile
        return client

    # ------------------------------------------------------------- cookies

    def _jar_for(self, profile: ClientProfile) -> CookieJar:
        return self.jar(profile.cookie_key) if profile.cookies else cookie_jar.refusing_jar()

    def jar(self, key: str) -> CookieJar:
        """The collection's jar (loaded from disk once; "" = this session only)."""
        if key not in self._jars:
            jar = cookie_jar.load(key) if key else CookieJar()
            self._jars[key] = (jar, cookie_jar.dump(jar))
        return self._jars[key][0]

    def save_cookies(self) -> None:
        """Write the jars that changed since they were loaded or last saved."""
        for key, (jar, saved) in list(self._jars.items()):
            if not key:
                continue
            now = cookie_jar.dump(jar)
            if now != saved:
                with contextlib.suppress(OSError):
                    cookie_jar.save(key, jar)
                    self._jars[key] = (jar, now)

    def cookie_rows(self, key: str) -> list[cookie_jar.CookieRow]:
        return cookie_jar.rows(self.jar(key))

    def set_cookie(self, key: str, row: cookie_jar.CookieRow) -> None:
        self.jar(key).set_cookie(cookie_jar.make_cookie(row))
        self.save_cookies()

    def delete_cookie(self, key: str, row: cookie_jar.CookieRow) -> None:
        with contextlib.suppress(KeyError):
            self.jar(key).clear(row.domain, row.path, row.name)
        self.save_cookies()

    def clear_cookies(self, key: str) -> None:
        self.jar(key).clear()
        self.save_cookies()

    def _close_later(self, client: httpx.AsyncClient) -> None:
        task = asyncio.ensure_future(client.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def discard(self, key: str) -> None:
        """Close the client of a collection that was closed."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._close_later(entry.client)

    async def aclose(self) -> None:
        self.save_cookies()
        entries, self._entries = list(self._entries.values()), {}
        for entry in entries:
            await entry.client.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
