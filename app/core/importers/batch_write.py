"""Put an ``Imported`` on disk in one batch: every file written, then one durable step.

A new collection is written into a hidden sibling directory
(``.<name>.importing-XXXX``), made durable with one filesystem sync, and renamed
into place: it appears whole or not at all.  An import into an existing
collection becomes one new top-level folder (named after what was imported,
holding its collection-level headers, variables and auth), written the same way
inside the collection's directory (hidden names are never loaded) and renamed
into place; its environments are added to ``environments/``.

Files are written with plain writes (no fsync each: 10,000 requests would take
minutes on some disks), request files by a few threads (``_Files``), in the exact
text ``app.core.codec`` writes, with the ``order:`` key giving the source's order,
so ``storage.load_collection`` reads back the same model.  Secrets go to
``store_secrets`` (the session's keychain) before anything is renamed into place:
a keychain that refuses leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from app.core import codec, ordering, secret_slots, storage, yamlio
from app.core.errors import StorageError, reason
from app.core.filestamp import stamp_of
from app.core.importers.imported import Imported
from app.core.model import Collection, Environment, FileStamp, Folder, Request, Variable
from app.core.secret_slots import SecretSlot
from app.core.slugs import slugify, unique_slug

#: called with the secrets of what is written, before it is renamed into place
StoreSecrets = Callable[[list[SecretSlot]], None]
#: threads creating request files
WRITERS = 8


class _Files:
    """Request files written by ``WRITERS`` threads while this one makes their YAML.

    Creating a file waits on the file system's journal (0.3-0.9 ms each on this
    machine kind, most of a 10,000-request import's 4-10 s); the threads overlap
    those waits.  ``finish`` sets each request's file stamp, or raises the first
    error."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="courier-import-write")
        self._pending: list[tuple[Request, Future[FileStamp]]] = []

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def write(self, request: Request, text: str) -> None:
        assert request.path is not None
        self._pending.append((request, self._pool.submit(_write_file, request.path, text)))

    def finish(self) -> None:
        pending, self._pending = self._pending, []
        for request, written in pending:
            request.disk = written.result()


def write_new_collection(
    imported: Imported, directory: Path, store_secrets: StoreSecrets | None = None
) -> Collection:
    """Write ``imported`` as a new collection in ``directory`` (absent or empty).

    Returns the collection with every path and file stamp set, as
    ``storage.load_collection`` would give it.
    """
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise StorageError(f"{directory} already exists and is not empty; choose another folder.")
    parent = directory.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.importing-", dir=parent))
    except OSError as exc:
        raise StorageError(f"Could not create {directory}: {reason(exc)}") from exc
    collection = imported.collection
    try:
        collection.path = staging
        with _Files() as files:
            _write_container(collection, staging, files, top_level=True)
            files.finish()
        collection.disk = _write_file(
            staging / storage.COLLECTION_FILE, _collection_text(collection)
        )
        _write_environments(collection, imported.environments, staging)
        _durable(staging)
        _retarget(collection, staging, directory)
        if store_secrets is not None:
            store_secrets(secret_slots.all_slots(collection))
        if directory.exists():
            directory.rmdir()  # empty: checked above
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        collection.path = None
        raise
    _sync_directory(parent)
    return collection


def write_into_collection(
    imported: Imported, collection: Collection, store_secrets: StoreSecrets | None = None
) -> Folder | None:
    """Add ``imported`` to the open ``collection`` as one new top-level folder.

    The imported collection's own headers, variables, auth and notes become
    the folder's; its base URL, which a folder cannot hold, becomes the
    folder variable ``baseUrl`` (reported).  Environments are added to the
    collection's.  Returns the new folder (None when only environments came).
    """
    root = _root(collection)
    source = imported.collection
    folder: Folder | None = None
    if source.requests or source.folders:
        folder = _as_folder(imported)
    staging = Path(tempfile.mkdtemp(prefix=".courier-import-", dir=root))
    environments: list[Environment] = []
    try:
        if folder is not None:
            final = root / unique_slug(
                slugify(folder.name), _names_in(root) | {storage.ENVIRONMENTS_DIR}
            )
            inside = staging / final.name
            inside.mkdir()
            folder.path = inside
            with _Files() as files:
                _write_container(folder, inside, files, top_level=False)
                files.finish()
            folder.disk = _write_file(inside / storage.FOLDER_FILE, _folder_text(folder))
        environments = _stage_environments(collection, imported.environments, staging)
        _durable(staging)
        if folder is not None:
            _retarget_folder(folder, staging, root)
        slots = secret_slots.environment_slots(_with(collection, environments))
        if folder is not None:
            slots += secret_slots.folder_slots(collection, folder, deep=True)
        if store_secrets is not None:
            store_secrets(slots)
        _place(staging, root, folder, environments)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    collection.environments.extend(environments)
    if folder is not None:
        collection.folders.append(folder)
        storage.keep_order(collection, None)
    return folder


# ------------------------------------------------------------------ the tree


def _write_container(
    container: Collection | Folder, directory: Path, files: _Files, *, top_level: bool
) -> None:
    """Write the folders and requests of ``container`` under ``directory`` (requests
    through ``files``) and set its ``order`` (the source's order); the container's own
    settings file is the caller's."""
    taken: set[str] = {storage.ENVIRONMENTS_DIR} if top_level else set()
    for folder in container.folders:
        name = unique_slug(slugify(folder.name), taken)
        taken.add(name)
        folder.path = directory / name
        folder.path.mkdir()
        _write_container(folder, folder.path, files, top_level=False)
        folder.disk = _write_file(folder.path / storage.FOLDER_FILE, _folder_text(folder))
    stems: set[str] = set()
    for request in container.requests:
        stem = unique_slug(slugify(request.name), stems)
        stems.add(stem)
        request.path = directory / (stem + storage.REQUEST_SUFFIX)
        files.write(request, codec.request_to_yaml(request))
    container.order = ordering.shown_order(container) or None


