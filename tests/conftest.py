"""Shared fixtures: the real demo server (HTTP/1.1, and HTTP/2 over TLS with
trustme certificates; one that sends GOAWAY after 5 requests; a second origin on
127.0.0.2), a port nobody listens on, a tiny filesystem that fills up, and an
isolated Courier home.  Raw-socket misbehaving servers live in tests/helpers/."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from app.demo.runner import DemoServer
from tests.helpers import disk

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def courier_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own Courier home: nothing touches the user's real files."""
    home = tmp_path_factory.mktemp("courier-home")
    monkeypatch.setenv("COURIER_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def private_keychain_only() -> Iterator[None]:
    """Tests may use a keychain only inside scripts/with-keyring.sh (a throw-away GNOME
    Keyring); anywhere else (a developer's desktop) keyring is switched to its fail
    backend, so no test ever writes into the user's real keychain."""
    if os.environ.get("COURIER_KEYRING_HOME"):
        yield
        return
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def demo_server() -> Iterator[str]:
    """Base URL of the demo server over plain HTTP/1.1."""
    with DemoServer() as server:
        yield server.base_url


@dataclass(frozen=True)
class TLSServer:
    base_url: str
    ca_pem: Path
    #: requests hypercorn serves per connection (None: its default, 1000)
    keep_alive_max_requests: int | None = None


@dataclass(frozen=True)
class _TLSFiles:
    cert_pem: Path
    key_pem: Path
    ca_pem: Path


@pytest.fixture(scope="session")
def _tls_files(tmp_path_factory: pytest.TempPathFactory) -> _TLSFiles:
    """A trustme CA and a server certificate for 127.0.0.1 and localhost (one per run)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    cert_pem, key_pem, ca_pem = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_pem))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_pem), append=True)
    cert.private_key_pem.write_to_path(str(key_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    return _TLSFiles(cert_pem, key_pem, ca_pem)


@pytest.fixture(scope="session")
def tls_demo_server(_tls_files: _TLSFiles) -> Iterator[TLSServer]:
    """The demo server over TLS (HTTP/2 by ALPN), certificate from a trustme CA."""
    with DemoServer(certfile=_tls_files.cert_pem, keyfile=_tls_files.key_pem) as server:
        yield TLSServer(server.base_url, _tls_files.ca_pem)


GOAWAY_AFTER = 5


@pytest.fixture(scope="session")
def goaway_tls_server(_tls_files: _TLSFiles) -> Iterator[TLSServer]:
    """The demo server over TLS + HTTP/2 that serves 5 requests per connection.

    What hypercorn really does (checked in tests/demo/test_test_servers.py): it answers
    requests 1-5 on a connection; when request 6 arrives it sends GOAWAY (NO_ERROR,
    last_stream_id = that request's stream) and never answers it.  Plain httpx fails
    that request with RemoteProtocolError; the next request opens a new connection.
    Over HTTP/1.1 the 5th response carries ``Connection: close`` instead.
    """
    with DemoServer(
        certfile=_tls_files.cert_pem,
        keyfile=_tls_files.key_pem,
        keep_alive_max_requests=GOAWAY_AFTER,
    ) as server:
        yield TLSServer(server.base_url, _tls_files.ca_pem, GOAWAY_AFTER)


SECOND_ORIGIN_HOST = "127.0.0.2"


@pytest.fixture(scope="session")
def second_origin_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.2:PORT``) of another plain HTTP/1.1 demo server: a
    different origin from ``demo_server`` (other host, other port) for cross-origin
    redirects.  Skips where 127.0.0.2 cannot be bound (it can on Linux)."""
    try:
        with socket.socket() as probe:
            probe.bind((SECOND_ORIGIN_HOST, 0))
    except OSError as exc:
        message = f"cannot bind {SECOND_ORIGIN_HOST} here (not Linux?): {exc}"
        if sys.platform.startswith("linux"):  # all of 127/8 is loopback there: never skip
            pytest.fail(message)
        pytest.skip(message)
    with DemoServer(host=SECOND_ORIGIN_HOST) as server:
        yield server.base_url


@pytest.fixture
def small_tmpfs() -> Iterator[Path]:
    """A directory on a freshly mounted 4 MiB tmpfs: writing past 4 MiB fails with
    ENOSPC.  Skips (with the mount error) where tmpfs cannot be mounted (not root,
    not Linux).  Other sizes: ``tests.helpers.disk.small_tmpfs(size_mb)``."""
    with disk.small_tmpfs(4) as directory:
        yield directory


@pytest.fixture
def refused_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, never listened, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
