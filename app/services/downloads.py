"""DownloadService: the downloads list, several at once, queued past a limit, kept
across restarts.

The widgets call ``start`` / ``pause`` / ``resume`` / ``cancel`` / ``retry`` and
listen; each download is a ``DownloadTask`` of the Session run on its own asyncio
task.  A task reports at most ~20 snapshots a second; the service coalesces them
to at most ``UPDATES_PER_SECOND`` ``downloadChanged`` signals per download (state
changes are signalled at once), so a row repaints at screen pace whatever the
byte rate.  No byte goes through Qt: the engine writes the file on its writer
thread.

The list is saved (each task's ``to_record()``) in Courier's data directory
whenever a download changes state, in a worker thread.  After a restart an
unfinished download is listed PAUSED from its record alone; its request is
resolved again (``Session.restore_download``) only when it is resumed, so
start-up reads no collection and imports no network stack for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import download_list
from app.core.download_names import name_from_url, safe_name
from app.core.errors import CourierError, RequestError
from app.core.model import Collection, Request
from app.session import Session

if TYPE_CHECKING:
    from app.net.downloads import (
        DownloadOptions,
        DownloadSnapshot,
        DownloadState,
        DownloadTask,
    )

#: coalesced progress signals per download and second (a row repaints at most this often)
UPDATES_PER_SECOND = 10
DEFAULT_CONCURRENCY = 3
MAX_CONCURRENCY = 16

#: the engine, imported on first use (it brings httpx: never on the start-up path)
_ENGINE = "app.net.downloads"


def _engine() -> Any:
    return importlib.import_module(_ENGINE)


class Download:
    """One entry of the downloads list: its task (None while its request is prepared,
    or for a saved entry not resumed yet), and what it showed last."""

    def __init__(
        self,
        number: int,
        snapshot: DownloadSnapshot,
        make_task: Callable[[Download], Awaitable[DownloadTask]] | None,
        record: dict[str, Any] | None = None,
        label: str = "",
    ) -> None:
        #: unique in this run (the order the entries were added)
        self.number = number
        self.snapshot = snapshot
        self.task: DownloadTask | None = None
        #: how to get the task (prepare the request / restore the saved record)
        self.make_task = make_task
        #: the saved record (what is written while there is no task)
        self.record = record or {}
        #: waiting for a free slot
        self.queued = False
        #: the asyncio task running it (also while its request is prepared)
        self.runner: asyncio.Task[None] | None = None
        #: pause() or cancel() asked while the request was still being prepared
        self.stop_as: DownloadState | None = None
        self._label = label

    @property
    def state(self) -> DownloadState:
        """What the row says: queued while waiting for a slot, paused when held before
        it ever ran, else the task's own state."""
        states = _engine().DownloadState
        if self.queued:
            return states.QUEUED  # type: ignore[no-any-return]
        state: DownloadState = self.snapshot.state
        if state is states.QUEUED and self.runner is None:
            return states.PAUSED  # type: ignore[no-any-return]
        return state

    @property
    def name(self) -> str:
        destination = self.snapshot.destination
        return destination.name if destination is not None else self._label

    @property
    def running(self) -> bool:
        return self.runner is not None

    def to_record(self) -> dict[str, Any]:
        return self.task.to_record() if self.task is not None else dict(self.record)


