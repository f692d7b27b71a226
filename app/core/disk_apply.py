"""Bringing an open collection's model in line with what ``disk_scan`` read.

Runs on the GUI thread and stays quick: no reading, one ``stat`` per change to
check the file is still what the worker read (if Courier saved it since, a
newer event is on its way and this one is dropped, so a slow scan never puts
an older version back).  Objects are updated in place, so the sidebar and an
open editor keep pointing at them; the result says which nodes and items
changed, for the services to announce.

A request that ``is_held`` (an editor has unsaved edits of it) is never
changed or removed here: it becomes a ``DiskConflict`` for the window to ask
about.  Secret values are not in the files: a changed object keeps the values
of the slots it still names (the keychain fills new ones, in the worker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from app.core import ordering, secret_slots
from app.core.disk_scan import (
    CollectionSettingsOnDisk,
    DiskChanges,
    EnvironmentOnDisk,
    FileIdentity,
    FolderOnDisk,
    FolderSettingsOnDisk,
    RequestOnDisk,
    current_identity,
)
from app.core.model import Collection, Environment, Folder, LoadProblem, Request
from app.core.slugs import natural_key

IsHeld = Callable[[Request], bool]
Container = Collection | Folder

REQUEST_FIELDS = (
    "name",
    "method",
    "url",
    "params",
    "headers",
    "body",
    "notes",
    "auth",
    "settings",
    "disabled_inherited_headers",
)
FOLDER_SETTINGS_FIELDS = ("name", "headers", "variables", "notes", "auth", "settings")
COLLECTION_SETTINGS_FIELDS = (
    "name",
    "base_url",
    "headers",
    "variables",
    "notes",
    "auth",
    "settings",
)


@dataclass(slots=True)
class DiskConflict:
    """An editor holds unsaved edits of ``request`` and its file changed outside.

    ``fresh`` is the file's version (None: the file was removed); the model
    keeps the version Courier read until the user chooses.
    """

    collection: Collection
    request: Request
    fresh: Request | None
    text: str = ""


@dataclass(slots=True)
class AppliedChanges:
    """What ``apply`` changed, for the services to announce (each node once)."""

    trees: list[Container] = field(default_factory=list)
    items: list[Collection | Folder | Request] = field(default_factory=list)
    environments: bool = False
    conflicts: list[DiskConflict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.trees or self.items or self.environments or self.conflicts)

    def tree(self, node: Container) -> None:
        if not any(n is node for n in self.trees):
            self.trees.append(node)

    def item(self, obj: Collection | Folder | Request) -> None:
        if not any(o is obj for o in self.items):
            self.items.append(obj)


class _Named(Protocol):
    name: str


_N = TypeVar("_N", bound=_Named)


def _insert_sorted(items: list[_N], item: _N) -> None:
    """Insert in the sidebar's natural order (as the loader sorts)."""
    key = natural_key(item.name)
    for i, existing in enumerate(items):
        if natural_key(existing.name) > key:
            items.insert(i, item)
            return
    items.append(item)


def _moved(before: Sequence[object], after: Sequence[object]) -> bool:
    return any(a is not b for a, b in zip(before, after, strict=True))


def _carry_secrets(old: list[secret_slots.SecretSlot], new: list[secret_slots.SecretSlot]) -> None:
    """Secret values live in the keychain, not the file: keep the ones still named."""
    values = {slot.key: slot.get() for slot in old if slot.get()}
    for slot in new:
        if not slot.get() and slot.key in values:
            slot.set(values[slot.key])


def _still(path: Path, identity: FileIdentity | None) -> bool:
    """Is the file what the worker read (None: it was missing and still is)?"""
    return current_identity(path) == identity


def _fields_equal(a: object, b: object, names: tuple[str, ...]) -> bool:
    return all(getattr(a, n) == getattr(b, n) for n in names)


