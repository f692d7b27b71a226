"""DownloadTask: one file downloaded straight to disk, with resume, retries and a hash.

Each attempt is one exchange through the engine (so redirects, credentials
withheld cross-origin, error mapping and the collection's pooled client are the
same as a Send).  When the response head arrives, ``_open_body`` decides where
the body goes: a ``BodyStore.to_file`` writing ``NAME.part`` from the offset
the server confirmed (``206`` with a matching ``Content-Range``), from 0 when
it ignored the range or the file changed (``200``), or nowhere (``416`` for a
part that is already complete, or a restart).  The SHA-256 is fed on the
store's writer thread (the kept part first, on a resume), never on the loop.

A drop mid-body (or fewer bytes than announced) is retried with exponential
backoff from the bytes already on disk, up to ``DownloadOptions.retries``.
``pause()`` stops the transfer and keeps the part and its resume record
(``NAME.part.json``); ``run()`` again, in this process or after a restart
(``DownloadTask.restore`` / ``Session.restore_download``), continues it.  A
full disk pauses with a message saying how much was kept.

No Qt: ``on_change`` is a plain callback (at most ``CHANGES_PER_SECOND`` times
a second, plus every change of state); the window's service turns it into a
signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import errno
import hashlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from app.core.download_names import name_from_url, safe_name, suggested_name, unique_path
from app.core.errors import (
    HTTPStatusError,
    LocalWriteError,
    NetworkError,
    ProtocolViolation,
    RequestError,
    RequestTimeout,
    ServerDisconnected,
)
from app.core.resolved import ClientProfile, ResolvedRequest
from app.core.units import human_size
from app.net import engine, tuning
from app.net.body_store import BodyStore, free_space, part_path
from app.net.clients import ClientPool
from app.net.downloads.ranges import parse_content_range
from app.net.downloads.resume_record import (
    ResumeRecord,
    read_record,
    remove_record,
    write_record,
)
from app.net.errors import mask
from app.net.events import Event, Progress
from app.net.exchange import Exchange, ExchangeState, ResponseHead

#: ``on_change`` calls per second while bytes arrive (state changes always call it)
CHANGES_PER_SECOND = 20
#: the resume record is rewritten this often while bytes arrive
RECORD_EVERY_S = 1.0
#: weight of the newest sample in the smoothed speed
SPEED_SMOOTHING = 0.3
RECORD_VERSION = 1


class DownloadState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclasses.dataclass(frozen=True, slots=True)
class DownloadSource:
    """What is downloaded, in a form that can be resolved again after a restart:
    a saved request (its collection's directory and its file) or a plain URL."""

    url: str = ""
    collection: str = ""
    request: str = ""
    environment: str = ""

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DownloadSource:
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: str(v) for k, v in data.items() if k in fields})


@dataclasses.dataclass(frozen=True, slots=True)
class DownloadOptions:
    #: automatic attempts after a drop (each resumes where the last one stopped)
    retries: int = 8
    #: first wait before a retry; doubles each time, at most ``backoff_max_s``
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    #: a SHA-256 (hex) the file must have; a mismatch fails the download (the file is kept
    #: under its ``.part`` name)
    expected_sha256: str = ""
    #: replace an existing file at the destination instead of choosing "NAME (1).EXT"
    overwrite: bool = False
    #: bytes to leave free on the disk (checked before starting, when the size is known)
    reserve: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class DownloadSnapshot:
    """A download as it is now: what a row of the downloads list shows."""

    state: DownloadState
    #: where the file goes (None: named from the response, not known yet)
    destination: Path | None
    #: bytes on disk or on their way, the resumed part included
    received: int
    total: int | None
    #: bytes per second, smoothed
    speed: float
    eta_s: float | None
    elapsed_s: float
    attempts: int
    sha256: str | None
    error: RequestError | None
    notices: tuple[str, ...]

    @property
    def fraction(self) -> float | None:
        return self.received / self.total if self.total else None


