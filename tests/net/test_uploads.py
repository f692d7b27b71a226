"""File and multipart bodies go out streamed from disk, byte for byte, with their
sizes known up front; a missing file stops the send before anything goes out."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from app.core.errors import UploadFileError
from app.core.inherit import resolve
from app.core.model import Body, BodyKind, FormPart, KeyValue, PartKind, Request
from app.core.resolved import ResolvedAuth, ResolvedRequest
from app.net import engine
from app.net.auth import StreamingAWS4Auth
from app.net.clients import ClientPool
from app.net.events import Event, Started, Uploaded
from app.net.exchange import Exchange, ExchangeState
from tests.net.sending import json_body, send_all

MIB = 1 << 20


def sha256_of(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def random_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def large_sparse_file(path: Path, size: int) -> Path:
    """``size`` bytes made fast: a sparse file with random blocks spread through it
    (so a dropped, repeated or reordered chunk changes the digest)."""
    with open(path, "wb") as file:
        file.truncate(size)
        for offset in range(0, size, 16 * MIB):
            file.seek(offset + 12_345)
            file.write(os.urandom(4096))
    return path


def resolved(request: Request) -> tuple[Any, ResolvedRequest]:
    resolution = resolve(request, None)
    return resolution.profile, resolution.request


def upload(url: str, body: Body, method: str = "POST") -> tuple[Exchange, list[Event]]:
    profile, request = resolved(Request("upload", method, url, body=body))
    return send_all(profile, request)[0]


def answer(exchange: Exchange) -> dict[str, Any]:
    data = json_body(exchange)
    assert isinstance(data, dict)
    return data


def test_file_body_arrives_byte_exact_with_its_length_and_type(
    demo_server: str, tmp_path: Path
) -> None:
    report = random_file(tmp_path / "report.pdf", 3 * MIB + 17)
    exchange, events = upload(f"{demo_server}/upload", Body(BodyKind.FILE, path=str(report)))
    got = answer(exchange)
    assert got["sha256"] == sha256_of(report)
    assert got["size"] == report.stat().st_size
    assert got["content_length"] == str(report.stat().st_size)
    assert got["transfer_encoding"] is None  # measured up front: never chunked
    assert got["content_type"] == "application/pdf"  # from the extension
    assert exchange.request is not None
    assert exchange.request.body_summary == "file report.pdf, 3.0 MiB"
    assert exchange.request.body_size == report.stat().st_size
    assert isinstance(events[0], Started)


def test_file_body_content_type_typed_or_octet_stream(demo_server: str, tmp_path: Path) -> None:
    blob = random_file(tmp_path / "blob.weird-extension", 1000)
    typed = Body(BodyKind.FILE, path=str(blob), content_type="image/x-courier")
    assert answer(upload(f"{demo_server}/upload", typed)[0])["content_type"] == "image/x-courier"
    plain = Body(BodyKind.FILE, path=str(blob))
    got = answer(upload(f"{demo_server}/upload", plain, "PUT")[0])
    assert got["content_type"] == "application/octet-stream"
    assert got["sha256"] == sha256_of(blob)


def test_relative_path_is_relative_to_the_request_file(demo_server: str, tmp_path: Path) -> None:
    fixtures = tmp_path / "api" / "fixtures"
    fixtures.mkdir(parents=True)
    data = random_file(fixtures / "data.json", 500)
    request = Request(
        "upload",
        "POST",
        f"{demo_server}/upload",
        body=Body(BodyKind.FILE, path="fixtures/{{which}}.json"),
        path=tmp_path / "api" / "upload.request.yaml",
    )
    from app.core.model import Folder, Variable

    resolution = resolve(request, None, chain=(Folder("f", variables=[Variable("which", "data")]),))
    exchange = send_all(resolution.profile, resolution.request)[0][0]
    got = answer(exchange)
    assert got["sha256"] == sha256_of(data)
    assert got["content_type"] == "application/json"


def test_multipart_parts_arrive_with_names_file_names_types_and_bytes(
    demo_server: str, tmp_path: Path
) -> None:
    photo = random_file(tmp_path / "photo.png", 2 * MIB + 3)
    notes = random_file(tmp_path / "notes.txt", 4000)
    body = Body(
        BodyKind.MULTIPART,
        parts=[
            FormPart("caption", 'Grüße, "quoted" and\r\nlines'),
            FormPart("meta", '{"a": 1}', content_type="application/json"),
            FormPart("photo", str(photo), PartKind.FILE),
            FormPart(
                "doc",
                str(notes),
                PartKind.FILE,
                content_type="text/markdown",
                file_name="read me.md",
            ),
            FormPart("skipped", "never sent", enabled=False),
        ],
    )
    exchange, _events = upload(f"{demo_server}/upload/multipart", body)
    got = answer(exchange)
    parts = got["parts"]
    text = 'Grüße, "quoted" and\r\nlines'.encode()
    assert parts == [
        {
            "name": "caption",
            "filename": None,
            "content_type": None,
            "size": len(text),
            "sha256": hashlib.sha256(text).hexdigest(),
        },
        {
            "name": "meta",
            "filename": None,
            "content_type": "application/json",
            "size": 8,
            "sha256": hashlib.sha256(b'{"a": 1}').hexdigest(),
        },
        {
            "name": "photo",
            "filename": "photo.png",
            "content_type": "image/png",
            "size": photo.stat().st_size,
            "sha256": sha256_of(photo),
        },
        {
            "name": "doc",
            "filename": "read me.md",
            "content_type": "text/markdown",
            "size": 4000,
            "sha256": sha256_of(notes),
        },
    ]
    assert exchange.request is not None
    assert got["content_length"] == str(exchange.request.body_size)
    assert exchange.request.body_summary == "multipart: 4 parts, 2.0 MiB"
    assert exchange.request.content_type.startswith("multipart/form-data; boundary=")


def send_watched(profile: Any, request: ResolvedRequest, on_event: Any = None) -> Exchange:
    """Send one request on a pool of its own, ``on_event`` seeing every event."""

    async def main() -> Exchange:
        pool = ClientPool()
        try:
            return await engine.send(pool, profile, request, on_event=on_event)
        finally:
            await pool.aclose()

    return asyncio.run(main())


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="measures RSS through /proc")
def test_several_hundred_mb_multipart_keeps_memory_flat(demo_server: str, tmp_path: Path) -> None:
    size = 300 * MIB
    big = large_sparse_file(tmp_path / "big.bin", size)
    expected = sha256_of(big)
    body = Body(
        BodyKind.MULTIPART,
        parts=[FormPart("title", "big one"), FormPart("file", str(big), PartKind.FILE)],
    )
    profile, request = resolved(
        Request("big", "POST", f"{demo_server}/upload/multipart", body=body)
    )
    peak = 0
    progress: list[tuple[int, int]] = []

    def on_event(_exchange: Exchange, event: Event) -> None:
        nonlocal peak
        if isinstance(event, Uploaded):
            progress.append((event.sent, event.total))
            peak = max(peak, rss_bytes())

    before = rss_bytes()
    started = time.perf_counter()
    exchange = send_watched(profile, request, on_event)
    elapsed = time.perf_counter() - started
    got = answer(exchange)
    assert got["parts"][1]["sha256"] == expected
    assert got["parts"][1]["size"] == size
    # this process is also the server: both sides together stay far below the file's size
    growth = peak - before
    assert growth < 64 * MIB, f"RSS grew by {growth / MIB:.0f} MiB sending {size / MIB:.0f} MiB"
    assert len(progress) > 100  # progress moved all along, not at the end only
    assert progress[-1] == (exchange.upload_size, exchange.upload_size)
    print(f"300 MiB multipart: {elapsed:.1f} s, RSS growth {growth / MIB:.1f} MiB")


def test_upload_progress_counts_up_to_the_total(demo_server: str, tmp_path: Path) -> None:
    data = random_file(tmp_path / "data.bin", 5 * MIB)
    exchange, events = upload(f"{demo_server}/upload", Body(BodyKind.FILE, path=str(data)))
    sent = [e for e in events if isinstance(e, Uploaded)]
    size = data.stat().st_size
    assert {e.total for e in sent} == {size}
    assert [e.sent for e in sent] == sorted(e.sent for e in sent)
    assert sent[0].sent == 0
    assert sent[-1].sent == size
    assert len(sent) > 5
    assert exchange.uploaded == exchange.upload_size == size
    # every Uploaded event comes before the response head
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("HeadReceived") > max(i for i, k in enumerate(kinds) if k == "Uploaded")


@pytest.mark.parametrize("multipart", [False, True])
def test_missing_file_fails_before_anything_is_sent(tmp_path: Path, multipart: bool) -> None:
    missing = tmp_path / "nowhere" / "gone.bin"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/upload"
    if multipart:
        body = Body(
            BodyKind.MULTIPART,
            parts=[FormPart("a", "text"), FormPart("avatar", str(missing), PartKind.FILE)],
        )
    else:
        body = Body(BodyKind.FILE, path=str(missing))
    try:
        exchange, events = upload(url, body)
        with pytest.raises(BlockingIOError):
            listener.accept()  # no connection was even opened
    finally:
        listener.close()
    assert exchange.state is ExchangeState.FAILED
    assert isinstance(exchange.error, UploadFileError)
    assert str(missing) in exchange.error.message
    assert "No such file" in exchange.error.message
    if multipart:
        assert "part “avatar”" in exchange.error.message
    assert not any(isinstance(e, Started) for e in events)


def test_a_directory_or_no_path_is_refused(tmp_path: Path) -> None:
    for body, words in [
        (Body(BodyKind.FILE, path=str(tmp_path)), "not a regular file"),
        (Body(BodyKind.FILE), "No file is chosen"),
        (
            Body(BodyKind.MULTIPART, parts=[FormPart("doc", "", PartKind.FILE)]),
            "No file is chosen for the file of part “doc”",
        ),
    ]:
        exchange, _ = upload("http://127.0.0.1:9/never", body)
        assert isinstance(exchange.error, UploadFileError), exchange.error
        assert words in exchange.error.message


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_send_the_file_again(demo_server: str, tmp_path: Path, status: int) -> None:
    data = random_file(tmp_path / "data.bin", 200_000)
    url = f"{demo_server}/redirect-to?url={quote('/upload')}&status_code={status}"
    exchange, events = upload(url, Body(BodyKind.FILE, path=str(data)))
    got = answer(exchange)
    assert [hop.status_code for hop in exchange.hops] == [status]
    assert got["sha256"] == sha256_of(data)
    assert got["content_length"] == "200000"
    uploaded = [e for e in events if isinstance(e, Uploaded) and e.sent == e.total]
    assert len(uploaded) == 2  # the body went out in full on each hop


def test_303_drops_the_body(demo_server: str, tmp_path: Path) -> None:
    data = random_file(tmp_path / "data.bin", 1000)
    url = f"{demo_server}/redirect-to?url={quote('/anything')}&status_code=303"
    body = Body(BodyKind.MULTIPART, parts=[FormPart("f", str(data), PartKind.FILE)])
    exchange, _events = upload(url, body)
    got = answer(exchange)
    assert got["method"] == "GET"
    assert got["body"] == ""
    assert "content-type" not in got["headers"]
    assert "content-length" not in got["headers"]
    assert exchange.request is not None
    assert exchange.request.body_summary == "no body"


@pytest.mark.parametrize(
    "typed",
    ["multipart/form-data", "multipart/form-data;", 'multipart/form-data; boundary="x-mine-1"'],
)
def test_a_typed_multipart_content_type_names_the_boundary_sent(
    demo_server: str, tmp_path: Path, typed: str
) -> None:
    # a Content-Type typed without a boundary replaced Courier's: the server could not
    # split the parts; one typed with a boundary must be the boundary the body uses
    notes = random_file(tmp_path / "notes.txt", 3000)
    request = Request(
        "upload",
        "POST",
        f"{demo_server}/upload/multipart",
        headers=[KeyValue("Content-Type", typed)],
        body=Body(BodyKind.MULTIPART, parts=[FormPart("doc", str(notes), PartKind.FILE)]),
    )
    profile, resolved_request = resolved(request)
    exchange = send_all(profile, resolved_request)[0][0]
    parts = answer(exchange)["parts"]
    assert [(p["name"], p["sha256"]) for p in parts] == [("doc", sha256_of(notes))]
    sent = dict((k.lower(), v) for k, v in resolved_request.headers)
    assert "boundary=" in sent["content-type"]
    if "x-mine-1" in typed:
        assert "x-mine-1" in sent["content-type"]


SIGV4 = ResolvedAuth(
    "aws-sigv4",
    access_key="AKIDCOURIERDEMO",
    secret_key="courier/demo/secret/key",
    region="eu-west-1",
    service="s3",
)


def signed_upload(url: str, body: Body, on_event: Any = None) -> Exchange:
    profile, request = resolved(Request("signed", "PUT", url, body=body))
    request = dataclasses.replace(request, auth_mode="own", auth=SIGV4)
    return send_watched(profile, request, on_event)


def test_aws_sigv4_signs_file_and_multipart_bodies_checked_by_the_verifier(
    demo_server: str, tmp_path: Path
) -> None:
    """The payload hash is the file's (the demo's verifier hashes what arrived)."""
    data = random_file(tmp_path / "data.bin", 3 * MIB)
    exchange = signed_upload(
        f"{demo_server}/aws/bucket/data.bin", Body(BodyKind.FILE, path=str(data))
    )
    assert answer(exchange).get("authenticated") is True, answer(exchange)
    multipart = Body(
        BodyKind.MULTIPART, parts=[FormPart("a", "b"), FormPart("f", str(data), PartKind.FILE)]
    )
    exchange = signed_upload(f"{demo_server}/aws/bucket/form", multipart)
    assert answer(exchange).get("authenticated") is True, answer(exchange)


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="measures RSS through /proc")
def test_aws_sigv4_upload_of_a_large_file_keeps_memory_flat(
    demo_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx-auth read the whole body into memory to hash it (found trying a 2 GiB PUT)."""
    signed_hashes: list[str] = []
    sign = StreamingAWS4Auth._signed

    def recording(self: StreamingAWS4Auth, request: Any, payload_hash: str) -> Any:
        signed_hashes.append(payload_hash)
        return sign(self, request, payload_hash)

    monkeypatch.setattr(StreamingAWS4Auth, "_signed", recording)
    size = 256 * MIB
    big = large_sparse_file(tmp_path / "big.bin", size)
    peak = 0

    def on_event(_exchange: Exchange, event: Event) -> None:
        nonlocal peak
        if isinstance(event, Uploaded):
            peak = max(peak, rss_bytes())

    before = rss_bytes()
    exchange = signed_upload(f"{demo_server}/upload", Body(BodyKind.FILE, path=str(big)), on_event)
    assert answer(exchange)["sha256"] == sha256_of(big)
    assert signed_hashes == [sha256_of(big)]
    growth = peak - before
    assert growth < 64 * MIB, f"RSS grew by {growth / MIB:.0f} MiB signing {size / MIB:.0f} MiB"
