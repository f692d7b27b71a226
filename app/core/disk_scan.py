"""What changed on disk in an open collection, read in a worker thread.

A file watcher reports paths that changed; ``scan`` looks at those paths (and
lists their directories, so a missed event for a sibling is caught too),
compares them with a ``KnownFiles`` snapshot of what the model holds, and reads
and parses what is new or different.  It never touches the model:
``app.core.disk_apply`` brings the model in line on the GUI thread, where it
can check each change is still current and leave alone a request the user is
editing.

A file whose bytes are what Courier last read or wrote (its ``FileStamp``
digest) is not a change; a file whose content parses to what the model holds
is not one either (``disk_apply`` checks that), so Courier's own saves never
come back as "changed outside".
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.core import ordering
from app.core.codec import (
    apply_folder_data,
    collection_from_data,
    environment_from_data,
    parse_mapping,
    request_from_data,
)
from app.core.errors import StorageError, reason
from app.core.model import Collection, Environment, FileStamp, Folder, LoadProblem, Request
from app.core.slugs import natural_key

# the names app.core.storage gives the files of a collection
COLLECTION_FILE = "collection.yaml"
FOLDER_FILE = "folder.yaml"
REQUEST_SUFFIX = ".request.yaml"
ENVIRONMENTS_DIR = "environments"

#: what ``os.stat`` says about a file: inode, mtime, size.  A file replaced
#: atomically gets a new inode, so this tells two writes apart within one tick
#: of a coarse file-system clock.
FileIdentity = tuple[int, int, int]

_READ_ERRORS = (OSError, UnicodeDecodeError, ValueError, StorageError)


# ------------------------------------------------------------------ snapshot


@dataclass(frozen=True, slots=True)
class KnownFiles:
    """The files an open collection's model came from, taken on the GUI thread.

    ``folders`` maps each folder's directory to its folder.yaml stamp; the
    other maps go from a file to its stamp (None: not known, e.g. not set by
    the loader).  ``unreadable`` are the files reported as problems.
    """

    root: Path
    collection: FileStamp | None
    folders: dict[Path, FileStamp | None]
    requests: dict[Path, FileStamp | None]
    environments: dict[Path, FileStamp | None]
    unreadable: frozenset[Path]

    def is_container(self, directory: Path) -> bool:
        return directory == self.root or directory in self.folders


def known_files(collection: Collection) -> KnownFiles:
    """A snapshot of where the model's objects live on disk (cheap: no I/O)."""
    if collection.path is None:
        raise StorageError(f"The collection '{collection.name}' has no folder on disk.")
    folders: dict[Path, FileStamp | None] = {}
    requests: dict[Path, FileStamp | None] = {}

    def walk(folder_list: list[Folder], request_list: list[Request]) -> None:
        for request in request_list:
            if request.path is not None:
                requests[request.path] = request.disk
        for folder in folder_list:
            if folder.path is not None:
                folders[folder.path] = folder.disk
            walk(folder.folders, folder.requests)

    walk(collection.folders, collection.requests)
    return KnownFiles(
        root=collection.path,
        collection=collection.disk,
        folders=folders,
        requests=requests,
        environments={e.path: e.disk for e in collection.environments if e.path is not None},
        unreadable=frozenset(p.path for p in collection.problems),
    )


# ------------------------------------------------------------------- results


@dataclass(slots=True)
class RequestOnDisk:
    """A request file as it is now: added or changed (``request``), or removed (None)."""

    path: Path
    request: Request | None
    stamp: FileStamp | None = None
    identity: FileIdentity | None = None
    #: the file's text (for "compare" when the user also edited the request)
    text: str = ""


@dataclass(slots=True)
class FolderOnDisk:
    """A directory that appeared (``folder``: its whole tree, read) or vanished (None)."""

    path: Path
    folder: Folder | None


@dataclass(slots=True)
class FolderSettingsOnDisk:
    """A folder's folder.yaml as it is now (``stamp`` None: there is none: defaults)."""

    path: Path  # the folder's directory
    settings: Folder
    stamp: FileStamp | None = None
    identity: FileIdentity | None = None


@dataclass(slots=True)
class EnvironmentOnDisk:
    path: Path
    environment: Environment | None  # None: removed
    stamp: FileStamp | None = None
    identity: FileIdentity | None = None


@dataclass(slots=True)
class CollectionSettingsOnDisk:
    settings: Collection
    stamp: FileStamp
    identity: FileIdentity


@dataclass(slots=True)
class DiskChanges:
    """Everything ``scan`` found that may differ from the model."""

    requests: list[RequestOnDisk] = field(default_factory=list)
    folders: list[FolderOnDisk] = field(default_factory=list)
    folder_settings: list[FolderSettingsOnDisk] = field(default_factory=list)
    environments: list[EnvironmentOnDisk] = field(default_factory=list)
    collection_settings: CollectionSettingsOnDisk | None = None
    #: files that cannot be read now (reported, the model keeps what it had)
    unreadable: list[LoadProblem] = field(default_factory=list)
    #: reported files that are gone now (their problem goes too)
    gone: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.requests
            or self.folders
            or self.folder_settings
            or self.environments
            or self.collection_settings
            or self.unreadable
            or self.gone
        )

    def new_objects(self) -> tuple[list[Request], list[Folder], list[Environment]]:
        """What was read from disk (its secrets come from the keychain, in the worker)."""
        requests = [c.request for c in self.requests if c.request is not None]
        folders = [c.folder for c in self.folders if c.folder is not None]
        environments = [c.environment for c in self.environments if c.environment is not None]
        return requests, folders, environments