class DownloadService(QObject):
    downloadAdded = Signal(Download)
    #: progress (coalesced) or a new state
    downloadChanged = Signal(Download)
    downloadRemoved = Signal(Download)
    #: done, failed or cancelled (``state`` says which)
    downloadFinished = Signal(Download)
    #: how many downloads are transferring (or preparing)
    activeChanged = Signal(int)

    def __init__(
        self, session: Session, list_path: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.list_path = list_path if list_path is not None else download_list.default_path()
        self.downloads: list[Download] = []
        self._numbers = 0
        self._dirty: dict[Download, None] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // UPDATES_PER_SECOND)
        self._timer.timeout.connect(self._flush)
        self._saving: asyncio.Task[None] | None = None
        self._save_again = False
        self._closing = False

    # ----------------------------------------------------------- settings

    @property
    def concurrency(self) -> int:
        value = self.session.state.download_concurrency
        return min(max(value, 1), MAX_CONCURRENCY)

    def set_concurrency(self, value: int) -> None:
        """How many run at once (kept in the app state); more slots start queued ones."""
        self.session.state.download_concurrency = min(max(value, 1), MAX_CONCURRENCY)
        self._pump()

    # ----------------------------------------------------------- starting

    def start(
        self,
        request: Request,
        collection: Collection | None,
        stored: Request | None,
        destination: Path,
        *,
        overwrite: bool = False,
        expected_sha256: str = "",
    ) -> Download:
        """Download ``request`` (as edited) to ``destination``; queued past the limit.
        ``overwrite``: the user chose to replace the file there (else a file found there
        at the end is kept and the download is numbered).

        After a restart it is resumed from the saved request (``stored``'s file), or
        from its URL for a request that has no file.
        """
        engine = _engine()
        options: DownloadOptions = engine.DownloadOptions(
            overwrite=overwrite, expected_sha256=expected_sha256.strip().lower()
        )
        environment = self.session.active_environment(collection) if collection else None
        source = None
        saved = stored is not None and stored.path is not None
        if collection is not None and collection.path is not None and saved:
            assert stored is not None
            source = engine.DownloadSource(
                collection=str(collection.path),
                request=str(stored.path),
                environment=environment.name if environment is not None else "",
            )

        async def make(download: Download) -> DownloadTask:
            resolution = await self.session.prepare(request, collection, stored)
            task: DownloadTask = self.session.download(
                resolution,
                destination,
                source=source,
                options=options,
                on_change=lambda snap: self._on_change(download, snap),
            )
            return task

        snapshot = engine.DownloadSnapshot(
            state=engine.DownloadState.QUEUED,
            destination=destination,
            received=0,
            total=None,
            speed=0.0,
            eta_s=None,
            elapsed_s=0.0,
            attempts=0,
            sha256=None,
            error=None,
            notices=(),
        )
        download = self._add(snapshot, make, label=destination.name, queued=True)
        self._pump()
        return download

    def _add(
        self,
        snapshot: DownloadSnapshot,
        make_task: Callable[[Download], Awaitable[DownloadTask]] | None,
        record: dict[str, Any] | None = None,
        label: str = "",
        *,
        queued: bool = False,
    ) -> Download:
        self._numbers += 1
        download = Download(self._numbers, snapshot, make_task, record, label)
        download.queued = queued
        self.downloads.append(download)
        self.downloadAdded.emit(download)
        return download

    # ------------------------------------------------------------ control

    def pause(self, download: Download) -> None:
        """Stop it keeping what arrived (a queued one just leaves the queue)."""
        download.queued = False
        if download.task is not None and download.running:
            download.task.pause()
        elif download.runner is not None:  # still preparing its request
            download.stop_as = _engine().DownloadState.PAUSED
            download.runner.cancel()
        self._emit_now(download)

    def resume(self, download: Download) -> None:
        """Continue a paused (or failed) one from what is on disk, when a slot is free."""
        states = _engine().DownloadState
        if download.running or download.state not in (states.PAUSED, states.FAILED):
            return
        download.queued = True
        self._emit_now(download)
        self._pump()

    def retry(self, download: Download) -> None:
        """Again: a failed one resumes; a cancelled one starts over from its record."""
        states = _engine().DownloadState
        if download.state is states.CANCELLED and not download.running:
            record = download.to_record()
            record.update(state=states.PAUSED.value, error=None, received=0, sha256=None)
            download.record = record
            download.task = None
            download.make_task = self._restorer(record)
            download.snapshot = snapshot_from_record(record)
        self.resume(download)

    def cancel(self, download: Download, keep_part: bool = False) -> None:
        """Stop for good; the part is deleted unless ``keep_part``."""
        states = _engine().DownloadState
        download.queued = False
        if download.state in (states.DONE, states.CANCELLED):
            return
        if download.task is not None:
            download.task.cancel(keep_part=keep_part)  # a running one ends in its runner
            if not download.running:
                download.snapshot = download.task.snapshot()
        elif download.runner is not None:  # preparing: nothing written yet
            download.stop_as = states.CANCELLED
            download.runner.cancel()
        else:  # a saved entry never resumed in this run
            if not keep_part and download.snapshot.destination is not None:
                discard_part(download.snapshot.destination)
            download.record = {**download.record, "state": states.CANCELLED.value}
            download.snapshot = dataclasses.replace(download.snapshot, state=states.CANCELLED)
        self._emit_now(download)
        self._schedule_save()

    def remove(self, download: Download) -> None:
        """Take a finished (or paused) one off the list; its files stay."""
        if download.running or download not in self.downloads:
            return
        self.downloads.remove(download)
        self._dirty.pop(download, None)
        self.downloadRemoved.emit(download)
        self._schedule_save()

    def clear_finished(self) -> None:
        states = _engine().DownloadState
        for download in list(self.downloads):
            if download.state in (states.DONE, states.CANCELLED):
                self.remove(download)

    def active_count(self) -> int:
        return sum(1 for d in self.downloads if d.running)

    def pause_all(self) -> int:
        """Pause every running or queued download (on exit); how many were."""
        busy = [d for d in self.downloads if d.running or d.queued]
        self._closing = True
        for download in busy:
            self.pause(download)
        return len(busy)

    # ------------------------------------------------------------ running

    def _pump(self) -> None:
        """Start queued downloads while there are free slots (oldest first)."""
        if self._closing:
            return
        running = self.active_count()
        for download in self.downloads:
            if running >= self.concurrency:
                break
            if download.queued:
                download.queued = False
                download.runner = asyncio.ensure_future(self._run(download))
                running += 1
                self.activeChanged.emit(running)

    async def _run(self, download: Download) -> None:
        states = _engine().DownloadState
        download.stop_as = None
        try:
            if download.task is None:
                if download.make_task is None:
                    raise CourierError("This download cannot be resumed: its request is unknown.")
                download.task = await download.make_task(download)
            download.snapshot = await download.task.run()
        except asyncio.CancelledError:
            if download.task is not None:  # the service is closing: run() kept the part
                download.snapshot = download.task.snapshot()
            else:
                state = download.stop_as or states.PAUSED
                download.snapshot = dataclasses.replace(download.snapshot, state=state)
        except CourierError as exc:
            self._fail(download, RequestError(exc.message, detail=exc.detail))
        except Exception as exc:  # a bug must show in the row, never kill the loop
            self._fail(download, RequestError("The download could not start.", detail=repr(exc)))
        finally:
            download.runner = None
            self._dirty.pop(download, None)
            self.downloadChanged.emit(download)
            if download.state in (states.DONE, states.FAILED, states.CANCELLED):
                self.downloadFinished.emit(download)
            self.activeChanged.emit(self.active_count())
            self._schedule_save()
            self._pump()

    def _fail(self, download: Download, error: RequestError) -> None:
        states = _engine().DownloadState
        download.snapshot = dataclasses.replace(download.snapshot, state=states.FAILED, error=error)
        if download.task is None:
            download.record = {**download.record, "state": "failed", "error": error.message}

    def _on_change(self, download: Download, snapshot: DownloadSnapshot) -> None:
        """From the task, on the loop (<= ~20 a second): state changes go out at once,
        progress at the screen's pace."""
        new_state = snapshot.state is not download.snapshot.state
        download.snapshot = snapshot
        if new_state:
            self._emit_now(download)
            self._schedule_save()
            return
        self._dirty[download] = None
        if not self._timer.isActive():
            self._timer.start()

    def _emit_now(self, download: Download) -> None:
        self._dirty.pop(download, None)
        self.downloadChanged.emit(download)

    def _flush(self) -> None:
        dirty, self._dirty = list(self._dirty), {}
        for download in dirty:
            self.downloadChanged.emit(download)
        if not self.active_count():
            self._timer.stop()

    # ------------------------------------------------------- persistence

    async def restore(self) -> None:
        """List what the last run left (unfinished ones PAUSED, resumable)."""
        await asyncio.to_thread(importlib.import_module, _ENGINE)  # httpx: in a worker
        records = await asyncio.to_thread(download_list.load_download_list, self.list_path)
        for record in records:
            try:
                snapshot = snapshot_from_record(record)
            except (ValueError, TypeError):
                continue  # a record this version cannot read: dropped
            label = safe_name(name_from_url(str(record.get("url") or "")))
            self._add(snapshot, self._restorer(record), record, label)

    def _restorer(self, record: dict[str, Any]) -> Callable[[Download], Awaitable[DownloadTask]]:
        async def make(download: Download) -> DownloadTask:
            return await self.session.restore_download(
                record, on_change=lambda snap: self._on_change(download, snap)
            )

        return make

    def records(self) -> list[dict[str, Any]]:
        return [d.to_record() for d in self.downloads]

    def _schedule_save(self) -> None:
        """Write the list in a worker; changes during a write are written right after."""
        if self._saving is not None:
            self._save_again = True
            return
        self._saving = asyncio.ensure_future(self._save())

    async def _save(self) -> None:
        try:
            while True:
                self._save_again = False
                records = self.records()  # on the loop: the tasks are not thread-safe
                with contextlib.suppress(OSError):  # the list is a convenience, never a blocker
                    await asyncio.to_thread(
                        download_list.save_download_list, self.list_path, records
                    )
                if not self._save_again:
                    return
        finally:
            self._saving = None

    async def aclose(self) -> None:
        """On exit: pause every download (parts kept), wait for them, save the list."""
        self.pause_all()
        runners = [d.runner for d in self.downloads if d.runner is not None]
        if runners:
            await asyncio.wait(runners, timeout=10)
        if self._saving is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._saving
        with contextlib.suppress(OSError):
            download_list.save_download_list(self.list_path, self.records())
        self._timer.stop()


def snapshot_from_record(record: dict[str, Any]) -> DownloadSnapshot:
    """What a saved entry shows before it is resumed: a running one comes back PAUSED."""
    engine = _engine()
    states = engine.DownloadState
    state = states(record.get("state", states.PAUSED.value))
    if state in (states.RUNNING, states.QUEUED):
        state = states.PAUSED
    destination = record.get("destination")
    total = record.get("total")
    error = record.get("error")
    started = float(record.get("created_at") or time.time())
    finished = record.get("finished_at")
    snapshot: DownloadSnapshot = engine.DownloadSnapshot(
        state=state,
        destination=Path(destination) if destination else None,
        received=int(record.get("received") or 0),
        total=total if isinstance(total, int) else None,
        speed=0.0,
        eta_s=None,
        elapsed_s=max(float(finished) - started, 0.0) if finished else 0.0,
        attempts=int(record.get("attempts") or 0),
        sha256=record.get("sha256") or None,
        error=RequestError(str(error)) if error else None,
        notices=tuple(str(n) for n in record.get("notices") or ()),
    )
    return snapshot


def discard_part(destination: Path) -> None:
    """Delete a download's part file and its resume record (cancel, "delete the part")."""
    from app.net.body_store import part_path
    from app.net.downloads import record_path

    for path in (part_path(destination), record_path(destination)):
        with contextlib.suppress(OSError):
            path.unlink()
