"""Shared fixtures: the real demo server (HTTP/1.1, and HTTP/2 over TLS with
trustme certificates), a port nobody listens on, and an isolated Courier home."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from app.demo.runner import DemoServer

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


@pytest.fixture(scope="session")
def tls_demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSServer]:
    """The demo server over TLS (HTTP/2 by ALPN), certificate from a trustme CA."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    cert_pem, key_pem, ca_pem = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_pem))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_pem), append=True)
    cert.private_key_pem.write_to_path(str(key_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    with DemoServer(certfile=cert_pem, keyfile=key_pem) as server:
        yield TLSServer(server.base_url, ca_pem)


@pytest.fixture
def refused_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, never listened, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
