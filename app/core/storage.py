"""Collections on disk: a directory of YAML files, one per request.

::

    my-api/
      collection.yaml          courier: 1, id, name, base_url, headers, variables, notes,
                               order (the top level's entries in the user's order)
      environments/<slug>.yaml name, variables
      <folder-slug>/           a folder; folder.yaml holds its name, settings and order
        <slug>.request.yaml    name, method, url, params, headers, body, notes

Keys are written in that order with defaults left out, so a load followed by a
save is byte-identical and diffs stay small (the conversion between model and
file data is ``app.core.codec``; this module does the files).  Every write is
atomic.  Secret
variables are written by name only: their values never reach these files.

A request, folder or environment file that cannot be read becomes a
``LoadProblem`` on the collection (path and reason) and is never written to;
the rest of the collection loads.  Every operation here changes the files and
the in-memory model together and raises ``StorageError`` with a message a user
understands when the disk says no.  Adding, renaming, duplicating, moving and
reordering items rewrite their parent's ``order:`` (``app.core.ordering``), so
the sidebar shows them after a restart as the user left them.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import stat
from collections.abc import Collection as Many
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from app.core import fileops, filestamp, ordering
from app.core.bounded_read import read_capped
from app.core.codec import (
    apply_folder_data,
    collection_from_data,
    collection_to_data,
    environment_from_data,
    environment_to_data,
    folder_to_data,
    parse_mapping,
    request_from_data,
    request_from_yaml,
    request_to_data,
    request_to_yaml,
)
from app.core.errors import CollectionNotFound, FileChangedOnDisk, StorageError, reason
from app.core.filestamp import stamp_of
from app.core.model import Collection, Environment, FileStamp, Folder, LoadProblem, Request
from app.core.parse_cache import ParseCache
from app.core.roundtrip import scrub_secrets
from app.core.safe_save import Normalize, save_item, write
from app.core.slugs import natural_key, slugify, unique_slug

COLLECTION_FILE = "collection.yaml"
FOLDER_FILE = "folder.yaml"
REQUEST_SUFFIX = ".request.yaml"
ENVIRONMENTS_DIR = "environments"

__all__ = [
    "OrderNotKept",
    "add_environment",
    "add_folder",
    "add_request",
    "create_collection",
    "delete_environment",
    "delete_folder",
    "delete_request",
    "duplicate_folder",
    "duplicate_request",
    "keep_order",
    "load_collection",
    "move",
    "parent_folder",
    "rename_folder",
    "rename_request",
    "request_from_yaml",
    "request_to_yaml",
    "save_collection_settings",
    "save_environment",
    "save_folder_settings",
    "save_request",
    "slugify",
    "unshown_files",
]


def _read(path: Path) -> tuple[str, os.stat_result, FileStamp]:
    """A collection file as UTF-8 text, with its ``fstat`` and stamp.

    Regular files only, at most ``MAX_FILE_BYTES`` (``app.core.bounded_read``);
    plain os calls, as a collection opens thousands of them.
    """
    data, st = read_capped(path)
    return data.decode("utf-8"), st, stamp_of(st, data)


# ----------------------------------------------------------------- loading


def load_collection(path: Path, *, use_cache: bool = True) -> Collection:
    """Read a collection directory.  Unreadable files become ``collection.problems``.

    ``use_cache``: reuse what unchanged request files parsed to last time
    (``app.core.parse_cache``), which makes reopening a big collection fast.
    Whatever goes wrong with one file (bad YAML or values, too large, not a
    regular file, an alias bomb, even ``MemoryError``) is that file's problem;
    only collection.yaml failing stops the collection from opening.
    """
    path = Path(path)
    meta_path = path / COLLECTION_FILE
    if not path.is_dir() or not os.path.lexists(meta_path):
        raise CollectionNotFound(
            f"{path} is not a Courier collection: it has no {COLLECTION_FILE}.",
            detail=str(meta_path),
        )
    try:
        text, _st, stamp = _read(meta_path)
        collection = collection_from_data(parse_mapping(meta_path, text), path)
    except StorageError:
        raise
    except Exception as exc:
        raise StorageError(f"Could not read {meta_path}: {reason(exc)}", detail=repr(exc)) from exc
    collection.disk = stamp
    problems = collection.problems
    cache = ParseCache(path) if use_cache else None
    folders, requests = _load_children(path, problems, cache, top_level=True)
    if cache is not None:
        cache.save()
    collection.folders = folders
    collection.requests = requests
    ordering.apply_order(collection)
    collection.environments = _load_environments(path / ENVIRONMENTS_DIR, problems)
    _after_load(collection)
    return collection


def _after_load(collection: Collection) -> None:
    """Remove temp files interrupted saves left, and stamp what the loader did not.

    The stamping is a fallback: the loader stamps each file from the very read
    it parsed (``app.core.filestamp``); a file it left unstamped is stamped here
    as it is now, so Courier's own next save of it is not refused.
    """
    fileops.remove_stale_temps(_directories(collection))
    for item, file in _stamped_files(collection):
        if item.disk is None:
            with contextlib.suppress(OSError):
                item.disk = filestamp.stamp_file(file)


def _directories(collection: Collection) -> list[Path]:
    root = _root(collection)
    folders = [f.path for f in _walk_folders(collection.folders) if f.path is not None]
    return [root, root / ENVIRONMENTS_DIR, *folders]


def _stamped_files(
    collection: Collection,
) -> Iterator[tuple[Collection | Folder | Request | Environment, Path]]:
    yield collection, _root(collection) / COLLECTION_FILE
    for _chain, request in collection.iter_requests():
        if request.path is not None:
            yield request, request.path
    for folder in _walk_folders(collection.folders):
        if folder.path is not None:
            yield folder, folder.path / FOLDER_FILE
    for environment in collection.environments:
        if environment.path is not None:
            yield environment, environment.path


def _load_children(
    directory: Path, problems: list[LoadProblem], cache: ParseCache | None, *, top_level: bool
) -> tuple[list[Folder], list[Request]]:
    folders: list[Folder] = []
    requests: list[Request] = []
    try:
        entries = list(os.scandir(directory))
    except OSError as exc:
        problems.append(LoadProblem(directory, reason(exc)))
        return folders, requests
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if name.endswith(REQUEST_SUFFIX):
            file_path = Path(entry.path)
            try:
                requests.append(_load_request(entry, file_path, cache))
            except Exception as exc:
                problems.append(LoadProblem(file_path, reason(exc)))
        elif entry.is_dir(follow_symlinks=False):  # a symlinked folder is not followed
            if top_level and name == ENVIRONMENTS_DIR:
                continue
            folder = _load_folder(Path(entry.path), problems, cache)
            if folder is not None:
                folders.append(folder)
    folders.sort(key=lambda f: natural_key(f.name))
    requests.sort(key=lambda r: natural_key(r.name))
    return folders, requests


def _load_request(entry: os.DirEntry[str], file_path: Path, cache: ParseCache | None) -> Request:
    if cache is not None:
        st = entry.stat()
        data = cache.get(entry.path, st) if stat.S_ISREG(st.st_mode) else None
        if isinstance(data, dict):
            request = request_from_data(data, file_path)
            request.disk = stamp_of(st, None)  # the bytes were not read
            return request
    text, st, stamp = _read(file_path)
    data = parse_mapping(file_path, text)
    request = request_from_data(data, file_path)  # only valid files are cached
    request.disk = stamp
    if cache is not None:
        cache.put(entry.path, st, data)
    return request


def _load_folder(
    directory: Path, problems: list[LoadProblem], cache: ParseCache | None
) -> Folder | None:
    folder = Folder(name=directory.name, path=directory)
    meta = directory / FOLDER_FILE
    try:
        text, _st, stamp = _read(meta)
        apply_folder_data(folder, parse_mapping(meta, text))
        folder.disk = stamp
    except FileNotFoundError:
        pass  # folder.yaml is optional
    except Exception as exc:
        # The folder's own settings are unreadable: report it, still show its requests.
        problems.append(LoadProblem(meta, reason(exc)))
    folder.folders, folder.requests = _load_children(directory, problems, cache, top_level=False)
    ordering.apply_order(folder)
    return folder


def _load_environments(directory: Path, problems: list[LoadProblem]) -> list[Environment]:
    environments: list[Environment] = []
    if not directory.is_dir():
        return environments
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        problems.append(LoadProblem(directory, reason(exc)))
        return environments
    for entry in entries:
        if not entry.name.endswith(".yaml") or entry.name.startswith("."):
            continue
        file_path = Path(entry.path)
        try:
            text, _st, stamp = _read(file_path)
            environment = environment_from_data(parse_mapping(file_path, text), file_path)
        except Exception as exc:
            problems.append(LoadProblem(file_path, reason(exc)))
            continue
        environment.disk = stamp
        environments.append(environment)
    environments.sort(key=lambda e: natural_key(e.name))
    return environments


# ----------------------------------------------------------------- writing


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=False)
    except OSError as exc:
        raise StorageError(f"Could not create the folder {path}: {reason(exc)}") from exc


def _root(collection: Collection) -> Path:
    if collection.path is None:
        raise StorageError(f"The collection '{collection.name}' has no folder on disk.")
    return collection.path


def _dir_of(collection: Collection, folder: Folder | None) -> Path:
    if folder is None:
        return _root(collection)
    if folder.path is None:
        raise StorageError(f"The folder '{folder.name}' has no directory on disk.")
    return folder.path


def _taken_names(directory: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(directory)}
    except OSError:
        return set()


def _request_path(directory: Path, name: str, keep: Path | None = None) -> Path:
    taken = {
        n[: -len(REQUEST_SUFFIX)] for n in _taken_names(directory) if n.endswith(REQUEST_SUFFIX)
    }
    if keep is not None and keep.name.endswith(REQUEST_SUFFIX):
        taken.discard(keep.name[: -len(REQUEST_SUFFIX)])
    return directory / (unique_slug(slugify(name), taken) + REQUEST_SUFFIX)


def _folder_dir(parent: Path, name: str, *, top_level: bool) -> Path:
    taken = _taken_names(parent)
    if top_level:
        taken.add(ENVIRONMENTS_DIR)
    return parent / unique_slug(slugify(name), taken)


def create_collection(directory: Path, name: str) -> Collection:
    """A new, empty collection in ``directory`` (which must not exist or be empty)."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise StorageError(f"{directory} already exists and is not empty; choose another folder.")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Could not create {directory}: {reason(exc)}") from exc
    collection = Collection(name=name, path=directory)
    save_collection_settings(collection)
    return collection


