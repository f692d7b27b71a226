"""Which values of a collection are secrets, and the keychain key of each.

A *slot* is one secret value in the model: a secret variable, an auth
credential typed as a literal (a ``{{reference}}`` is not a secret: it names
one), or the password inside a proxy URL.  Its key is
``<collection id>/<scope>/<name>``, where the scope says which file holds it:
``collection``, ``env:<environment file>``, ``folder:<path>``,
``auth:<file path>`` or ``settings:<file path>``.  Keys name files, not display
names, because two environments may share a name ("prod" in prod.yaml and
prod-2.yaml) but never a file.  Environment secrets were once keyed by name
(``env:<name>``): such a slot carries that ``legacy_key`` so the session can
move an old entry to its new key.

Services use the slots to fill values in from the keychain after loading and
to store them when saving; files never hold them.  A value the keychain could
not give is an ``unknown_secret`` marker, never "": see that module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core import proxy_url
from app.core.codec import is_reference
from app.core.model import (
    CREDENTIAL_FIELDS,
    Auth,
    AuthKind,
    Collection,
    Folder,
    Request,
    Settings,
    Variable,
)
from app.core.unknown_secret import is_unknown, unknown

PROXY = "proxy"
_FIELD_NAMES = {
    "password": "password",
    "token": "token",
    "key_value": "API key",
    "client_secret": "client secret",
    "secret_key": "secret access key",
    "session_token": "session token",
}


@dataclass(frozen=True, slots=True)
class SecretSlot:
    key: str
    owner: Variable | Auth | Settings
    #: "value" for variables, the credential field for auth, "proxy" for settings
    field: str
    #: what the secret is, for a person ("password of the basic auth in users/folder.yaml")
    label: str = ""
    #: where an older Courier kept this value (read when ``key`` has nothing)
    legacy_key: str | None = None

    def get(self) -> str:
        value: str | None = getattr(self.owner, self.field)
        if self.field == PROXY:
            return proxy_url.password(value)
        return value or ""

    def set(self, value: str) -> None:
        if self.field == PROXY:
            current = getattr(self.owner, PROXY) or ""
            setattr(self.owner, PROXY, proxy_url.with_password(current, value))
        else:
            setattr(self.owner, self.field, value)

    def is_unknown(self) -> bool:
        """The keychain has a value Courier could not read (locked, or no keychain)."""
        return is_unknown(self.get())

    def mark_unknown(self) -> None:
        self.set(unknown(self.label))

    def holds_secret(self) -> bool:
        """True when the current value belongs in the keychain."""
        value = self.get()
        return bool(value) and not is_reference(value) and not is_unknown(value)

    @property
    def clears_when_empty(self) -> bool:
        """An empty credential or proxy password was cleared by the user: its entry goes.

        (An empty secret *variable* is a value like any other.)"""
        return not isinstance(self.owner, Variable)


def _relative(collection: Collection, path: Path | None, fallback: str) -> str:
    if path is None or collection.path is None:
        return fallback
    try:
        return path.relative_to(collection.path).as_posix()
    except ValueError:
        return fallback


def _variable_slots(
    collection: Collection,
    scope: str,
    variables: list[Variable],
    where: str,
    legacy_scope: str | None = None,
) -> list[SecretSlot]:
    return [
        SecretSlot(
            f"{collection.id}/{scope}/{var.name}",
            var,
            "value",
            f"{{{{{var.name}}}}} (a secret variable of {where})",
            f"{collection.id}/{legacy_scope}/{var.name}" if legacy_scope else None,
        )
        for var in variables
        if var.secret and var.name
    ]


def _auth_slots(collection: Collection, where: str, auth: Auth) -> list[SecretSlot]:
    if auth.kind in (AuthKind.INHERIT, AuthKind.NONE):
        return []
    return [
        SecretSlot(
            f"{collection.id}/auth:{where}/{name}",
            auth,
            name,
            f"{_FIELD_NAMES[name]} of the {auth.kind.value} auth in {where}",
        )
        for name in CREDENTIAL_FIELDS
        if name in auth.stored_secrets
        or (getattr(auth, name) and not is_reference(getattr(auth, name)))
    ]


def _proxy_slots(collection: Collection, where: str, settings: Settings) -> list[SecretSlot]:
    secret = proxy_url.password(settings.proxy)
    if not secret or is_reference(secret):
        return []
    # the label travels inside the URL while unknown: nothing that ends a URL's authority
    label = "proxy password in " + "".join(" " if c in "/?#@:" else c for c in where)
    return [SecretSlot(f"{collection.id}/settings:{where}/{PROXY}", settings, PROXY, label)]


def request_slots(collection: Collection, request: Request) -> list[SecretSlot]:
    where = _relative(collection, request.path, f"request:{request.name}")
    return [
        *_auth_slots(collection, where, request.auth),
        *_proxy_slots(collection, where, request.settings),
    ]


def folder_slots(collection: Collection, folder: Folder, *, deep: bool = False) -> list[SecretSlot]:
    where = _relative(collection, folder.path, f"folder:{folder.name}")
    slots = [
        *_variable_slots(collection, f"folder:{where}", folder.variables, f"folder {folder.name}"),
        *_auth_slots(collection, f"{where}/folder.yaml", folder.auth),
        *_proxy_slots(collection, f"{where}/folder.yaml", folder.settings),
    ]
    if deep:
        for request in folder.requests:
            slots.extend(request_slots(collection, request))
        for sub in folder.folders:
            slots.extend(folder_slots(collection, sub, deep=True))
    return slots


def collection_slots(collection: Collection) -> list[SecretSlot]:
    """The collection file's own secrets (its variables, auth and proxy password)."""
    return [
        *_variable_slots(collection, "collection", collection.variables, "the collection"),
        *_auth_slots(collection, "collection.yaml", collection.auth),
        *_proxy_slots(collection, "collection.yaml", collection.settings),
    ]


def environment_slots(collection: Collection) -> list[SecretSlot]:
    """Keyed by the environment's file; an environment not saved yet, by its name."""
    slots: list[SecretSlot] = []
    for env in collection.environments:
        where = f"environment {env.name}"
        if env.path is None:
            slots.extend(_variable_slots(collection, f"env:{env.name}", env.variables, where))
            continue
        scope = "env:" + _relative(collection, env.path, env.path.name)
        slots.extend(
            _variable_slots(collection, scope, env.variables, where, legacy_scope=f"env:{env.name}")
        )
    return slots


def known_keys(slots: list[SecretSlot]) -> set[str]:
    """The keys of ``slots`` whose values Courier knows: the "previous" keys a save may
    delete when the edit removed them.  An unknown secret's entry is never deleted: its
    value was never read, so nobody chose to drop it (and a locked keychain refuses)."""
    return {slot.key for slot in slots if not slot.is_unknown()}


def all_slots(collection: Collection) -> list[SecretSlot]:
    slots = [*collection_slots(collection), *environment_slots(collection)]
    for request in collection.requests:
        slots.extend(request_slots(collection, request))
    for folder in collection.folders:
        slots.extend(folder_slots(collection, folder, deep=True))
    return slots
