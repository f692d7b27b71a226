"""Where secret values live: the OS keychain through ``keyring``, service "courier".

Collection files hold only the *name* of a secret; its value is stored under a
key built from the collection id, a scope (an environment, a folder, or the
file an auth credential belongs to) and the name.  When no keychain works
(a headless Linux without a Secret Service), Courier says so and keeps secrets
in memory for the session only: it never falls back to a file.  A keychain
that is there but locked is still *the* keychain: reads fail until it is
unlocked (the session then treats those secrets as unknown, never empty, and
reads them again later), so it is not swapped for a session-only store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import TracebackType
from typing import Protocol

SERVICE = "courier"


class SecretStore(Protocol):
    #: False: values are forgotten when Courier quits
    persistent: bool
    #: why secrets are not persistent, or cannot be read now (locked); "" when all is well
    reason: str

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryStore:
    """Secrets for this session only."""

    def __init__(self, reason: str = "") -> None:
        self.persistent = False
        self.reason = reason
        self._values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    def delete(self, key: str) -> None:
        self._values.pop(key, None)


class KeyringStore:
    """The OS keychain (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self) -> None:
        import keyring

        self._keyring = keyring
        self.persistent = True
        self.reason = ""

    def get(self, key: str) -> str | None:
        with _closing_what_a_refusal_leaves():
            value: str | None = self._keyring.get_password(SERVICE, key)
        return value

    def set(self, key: str, value: str) -> None:
        with _closing_what_a_refusal_leaves():
            self._keyring.set_password(SERVICE, key, value)

    def delete(self, key: str) -> None:
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError), _closing_what_a_refusal_leaves():
            self._keyring.delete_password(SERVICE, key)


@contextlib.contextmanager
def _closing_what_a_refusal_leaves() -> Iterator[None]:
    """Close the D-Bus connection keyring leaves open when a locked keychain refuses.

    keyring's Secret Service backend opens a connection, finds the collection
    locked and raises before its ``closing(...)``; the socket would stay open
    until garbage-collected (a ``ResourceWarning``), once per refused read.  The
    connection is a local of the raising frames: close it there.
    """
    try:
        yield
    except Exception as exc:
        _close_connections(exc.__traceback__)
        raise


def _close_connections(tb: TracebackType | None) -> None:
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            connection = getattr(value, "connection", value)
            if type(connection).__module__.startswith("jeepney"):
                with contextlib.suppress(Exception):
                    connection.close()
        tb = tb.tb_next


KEYCHAIN_LOCKED = (
    "The keychain is locked, so Courier cannot read the secrets of your collections yet: "
    "they are shown as locked and kept as they are. Unlock the keychain; the next send "
    "reads them."
)

NO_KEYCHAIN = (
    "No working keychain was found ({detail}). Secrets are kept in memory for this "
    "session only and must be entered again after a restart; Courier never writes them "
    "to a file. On Linux, install and unlock a Secret Service (GNOME Keyring or KWallet)."
)


def open_secret_store() -> SecretStore:
    """The keychain if one works, else a session-only store that says why."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
            return MemoryStore(NO_KEYCHAIN.format(detail="no keyring backend"))
        from keyring.errors import KeyringLocked

        store = KeyringStore()
        try:
            store.get("courier:probe")  # an absent service fails here, not later
        except KeyringLocked:
            store.reason = KEYCHAIN_LOCKED  # there, persistent, readable once unlocked
        return store
    except Exception as exc:  # any keyring failure means: no persistent secrets
        return MemoryStore(NO_KEYCHAIN.format(detail=f"{type(exc).__name__}: {exc}"))
