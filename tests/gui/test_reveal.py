"""Show in folder: the file manager is asked, over the real session bus, to select the
file; with no file manager the caller is told so (and opens the folder)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import reveal

pytestmark = pytest.mark.skipif(
    not os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    and not os.environ.get("COURIER_REQUIRE_KEYCHAIN"),
    reason="needs a D-Bus session bus (scripts/test.sh runs one)",
)


class FakeFileManager:
    """org.freedesktop.FileManager1 on the session bus, answering ShowItems."""

    def __init__(self) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.connection = open_dbus_connection(bus="SESSION")
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return

        while not self.stop.is_set():
            try:
                message = self.connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            if message.header.message_type is MessageType.method_call:
                self.calls.append((message.header.fields[HeaderFields.member], message.body))
                self.connection.send(new_method_return(message))


@pytest.fixture
def file_manager() -> Iterator[FakeFileManager]:
    from jeepney.bus_messages import message_bus

    manager = FakeFileManager()
    reply = manager.connection.send_and_get_reply(
        message_bus.RequestName("org.freedesktop.FileManager1", 4)  # 4: do not queue
    )
    assert reply.body == (1,), "another file manager owns the name on this bus"
    manager.thread.start()
    yield manager
    manager.stop.set()
    manager.thread.join()
    manager.connection.close()


def test_the_file_manager_is_asked_to_select_the_file(
    file_manager: FakeFileManager, tmp_path: Path
) -> None:
    target = tmp_path / "report 1.bin"
    target.write_bytes(b"x")
    assert reveal.show_in_file_manager(target)
    assert file_manager.calls == [("ShowItems", ([target.as_uri()], ""))]


def test_without_a_file_manager_the_caller_is_told(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"x")
    assert not reveal.show_in_file_manager(target)  # the name has no owner on this bus
