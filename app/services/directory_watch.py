"""One directory tree watched for changes, in its own thread.

watchfiles' Rust backend (``notify``: inotify, FSEvents, ReadDirectoryChangesW)
runs in a plain daemon thread here rather than through ``awatch`` on the event
loop: ``awatch`` goes through anyio's worker threads, which the qasync loop
does not own, while a thread of our own is stopped by a ``threading.Event``
that watchfiles checks every ``step`` ms and then joined, so closing a
collection or quitting leaves no thread behind.  ``RustNotify`` (watchfiles'
documented low-level API, what ``watchfiles.watch`` wraps) is used directly
because it starts watching when it is constructed, so ``ready`` can say from
when on no change is missed.

watchfiles groups a burst (a ``git pull``) into one batch: it hands it over
once no new change arrived for ``step`` ms (at most ``debounce`` ms after the
first).  Hidden names (``.git``, Courier's ``.NAME.XXXX.tmp`` temp files) are
dropped here.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles._rust_notify import RustNotify

log = logging.getLogger(__name__)

#: milliseconds without a new change that end a batch
STEP_MS = 50
#: a batch is handed over at the latest this long after its first change
DEBOUNCE_MS = 1600


def _visible_under(root: Path) -> Callable[[str], bool]:
    prefix = os.path.join(str(root), "")

    def visible(path: str) -> bool:
        relative = path[len(prefix) :] if path.startswith(prefix) else path
        return not any(part.startswith(".") for part in relative.split(os.sep))

    return visible


class DirectoryWatch:
    """Calls ``on_changes(paths)`` from its thread for each batch of changed paths."""

    def __init__(
        self,
        root: Path,
        on_changes: Callable[[set[Path]], None],
        *,
        step_ms: int = STEP_MS,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self.root = root
        self._on_changes = on_changes
        self._step_ms = step_ms
        self._debounce_ms = debounce_ms
        self._stop = threading.Event()
        #: set once watchfiles watches (changes before that are not seen)
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"watch {root.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop watching and wait for the thread (True: it ended)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            notify = RustNotify([str(self.root)], False, False, 300, True, True)
        except Exception:  # the folder vanished or cannot be read: nothing to watch
            log.warning("cannot watch %s", self.root, exc_info=True)
            self.ready.set()
            return
        self.ready.set()
        visible = _visible_under(self.root)
        try:
            with notify:
                while not self._stop.is_set():
                    raw = notify.watch(self._debounce_ms, self._step_ms, 0, self._stop)
                    if isinstance(raw, str):  # "stop", or a timeout / signal: look again
                        continue
                    paths = {Path(path) for _change, path in raw if visible(path)}
                    if paths and not self._stop.is_set():
                        self._on_changes(paths)
        except Exception:  # never let a watch take the app down: it ends, logged
            log.warning("watching %s stopped", self.root, exc_info=True)
