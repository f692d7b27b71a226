"""Session: Courier without Qt.

Open collections (files and keychain secrets), environments, resolving a
request against its folder chain, collection and active environment, and
sending it as an ``Exchange`` on the collection's pooled client.  The Qt
services wrap a Session with signals and threads; ``courier send`` uses it
directly.

Blocking work is named as such: ``load_collection`` (files, keychain) and the
first ``secrets`` access (keyring's backend discovery, a D-Bus round trip) are
meant for a worker thread when a window is waiting; the async methods never
block the event loop (the demo server starts and cookie jars are written in
worker threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.core import app_state, paths, secret_slots, storage
from app.core.errors import CourierError, SecretUnavailable, StorageError
from app.core.inherit import Resolution, resolve
from app.core.model import Auth, Collection, Environment, Folder, Request, Variable
from app.secrets import SecretStore, open_secret_store
from app.session.unknown import unknown_in

if TYPE_CHECKING:
    from app.core.resolved import ClientProfile, ResolvedAuth
    from app.net.body_store import BodyStore
    from app.net.clients import ClientPool
    from app.net.downloads import DownloadOptions, DownloadSnapshot, DownloadSource, DownloadTask
    from app.net.engine import EventSink
    from app.net.exchange import Exchange

DEMO_VARIABLE = "$demo"


class DemoProvider(Protocol):
    """The built-in demo server, started on demand."""

    @property
    def base_url(self) -> str | None: ...

    async def start_async(self) -> str:
        """Start it (once, in a worker thread) and return its base URL."""
        ...

    def stop(self) -> None: ...


class BackgroundDemo:
    """The demo server in a background thread, started without blocking the loop."""

    def __init__(self) -> None:
        from app.demo.runner import DemoServer

        self._server: DemoServer | None = None
        self._starting: asyncio.Future[str] | None = None

    @property
    def base_url(self) -> str | None:
        return self._server.base_url if self._server is not None else None

    async def start_async(self) -> str:
        if self._server is not None:
            return self._server.base_url
        if self._starting is None:
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._start))
        return await asyncio.shield(self._starting)

    def _start(self) -> str:
        from app.demo.runner import DemoServer

        server = DemoServer()
        server.start()
        self._server = server
        return server.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        self._starting = None
        if server is not None:
            server.stop()


class Session:
    def __init__(
        self,
        *,
        secrets: SecretStore | None = None,
        state_path: Path | None = None,
        demo: DemoProvider | None = None,
        body_directory: Path | None = None,
    ) -> None:
        self._secrets = secrets
        #: keychain key -> the value Courier knows is stored there (read or written)
        self._in_keychain: dict[str, str] = {}
        self._state_path = state_path
        with contextlib.suppress(OSError):  # an older Courier's laxer modes, made owner-only
            paths.tighten()
        self.state = app_state.load_app_state(state_path)
        self.collections: list[Collection] = []
        self.demo: DemoProvider = demo if demo is not None else BackgroundDemo()
        #: where response bodies go once they outgrow memory (None: the system's temp dir)
        self.body_directory = body_directory
        #: ``--var NAME=VALUE``: values that win over every other definition
        self.overrides: dict[str, str] = {}
        self._pool: ClientPool | None = None
        self._pool_lock = threading.Lock()
        self._cookie_save: asyncio.Task[None] | None = None
        self._cookies_dirty = False
        #: why the keychain last refused a read ("" : it never did)
        self._unreadable = ""
        #: things the user should be told (e.g. a copied collection got its own id)
        self._notices: list[str] = []
        self._notices_lock = threading.Lock()

    # -------------------------------------------------------------- secrets

    @property
    def secrets_opened(self) -> bool:
        """Is the keychain open already (reading ``secrets`` will not block)?"""
        return self._secrets is not None

    @property
    def secrets(self) -> SecretStore:
        """The keychain (opened on first use: blocking, keyring finds its backend)."""
        if self._secrets is None:
            self._secrets = open_secret_store()
        return self._secrets

    def fill_secrets(self, collection: Collection) -> None:
        """Put keychain values into a freshly loaded model (files hold names only).

        A value the keychain cannot give (locked, or no keychain at all) becomes an
        *unknown* marker, never "": saving keeps its reference and its entry, and a
        send that needs it is refused (``prepare``) until a later read succeeds.
        """
        self._fill([s for s in secret_slots.all_slots(collection) if _unfilled(s)])

    def _fill(self, slots: list[secret_slots.SecretSlot]) -> None:
        moved: list[str] = []  # legacy keys whose values now live under their new keys
        for slot in slots:
            try:
                value = self.secrets.get(slot.key)
                if value is None and slot.legacy_key is not None:
                    value = self._migrate(slot, moved)
            except Exception as exc:  # a keychain that fails must not stop the collection opening
                self._unreadable = f"{type(exc).__name__}: {exc}"
                slot.mark_unknown()
                continue
            if value is not None:
                slot.set(value)
                self._in_keychain[slot.key] = value
            elif not self.secrets.persistent:
                slot.mark_unknown()  # no keychain: what the file names is there, unread
            elif slot.is_unknown():
                slot.set("")  # the keychain answered: there is no such entry
        for key in dict.fromkeys(moved):  # after every slot that shared it got its copy
            with contextlib.suppress(Exception):
                self._delete_secret(key)

    def _migrate(self, slot: secret_slots.SecretSlot, moved: list[str]) -> str | None:
        """Read the value an older Courier kept under ``slot.legacy_key``; copy it to
        ``slot.key`` (the old entry is deleted once every slot had its chance)."""
        assert slot.legacy_key is not None
        value = self.secrets.get(slot.legacy_key)
        if value is not None:
            with contextlib.suppress(Exception):  # not copied: read from the old key again
                self.secrets.set(slot.key, value)
                self._in_keychain[slot.key] = value
                moved.append(slot.legacy_key)
        return value

    def read_unknown_secrets(
        self, collection: Collection, request: Request | None = None, stored: Request | None = None
    ) -> bool:
        """Try the keychain again for the unknown secrets ``request`` may use (blocking).

        Called before a send: a keychain locked when the collection opened may be
        unlocked now.  ``request`` may be an editor's copy of ``stored``.  True when
        nothing it may use is unknown any more.
        """
        slots = [s for s in self._slots_for(collection, request, stored) if s.is_unknown()]
        self._fill(slots)
        return not any(slot.is_unknown() for slot in slots)

    def _slots_for(
        self, collection: Collection, request: Request | None, stored: Request | None
    ) -> list[secret_slots.SecretSlot]:
        """The slots a send of ``request`` can use: not the whole collection's."""
        slots = [
            *secret_slots.collection_slots(collection),
            *secret_slots.environment_slots(collection),
        ]
        if request is not None:
            for folder in collection.folder_chain(stored if stored is not None else request) or ():
                slots.extend(secret_slots.folder_slots(collection, folder))
            slots.extend(secret_slots.request_slots(collection, request))
            if stored is not None and stored is not request:
                slots.extend(secret_slots.request_slots(collection, stored))
        return slots

    def unknown_secrets_note(self, labels: list[str]) -> str:
        """Why a send was refused: which secrets, and what to do."""
        why = (
            self.secrets.reason
            or (f"the keychain refused: {self._unreadable}" if self._unreadable else "")
            or "the keychain did not give them"
        )
        names = "; ".join(labels)
        return (
            f"Courier could not read {'this secret' if len(labels) == 1 else 'these secrets'} "
            f"from the keychain, so nothing was sent: {names}. ({why}) Unlock the keychain "
            "and send again, or type the value again."
        )

    def notice(self, text: str) -> None:
        with self._notices_lock:
            self._notices.append(text)

    def take_notices(self) -> list[str]:
        """What the user should be told since the last call (the window shows it)."""
        with self._notices_lock:
            notices, self._notices = self._notices, []
        return notices

    def seed_sample_secrets(self, collection: Collection) -> None:
        """The sample's secret variables get their demo values the first time."""
        from app.core.sample import SAMPLE_ID, SAMPLE_SECRETS

        if collection.id != SAMPLE_ID:
            return
        for slot in secret_slots.collection_slots(collection):
            owner = slot.owner
            if not isinstance(owner, Variable) or owner.name not in SAMPLE_SECRETS:
                continue
            # (a session-only store has nothing to give: the demo values are public)
            if not owner.value or (slot.is_unknown() and not self.secrets.persistent):
                owner.value = SAMPLE_SECRETS[owner.name]
                with contextlib.suppress(Exception):
                    self.secrets.set(slot.key, owner.value)
                    self._in_keychain[slot.key] = owner.value

    def store_secrets(
        self, slots: list[secret_slots.SecretSlot], previous: set[str] | None = None
    ) -> None:
        """Keychain first: if it refuses, nothing is written and the caller is told why."""
        keep: set[str] = set()
        try:
            for slot in slots:
                if slot.holds_secret():
                    value = slot.get()
                    if self._in_keychain.get(slot.key) != value:  # unchanged: no D-Bus call
                        self.secrets.set(slot.key, value)
                        self._in_keychain[slot.key] = value
                    keep.add(slot.key)
                elif slot.is_unknown():
                    keep.add(slot.key)  # never read, never changed: its entry stays as it is
                elif slot.clears_when_empty:
                    # an auth credential or proxy password now empty or a {{reference}}
                    self._delete_secret(slot.key)
            for key in (previous or set()) - keep:
                self._delete_secret(key)
        except Exception as exc:
            raise StorageError(
                f"The keychain refused to store a secret ({exc}); nothing was saved.",
                detail=repr(exc),
            ) from exc

    def _delete_secret(self, key: str) -> None:
        self.secrets.delete(key)
        self._in_keychain.pop(key, None)

    def secrets_under(self, collection: Collection, item: Request | Folder) -> dict[str, str]:
        slots = (
            secret_slots.request_slots(collection, item)
            if isinstance(item, Request)
            else secret_slots.folder_slots(collection, item, deep=True)
        )
        return {slot.key: slot.get() for slot in slots if slot.holds_secret()}

    def read_unknown_under(self, collection: Collection, item: Request | Folder) -> list[str]:
        """Read ``item``'s unknown secrets again (blocking: the keychain may be unlocked
        now); the labels of those still unknown.  A rename or copy needs them all:
        a value never read cannot move to the item's new keys."""
        slots = (
            secret_slots.request_slots(collection, item)
            if isinstance(item, Request)
            else secret_slots.folder_slots(collection, item, deep=True)
        )
        unknown = [slot for slot in slots if slot.is_unknown()]
        if unknown:
            self._fill(unknown)
        return [slot.label for slot in unknown if slot.is_unknown()]

    def move_secrets(
        self, collection: Collection, item: Request | Folder, before: dict[str, str]
    ) -> None:
        """After a rename/move: secrets follow their files to their new keys.

        The old entries go only once every new one is written; if the keychain
        refuses, they stay, the values are still in memory (the item's next save
        stores them) and the user is told.
        """
        after = self.secrets_under(collection, item)
        try:
            for key, value in after.items():
                self.secrets.set(key, value)
                self._in_keychain[key] = value
        except Exception as exc:
            self.notice(
                f"The keychain refused to store the secrets of “{item.name}” under its new "
                f"name ({exc}). They are kept under the old one; save “{item.name}” again "
                "to store them, or they must be entered again after a restart."
            )
            return
        with contextlib.suppress(Exception):
            for key in set(before) - set(after):
                self._delete_secret(key)

    def forget_secrets(self, keys: list[str]) -> None:
        with contextlib.suppress(Exception):
            for key in keys:
                self._delete_secret(key)

    # ---------------------------------------------------------- collections

    def find_open(self, path: Path) -> Collection | None:
        resolved = path.resolve()
        for collection in self.collections:
            if collection.path is not None and collection.path.resolve() == resolved:
                return collection
        return None

    def load_collection(self, path: Path, *, settle_identity: bool = True) -> Collection:
        """Read a collection and its keychain secrets (blocking: files and D-Bus).

        ``settle_identity``: give the collection a lasting id of its own, written
        to its collection.yaml (``app.session.identity``); the command line,
        which opens one collection and should not change files, says False (the
        id it derives for a file without one is the one the window writes).
        """
        if not (path / storage.COLLECTION_FILE).is_file():
            from app.core.importers.formats import folder_format

            chosen = folder_format(path)
            if chosen is not None:  # another tool's collection, opened as it is
                from app.session.foreign import load_foreign

                return load_foreign(path, chosen)
        with _no_cyclic_gc():
            collection = storage.load_collection(path)
        self.fill_secrets(collection)
        self.seed_sample_secrets(collection)
        if settle_identity:
            from app.session.identity import settle_identity as settle

            settle(self, collection)
        return collection

    def adopt(self, collection: Collection) -> Collection:
        """Make a loaded collection one of the open ones (or return the one already open)."""
        if collection.path is not None:
            already = self.find_open(collection.path)
            if already is not None:
                return already
        self.collections.append(collection)
        if collection.path is not None:
            app_state.add_recent(self.state, str(collection.path))
        return collection

    def open_collection(self, path: Path) -> Collection:
        already = self.find_open(path)
        if already is not None:
            return already
        return self.adopt(self.load_collection(path))

    def close_collection(self, collection: Collection) -> None:
        self.collections = [c for c in self.collections if c is not collection]
        if self._pool is not None:
            self._pool.discard(collection.id)

    def replace_collection(self, old: Collection, new: Collection) -> None:
        self.collections = [new if c is old else c for c in self.collections]

    def collection_paths_to_restore(self) -> tuple[list[str], list[CourierError]]:
        """What was open last time; on the very first run, the sample collection first."""
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
        return paths, errors

    def save_state(self) -> None:
        self.state.open_collections = [str(c.path) for c in self.collections if c.path]
        with contextlib.suppress(OSError, CourierError):  # never block quitting
            app_state.save_app_state(self.state, self._state_path)

    # --------------------------------------------------------- environments

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
        self.state.active_environments[collection.id] = name or ""

    def environment_named(self, collection: Collection, name: str) -> Environment:
        for environment in collection.environments:
            if environment.name == name:
                return environment
        known = ", ".join(e.name for e in collection.environments) or "none"
        raise StorageError(
            f"The collection “{collection.name}” has no environment “{name}” (it has: {known})."
        )

    # ------------------------------------------------------------ resolving

    def builtins(self) -> Mapping[str, str]:
        url = self.demo.base_url
        return {DEMO_VARIABLE: url} if url else {}

    def resolve(
        self,
        request: Request,
        collection: Collection | None,
        stored: Request | None = None,
        environment: Environment | None = None,
    ) -> Resolution:
        """The request as it will be sent (pure: starts nothing).

        ``request`` may be an editor's copy; ``stored`` is the collection's own
        object, whose place in the folder tree decides what it inherits.
        """
        if environment is None:
            environment = self.active_environment(collection)
        chain: tuple[Folder, ...] | None = None
        if collection is not None:
            chain = collection.folder_chain(stored if stored is not None else request) or ()
        if self.overrides:
            # the highest precedence a variable can have: a folder nearest the request
            pinned = Folder(
                name="--var",
                variables=[Variable(k, v) for k, v in self.overrides.items()],
            )
            chain = (*(chain or ()), pinned)
        return resolve(request, collection, environment, builtins=self.builtins(), chain=chain)

    async def prepare(
        self,
        request: Request,
        collection: Collection | None,
        stored: Request | None = None,
        environment: Environment | None = None,
    ) -> Resolution:
        """``resolve``, starting the demo server first (in a worker) when it needs it.

        Secrets the keychain could not give are read again first (in a worker: the
        keychain may have been unlocked since); raises ``SecretUnavailable`` when
        the request would still carry one, rather than send it empty.
        """
        if collection is not None and any(
            slot.is_unknown() for slot in self._slots_for(collection, request, stored)
        ):
            await asyncio.to_thread(self.read_unknown_secrets, collection, request, stored)
        resolution = self.resolve(request, collection, stored, environment)
        if resolution.needs_demo:
            await self.demo.start_async()
            resolution = self.resolve(request, collection, stored, environment)
        labels = unknown_in(resolution)
        if labels:
            raise SecretUnavailable(self.unknown_secrets_note(labels), labels=labels)
        return resolution

    # -------------------------------------------------------------- sending

    @property
    def pool(self) -> ClientPool:
        """The pooled clients (the network stack is imported on first use)."""
        with self._pool_lock:  # workers warm it up while the loop may ask for it
            if self._pool is None:
                from app.net.clients import ClientPool

                self._pool = ClientPool()
                self._pool.keep_session_cookies = self.state.keep_session_cookies
            return self._pool

    def warm_up(self) -> None:
        """Import the network stack and read cookie jars now (call it from a worker)."""
        from app.net import engine, errors, oauth2  # noqa: F401 - imported for later

        pool = self.pool
        for collection in list(self.collections):
            pool.preload_jar(collection.id)

    async def _network_ready(self, profile: ClientProfile) -> None:
        """Before a send: the network stack imported and the collection's client built,
        both in a worker the first time (importing httpx, h2 and Authlib, reading CA
        certificates and the cookie jar take hundreds of milliseconds)."""
        if self._pool is None or "app.net.engine" not in sys.modules:
            await asyncio.to_thread(self.warm_up)
        if not self.pool.has_client(profile):
            await asyncio.to_thread(self.pool.lease, profile)

    def new_body_store(self, resolution: Resolution) -> BodyStore:
        from app.net.body_store import BodyStore

        return BodyStore(cap=resolution.request.body_cap, directory=self.body_directory)

    def new_exchange(self, resolution: Resolution) -> Exchange:
        from app.net.exchange import Exchange

        request = resolution.request
        return Exchange(request.method, request.url, self.new_body_store(resolution))

    async def send(
        self,
        resolution: Resolution,
        exchange: Exchange | None = None,
        on_event: EventSink | None = None,
    ) -> Exchange:
        """Run one exchange to its end (raises only ``CancelledError``, when stopped)."""
        if exchange is None:
            exchange = self.new_exchange(resolution)
        with contextlib.suppress(Exception):  # e.g. a bad certificate: the engine reports it
            await self._network_ready(resolution.profile)
        from app.net import engine  # imported by now (in a worker)

        try:
            await engine.send(self.pool, resolution.profile, resolution.request, exchange, on_event)
        finally:
            self._schedule_cookie_save()
        return exchange

    # ------------------------------------------------------------ downloads

    def download(
        self,
        resolution: Resolution,
        destination: Path | None = None,
        *,
        folder: Path | None = None,
        source: DownloadSource | None = None,
        options: DownloadOptions | None = None,
        on_change: Callable[[DownloadSnapshot], None] | None = None,
    ) -> DownloadTask:
        """A download of a resolved request to ``destination`` (or into ``folder``, named
        from the response); ``await task.run()`` starts it.  ``source`` says how to find
        the request again after a restart (see ``restore_download``)."""
        from app.net.downloads import DownloadSource, DownloadTask
        from app.net.errors import mask

        request = resolution.request
        if source is None:
            source = DownloadSource(url=mask(request.url, request.secrets))
        return DownloadTask(
            self.pool,
            resolution.profile,
            request,
            destination,
            folder=folder,
            source=source,
            options=options,
            on_change=on_change,
            before_send=lambda: self._network_ready(resolution.profile),
        )

    def download_url(
        self,
        url: str,
        destination: Path | None = None,
        *,
        folder: Path | None = None,
        options: DownloadOptions | None = None,
        on_change: Callable[[DownloadSnapshot], None] | None = None,
    ) -> DownloadTask:
        """A plain GET of ``url`` (no collection: no shared headers, auth or cookies)."""
        from app.core.resolved import ClientProfile, ResolvedRequest
        from app.net.downloads import DownloadSource

        resolution = Resolution(ClientProfile(), ResolvedRequest("GET", url), ())
        return self.download(
            resolution,
            destination,
            folder=folder,
            source=DownloadSource(url=url),
            options=options,
            on_change=on_change,
        )

    async def resolve_source(self, source: DownloadSource) -> Resolution:
        """Resolve a download's request again (after a restart): its collection is
        found among the open ones or loaded (in a worker)."""
        from app.core.resolved import ClientProfile, ResolvedRequest

        if not source.request:
            return Resolution(ClientProfile(), ResolvedRequest("GET", source.url), ())
        root = Path(source.collection)
        collection = self.find_open(root)
        if collection is None:
            collection = await asyncio.to_thread(self.load_collection, root, settle_identity=False)
        stored = await asyncio.to_thread(_request_at, collection, Path(source.request))
        if stored is None:
            raise StorageError(f"{source.request} is no longer a request of {root}.")
        environment = (
            self.environment_named(collection, source.environment) if source.environment else None
        )
        return await self.prepare(stored, collection, stored, environment)

    async def restore_download(
        self,
        record: dict[str, Any],
        *,
        options: DownloadOptions | None = None,
        on_change: Callable[[DownloadSnapshot], None] | None = None,
    ) -> DownloadTask:
        """A task for a saved ``DownloadTask.to_record()`` (its request resolved again);
        one that was running comes back paused: ``run()`` resumes it from its part."""
        from app.net.downloads import DownloadSource, DownloadTask

        source = DownloadSource.from_json(dict(record.get("source") or {}))
        resolution = await self.resolve_source(source)
        return DownloadTask.restore(
            record,
            self.pool,
            resolution.profile,
            resolution.request,
            options=options,
            on_change=on_change,
            before_send=lambda: self._network_ready(resolution.profile),
        )

    async def fetch_token(self, profile: ClientProfile, auth: ResolvedAuth) -> str:
        """A new OAuth 2.0 token now ("Get new token"), masked for display."""
        await self._network_ready(profile)
        lease = self.pool.lease(profile)
        token = await lease.oauth.token(auth, force=True, transport=lease.transport)
        return token.masked()

    def cached_token(self, auth: ResolvedAuth) -> str:
        token = self.pool.oauth.cached(auth)
        return token.masked() if token is not None else ""

    def _schedule_cookie_save(self) -> None:
        """Write changed cookie jars in a worker, coalescing bursts of sends."""
        self._cookies_dirty = True
        if self._cookie_save is not None and not self._cookie_save.done():
            return
        self._cookie_save = asyncio.ensure_future(self._save_cookies())

    async def _save_cookies(self) -> None:
        while self._cookies_dirty:
            self._cookies_dirty = False
            with contextlib.suppress(Exception):
                await self.pool.save_cookies_async()

    def set_keep_session_cookies(self, keep: bool) -> None:
        """Keep session cookies between runs, or let them end with the run (the jars on
        disk are rewritten at the next save either way)."""
        self.state.keep_session_cookies = keep
        if self._pool is not None:
            self._pool.keep_session_cookies = keep

    async def save_cookies(self) -> None:
        self._schedule_cookie_save()
        if self._cookie_save is not None:
            await self._cookie_save

    async def aclose(self) -> None:
        """Close every pooled client and write what must be kept."""
        if self._cookie_save is not None:
            with contextlib.suppress(Exception):
                await self._cookie_save
        if self._pool is not None:
            await self._pool.aclose()
        self.demo.stop()


