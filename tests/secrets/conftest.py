"""The real keychain for these tests: GNOME Keyring in a private D-Bus session
(scripts/with-keyring.sh), locked and unlocked through its D-Bus interface as a
user (or the screen locker) would, and switched off entirely (keyring's fail
backend) for "no keychain at all"."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.secrets import SecretStore, open_secret_store

#: the login keyring's password, as scripts/with-keyring.sh unlocks it
KEYRING_PASSWORD = b"courier-test"
_SECRETS = "org.freedesktop.secrets"
_PATH = "/org/freedesktop/secrets"


def require_keychain() -> SecretStore:
    store = open_secret_store()
    if not store.persistent or store.reason:
        message = f"no private Secret Service (run scripts/test.sh): {store.reason}"
        if os.environ.get("COURIER_REQUIRE_KEYCHAIN"):
            pytest.fail(message + " (run the suite with scripts/test.sh)")
        pytest.skip(message)
    return store


@pytest.fixture
def keychain() -> SecretStore:
    return require_keychain()


def _default_collection() -> str:
    from jeepney import DBusAddress, new_method_call
    from secretstorage import dbus_init

    service = DBusAddress(_PATH, bus_name=_SECRETS, interface="org.freedesktop.Secret.Service")
    with contextlib.closing(dbus_init()) as bus:
        reply = bus.send_and_get_reply(new_method_call(service, "ReadAlias", "s", ("default",)))
    path: str = reply.body[0]
    return path


def lock_keychain() -> None:
    """Lock the default keyring (Secret Service ``Lock``): reads fail until it is unlocked."""
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as bus:
        secretstorage.Collection(bus, _default_collection()).lock()


def unlock_keychain() -> None:
    """Unlock it with its password, without a prompt (GNOME Keyring's own interface)."""
    from jeepney import DBusAddress, new_method_call
    from secretstorage import dbus_init

    service = DBusAddress(_PATH, bus_name=_SECRETS, interface="org.freedesktop.Secret.Service")
    internal = DBusAddress(
        _PATH,
        bus_name=_SECRETS,
        interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
    )
    collection = _default_collection()
    with contextlib.closing(dbus_init()) as bus:
        opened = bus.send_and_get_reply(
            new_method_call(service, "OpenSession", "sv", ("plain", ("s", "")))
        )
        session = opened.body[1]
        master = (session, b"", KEYRING_PASSWORD, "text/plain")
        bus.send_and_get_reply(
            new_method_call(internal, "UnlockWithMasterPassword", "o(oayays)", (collection, master))
        )
    assert open_secret_store().reason == "", "the keychain did not unlock"


@pytest.fixture
def locked_keychain(keychain: SecretStore) -> Iterator[None]:
    """The keychain locked for the test's first part; unlocked again at the end."""
    lock_keychain()
    try:
        yield
    finally:
        unlock_keychain()


@contextlib.contextmanager
def no_keychain_at_all() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def every_file_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def assert_nowhere_on_disk(secrets: list[str], *roots: Path) -> None:
    for path in every_file_under(*roots):
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a secret leaked into {path}"
