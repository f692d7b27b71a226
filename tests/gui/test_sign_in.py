"""The OAuth 2.0 browser sign-in through the window's services: where no browser
opens, a dialog shows the address to copy; signing in there (a real HTTP GET that
follows the demo server's redirect to Courier's loopback callback) finishes the send;
the wait times out or is cancelled with a clear message, and nothing stays
"Sending…"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import qasync
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.core.model import Auth, AuthKind, Collection, Request
from app.net.exchange import Exchange, ExchangeState
from app.secrets import MemoryStore
from app.services.demo import DemoService
from app.services.sends import SendService
from app.session import Session
from app.ui import theme
from app.ui.sign_in_dialog import NOT_OPENED_TEXT, OPENED_TEXT, SignInDialog, SignInPrompter
from tests.gui.conftest import run_until, wait_for_signal
from tests.gui.geometry import overlapping_widgets


class Browsers:
    """The browser the service is given: none that opens, or one that opens (and
    where the user then does nothing)."""

    def __init__(self, opens: bool) -> None:
        self.opens = opens
        self.asked: list[str] = []

    def __call__(self, url: str) -> bool:
        self.asked.append(url)
        return self.opens


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    win = QWidget()
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    return win


def make_sends(loop: qasync.QEventLoop, tmp_path: Path, timeout: float) -> SendService:
    session = Session(secrets=MemoryStore(), state_path=tmp_path / "state.json", demo=DemoService())
    return SendService(session, sign_in_timeout_s=timeout)


@pytest.fixture
def sends(qasync_loop: qasync.QEventLoop, tmp_path: Path) -> Iterator[SendService]:
    service = make_sends(qasync_loop, tmp_path, 60.0)
    yield service
    qasync_loop.run_until_complete(service.aclose())
    QGuiApplication.clipboard().clear()


def pkce_collection(demo: str) -> tuple[Collection, Request]:
    me = Request(name="Who am I", url="/oauth/me")
    collection = Collection(
        name="OAuth",
        base_url=demo,
        auth=Auth(
            kind=AuthKind.OAUTH2,
            grant="authorization_code",
            token_url=f"{demo}/oauth/token",
            auth_url=f"{demo}/oauth/authorize",
            client_id="courier-demo",
            client_secret="demo-secret",
        ),
        requests=[me],
    )
    return collection, me


def shown_dialog(loop: qasync.QEventLoop, prompter: SignInPrompter) -> SignInDialog:
    run_until(loop, lambda: any(d.isVisible() for d in prompter.dialogs.values()), 15)
    [dialog] = prompter.dialogs.values()
    return dialog


def gone(dialog: SignInDialog) -> bool:
    """Closed by itself (hidden, or already deleted)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def finished(loop: qasync.QEventLoop, sends: SendService, exchange: Exchange) -> None:
    run_until(loop, lambda: exchange.finished and not sends.running(), 15)


async def browse(url: str) -> bytes:
    """What the user's browser does with the address: GET it, follow the redirect."""
    async with httpx.AsyncClient(follow_redirects=True) as browser:
        return (await browser.get(url)).content


def test_no_browser_shows_the_address_to_copy_and_signing_in_there_sends(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    window: QWidget,
    demo_server: str,
) -> None:
    browsers = Browsers(opens=False)
    prompter = SignInPrompter(sends, window, open_browser=browsers)
    collection, me = pkce_collection(demo_server)
    exchange = sends.send(me, collection, me)
    dialog = shown_dialog(qasync_loop, prompter)
    pending = dialog.pending
    url = pending.url
    assert browsers.asked == [url], "a browser was tried first"
    assert dialog.message.text() == NOT_OPENED_TEXT
    assert dialog.address.toPlainText() == url
    assert url.startswith(f"{demo_server}/oauth/authorize?")
    assert "left" in dialog.time_left.text()
    assert sends.is_running(exchange), "still waiting, as it should"

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == url
    page = qasync_loop.run_until_complete(browse(QGuiApplication.clipboard().text()))
    assert b"Signed in" in page

    finished(qasync_loop, sends, exchange)
    assert exchange.state is ExchangeState.DONE, exchange.error
    assert exchange.response is not None
    assert exchange.response.status_code == 200
    assert b'"user":"ada"' in exchange.body.read().replace(b" ", b"")
    assert gone(dialog), "the dialog closed by itself"
    assert prompter.dialogs == {}
    assert pending.outcome == "signed in"


