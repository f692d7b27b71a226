"""Show a file in the desktop's file manager with the file selected.

Linux desktops (GNOME Files, Dolphin, Nemo, Caja, Thunar ...) implement the
freedesktop ``org.freedesktop.FileManager1.ShowItems`` D-Bus call; it is made
with jeepney (already installed for the keychain) in a worker thread, so a
slow or absent service never blocks the window.  macOS has ``open -R``,
Windows ``explorer /select,``.  Where none of these works, the caller opens
the containing folder instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: how long the file manager may take to answer (starting it by D-Bus activation)
TIMEOUT_S = 5.0


def show_in_file_manager(path: Path) -> bool:
    """Ask the file manager to show ``path`` selected; False if nothing could.

    Blocks up to ``TIMEOUT_S``: call it from a worker thread.
    """
    if sys.platform == "darwin":
        return _run(["open", "-R", str(path)])
    if os.name == "nt":
        return _run(["explorer", f"/select,{path}"], any_status=True)
    return _show_items(path.resolve().as_uri())


def _run(command: list[str], *, any_status: bool = False) -> bool:
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any_status or done.returncode == 0  # explorer exits 1 even when it worked


def _show_items(uri: str) -> bool:
    """org.freedesktop.FileManager1.ShowItems([uri], startup id) on the session bus."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return False
    address = DBusAddress(
        "/org/freedesktop/FileManager1",
        bus_name="org.freedesktop.FileManager1",
        interface="org.freedesktop.FileManager1",
    )
    try:
        with open_dbus_connection(bus="SESSION") as connection:
            reply = connection.send_and_get_reply(
                new_method_call(address, "ShowItems", "ass", ([uri], "")), timeout=TIMEOUT_S
            )
    except Exception:  # no bus, no file manager, a timeout: the caller opens the folder
        return False
    return reply.header.message_type is MessageType.method_return  # not an error reply
