"""Workspace: the open collections and every edit that reaches disk, as Qt signals.

A Qt adapter around the Qt-free ``Session`` (which opens collections, holds
secrets and the app's remembered state, resolves and sends).  Widgets call
these methods and catch ``CourierError`` to show a message; each method
changes the files first and the in-memory model with them (storage keeps both
in step), then tells listeners which part of the tree changed.

Opening a collection reads files and asks the keychain for every secret (D-Bus
round trips): the window uses ``open_collection_async`` / ``restore_async``,
which do that in a worker thread while the window stays responsive.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core import secret_slots, storage
from app.core.app_state import AppState
from app.core.errors import CourierError, StorageError
from app.core.inherit import Resolution
from app.core.model import Collection, Environment, Folder, Request
from app.secrets import SecretStore
from app.services.demo import DemoService
from app.session import DEMO_VARIABLE, Session, secret_fields

__all__ = ["DEMO_VARIABLE", "Workspace"]


class Workspace(QObject):
    collectionOpened = Signal(Collection)
    collectionClosed = Signal(Collection)
    collectionReloaded = Signal(Collection, Collection)  # (old, new)
    #: a collection started / failed opening in the background: (path, why)
    collectionOpening = Signal(str)
    collectionOpenFailed = Signal(str, str)
    #: the keychain was opened (in a worker): is it persistent, and why not
    secretsReady = Signal(bool, str)
    #: the collection / folder whose children changed (Qt signals take one type each)
    collectionTreeChanged = Signal(Collection)
    folderTreeChanged = Signal(Folder)
    #: a renamed or saved collection / folder / request
    collectionChanged = Signal(Collection)
    folderChanged = Signal(Folder)
    requestChanged = Signal(Request)
    environmentChanged = Signal(Collection)
    #: something the user should be told, e.g. a copied collection got its own id
    notice = Signal(str)

    def __init__(
        self,
        demo: DemoService | None = None,
        state_path: Path | None = None,
        parent: QObject | None = None,
        secrets: SecretStore | None = None,
        session: Session | None = None,
    ) -> None:
        super().__init__(parent)
        self.demo = demo if demo is not None else DemoService(self)
        self.session = (
            session
            if session is not None
            else Session(secrets=secrets, state_path=state_path, demo=self.demo)
        )
        self._opening: dict[Path, asyncio.Future[Collection]] = {}

    def announce_tree_changed(self, node: Collection | Folder) -> None:
        """Tell listeners the children of ``node`` changed (also for changes made
        outside Courier, see ``app.services.collection_watcher``)."""
        if isinstance(node, Collection):
            self.collectionTreeChanged.emit(node)
        else:
            self.folderTreeChanged.emit(node)

    def announce_changed(self, item: Collection | Folder | Request) -> None:
        """Tell listeners ``item`` itself changed (renamed, saved, changed on disk)."""
        if isinstance(item, Collection):
            self.collectionChanged.emit(item)
        elif isinstance(item, Folder):
            self.folderChanged.emit(item)
        else:
            self.requestChanged.emit(item)

    # ------------------------------------------------------------ app state

    @property
    def collections(self) -> list[Collection]:
        return self.session.collections

    @property
    def state(self) -> AppState:
        return self.session.state

    @property
    def secrets(self) -> SecretStore:
        """The keychain (opening it blocks: the window opens it in a worker first)."""
        return self.session.secrets

    def save_state(self) -> None:
        self.session.save_state()

    def restore(self) -> list[CourierError]:
        """Open what was open last time (blocking; the window uses ``restore_async``)."""
        paths, errors = self.session.collection_paths_to_restore()
        for path in paths:
            try:
                self.open_collection(Path(path))
            except CourierError as exc:
                errors.append(exc)
        return errors

    async def restore_async(self) -> list[CourierError]:
        """Open what was open last time, the files and keychain read in a worker thread."""
        session = self.session
        await asyncio.to_thread(lambda: session.secrets)  # keyring discovery, D-Bus
        self.secretsReady.emit(session.secrets.persistent, session.secrets.reason)
        # on the first run this copies the sample collection: in the worker too
        paths, errors = await asyncio.to_thread(session.collection_paths_to_restore)
        for path in paths:
            try:
                await self.open_collection_async(Path(path))
            except CourierError as exc:
                errors.append(exc)
        # import the network stack and read the cookie jars ahead of the first send
        await asyncio.to_thread(session.warm_up)
        return errors

    def open_sample(self) -> Collection:
        from app.core.sample import install_sample_collection

        try:
            path = install_sample_collection()
        except OSError as exc:
            raise StorageError(f"Could not install the sample collection: {exc}") from exc
        return self.open_collection(path)

    async def open_sample_async(self) -> Collection:
        from app.core.sample import install_sample_collection

        try:
            path = await asyncio.to_thread(install_sample_collection)
        except OSError as exc:
            raise StorageError(f"Could not install the sample collection: {exc}") from exc
        return await self.open_collection_async(path)

    # ---------------------------------------------------------- collections

    def find_open(self, path: Path) -> Collection | None:
        return self.session.find_open(path)

    def open_collection(self, path: Path) -> Collection:
        """Open a collection now (blocking: files and keychain)."""
        already = self.find_open(path)
        if already is not None:
            return already
        collection = self.session.adopt(self.session.load_collection(path))
        self.collectionOpened.emit(collection)
        self._tell()
        return collection

    def _tell(self) -> None:
        for text in self.session.take_notices():
            self.notice.emit(text)

    def open_collection_async(self, path: Path) -> asyncio.Future[Collection]:
        """Open a collection with its files and secrets read in a worker thread.

        Returns a future at once; ``collectionOpening`` says it started.  A
        second call for the same path while it opens gets the same result.
        """
        already = self.find_open(path)
        if already is not None:
            done: asyncio.Future[Collection] = asyncio.get_event_loop().create_future()
            done.set_result(already)
            return done
        key = path.resolve()
        pending = self._opening.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._open_in_worker(path))
            self._opening[key] = pending
            pending.add_done_callback(lambda _f: self._opening.pop(key, None))
        return asyncio.shield(pending)

    async def _open_in_worker(self, path: Path) -> Collection:
        self.collectionOpening.emit(str(path))
        try:
            loaded = await asyncio.to_thread(self.session.load_collection, path)
        except CourierError as exc:
            self.collectionOpenFailed.emit(str(path), exc.message)
            raise
        except OSError as exc:
            error = StorageError(f"Could not open {path}: {exc.strerror or exc}")
            self.collectionOpenFailed.emit(str(path), error.message)
            raise error from exc
        already = self.find_open(path)
        if already is not None:
            return already
        collection = self.session.adopt(loaded)
        self.collectionOpened.emit(collection)
        self._tell()
        return collection

    def create_collection(self, directory: Path, name: str) -> Collection:
        collection = self.session.adopt(storage.create_collection(directory, name))
        self.collectionOpened.emit(collection)
        return collection

    def close_collection(self, collection: Collection) -> None:
        if collection in self.collections:
            self.session.close_collection(collection)
            self.collectionClosed.emit(collection)

    def reload_collection(self, collection: Collection) -> Collection:
        """Read a collection again now (blocking; the window uses ``reload_collection_async``)."""
        assert collection.path is not None
        return self._adopt_reloaded(collection, self.session.load_collection(collection.path))

    async def reload_collection_async(self, collection: Collection) -> Collection:
        """Read a collection again, files and keychain in a worker thread."""
        assert collection.path is not None
        self.collectionOpening.emit(str(collection.path))
        try:
            fresh = await asyncio.to_thread(self.session.load_collection, collection.path)
        except CourierError as exc:
            self.collectionOpenFailed.emit(str(collection.path), exc.message)
            raise
        return self._adopt_reloaded(collection, fresh)

    def _adopt_reloaded(self, collection: Collection, fresh: Collection) -> Collection:
        self.session.replace_collection(collection, fresh)
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
        self.announce_changed(collection)

    # ------------------------------------------------------ folders/requests

    def add_request(
        self, collection: Collection, parent: Folder | None, request: Request
    ) -> Request:
        added = storage.add_request(collection, parent, request)
        self.announce_tree_changed(parent if parent is not None else collection)
        # literal credentials (e.g. a scratch request saved into the collection): keychain
        self.session.store_secrets(secret_slots.request_slots(collection, added))
        added.auth.stored_secrets = secret_fields(added.auth)
        return added

    def add_folder(self, collection: Collection, parent: Folder | None, name: str) -> Folder:
        folder = storage.add_folder(collection, parent, name)
        self.announce_tree_changed(parent if parent is not None else collection)
        return folder

    def save_request(
        self, collection: Collection, stored: Request, edited: Request, *, force: bool = False
    ) -> None:
        """Write the editor's version of ``stored`` to its file, then adopt it in memory.

        Credentials typed as literals go to the keychain; the file names them only.
        Raises ``FileChangedOnDisk`` when the file changed since Courier read it,
        unless ``force`` (the user chose to keep their version).
        """
        saved = copy.deepcopy(edited)
        saved.name = stored.name
        saved.path = stored.path
        saved.disk = stored.disk  # the file as Courier read it: a save refuses newer edits
        saved.auth.stored_secrets = list(stored.auth.stored_secrets)
        old_slots = {slot.key for slot in secret_slots.request_slots(collection, stored)}
        self.session.store_secrets(secret_slots.request_slots(collection, saved), old_slots)
        saved.auth.stored_secrets = secret_fields(saved.auth)
        storage.save_request(collection, saved, force=force)
        stored.disk = saved.disk
        for name in ("method", "url", "params", "headers", "body", "notes", "auth", "settings"):
            setattr(stored, name, getattr(saved, name))
        stored.disabled_inherited_headers = saved.disabled_inherited_headers
        self.announce_changed(stored)

    def save_collection_settings(self, collection: Collection) -> None:
        self.session.store_secrets(secret_slots.collection_slots(collection))
        collection.auth.stored_secrets = secret_fields(collection.auth)
        storage.save_collection_settings(collection)
        self.announce_changed(collection)

    def save_folder_settings(self, collection: Collection, folder: Folder) -> None:
        self.session.store_secrets(secret_slots.folder_slots(collection, folder))
        folder.auth.stored_secrets = secret_fields(folder.auth)
        storage.save_folder_settings(collection, folder)
        self.announce_changed(folder)

    def save_environment(self, collection: Collection, environment: Environment) -> None:
        self.session.store_secrets(secret_slots.environment_slots(collection))
        storage.save_environment(collection, environment)

    def replace_environments(
        self, collection: Collection, edited: list[Environment], removed: list[Environment]
    ) -> None:
        """Adopt edited copies of the environments: save changed, add new, delete removed."""
        by_path = {env.path: env for env in collection.environments if env.path is not None}
        for env in removed:
            original = by_path.get(env.path) if env.path is not None else None
            if original is not None:
                self.session.forget_secrets(
                    [
                        slot.key
                        for slot in secret_slots.environment_slots(collection)
                        if slot.owner in original.variables
                    ]
                )
                storage.delete_environment(collection, original)
        result: list[Environment] = []
        for env in edited:
            original = by_path.get(env.path) if env.path is not None else None
            if original is None:
                original = storage.add_environment(collection, env.name)
            original.variables = env.variables
            result.append(original)
        collection.environments = result
        self.session.store_secrets(secret_slots.environment_slots(collection))
        for env in result:
            storage.save_environment(collection, env)
        self.environmentChanged.emit(collection)

    def rename(self, collection: Collection, item: Request | Folder, name: str) -> None:
        before = self.session.secrets_under(collection, item)
        if isinstance(item, Request):
            storage.rename_request(collection, item, name)
        else:
            storage.rename_folder(collection, item, name)
        self.session.move_secrets(collection, item, before)
        self.announce_changed(item)

    def duplicate(self, collection: Collection, item: Request | Folder) -> Request | Folder:
        parent = storage.parent_folder(collection, item)
        copy: Request | Folder
        if isinstance(item, Request):
            copy = storage.duplicate_request(collection, item)
        else:
            copy = storage.duplicate_folder(collection, item)
        self.session.move_secrets(collection, copy, {})  # the copy's secrets under its own keys
        self.announce_tree_changed(parent if parent is not None else collection)
        return copy

    def delete(
        self, collection: Collection, item: Request | Folder, *, also_delete: Iterable[Path] = ()
    ) -> None:
        """Delete ``item``; ``also_delete``: the files Courier does not show that the
        user agreed to delete with the folder (``storage.unshown_files``)."""
        parent = storage.parent_folder(collection, item)
        before = self.session.secrets_under(collection, item)
        if isinstance(item, Request):
            storage.delete_request(collection, item)
        else:
            storage.delete_folder(collection, item, also_delete=set(also_delete))
        self.session.forget_secrets(list(before))
        self.announce_tree_changed(parent if parent is not None else collection)

    # --------------------------------------------------------- environments

    def active_environment(self, collection: Collection | None) -> Environment | None:
        """The collection's chosen environment (remembered); by default its first one."""
        return self.session.active_environment(collection)

    def set_active_environment(self, collection: Collection, name: str | None) -> None:
        """Switch environments (None: no environment); the next send uses it."""
        self.session.set_active_environment(collection, name)
        self.environmentChanged.emit(collection)

    def builtins(self) -> Mapping[str, str]:
        return self.session.builtins()

    def resolve(
        self, request: Request, collection: Collection | None, stored: Request | None = None
    ) -> Resolution:
        """The request as it will be sent (pure: the demo server starts when it is sent)."""
        return self.session.resolve(request, collection, stored)
