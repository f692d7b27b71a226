"""Another tool's collection folder (Posting, Bruno) opened in place, and converted.

Opening reads the folder with the format's importer: its requests, variables and
environments are sent exactly as Courier's own, and nothing is ever written into
the folder (``Collection.foreign`` marks it; ``refuse_writes`` is the one check
every write of the workspace goes through).  A file that cannot be read is
listed as a problem, the rest stays usable.  To save a change the user converts
it: ``convert`` writes a Courier collection into a new folder (one batch,
secrets to the keychain) and leaves the original untouched.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from app.core import codec
from app.core.errors import CourierError, StorageError
from app.core.importers import Imported, MalformedImport, collection_format
from app.core.importers.bruno import read_bruno_folder
from app.core.importers.formats import CollectionFormat
from app.core.importers.posting import read_posting_folder
from app.core.model import Collection, Folder, LoadProblem, Request
from app.session.collection_import import import_into
from app.session.session import Session


class ForeignReadOnly(CourierError):
    """A write asked of a collection opened in place: it must be converted first."""

    title = "Convert to save"

    def __init__(self, collection: Collection) -> None:
        super().__init__(convert_question(collection))
        self.collection = collection


def label_of(collection: Collection) -> str:
    """ "Posting collection" for a Posting folder opened in place ("" for Courier's own)."""
    if not collection.foreign:
        return ""
    try:
        return collection_format(collection.foreign).label
    except KeyError:
        return f"{collection.foreign} collection"


def tool_of(collection: Collection) -> str:
    """The tool's name as the sidebar shows it ("Posting")."""
    label = label_of(collection)
    return label.removesuffix(" collection") if label else ""


def convert_question(collection: Collection) -> str:
    return f"This is a {label_of(collection)}. Convert it to a Courier collection to save changes?"


def refuse_writes(collection: Collection) -> None:
    """Raise ``ForeignReadOnly`` for a collection opened in place (nothing is written)."""
    if collection.foreign:
        raise ForeignReadOnly(collection)


def load_foreign(path: Path, chosen: CollectionFormat) -> Collection:
    """The collection in the folder ``path`` as ``chosen`` reads it, marked foreign.

    A Posting request file that cannot be read is a problem of the collection;
    for another format a broken file makes the whole folder one problem (its
    importer reads all or nothing)."""
    problems: list[LoadProblem] = []
    sources: list[tuple[Request, Path]] = []
    if chosen.name == "posting":
        read = read_posting_folder(path, lenient=True)
        imported = read.imported
        sources = read.sources
        problems = [LoadProblem(where, reason) for where, reason in read.problems]
    else:
        assert chosen.parse_folder is not None
        try:
            if chosen.name == "bruno":
                bruno = read_bruno_folder(path)
                imported, sources = bruno.imported, bruno.sources
            else:
                imported = chosen.parse_folder(path)
        except MalformedImport as exc:
            imported = Imported(Collection(name=path.name))
            problems = [LoadProblem(path, exc.message)]
    collection = imported.collection
    collection.environments = imported.environments
    collection.path = path
    collection.id = codec.path_id(path)
    collection.id_in_file = True  # nothing is to be written into the folder
    collection.foreign = chosen.name
    collection.problems = problems
    for request, source in sources:
        request.path = source  # tabs follow a request across re-reads by its file
    _place_folders(collection.folders, path)
    return collection


def _place_folders(folders: list[Folder], parent: Path) -> None:
    for folder in folders:
        folder.path = parent / folder.name
        _place_folders(folder.folders, folder.path)


@dataclass(frozen=True, slots=True)
class Converted:
    """A foreign collection written as Courier's: the new collection, and each old
    request with the new one it became."""

    collection: Collection
    requests: dict[int, Request]
    #: False when the session has no working keychain: the credentials were not kept
    secrets_kept: bool


def default_target(collection: Collection) -> Path:
    """``<folder> (Courier)`` next to the foreign folder (a number added if taken)."""
    assert collection.path is not None
    parent, name = collection.path.parent, collection.path.name
    target = parent / f"{name} (Courier)"
    n = 2
    while target.exists():
        target = parent / f"{name} (Courier {n})"
        n += 1
    return target


def convert(session: Session, collection: Collection, target: Path) -> Converted:
    """Write ``collection`` (opened in place) as a Courier collection in the new folder
    ``target`` and read it back (blocking: run it in a worker).  The foreign folder
    is never touched."""
    if target.exists():
        raise StorageError(f"{target} already exists; choose a new folder.")
    model = copy.deepcopy(collection)
    model.foreign = ""
    model.path = None
    model.disk = None
    model.problems = []
    model.id = Collection(name=model.name).id
    environments, model.environments = model.environments, []
    for environment in environments:
        environment.path = environment.disk = None
    _strip(model)
    placed = import_into(session, Imported(model, environments), target)
    fresh = session.load_collection(target)
    old = [r for _chain, r in collection.iter_requests()]
    new = [r for _chain, r in fresh.iter_requests()]
    if [r.name for r in old] != [r.name for r in new]:
        raise StorageError(f"The converted collection in {target} does not match; check it.")
    pairs = {id(o): n for o, n in zip(old, new, strict=True)}
    return Converted(fresh, pairs, placed.secrets_kept)


def _strip(container: Collection | Folder) -> None:
    for request in container.requests:
        request.path = request.disk = None
    for folder in container.folders:
        folder.path = folder.disk = None
        folder.order = None
        _strip(folder)
    container.order = None


def foreign_root(request_file: Path) -> Path | None:
    """The folder of the foreign collection a request file belongs to (for ``courier
    send``), None when it is none.  A Posting collection is whatever folder Posting was
    started on, so the nearest folder above holding its dotenv files is taken (else
    the file's own folder); another format's folder is the nearest one it detects."""
    from app.core.importers.formats import COLLECTION_FORMATS
    from app.core.importers.posting import SUFFIX
    from app.core.importers.posting_text import is_env_file

    parents = request_file.resolve().parents
    if request_file.name.endswith(SUFFIX):
        for directory in parents:
            if directory == Path.home() or directory.parent == directory:
                break
            try:
                if any(is_env_file(p.name) and p.is_file() for p in directory.iterdir()):
                    return directory
            except OSError:
                break
        return parents[0]
    if request_file.name.endswith(".request.yaml"):
        return None  # Courier's own file outside a collection
    detectors = [
        chosen.detect_folder
        for chosen in COLLECTION_FORMATS
        if chosen.detect_folder is not None and chosen.name != "posting"
    ]
    for directory in parents:
        if any(detect(directory) for detect in detectors):
            return directory
    return None
