"""What a body is, from its declared type and its first bytes, and which views suit it.

Servers mislabel bodies often (JSON as text/plain, NDJSON as application/json,
images as octet-stream, a gzip stream under a JSON type), so the declared type
is a hint the head of the body can overrule: image magic bytes win, bytes that
are not text make the body binary (shown in hex, never as replacement
characters), and an untyped or text/plain body that starts like JSON, XML or
HTML is shown as such.
"""

from __future__ import annotations

import re
from enum import Enum, StrEnum

import orjson


class BodyKind(StrEnum):
    JSON = "json"
    NDJSON = "ndjson"
    SSE = "sse"
    XML = "xml"
    HTML = "html"
    JAVASCRIPT = "javascript"
    CSS = "css"
    IMAGE = "image"
    TEXT = "text"
    BINARY = "binary"


class View(Enum):
    """A way to show a body; ``display_name`` is what the view switcher says."""

    PRETTY = "Pretty"
    TREE = "Tree"
    EVENTS = "Events"  # SSE: time, event, id, data
    ROWS = "Rows"  # NDJSON: time, #, value
    IMAGE = "Image"
    PREVIEW = "Preview"
    RAW = "Raw"
    HEX = "Hex"

    @property
    def display_name(self) -> str:
        return str(self.value)


_VIEWS: dict[BodyKind, tuple[View, ...]] = {
    BodyKind.JSON: (View.PRETTY, View.TREE, View.RAW, View.HEX),
    BodyKind.NDJSON: (View.ROWS, View.RAW, View.HEX),
    BodyKind.SSE: (View.EVENTS, View.RAW, View.HEX),
    BodyKind.XML: (View.PRETTY, View.RAW, View.HEX),
    BodyKind.HTML: (View.PRETTY, View.PREVIEW, View.RAW, View.HEX),
    BodyKind.JAVASCRIPT: (View.PRETTY, View.RAW, View.HEX),
    BodyKind.CSS: (View.PRETTY, View.RAW, View.HEX),
    BodyKind.IMAGE: (View.IMAGE, View.HEX),
    BodyKind.TEXT: (View.RAW, View.HEX),
    BodyKind.BINARY: (View.HEX,),
}


def views_for(kind: BodyKind) -> list[View]:
    """The views that make sense for ``kind``, the default first."""
    return list(_VIEWS[kind])


# ---------------------------------------------------------------- declared type

