"""Image view: PNG, JPEG, GIF, WebP (Qt's image plugins) and SVG (QtSvg) from the body.

The image is decoded once the body is complete, from its bytes (never from a
URL), under a size limit; a caption says format, dimensions and body size.  A
body that does not decode says so: an image view never shows a broken picture.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter, QPixmap, QResizeEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.units import human_size
from app.core.viewing.sniff import image_format
from app.core.viewing.source import ByteSource, MemorySource

#: bodies above this are not decoded
SIZE_LIMIT = 64 * 1024 * 1024
#: images above this many pixels are not decoded (a 100-byte PNG can claim 50000 × 50000)
PIXEL_LIMIT = 100_000_000


class ImageView(QWidget):
    """The body as a picture, with a caption and a fit-to-window / 100% toggle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource = MemorySource()
        self._decoded = False
        self._image: QImage | None = None
        self._svg: QSvgRenderer | None = None
        self._size = QSize()
        self._format = ""
        self._error = ""

        self.caption = QLabel()
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.fit_button.setToolTip("Fit to the window (off: 100%)")
        self.fit_button.toggled.connect(self._show)
        self.fit_button.setEnabled(False)

        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidget(self.picture)
        self.scroll_area.setWidgetResizable(False)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.fit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        self._show_message("No image")

    # ------------------------------------------------------------ public API

    def set_source(self, source: ByteSource) -> None:
        self._source = source
        self._decoded = False
        self._image = self._svg = None
        self._size, self._format, self._error = QSize(), "", ""
        self.fit_button.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        """Decode once the body is complete; until then say how much arrived."""
        if self._decoded:
            return
        size = self._source.size()
        if not self._source.complete():
            self._show_message(f"Receiving image… {human_size(size)}")
            return
        self._decoded = True
        if size > SIZE_LIMIT:
            self._fail(
                f"Image too large to show: {human_size(size)} "
                f"(limit {human_size(SIZE_LIMIT)}); the Hex view shows its bytes"
            )
            return
        if size == 0:
            self._fail("Empty body: no image")
            return
        self._decode(self._source.read(0, size))
        self._show()

    def image_size(self) -> QSize:
        """The image's own width and height (invalid when nothing decoded)."""
        return QSize(self._size)

    def image_format_name(self) -> str:
        return self._format

    def error(self) -> str:
        """Why nothing is shown ('' when an image is)."""
        return self._error

    def displayed_size(self) -> QSize:
        pixmap = self.picture.pixmap()
        return QSize() if pixmap.isNull() else pixmap.size()

    # ------------------------------------------------------------ decoding

    def _decode(self, data: bytes) -> None:
        raster = image_format(data[:16])
        if raster is None and _looks_svg(data):
            renderer = QSvgRenderer(QByteArray(data))
            if renderer.isValid():
                size = renderer.defaultSize()
                if size.isEmpty():
                    size = renderer.viewBoxF().size().toSize()
                if size.isEmpty():
                    size = QSize(300, 150)
                self._svg, self._size, self._format = renderer, size, "SVG"
                self._caption(len(data))
                return
            self._fail("The body is not a valid SVG image")
            return
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        reader.setDecideFormatFromContent(True)
        fmt = bytes(reader.format().data()).decode("ascii", "replace").upper()
        claimed = reader.size()
        if claimed.isValid() and claimed.width() * claimed.height() > PIXEL_LIMIT:
            self._fail(
                f"{fmt} image of {claimed.width()} × {claimed.height()} pixels is too large to show"
            )
            return
        image = reader.read()
        if image.isNull():
            detail = reader.errorString() or "unknown format"
            self._fail(f"The body does not decode as an image ({detail})")
            return
        self._image, self._size = image, image.size()
        self._format = {"JFIF": "JPEG", "JPG": "JPEG"}.get(fmt, fmt) or (raster or "").upper()
        self._caption(len(data))

    def _caption(self, size: int) -> None:
        self._error = ""
        self.caption.setText(
            f"{self._format} · {self._size.width()} × {self._size.height()} · {human_size(size)}"
        )
        self.fit_button.setEnabled(True)

    def _fail(self, message: str) -> None:
        self._error = message
        self._image = self._svg = None
        self._size = QSize()
        self.fit_button.setEnabled(False)
        self._show_message(message)

    def _show_message(self, message: str) -> None:
        self.caption.setText(message)
        self.picture.clear()
        self.picture.adjustSize()

    # ------------------------------------------------------------ display

    def _target_size(self) -> QSize:
        if not self.fit_button.isChecked():
            return QSize(self._size)
        room = self.scroll_area.viewport().size()
        if self._size.width() <= room.width() and self._size.height() <= room.height():
            return QSize(self._size)  # fitting only ever shrinks
        return self._size.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)

    def _show(self) -> None:
        if self._image is None and self._svg is None:
            return
        target = self._target_size()
        if target.isEmpty():
            return
        ratio = self.devicePixelRatioF()
        if self._svg is not None:
            pixmap = QPixmap(target * ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            self._svg.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
            painter.end()
        else:
            assert self._image is not None
            image = self._image
            if target != self._size:
                image = image.scaled(
                    target * ratio,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.picture.setPixmap(pixmap)
        self.picture.resize(target)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit_button.isChecked():
            self._show()


def _looks_svg(data: bytes) -> bool:
    head = data[:4096].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"<") and b"<svg" in head.lower()
