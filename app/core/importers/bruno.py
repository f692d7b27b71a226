"""Bruno collections (usebruno/bruno) in Courier's model.

    imported = parse_bruno_folder(Path("api"))   # MalformedImport: file, line, column

A Bruno collection is a folder marked by ``bruno.json`` (its name) holding
``collection.bru`` (collection headers, auth, variables, scripts, docs), one
``.bru`` file per request, sub-folders (each with an optional ``folder.bru``) and
``environments/*.bru``.  Bruno 2's YAML layout (``opencollection.yml`` and ``*.yml``
request files) is read by ``bruno_yaml``.  Requests and folders are listed in
Bruno's order: ``seq``, then name.  Reading writes nothing and touches no keychain.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core.importers import bruno_bru, bruno_yaml
from app.core.importers.bruno_lang import parse_bru
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.json_doc import MAX_BYTES
from app.core.model import Collection, Environment, Folder, Request

MARKER = "bruno.json"
_SPECIAL = frozenset(("collection.bru", "folder.bru"))
_SKIPPED_DIRS = frozenset(("environments", "node_modules"))


@dataclass(slots=True)
class BrunoFolder:
    """A Bruno collection as read, with the file each request came from (to open the
    folder in place: a tab and ``courier send`` find a request by its file)."""

    imported: Imported
    sources: list[tuple[Request, Path]] = field(default_factory=list)


def parse_bruno_folder(root: Path) -> Imported:
    """The Bruno collection in the folder ``root`` (``.bru`` or YAML); nothing half-way."""
    return read_bruno_folder(root).imported


def read_bruno_folder(root: Path) -> BrunoFolder:
    """``parse_bruno_folder`` with each request's source file; writes nothing."""
    if not root.is_dir():
        raise MalformedImport(f"{root} is not a folder")
    if (root / bruno_yaml.MARKER).is_file() and not (root / MARKER).is_file():
        sources: list[tuple[Request, Path]] = []
        return BrunoFolder(bruno_yaml.parse_yaml_folder(root, sources), sources)
    if not (root / MARKER).is_file():
        raise MalformedImport(
            f"{root} is not a Bruno collection: it has no {MARKER} or {bruno_yaml.MARKER}"
        )
    reader = _BruReader(root)
    return BrunoFolder(reader.read(), reader.sources)


def detect_bruno_folder(path: Path) -> bool:
    """Is ``path`` a Bruno collection folder (``bruno.json`` or ``opencollection.yml``,
    and not a Courier collection)?  Looks at marker files only."""
    try:
        if not path.is_dir() or (path / "collection.yaml").exists():
            return False
        return (path / MARKER).is_file() or (path / bruno_yaml.MARKER).is_file()
    except OSError:
        return False


def read_text(path: Path, where: str) -> str:
    """A file's text, refusing one over the import size limit."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MalformedImport(f"{where}: over {MAX_BYTES >> 20} MiB", line=1, column=1)
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedImport(f"{where}: cannot read it: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedImport(f"{where}: not UTF-8 text", line=1, column=1) from exc


class _BruReader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.report = ImportReport(source="Bruno collection")
        self.ignored: set[str] = set()
        self.sources: list[tuple[Request, Path]] = []

    def read(self) -> Imported:
        collection = Collection(name=self._collection_name())
        imported = Imported(collection, report=self.report)
        special = self.root / "collection.bru"
        if special.is_file():
            bru = parse_bru(read_text(special, "collection.bru"), "collection.bru")
            bruno_bru.apply_settings(bru, collection, "collection.bru", self.report)
        folders, requests = self._directory(self.root)
        collection.folders, collection.requests = folders, requests
        imported.environments = self._environments()
        imported.count()
        return imported

    def _collection_name(self) -> str:
        text = read_text(self.root / MARKER, MARKER)
        try:
            data = json.loads(text)
        except ValueError as exc:
            line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
            raise MalformedImport(f"{MARKER}: not valid JSON", line=line, column=column) from None
        if not isinstance(data, dict):
            raise MalformedImport(f"{MARKER}: expected an object", line=1, column=1)
        ignore = data.get("ignore")
        if isinstance(ignore, list):
            self.ignored = {item for item in ignore if isinstance(item, str)}
        name = data.get("name")
        return name if isinstance(name, str) and name.strip() else self.root.name or "Bruno"

    def _directory(self, directory: Path) -> tuple[list[Folder], list[Request]]:
        folders: list[tuple[float, str, Folder]] = []
        requests: list[tuple[float, str, Request]] = []
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            where = directory.relative_to(self.root).as_posix() or "."
            raise MalformedImport(f"{where}: cannot read it: {exc.strerror or exc}") from exc
        for entry in entries:
            path = Path(entry.path)
            where = path.relative_to(self.root).as_posix()
            if entry.is_dir(follow_symlinks=False):
                if self._skipped_dir(entry.name, directory):
                    continue
                found = self._folder(path, where)
                if found is not None:
                    folders.append(found)
            elif entry.name.endswith(".bru") and entry.name not in _SPECIAL:
                bru = parse_bru(read_text(path, where), where)
                read = bruno_bru.read_request(bru, entry.name[:-4], where, self.report)
                if read is not None:
                    requests.append((read.seq, read.request.name, read.request))
                    self.sources.append((read.request, path))
        folders.sort(key=lambda item: (item[0], item[1]))
        requests.sort(key=lambda item: (item[0], item[1]))
        return [f for _, _, f in folders], [r for _, _, r in requests]

    def _skipped_dir(self, name: str, parent: Path) -> bool:
        if name.startswith(".") or name in self.ignored:
            return True
        return parent == self.root and name in _SKIPPED_DIRS

    def _folder(self, path: Path, where: str) -> tuple[float, str, Folder] | None:
        folder = Folder(name=path.name)
        seq = float("inf")
        special = path / "folder.bru"
        if special.is_file():
            label = f"{where}/folder.bru"
            bru = parse_bru(read_text(special, label), label)
            meta = bru.get("meta")
            if meta is not None:
                folder.name = meta.value("name") or folder.name
                seq = bruno_bru.seq_of(meta.value("seq"))
            bruno_bru.apply_settings(bru, folder, label, self.report)
        folder.folders, folder.requests = self._directory(path)
        if not (folder.folders or folder.requests or special.is_file()):
            return None
        return seq, folder.name, folder

    def _environments(self) -> list[Environment]:
        directory = self.root / "environments"
        if not directory.is_dir():
            return []
        found = []
        for path in sorted(directory.glob("*.bru")):
            where = f"environments/{path.name}"
            bru = parse_bru(read_text(path, where), where)
            found.append(bruno_bru.read_environment(bru, path.stem, where, self.report))
        return found
