"""An import written through a ``Session``: secrets into its keychain, the files in one
batch, into a new collection or one the session has open (blocking: run it in a
worker).  The command line and the window share it.

    imported = parse_postman(text)                 # MalformedImport: nothing written
    placed = import_into(session, imported, into)  # StorageError / keychain errors: nothing left
    placed.collection, placed.folder, imported.report.lines()
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core import storage
from app.core.errors import StorageError
from app.core.importers import Imported, write_into_collection, write_new_collection
from app.core.model import Collection, Folder
from app.session.session import Session


@dataclass(frozen=True, slots=True)
class PlacedImport:
    """Where an import landed."""

    collection: Collection
    #: the new top-level folder when added to an existing collection (None: a new
    #: collection, or only environments were added)
    folder: Folder | None
    created: bool
    #: False when the session has no working keychain: the secrets were not kept
    secrets_kept: bool


def import_into(session: Session, imported: Imported, into: Path) -> PlacedImport:
    """Write ``imported`` into ``into``: the collection there (the open one if the
    session has it open), or a new collection when ``into`` holds none."""
    store = session.store_secrets if session.secrets.persistent else None
    if (into / storage.COLLECTION_FILE).is_file():
        collection = session.find_open(into) or session.load_collection(into, settle_identity=False)
        folder = write_into_collection(imported, collection, store)
        return PlacedImport(collection, folder, False, store is not None)
    if into.exists() and not into.is_dir():
        raise StorageError(f"{into} is not a directory.")
    collection = write_new_collection(imported, into, store)
    return PlacedImport(collection, None, True, store is not None)
