"""``courier`` / ``python -m app``: start the desktop app.

Start-up is kept fast: the window is on screen before httpx, keyring or any
collection is loaded; those are read in worker threads right after.  The
``send``, ``download``, ``import`` and ``export`` subcommands are the command
line (``app.cli``) and never import Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

NO_DISPLAY_MESSAGE = """\
courier: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).
Courier is a desktop app and needs a screen. On a machine without one, run it
on a virtual X server:

    xvfb-run -a make run

or, to start it without any visible window (for scripted checks):

    QT_QPA_PLATFORM=offscreen make run
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="courier", description="Courier, a fast offline desktop API client."
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the built-in demo server and open the sample collection",
    )
    parser.add_argument(
        "--collection", type=Path, action="append", default=[], help="open a collection folder"
    )
    parser.add_argument("--version", action="version", version=f"courier {_version()}")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="send the demo's 'Get post 1', save a picture of the window and quit",
    )
    return parser.parse_args(argv)


def _version() -> str:
    from app import __version__

    return __version__


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] == "--format-worker":
        # a frozen build has no ``python -m``: the viewer's worker process is this program
        from app.core.viewing import format_worker

        return format_worker.main(arguments[1:])
    if arguments and arguments[0] in ("send", "download", "import", "export"):
        from app import cli  # the command line: never imports Qt

        return cli.main(arguments)
    args = parse_args(arguments)
    if not has_display():
        sys.stderr.write(NO_DISPLAY_MESSAGE)
        return 2

    import qasync
    from PySide6.QtWidgets import QApplication

    from app.services.downloads import DownloadService
    from app.services.sends import SendService
    from app.services.workspace import Workspace
    from app.ui import theme
    from app.ui.main_window import MainWindow
    from app.ui.sign_in_dialog import SignInPrompter

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Courier")
    app.setOrganizationName("Courier")
    app.setApplicationVersion(_version())
    app.setDesktopFileName("courier")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    workspace = Workspace()
    theme.apply_theme(app, theme.ThemeChoice.parse(workspace.state.theme))
    app.setWindowIcon(theme.icon("courier"))
    sends = SendService(workspace.session)
    downloads = DownloadService(workspace.session)
    window = MainWindow(workspace, sends, downloads)
    # OAuth 2.0 browser sign-ins: the desktop's browser, and a dialog with the address
    # to copy, the time left and Cancel while Courier waits (parented to the window)
    SignInPrompter(sends, window)
    window.show()
    # collections, keychain and demo server: all in workers, after the window is up
    restoring = asyncio.ensure_future(window.restore())
    for path in args.collection:
        window.open_collection(path)
    if args.demo or args.screenshot:
        window.open_demo_collection(start_server=True)

    exit_code = 0
    if os.environ.get("COURIER_BENCH_STARTUP"):
        _report_startup_then_quit(app)
    if args.screenshot is not None:
        from app.ui.screenshot import take_demo_screenshot

        take_demo_screenshot(window, args.screenshot)

    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    if app.platformName() == "offscreen":
        # Qt's offscreen clipboard crashes the exit when it still holds a QMimeData made
        # here (what Copy puts there); nobody can paste from an offscreen session anyway
        app.aboutToQuit.connect(lambda: app.clipboard().clear())
    try:
        loop.run_until_complete(quit_event.wait())
        restoring.cancel()
        loop.run_until_complete(downloads.aclose())  # paused, parts kept, list saved
        loop.run_until_complete(sends.aclose())
        window.workbench.close()  # the history's last writes (stopped exchanges too)
    finally:
        window.outside.stop()  # no watch thread outlives the window
        workspace.save_state()
        workspace.demo.stop()
        loop.close()
        asyncio.set_event_loop(None)
    return exit_code


def _report_startup_then_quit(app: object) -> None:
    """For tests/bench/startup.py: print when the window is shown and the idle RSS."""
    import json
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def shown() -> None:
        print(json.dumps({"window_shown_at": time.time()}), flush=True)
        QTimer.singleShot(1500, idle)

    def idle() -> None:
        rss_kb = 0
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
        print(json.dumps({"idle_rss_mb": rss_kb / 1024}), flush=True)
        QApplication.quit()

    QTimer.singleShot(0, shown)


if __name__ == "__main__":
    raise SystemExit(main())