_NDJSON_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonl",
        "application/jsonlines",
        "application/x-jsonlines",
        "application/json-seq",
        "application/stream+json",  # Spring's NDJSON-like streams
        "application/x-json-stream",
        "text/x-ndjson",
        "text/jsonl",
    }
)
_JSON_TYPES = frozenset({"application/json", "text/json", "application/x-json"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_JS_TYPES = frozenset(
    {
        "application/javascript",
        "text/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
        "module/javascript",
    }
)
#: types that say nothing about the content: the bytes decide
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


def media_type(content_type: str) -> tuple[str, str]:
    """``(type/subtype, charset)`` of a Content-Type header, both lower-case ('' if absent)."""
    parts = content_type.split(";")
    mime = parts[0].strip().lower()
    charset = ""
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').strip("'").lower()
    return mime, charset


# ---------------------------------------------------------------- magic bytes


def image_format(head: bytes) -> str | None:
    """The raster format the magic bytes name ('png', 'jpeg', 'gif', 'webp'), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return None


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def bom_encoding(head: bytes) -> tuple[str, int] | None:
    """The encoding a byte order mark names and the mark's length, or None."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None


def _wide_encoding(head: bytes, charset: str) -> str | None:
    """UTF-16/32 (where NUL bytes are text), from a BOM or the declared charset."""
    bom = bom_encoding(head)
    if bom is not None:
        return bom[0] if bom[0] != "utf-8" else None
    if charset.startswith(("utf-16", "utf-32", "ucs-2")):
        if charset.endswith(("le", "be")):
            return charset
        width = 4 if charset.startswith("utf-32") else 2
        # no BOM: NULs first in each unit say big-endian
        even = head[0 : len(head) : width].count(0)
        odd = head[width - 1 : len(head) : width].count(0)
        order = "be" if even > odd else "le"
        return f"{'utf-32' if width == 4 else 'utf-16'}-{order}"
    return None


def _text_of(head: bytes, wide: str | None) -> str:
    """The head as text for looking at its shape (errors replaced, BOM dropped)."""
    bom = bom_encoding(head)
    if bom is not None:
        head = head[bom[1] :]
    if wide is None:
        return head.decode("utf-8", "replace")
    unit = 4 if wide.startswith("utf-32") else 2
    return head[: len(head) - len(head) % unit].decode(wide, "replace")


# C0 controls that do not occur in text (tab, LF, VT, FF, CR, ESC for ANSI
# colours and RS for json-seq records do)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c\x1d\x1f\x7f]")


def _utf8_valid(head: bytes) -> bool:
    """Valid UTF-8, allowing a sequence cut by the end of the head."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def looks_binary(head: bytes, *, strict: bool = False, charset: str = "") -> bool:
    """Bytes that are not text: NULs or many control bytes (UTF-16/32 text aside).

    ``strict`` (an untyped or octet-stream body) also calls binary any control
    byte at all or bytes that are neither UTF-8 nor plausibly a legacy charset.
    """
    if not head or _wide_encoding(head, charset) is not None:
        return False
    if b"\x00" in head:
        return True
    controls = len(_CONTROL.findall(head))
    if strict:
        if controls:
            return True
        if not _utf8_valid(head):
            high = sum(1 for b in head if b >= 0x80)
            return high * 10 > len(head)  # mostly-ASCII Latin-1 text stays text
        return False
    return controls * 20 > len(head)  # over 5%


# ---------------------------------------------------------------- JSON shape

_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_STRING_PREFIX = re.compile(
    r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*(?:\\(?:u[0-9a-fA-F]{0,3})?)?\Z'
)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NUMBER_PREFIX = re.compile(r"-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]*)?)?\Z")
_WS = re.compile(r"[ \t\r\n]*")
_LITERALS = ("true", "false", "null")


def json_prefix_ok(text: str) -> bool:
    """``text`` is the start of one JSON value: no syntax error before its end.

    A body cut off mid-way (the head of a large document) passes; "[INFO] ready"
    or "{not json" does not.
    """
    stack: list[str] = []  # '{' or '['
    # what may come next: value, key (or '}' when first), colon, comma (or close)
    expect = "value"
    first = False  # just after '{' or '[': a close is allowed
    pos, n = 0, len(text)
    while True:
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= n:
            return True
        c = text[pos]
        if expect in ("value", "key"):
            if first and c == ("}" if stack[-1] == "{" else "]"):
                stack.pop()
                pos += 1
                expect, first = "comma", False
            elif expect == "key":
                if c != '"':
                    return False
                m = _STRING.match(text, pos)
                if m is None:
                    return _STRING_PREFIX.match(text, pos) is not None
                pos, expect, first = m.end(), "colon", False
            elif c in "{[":
                stack.append(c)
                pos += 1
                expect, first = ("key" if c == "{" else "value"), True
            elif c == '"':
                m = _STRING.match(text, pos)
                if m is None:
                    return _STRING_PREFIX.match(text, pos) is not None
                pos, expect, first = m.end(), "comma", False
            elif c == "-" or c.isdigit():
                m = _NUMBER.match(text, pos)
                if m is None or m.end() == n:
                    return _NUMBER_PREFIX.match(text, pos) is not None
                pos, expect, first = m.end(), "comma", False
            else:
                for word in _LITERALS:
                    chunk = text[pos : pos + len(word)]
                    if word.startswith(chunk) and (chunk == word or pos + len(chunk) == n):
                        break
                else:
                    return False
                if pos + len(word) >= n:
                    return True
                pos, expect, first = pos + len(word), "comma", False
        elif expect == "colon":
            if c != ":":
                return False
            pos, expect = pos + 1, "value"
        else:  # comma or close
            if not stack:
                return False  # something after the whole value
            close = "}" if stack[-1] == "{" else "]"
            if c == close:
                stack.pop()
                pos += 1
            elif c == ",":
                pos += 1
                expect = "key" if stack[-1] == "{" else "value"
            else:
                return False


def _json_lines(text: str) -> bool:
    """Several JSON values, one per line (the last line may be cut off)."""
    lines = text.lstrip("\x1e").splitlines()
    complete = lines[:-1] if not text.endswith(("\n", "\r")) else lines
    values = 0
    for line in complete:
        line = line.strip().lstrip("\x1e")
        if not line:
            continue
        if line[0] not in "{[":
            return False
        try:
            orjson.loads(line)
        except orjson.JSONDecodeError:
            return False
        values += 1
    return values >= 2


# ---------------------------------------------------------------- markup shape

_MARKUP_PREAMBLE = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*", re.IGNORECASE | re.DOTALL
)
_HTML_START = re.compile(
    r"<!doctype\s+html|<(?:html|head|body|title|meta|script|div|p|table|h1|br|a|iframe|style)[\s>/]",
    re.IGNORECASE,
)


def _markup_kind(text: str) -> BodyKind | None:
    stripped = text.lstrip()
    if not stripped.startswith("<"):
        return None
    if _HTML_START.match(stripped):
        return BodyKind.HTML
    rest = stripped[_MARKUP_PREAMBLE.match(stripped).end() :]  # type: ignore[union-attr]
    if re.match(r"<svg[\s>/]", rest, re.IGNORECASE):
        return BodyKind.IMAGE
    if _HTML_START.match(rest):
        return BodyKind.HTML
    if stripped.startswith("<?xml") or re.match(r"<[A-Za-z_][\w.:-]*[\s>/]", rest):
        return BodyKind.XML
    return None


# ---------------------------------------------------------------- classify


def classify(content_type: str, head: bytes) -> BodyKind:
    """The kind of a body from its Content-Type and its first bytes (a few KB is plenty).

    ``head`` may be empty (no bytes yet): the declared type alone decides then.
    """
    mime, charset = media_type(content_type)
    if image_format(head) is not None:
        return BodyKind.IMAGE
    if mime == "image/svg+xml" or (mime.startswith("image/") and not head):
        return BodyKind.IMAGE
    if mime.startswith("image/"):
        # a declared image whose bytes are text is an error page, not an image
        wide = _wide_encoding(head, charset)
        if looks_binary(head, strict=True, charset=charset):
            return BodyKind.IMAGE
        return _markup_kind(_text_of(head, wide)) or BodyKind.TEXT

    declared = _declared_kind(mime)
    untyped = mime in _UNTYPED or (declared is None and mime.startswith("application/"))
    if not head:
        return declared or (
            BodyKind.TEXT if mime == "" or mime.startswith("text/") else BodyKind.BINARY
        )
    if looks_binary(head, strict=untyped, charset=charset):
        return BodyKind.BINARY

    text = _text_of(head, _wide_encoding(head, charset))
    if declared is BodyKind.JSON:
        return BodyKind.NDJSON if _json_lines(text) else BodyKind.JSON
    if declared is BodyKind.XML and _markup_kind(text) is BodyKind.IMAGE:
        return BodyKind.IMAGE
    if declared is not None:
        return declared

    # text/plain, an untyped body or an unknown type: the shape decides
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[", "\x1e"):
        if _json_lines(text):
            return BodyKind.NDJSON
        if json_prefix_ok(stripped):
            return BodyKind.JSON
        return BodyKind.TEXT
    return _markup_kind(text) or BodyKind.TEXT


def _declared_kind(mime: str) -> BodyKind | None:
    if mime == "text/event-stream":
        return BodyKind.SSE
    if mime in _NDJSON_TYPES or mime.endswith(("+ndjson", "+jsonl", "+json-seq")):
        return BodyKind.NDJSON
    if mime in _JSON_TYPES or mime.endswith("+json"):
        return BodyKind.JSON
    if mime in _HTML_TYPES:
        return BodyKind.HTML
    if mime in _XML_TYPES or mime.endswith("+xml"):
        return BodyKind.XML
    if mime in _JS_TYPES:
        return BodyKind.JAVASCRIPT
    if mime == "text/css":
        return BodyKind.CSS
    return None
