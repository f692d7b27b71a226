"""The history database (Qt-free): filters and paging, the budgets and their pruning,
delete and clear, a damaged file moved aside, the schema's version."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from app.session import history_store
from app.session.history_record import BodyState, HistoryRecord
from app.session.history_store import (
    SCHEMA_VERSION,
    HistoryQuery,
    HistoryStore,
)


def record(
    number: int,
    *,
    method: str = "GET",
    status: int = 200,
    body: bytes | None = None,
    at: float | None = None,
    name: str = "",
) -> HistoryRecord:
    return HistoryRecord(
        at=at if at is not None else time.time(),
        method=method,
        url=f"http://127.0.0.1:9/items/{number}",
        name=name,
        collection_name="",
        status=status,
        reason="",
        state="done" if status else "failed",
        size=len(body or b""),
        duration_s=0.01,
        error="" if status else "Connection refused",
        detail={"number": number},
        body=body,
        body_state=BodyState.KEPT if body is not None else BodyState.NONE,
    )


def states(store: HistoryStore) -> dict[int, BodyState]:
    found = (store.get(e.id) for e in store.entries(limit=1000))
    return {d.entry.id: d.body_state for d in found if d is not None}


def on_disk(path: Path) -> int:
    """The database's bytes on disk, its write-ahead log included."""
    files = (path, path.with_name(path.name + "-wal"))
    return sum(f.stat().st_size for f in files if f.exists())


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    history = HistoryStore(tmp_path / "history.sqlite3")
    yield history
    history.close()


def test_filters_by_text_method_and_status_class_newest_first(store: HistoryStore) -> None:
    store.add(record(1, method="GET", status=200, name="List users"))
    store.add(record(2, method="POST", status=201))
    store.add(record(3, method="GET", status=404))
    store.add(record(4, method="DELETE", status=0))
    store.add(record(5, method="GET", status=503, name="Health"))

    def urls(query: HistoryQuery) -> list[str]:
        return [e.url.rsplit("/", 1)[1] for e in store.entries(query)]

    assert urls(HistoryQuery()) == ["5", "4", "3", "2", "1"]
    assert urls(HistoryQuery(methods=frozenset({"GET"}))) == ["5", "3", "1"]
    assert urls(HistoryQuery(status_classes=frozenset({4, 5}))) == ["5", "3"]
    assert urls(HistoryQuery(status_classes=frozenset({0}))) == ["4"], "no response"
    assert urls(HistoryQuery(text="users")) == ["1"], "by name"
    assert urls(HistoryQuery(text="ITEMS/2")) == ["2"], "by URL, any case"
    assert urls(HistoryQuery(text="health", methods=frozenset({"GET"}))) == ["5"]
    assert urls(HistoryQuery(text="%")) == [], "LIKE's wildcards are plain characters"
    assert store.count(HistoryQuery(methods=frozenset({"GET"}))) == 3


def test_pages_follow_each_other_by_key(store: HistoryStore) -> None:
    for number in range(1, 26):
        store.add(record(number))
    first = store.entries(limit=10)
    second = store.entries(before=first[-1].id, limit=10)
    third = store.entries(before=second[-1].id, limit=10)
    ids = [e.id for e in first + second + third]
    assert ids == list(range(25, 0, -1))


