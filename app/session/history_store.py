"""HistoryStore: every exchange, kept in a SQLite database in Courier's data folder.

Three tables: ``entries`` (one small row per exchange: what the list shows and
filters on, so a scan of 100,000 stays quick), ``details`` (the request as
sent, the response head, timings, hops, error: JSON) and ``bodies`` (the body,
when it was within the per-entry budget).  Triggers keep the bytes held by
details and bodies, and the number of entries, in ``usage``; past
``TOTAL_BUDGET`` the oldest bodies go first, then the oldest entries (``prune``).

WAL mode: one writer and any number of readers at once.  Each thread gets its
own connection, so the service writes on one worker thread and reads on
another.  The schema is versioned with ``PRAGMA user_version``; a file that is
not a database Courier can read is moved aside (``history.sqlite3.corrupt-…``)
and a new one started, with a notice saying where the old one went.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from app.core import paths
from app.session.history_record import (
    ENTRY_BODY_BUDGET,
    BodyState,
    HistoryDetail,
    HistoryEntry,
    HistoryRecord,
)

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 1
#: bytes of details and bodies kept in all; past it the oldest bodies, then entries, go
TOTAL_BUDGET = 256 * 1024 * 1024
#: entries kept in all (the oldest go past it)
MAX_ENTRIES = 500_000
#: entries removed per statement while pruning (keeps each transaction short)
PRUNE_BATCH = 500
#: status classes the list filters on: 1xx-5xx, and 0 for "no response"
STATUS_CLASSES = (0, 1, 2, 3, 4, 5)

_SUMMARY = (
    "id, at, method, url, name, collection_name, status, reason, state, size, duration_s, error"
)

_SCHEMA = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    collection_name TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 0,
    status_class INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    duration_s REAL,
    error TEXT NOT NULL DEFAULT '',
    body_state TEXT NOT NULL DEFAULT 'none'
);
CREATE INDEX entries_method ON entries (method, id);
CREATE INDEX entries_status_class ON entries (status_class, id);
CREATE TABLE details (
    entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE TABLE bodies (
    entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
CREATE TABLE usage (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    bytes INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
INSERT INTO usage (id, bytes, entries) VALUES (1, 0, 0);
CREATE TRIGGER entries_in AFTER INSERT ON entries BEGIN
    UPDATE usage SET entries = entries + 1 WHERE id = 1;
END;
CREATE TRIGGER entries_out AFTER DELETE ON entries BEGIN
    UPDATE usage SET entries = entries - 1 WHERE id = 1;
END;
CREATE TRIGGER details_in AFTER INSERT ON details BEGIN
    UPDATE usage SET bytes = bytes + length(CAST(NEW.data AS BLOB)) WHERE id = 1;
END;
CREATE TRIGGER details_out AFTER DELETE ON details BEGIN
    UPDATE usage SET bytes = bytes - length(CAST(OLD.data AS BLOB)) WHERE id = 1;
END;
CREATE TRIGGER bodies_in AFTER INSERT ON bodies BEGIN
    UPDATE usage SET bytes = bytes + length(NEW.data) WHERE id = 1;
END;
CREATE TRIGGER bodies_out AFTER DELETE ON bodies BEGIN
    UPDATE usage SET bytes = bytes - length(OLD.data) WHERE id = 1;
END;
"""


