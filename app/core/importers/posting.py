"""Posting collections (darrenburns/posting) in Courier's model.

    imported = parse_posting_folder(Path("api"))   # MalformedImport: file, line, column
    imported.collection, imported.environments, imported.report

A Posting collection is a folder tree of ``*.posting.yaml`` request files
(sub-folders are folders) with dotenv files for its environments.  Each file is
one ``RequestModel``: name, description, method, url, params, headers, cookies,
body (``content`` or ``form_data``, ``content_type``), auth (basic, digest,
bearer_token), options (follow_redirects, verify_ssl, attach_cookies,
proxy_url, timeout) and scripts (setup, on_request, on_response: paths of
Python files Courier keeps as read-only notes, never runs).  Posting's
``$var`` / ``${var}`` become ``{{var}}``.  Folders and requests are listed in
Posting's order: folders by name, requests by method then name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core.importers import posting_request
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.json_doc import MAX_BYTES
from app.core.importers.posting_text import environment_name, parse_dotenv, read_environments
from app.core.model import Collection, Environment, Folder, Request

SUFFIX = ".posting.yaml"
#: Posting's request timeout when a file names none (``Options.timeout``), in seconds
POSTING_TIMEOUT_S = 5.0
#: how many directory entries ``detect_posting_folder`` looks at, at most
_DETECT_BUDGET = 2000
_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


@dataclass(slots=True)
class PostingFolder:
    """A Posting collection as read: the model, the file each request came from, and
    the files that could not be read (when read leniently, to open it in place)."""

    imported: Imported
    sources: list[tuple[Request, Path]] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)


def parse_posting_folder(root: Path) -> Imported:
    """The Posting collection in the folder ``root``; nothing half-way."""
    return read_posting_folder(root, lenient=False).imported


def parse_posting(text: str | bytes) -> Imported:
    """One ``*.posting.yaml`` request file alone, as a collection of one request."""
    report = ImportReport(source="Posting request")
    request = posting_request.parse_request(text, "request", "", report)
    imported = Imported(Collection(name=request.name), report=report)
    imported.collection.requests.append(request)
    imported.count()
    return imported


def read_posting_folder(root: Path, *, lenient: bool) -> PostingFolder:
    """Read every request file under ``root``.  ``lenient``: a broken file becomes a
    problem and the rest is read; otherwise it raises ``MalformedImport``."""
    if not root.is_dir():
        raise MalformedImport(f"{root} is not a folder")
    report = ImportReport(source="Posting collection")
    collection = Collection(name=root.name or "Posting collection")
    collection.settings.timeout_s = POSTING_TIMEOUT_S
    read = PostingFolder(Imported(collection, report=report))
    folders: dict[Path, Folder | Collection] = {root: collection}
    for directory, names in _walk(root):
        container = _container(root, directory, folders)
        requests: list[Request] = []
        for name in names:
            path = directory / name
            where = path.relative_to(root).as_posix()
            try:
                if path.stat().st_size > MAX_BYTES:
                    raise MalformedImport(f"{where}: over {MAX_BYTES >> 20} MiB", line=1, column=1)
                text = path.read_bytes()
                request = posting_request.parse_request(text, where, str(root), report)
            except OSError as exc:
                problem = MalformedImport(f"{where}: cannot read it: {exc.strerror or exc}")
                _fail(read, lenient, path, problem)
                continue
            except MalformedImport as exc:
                _fail(read, lenient, path, exc)
                continue
            requests.append(request)
            read.sources.append((request, path))
        requests.sort(key=lambda r: (_METHOD_ORDER.get(r.method, 5), r.name))
        container.requests.extend(requests)
    _drop_empty(collection)
    _read_environments(root, read, lenient)
    report.note("", f"timeout {POSTING_TIMEOUT_S:g} s (Posting's default) set on the collection")
    read.imported.count()
    return read


def _read_environments(root: Path, read: PostingFolder, lenient: bool) -> None:
    """The dotenv files: ``.env`` (which Posting users pass alongside any other,
    ``--env .env --env dev.env``) gives the collection's variables, every other file
    one Courier environment."""
    try:
        found = read_environments(root)
    except MalformedImport as exc:
        _fail(read, lenient, root, exc)
        return
    for path, text in found:
        try:
            variables = parse_dotenv(text, path.name)
        except MalformedImport as exc:
            _fail(read, lenient, path, exc)
            continue
        if path.name == ".env":
            read.imported.collection.variables = variables
        else:
            read.imported.environments.append(Environment(environment_name(path.name), variables))


def detect_posting_folder(path: Path) -> bool:
    """Is ``path`` a Posting collection: a folder (not a Courier collection) with a
    ``*.posting.yaml`` file in it or in a sub-folder?  Looks at a bounded number of
    entries, breadth first, never parses."""
    if not path.is_dir() or (path / "collection.yaml").exists():
        return False
    budget = _DETECT_BUDGET
    queue = [path]
    while queue and budget > 0:
        directory = queue.pop(0)
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    budget -= 1
                    if entry.name.endswith(SUFFIX) and entry.is_file():
                        return True
                    if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                        queue.append(Path(entry.path))
                    if budget <= 0:
                        break
        except OSError:
            continue
    return False


def _fail(read: PostingFolder, lenient: bool, path: Path, problem: MalformedImport) -> None:
    if not lenient:
        raise problem
    read.problems.append((path, problem.message))


def _walk(root: Path) -> list[tuple[Path, list[str]]]:
    """Every directory under ``root`` with its request files, folders by name
    (hidden ones skipped, symbolic links not followed)."""
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = sorted(f for f in files if f.endswith(SUFFIX))
        found.append((Path(directory), names))
    return found


def _container(
    root: Path, directory: Path, folders: dict[Path, Folder | Collection]
) -> Folder | Collection:
    if directory in folders:
        return folders[directory]
    parent = _container(root, directory.parent, folders)
    folder = Folder(name=directory.name)
    parent.folders.append(folder)
    folders[directory] = folder
    return folder


def _drop_empty(container: Folder | Collection) -> None:
    """Folders with no request files anywhere under them are not part of the collection."""
    for folder in container.folders:
        _drop_empty(folder)
    container.folders = [f for f in container.folders if f.folders or f.requests]
