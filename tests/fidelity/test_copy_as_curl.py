"""Copy as curl, checked by the real curl: for generated requests, the command
``courier export --format curl`` prints, run by bash and curl, reaches the
recording server as the request ``courier send`` sends.

One difference is allowed: for an empty body one client may say
``Content-Length: 0`` where the other sends no such header (httpx does for a
POST, PUT or PATCH without a body; curl for ``--data-raw ''``).  Two
requests curl cannot send the same way are left out (the command says so in a
comment): Digest auth with a body (curl first sends it without), and a text part
with a file name but no type (curl gives it one).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from app import cli, cli_transfer
from app.core import secret_slots, storage
from app.core.model import AuthKind, BodyKind, Request
from app.session import Session
from tests.core.exporters.test_curl_roundtrip import requests, untyped_named_text_part
from tests.fidelity.recorder import RecordingServer, compare

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="the curl binary is not installed")
_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as running:
        yield running


def _inexpressible(request: Request) -> bool:
    if request.auth.kind is AuthKind.DIGEST and request.body.kind is not BodyKind.NONE:
        return True
    return untyped_named_text_part(request)


@settings(
    max_examples=_FUZZ or 25,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(request=requests.filter(lambda r: not _inexpressible(r)))
def test_the_exported_command_sends_what_courier_sends(
    request: Request,
    server: RecordingServer,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory = tmp_path_factory.mktemp("copy-as-curl")
    collection = storage.create_collection(directory / "api", "API")
    local = replace(request, url=request.url.replace("https://api.example.com", server.url))
    stored = storage.add_request(collection, None, local)
    assert stored.path is not None
    Session().store_secrets(secret_slots.request_slots(collection, stored))  # as the window does
    server.take()
    assert cli.main(["send", str(stored.path)]) == cli.EXIT_OK
    capsys.readouterr()
    (sent,) = server.take()

    command, _ = asyncio.run(cli_transfer.export_text(stored.path, "curl", [], None))
    done = subprocess.run(
        ["bash", "-c", command], cwd=directory, capture_output=True, timeout=30, check=False
    )
    received = server.take()
    assert len(received) == 1, f"{command}\n{done.stderr!r}"
    allowed = set()
    lengths = {sent.header("content-length"), received[0].header("content-length")}
    if not sent.body and not received[0].body and lengths <= {"0", None}:
        allowed.add("content-length")  # both send no body; one says so with a header
    problems = compare(sent, received[0], set_by_command=set(), also_allowed=allowed)
    assert not problems, command + "\n" + "\n".join(problems)