def test_a_body_over_the_entry_budget_is_not_kept(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", entry_body_budget=100)
    small = store.add(record(1, body=b"x" * 100))
    large = store.add(record(2, body=b"y" * 101))
    kept, dropped = store.get(small.id), store.get(large.id)
    assert kept is not None
    assert dropped is not None
    assert kept.body == b"x" * 100
    assert kept.body_state is BodyState.KEPT
    assert dropped.body is None
    assert dropped.body_state is BodyState.OVER_BUDGET
    store.close()


def test_past_the_total_budget_the_oldest_bodies_go_first_then_entries(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", total_budget=10_000)
    for number in range(1, 6):
        store.add(record(number, body=bytes([number]) * 1500))
    assert store.used_bytes() <= 10_000
    assert states(store) == {i: BodyState.KEPT for i in range(1, 6)}, "all fit"

    for number in range(6, 9):  # 8 x ~1.5 kB > 10 kB: the oldest bodies go
        store.add(record(number, body=bytes([number]) * 1500))
    assert store.used_bytes() <= 10_000
    kept = [i for i, state in states(store).items() if state is BodyState.KEPT]
    pruned = [i for i, state in states(store).items() if state is BodyState.PRUNED]
    assert pruned
    assert max(pruned) < min(kept), (pruned, kept)
    assert kept[0] == 8
    assert store.get(8).body == bytes([8]) * 1500
    assert store.count() == 8, "entries stay while dropping bodies is enough"

    # details alone past the budget: the oldest entries go
    tight = HistoryStore(tmp_path / "t.sqlite3", total_budget=400)
    for number in range(1, 40):
        tight.add(record(number))
    assert tight.used_bytes() <= 400
    ids = [e.id for e in tight.entries(limit=1000)]
    assert ids == list(range(39, 39 - len(ids), -1)), "the newest stay"
    assert len(ids) < 39
    store.close()
    tight.close()


def test_past_the_entry_limit_the_oldest_entries_go(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", max_entries=5)
    for number in range(1, 9):
        store.add(record(number))
    assert [e.id for e in store.entries()] == [8, 7, 6, 5, 4]
    store.close()


def test_delete_one_and_clear_all_gives_the_space_back(store: HistoryStore) -> None:
    for number in range(1, 41):
        store.add(record(number, body=b"z" * 50_000))
    assert store.delete(7)
    assert not store.delete(7), "already gone"
    assert store.get(7) is None
    assert store.count() == 39
    size_before = on_disk(store.path)
    assert size_before > 39 * 50_000
    store.clear()
    assert store.count() == 0
    assert store.entries() == []
    assert store.used_bytes() == 0
    assert on_disk(store.path) < size_before // 10, "VACUUM gave the space back"
    assert store.add(record(99)).id > 0, "and it goes on recording"


def test_the_database_is_owner_only_wal_and_versioned(store: HistoryStore) -> None:
    store.add(record(1))
    assert store.path.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_no_database_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not SQLite at all\n" * 200)
    store = HistoryStore(path)
    assert store.entries() == []
    store.add(record(1))
    assert store.count() == 1
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not SQLite")
    notices = store.take_notices()
    assert len(notices) == 1
    assert str(aside[0]) in notices[0]
    store.close()


def test_a_database_damaged_later_is_moved_aside_at_the_next_query(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    for number in range(1, 200):
        store.add(record(number, body=b"q" * 3000))
    store.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8192
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first overwritten
    path.write_bytes(bytes(data))
    reopened = HistoryStore(path)
    assert reopened.entries() == [], "a fresh history, no crash"
    reopened.add(record(1))
    assert reopened.count() == 1
    assert any(p.name.startswith("history.sqlite3.corrupt-") for p in tmp_path.iterdir())
    assert reopened.take_notices()
    reopened.close()


def test_a_database_of_a_newer_courier_is_kept_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store = HistoryStore(path)
    assert store.count() == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(aside) == 1
    with sqlite3.connect(aside[0]) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert "newer Courier" in store.take_notices()[0]
    store.close()


@pytest.mark.parametrize("rare_text", [2000, 3], ids=["rare", "common"])
def test_the_text_index_finds_what_a_scan_finds_and_follows_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rare_text: int
) -> None:
    # with a method or status filter, a text more entries than RARE_TEXT have is
    # matched on the filtered entries instead: both ways give the same answers
    monkeypatch.setattr(history_store, "RARE_TEXT", rare_text)
    store = HistoryStore(tmp_path / "h.sqlite3", max_entries=40)
    if not store.has_text_index():
        pytest.skip(f"this SQLite ({sqlite3.sqlite_version}) has no FTS5 trigram tokenizer")
    names = ["List users", "Create user", "", "Health check", "Ünïcode naïve"]
    methods, statuses = ("GET", "POST", "DELETE"), (200, 404, 500, 0)
    for number in range(1, 61):  # 20 pruned by the entry limit
        method, status = methods[number % 3], statuses[number % 4]
        store.add(record(number, name=names[number % len(names)], method=method, status=status))
    store.delete(45)
    assert store.count() == 39
    texts = [
        "user",
        "USERS",
        "items/5",
        "items/4",
        "items/1",
        "health",
        "naïve",
        '"q"',
        "zz",
        "s/4",
    ]
    queries = [HistoryQuery(text=t) for t in texts]
    queries += [
        HistoryQuery(text=t, methods=frozenset(m), status_classes=frozenset(c))
        for t in ("items", "user", "items/4", "s/5")
        for m, c in ((("GET",), ()), ((), (4, 5)), (("POST", "DELETE"), (2,)))
    ]
    with_index = {q: [e.id for e in store.entries(q, limit=1000)] for q in queries}
    counts = {q: store.count(q) for q in queries}
    pages = []
    before = None
    while page := store.entries(HistoryQuery(text="items"), before=before, limit=7):
        pages.extend(e.id for e in page)
        before = page[-1].id

    scan = HistoryStore(store.path, use_text_index=False)  # reads every entry
    for query in queries:
        scanned = [e.id for e in scan.entries(query, limit=1000)]
        assert with_index[query] == scanned, query
        assert counts[query] == len(scanned), query
    assert pages == [e.id for e in scan.entries(HistoryQuery(text="items"), limit=1000)]
    scan.close()
    assert with_index[HistoryQuery(text="items/5")] == list(range(59, 49, -1)), "5 was pruned"
    assert with_index[HistoryQuery(text="items/4")] == [49, 48, 47, 46, 44, 43, 42, 41, 40]
    assert sum(map(len, with_index.values())) > 100, "the queries find entries"
    assert all(i > 20 for ids in with_index.values() for i in ids), "pruned entries are gone"
    store.clear()
    assert store.entries(HistoryQuery(text="items")) == []
    store.add(record(7, name="After clear"))
    assert [e.name for e in store.entries(HistoryQuery(text="after"))] == ["After clear"]
    store.close()
