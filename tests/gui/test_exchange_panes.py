"""The panes beside the body (headers, cookies, timing, redirects, the request as
sent), fed real exchanges from real local servers on the qasync loop."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.core.resolved import ClientProfile, ResolvedAuth, ResolvedRequest, TransportSettings
from app.net import engine
from app.net.clients import ClientPool
from app.net.exchange import Exchange, ExchangeState, Timings
from app.ui.exchange_panes import (
    CookiesPane,
    HeadersPane,
    RedirectsPane,
    RequestPane,
    TimingPane,
    parse_set_cookie,
    waterfall,
)
from tests.conftest import TLSServer

SECRET = "s3cret-token-value"


@pytest.fixture
def pool(qasync_loop: qasync.QEventLoop) -> Iterator[ClientPool]:
    pool = ClientPool()
    yield pool
    qasync_loop.run_until_complete(pool.aclose())


def send(
    loop: qasync.QEventLoop,
    pool: ClientPool,
    url: str,
    profile: ClientProfile | None = None,
    **request: object,
) -> Exchange:
    resolved = ResolvedRequest("GET", url, **request)  # type: ignore[arg-type]
    exchange = loop.run_until_complete(engine.send(pool, profile or ClientProfile(), resolved))
    assert exchange.state is ExchangeState.DONE, exchange.error
    return exchange


def clipboard() -> str:
    board = QGuiApplication.clipboard()
    assert board is not None
    return board.text()


def add(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()


def redirect(start: str, target: str, status: int = 302) -> str:
    return f"{start}/redirect-to?url={quote(target, safe='')}&status_code={status}"


# ----------------------------------------------------------------- headers


def test_headers_sort_filter_restore_and_copy(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, pool: ClientPool, demo_server: str
) -> None:
    exchange = send(qasync_loop, pool, f"{demo_server}/cookies/set?zeta=1&alpha=2")
    pane = HeadersPane()
    add(qtbot, pane)
    pane.show_exchange(exchange)
    assert exchange.response is not None
    received = [tuple(h) for h in exchange.response.headers]
    assert pane.table.shown_rows() == received, "as received, repeats kept"
    names = [name.lower() for name, _ in received]
    assert names.count("set-cookie") == 2

    header = pane.table.view.horizontalHeader()
    name_column = QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=name_column)
    ascending = [name.lower() for name, _ in pane.table.shown_rows()]
    assert ascending == sorted(names)
    assert ascending != names, "the server's order is not already sorted"
    header.sectionClicked.emit(0)
    assert [n.lower() for n, _ in pane.table.shown_rows()] == sorted(names, reverse=True)
    header.sectionClicked.emit(0)  # a third click: the order as received again
    assert pane.table.shown_rows() == received

    # Ctrl+C copies the selected rows as "Name: value" lines, in the order shown
    pane.table.sort_by(0)
    pane.table.select_rows(0, 1)
    pane.table.view.setFocus()
    qtbot.keyClick(pane.table.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    first, second = pane.table.shown_rows()[:2]
    assert clipboard() == f"{first[0]}: {first[1]}\n{second[0]}: {second[1]}"

    # the filter narrows the rows (names or values); Copy all copies what is shown
    assert pane.table.filter_edit is not None
    pane.table.filter_edit.setText("SET-cookie")
    shown = pane.table.shown_rows()
    assert {name.lower() for name, _ in shown} == {"set-cookie"}
    assert len(shown) == 2
    pane.table.copy_all()
    assert clipboard().splitlines() == [f"{n}: {v}" for n, v in shown]
    pane.table.filter_edit.setText("alpha=2")  # a value matches too
    assert len(pane.table.shown_rows()) == 1

    pane.table.filter_edit.clear()
    pane.table.original_order()
    pane.table.copy_all()
    assert clipboard() == "\n".join(f"{n}: {v}" for n, v in received)
    pane.clear()
    assert pane.table.shown_rows() == []


def test_headers_fill_once_the_head_exists_and_not_again(qtbot: QtBot) -> None:
    exchange = Exchange("GET", "http://example.invalid/")
    pane = HeadersPane()
    add(qtbot, pane)
    pane.show_exchange(exchange)  # sending: nothing yet
    assert pane.table.shown_rows() == []
    from app.net.exchange import ResponseHead

    exchange.response = ResponseHead(200, "OK", "HTTP/1.1", (("B", "2"), ("A", "1")), "u")
    pane.show_exchange(exchange)
    assert pane.table.shown_rows() == [("B", "2"), ("A", "1")]
    pane.table.select_rows(1)
    pane.show_exchange(exchange)  # called again on every update: the selection stays
    assert pane.table.selected_rows() == [("A", "1")]


# ----------------------------------------------------------------- cookies


def test_set_cookie_attributes_are_read() -> None:
    cookie = parse_set_cookie(
        "sid=abc=def; Domain=.example.com; Path=/app; Max-Age=3600; Secure; HttpOnly; "
        "SameSite=Strict"
    )
    assert cookie is not None
    assert (cookie.name, cookie.value, cookie.domain, cookie.path) == (
        "sid",
        "abc=def",
        ".example.com",
        "/app",
    )
    assert (cookie.secure, cookie.httponly, cookie.samesite) == (True, True, "Strict")
    assert cookie.lifetime == "in 1 h (Max-Age 3600)"
    old = parse_set_cookie("gone=; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    assert old is not None
    assert old.lifetime.startswith("deleted")
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    future = parse_set_cookie(f"k=v; expires={later}")
    assert future is not None
    assert future.lifetime == later
    assert parse_set_cookie("k=v").lifetime == "end of session"  # type: ignore[union-attr]
    assert parse_set_cookie("no equals sign") is None
    assert parse_set_cookie("=nameless") is None


def test_cookies_set_by_the_response_and_by_a_redirect_hop(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, pool: ClientPool, demo_server: str
) -> None:
    kept = send(qasync_loop, pool, f"{demo_server}/cookies/keep?flavour=oat&size=big")
    pane = CookiesPane()
    add(qtbot, pane)
    pane.show_exchange(kept)
    rows = pane.table.shown_rows()
    assert [(r[0], r[1]) for r in rows] == [("flavour", "oat"), ("size", "big")]
    flavour = rows[0]
    assert flavour[3] == "/"
    assert "Max-Age 86400" in flavour[4]
    assert flavour[7].lower() == "lax"  # what the demo server (Starlette) sends
    assert flavour[8] == "response"
    pane.table.select_rows(1)
    pane.table.copy_selected()
    assert clipboard() == "size=big"
    pane.table.copy_all()
    assert clipboard() == "flavour=oat\nsize=big"

    via_hop = send(qasync_loop, pool, redirect(demo_server, f"{demo_server}/cookies/set?late=1"))
    pane.show_exchange(via_hop)
    assert [(r[0], r[8]) for r in pane.table.shown_rows()] == [("late", "response")]
    assert pane.count() == 1

    plain = send(qasync_loop, pool, f"{demo_server}/get")
    pane.show_exchange(plain)
    assert pane.count() == 0
    assert pane.empty.isVisible()


# ------------------------------------------------------------------ timing


def test_timing_rows_filled_for_a_new_http11_connection(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, pool: ClientPool, demo_server: str
) -> None:
    by_name = str(httpx.URL(demo_server).copy_with(host="localhost"))
    exchange = send(qasync_loop, pool, f"{by_name}/bytes/300000")
    pane = TimingPane()
    add(qtbot, pane)
    assert pane.empty.isVisible()
    pane.show_exchange(exchange)
    assert not pane.empty.isVisible()
    for key in ("dns", "connect", "send", "wait", "download", "total"):
        value, bar = pane.rows[key]
        assert value.text() != "—", key
        assert bar.span() is not None, key
    assert pane.rows["tls"][0].text() == "—"
    assert pane.rows["tls"][1].span() is None
    assert "redirects" not in pane.rows
    assert pane.facts["HTTP version"].text() == "HTTP/1.1"
    assert pane.facts["Remote address"].text() == f"127.0.0.1:{httpx.URL(demo_server).port}"
    assert pane.facts["Connection"].text() == "new"
    dns = pane.rows["dns"][1].span()
    connect = pane.rows["connect"][1].span()
    assert dns is not None
    assert connect is not None
    assert connect[0] == pytest.approx(dns[1]), "connecting starts when the lookup ends"
    pane.copy()
    text = clipboard()
    assert "DNS lookup: " in text
    assert "TCP connect: " in text
    assert "Connection: new" in text

    again = send(qasync_loop, pool, f"{by_name}/get")
    pane.show_exchange(again)
    assert pane.facts["Connection"].text().startswith("reused")
    for key in ("dns", "connect", "tls"):
        assert pane.rows[key][1].span() is None, key
    assert pane.rows["wait"][1].span() is not None


def test_timing_of_http2_with_redirects(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, pool: ClientPool, tls_demo_server: TLSServer
) -> None:
    profile = ClientProfile(
        "tls",
        tls_demo_server.base_url,
        transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem)),
    )
    exchange = send(qasync_loop, pool, "/redirect/2", profile)
    pane = TimingPane()
    add(qtbot, pane)
    pane.show_exchange(exchange)
    assert pane.facts["HTTP version"].text() == "HTTP/2"
    redirects = pane.rows["redirects"][1].span()
    assert redirects is not None
    assert redirects[0] == 0
    assert redirects[1] > 0
    for key in ("send", "wait", "download"):
        span = pane.rows[key][1].span()
        assert span is not None, key
        assert span[0] >= redirects[1] - 1e-9, key
    # the hops went over the first connection: the final request reused it
    assert pane.facts["Connection"].text().startswith("reused")


def test_waterfall_labels_a_connect_that_includes_the_lookup() -> None:
    rows = {
        r.key: r for r in waterfall(Timings(connect_s=0.2, connect_includes_dns=True, total_s=1.0))
    }
    assert rows["connect"].label == "DNS + TCP connect"
    assert rows["dns"].span is None
    assert rows["connect"].span == (0.0, pytest.approx(0.2))
    assert all(row.span is None for row in waterfall(Timings(total_s=0.0)))


# --------------------------------------------------------------- redirects


def test_redirect_chain_with_authorization_withheld_on_the_other_origin(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    pool: ClientPool,
    demo_server: str,
    second_origin_server: str,
) -> None:
    chain = redirect(demo_server, redirect(demo_server, f"{second_origin_server}/anything"), 307)
    exchange = send(
        qasync_loop,
        pool,
        chain,
        auth_mode="own",
        auth=ResolvedAuth("bearer", token=SECRET),
    )
    pane = RedirectsPane()
    add(qtbot, pane)
    pane.show_exchange(exchange)
    rows = pane.table.shown_rows()
    assert [r[0] for r in rows] == ["1", "2", "final"]
    first, second, final = rows
    assert first[1] == "307 Temporary Redirect"
    assert first[2].startswith(f"GET {demo_server}/redirect-to")
    assert first[3].startswith("/") or first[3].startswith("http")
    assert first[5] == "", "the first hop stays on the same origin"
    assert second[1].startswith("302")
    assert second[3] == f"{second_origin_server}/anything"
    assert second[5] == "another origin: Authorization (Bearer token)"
    assert second[4].endswith("ms") or second[4].endswith(" s")
    assert final[1] == "200 OK"
    assert final[2] == f"GET {second_origin_server}/anything"
    assert "1 credential withheld" in pane.summary.text()
    assert SECRET not in "\n".join("\t".join(r) for r in rows)
    pane.table.select_rows(1)
    pane.table.copy_selected()
    assert clipboard() == "\t".join(second)

    plain = send(qasync_loop, pool, f"{demo_server}/get")
    pane.show_exchange(plain)
    assert pane.count() == 0
    assert pane.empty.isVisible()


# ----------------------------------------------------------------- request


def test_request_as_sent_with_secrets_masked(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, pool: ClientPool, demo_server: str
) -> None:
    exchange = send(
        qasync_loop,
        pool,
        redirect(demo_server, "/anything", 307),
        auth_mode="own",
        auth=ResolvedAuth("bearer", token=SECRET),
        headers=(("X-Trace", "t-1"),),
    )
    pane = RequestPane()
    add(qtbot, pane)
    pane.show_exchange(exchange)
    assert pane.line.text() == f"GET {demo_server}/anything", "the final URL"
    rows = {name.lower(): value for name, value in pane.table.shown_rows()}
    assert rows["x-trace"] == "t-1"
    authorization = rows["authorization"]
    assert SECRET not in authorization
    assert pane.body.text() == "Body: no body"
    pane.copy()
    text = clipboard()
    assert text.startswith(f"GET {demo_server}/anything\n")
    assert "x-trace: t-1" in text.lower()
    assert SECRET not in text
    assert text.endswith("[body: no body]")
    pane.copy_url()
    assert clipboard() == f"{demo_server}/anything"
    pane.clear()
    assert pane.line.text() == ""
