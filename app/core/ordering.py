"""The order of a directory's entries: the user's, kept in its settings file.

A collection or folder may list its entries in ``order:`` (collection.yaml,
folder.yaml) by their names on disk: a folder's directory name (``users``), a
request's file name (``login.request.yaml``).  Loading puts the listed entries
first, in that order; entries the list does not name (a file added by git, or
a folder whose file names no order at all) follow in natural order.  A
reorder or move rewrites that one list; the request files are left alone.

The sidebar shows folders before requests, so the two kinds are ordered each
among their own; the list may mix them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from app.core.model import Collection, Folder, Request
from app.core.slugs import natural_key

#: the key of collection.yaml / folder.yaml that holds the order
ORDER_KEY = "order"


class _Entry(Protocol):
    name: str
    path: Path | None


_E = TypeVar("_E", bound=_Entry)


def entry_name(item: Folder | Request) -> str | None:
    """The name ``order:`` knows ``item`` by (None: it has no file yet)."""
    return item.path.name if item.path is not None else None


def sort_entries(order: list[str] | None, items: list[_E]) -> None:
    """Sort ``items`` (in natural order already) as ``order`` lists them, in place;
    the unlisted keep their natural order after the listed ones."""
    if not order or not items:
        return
    position = {name: i for i, name in enumerate(order)}
    end = len(position)
    items.sort(key=lambda item: position.get(item.path.name if item.path else "", end))


def apply_order(container: Collection | Folder) -> None:
    """Put ``container``'s folders and requests in its ``order`` (after a load)."""
    sort_entries(container.order, container.folders)
    sort_entries(container.order, container.requests)


def insert_entry(order: list[str] | None, items: list[_E], item: _E) -> None:
    """Insert ``item`` (found on disk, not by Courier) where it belongs: at its place
    in ``order`` if listed, else at the end; with no order at all, in natural order."""
    name = item.path.name if item.path is not None else None
    if order is None:
        key = natural_key(item.name)
        for i, existing in enumerate(items):
            if natural_key(existing.name) > key:
                items.insert(i, item)
                return
        items.append(item)
        return
    position = {n: i for i, n in enumerate(order)}
    end = len(position)
    mine = position.get(name or "", end)
    if mine == end:
        items.append(item)
        return
    for i, existing in enumerate(items):
        if position.get(existing.path.name if existing.path else "", end) > mine:
            items.insert(i, item)
            return
    items.append(item)


def shown_order(container: Collection | Folder) -> list[str]:
    """The entry names as the sidebar shows them: folders, then requests."""
    items: list[Folder | Request] = [*container.folders, *container.requests]
    return [item.path.name for item in items if item.path is not None]


def order_to_keep(container: Collection | Folder, directory: Path) -> list[str]:
    """What ``order:`` should say now: the shown order, then the names the old list
    gives that still exist on disk but are not shown (a file that failed to load
    keeps its place in the file until it can be read again)."""
    shown = shown_order(container)
    kept = set(shown)
    return [*shown, *_unshown_still_there(container.order or (), kept, directory)]


def _unshown_still_there(old: Iterable[str], shown: set[str], directory: Path) -> list[str]:
    return [
        name
        for name in old
        if name not in shown
        and name not in (".", "..")
        and "/" not in name
        and os.path.lexists(directory / name)
    ]