# Every save below: ``force=False`` refuses (``FileChangedOnDisk``, nothing written) to
# overwrite a file changed outside Courier since it was read; Courier's data is merged
# into the file so keys and comments it does not own stay (``app.core.safe_save``).


def save_collection_settings(collection: Collection, *, force: bool = False) -> None:
    root = _root(collection)
    save_item(
        root / COLLECTION_FILE,
        collection,
        collection_to_data(collection),
        _collection_normalizer(root),
        force=force,
    )


def _collection_normalizer(root: Path) -> Normalize:
    def normalize(data: dict[str, Any]) -> dict[str, Any]:
        old = collection_to_data(collection_from_data(data, root))
        if "id" not in data:
            old.pop("id", None)  # derived from the path, not in the file: writing it is a change
        return old

    return normalize


def save_folder_settings(collection: Collection, folder: Folder, *, force: bool = False) -> None:
    directory = _dir_of(collection, folder)
    path = directory / FOLDER_FILE
    _refuse_unreadable(collection, path)
    save_item(path, folder, folder_to_data(folder), _folder_normalizer(directory), force=force)


def _folder_normalizer(directory: Path) -> Normalize:
    def normalize(data: dict[str, Any]) -> dict[str, Any]:
        fresh = Folder(name=directory.name)
        apply_folder_data(fresh, data)
        return folder_to_data(fresh)

    return normalize


