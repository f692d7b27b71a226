"""DownloadTask against real servers on 127.0.0.1: resume, retries, changes, a full disk."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core.errors import HTTPStatusError, LocalWriteError, ServerDisconnected
from app.core.resolved import ClientProfile, ResolvedRequest
from app.net.clients import ClientPool
from app.net.downloads import (
    DownloadOptions,
    DownloadSnapshot,
    DownloadState,
    DownloadTask,
    record_path,
)
from app.net.downloads.resume_record import read_record
from tests.helpers.disk import small_tmpfs
from tests.helpers.file_server import FileServer

BLOB = os.urandom(3 * 1024 * 1024 + 123)
FAST = DownloadOptions(backoff_s=0.01)


def part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def make_task(
    pool: ClientPool,
    url: str,
    destination: Path | None = None,
    *,
    folder: Path | None = None,
    options: DownloadOptions = FAST,
    on_change: Callable[[DownloadSnapshot], None] | None = None,
) -> DownloadTask:
    return DownloadTask(
        pool,
        ClientProfile(),
        ResolvedRequest("GET", url),
        destination,
        folder=folder,
        options=options,
        on_change=on_change,
    )


def download(url: str, destination: Path | None = None, **kwargs: Any) -> DownloadSnapshot:
    async def main() -> DownloadSnapshot:
        pool = ClientPool()
        try:
            return await make_task(pool, url, destination, **kwargs).run()
        finally:
            await pool.aclose()

    return asyncio.run(main())


def test_download_completes_with_its_sha256(tmp_path: Path) -> None:
    changes: list[DownloadSnapshot] = []
    with FileServer(BLOB) as server:
        snap = download(server.url + "/f.bin", tmp_path / "f.bin", on_change=changes.append)
    assert snap.state is DownloadState.DONE, snap.error
    assert snap.sha256 == server.sha256
    assert (tmp_path / "f.bin").read_bytes() == BLOB
    assert not part(tmp_path / "f.bin").exists()
    assert not record_path(tmp_path / "f.bin").exists()
    assert (snap.received, snap.total, snap.attempts) == (len(BLOB), len(BLOB), 1)
    assert server.requests[0]["accept-encoding"] == "identity"
    assert changes[0].state is DownloadState.RUNNING
    assert changes[-1].state is DownloadState.DONE


def test_drops_at_random_offsets_are_resumed_with_range(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    with FileServer(BLOB) as server:
        server.drops = [rng.randrange(1, 600_000) for _ in range(5)]
        snap = download(server.url + "/f.bin", tmp_path / "f.bin")
    assert snap.state is DownloadState.DONE, snap.error
    assert snap.sha256 == server.sha256
    assert (tmp_path / "f.bin").read_bytes() == BLOB
    assert snap.attempts == 6
    ranges = [r.get("range") for r in server.requests]
    assert ranges[0] is None
    assert all(r is not None and r.startswith("bytes=") for r in ranges[1:])
    offsets = [int(r[6:-1]) for r in ranges[1:] if r]
    assert offsets == sorted(offsets)
    assert all(r.get("if-range") == '"v1"' for r in server.requests[1:])


def test_retries_are_limited(tmp_path: Path) -> None:
    with FileServer(BLOB) as server:
        server.drops = [1000] * 10
        snap = download(
            server.url + "/f.bin",
            tmp_path / "f.bin",
            options=DownloadOptions(retries=2, backoff_s=0),
        )
    assert snap.state is DownloadState.FAILED
    assert isinstance(snap.error, ServerDisconnected)
    assert snap.attempts == 3
    assert part(tmp_path / "f.bin").stat().st_size == 3000  # kept for a later resume
    assert read_record(tmp_path / "f.bin") is not None


def test_a_server_without_range_support_restarts_and_ends_right(tmp_path: Path) -> None:
    with FileServer(BLOB, ranges=False) as server:
        server.drops = [100_000]
        snap = download(server.url + "/f.bin", tmp_path / "f.bin")
    assert snap.state is DownloadState.DONE, snap.error
    assert (tmp_path / "f.bin").read_bytes() == BLOB
    assert snap.sha256 == server.sha256
    assert any("ignored" in n for n in snap.notices)


def test_a_file_changed_between_attempts_is_fetched_whole_again(tmp_path: Path) -> None:
    new = os.urandom(len(BLOB) // 2)
    with FileServer(BLOB) as server:
        server.drops = [200_000]
        original = server.url + "/f.bin"

        async def main() -> DownloadSnapshot:
            pool = ClientPool()
            try:
                task = make_task(
                    pool, original, tmp_path / "f.bin", options=DownloadOptions(retries=0)
                )
                first = await task.run()
                assert first.state is DownloadState.FAILED
                server.replace(new, '"v2"')
                return await task.run()  # run() again resumes: If-Range no longer matches
            finally:
                await pool.aclose()

        snap = asyncio.run(main())
    assert snap.state is DownloadState.DONE, snap.error
    assert (tmp_path / "f.bin").read_bytes() == new
    assert snap.sha256 == hashlib.sha256(new).hexdigest()
    assert server.requests[1]["range"] == "bytes=200000-"
    assert any("changed" in n for n in snap.notices)


def reached(size: int, event: asyncio.Event) -> Callable[[DownloadSnapshot], None]:
    def on_change(snapshot: DownloadSnapshot) -> None:
        if snapshot.received >= size:
            event.set()

    return on_change


def test_pause_then_resume_in_the_same_process(tmp_path: Path) -> None:
    with FileServer(BLOB) as server:
        server.stall_at = 1_000_000

        async def main() -> tuple[DownloadSnapshot, DownloadSnapshot]:
            pool = ClientPool()
            try:
                arrived = asyncio.Event()
                task = make_task(
                    pool,
                    server.url + "/f.bin",
                    tmp_path / "f.bin",
                    on_change=reached(1_000_000, arrived),
                )
                running = asyncio.ensure_future(task.run())
                await arrived.wait()
                task.pause()
                paused = await running
                server.stall_at = None
                server.release.set()
                return paused, await task.run()
            finally:
                await pool.aclose()

        paused, done = asyncio.run(main())
    assert paused.state is DownloadState.PAUSED
    assert paused.received == 1_000_000
    record = read_record(tmp_path / "f.bin")
    assert done.state is DownloadState.DONE, done.error
    assert record is None  # removed once complete
    assert server.requests[1]["range"] == "bytes=1000000-"
    assert (tmp_path / "f.bin").read_bytes() == BLOB
    assert done.sha256 == server.sha256


def test_resume_from_part_and_record_as_after_a_restart(tmp_path: Path) -> None:
    destination = tmp_path / "f.bin"
    with FileServer(BLOB) as server:
        server.drops = [700_000]
        first = download(server.url + "/f.bin", destination, options=DownloadOptions(retries=0))
        assert first.state is DownloadState.FAILED
        saved = json.loads(record_path(destination).read_text())
        assert saved["bytes_written"] == 700_000
        assert saved["etag"] == '"v1"'
        assert saved["total"] == len(BLOB)
        # a new process: a new task, nothing but the files on disk
        snap = download(server.url + "/f.bin", destination)
    assert snap.state is DownloadState.DONE, snap.error
    assert server.requests[1]["range"] == "bytes=700000-"
    assert snap.sha256 == server.sha256  # the kept part was hashed first
    assert destination.read_bytes() == BLOB


def test_restore_from_a_record_dict(tmp_path: Path) -> None:
    destination = tmp_path / "f.bin"
    with FileServer(BLOB) as server:
        server.drops = [500_000]

        async def main() -> DownloadSnapshot:
            pool = ClientPool()
            try:
                task = make_task(
                    pool, server.url + "/f.bin", destination, options=DownloadOptions(retries=0)
                )
                await task.run()
                record = json.loads(json.dumps(task.to_record()))
                again = DownloadTask.restore(
                    record, pool, ClientProfile(), ResolvedRequest("GET", server.url + "/f.bin")
                )
                assert again.state is DownloadState.FAILED
                return await again.run()
            finally:
                await pool.aclose()

        snap = asyncio.run(main())
    assert snap.state is DownloadState.DONE, snap.error
    assert destination.read_bytes() == BLOB


def test_416_for_a_complete_part_finishes(tmp_path: Path) -> None:
    destination = tmp_path / "f.bin"
    with FileServer(BLOB) as server:
        server.drops = [len(BLOB)]  # every byte, then a hang-up before the end is seen
        download(server.url + "/f.bin", destination)
    assert destination.read_bytes() == BLOB


def test_416_against_the_recorded_size(tmp_path: Path) -> None:
    destination = tmp_path / "f.bin"
    with FileServer(BLOB) as server:
        server.drops = [400_000]
        download(server.url + "/f.bin", destination, options=DownloadOptions(retries=0))
        part(destination).write_bytes(BLOB)  # complete on disk, as if the process died
        complete = download(server.url + "/f.bin", destination)
        assert complete.state is DownloadState.DONE, complete.error
        assert server.requests[-1]["range"] == f"bytes={len(BLOB)}-"
        assert complete.sha256 == server.sha256

        # a part longer than the file the server now has: 416, restarted from 0
        server.drops = [400_000]
        other = tmp_path / "g.bin"
        download(server.url + "/f.bin", other, options=DownloadOptions(retries=0))
        server.replace(BLOB[:300_000], '"v1"')  # same validators, smaller file
        snap = download(server.url + "/f.bin", other)
    assert snap.state is DownloadState.DONE, snap.error
    assert other.read_bytes() == BLOB[:300_000]
    assert any("416" in n for n in snap.notices)


def test_fewer_bytes_than_content_length_is_never_a_success(tmp_path: Path) -> None:
    with FileServer(BLOB, ranges=False) as server:
        server.drops = [10_000] * 5
        snap = download(
            server.url + "/f.bin",
            tmp_path / "f.bin",
            options=DownloadOptions(retries=1, backoff_s=0),
        )
    assert snap.state is DownloadState.FAILED
    assert not (tmp_path / "f.bin").exists()


def test_an_error_status_is_not_saved(tmp_path: Path, demo_server: str) -> None:
    snap = download(demo_server + "/status/404", tmp_path / "x")
    assert snap.state is DownloadState.FAILED
    assert isinstance(snap.error, HTTPStatusError)
    assert "404" in snap.error.message
    assert not part(tmp_path / "x").exists()
    assert not (tmp_path / "x").exists()


def test_named_from_content_disposition_never_overwriting(tmp_path: Path) -> None:
    (tmp_path / "report €.pdf").write_bytes(b"mine")
    header = "attachment; filename=\"fallback.pdf\"; filename*=UTF-8''report%20%E2%82%AC.pdf"
    with FileServer(BLOB, content_disposition=header) as server:
        snap = download(server.url + "/x", folder=tmp_path)
        evil = FileServer(BLOB, content_disposition='attachment; filename="../../etc/passwd"')
        with evil:
            bad = download(evil.url + "/y", folder=tmp_path)
    assert snap.state is DownloadState.DONE, snap.error
    assert snap.destination == tmp_path / "report € (1).pdf"
    assert (tmp_path / "report €.pdf").read_bytes() == b"mine"
    assert bad.destination == tmp_path / "passwd"


def test_existing_destination_gets_a_new_name(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(b"mine")
    with FileServer(BLOB) as server:
        snap = download(server.url + "/f.bin", tmp_path / "f.bin")
    assert snap.destination == tmp_path / "f (1).bin"
    assert (tmp_path / "f.bin").read_bytes() == b"mine"


def test_expected_sha256_mismatch_fails(tmp_path: Path) -> None:
    with FileServer(BLOB) as server:
        snap = download(
            server.url + "/f.bin",
            tmp_path / "f.bin",
            options=DownloadOptions(expected_sha256="0" * 64),
        )
    assert snap.state is DownloadState.FAILED
    assert "SHA-256" in (snap.error.message if snap.error else "")
    assert not (tmp_path / "f.bin").exists()


def test_cancel_deletes_the_part(tmp_path: Path) -> None:
    with FileServer(BLOB) as server:
        server.stall_at = 100_000

        async def main() -> DownloadSnapshot:
            pool = ClientPool()
            try:
                arrived = asyncio.Event()
                task = make_task(
                    pool,
                    server.url + "/f.bin",
                    tmp_path / "f.bin",
                    on_change=reached(100_000, arrived),
                )
                running = asyncio.ensure_future(task.run())
                await arrived.wait()
                task.cancel()
                return await running
            finally:
                server.release.set()
                await pool.aclose()

        snap = asyncio.run(main())
    assert snap.state is DownloadState.CANCELLED
    assert list(tmp_path.iterdir()) == []


def test_not_enough_room_is_refused_before_starting(tmp_path: Path) -> None:
    with small_tmpfs(4) as folder, FileServer(os.urandom(6 * 1024 * 1024)) as server:
        snap = download(server.url + "/f.bin", folder / "f.bin")
        assert snap.state is DownloadState.FAILED
        assert isinstance(snap.error, LocalWriteError)
        assert "Not enough free disk space" in snap.error.message
        assert len(server.requests) == 1


def test_a_full_disk_pauses_and_keeps_the_part() -> None:
    with small_tmpfs(4) as folder, FileServer(os.urandom(6 * 1024 * 1024), no_length=True) as srv:
        snap = download(srv.url + "/f.bin", folder / "f.bin")
        assert snap.state is DownloadState.PAUSED
        assert isinstance(snap.error, LocalWriteError)
        assert snap.error.message.startswith("Disk full writing f.bin, ")
        assert "kept for resume" in snap.error.message
        kept = part(folder / "f.bin").stat().st_size
        assert kept > 1024 * 1024
        assert f"{kept / 1024 / 1024:.1f} MiB kept" in snap.error.message


def test_session_restores_a_saved_request_download(tmp_path: Path) -> None:
    from app.core import storage
    from app.core.model import Request
    from app.net.downloads import DownloadSource
    from app.session import Session

    with FileServer(BLOB) as server:
        directory = tmp_path / "api"
        collection = storage.create_collection(directory, "API")
        collection.base_url = server.url
        storage.save_collection_settings(collection)
        stored = storage.add_request(collection, None, Request(name="Blob", url="/blob.bin"))
        assert stored.path is not None
        source = DownloadSource(collection=str(directory), request=str(stored.path))
        server.drops = [300_000]

        async def first() -> dict[str, Any]:
            session = Session()
            try:
                resolution = await session.resolve_source(source)
                task = session.download(
                    resolution, folder=tmp_path, source=source, options=DownloadOptions(retries=0)
                )
                snap = await task.run()
                assert snap.state is DownloadState.FAILED
                assert snap.destination == tmp_path / "blob.bin"
                return task.to_record()
            finally:
                await session.aclose()

        async def after_restart(record: dict[str, Any]) -> DownloadSnapshot:
            session = Session()
            try:
                task = await session.restore_download(record)
                return await task.run()
            finally:
                await session.aclose()

        record = json.loads(json.dumps(asyncio.run(first())))
        snap = asyncio.run(after_restart(record))
    assert snap.state is DownloadState.DONE, snap.error
    assert server.requests[-1]["range"] == "bytes=300000-"
    assert (tmp_path / "blob.bin").read_bytes() == BLOB