def _collection_text(collection: Collection) -> str:
    return _with_order(codec.collection_to_data(collection), collection.order)


def _folder_text(folder: Folder) -> str:
    return _with_order(codec.folder_to_data(folder), folder.order)


def _with_order(data: dict[str, object], order: list[str] | None) -> str:
    """The file's text; a long ``order:`` is appended as text (dumping 10,000 names
    through YAML takes long), the same text the dumper would give."""
    data.pop(ordering.ORDER_KEY, None)
    text = yamlio.dump(data)
    return text + ordering.order_block(order) if order else text


def _write_file(path: Path, text: str) -> FileStamp:
    """Plain write, no fsync (the batch is made durable once, at the end)."""
    data = text.encode("utf-8")
    with open(path, "xb") as handle:
        handle.write(data)
        stat = os.fstat(handle.fileno())
    return stamp_of(stat, data)


def _write_environments(
    collection: Collection, environments: list[Environment], root: Path
) -> None:
    if not environments:
        return
    directory = root / storage.ENVIRONMENTS_DIR
    directory.mkdir(exist_ok=True)
    taken: set[str] = set()
    for environment in environments:
        stem = unique_slug(slugify(environment.name), taken)
        taken.add(stem)
        environment.path = directory / (stem + ".yaml")
        environment.disk = _write_file(environment.path, codec.environment_to_yaml(environment))
        collection.environments.append(environment)


def _stage_environments(
    collection: Collection, environments: list[Environment], staging: Path
) -> list[Environment]:
    """Environment files for an existing collection: written in ``staging`` under the
    names they will have in ``environments/`` (paths set to the final place)."""
    if not environments:
        return []
    final_dir = _root(collection) / storage.ENVIRONMENTS_DIR
    taken = {n[:-5] for n in _names_in(final_dir) if n.endswith(".yaml")}
    (staging / storage.ENVIRONMENTS_DIR).mkdir()
    for environment in environments:
        stem = unique_slug(slugify(environment.name), taken)
        taken.add(stem)
        staged = staging / storage.ENVIRONMENTS_DIR / (stem + ".yaml")
        environment.disk = _write_file(staged, codec.environment_to_yaml(environment))
        environment.path = final_dir / staged.name
    return environments


def _place(
    staging: Path, root: Path, folder: Folder | None, environments: list[Environment]
) -> None:
    """The renames that make the staged files part of the collection."""
    if environments:
        (root / storage.ENVIRONMENTS_DIR).mkdir(exist_ok=True)
    for environment in environments:
        assert environment.path is not None
        os.replace(staging / storage.ENVIRONMENTS_DIR / environment.path.name, environment.path)
    if folder is not None:
        assert folder.path is not None
        os.rename(staging / folder.path.name, folder.path)
    _sync_directory(root)
    if environments:
        _sync_directory(root / storage.ENVIRONMENTS_DIR)


def _as_folder(imported: Imported) -> Folder:
    source = imported.collection
    folder = Folder(
        name=source.name,
        headers=source.headers,
        variables=list(source.variables),
        notes=source.notes,
        auth=source.auth,
        folders=source.folders,
        requests=source.requests,
    )
    if source.base_url:
        folder.variables.append(Variable("baseUrl", source.base_url))
        imported.report.note(
            "", f"the base URL {source.base_url} became the variable {{{{baseUrl}}}}"
        )
    return folder


def _with(collection: Collection, environments: list[Environment]) -> Collection:
    """A stand-in carrying only ``environments``, for their keychain slots."""
    return Collection(
        name=collection.name, id=collection.id, path=collection.path, environments=environments
    )


def _retarget(collection: Collection, old: Path, new: Path) -> None:
    """Paths under ``old`` now under ``new`` (the staging directory's final name)."""
    new = new.absolute()

    def moved(path: Path | None) -> Path | None:
        return None if path is None else new / path.relative_to(old)

    collection.path = new
    for environment in collection.environments:
        environment.path = moved(environment.path)
    for request in collection.requests:
        request.path = moved(request.path)
    for folder in collection.folders:
        _rebase(folder, old, new)


def _retarget_folder(folder: Folder, staging: Path, root: Path) -> None:
    assert folder.path is not None
    _rebase(folder, folder.path, root / folder.path.name)


def _rebase(folder: Folder, old: Path, new: Path) -> None:
    assert folder.path is not None
    folder.path = new / folder.path.relative_to(old)
    for request in folder.requests:
        assert request.path is not None
        request.path = new / request.path.relative_to(old)
    for sub in folder.folders:
        _rebase(sub, old, new)


def _root(collection: Collection) -> Path:
    if collection.path is None:
        raise StorageError(f"The collection '{collection.name}' has no folder on disk.")
    return collection.path


def _names_in(directory: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(directory)}
    except OSError:
        return set()


# ------------------------------------------------------------- durability


def _durable(directory: Path) -> None:
    """One step that makes every file written under ``directory`` durable: ``syncfs``
    of its filesystem on Linux, ``sync`` elsewhere on POSIX (Windows: the renames
    below are the atomic step; NTFS journals them)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(directory, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    if hasattr(os, "sync"):
        os.sync()


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op where unsupported)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