class _Stamp:
    """A stand-in item for ``save_item``: the file as just read, whoever wrote it."""

    def __init__(self, disk: FileStamp) -> None:
        self.disk: FileStamp | None = disk


class OrderNotKept(StorageError):
    """The item was added, renamed, moved or deleted, but its folder's ``order:`` could
    not be written: the sidebar keeps the order until the collection closes."""

    title = "The order of the items was not saved"

    #: a copy made by ``duplicate_request`` / ``duplicate_folder`` before the failure
    item: Request | Folder | None = None


def _keep_order(collection: Collection, parent: Folder | None) -> None:
    """``_write_order``, its failure an ``OrderNotKept`` (the operation itself is done:
    callers finish theirs, secrets included, then report it)."""
    try:
        _write_order(collection, parent)
    except StorageError as exc:
        raise OrderNotKept(
            f"{exc.message} The items are where you put them until the collection closes; "
            "after that they show in the order the file gives.",
            detail=exc.detail,
        ) from exc


def keep_order(collection: Collection, parent: Folder | None) -> None:
    """Write ``parent``'s (None: the top level's) ``order:`` after items were added to
    it on disk by other means (an import's batch write); raises ``OrderNotKept``."""
    _keep_order(collection, parent)


def _write_order(collection: Collection, parent: Folder | None) -> None:
    """Write the order ``parent`` (None: the top level) shows now into its settings
    file, if it changed: only the ``order:`` key.

    Edits of the file's other keys made outside Courier are neither overwritten
    nor adopted here (the watcher adopts them; the parent's stamp stays as it
    was so a settings save still sees them).  A settings file that failed to
    load is left as it is: the order then lasts until the collection closes.
    """
    container: Collection | Folder = parent if parent is not None else collection
    directory = _dir_of(collection, parent)
    order = ordering.order_to_keep(container, directory)
    if order == container.order:
        return
    container.order = order
    path = directory / (FOLDER_FILE if parent is not None else COLLECTION_FILE)
    if any(problem.path == path for problem in collection.problems):
        return
    normalize = (
        _folder_normalizer(directory) if parent is not None else _collection_normalizer(directory)
    )
    try:
        current = filestamp.read_with_stamp(Path(os.path.realpath(path)))
    except OSError as exc:
        raise StorageError(
            f"Could not read {path} to keep the order of its items: {reason(exc)}"
        ) from exc
    if current is None:  # a folder without folder.yaml (optional): written whole
        if parent is not None and parent.disk is None:
            save_item(path, parent, folder_to_data(parent), normalize, force=False)
        return
    data, stamp = current
    try:
        text = data.decode("utf-8")
        parsed = parse_mapping(path, text)
        fast = ordering.with_order_text(text, parsed, order)
        if fast is None:
            scrub_secrets(parsed)
            theirs = normalize(parsed)
    except (UnicodeDecodeError, ValueError, StorageError) as exc:
        raise StorageError(
            f"{path} cannot be read as Courier's ({reason(exc)}), so the new order of its "
            "items was not saved in it.",
        ) from exc
    in_step = filestamp.matches(container.disk, stamp)
    written = _Stamp(stamp)
    if fast is not None:
        written.disk = write(Path(os.path.realpath(path)), fast)
    else:
        theirs[ordering.ORDER_KEY] = order
        save_item(path, written, theirs, normalize, force=False)
    if in_step:
        container.disk = written.disk


