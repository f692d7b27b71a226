"""A safe preview of an HTML body: rendered by QTextDocument, loading nothing.

A response is untrusted content: previewing it must not call home (tracking
pixels, stylesheets, frames), read local files or run scripts.  QTextDocument
runs no scripts and knows no frames; every resource it asks for (images,
stylesheets, CSS ``url(...)``) goes through ``loadResource``, which answers
only ``data:`` URIs and counts everything else as blocked, answering with a
placeholder (never a null answer: Qt would then read a local file itself).  Links are not
followed: a clicked link is offered for copying.
"""

from __future__ import annotations

import base64
import codecs
import re
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes

from PySide6.QtCore import QByteArray, QUrl, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.units import human_size
from app.core.viewing.sniff import bom_encoding, media_type
from app.core.viewing.source import ByteSource, MemorySource
from app.ui import theme

#: bodies above this are not previewed
SIZE_LIMIT = 5 * 1024 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_data_uri(uri: bytes) -> tuple[str, bytes] | None:
    """``(media type, bytes)`` of a ``data:`` URI, or None if it is not one."""
    if uri[:5].lower() != b"data:" or b"," not in uri:
        return None
    meta, _, payload = uri[5:].partition(b",")
    raw = unquote_to_bytes(payload)
    params = meta.decode("ascii", "replace").split(";")
    if params[-1].strip().lower() == "base64":
        try:
            raw = base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=False)
        except ValueError:
            return None
        params.pop()
    return (params[0].strip().lower() or "text/plain"), raw


def html_text(data: bytes, content_type: str = "") -> str:
    """The body as text: BOM, then the declared charset, then <meta charset>, then UTF-8
    (windows-1252 when it is not valid UTF-8)."""
    bom = bom_encoding(data)
    if bom is not None:
        return data[bom[1] :].decode(bom[0], "replace")
    candidates = [media_type(content_type)[1]]
    meta = _META_CHARSET.search(data[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii").lower())
    for charset in candidates:
        if not charset:
            continue
        try:
            codecs.lookup(charset)
        except LookupError:
            continue
        return data.decode(charset, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


@cache
def _blocked_image() -> QImage:
    """What a blocked image shows: a small grey box with a cross."""
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setPen(QColor(theme.MUTED))
    painter.drawRect(0, 0, 15, 15)
    painter.drawLine(3, 3, 12, 12)
    painter.drawLine(12, 3, 3, 12)
    painter.end()
    return image


class SafeBrowser(QTextBrowser):
    """A QTextBrowser whose only resources are ``data:`` URIs; links are not followed."""

    #: a resource was refused: its URL
    blocked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.blocked_urls: list[str] = []
        self.loaded_data_uris = 0

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        name = QUrl(name)
        encoded = bytes(name.toEncoded().data())
        decoded = decode_data_uri(encoded) if name.scheme().lower() == "data" else None
        if decoded is None:
            url = name.toString()
            if url not in self.blocked_urls:
                self.blocked_urls.append(url)
                self.blocked.emit(url)
            # never a null answer: on one, QTextDocument reads a local file itself and
            # QTextImageHandler calls QImage.load(path) (both straight from disk)
            if type == QTextDocument.ResourceType.ImageResource.value:
                return _blocked_image()
            return QByteArray()
        _mime, raw = decoded
        self.loaded_data_uris += 1
        if type == QTextDocument.ResourceType.ImageResource.value:
            image = QImage.fromData(raw)
            return _blocked_image() if image.isNull() else image
        if type == QTextDocument.ResourceType.StyleSheetResource.value:
            return raw.decode("utf-8", "replace")
        return QByteArray()


class HtmlPreview(QWidget):
    """The HTML body rendered with remote content blocked, and a note saying so."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource = MemorySource()
        self._content_type = ""
        self._rendered = False
        self._link = ""

        self.browser = SafeBrowser()
        self.browser.blocked.connect(lambda _url: self._update_note())
        self.browser.anchorClicked.connect(self._on_link)
        self.note = QLabel()
        self.link_label = QLabel()
        self.link_label.hide()
        self.copy_link_button = QToolButton()
        self.copy_link_button.setText("Copy link")
        self.copy_link_button.hide()
        self.copy_link_button.clicked.connect(self.copy_link)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.note)
        bar.addStretch(1)
        bar.addWidget(self.link_label)
        bar.addWidget(self.copy_link_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        self._update_note()

    # ------------------------------------------------------------ public API

    def set_source(self, source: ByteSource, content_type: str = "") -> None:
        """Preview ``source`` (decoded by the charset ``content_type`` declares, if any)."""
        self._source, self._content_type = source, content_type
        self._rendered = False
        self.browser.blocked_urls.clear()
        self.browser.loaded_data_uris = 0
        self.browser.clear()
        self._set_link("")
        self.refresh()

    def refresh(self) -> None:
        """Render once the body is complete (a preview of half a page would mislead)."""
        if self._rendered:
            return
        size = self._source.size()
        if not self._source.complete():
            self.note.setText(f"Preview: waiting for the whole page… {human_size(size)}")
            return
        self._rendered = True
        if size > SIZE_LIMIT:
            self.note.setText(
                f"Preview: page too large to preview ({human_size(size)}, "
                f"limit {human_size(SIZE_LIMIT)}); see Pretty or Raw"
            )
            return
        self.browser.setHtml(html_text(self._source.read(0, size), self._content_type))
        self._update_note()

    def blocked_count(self) -> int:
        return len(self.browser.blocked_urls)

    def blocked_urls(self) -> list[str]:
        return list(self.browser.blocked_urls)

    def clicked_link(self) -> str:
        return self._link

    def copy_link(self) -> None:
        if self._link:
            QGuiApplication.clipboard().setText(self._link)

    # ------------------------------------------------------------ internals

    def _update_note(self) -> None:
        if not self._rendered:
            self.note.setText("Preview: remote content blocked")
            return
        n = self.blocked_count()
        noun = "resource" if n == 1 else "resources"
        self.note.setText(f"Preview: remote content blocked ({n} {noun})")
        self.note.setToolTip("\n".join(self.browser.blocked_urls[:50]))

    def _on_link(self, url: QUrl) -> None:
        self._set_link(url.toString())

    def _set_link(self, link: str) -> None:
        self._link = link
        shown = link if len(link) <= 80 else link[:79] + "…"
        self.link_label.setText(f"Link (not opened): {shown}")
        self.link_label.setToolTip(link)
        self.link_label.setVisible(bool(link))
        self.copy_link_button.setVisible(bool(link))