class DownloadTask:
    """One download; ``await run()`` until it is done, paused, failed or cancelled."""

    def __init__(
        self,
        pool: ClientPool,
        profile: ClientProfile,
        request: ResolvedRequest,
        destination: Path | None = None,
        *,
        folder: Path | None = None,
        source: DownloadSource | None = None,
        options: DownloadOptions | None = None,
        on_change: Callable[[DownloadSnapshot], None] | None = None,
        before_send: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if destination is None and folder is None:
            raise ValueError("a download needs a destination file or a folder")
        self.pool = pool
        self.profile = profile
        self.request = request
        self.folder = folder if destination is None else destination.parent
        self.source = source if source is not None else DownloadSource(url=request.url)
        self.options = options if options is not None else DownloadOptions()
        self.on_change = on_change
        self._before_send = before_send
        self._destination = destination
        self.created_at = time.time()
        self.finished_at: float | None = None
        self._state = DownloadState.QUEUED
        self._received = 0
        self._total: int | None = None
        self._speed = 0.0
        self._elapsed = 0.0
        self._run_started: float | None = None
        self._attempts = 0
        self._sha256: str | None = None
        self._error: RequestError | None = None
        self._notices: list[str] = []
        self._record: ResumeRecord | None = None
        self._store: BodyStore | None = None
        #: the last attempt's store, closed for writing, kept to hash and commit
        self._last_store: BodyStore | None = None
        self._offset = 0
        self._complete_on_disk = False
        self._restart_reason = ""
        self._no_room = False
        self._inner: asyncio.Future[Any] | None = None
        self._stopping: DownloadState | None = None
        self._keep_part = True
        self._last_change = 0.0
        self._trailing: asyncio.TimerHandle | None = None
        self._last_sample: tuple[float, int] | None = None
        self._last_record = 0.0

    # ------------------------------------------------------------ looking

    @property
    def destination(self) -> Path | None:
        return self._destination

    @property
    def state(self) -> DownloadState:
        return self._state

    def snapshot(self) -> DownloadSnapshot:
        elapsed = self._elapsed
        if self._run_started is not None:
            elapsed += time.monotonic() - self._run_started
        eta = None
        if self._total is not None and self._speed > 0 and self._state is DownloadState.RUNNING:
            eta = max(self._total - self._received, 0) / self._speed
        return DownloadSnapshot(
            state=self._state,
            destination=self._destination,
            received=self._received,
            total=self._total,
            speed=self._speed if self._state is DownloadState.RUNNING else 0.0,
            eta_s=eta,
            elapsed_s=elapsed,
            attempts=self._attempts,
            sha256=self._sha256,
            error=self._error,
            notices=tuple(self._notices),
        )

    def to_record(self) -> dict[str, Any]:
        """A JSON-able description to keep the downloads list across restarts
        (never a secret: the URL is masked; the request is resolved again)."""
        return {
            "version": RECORD_VERSION,
            "source": self.source.to_json(),
            "url": mask(self.request.url, self.request.secrets),
            "destination": str(self._destination) if self._destination else None,
            "folder": str(self.folder) if self.folder else None,
            "state": self._state.value,
            "received": self._received,
            "total": self._total,
            "sha256": self._sha256,
            "expected_sha256": self.options.expected_sha256,
            "attempts": self._attempts,
            "error": self._error.message if self._error else None,
            "notices": list(self._notices),
            "created_at": self.created_at,
            "finished_at": self.finished_at,
        }

    @classmethod
    def restore(
        cls,
        record: dict[str, Any],
        pool: ClientPool,
        profile: ClientProfile,
        request: ResolvedRequest,
        **kwargs: Any,
    ) -> DownloadTask:
        """A task for a ``to_record()`` dict, with its request resolved again by the caller.

        A download that was running or paused comes back PAUSED (``run()`` resumes it
        from its part); a finished one keeps its final state.
        """
        destination = record.get("destination")
        folder = record.get("folder")
        options = kwargs.pop("options", None) or DownloadOptions(
            expected_sha256=str(record.get("expected_sha256") or "")
        )
        task = cls(
            pool,
            profile,
            request,
            Path(destination) if destination else None,
            folder=Path(folder) if folder else None,
            source=DownloadSource.from_json(dict(record.get("source") or {})),
            options=options,
            **kwargs,
        )
        task.created_at = float(record.get("created_at") or task.created_at)
        task.finished_at = record.get("finished_at")
        task._received = int(record.get("received") or 0)
        total = record.get("total")
        task._total = total if isinstance(total, int) else None
        task._sha256 = record.get("sha256")
        task._attempts = int(record.get("attempts") or 0)
        task._notices = [str(n) for n in record.get("notices") or []]
        state = DownloadState(record.get("state", DownloadState.PAUSED.value))
        if state in (DownloadState.RUNNING, DownloadState.QUEUED):
            state = DownloadState.PAUSED
        task._state = state
        if record.get("error"):
            task._error = RequestError(str(record["error"]))
        return task

    # ------------------------------------------------------------ control

    def pause(self) -> None:
        """Stop the transfer, keeping the part and its resume record (``run()`` resumes)."""
        self._stop(DownloadState.PAUSED, keep_part=True)

    def cancel(self, keep_part: bool = False) -> None:
        """Stop for good; the part and its record are deleted unless ``keep_part``."""
        if self._state in (DownloadState.DONE, DownloadState.CANCELLED):
            return
        if self._state is not DownloadState.RUNNING:
            self._state = DownloadState.CANCELLED
            if not keep_part:
                self._discard_part()
            self._changed(force=True)
            return
        self._stop(DownloadState.CANCELLED, keep_part=keep_part)

    def _stop(self, state: DownloadState, *, keep_part: bool) -> None:
        if self._state is not DownloadState.RUNNING:
            return
        self._stopping, self._keep_part = state, keep_part
        if self._inner is not None:
            self._inner.cancel()

    # ---------------------------------------------------------------- run

    async def run(self) -> DownloadSnapshot:
        """Download (or resume) until the file is complete, paused, cancelled or failed."""
        if self._state in (DownloadState.DONE, DownloadState.CANCELLED, DownloadState.RUNNING):
            return self.snapshot()
        self._state, self._error, self._stopping = DownloadState.RUNNING, None, None
        self._run_started = time.monotonic()
        self._last_sample = None
        self._changed(force=True)
        try:
            await self._run()
        except asyncio.CancelledError:
            if self._stopping is None:  # the caller cancelled run(): keep what arrived
                self._stopping = DownloadState.PAUSED
                await asyncio.shield(self._settle())
                raise
            await self._settle()
        except Exception as exc:  # a bug must end the download visibly, never hang it
            await self._close_store()
            self._fail(NetworkError("The download stopped unexpectedly.", detail=repr(exc)))
        finally:
            if self._run_started is not None:
                self._elapsed += time.monotonic() - self._run_started
                self._run_started = None
            self._inner = None
        # the transfer's buffers back to the system, in the background
        asyncio.get_running_loop().run_in_executor(None, tuning.release_free_memory)
        return self.snapshot()

    async def _settle(self) -> None:
        """After pause or cancel: what arrived is written (and recorded), or deleted."""
        await self._close_store()
        if self._last_store is not None:
            self._last_store.release()
            self._last_store = None
        state = self._stopping or DownloadState.PAUSED
        if state is DownloadState.CANCELLED and not self._keep_part:
            self._discard_part()
        self._state = state
        self._changed(force=True)

    async def _run(self) -> None:
        if self._before_send is not None:
            with contextlib.suppress(Exception):  # e.g. a bad certificate: the engine says it
                await self._before_send()
        self._load_resume_state()
        failures = 0
        while True:
            self._attempts += 1
            self._changed(force=True)
            exchange = await self._attempt()
            written = await self._close_store()
            if exchange.state is ExchangeState.DONE and self._restart_reason:
                self._restart(self._restart_reason)
                continue
            error = exchange.error
            if exchange.state is ExchangeState.DONE:
                error = self._short_body_error()
                if error is None:
                    await self._finish()
                    return
            assert error is not None
            if isinstance(error, LocalWriteError) and not self._no_room:
                self._pause_on_disk_error(error, written)
                return
            made_progress = written > self._offset
            self._offset = written
            failures = 0 if made_progress else failures + 1
            retries_used = self._attempts - 1
            if not _retryable(error) or retries_used >= self.options.retries:
                self._fail(error)
                return
            delay = min(self.options.backoff_s * 2**failures, self.options.backoff_max_s)
            self._notices.append(
                f"{error.title}: {error.message} Retrying in {delay:g} s from "
                f"{human_size(written)}."
            )
            self._changed(force=True)
            self._inner = asyncio.ensure_future(asyncio.sleep(delay))  # pause() ends it
            await self._inner

    async def _attempt(self) -> Exchange:
        if self._last_store is not None:
            self._last_store.release()
            self._last_store = None
        self._restart_reason = ""
        self._complete_on_disk = False
        self._no_room = False
        request = self._ranged_request()
        exchange = Exchange(request.method, request.url, BodyStore(memory_budget=0))
        self._inner = asyncio.ensure_future(
            engine.send(
                self.pool,
                self.profile,
                request,
                exchange,
                self._on_event,
                open_body=self._open_body,
            )
        )
        return await self._inner  # type: ignore[no-any-return]

    def _ranged_request(self) -> ResolvedRequest:
        drop = {"range", "if-range", "accept-encoding"}
        headers = [(n, v) for n, v in self.request.headers if n.lower() not in drop]
        # the bytes as sent, never decoded: Range offsets count them
        headers.append(("Accept-Encoding", "identity"))
        if self._offset > 0:
            headers.append(("Range", f"bytes={self._offset}-"))
            validator = self._record.if_range() if self._record else None
            if validator:
                headers.append(("If-Range", validator))
        return dataclasses.replace(self.request, headers=tuple(headers))

    # ------------------------------------------------------- resume state

    def _load_resume_state(self) -> None:
        """Continue from ``NAME.part`` when its record says it is this download's."""
        self._offset = 0
        if self._destination is None and self.folder is not None:
            name = safe_name(name_from_url(self.request.url))
            candidate = self.folder / name
            if self._matching_record(candidate) is not None:
                self._destination = candidate
        if self._destination is None:
            return
        record = self._matching_record(self._destination)
        part = part_path(self._destination)
        if record is None:
            return
        try:
            size = part.stat().st_size
        except OSError:
            return
        if record.total is not None and size > record.total:
            size = 0
        self._record, self._offset = record, size
        self._total = record.total
        self._received = size

    def _matching_record(self, destination: Path) -> ResumeRecord | None:
        record = read_record(destination)
        url = mask(self.request.url, self.request.secrets)
        if record is None or not part_path(destination).exists() or record.url != url:
            return None
        return record

    def _restart(self, reason: str) -> None:
        self._notices.append(reason)
        self._offset = 0
        self._received = 0
        self._record = None
        if self._destination is not None:
            with contextlib.suppress(OSError):
                part_path(self._destination).unlink()
            remove_record(self._destination)
        self._changed(force=True)

    def _open_body(self, exchange: Exchange, head: ResponseHead) -> BodyStore | None:
        """The head is in: where its body goes (see the module's docstring)."""
        status = head.status_code
        etag = head.header("etag") or ""
        last_modified = head.header("last-modified") or ""
        offset = self._offset
        if status >= 400 and not (status == 416 and offset):
            reason = head.reason or httpx.codes.get_reason_phrase(status)
            raise HTTPStatusError(
                f"The server answered {status} {reason} instead of the file.",
                status_code=status,
            )
        if status == 416:
            whole = parse_content_range(head.header("content-range"))
            total = whole.total if whole and whole.total is not None else self._total
            if total == offset:
                self._complete_on_disk = True
                return None
            self._restart_reason = (
                "The server refused to continue from the kept part (416 Range Not "
                "Satisfiable): the file is no longer what was kept; downloading it whole again."
            )
            return None
        if not 200 <= status < 300:
            raise HTTPStatusError(
                f"The server answered {status} {head.reason} instead of the file.",
                status_code=status,
            )
        start = 0
        total = head.expected_size
        if status == 206:
            sent = parse_content_range(head.header("content-range"))
            if sent is None or sent.start is None:
                raise ProtocolViolation(
                    "The server answered 206 Partial Content without a valid Content-Range."
                )
            if sent.start != offset or (sent.end is not None and sent.end + 1 != sent.total):
                if offset:
                    self._restart_reason = (
                        f"The server sent another range than asked for (from {sent.start:,}, "
                        f"not {offset:,}); downloading the file whole again."
                    )
                    return None
                raise ProtocolViolation("The server sent a part of the file it was not asked for.")
            if offset and self._changed_on_server(etag, last_modified, sent.total):
                self._restart_reason = (
                    "The file changed on the server since the kept part was downloaded; "
                    "downloading it whole again."
                )
                return None
            start, total = offset, sent.total
        elif offset:
            changed = self._changed_on_server(etag, last_modified, None)
            self._notices.append(
                "The file changed on the server; downloaded it whole again."
                if changed
                else "The server ignored the request to continue (no Range support); "
                "restarted from the beginning."
            )
        if head.content_encoding and head.content_encoding.lower() != "identity":
            self._notices.append(
                f"The server sent the file encoded as “{head.content_encoding}” although "
                "Courier asked for it as is; it is saved as it arrived."
            )
        destination = self._destination
        if destination is None:
            assert self.folder is not None
            disposition = head.header("content-disposition")
            wanted = self.folder / suggested_name(disposition, head.url)
            destination = unique_path(wanted)
            if destination != wanted:
                self._notices.append(f"{wanted.name} exists; saved as {destination.name}.")
            self._destination = destination
        if total is not None:
            self._check_room(destination, total - start)
        store = BodyStore.to_file(
            destination, reserve=self.options.reserve, resume_from=start, hasher=hashlib.sha256()
        )
        self._store = store
        self._offset = start
        self._total = total
        self._received = start
        if not start:
            self._record = ResumeRecord(url=mask(self.request.url, self.request.secrets))
        assert self._record is not None
        self._record.source = self.source.to_json()
        self._record.etag, self._record.last_modified = etag, last_modified
        self._record.total = total
        self._save_record(store)
        return store

    def _changed_on_server(self, etag: str, last_modified: str, total: int | None) -> bool:
        record = self._record
        if record is None:
            return False
        if record.etag and etag and record.etag != etag:
            return True
        if record.last_modified and last_modified and record.last_modified != last_modified:
            return True
        return record.total is not None and total is not None and record.total != total

    def _check_room(self, destination: Path, needed: int) -> None:
        free = free_space(str(destination.parent))
        if free - needed < self.options.reserve:
            self._no_room = True
            raise LocalWriteError(
                f"Not enough free disk space for {destination.name}: {human_size(needed)} "
                f"to download, {human_size(free)} free in {destination.parent}."
            )

    def _save_record(self, store: BodyStore) -> None:
        """Rewrite the resume record on the writer thread, after the bytes it counts."""
        record, destination = self._record, self._destination
        if record is None or destination is None:
            return
        self._last_record = time.monotonic()

        def job() -> None:
            if store.released:
                return
            record.bytes_written = store.written
            with contextlib.suppress(OSError):
                write_record(destination, record)

        store.after_writes(job)

    async def _close_store(self) -> int:
        """End the attempt's store: every byte written, the record updated, the file
        closed.  Returns the bytes in the part file."""
        store, self._store = self._store, None
        if store is None:
            return self._offset
        await asyncio.to_thread(store.settle)
        written = store.written
        if store.target is not None:
            with contextlib.suppress(OSError):  # a write that failed half-way (a full disk)
                written = max(written, part_path(store.target).stat().st_size)
        self._received = written
        self._save_record(store)
        await asyncio.to_thread(store.settle)  # the record is written once this returns
        self._last_store = store
        return written

    # ------------------------------------------------------------- ending

    def _short_body_error(self) -> RequestError | None:
        if self._complete_on_disk or self._total is None:
            return None
        if self._received >= self._total:
            return None
        return ServerDisconnected(
            f"The server sent {human_size(self._received)} of {human_size(self._total)}; "
            "the body ended early.",
            received=self._received,
        )

    async def _finish(self) -> None:
        destination = self._destination
        assert destination is not None
        store, self._last_store = self._last_store, None
        if self._complete_on_disk or store is None:
            if store is not None:
                store.release()
            store = BodyStore.to_file(
                destination, resume_from=self._offset, hasher=hashlib.sha256()
            )
        try:
            digest = await asyncio.to_thread(store.hexdigest)
            expected = self.options.expected_sha256.lower()
            if expected and digest != expected:
                self._sha256 = digest
                store.release()
                self._fail(
                    LocalWriteError(
                        f"The SHA-256 of {destination.name} is {digest}, not the expected "
                        f"{expected}; the file is kept as {part_path(destination).name}."
                    )
                )
                return
            final = destination
            if not self.options.overwrite and (destination.exists() or destination.is_symlink()):
                final = unique_path(destination)
                self._notices.append(f"{destination.name} exists; saved as {final.name}.")
            await asyncio.to_thread(store.commit, final)
        except OSError as exc:
            store.release()
            self._fail(LocalWriteError(f"Could not finish writing {destination}: {exc}"))
            return
        store.release()
        remove_record(destination)
        self._destination = final
        self._sha256 = digest
        self._received = self._total if self._total is not None else self._received
        self._state = DownloadState.DONE
        self.finished_at = time.time()
        self._changed(force=True)

    def _fail(self, error: RequestError) -> None:
        self._error = error
        self._state = DownloadState.FAILED
        self.finished_at = time.time()
        self._changed(force=True)

    def _pause_on_disk_error(self, error: RequestError, written: int) -> None:
        name = self._destination.name if self._destination else "the download"
        cause = error.__cause__
        full = isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT)
        kept = f"{human_size(written)} kept for resume"
        if full:
            message = f"Disk full writing {name}, {kept}."
        else:
            message = f"Could not write {name} ({error.message}), {kept}."
        self._error = LocalWriteError(message, detail=error.detail, received=written)
        self._state = DownloadState.PAUSED
        self._changed(force=True)

    def _discard_part(self) -> None:
        if self._destination is None:
            return
        with contextlib.suppress(OSError):
            part_path(self._destination).unlink()
        remove_record(self._destination)

    # ----------------------------------------------------------- progress

    def _on_event(self, _exchange: Exchange, event: Event) -> None:
        if isinstance(event, Progress) and self._store is not None:
            self._received = event.received
            now = time.monotonic()
            if now - self._last_record >= RECORD_EVERY_S:
                self._save_record(self._store)
            self._changed()

    def _trailing_change(self) -> None:
        self._trailing = None
        self._changed(force=True)

    def _changed(self, *, force: bool = False) -> None:
        now = time.monotonic()
        wait = self._last_change + 1 / CHANGES_PER_SECOND - now
        if not force and wait > 0:
            # a trailing call, so the last bytes before a stall are shown too
            if self._trailing is None:
                loop = asyncio.get_running_loop()
                self._trailing = loop.call_later(wait, self._trailing_change)
            return
        if self._trailing is not None:
            self._trailing.cancel()
            self._trailing = None
        self._last_change = now
        sample = (now, self._received)
        if self._last_sample is not None:
            then, got = self._last_sample
            if now - then >= 0.05:
                speed = (self._received - got) / (now - then)
                self._speed = (
                    speed
                    if not self._speed
                    else SPEED_SMOOTHING * speed + (1 - SPEED_SMOOTHING) * self._speed
                )
                self._last_sample = sample
        else:
            self._last_sample = sample
        if self.on_change is not None:
            self.on_change(self.snapshot())


def _retryable(error: RequestError) -> bool:
    """Worth another attempt from where it stopped: the connection, not the request."""
    if isinstance(error, HTTPStatusError):
        return error.retry_safe
    return isinstance(error, ServerDisconnected | NetworkError | RequestTimeout) or (
        isinstance(error, ProtocolViolation) and error.received > 0
    )