def _refuse_unreadable(collection: Collection, path: Path) -> None:
    """A file that failed to load is never overwritten: what it holds was not read."""
    for problem in collection.problems:
        if problem.path == path:
            raise StorageError(
                f"{path} could not be read when the collection was opened "
                f"({problem.reason}), so Courier leaves it as it is. "
                "Fix or remove the file, then reopen the collection.",
            )


def save_request(collection: Collection, request: Request, *, force: bool = False) -> None:
    """Rewrite exactly this request's file (only what changed in it)."""
    path = request.path
    if path is None:
        raise StorageError(f"The request '{request.name}' has no file yet; add it first.")

    def normalize(data: dict[str, Any]) -> dict[str, Any]:
        return request_to_data(request_from_data(data, path))

    save_item(path, request, request_to_data(request), normalize, force=force)


def add_request(collection: Collection, parent: Folder | None, request: Request) -> Request:
    directory = _dir_of(collection, parent)
    request.path = _request_path(directory, request.name)
    request.disk = None  # a new file
    save_request(collection, request)
    (parent.requests if parent is not None else collection.requests).append(request)
    _keep_order(collection, parent)
    return request


def add_folder(collection: Collection, parent: Folder | None, name: str) -> Folder:
    parent_dir = _dir_of(collection, parent)
    folder = Folder(name=name, path=_folder_dir(parent_dir, name, top_level=parent is None))
    _mkdir(folder.path)  # type: ignore[arg-type]
    save_folder_settings(collection, folder)
    (parent.folders if parent is not None else collection.folders).append(folder)
    _keep_order(collection, parent)
    return folder