def _copy_fields(target: object, source: object, names: tuple[str, ...]) -> None:
    for name in names:
        setattr(target, name, getattr(source, name))


class _ModelIndex:
    """Where each file's object sits in the model, by path."""

    def __init__(self, collection: Collection) -> None:
        assert collection.path is not None
        self.containers: dict[Path, Container] = {collection.path: collection}
        self.requests: dict[Path, tuple[Request, Container]] = {}
        self.folders: dict[Path, tuple[Folder, Container]] = {}
        self._walk(collection, collection.folders, collection.requests)

    def _walk(self, parent: Container, folders: list[Folder], requests: list[Request]) -> None:
        for request in requests:
            if request.path is not None:
                self.requests[request.path] = (request, parent)
        for folder in folders:
            if folder.path is not None:
                self.containers[folder.path] = folder
                self.folders[folder.path] = (folder, parent)
            self._walk(folder, folder.folders, folder.requests)


def _held_inside(folder: Folder, is_held: IsHeld) -> list[Request]:
    held = [r for r in folder.requests if is_held(r)]
    for sub in folder.folders:
        held.extend(_held_inside(sub, is_held))
    return held


class _Apply:
    def __init__(self, collection: Collection, is_held: IsHeld) -> None:
        self.collection = collection
        self.is_held = is_held
        self.out = AppliedChanges()
        self.index = _ModelIndex(collection)

    # -- problems

    def clear_problem(self, path: Path) -> None:
        problems = self.collection.problems
        kept = [p for p in problems if p.path != path]
        if len(kept) != len(problems):
            problems[:] = kept
            self.out.tree(self.collection)

    def report_problem(self, problem: LoadProblem) -> None:
        problems = self.collection.problems
        for i, existing in enumerate(problems):
            if existing.path == problem.path:
                if existing.reason != problem.reason:
                    problems[i] = problem
                    self.out.tree(self.collection)
                return
        problems.append(problem)
        self.out.tree(self.collection)

    # -- folders

    def folder(self, change: FolderOnDisk) -> None:
        if change.folder is not None:
            parent = self.index.containers.get(change.path.parent)
            if parent is None or change.path in self.index.folders or not change.path.is_dir():
                return
            ordering.insert_entry(parent.order, parent.folders, change.folder)
            self.out.tree(parent)
            return
        found = self.index.folders.get(change.path)
        if found is None or change.path.exists():
            return
        folder, parent = found
        held = _held_inside(folder, self.is_held)
        if held:  # the draft stays, with its folder, until the user leaves it
            for request in held:
                self.out.conflicts.append(DiskConflict(self.collection, request, None))
            return
        parent.folders[:] = [f for f in parent.folders if f is not folder]
        self.out.tree(parent)
        prefix = change.path
        for problem in list(self.collection.problems):
            if prefix in problem.path.parents:
                self.clear_problem(problem.path)

    def folder_settings(self, change: FolderSettingsOnDisk) -> None:
        found = self.index.folders.get(change.path)
        if found is None:
            return
        folder, _parent = found
        meta = change.path / "folder.yaml"
        if not _still(meta, change.identity):
            return
        fresh = change.settings
        _carry_secrets(
            secret_slots.folder_slots(self.collection, folder),
            secret_slots.folder_slots(self.collection, fresh),
        )
        self.clear_problem(meta)
        folder.disk = change.stamp
        if not _fields_equal(folder, fresh, FOLDER_SETTINGS_FIELDS):
            _copy_fields(folder, fresh, FOLDER_SETTINGS_FIELDS)
            self.out.item(folder)
        self._adopt_order(folder, fresh.order)

    # -- requests

    def request(self, change: RequestOnDisk) -> None:
        found = self.index.requests.get(change.path)
        fresh = change.request
        if fresh is None:
            if found is None or change.path.exists():
                return
            request, parent = found
            if self.is_held(request):
                self.out.conflicts.append(DiskConflict(self.collection, request, None))
                return
            parent.requests[:] = [r for r in parent.requests if r is not request]
            self.out.tree(parent)
            return
        if not _still(change.path, change.identity):
            return
        self.clear_problem(change.path)
        if found is None:
            container = self.index.containers.get(change.path.parent)
            if container is None:
                return
            ordering.insert_entry(container.order, container.requests, fresh)
            self.index.requests[change.path] = (fresh, container)
            self.out.tree(container)
            return
        request, _parent = found
        _carry_secrets(
            secret_slots.request_slots(self.collection, request),
            secret_slots.request_slots(self.collection, fresh),
        )
        if fresh == request:  # the same content (Courier's own save, a touch)
            request.disk = change.stamp
            return
        if self.is_held(request):
            self.out.conflicts.append(DiskConflict(self.collection, request, fresh, change.text))
            return
        _copy_fields(request, fresh, REQUEST_FIELDS)
        request.disk = change.stamp
        self.out.item(request)

    # -- environments and the collection's own settings

    def environment(self, change: EnvironmentOnDisk) -> None:
        environments = self.collection.environments
        existing = next((e for e in environments if e.path == change.path), None)
        fresh = change.environment
        if fresh is None:
            if existing is not None and not change.path.exists():
                environments[:] = [e for e in environments if e is not existing]
                self.out.environments = True
            return
        if not _still(change.path, change.identity):
            return
        self.clear_problem(change.path)
        if existing is None:
            _insert_sorted(environments, fresh)
            self.out.environments = True
            return
        _carry_secrets(self._environment_slots(existing), self._environment_slots(fresh))
        existing.disk = change.stamp
        if (existing.name, existing.variables) != (fresh.name, fresh.variables):
            existing.name, existing.variables = fresh.name, fresh.variables
            self.out.environments = True

    def _environment_slots(self, environment: Environment) -> list[secret_slots.SecretSlot]:
        shell = Collection(name="", id=self.collection.id, environments=[environment])
        return secret_slots.environment_slots(shell)

    def collection_settings(self, change: CollectionSettingsOnDisk) -> None:
        collection = self.collection
        assert collection.path is not None
        meta = collection.path / "collection.yaml"
        if not _still(meta, change.identity):
            return
        fresh = change.settings
        fresh.id = collection.id  # secrets and the client pool are keyed by it
        _carry_secrets(
            secret_slots.collection_slots(collection), secret_slots.collection_slots(fresh)
        )
        self.clear_problem(meta)
        collection.disk = change.stamp
        if not _fields_equal(collection, fresh, COLLECTION_SETTINGS_FIELDS):
            _copy_fields(collection, fresh, COLLECTION_SETTINGS_FIELDS)
            self.out.item(collection)
        self._adopt_order(collection, fresh.order)

    def _adopt_order(self, container: Container, order: list[str] | None) -> None:
        """A settings file's ``order:`` changed on disk (a git pull): the rows follow."""
        if order == container.order:
            return
        container.order = order
        folders, requests = [*container.folders], [*container.requests]
        ordering.apply_order(container)
        if _moved(folders, container.folders) or _moved(requests, container.requests):
            self.out.tree(container)


def apply(collection: Collection, changes: DiskChanges, is_held: IsHeld) -> AppliedChanges:
    """Bring ``collection`` in line with ``changes`` (GUI thread); say what changed."""
    run = _Apply(collection, is_held)
    for path in changes.gone:
        run.clear_problem(path)
    for problem in changes.unreadable:
        run.report_problem(problem)
    for folder_change in changes.folders:
        run.folder(folder_change)
    if changes.folders:
        run.index = _ModelIndex(collection)
    for settings_change in changes.folder_settings:
        run.folder_settings(settings_change)
    for request_change in changes.requests:
        run.request(request_change)
    for environment_change in changes.environments:
        run.environment(environment_change)
    if changes.collection_settings is not None:
        run.collection_settings(changes.collection_settings)
    return run.out