def test_the_wait_times_out_with_a_clear_message_and_sending_ends(
    qasync_loop: qasync.QEventLoop, tmp_path: Path, window: QWidget, demo_server: str
) -> None:
    sends = make_sends(qasync_loop, tmp_path, 0.8)
    prompter = SignInPrompter(sends, window, open_browser=Browsers(opens=True))
    collection, me = pkce_collection(demo_server)
    running: list[int] = []
    sends.runningChanged.connect(running.append)
    exchange = sends.send(me, collection, me)
    dialog = shown_dialog(qasync_loop, prompter)
    pending = dialog.pending
    assert dialog.message.text() == OPENED_TEXT, "opened, and the address is there anyway"
    assert dialog.address.toPlainText() == pending.url
    finished(qasync_loop, sends, exchange)
    assert exchange.state is ExchangeState.FAILED
    assert exchange.error is not None
    assert "Sign-in timed out" in exchange.error.message
    assert running[-1] == 0, "nothing is sending any more"
    assert gone(dialog)
    assert pending.outcome == "timed out"
    qasync_loop.run_until_complete(sends.aclose())


def test_cancel_in_the_dialog_ends_the_send_at_once(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    window: QWidget,
    demo_server: str,
) -> None:
    prompter = SignInPrompter(sends, window, open_browser=Browsers(opens=False))
    collection, me = pkce_collection(demo_server)
    exchange = sends.send(me, collection, me)
    dialog = shown_dialog(qasync_loop, prompter)
    pending = dialog.pending
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    finished(qasync_loop, sends, exchange)
    assert exchange.state is ExchangeState.FAILED
    assert exchange.error is not None
    assert "Sign-in cancelled" in exchange.error.message
    assert pending.outcome == "cancelled"
    assert gone(dialog)
    assert sends.sign_ins() == []


def test_get_new_token_shows_the_dialog_too_and_reports_a_cancel(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    window: QWidget,
    demo_server: str,
) -> None:
    prompter = SignInPrompter(sends, window, open_browser=Browsers(opens=False))
    collection, me = pkce_collection(demo_server)
    sends.fetch_token(me, collection, me)
    dialog = shown_dialog(qasync_loop, prompter)
    dialog.reject()  # closing the dialog is cancelling
    assert wait_for_signal(qasync_loop, sends.tokenFailed) == "Sign-in cancelled."

    sends.fetch_token(me, collection, me)
    dialog = shown_dialog(qasync_loop, prompter)
    qasync_loop.run_until_complete(browse(dialog.pending.url))
    masked = wait_for_signal(qasync_loop, sends.tokenReady)
    assert "•" in masked


@pytest.mark.parametrize("scopes", [1, 40])
def test_the_address_shows_whole_inside_the_screen(
    qtbot: QtBot, window: QWidget, demo_server: str, scopes: int
) -> None:
    from app.net.sign_in import PendingSignIn

    url = (
        f"{demo_server}/oauth/authorize?response_type=code&client_id=courier-demo"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A41234%2Fcallback"
        "&state=Vh3kq9Zr0aXbT7yLmN2pQ4sU6wE8iO"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        "&scope=" + "+".join(f"read:things-{n}" for n in range(scopes))
    )
    dialog = SignInDialog(PendingSignIn(url, False, 120.0), window)
    dialog.setStyleSheet(theme.stylesheet())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.address.toPlainText() == url
    assert dialog.address.horizontalScrollBar().maximum() == 0, "wrapped, not cut"
    if scopes == 1:  # a usual address: every line of it in view
        assert dialog.address.verticalScrollBar().maximum() == 0
    screen = dialog.screen().availableGeometry()
    assert dialog.frameGeometry().width() <= screen.width()
    assert dialog.frameGeometry().height() <= screen.height()
    assert overlapping_widgets(dialog) == []
    assert dialog.time_left.text().startswith("Waiting for the sign-in… 2:00 left")
    dialog.finish()