def parent_folder(collection: Collection, item: Request | Folder) -> Folder | None:
    """The folder directly containing ``item`` (None: the collection's top level)."""
    if any(r is item for r in collection.requests) or any(f is item for f in collection.folders):
        return None
    for folder in _walk_folders(collection.folders):
        if any(r is item for r in folder.requests) or any(f is item for f in folder.folders):
            return folder
    raise StorageError(f"'{item.name}' is not part of the collection '{collection.name}'.")


def _walk_folders(folders: list[Folder]) -> Iterator[Folder]:
    for folder in folders:
        yield folder
        yield from _walk_folders(folder.folders)


def rename_request(
    collection: Collection, request: Request, new_name: str, *, force: bool = False
) -> None:
    """Rename a request: its file moves to the new slug in one atomic step, then the
    name inside is rewritten in place.  A crash between leaves one file (old name
    inside, new file name), never two; nothing moves if the file changed on disk."""
    old_path = request.path
    if old_path is None:
        raise StorageError(f"The request '{request.name}' has no file yet.")
    if not force:
        _check_unchanged(old_path, request.disk)
    new_path = _request_path(old_path.parent, new_name, keep=old_path)
    _move(old_path, new_path)
    old_name = request.name
    request.name, request.path = new_name, new_path
    try:
        save_request(collection, request, force=True)  # checked above; the file is ours
    except StorageError:
        request.name, request.path = old_name, old_path
        with contextlib.suppress(StorageError):
            _move(new_path, old_path)
        raise
    _keep_order(collection, parent_folder(collection, request))


def _check_unchanged(path: Path, stamp: FileStamp | None) -> None:
    try:
        current = filestamp.read_with_stamp(Path(os.path.realpath(path)))
    except OSError as exc:
        raise StorageError(f"Could not read {path}: {reason(exc)}") from exc
    if current is None or not filestamp.matches(stamp, current[1]):
        raise FileChangedOnDisk(
            f"{path} was changed outside Courier since it was read; nothing was renamed.",
            path=path,
        )


def _move(old: Path, new: Path) -> None:
    if new == old:
        return
    try:
        fileops.rename_noreplace(old, new)
    except OSError as exc:
        raise StorageError(f"Could not rename {old} to {new.name}: {reason(exc)}") from exc


def rename_folder(
    collection: Collection, folder: Folder, new_name: str, *, force: bool = False
) -> None:
    """Rename a folder: its directory moves to the new slug (one atomic step), every
    path below follows, then its folder.yaml gets the new name.  A crash between
    leaves the folder whole under its new directory with the old name inside."""
    old_dir = _dir_of(collection, folder)
    meta = old_dir / FOLDER_FILE
    _refuse_unreadable(collection, meta)
    if not force and (folder.disk is not None or os.path.lexists(meta)):
        _check_unchanged(meta, folder.disk)
    top_level = any(f is folder for f in collection.folders)
    taken = _taken_names(old_dir.parent) - {old_dir.name}
    if top_level:
        taken.add(ENVIRONMENTS_DIR)
    new_dir = old_dir.parent / unique_slug(slugify(new_name), taken)
    _move(old_dir, new_dir)
    _rebase(folder, old_dir, new_dir)
    old_name = folder.name
    folder.name = new_name
    try:
        save_folder_settings(collection, folder, force=True)  # checked above
    except StorageError:
        folder.name = old_name
        with contextlib.suppress(StorageError):
            _move(new_dir, old_dir)
            _rebase(folder, new_dir, old_dir)
        raise
    _keep_order(collection, parent_folder(collection, folder))


def _rebase(folder: Folder, old: Path, new: Path) -> None:
    def moved(path: Path | None) -> Path | None:
        if path is None:
            return None
        return new / path.relative_to(old)

    folder.path = moved(folder.path)
    for request in folder.requests:
        request.path = moved(request.path)
    for sub in folder.folders:
        _rebase(sub, old, new)


def _inside(collection: Collection, path: Path) -> None:
    root = _root(collection).resolve()
    if root != path.resolve() and root not in path.resolve().parents:
        raise StorageError(f"{path} is outside the collection folder; Courier will not delete it.")