_gc_pauses = 0
_gc_lock = threading.Lock()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection while a collection loads, then keep it out of the way.

    Loading 10,000 requests makes a million objects; each full collection in
    the loading worker walks them all holding the GIL, stalling the window for
    a quarter of a second.  None of them is garbage: collection is paused while
    they are made, and afterwards they are frozen (``gc.freeze``) so later
    collections, on whatever thread, do not walk them again.
    """
    global _gc_pauses
    with _gc_lock:
        _gc_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.freeze()
                gc.enable()


def _request_at(collection: Collection, path: Path) -> Request | None:
    """The request of ``collection`` saved in ``path`` (blocking: resolves paths)."""
    wanted = path.resolve()
    return next(
        (r for _c, r in collection.iter_requests() if r.path and r.path.resolve() == wanted),
        None,
    )


def _unfilled(slot: secret_slots.SecretSlot) -> bool:
    """Not read from the keychain yet: empty, or unknown (a proxy password named by the file)."""
    return not slot.get() or slot.is_unknown()


def secret_fields(auth: Auth) -> list[str]:
    """The credential fields of ``auth`` whose values are in the keychain (read or not)."""
    from app.core.codec import is_reference
    from app.core.model import CREDENTIAL_FIELDS

    return [
        name
        for name in CREDENTIAL_FIELDS
        if getattr(auth, name) and not is_reference(getattr(auth, name))
    ]
