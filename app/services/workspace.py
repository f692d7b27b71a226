"""Workspace: the open collections and every edit that reaches disk, as Qt signals.

A Qt adapter around the Qt-free ``Session`` (which opens collections, holds
secrets and the app's remembered state, resolves and sends).  Widgets call
these methods and catch ``CourierError`` to show a message; each method
changes the files first and the in-memory model with them (storage keeps both
in step), then tells listeners which part of the tree changed.

Opening a collection reads files and asks the keychain for every secret (D-Bus
round trips): the window uses ``open_collection_async`` / ``restore_async``,
which do that in a worker thread while the window stays responsive.

Saving, renaming, duplicating and deleting also reach the keychain (and the
files): their work runs in a worker too, one queue per collection so saves of
one collection never overlap (``app.services.save_queue``).  These methods
still return when the work is done, with its result or its error, but the
window keeps painting meanwhile and shows ``busy``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.core import app_state, disk_apply, disk_scan, secret_slots, storage
from app.core.app_state import AppState
from app.core.errors import CourierError, SecretUnavailable, StorageError
from app.core.inherit import Resolution
from app.core.model import Collection, Environment, Folder, Request
from app.secrets import SecretStore
from app.services import save_queue
from app.services.demo import DemoService
from app.session import DEMO_VARIABLE, Session, secret_fields
from app.session.foreign import refuse_writes

__all__ = ["DEMO_VARIABLE", "Workspace"]

_T = TypeVar("_T")


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
    #: a save runs in the background: (key, what it does); "" when it ended
    busy = Signal(str, str)

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
        #: keychain and file work of saves, renames, deletes: a worker per collection
        self._queue = save_queue.SaveQueue()
        self._busy_count = 0

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
            self._queue.retire(id(collection))
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
        self._queue.retire(id(collection))  # its worker ends after any save still queued
        self.collectionReloaded.emit(collection, fresh)
        return fresh

    def replace_converted(self, foreign: Collection, converted: Collection) -> None:
        """A foreign collection opened in place was converted: the Courier collection
        takes its place (in the sidebar, the open list, the recent list)."""
        if converted.path is not None:
            app_state.add_recent(self.session.state, str(converted.path))
        self._adopt_reloaded(foreign, converted)

    def rename_collection(self, collection: Collection, name: str) -> None:
        old = collection.name
        collection.name = name
        try:
            self.save_collection_settings(collection)
        except CourierError:
            collection.name = old
            raise
        self.announce_changed(collection)

    # ------------------------------------------------------------- workers

    def _in_worker(self, collection: Collection, what: str, work: Callable[[], _T]) -> _T:
        """Run ``work`` (keychain and files) in ``collection``'s save queue; the window
        stays live meanwhile and shows ``what`` (``busy``).  Its exceptions come back here.
        Every write goes through here: a collection opened in place (another tool's)
        refuses them all (``ForeignReadOnly``)."""
        refuse_writes(collection)
        self._busy_count += 1
        key = f"save:{self._busy_count}"
        self.busy.emit(key, what)
        try:
            return save_queue.wait(self._queue.submit(id(collection), work))
        finally:
            self.busy.emit(key, "")

    # ------------------------------------------------------ folders/requests

    def add_request(
        self, collection: Collection, parent: Folder | None, request: Request
    ) -> Request:
        def work() -> Request:
            added = storage.add_request(collection, parent, request)
            # literal credentials (e.g. a scratch request saved into the collection): keychain
            self.session.store_secrets(secret_slots.request_slots(collection, added))
            added.auth.stored_secrets = secret_fields(added.auth)
            return added

        try:
            return self._in_worker(collection, f"Saving {request.name}…", work)
        finally:  # also when only keeping the order failed: the file exists
            self.announce_tree_changed(parent if parent is not None else collection)

    def add_folder(self, collection: Collection, parent: Folder | None, name: str) -> Folder:
        try:
            return self._in_worker(
                collection,
                f"Creating {name}…",
                lambda: storage.add_folder(collection, parent, name),
            )
        finally:  # also when only keeping the order failed: the folder exists
            self.announce_tree_changed(parent if parent is not None else collection)

    def save_request(
        self, collection: Collection, stored: Request, edited: Request, *, force: bool = False
    ) -> None:
        """Write the editor's version of ``stored`` to its file, then adopt it in memory.

        Credentials typed as literals go to the keychain (first: if it refuses,
        the file is not written); the file names them only; credentials the
        edit removed leave the keychain, unknown ones never do.  Raises
        ``FileChangedOnDisk`` when the file changed since Courier read it,
        unless ``force`` (the user chose to keep their version).
        """
        saved = copy.deepcopy(edited)
        saved.name = stored.name
        saved.path = stored.path
        saved.disk = stored.disk  # the file as Courier read it: a save refuses newer edits
        saved.auth.stored_secrets = list(stored.auth.stored_secrets)
        previous = secret_slots.known_keys(secret_slots.request_slots(collection, stored))

        def work() -> None:
            self.session.store_secrets(secret_slots.request_slots(collection, saved), previous)
            saved.auth.stored_secrets = secret_fields(saved.auth)
            storage.save_request(collection, saved, force=force)
            stored.disk = saved.disk  # at once: a scan now sees Courier's own write

        self._in_worker(collection, f"Saving {stored.name}…", work)
        for name in ("method", "url", "params", "headers", "body", "notes", "auth", "settings"):
            setattr(stored, name, getattr(saved, name))
        stored.disabled_inherited_headers = saved.disabled_inherited_headers
        self.announce_changed(stored)

    def save_collection_settings(
        self, collection: Collection, *, before: Collection | None = None, force: bool = False
    ) -> None:
        """Write collection.yaml, its secrets to the keychain first.

        ``before``: the collection as it was before the edit, so the secrets the
        edit removed (auth set to None, a proxy password or secret variable
        deleted) leave the keychain; unknown ones (keychain locked) never do.
        """
        previous = (
            secret_slots.known_keys(secret_slots.collection_slots(before))
            if before is not None
            else None
        )

        def work() -> None:
            self.session.store_secrets(secret_slots.collection_slots(collection), previous)
            collection.auth.stored_secrets = secret_fields(collection.auth)
            storage.save_collection_settings(collection, force=force)

        self._in_worker(collection, f"Saving the settings of {collection.name}…", work)
        self.announce_changed(collection)

    def save_folder_settings(
        self,
        collection: Collection,
        folder: Folder,
        *,
        before: Folder | None = None,
        force: bool = False,
    ) -> None:
        """Write the folder's folder.yaml, its secrets first (``before``: as for a collection)."""
        previous = (
            secret_slots.known_keys(secret_slots.folder_slots(collection, before))
            if before is not None
            else None
        )

        def work() -> None:
            self.session.store_secrets(secret_slots.folder_slots(collection, folder), previous)
            folder.auth.stored_secrets = secret_fields(folder.auth)
            storage.save_folder_settings(collection, folder, force=force)

        self._in_worker(collection, f"Saving the settings of {folder.name}…", work)
        self.announce_changed(folder)

    def save_environment(
        self, collection: Collection, environment: Environment, *, force: bool = False
    ) -> None:
        def work() -> None:
            self.session.store_secrets(secret_slots.environment_slots(collection))
            storage.save_environment(collection, environment, force=force)

        self._in_worker(collection, f"Saving {environment.name}…", work)

    def replace_environments(
        self,
        collection: Collection,
        edited: list[Environment],
        removed: list[Environment],
        *,
        force: bool = False,
    ) -> None:
        """Adopt edited copies of the environments: save changed, add new, delete removed.

        The secrets of removed environments and variables leave the keychain
        (never unknown ones).  A new environment's copy gets its file's path, so
        saving the same edits again (keep mine) does not add it twice.
        """
        by_path = {env.path: env for env in collection.environments if env.path is not None}
        previous = secret_slots.known_keys(secret_slots.environment_slots(collection))

        def work() -> None:
            for env in removed:
                original = by_path.get(env.path) if env.path is not None else None
                if original is not None:
                    storage.delete_environment(collection, original)
            result: list[Environment] = []
            for env in edited:
                original = by_path.get(env.path) if env.path is not None else None
                if original is None:
                    original = storage.add_environment(collection, env.name)
                    env.path = original.path
                original.variables = env.variables
                result.append(original)
            collection.environments = result
            self.session.store_secrets(secret_slots.environment_slots(collection), previous)
            for env in result:
                storage.save_environment(collection, env, force=force)

        try:
            self._in_worker(collection, f"Saving the environments of {collection.name}…", work)
        finally:
            self.environmentChanged.emit(collection)

    def rename(self, collection: Collection, item: Request | Folder, name: str) -> None:
        """Rename a request or folder; its secrets move to their new keys with it.

        Refused (``SecretUnavailable``) while a secret it holds is unknown (the
        keychain is locked): that value cannot be read, so it cannot move, and
        left under its old key it would be lost to the renamed item.
        """

        def work() -> None:
            self._refuse_unknown(collection, item, f"rename “{item.name}”", "move with it")
            before = self.session.secrets_under(collection, item)
            with _order_reported_last() as then:
                if isinstance(item, Request):
                    then(lambda: storage.rename_request(collection, item, name))
                else:
                    then(lambda: storage.rename_folder(collection, item, name))
                self.session.move_secrets(collection, item, before)

        try:
            self._in_worker(collection, f"Renaming {item.name}…", work)
        finally:  # also when only keeping the order failed: the file has its new name
            self._tell()
            self.announce_changed(item)

    def move(
        self, collection: Collection, item: Request | Folder, target: Folder | None, index: int
    ) -> None:
        """Move a request or folder to ``index`` among its kind in ``target`` (None: the top
        level) of the same collection: a reorder rewrites its folder's order only; into
        another folder its file moves, and its secrets move to their new keys with it
        (refused while one is unknown, as for a rename).  Open editors keep the same
        ``Request`` object, whose ``path`` now names the new file."""
        source = storage.parent_folder(collection, item)

        def work() -> None:
            if source is target:
                storage.move(collection, item, target, index)
                return
            self._refuse_unknown(collection, item, f"move “{item.name}”", "move with it")
            before = self.session.secrets_under(collection, item)
            with _order_reported_last() as then:
                then(lambda: storage.move(collection, item, target, index))
                self.session.move_secrets(collection, item, before)

        try:
            self._in_worker(collection, f"Moving {item.name}…", work)
        finally:
            self._tell()
            self.announce_tree_changed(source if source is not None else collection)
            if target is not source:
                self.announce_tree_changed(target if target is not None else collection)

    def duplicate(self, collection: Collection, item: Request | Folder) -> Request | Folder:
        """Copy a request or folder; the copy's secrets are stored under its own keys
        (refused while one is unknown: the copy would silently lack it)."""
        parent = storage.parent_folder(collection, item)

        def work() -> Request | Folder:
            self._refuse_unknown(collection, item, f"duplicate “{item.name}”", "are copied")
            copy: Request | Folder
            unkept: storage.OrderNotKept | None = None
            try:
                if isinstance(item, Request):
                    copy = storage.duplicate_request(collection, item)
                else:
                    copy = storage.duplicate_folder(collection, item)
            except storage.OrderNotKept as exc:  # the copy is made: its secrets follow
                if exc.item is None:
                    raise
                copy, unkept = exc.item, exc
            self.session.move_secrets(collection, copy, {})
            if unkept is not None:
                raise unkept
            return copy

        try:
            return self._in_worker(collection, f"Duplicating {item.name}…", work)
        finally:  # also when only keeping the order failed: the copy exists
            self._tell()
            self.announce_tree_changed(parent if parent is not None else collection)

    def _refuse_unknown(
        self, collection: Collection, item: Request | Folder, action: str, secrets_do: str
    ) -> None:
        """Worker: read the item's unknown secrets again; raise if some stay unknown."""
        labels = self.session.read_unknown_under(collection, item)
        if labels:
            raise SecretUnavailable(
                f"Unlock the keychain to {action}: its secrets {secrets_do}, and Courier "
                f"cannot read {'this one' if len(labels) == 1 else 'these'} now: "
                f"{'; '.join(labels)}. Nothing was changed.",
                labels=labels,
            )

    def delete(
        self, collection: Collection, item: Request | Folder, *, also_delete: Iterable[Path] = ()
    ) -> None:
        """Delete ``item``; ``also_delete``: the files Courier does not show that the
        user agreed to delete with the folder (``storage.unshown_files``)."""
        parent = storage.parent_folder(collection, item)
        unshown = set(also_delete)

        def work() -> None:
            before = self.session.secrets_under(collection, item)
            with _order_reported_last() as then:
                if isinstance(item, Request):
                    then(lambda: storage.delete_request(collection, item))
                else:
                    then(lambda: storage.delete_folder(collection, item, also_delete=unshown))
                self.session.forget_secrets(list(before))

        try:
            self._in_worker(collection, f"Deleting {item.name}…", work)
        finally:  # also when only keeping the order failed: the files are gone
            self.announce_tree_changed(parent if parent is not None else collection)

    def read_disk_changes(
        self, collection: Collection, known: disk_scan.KnownFiles, paths: set[Path]
    ) -> disk_scan.DiskChanges:
        """What changed on disk among ``paths`` (blocking: run it in a worker), with the
        keychain read for secrets the new or changed files name."""
        changes = disk_scan.scan(known, paths)
        requests, folders, environments = changes.new_objects()
        if requests or folders or environments:
            shell = Collection(
                name=collection.name,
                id=collection.id,
                path=collection.path,
                requests=requests,
                folders=folders,
                environments=environments,
            )
            with contextlib.suppress(Exception):  # no keychain: the values stay empty
                self.session.fill_secrets(shell)
        return changes

    def take_theirs(self, collection: Collection, paths: Iterable[Path]) -> None:
        """Adopt these files as they are on disk now (the user chose "take theirs" after
        a save found them changed): read in the worker, with the keychain for secrets
        they newly name, applied in place.  Requests are left to the watcher."""
        known = disk_scan.known_files(collection)
        touched = set(paths)

        def work() -> disk_scan.DiskChanges:
            return self.read_disk_changes(collection, known, touched)

        changes = self._in_worker(collection, "Reading the file's version…", work)
        if not changes:
            return
        applied = disk_apply.apply(collection, changes, _hold_requests)
        for node in applied.trees:
            self.announce_tree_changed(node)
        for item in applied.items:
            self.announce_changed(item)
        if applied.environments:
            self.environmentChanged.emit(collection)

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


@contextlib.contextmanager
def _order_reported_last() -> Iterator[Callable[[Callable[[], object]], None]]:
    """Run storage steps whose only possible late failure is ``OrderNotKept`` (the item
    is added, renamed, moved or deleted already): the rest of the block (the
    secrets following the item) still runs, then the failure is raised."""
    unkept: list[storage.OrderNotKept] = []

    def then(step: Callable[[], object]) -> None:
        try:
            step()
        except storage.OrderNotKept as exc:
            unkept.append(exc)

    yield then
    if unkept:
        raise unkept[0]


def _hold_requests(_request: Request) -> bool:
    """``take_theirs`` reads settings files: requests stay as they are (the watcher's)."""
    return True
