"""Workspace: the open collections, the app's remembered state, and every edit
that reaches disk.

Widgets call these methods and catch ``CourierError`` to show a message; each
method changes the files first and the in-memory model with them (storage keeps
both in step), then tells listeners which part of the tree changed.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core import app_state, codec, secret_slots, storage
from app.core.errors import CourierError, StorageError
from app.core.inherit import Resolution, resolve
from app.core.model import Auth, Collection, Environment, Folder, Request, Variable
from app.secrets import SecretStore, open_secret_store
from app.services.demo import DemoService

DEMO_VARIABLE = "$demo"


class Workspace(QObject):
    collectionOpened = Signal(object)  # Collection
    collectionClosed = Signal(object)  # Collection
    collectionReloaded = Signal(object, object)  # (old, new)
    treeChanged = Signal(object)  # the Collection or Folder whose children changed
    itemChanged = Signal(object)  # a renamed Request / Folder / Collection
    environmentChanged = Signal(object)  # the Collection whose active environment changed

    def __init__(
        self,
        demo: DemoService | None = None,
        state_path: Path | None = None,
        parent: QObject | None = None,
        secrets: SecretStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.demo = demo if demo is not None else DemoService(self)
        self.secrets: SecretStore = secrets if secrets is not None else open_secret_store()
        self._state_path = state_path
        self.state = app_state.load_app_state(state_path)
        self.collections: list[Collection] = []

    # ------------------------------------------------------------ app state

    def save_state(self) -> None:
        self.state.open_collections = [str(c.path) for c in self.collections if c.path]
        # losing the recent list must never block quitting
        with contextlib.suppress(OSError, CourierError):
            app_state.save_app_state(self.state, self._state_path)

    def restore(self) -> list[CourierError]:
        """Open what was open last time; on the very first run, the sample collection."""
        errors: list[CourierError] = []
        paths = list(self.state.open_collections)
        if not self.state.first_run_done:
            from app.core.sample import install_sample_collection

            try:
                sample = str(install_sample_collection())
                paths = [sample, *(p for p in paths if p != sample)]
            except (OSError, CourierError) as exc:
                errors.append(StorageError(f"Could not install the sample collection: {exc}"))
            self.state.first_run_done = True
        for path in paths:
            try:
                self.open_collection(Path(path))
            except CourierError as exc:
                errors.append(exc)
        return errors

    def open_sample(self) -> Collection:
        from app.core.sample import install_sample_collection

        try:
            path = install_sample_collection()
        except OSError as exc:
            raise StorageError(f"Could not install the sample collection: {exc}") from exc
        return self.open_collection(path)

    # ---------------------------------------------------------- collections

    def find_open(self, path: Path) -> Collection | None:
        resolved = path.resolve()
        for collection in self.collections:
            if collection.path is not None and collection.path.resolve() == resolved:
                return collection
        return None

    def open_collection(self, path: Path) -> Collection:
        already = self.find_open(path)
        if already is not None:
            return already
        collection = storage.load_collection(path)
        self._fill_secrets(collection)
        self._seed_sample_secrets(collection)
        self.collections.append(collection)
        app_state.add_recent(self.state, str(path))
        self.collectionOpened.emit(collection)
        return collection

    def create_collection(self, directory: Path, name: str) -> Collection:
        collection = storage.create_collection(directory, name)
        self.collections.append(collection)
        app_state.add_recent(self.state, str(directory))
        self.collectionOpened.emit(collection)
        return collection

    def close_collection(self, collection: Collection) -> None:
        if collection in self.collections:
            self.collections = [c for c in self.collections if c is not collection]
            self.collectionClosed.emit(collection)

    def reload_collection(self, collection: Collection) -> Collection:
        assert collection.path is not None
        fresh = storage.load_collection(collection.path)
        self._fill_secrets(fresh)
        self.collections = [fresh if c is collection else c for c in self.collections]
        self.collectionReloaded.emit(collection, fresh)
        return fresh

    def rename_collection(self, collection: Collection, name: str) -> None:
        old = collection.name
        collection.name = name
        try:
            self.save_collection_settings(collection)
        except CourierError:
            collection.name = old
            raise
        self.itemChanged.emit(collection)

    # ------------------------------------------------------ folders/requests

    def add_request(
        self, collection: Collection, parent: Folder | None, request: Request
    ) -> Request:
        added = storage.add_request(collection, parent, request)
        self.treeChanged.emit(parent if parent is not None else collection)
        # literal credentials (e.g. a scratch request saved into the collection): keychain
        self._store_secrets(secret_slots.request_slots(collection, added))
        added.auth.stored_secrets = _secret_fields(added.auth)
        return added

    def add_folder(self, collection: Collection, parent: Folder | None, name: str) -> Folder:
        folder = storage.add_folder(collection, parent, name)
        self.treeChanged.emit(parent if parent is not None else collection)
        return folder

    def save_request(self, collection: Collection, stored: Request, edited: Request) -> None:
        """Write the editor's version of ``stored`` to its file, then adopt it in memory.

        Credentials typed as literals go to the keychain; the file names them only.
        """
        saved = copy.deepcopy(edited)
        saved.name = stored.name
        saved.path = stored.path
        saved.auth.stored_secrets = list(stored.auth.stored_secrets)
        old_slots = {slot.key for slot in secret_slots.request_slots(collection, stored)}
        self._store_secrets(secret_slots.request_slots(collection, saved), old_slots)
        saved.auth.stored_secrets = _secret_fields(saved.auth)
        storage.save_request(collection, saved)
        for name in ("method", "url", "params", "headers", "body", "notes", "auth", "settings"):
            setattr(stored, name, getattr(saved, name))
        stored.disabled_inherited_headers = saved.disabled_inherited_headers
        self.itemChanged.emit(stored)

    def save_collection_settings(self, collection: Collection) -> None:
        self._store_secrets(secret_slots.collection_slots(collection))
        collection.auth.stored_secrets = _secret_fields(collection.auth)
        storage.save_collection_settings(collection)
        self.itemChanged.emit(collection)

    def save_folder_settings(self, collection: Collection, folder: Folder) -> None:
        self._store_secrets(secret_slots.folder_slots(collection, folder))
        folder.auth.stored_secrets = _secret_fields(folder.auth)
        storage.save_folder_settings(collection, folder)
        self.itemChanged.emit(folder)

    def save_environment(self, collection: Collection, environment: Environment) -> None:
        self._store_secrets(secret_slots.environment_slots(collection))
        storage.save_environment(collection, environment)

    def replace_environments(
        self, collection: Collection, edited: list[Environment], removed: list[Environment]
    ) -> None:
        """Adopt edited copies of the environments: save changed, add new, delete removed."""
        by_path = {env.path: env for env in collection.environments if env.path is not None}
        for env in removed:
            original = by_path.get(env.path) if env.path is not None else None
            if original is not None:
                for slot in secret_slots.environment_slots(collection):
                    if slot.owner in original.variables:
                        with contextlib.suppress(Exception):
                            self.secrets.delete(slot.key)
                storage.delete_environment(collection, original)
        result: list[Environment] = []
        for env in edited:
            original = by_path.get(env.path) if env.path is not None else None
            if original is None:
                original = storage.add_environment(collection, env.name)
            original.variables = env.variables
            result.append(original)
        collection.environments = result
        self._store_secrets(secret_slots.environment_slots(collection))
        for env in result:
            storage.save_environment(collection, env)
        self.environmentChanged.emit(collection)

    # -------------------------------------------------------------- secrets

    def _fill_secrets(self, collection: Collection) -> None:
        """Put keychain values into the freshly loaded model (files hold names only)."""
        for slot in secret_slots.all_slots(collection):
            if slot.get():
                continue
            try:
                value = self.secrets.get(slot.key)
            except Exception:  # a keychain that fails now must not stop the collection opening
                value = None
            if value is not None:
                slot.set(value)

    def _seed_sample_secrets(self, collection: Collection) -> None:
        """The sample's secret variables get their demo values the first time."""
        from app.core.sample import SAMPLE_ID, SAMPLE_SECRETS

        if collection.id != SAMPLE_ID:
            return
        for slot in secret_slots.collection_slots(collection):
            owner = slot.owner
            if isinstance(owner, Variable) and not owner.value and owner.name in SAMPLE_SECRETS:
                owner.value = SAMPLE_SECRETS[owner.name]
                with contextlib.suppress(Exception):
                    self.secrets.set(slot.key, owner.value)

    def _store_secrets(
        self, slots: list[secret_slots.SecretSlot], previous: set[str] | None = None
    ) -> None:
        """Keychain first: if it refuses, nothing is written and the user is told why."""
        keep: set[str] = set()
        try:
            for slot in slots:
                if slot.holds_secret():
                    self.secrets.set(slot.key, slot.get())
                    keep.add(slot.key)
                elif slot.owner.__class__ is not Variable:
                    # an auth credential that is now empty or a {{reference}}
                    self.secrets.delete(slot.key)
            for key in (previous or set()) - keep:
                self.secrets.delete(key)
        except Exception as exc:
            raise StorageError(
                f"The keychain refused to store a secret ({exc}); nothing was saved.",
                detail=repr(exc),
            ) from exc

    def _secrets_under(self, collection: Collection, item: Request | Folder) -> dict[str, str]:
        slots = (
            secret_slots.request_slots(collection, item)
            if isinstance(item, Request)
            else secret_slots.folder_slots(collection, item, deep=True)
        )
        return {slot.key: slot.get() for slot in slots if slot.holds_secret()}

    def _move_secrets(
        self, collection: Collection, item: Request | Folder, before: dict[str, str]
    ) -> None:
        """After a rename/move: secrets follow their files to their new keys."""
        after = self._secrets_under(collection, item)
        with contextlib.suppress(Exception):
            for key, value in after.items():
                self.secrets.set(key, value)
            for key in set(before) - set(after):
                self.secrets.delete(key)

    def rename(self, collection: Collection, item: Request | Folder, name: str) -> None:
        before = self._secrets_under(collection, item)
        if isinstance(item, Request):
            storage.rename_request(collection, item, name)
        else:
            storage.rename_folder(collection, item, name)
        self._move_secrets(collection, item, before)
        self.itemChanged.emit(item)

    def duplicate(self, collection: Collection, item: Request | Folder) -> Request | Folder:
        parent = storage.parent_folder(collection, item)
        copy: Request | Folder
        if isinstance(item, Request):
            copy = storage.duplicate_request(collection, item)
        else:
            copy = storage.duplicate_folder(collection, item)
        self._move_secrets(collection, copy, {})  # the copy's secrets under its own keys
        self.treeChanged.emit(parent if parent is not None else collection)
        return copy

    def delete(self, collection: Collection, item: Request | Folder) -> None:
        parent = storage.parent_folder(collection, item)
        before = self._secrets_under(collection, item)
        if isinstance(item, Request):
            storage.delete_request(collection, item)
        else:
            storage.delete_folder(collection, item)
        with contextlib.suppress(Exception):
            for key in before:
                self.secrets.delete(key)
        self.treeChanged.emit(parent if parent is not None else collection)

    # ------------------------------------------------------------- sending

    def active_environment(self, collection: Collection | None) -> Environment | None:
        """The collection's chosen environment (remembered); by default its first one."""
        if collection is None or not collection.environments:
            return None
        chosen = self.state.active_environments.get(collection.id)
        if chosen == "":
            return None  # the user chose "No environment"
        for environment in collection.environments:
            if environment.name == chosen:
                return environment
        return collection.environments[0]

    def set_active_environment(self, collection: Collection, name: str | None) -> None:
        """Switch environments (None: no environment); the next send uses it."""
        self.state.active_environments[collection.id] = name or ""
        self.environmentChanged.emit(collection)

    def builtins(self) -> Mapping[str, str]:
        url = self.demo.base_url
        return {DEMO_VARIABLE: url} if url else {}

    def resolve(
        self, request: Request, collection: Collection | None, stored: Request | None = None
    ) -> Resolution:
        """The request as it will be sent; starts the demo server if it needs it.

        ``request`` may be the editor's copy; ``stored`` is the collection's own
        object, whose place in the folder tree decides what it inherits.
        """
        environment = self.active_environment(collection)
        chain = None
        if collection is not None:
            chain = collection.folder_chain(stored if stored is not None else request) or ()

        def attempt() -> Resolution:
            return resolve(request, collection, environment, builtins=self.builtins(), chain=chain)

        resolution = attempt()
        if DEMO_VARIABLE in resolution.unresolved and not self.demo.is_running():
            self.demo.start()
            resolution = attempt()
        return resolution


def _secret_fields(auth: Auth) -> list[str]:
    """The credential fields of ``auth`` whose values are now in the keychain."""
    from app.core.model import CREDENTIAL_FIELDS

    return [
        name
        for name in CREDENTIAL_FIELDS
        if getattr(auth, name) and not codec.is_reference(getattr(auth, name))
    ]
