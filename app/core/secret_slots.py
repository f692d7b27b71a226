"""Which values of a collection are secrets, and the keychain key of each.

A *slot* is one secret value in the model: a secret variable, or an auth
credential typed as a literal (a ``{{reference}}`` is not a secret: it names
one).  Its key is ``<collection id>/<scope>/<name>``, where the scope says where
it lives: ``collection``, ``env:<environment>``, ``folder:<path>`` or
``auth:<file path>``.  Services use the slots to fill values in from the
keychain after loading and to store them when saving; files never hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.codec import is_reference
from app.core.model import (
    CREDENTIAL_FIELDS,
    Auth,
    AuthKind,
    Collection,
    Folder,
    Request,
    Variable,
)


@dataclass(frozen=True, slots=True)
class SecretSlot:
    key: str
    owner: Variable | Auth
    field: str  # "value" for variables, the credential field for auth

    def get(self) -> str:
        value: str = getattr(self.owner, self.field)
        return value

    def set(self, value: str) -> None:
        setattr(self.owner, self.field, value)

    def holds_secret(self) -> bool:
        """True when the current value belongs in the keychain."""
        value = self.get()
        return bool(value) and not is_reference(value)


def _relative(collection: Collection, path: Path | None, fallback: str) -> str:
    if path is None or collection.path is None:
        return fallback
    try:
        return path.relative_to(collection.path).as_posix()
    except ValueError:
        return fallback


def _variable_slots(
    collection: Collection, scope: str, variables: list[Variable]
) -> list[SecretSlot]:
    return [
        SecretSlot(f"{collection.id}/{scope}/{var.name}", var, "value")
        for var in variables
        if var.secret and var.name
    ]


def _auth_slots(collection: Collection, where: str, auth: Auth) -> list[SecretSlot]:
    if auth.kind in (AuthKind.INHERIT, AuthKind.NONE):
        return []
    return [
        SecretSlot(f"{collection.id}/auth:{where}/{name}", auth, name)
        for name in CREDENTIAL_FIELDS
        if name in auth.stored_secrets
        or (getattr(auth, name) and not is_reference(getattr(auth, name)))
    ]


def request_slots(collection: Collection, request: Request) -> list[SecretSlot]:
    where = _relative(collection, request.path, f"request:{request.name}")
    return _auth_slots(collection, where, request.auth)


def folder_slots(collection: Collection, folder: Folder, *, deep: bool = False) -> list[SecretSlot]:
    where = _relative(collection, folder.path, f"folder:{folder.name}")
    slots = [
        *_variable_slots(collection, f"folder:{where}", folder.variables),
        *_auth_slots(collection, f"{where}/folder.yaml", folder.auth),
    ]
    if deep:
        for request in folder.requests:
            slots.extend(request_slots(collection, request))
        for sub in folder.folders:
            slots.extend(folder_slots(collection, sub, deep=True))
    return slots


def collection_slots(collection: Collection) -> list[SecretSlot]:
    """The collection file's own secrets (its variables and auth)."""
    return [
        *_variable_slots(collection, "collection", collection.variables),
        *_auth_slots(collection, "collection.yaml", collection.auth),
    ]


def environment_slots(collection: Collection) -> list[SecretSlot]:
    slots: list[SecretSlot] = []
    for env in collection.environments:
        slots.extend(_variable_slots(collection, f"env:{env.name}", env.variables))
    return slots


def all_slots(collection: Collection) -> list[SecretSlot]:
    slots = [*collection_slots(collection), *environment_slots(collection)]
    for request in collection.requests:
        slots.extend(request_slots(collection, request))
    for folder in collection.folders:
        slots.extend(folder_slots(collection, folder, deep=True))
    return slots
