"""Client certificates (mutual TLS) against a server that requires one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from app.core import errors
from app.core.inherit import resolve
from app.core.model import Collection, Request, Settings
from app.core.resolved import ClientProfile
from app.demo.runner import DemoServer
from app.net.clients import ClientPool
from app.net.exchange import Exchange, ExchangeState
from tests.net.sending import send_pairs


@pytest.fixture(scope="module")
def mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """(base URL, CA file, client certificate+key file) of a server requiring client certs."""
    folder = tmp_path_factory.mktemp("mtls")
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    server_cert.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    client_cert = ca.issue_cert("courier-client@example.com")
    client_cert.private_key_and_cert_chain_pem.write_to_path(str(folder / "client.pem"))
    with DemoServer(
        certfile=folder / "server.pem", keyfile=folder / "server.pem", client_ca=folder / "ca.pem"
    ) as server:
        yield server.base_url, folder / "ca.pem", folder / "client.pem"


def send(collection: Collection) -> Exchange:
    resolution = resolve(collection.requests[0], collection)
    (exchange,) = send_pairs((resolution.profile, resolution.request))
    return exchange


def test_client_certificate_is_presented(mtls: tuple[str, Path, Path]) -> None:
    base, ca, client = mtls
    collection = Collection(
        name="m",
        base_url=base,
        settings=Settings(ca_bundle=str(ca), client_cert=str(client)),
        requests=[Request(name="r", url="/get")],
    )
    exchange = send(collection)
    assert exchange.response is not None
    assert exchange.response.status_code == 200
    assert exchange.state is ExchangeState.DONE


def test_without_a_client_certificate_the_handshake_fails(mtls: tuple[str, Path, Path]) -> None:
    base, ca, _client = mtls
    collection = Collection(
        name="m",
        base_url=base,
        settings=Settings(ca_bundle=str(ca)),
        requests=[Request(name="r", url="/get")],
    )
    exchange = send(collection)
    assert exchange.state is ExchangeState.FAILED
    assert isinstance(
        exchange.error, errors.TLSFailure | errors.ServerDisconnected | errors.NetworkError
    )


def test_a_missing_certificate_file_is_a_clear_error(tmp_path: Path) -> None:
    profile = ClientProfile(
        "x",
        "https://127.0.0.1:1",
        transport=ClientProfile().transport.__class__(client_cert=str(tmp_path / "none.pem")),
    )
    pool = ClientPool()
    with pytest.raises(errors.TLSFailure, match="client certificate"):
        pool.client_for(profile)