def delete_request(collection: Collection, request: Request) -> None:
    parent = parent_folder(collection, request)
    if request.path is not None:
        _inside(collection, request.path)
        try:
            request.path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not delete {request.path}: {reason(exc)}") from exc
    siblings = parent.requests if parent is not None else collection.requests
    siblings[:] = [r for r in siblings if r is not request]
    if (parent if parent is not None else collection).order is not None:
        _keep_order(collection, parent)


def unshown_files(collection: Collection, folder: Folder) -> list[Path]:
    """What deleting ``folder`` would remove that Courier does not show: files of
    other tools, a README, requests or folder.yaml files that failed to load."""
    directory = _dir_of(collection, folder)
    shown: set[Path] = set()
    for sub in [folder, *_walk_folders(folder.folders)]:
        if sub.path is not None:
            shown.add(sub.path / FOLDER_FILE)
        shown.update(r.path for r in sub.requests if r.path is not None)
    shown -= {p.path for p in collection.problems}
    return fileops.unshown_files(directory, shown)


def delete_folder(collection: Collection, folder: Folder, *, also_delete: Many[Path] = ()) -> None:
    """Delete a folder with everything in it.  Files Courier does not show
    (``unshown_files``) must be listed in ``also_delete`` (the user confirmed
    them); otherwise nothing is deleted and the error names them."""
    parent = parent_folder(collection, folder)
    directory = _dir_of(collection, folder)
    _inside(collection, directory)
    if directory.resolve() == _root(collection).resolve():
        raise StorageError("Courier will not delete the collection folder itself.")
    unconfirmed = [p for p in unshown_files(collection, folder) if p not in set(also_delete)]
    if unconfirmed:
        names = ", ".join(str(p.relative_to(directory)) for p in unconfirmed[:10])
        more = f" and {len(unconfirmed) - 10} more" if len(unconfirmed) > 10 else ""
        raise StorageError(
            f"{directory} also holds files Courier does not show ({names}{more}); "
            "nothing was deleted.",
        )
    try:
        shutil.rmtree(directory)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StorageError(f"Could not delete {directory}: {reason(exc)}") from exc
    siblings = parent.folders if parent is not None else collection.folders
    siblings[:] = [f for f in siblings if f is not folder]
    if (parent if parent is not None else collection).order is not None:
        _keep_order(collection, parent)


T = TypeVar("T", Request, Folder)


def _insert_after(siblings: list[T], original: T, item: T) -> None:
    for i, existing in enumerate(siblings):
        if existing is original:
            siblings.insert(i + 1, item)
            return
    siblings.append(item)


def duplicate_request(collection: Collection, request: Request) -> Request:
    parent = parent_folder(collection, request)
    directory = _dir_of(collection, parent)
    twin = copy.deepcopy(request)
    twin.name = f"{request.name} copy"
    twin.path = _request_path(directory, twin.name)
    twin.disk = None  # a new file
    save_request(collection, twin)
    _insert_after(parent.requests if parent else collection.requests, request, twin)
    _keep_order_of_copy(collection, parent, twin)
    return twin


def duplicate_folder(collection: Collection, folder: Folder) -> Folder:
    parent = parent_folder(collection, folder)
    parent_dir = _dir_of(collection, parent)
    twin = copy.deepcopy(folder)
    twin.name = f"{folder.name} copy"
    _write_tree(collection, twin, parent_dir, top_level=parent is None)
    _insert_after(parent.folders if parent else collection.folders, folder, twin)
    _keep_order_of_copy(collection, parent, twin)
    return twin


def _keep_order_of_copy(collection: Collection, parent: Folder | None, copy: T) -> None:
    try:
        _keep_order(collection, parent)
    except OrderNotKept as exc:
        exc.item = copy
        raise


def _write_tree(
    collection: Collection, folder: Folder, parent_dir: Path, *, top_level: bool
) -> None:
    folder.path = _folder_dir(parent_dir, folder.name, top_level=top_level)
    folder.disk = None  # new files, all of them
    _mkdir(folder.path)
    for request in folder.requests:
        request.path = _request_path(folder.path, request.name)
        request.disk = None
        save_request(collection, request)
    for sub in folder.folders:
        _write_tree(collection, sub, folder.path, top_level=False)
    if folder.order is not None:  # the copies' file names may differ from the originals'
        folder.order = ordering.shown_order(folder)
    save_folder_settings(collection, folder)


