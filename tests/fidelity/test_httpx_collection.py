"""A collection's shared base URL, headers and auth, exported to httpx code in each
style and run with the venv's Python, reach the server as ``courier send`` sends
them: the client's constructor carries what the collection shares, each call
what differs, and the secret comes from the environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli, cli_transfer
from app.core import storage
from app.core.exporters import STYLES
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Variable,
)
from tests.fidelity.recorder import RecordingServer, compare


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as running:
        yield running


@pytest.fixture(params=["token in the collection", "token given with --var"])
def token_given(request: pytest.FixtureRequest) -> list[str]:
    """``--var`` for the send and the export: none when the collection defines the token
    (then its client carries the auth), else the token."""
    return [] if request.param == "token in the collection" else ["api_token=tok-123"]


@pytest.fixture
def collection_dir(tmp_path: Path, server: RecordingServer, token_given: list[str]) -> Path:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(32)))
    directory = tmp_path / "api"
    collection = storage.create_collection(directory, "API")
    collection.base_url = "{{base}}/v1"
    collection.headers = [KeyValue("X-Team", "core"), KeyValue("X-Client", "{{client}}")]
    collection.variables = [Variable("base", server.url), Variable("client", "courier-tests")]
    if not token_given:
        collection.variables.append(Variable("api_token", "tok-123"))
    collection.auth = Auth(kind=AuthKind.BEARER, token="{{api_token}}")
    storage.save_collection_settings(collection)
    folder = storage.add_folder(collection, None, "users")
    folder.headers = [KeyValue("X-Folder", "users")]
    storage.save_folder_settings(collection, folder)
    storage.add_request(collection, None, Request(name="list", url="/items?page=2&q=a%20b"))
    storage.add_request(
        collection,
        folder,
        Request(
            name="create",
            method="POST",
            url="/users",
            headers=[KeyValue("X-Team", "platform")],
            body=Body(kind=BodyKind.JSON, text='{"name": "Ada", "tags": ["é"]}'),
        ),
    )
    storage.add_request(
        collection,
        None,
        Request(
            name="upload",
            method="PUT",
            url="/files",
            body=Body(
                kind=BodyKind.MULTIPART,
                parts=[
                    FormPart("title", "Logo"),
                    FormPart("file", str(tmp_path / "logo.png"), kind=PartKind.FILE),
                ],
            ),
            auth=Auth(kind=AuthKind.BASIC, username="ada", password="{{api_token}}"),
        ),
    )
    storage.add_request(
        collection,
        None,
        Request(
            name="public",
            url="https://example.invalid/ignored",
            auth=Auth(kind=AuthKind.NONE),
        ),
    )
    return directory


@pytest.mark.parametrize("style", STYLES)
def test_exported_collection_code_sends_what_courier_sends(
    style: str,
    collection_dir: Path,
    server: RecordingServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    token_given: list[str],
) -> None:
    variables = token_given
    public = next(collection_dir.rglob("public.request.yaml"))
    public_request = public.read_text().replace(
        "https://example.invalid/ignored", server.url + "/p"
    )
    public.write_text(public_request)
    files = sorted(collection_dir.rglob("*.request.yaml"))
    for file in files:
        assert cli.main(["send", str(file), *(f"--var={v}" for v in variables)]) == 0
    capsys.readouterr()
    by_courier = {r.target: r for r in server.take()}
    assert len(by_courier) == 4

    code, environment = asyncio.run(
        cli_transfer.export_text(collection_dir, style, variables, None)
    )
    assert "tok-123" not in code
    assert environment == {"API_TOKEN": "tok-123"}
    script = tmp_path / "exported.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{code}\n{done.stderr}"
    by_httpx = {r.target: r for r in server.take()}
    assert sorted(by_httpx) == sorted(by_courier)
    for target, sent in by_courier.items():
        problems = compare(sent, by_httpx[target], set_by_command=set(), also_allowed=set())
        assert not problems, f"{target}:\n{code}\n" + "\n".join(problems)
    assert by_courier["/v1/users"].header("x-team") == "platform"
    assert by_courier["/v1/items?page=2&q=a%20b"].header("authorization") == "Bearer tok-123"
    assert by_courier["/p"].header("authorization") is None
