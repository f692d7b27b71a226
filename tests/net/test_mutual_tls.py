"""Client certificates (mutual TLS) against a server that requires one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from app.core import errors
from app.core.inherit import resolve
from app.core.model import Collection, Request, Settings
from app.core.resolved import ClientProfile
from app.demo.runner import DemoServer
from app.net import engine
from app.net.clients import ClientPool
from app.net.events import Event, Failed, Finished, ResponseHead


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


def send(collection: Collection) -> list[Event]:
    resolution = resolve(collection.requests[0], collection)

    async def main() -> list[Event]:
        pool = ClientPool()
        try:
            client = pool.client_for(resolution.profile)
            return [e async for e in engine.send(client, resolution.request)]
        finally:
            await pool.aclose()

    return asyncio.run(main())


def test_client_certificate_is_presented(mtls: tuple[str, Path, Path]) -> None:
    base, ca, client = mtls
    collection = Collection(
        name="m",
        base_url=base,
        settings=Settings(ca_bundle=str(ca), client_cert=str(client)),
        requests=[Request(name="r", url="/get")],
    )
    events = send(collection)
    head = next(e for e in events if isinstance(e, ResponseHead))
    assert head.status_code == 200
    done = events[-1]
    assert isinstance(done, Finished)
    done.spool.close()


def test_without_a_client_certificate_the_handshake_fails(mtls: tuple[str, Path, Path]) -> None:
    base, ca, _client = mtls
    collection = Collection(
        name="m",
        base_url=base,
        settings=Settings(ca_bundle=str(ca)),
        requests=[Request(name="r", url="/get")],
    )
    last = send(collection)[-1]
    assert isinstance(last, Failed)
    assert isinstance(
        last.error, errors.TLSFailure | errors.ServerDisconnected | errors.NetworkError
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