def move(collection: Collection, item: Request | Folder, target: Folder | None, index: int) -> None:
    """Move ``item`` to position ``index`` among its kind (folders or requests) in
    ``target`` (None: the top level), as a drag and drop in the sidebar does.

    Within its folder only the order changes (one ``order:`` list rewritten).
    Into another folder its file or directory moves first (one atomic rename,
    keeping its file name when it is free), every path below follows, then the
    order of both folders is written.  A folder never moves into itself.
    """
    source = parent_folder(collection, item)
    if isinstance(item, Folder) and target is not None and _within(item, target):
        raise StorageError(f"The folder '{item.name}' cannot be moved into itself.")
    siblings: list[Any] = _siblings(collection, source, item)
    if source is target:
        position = next(i for i, existing in enumerate(siblings) if existing is item)
        del siblings[position]
        siblings.insert(max(0, min(index, len(siblings))), item)
        _keep_order(collection, target)
        return
    new_path = _free_path(collection, item, _dir_of(collection, target), target is None)
    old_path = item.path
    if old_path is None:
        raise StorageError(f"'{item.name}' has no file yet.")
    _move(old_path, new_path)
    if isinstance(item, Folder):
        _rebase(item, old_path, new_path)
    else:
        item.path = new_path
    siblings[:] = [existing for existing in siblings if existing is not item]
    destination: list[Any] = _siblings(collection, target, item)
    destination.insert(max(0, min(index, len(destination))), item)
    source_container = source if source is not None else collection
    if source_container.order is not None:
        _keep_order(collection, source)
    _keep_order(collection, target)


def _within(folder: Folder, target: Folder) -> bool:
    return target is folder or any(f is target for f in _walk_folders(folder.folders))


def _siblings(
    collection: Collection, parent: Folder | None, item: Request | Folder
) -> list[Request] | list[Folder]:
    container = parent if parent is not None else collection
    return container.requests if isinstance(item, Request) else container.folders


def _free_path(
    collection: Collection, item: Request | Folder, directory: Path, top_level: bool
) -> Path:
    """Where ``item`` goes in ``directory``: its own file name if free, else a numbered one."""
    if item.path is None:
        raise StorageError(f"'{item.name}' has no file yet.")
    taken = _taken_names(directory)
    if isinstance(item, Request):
        stem = item.path.name[: -len(REQUEST_SUFFIX)] or slugify(item.name)
        taken_stems = {n[: -len(REQUEST_SUFFIX)] for n in taken if n.endswith(REQUEST_SUFFIX)}
        return directory / (unique_slug(stem, taken_stems) + REQUEST_SUFFIX)
    if top_level:
        taken.add(ENVIRONMENTS_DIR)
    return directory / unique_slug(item.path.name, taken)


# ------------------------------------------------------------ environments


def add_environment(collection: Collection, name: str) -> Environment:
    directory = _root(collection) / ENVIRONMENTS_DIR
    try:
        directory.mkdir(exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Could not create {directory}: {reason(exc)}") from exc
    taken = {n[:-5] for n in _taken_names(directory) if n.endswith(".yaml")}
    environment = Environment(
        name=name, path=directory / (unique_slug(slugify(name), taken) + ".yaml")
    )
    save_environment(collection, environment)
    collection.environments.append(environment)
    return environment


def save_environment(
    collection: Collection, environment: Environment, *, force: bool = False
) -> None:
    path = environment.path
    if path is None:
        raise StorageError(f"The environment '{environment.name}' has no file yet.")

    def normalize(data: dict[str, Any]) -> dict[str, Any]:
        return environment_to_data(environment_from_data(data, path))

    save_item(path, environment, environment_to_data(environment), normalize, force=force)


def delete_environment(collection: Collection, environment: Environment) -> None:
    if environment.path is not None:
        _inside(collection, environment.path)
        try:
            environment.path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not delete {environment.path}: {reason(exc)}") from exc
    collection.environments = [e for e in collection.environments if e is not environment]
