"""ClientPool: a collection's ``httpx.AsyncClient`` objects and their shared transport.

As httpx advises, a collection's shared configuration (base URL, headers,
auth, cookies) lives on a long-lived client.  A client is never changed once
built, because a send may be using it: a profile that differs (new settings, another
environment) gets a new client object, built on the same transport, so
connections are still reused.  A transport (httpcore's connection pool) is
shared by all clients of one collection with the same TLS/proxy/HTTP/2
settings.  Closing a collection closes its transports.

``lease(profile)`` hands out what one send needs: the client, the transport
(for side requests such as OAuth 2.0 token fetches, which must use the same
TLS, certificates and proxy) and the profile it was built from.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import httpx

from app import __version__
from app.core.errors import TLSFailure
from app.core.resolved import ClientProfile, TransportSettings
from app.net import connection_guards, cookie_jar, socket_reader, timing, tuning
from app.net.auth import build_auth
from app.net.decoding import ACCEPT_ENCODING
from app.net.headers import check_headers
from app.net.oauth2 import OAuth2Tokens

DEFAULT_TIMEOUT = httpx.Timeout(30.0)
USER_AGENT = f"courier/{__version__}"


class SharedTransport(httpx.AsyncBaseTransport):
    """A transport lent to a client: closing the client leaves the pool open."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """The pool closes the real transport when the collection closes."""


@dataclass(frozen=True, slots=True)
class ClientLease:
    client: httpx.AsyncClient
    transport: SharedTransport
    oauth: OAuth2Tokens
    profile: ClientProfile


@dataclass(slots=True)
class _CollectionClients:
    transports: dict[TransportSettings, SharedTransport] = field(default_factory=dict)
    #: the newest client per (transport settings, cookies on/off)
    clients: dict[tuple[TransportSettings, bool], tuple[ClientProfile, httpx.AsyncClient]] = field(
        default_factory=dict
    )


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


def build_transport(settings: TransportSettings) -> httpx.AsyncHTTPTransport:
    tuning.apply()
    connection_guards.apply()
    timing.install_dns_timing()
    transport = httpx.AsyncHTTPTransport(
        verify=tls_context(settings),
        http2=settings.http2,
        socket_options=tuning.SOCKET_OPTIONS,
        retries=0,
        proxy=settings.proxy or None,
    )
    socket_reader.install(transport)  # bulk reads in a thread (see socket_reader)
    return transport


def client_headers(profile: ClientProfile) -> list[tuple[str, str]]:
    return [("User-Agent", USER_AGENT), ("Accept-Encoding", ACCEPT_ENCODING), *profile.headers]


def build_client(
    profile: ClientProfile,
    transport: SharedTransport,
    jar: CookieJar,
    oauth: OAuth2Tokens,
) -> httpx.AsyncClient:
    check_headers(profile.headers, "a header of the collection")
    return httpx.AsyncClient(
        base_url=profile.base_url,
        headers=client_headers(profile),
        auth=build_auth(profile.auth, oauth, transport),
        cookies=jar,
        transport=transport,
        timeout=DEFAULT_TIMEOUT,
        follow_redirects=False,  # the engine follows redirects itself, hop by hop
        trust_env=False,
    )


class ClientPool:
    def __init__(self, oauth: OAuth2Tokens | None = None) -> None:
        #: OAuth 2.0 tokens of the session, shared by all clients
        self.oauth = oauth if oauth is not None else OAuth2Tokens()
        self._collections: dict[str, _CollectionClients] = {}
        self._closing: set[asyncio.Task[None]] = set()
        #: cookie key -> (jar, what was last saved)
        self._jars: dict[str, tuple[CookieJar, bytes]] = {}
        #: write session cookies to disk too (the user's preference); else they end with the run
        self.keep_session_cookies = False
        self._save_lock: asyncio.Lock | None = None
        #: leases may be built in worker threads (see ``has_client``)
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._collections)

    def __contains__(self, key: object) -> bool:
        return key in self._collections

    def keys(self) -> list[str]:
        return list(self._collections)

    def has_client(self, profile: ClientProfile) -> bool:
        """Is a client for ``profile`` built already (``lease`` will not block)?"""
        entry = self._collections.get(profile.key)
        if entry is None or (profile.cookies and profile.cookie_key not in self._jars):
            return False
        current = entry.clients.get((profile.transport, profile.cookies))
        return current is not None and current[0] == profile

    def lease(self, profile: ClientProfile) -> ClientLease:
        """The client configured as ``profile`` says (built if none matches) and its transport.

        Building one loads CA certificates and may read the cookie jar: the first
        lease of a profile may be made from a worker thread (it is thread-safe).
        Raises ``TLSFailure`` when a CA bundle or client certificate cannot be
        loaded, ``InvalidHeader`` when a collection header cannot be sent.
        """
        with self._lock:
            return self._lease(profile)

    def _lease(self, profile: ClientProfile) -> ClientLease:
        entry = self._collections.setdefault(profile.key, _CollectionClients())
        shared = entry.transports.get(profile.transport)
        if shared is None:
            shared = SharedTransport(build_transport(profile.transport))
            entry.transports[profile.transport] = shared
        slot = (profile.transport, profile.cookies)
        current = entry.clients.get(slot)
        if current is not None and current[0] == profile:
            client = current[1]
        else:
            # never reconfigure a client a send may be using: build another one
            client = build_client(profile, shared, self._jar_for(profile), self.oauth)
            entry.clients[slot] = (profile, client)
        return ClientLease(client, shared, self.oauth, profile)

    def client_for(self, profile: ClientProfile) -> httpx.AsyncClient:
        return self.lease(profile).client

    # ------------------------------------------------------------- cookies

    def _jar_for(self, profile: ClientProfile) -> CookieJar:
        return self.jar(profile.cookie_key) if profile.cookies else cookie_jar.refusing_jar()

    def jar(self, key: str) -> CookieJar:
        """The collection's jar (loaded from disk once; "" = this session only)."""
        with self._lock:
            if key not in self._jars:
                keep = self.keep_session_cookies
                jar, stale = (
                    cookie_jar.load_jar(key, keep_session=keep) if key else (CookieJar(), False)
                )
                # a file holding cookies that were dropped is rewritten at the next save
                self._jars[key] = (jar, b"" if stale else cookie_jar.dump(jar, keep_session=keep))
            return self._jars[key][0]

    def preload_jar(self, key: str) -> None:
        """Read a collection's jar now (call it from a worker thread, ahead of the first send)."""
        self.jar(key)

    def _changed_jars(self) -> list[tuple[str, CookieJar, bytes]]:
        changed = []
        for key, (jar, saved) in list(self._jars.items()):
            if not key:
                continue
            now = cookie_jar.dump(jar, keep_session=self.keep_session_cookies)
            if now != saved:
                changed.append((key, jar, now))
        return changed

    def save_cookies(self) -> None:
        """Write the jars that changed since they were loaded or last saved (blocking)."""
        for key, jar, now in self._changed_jars():
            with contextlib.suppress(OSError):
                cookie_jar.write(key, now)
                self._jars[key] = (jar, now)

    async def save_cookies_async(self) -> None:
        """``save_cookies`` with the file writes in a worker thread."""
        if self._save_lock is None:
            self._save_lock = asyncio.Lock()
        async with self._save_lock:
            for key, jar, now in self._changed_jars():
                try:
                    await asyncio.to_thread(cookie_jar.write, key, now)
                except OSError:
                    continue
                self._jars[key] = (jar, now)

    def cookie_rows(self, key: str) -> list[cookie_jar.CookieRow]:
        return cookie_jar.rows(self.jar(key))

    def set_cookie(self, key: str, row: cookie_jar.CookieRow) -> None:
        self.jar(key).set_cookie(cookie_jar.make_cookie(row))

    def delete_cookie(self, key: str, row: cookie_jar.CookieRow) -> None:
        with contextlib.suppress(KeyError):
            self.jar(key).clear(row.domain, row.path, row.name)

    def clear_cookies(self, key: str) -> None:
        self.jar(key).clear()

    # ------------------------------------------------------------- closing

    def _close_later(self, entry: _CollectionClients) -> None:
        async def close() -> None:
            for shared in entry.transports.values():
                await shared.inner.aclose()

        task = asyncio.ensure_future(close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def discard(self, key: str) -> None:
        """Close the clients and transports of a collection that was closed."""
        entry = self._collections.pop(key, None)
        if entry is not None:
            self._close_later(entry)

    async def aclose(self) -> None:
        await self.save_cookies_async()
        entries, self._collections = list(self._collections.values()), {}
        for entry in entries:
            for shared in entry.transports.values():
                await shared.inner.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
