"""``--screenshot``: show the demo at work and save a picture of the window.

Used for the README's screenshot (under Xvfb) and as a smoke test of the whole
app: it opens a few of the demo's requests in tabs, sends "Get post 1", waits for
the response and saves the window as a PNG, then quits.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.ui.main_window import MainWindow

DEMO_REQUEST = "Get post 1"
#: opened in tabs beside it (a workbench in use)
OTHER_TABS = ("List posts", "Create post")
GIVE_UP_AFTER_MS = 30_000


def take_demo_screenshot(window: MainWindow, path: Path) -> None:
    done = False

    def save_and_quit() -> None:
        nonlocal done
        if done:
            return
        done = True
        path.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(path))
        print(f"screenshot saved to {path}")
        QApplication.quit()

    def send_demo_request() -> None:
        """Once the demo collection has opened (in the background), send its request."""
        for collection in window.workspace.collections:
            requests = {r.name: r for _chain, r in collection.iter_requests()}
            request = requests.get(DEMO_REQUEST)
            if request is not None:
                for name in OTHER_TABS:
                    if name in requests:
                        window.open_request(collection, requests[name], preview=False)
                window.open_request(collection, request, preview=False)
                window.responseShown.connect(lambda: QTimer.singleShot(600, save_and_quit))
                window.send()
                return
        QTimer.singleShot(100, send_demo_request)

    QTimer.singleShot(300, send_demo_request)
    QTimer.singleShot(GIVE_UP_AFTER_MS, save_and_quit)
