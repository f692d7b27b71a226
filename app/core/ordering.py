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

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from app.core import yamlio
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


_ORDER_LINE = re.compile(r"order:[ \t]*(#.*)?\n?")
_ITEM_LINE = re.compile(r"(- |  - )\S.*\n?")
#: names YAML reads back as the same text when written plain (no bool, null or number)
_PLAIN = re.compile(r"[a-z][a-z0-9_.-]*")
_NOT_PLAIN = frozenset({"yes", "no", "true", "false", "on", "off", "null"})


def _scalar(name: str) -> str:
    if _PLAIN.fullmatch(name) and name not in _NOT_PLAIN:
        return name
    return json.dumps(name)  # a JSON string is a YAML double-quoted scalar


def order_block(order: list[str]) -> str:
    """``order:`` as Courier writes it (the plain dumper's layout, built directly: a
    list of 10,000 names takes the dumper half a second)."""
    return f"{ORDER_KEY}:\n" + "".join(f"- {_scalar(name)}\n" for name in order)


def with_order_text(text: str, data: dict[str, Any], order: list[str]) -> str | None:
    """``text`` (a settings file, ``data`` what it parses to) with its ``order:`` block
    replaced by ``order``, or appended; None when the block is not the plain shape
    Courier writes (comments inside, flow style), for the round-trip merge to do.

    A long list rewritten by ruamel takes seconds; this is a text edit.  Replacing
    touches only the block's own lines (as many as the list had names); an
    appended block is checked by parsing the result: all but ``order`` reads as
    before.
    """
    block = order_block(order)
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(f"{ORDER_KEY}:")]
    if len(starts) > 1:
        return None
    if starts:
        start = starts[0]
        old = data.get(ORDER_KEY)
        if not _ORDER_LINE.fullmatch(lines[start]) or not isinstance(old, list):
            return None
        end = start + 1
        while end < len(lines) and _ITEM_LINE.fullmatch(lines[end]):
            end += 1
        if end - start - 1 != len(old) or (end < len(lines) and lines[end][:1] in " -\t"):
            return None  # more of the block, in a shape this edit does not know
        if not lines[end - 1].endswith("\n"):  # the file ended without one
            block = block[:-1]
        return "".join([*lines[:start], block, *lines[end:]])
    if ORDER_KEY in data:
        return None
    edited = (text if not text or text.endswith("\n") else text + "\n") + block
    try:
        parsed = yamlio.load(edited)
    except Exception:
        return None
    if not isinstance(parsed, dict) or parsed.get(ORDER_KEY) != order:
        return None
    if {k: v for k, v in parsed.items() if k != ORDER_KEY} != data:
        return None
    return edited
