"""A collection's lasting identity: its ``id`` keys its keychain entries, its
pooled client and its cookie jar, so it must neither change between openings
nor be shared by two folders.

- A collection.yaml without ``id:`` (written by hand, or by an older tool) gets
  the id derived from its folder (``codec.path_id``, the same at every opening),
  and the session writes that id into the file, so the collection keeps it when
  it is moved.  If the file cannot be written, the derived id still holds for as
  long as the folder stays where it is.  Deriving first and writing the derived
  value means no keychain entry is orphaned whichever of the two happens.
- A copied folder (cp -r, a second git worktree) carries its original's id.
  When two open collections have one id, the one opened second gets a new
  random id, written to its collection.yaml; its secrets (read from the shared
  keys) are copied under its new keys and the user is told.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from app.core import secret_slots, storage
from app.core.errors import CourierError
from app.core.model import Collection

if TYPE_CHECKING:
    from app.session.session import Session


def settle_identity(session: Session, collection: Collection) -> None:
    """Give a freshly loaded ``collection`` an id of its own, kept in its file (blocking)."""
    if collection.path is None:
        return
    twin = _open_twin(session, collection)
    if twin is not None:
        _separate_copy(session, collection, twin)
    elif not collection.id_in_file:
        collection.id_in_file = _write_id(session, collection)


def _open_twin(session: Session, collection: Collection) -> Collection | None:
    """An open collection in another folder with the same id."""
    assert collection.path is not None
    here = _resolved(collection.path)
    for other in list(session.collections):
        if other.id == collection.id and other.path is not None and _resolved(other.path) != here:
            return other
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _write_id(session: Session, collection: Collection) -> bool:
    """Write collection.yaml with its id (its secrets stored first, as any save does)."""
    from app.session.session import secret_fields

    try:
        session.store_secrets(secret_slots.collection_slots(collection))
        collection.auth.stored_secrets = secret_fields(collection.auth)
        storage.save_collection_settings(collection)
    except (CourierError, OSError):
        return False
    return True


def _separate_copy(session: Session, collection: Collection, twin: Collection) -> None:
    old_id = collection.id
    collection.id = uuid.uuid4().hex
    state = session.state.active_environments
    if old_id in state:
        state[collection.id] = state[old_id]
    slots = secret_slots.all_slots(collection)
    carried = unknown = 0
    for slot in slots:
        if slot.holds_secret():
            with contextlib.suppress(CourierError):
                session.store_secrets([slot])
                carried += 1
        elif slot.is_unknown():
            unknown += 1  # it stays under the original's key: unreadable, so not copied
    written = _write_id(session, collection)
    collection.id_in_file = written
    lines = [
        f"“{collection.name}” ({collection.path}) is a copy of the open collection "
        f"“{twin.name}” ({twin.path}): both had the id {old_id}, so they shared keychain "
        "entries, connections and cookies. The copy now has its own id"
        + (
            " (written to its collection.yaml)."
            if written
            else ", for this session only: its collection.yaml could not be written."
        ),
    ]
    if carried:
        lines.append(f"{carried} secret(s) were copied to it from the original.")
    if unknown:
        lines.append(
            f"{unknown} secret(s) could not be read from the keychain and were not copied: "
            "enter them again in the copy."
        )
    lines.append("Its cookie jar starts empty.")
    session.notice(" ".join(lines))