#: a trigram index of names and URLs: a text filter finds its entries through it
#: instead of reading every row (SQLite 3.34+ with FTS5; without it, a scan)
_TEXT_INDEX = """
CREATE VIRTUAL TABLE entries_text USING fts5(
    name, url, content='entries', content_rowid='id', tokenize='trigram'
);
INSERT INTO entries_text (rowid, name, url) SELECT id, name, url FROM entries;
CREATE TRIGGER entries_text_in AFTER INSERT ON entries BEGIN
    INSERT INTO entries_text (rowid, name, url) VALUES (NEW.id, NEW.name, NEW.url);
END;
"""
_TEXT_OUT_TRIGGER = """
CREATE TRIGGER entries_text_out AFTER DELETE ON entries BEGIN
    INSERT INTO entries_text (entries_text, rowid, name, url)
    VALUES ('delete', OLD.id, OLD.name, OLD.url);
END
"""
#: the trigram index finds texts of at least this many characters
TRIGRAM = 3
#: with a method or status filter, a text fewer entries than this have is looked up
#: in the trigram index; a more common one is matched on the filtered entries
RARE_TEXT = 2000


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which entries to list: text in the URL or name, methods, status classes
    (empty: any)."""

    text: str = ""
    methods: frozenset[str] = frozenset()
    status_classes: frozenset[int] = frozenset()


class HistoryUnavailable(Exception):
    """The history database cannot be opened or written (not a corrupt file: a
    folder Courier may not write, a full disk)."""


_F = TypeVar("_F", bound=Callable[..., Any])


def _recovering(method: _F) -> _F:
    """A query that finds the file damaged moves it aside, starts a new history
    (with a notice) and runs once more on it."""

    @functools.wraps(method)
    def run(self: HistoryStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc) or getattr(self._local, "recovering", False):
                raise
            self.recover(exc)
            self._local.recovering = True
            try:
                return method(self, *args, **kwargs)
            finally:
                self._local.recovering = False

    return cast(_F, run)


class HistoryStore:
    """The history database (thread-safe: a connection per thread)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        total_budget: int = TOTAL_BUDGET,
        entry_body_budget: int = ENTRY_BODY_BUDGET,
        max_entries: int = MAX_ENTRIES,
        use_text_index: bool = True,
    ) -> None:
        self.path = path if path is not None else paths.data_dir() / FILE_NAME
        self.total_budget = total_budget
        self.entry_body_budget = entry_body_budget
        self.max_entries = max_entries
        #: what the user should be told (a corrupt file moved aside)
        self.notices: list[str] = []
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.RLock()
        self._connections_lock = threading.Lock()
        #: connections of an older generation (before a recovery) are not used again
        self._generation = 0
        self._opened = False
        #: the trigram index exists (``_ensure_text_index``)
        self._text_index = False
        #: text filters go through it (False: every entry is read, as without FTS5)
        self.use_text_index = use_text_index

    # ------------------------------------------------------------ connections

    def open(self) -> None:
        """Create or check the database (blocking: call it from a worker).  A file
        that is no readable database is moved aside and a new one made."""
        with self._lock:
            if self._opened:
                return
            try:
                paths.ensure_dir(self.path.parent)
                try:
                    self._prepare()
                except sqlite3.DatabaseError as exc:
                    if not _is_corrupt(exc):
                        raise HistoryUnavailable(f"The history could not be opened: {exc}") from exc
                    self._start_again(exc)
            except OSError as exc:
                raise HistoryUnavailable(
                    f"The history cannot be kept in {self.path.parent}: {exc.strerror or exc}"
                ) from exc
            self._opened = True

    def _start_again(self, exc: BaseException) -> None:
        """Move the unreadable file aside and make a new database (lock held)."""
        self._close_all()
        aside = self._move_aside()
        self.notices.append(
            f"The history database could not be read ({exc}); it was moved to "
            f"{aside} and a new history started."
        )
        try:
            self._prepare()
        except sqlite3.Error as again:
            raise HistoryUnavailable(f"The history could not be started: {again}") from again

    def recover(self, exc: BaseException) -> None:
        """A query found the file damaged: move it aside and start a new history."""
        with self._lock:
            self._start_again(exc)
            self._opened = True

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    def _prepare(self) -> None:
        # made owner-only before SQLite opens it: its -wal and -shm files take its mode
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, paths.PRIVATE_FILE_MODE))
        connection = self._connection(check=False)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"written by a newer Courier (schema {version}, this one knows {SCHEMA_VERSION})"
            )
        connection.execute("PRAGMA journal_mode=WAL")
        if version == 0:
            connection.executescript(
                f"BEGIN;{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;"
            )
        # later versions migrate here, one step at a time (``if version < 2: ...``)
        connection.execute("SELECT bytes FROM usage WHERE id = 1").fetchone()
        self._text_index = self._ensure_text_index(connection)
        with contextlib.suppress(OSError):
            os.chmod(self.path, paths.PRIVATE_FILE_MODE)

    @staticmethod
    def _ensure_text_index(connection: sqlite3.Connection) -> bool:
        """The trigram index, made if this SQLite can (a database made by one that
        could not gets it the first time one that can opens it)."""
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'entries_text'"
        ).fetchone()
        if found:
            return True
        try:
            connection.executescript(f"BEGIN;{_TEXT_INDEX}{_TEXT_OUT_TRIGGER};COMMIT;")
        except sqlite3.OperationalError:  # no FTS5, or no trigram tokenizer
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            return False
        return True

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        if self.path.exists():
            os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + suffix))
        return aside

    def _connection(self, check: bool = True) -> sqlite3.Connection:
        if check and not self._opened:
            self.open()
        mine: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if mine is not None and mine[0] == self._generation:
            return mine[1]
        try:
            connection = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError:
            raise
        except sqlite3.Error as exc:
            raise HistoryUnavailable(f"The history could not be opened: {exc}") from exc
        self._local.connection = (self._generation, connection)
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    def _close_all(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    connection.close()
            self._connections.clear()
            self._generation += 1

    def close(self) -> None:
        """Close every connection (each thread's); the WAL is checkpointed."""
        with self._lock:
            self._close_all()
            self._opened = False

    # ------------------------------------------------------------------ writing

    @_recovering
    def add(self, record: HistoryRecord) -> HistoryEntry:
        """Write one exchange, then prune past the budgets; returns its row."""
        connection = self._connection()
        body, body_state = record.body, record.body_state
        if body is not None and len(body) > self.entry_body_budget:
            body, body_state = None, BodyState.OVER_BUDGET
        detail = json.dumps(record.detail, ensure_ascii=False, separators=(",", ":"))
        with _transaction(connection):
            cursor = connection.execute(
                "INSERT INTO entries (at, method, url, name, collection_name, status,"
                " status_class, reason, state, size, duration_s, error, body_state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.at,
                    record.method,
                    record.url,
                    record.name,
                    record.collection_name,
                    record.status,
                    record.status // 100,
                    record.reason,
                    record.state,
                    record.size,
                    record.duration_s,
                    record.error,
                    body_state.value,
                ),
            )
            entry_id = int(cursor.lastrowid or 0)
            connection.execute(
                "INSERT INTO details (entry_id, data) VALUES (?, ?)", (entry_id, detail)
            )
            if body is not None:
                connection.execute(
                    "INSERT INTO bodies (entry_id, data) VALUES (?, ?)", (entry_id, body)
                )
        self.prune()
        return HistoryEntry(
            id=entry_id,
            at=record.at,
            method=record.method,
            url=record.url,
            name=record.name,
            collection_name=record.collection_name,
            status=record.status,
            reason=record.reason,
            state=record.state,
            size=record.size,
            duration_s=record.duration_s,
            error=record.error,
        )

    @_recovering
    def used_bytes(self) -> int:
        row = self._connection().execute("SELECT bytes FROM usage WHERE id = 1").fetchone()
        return int(row[0])

    @_recovering
    def prune(self) -> int:
        """Drop the oldest bodies, then the oldest entries, until both budgets hold;
        returns how many bodies and entries went."""
        connection = self._connection()
        gone = 0
        while self.used_bytes() > self.total_budget:
            with _transaction(connection):
                ids = [
                    row[0]
                    for row in connection.execute(
                        "SELECT entry_id FROM bodies ORDER BY entry_id LIMIT ?", (PRUNE_BATCH,)
                    )
                ]
                if not ids:
                    break
                # one by one from the oldest, so no more than needed goes
                for entry_id in ids:
                    connection.execute("DELETE FROM bodies WHERE entry_id = ?", (entry_id,))
                    connection.execute(
                        "UPDATE entries SET body_state = ? WHERE id = ?",
                        (BodyState.PRUNED.value, entry_id),
                    )
                    gone += 1
                    if self._bytes(connection) <= self.total_budget:
                        break
        while self.used_bytes() > self.total_budget or self._entries() > self.max_entries:
            excess = max(self._entries() - self.max_entries, 1)
            with _transaction(connection):
                deleted = connection.execute(
                    "DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY id LIMIT ?)",
                    (min(excess, PRUNE_BATCH),),
                ).rowcount
            if not deleted:
                break
            gone += deleted
        return gone

    def _entries(self) -> int:
        """How many entries there are (kept by triggers: no scan)."""
        row = self._connection().execute("SELECT entries FROM usage WHERE id = 1").fetchone()
        return int(row[0])

    @staticmethod
    def _bytes(connection: sqlite3.Connection) -> int:
        return int(connection.execute("SELECT bytes FROM usage WHERE id = 1").fetchone()[0])

    @_recovering
    def delete(self, entry_id: int) -> bool:
        connection = self._connection()
        with _transaction(connection):
            return connection.execute("DELETE FROM entries WHERE id = ?", (entry_id,)).rowcount > 0

    @_recovering
    def clear(self) -> None:
        """Delete every entry and give the space back (VACUUM)."""
        connection = self._connection()
        with _transaction(connection):
            if self._text_index:  # emptied at once, not entry by entry
                connection.execute("DROP TRIGGER entries_text_out")
            connection.execute("DELETE FROM entries")
            if self._text_index:
                connection.execute("INSERT INTO entries_text (entries_text) VALUES ('delete-all')")
                connection.execute(_TEXT_OUT_TRIGGER)
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ------------------------------------------------------------------ reading

    @_recovering
    def has_text_index(self) -> bool:
        self._connection()
        return self._text_index

    def count(self, query: HistoryQuery | None = None) -> int:
        if query is None or query == HistoryQuery():
            return self._entries()
        found = self._text_matches(query)
        if found is not None and found < RARE_TEXT:
            if not query.methods and not query.status_classes:
                return found  # every entry with the text, counted by the index
            filters, args = _filters(query, "entries.")
            row = (
                self._connection()
                .execute(
                    "SELECT count(*) FROM entries_text JOIN entries"
                    " ON entries.id = entries_text.rowid"
                    f" WHERE entries_text MATCH ?{filters}",
                    (_phrase(query.text), *args),
                )
                .fetchone()
            )
            return int(row[0])
        # a common text: reading the entries is quicker than the index's every match
        where, args = _where(query)
        row = self._connection().execute(f"SELECT count(*) FROM entries{where}", args).fetchone()
        return int(row[0])

    def _text_matches(self, query: HistoryQuery) -> int | None:
        """How many entries the trigram index finds for ``query``'s text, counted up to
        ``RARE_TEXT`` (None: no index, or a text too short for it)."""
        if not (self._text_index and self.use_text_index):
            return None
        if len(query.text.strip()) < TRIGRAM:
            return None
        row = (
            self._connection()
            .execute(
                "SELECT count(*) FROM (SELECT rowid FROM entries_text WHERE entries_text MATCH ?"
                " LIMIT ?)",
                (_phrase(query.text), RARE_TEXT),
            )
            .fetchone()
        )
        return int(row[0])

    def _indexed(self, query: HistoryQuery) -> bool:
        """Does the trigram index list ``query``'s entries best?  For a text alone,
        always (newest first, it stops after a page); with a method or status filter
        too, only when few entries have the text (checking many entries the text
        matches is slower than reading those of the method or status by their index)."""
        if not (self._text_index and self.use_text_index):
            return False
        if len(query.text.strip()) < TRIGRAM:
            return False
        if not query.methods and not query.status_classes:
            return True
        found = self._text_matches(query)
        return found is not None and found < RARE_TEXT

    @_recovering
    def entries(
        self, query: HistoryQuery | None = None, *, before: int | None = None, limit: int = 200
    ) -> list[HistoryEntry]:
        """Newest first: up to ``limit`` entries matching ``query`` older than the
        entry ``before`` (paging by key, so page 500 is as quick as page 1)."""
        query = query or HistoryQuery()
        if self._indexed(query):
            columns = ", ".join(f"entries.{name.strip()}" for name in _SUMMARY.split(","))
            filters, args = _filters(query, "entries.")
            older = " AND entries_text.rowid < ?" if before is not None else ""
            rows = self._connection().execute(
                f"SELECT {columns} FROM entries_text JOIN entries"
                " ON entries.id = entries_text.rowid"
                f" WHERE entries_text MATCH ?{older}{filters}"
                " ORDER BY entries_text.rowid DESC LIMIT ?",
                (_phrase(query.text), *(() if before is None else (before,)), *args, limit),
            )
            return [HistoryEntry(*row) for row in rows]
        where, args = _where(query, before)
        rows = self._connection().execute(
            f"SELECT {_SUMMARY} FROM entries{where} ORDER BY id DESC LIMIT ?", (*args, limit)
        )
        return [HistoryEntry(*row) for row in rows]

    @_recovering
    def get(self, entry_id: int) -> HistoryDetail | None:
        connection = self._connection()
        row = connection.execute(
            f"SELECT {_SUMMARY}, body_state FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            return None
        detail_row = connection.execute(
            "SELECT data FROM details WHERE entry_id = ?", (entry_id,)
        ).fetchone()
        body_row = connection.execute(
            "SELECT data FROM bodies WHERE entry_id = ?", (entry_id,)
        ).fetchone()
        detail: dict[str, Any] = json.loads(detail_row[0]) if detail_row else {}
        return HistoryDetail(
            entry=HistoryEntry(*row[:-1]),
            detail=detail,
            body=bytes(body_row[0]) if body_row else None,
            body_state=BodyState(row[-1]),
        )


def _phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: found as a substring by the trigram index."""
    return '"' + text.strip().replace('"', '""') + '"'


def _filters(query: HistoryQuery, table: str = "") -> tuple[str, tuple[Any, ...]]:
    """`` AND ...`` clauses for the method and status filters (``table``: "entries.")."""
    clauses: list[str] = []
    args: list[Any] = []
    if query.methods:
        marks = ", ".join("?" * len(query.methods))
        clauses.append(f"{table}method IN ({marks})")
        args.extend(sorted(query.methods))
    if query.status_classes:
        marks = ", ".join("?" * len(query.status_classes))
        clauses.append(f"{table}status_class IN ({marks})")
        args.extend(sorted(query.status_classes))
    return "".join(f" AND {clause}" for clause in clauses), tuple(args)


def _where(query: HistoryQuery, before: int | None = None) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause of a scan: every entry read, the text matched with LIKE."""
    clauses: list[str] = ["1"]
    args: list[Any] = []
    if before is not None:
        clauses.append("id < ?")
        args.append(before)
    text = query.text.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(url LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')")
        args.extend((pattern, pattern))
    filters, filter_args = _filters(query)
    return " WHERE " + " AND ".join(clauses) + filters, (*args, *filter_args)


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Is this SQLite's way of saying the file is damaged or no database at all?"""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return any(
            words in text
            for words in ("malformed", "not a database", "no such table", "newer courier")
        )
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
    )


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