# ------------------------------------------------------------------- reading


def read_stamped(path: Path) -> tuple[str, FileStamp, FileIdentity]:
    """A file's text with its stamp, both from the same open file (raises OSError,
    UnicodeDecodeError)."""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        data = handle.read()
    stamp = FileStamp(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    return data.decode("utf-8"), stamp, identity_of(stat)


def identity_of(stat: os.stat_result) -> FileIdentity:
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def current_identity(path: Path) -> FileIdentity | None:
    """What the file is now (None: it does not exist)."""
    try:
        return identity_of(os.stat(path))
    except OSError:
        return None


def _unchanged(known: FileStamp | None, stamp: FileStamp) -> bool:
    return known is not None and known.sha256 is not None and known.sha256 == stamp.sha256


def _hidden(name: str) -> bool:
    return name.startswith(".")


def load_folder_tree(directory: Path, problems: list[LoadProblem]) -> Folder:
    """A folder directory that appeared, with everything in it (as the loader reads it)."""
    folder = Folder(name=directory.name, path=directory)
    meta = directory / FOLDER_FILE
    if meta.is_file():
        try:
            text, stamp, _identity = read_stamped(meta)
            apply_folder_data(folder, parse_mapping(meta, text))
            folder.disk = stamp
        except _READ_ERRORS as exc:
            problems.append(LoadProblem(meta, reason(exc)))
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        problems.append(LoadProblem(directory, reason(exc)))
        return folder
    for entry in entries:
        path = Path(entry.path)
        if _hidden(entry.name):
            continue
        if entry.name.endswith(REQUEST_SUFFIX):
            try:
                text, stamp, _identity = read_stamped(path)
                request = request_from_data(parse_mapping(path, text), path)
            except _READ_ERRORS as exc:
                problems.append(LoadProblem(path, reason(exc)))
                continue
            request.disk = stamp
            folder.requests.append(request)
        elif entry.is_dir(follow_symlinks=False):
            folder.folders.append(load_folder_tree(path, problems))
    folder.folders.sort(key=lambda f: natural_key(f.name))
    folder.requests.sort(key=lambda r: natural_key(r.name))
    ordering.apply_order(folder)
    return folder


# ---------------------------------------------------------------------- scan


class _Scan:
    """One pass over the touched paths (see ``scan``)."""

    def __init__(self, known: KnownFiles) -> None:
        self.known = known
        self.changes = DiskChanges()
        self._seen: set[Path] = set()
        self._requests_by_dir: dict[Path, set[Path]] = {}
        for path in known.requests:
            self._requests_by_dir.setdefault(path.parent, set()).add(path)
        self._folders_by_dir: dict[Path, set[Path]] = {}
        for path in known.folders:
            self._folders_by_dir.setdefault(path.parent, set()).add(path)

    def _once(self, path: Path) -> bool:
        if path in self._seen:
            return False
        self._seen.add(path)
        return True

    def touched(self, path: Path) -> None:
        root = self.known.root
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            return
        if not parts or any(_hidden(part) for part in parts):
            return
        if parts == (COLLECTION_FILE,):
            self.collection_file(path)
        elif parts[0] == ENVIRONMENTS_DIR:
            if len(parts) == 1:
                self.environment_dir(path)
            elif len(parts) == 2 and path.name.endswith(".yaml"):
                self.environment_file(path)
        elif path.name == FOLDER_FILE:
            if path.parent in self.known.folders:
                self.folder_file(path.parent)
            else:
                self.new_directory_above(path)
        elif path.name.endswith(REQUEST_SUFFIX):
            if self.known.is_container(path.parent):
                self.request_file(path)
                self.directory_listing(path.parent)
            else:
                self.new_directory_above(path)
        elif path in self.known.folders or path.is_dir():
            self.directory(path)

    # -- structure

    def new_directory_above(self, path: Path) -> None:
        """A file in a directory the model does not know: that directory (or the
        highest unknown one above it) is a new folder (its own event may be lost:
        watches on a new directory start a moment after it appears)."""
        directory = path.parent
        if directory == self.known.root:
            return
        while directory.parent != directory and not self.known.is_container(directory.parent):
            directory = directory.parent
        if self.known.is_container(directory.parent):
            self.directory(directory)

    def directory(self, path: Path) -> None:
        if not self._once(path):
            return
        if path.parent == self.known.root and path.name == ENVIRONMENTS_DIR:
            return
        known = path in self.known.folders
        exists = path.is_dir()
        if exists and not known and self.known.is_container(path.parent):
            problems: list[LoadProblem] = []
            folder = load_folder_tree(path, problems)
            self.changes.folders.append(FolderOnDisk(path, folder))
            self.changes.unreadable.extend(problems)
        elif known and not exists:
            self.changes.folders.append(FolderOnDisk(path, None))
        if known or self.known.is_container(path.parent):
            self.directory_listing(path.parent)

    def directory_listing(self, directory: Path) -> None:
        """Request files and subdirectories that came or went in a known directory."""
        key = directory / "\0listing"
        if not self._once(key) or not self.known.is_container(directory):
            return
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return  # gone: its own event says so
        present: set[Path] = set()
        for entry in entries:
            if _hidden(entry.name):
                continue
            path = Path(entry.path)
            present.add(path)
            if entry.name.endswith(REQUEST_SUFFIX):
                if path not in self.known.requests:
                    self.request_file(path)
            elif entry.is_dir(follow_symlinks=False) and path not in self.known.folders:
                self.directory(path)
        for path in self._requests_by_dir.get(directory, set()) - present:
            self.request_file(path)
        for path in self._folders_by_dir.get(directory, set()) - present:
            self.directory(path)

    # -- files

    def _read(self, path: Path) -> tuple[str, FileStamp, FileIdentity] | None:
        """The file, or None when it cannot be read (reported as a problem)."""
        try:
            return read_stamped(path)
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.changes.unreadable.append(LoadProblem(path, reason(exc)))
            return None

    def _gone(self, path: Path) -> None:
        if path in self.known.unreadable:
            self.changes.gone.append(path)

    def request_file(self, path: Path) -> None:
        if not self._once(path):
            return
        if not path.is_file():
            self._gone(path)
            if path in self.known.requests:
                self.changes.requests.append(RequestOnDisk(path, None))
            return
        read = self._read(path)
        if read is None:
            return
        text, stamp, identity = read
        if _unchanged(self.known.requests.get(path), stamp):
            return
        try:
            request = request_from_data(parse_mapping(path, text), path)
        except _READ_ERRORS as exc:
            self.changes.unreadable.append(LoadProblem(path, reason(exc)))
            return
        request.disk = stamp
        self.changes.requests.append(RequestOnDisk(path, request, stamp, identity, text))

    def folder_file(self, directory: Path) -> None:
        path = directory / FOLDER_FILE
        if not self._once(path):
            return
        if not path.is_file():
            self._gone(path)
            defaults = Folder(name=directory.name, path=directory)
            self.changes.folder_settings.append(FolderSettingsOnDisk(directory, defaults))
            return
        read = self._read(path)
        if read is None:
            return
        text, stamp, identity = read
        if _unchanged(self.known.folders.get(directory), stamp):
            return
        settings = Folder(name=directory.name, path=directory)
        try:
            apply_folder_data(settings, parse_mapping(path, text))
        except _READ_ERRORS as exc:
            self.changes.unreadable.append(LoadProblem(path, reason(exc)))
            return
        settings.disk = stamp
        self.changes.folder_settings.append(
            FolderSettingsOnDisk(directory, settings, stamp, identity)
        )

    def environment_dir(self, directory: Path) -> None:
        present: set[Path] = set()
        if directory.is_dir():
            try:
                entries = list(os.scandir(directory))
            except OSError:
                entries = []
            for entry in entries:
                if entry.name.endswith(".yaml") and not _hidden(entry.name):
                    present.add(Path(entry.path))
        for path in present | set(self.known.environments):
            self.environment_file(path)

    def environment_file(self, path: Path) -> None:
        if not self._once(path):
            return
        if not path.is_file():
            self._gone(path)
            if path in self.known.environments:
                self.changes.environments.append(EnvironmentOnDisk(path, None))
            return
        read = self._read(path)
        if read is None:
            return
        text, stamp, identity = read
        if _unchanged(self.known.environments.get(path), stamp):
            return
        try:
            environment = environment_from_data(parse_mapping(path, text), path)
        except _READ_ERRORS as exc:
            self.changes.unreadable.append(LoadProblem(path, reason(exc)))
            return
        environment.disk = stamp
        self.changes.environments.append(EnvironmentOnDisk(path, environment, stamp, identity))

    def collection_file(self, path: Path) -> None:
        if not self._once(path) or not path.is_file():
            return  # a collection without collection.yaml: left as it is until reopened
        read = self._read(path)
        if read is None:
            return
        text, stamp, identity = read
        if _unchanged(self.known.collection, stamp):
            return
        try:
            settings = collection_from_data(parse_mapping(path, text), self.known.root)
        except _READ_ERRORS as exc:
            self.changes.unreadable.append(LoadProblem(path, reason(exc)))
            return
        settings.disk = stamp
        self.changes.collection_settings = CollectionSettingsOnDisk(settings, stamp, identity)


def scan(known: KnownFiles, touched: Iterable[Path]) -> DiskChanges:
    """Read what changed at ``touched`` (files or directories, existing or gone).

    Blocking file I/O: run it in a worker thread.  Paths outside the
    collection, hidden ones (``.git``, Courier's ``.name.XXXX.tmp`` temp files)
    and files of no interest are ignored.
    """
    pass_ = _Scan(known)
    for path in sorted(set(touched)):
        pass_.touched(path)
    return pass_.changes
