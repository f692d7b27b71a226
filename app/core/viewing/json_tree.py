"""A lazy JSON tree over a ByteSource: nodes are byte ranges, found on demand.

Expanding the root of a 1 GB array lists its first children by reading only
as far as they go; nothing is parsed into Python objects except keys and the
short previews of leaves.  A node knows its kind, its key (object key, array
index, or None for the root), where its value starts and, once scanned past,
where it ends; ``count`` is known once all of its children were listed.

Listing a container's children is resumable: ``scan(node, want, budget)``
works for at most ``budget`` seconds and returns, so a view can spread the
skipping of a huge sibling (``{"data": [...1 GB...], "meta": ...}``) over
timer ticks; ``children()`` is the same without a budget.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import Final, Literal

from app.core.viewing.source import ByteSource

Kind = Literal["object", "array", "string", "number", "true", "false", "null"]

_WINDOW: Final = 256 << 10
_QUICK_MATCHES: Final = 200
_WS: Final = b" \t\r\n"
_KINDS: Final[dict[int, Kind]] = {
    0x7B: "object",
    0x5B: "array",
    0x22: "string",
    0x74: "true",
    0x66: "false",
    0x6E: "null",
}
_SCALAR: Final = re.compile(
    rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
)
#: strings (group 1, possibly cut at the end of the window) and brackets (group 2)
_SKIP: Final = re.compile(rb'("(?:[^"\\]++|\\.)*+(?:"|\\?\Z))|([\[\]{}])')
_STRING: Final = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_DELTA: Final = [0] * 256
_DELTA[0x5B] = _DELTA[0x7B] = 1
_DELTA[0x5D] = _DELTA[0x7D] = -1
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class JsonTreeError(Exception):
    """The body is not valid JSON where the tree looked."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at byte {offset}")
        self.offset = offset


@dataclass(eq=False)
class JsonNode:
    kind: Kind
    key: str | int | None
    start: int
    end: int | None = None  # exclusive; None until scanned past
    parent: JsonNode | None = field(default=None, repr=False)
    count: int | None = None  # children, once all are listed
    row: int = 0  # position among its parent's children
    # scan state of a container's children
    _children: list[JsonNode] = field(default_factory=list, repr=False)
    _next: int = -1  # where the next child (or the closer) is looked for
    _skipping: tuple[int, int] | None = field(default=None, repr=False)  # (pos, depth)

    @property
    def is_container(self) -> bool:
        return self.kind in ("object", "array")

    @property
    def loaded(self) -> int:
        return len(self._children)

    @property
    def exhausted(self) -> bool:
        return self.count is not None


class _Reader:
    """Reads a ByteSource through one cached window."""

    def __init__(self, source: ByteSource) -> None:
        self.source = source
        self._base = 0
        self._data = b""

    def window(self, offset: int, size: int) -> bytes:
        """The bytes at ``offset`` (up to ``size``, fewer at the end of the body)."""
        if not (self._base <= offset and offset + size <= self._base + len(self._data)):
            self._base = offset
            self._data = self.source.read(offset, max(size, _WINDOW))
        return self._data[offset - self._base : offset - self._base + size]

    def buffer(self, offset: int, size: int) -> tuple[bytes, int, int]:
        """(data, lo, hi): the bytes at ``offset`` are ``data[lo:hi]``, without a copy."""
        self.window(offset, size)
        lo = offset - self._base
        return self._data, lo, min(len(self._data), lo + size)

    def byte(self, offset: int) -> int | None:
        data = self.window(offset, 1)
        return data[0] if data else None

    def skip_ws(self, offset: int) -> int:
        size = 64
        while True:
            data = self.window(offset, size)
            if not data:
                return offset
            stripped = data.lstrip(_WS)
            offset += len(data) - len(stripped)
            if stripped:
                return offset
            size = _WINDOW


class JsonTree:
    """The tree of one JSON body.  Complete bodies only: see ``JsonTreeView``."""

    def __init__(self, source: ByteSource) -> None:
        self.source = source
        self._reader = _Reader(source)
        start = self._reader.skip_ws(3 if source.read(0, 3) == b"\xef\xbb\xbf" else 0)
        first = self._reader.byte(start)
        if first is None:
            raise JsonTreeError("no JSON value", start)
        self.root = self._node(first, None, start, None)
        if not self.root.is_container:
            self.root.end = self._scalar_end(self.root)
            self.root.count = 0

    # -- nodes -------------------------------------------------------------

    def _node(
        self, first: int, key: str | int | None, start: int, parent: JsonNode | None
    ) -> JsonNode:
        kind = _KINDS.get(first)
        if kind is None:
            if first == 0x2D or 0x30 <= first <= 0x39:
                kind = "number"
            else:
                raise JsonTreeError(f"unexpected {chr(first)!r}", start)
        node = JsonNode(kind, key, start, parent=parent)
        if node.is_container:
            node._next = start + 1
        return node

    def children(self, node: JsonNode, first: int = 0, limit: int = 1000) -> list[JsonNode]:
        """Children ``first`` .. ``first + limit`` (fewer at the end), scanning as needed."""
        self.scan(node, first + limit)
        return node._children[first : first + limit]

    def scan(self, node: JsonNode, want: int, budget: float | None = None) -> bool:
        """List children until ``want`` are known or all are; stop after ``budget`` s.

        True when done (``want`` reached or the container is exhausted).
        """
        if not node.is_container:
            return True
        deadline = None if budget is None else time.monotonic() + budget
        while node.count is None and len(node._children) < want:
            if node._skipping is not None:
                if not self._skip_step(node, deadline):
                    return False
                continue
            self._next_child(node)
            if deadline is not None and time.monotonic() > deadline and node.count is None:
                return len(node._children) >= want
        return True

    def _next_child(self, node: JsonNode) -> None:
        r = self._reader
        pos = r.skip_ws(node._next)
        closer = 0x7D if node.kind == "object" else 0x5D
        byte = r.byte(pos)
        if node._children:
            if byte == closer:
                self._close(node, pos)
                return
            if byte != 0x2C:
                raise JsonTreeError(self._expected(byte, f"',' or {chr(closer)!r}"), pos)
            pos = r.skip_ws(pos + 1)
            byte = r.byte(pos)
        elif byte == closer:
            self._close(node, pos)
            return
        key: str | int
        if node.kind == "object":
            if byte != 0x22:
                raise JsonTreeError(self._expected(byte, "a key"), pos)
            key_end = self._string_end(pos)
            key = json.loads(r.window(pos, key_end - pos))
            pos = r.skip_ws(key_end)
            if r.byte(pos) != 0x3A:
                raise JsonTreeError(self._expected(r.byte(pos), "':'"), pos)
            pos = r.skip_ws(pos + 1)
            byte = r.byte(pos)
        else:
            key = len(node._children)
        if byte is None:
            raise JsonTreeError("unexpected end of data", pos)
        child = self._node(byte, key, pos, node)
        child.row = len(node._children)
        node._children.append(child)
        if child.is_container:
            node._skipping = (pos + 1, 1)
        else:
            child.end = self._scalar_end(child)
            node._next = child.end

    def _close(self, node: JsonNode, closer_at: int) -> None:
        node.count = len(node._children)
        node.end = closer_at + 1

    def _skip_step(self, node: JsonNode, deadline: float | None) -> bool:
        """Advance over the last child (a container); True once past its end.

        Small children are walked match by match; past ``_QUICK_MATCHES`` the
        rest is skipped in growing blocks with C-level bracket sums.
        """
        assert node._skipping is not None
        pos, depth = node._skipping
        child = node._children[-1]
        data, lo, hi = self._reader.buffer(pos, 4096)
        for seen, match in enumerate(_SKIP.finditer(data, lo, hi), 1):
            bracket = match.group(2)
            if bracket:
                depth += _DELTA[bracket[0]]
                if depth == 0:
                    self._skipped(node, child, pos + match.end() - lo)
                    return True
            elif match.end() == hi and not _STRING.fullmatch(match.group(1)):
                node._skipping = (pos + match.start() - lo, depth)
                break
            if seen == _QUICK_MATCHES:
                node._skipping = (pos + match.end() - lo, depth)
                break
        else:
            node._skipping = (pos + hi - lo, depth)
        pos, depth = node._skipping
        size = 64 << 10
        while True:
            data = self.source.read(pos, size)
            size = min(size * 4, 4 << 20)
            if not data:
                raise JsonTreeError("unexpected end of data", pos)
            brackets, cut = self._brackets(data, self._more(pos, data))
            sums = list(accumulate(map(_DELTA.__getitem__, brackets), initial=depth))
            if 0 in sums[1:]:
                index = sums.index(0, 1)  # the bracket that closes the child
                self._skipped(node, child, pos + self._bracket_offset(data, index))
                return True
            if cut == 0:  # a string longer than the block starts here: step over it
                pos = self._string_end(pos)
                node._skipping = (pos, depth)
                continue
            pos += cut
            depth = sums[-1]  # a cut string holds no brackets
            node._skipping = (pos, depth)
            if deadline is not None and time.monotonic() > deadline:
                return False

    @staticmethod
    def _brackets(data: bytes, more: bool) -> tuple[bytes, int]:
        """The brackets outside strings in ``data``, and how much of it was covered
        (less than all when a string goes on past its end and ``more`` will come)."""
        if b'\\"' not in data:
            # no escaped quote: quotes alternate, so splitting on them is exact (and C-fast)
            parts = data.split(b'"')
            cut = len(data)
            if len(parts) % 2 == 0 and more:  # the last string is not closed yet
                cut -= len(parts[-1]) + 1
                parts.pop()
            return b"".join(parts[0::2]).translate(None, _NOT_BRACKETS), cut
        pairs = _SKIP.findall(data)
        last = pairs[-1][0] if pairs else b""
        cut = len(data)
        if last and data.endswith(last) and not _STRING.fullmatch(last) and more:
            cut -= len(last)  # a string goes on past this block: start there next time
        return b"".join(map(itemgetter(1), pairs)), cut

    @staticmethod
    def _skipped(node: JsonNode, child: JsonNode, end: int) -> None:
        child.end = end
        node._next = end
        node._skipping = None

    def _more(self, pos: int, data: bytes) -> bool:
        return pos + len(data) < self.source.size()

    @staticmethod
    def _bracket_offset(data: bytes, index: int) -> int:
        """Offset just past the ``index``-th (1-based) bracket outside strings in ``data``."""
        seen = 0
        for match in _SKIP.finditer(data):
            if match.group(2):
                seen += 1
                if seen == index:
                    return match.end()
        raise AssertionError("bracket not found")  # pragma: no cover

    def _string_end(self, start: int) -> int:
        """End (exclusive) of the string starting at ``start``, however long."""
        pos = start + 1
        size = 4096
        while True:
            data, lo, hi = self._reader.buffer(pos, size)
            if lo == hi:
                raise JsonTreeError("unterminated string", start)
            i = lo
            while True:
                i = data.find(b'"', i, hi)
                if i < 0:
                    break
                j = i
                while j > lo and data[j - 1] == 0x5C:
                    j -= 1
                if (i - j) % 2 == 0:
                    return pos + i - lo + 1
                i += 1
            # keep a trailing run of backslashes for the next block's first quote
            tail = hi
            while tail > lo and data[tail - 1] == 0x5C:
                tail -= 1
            pos += (tail if tail > lo else hi) - lo
            size = _WINDOW

    def _scalar_end(self, node: JsonNode) -> int:
        if node.kind == "string":
            return self._string_end(node.start)
        data, lo, hi = self._reader.buffer(node.start, 4096)
        m = _SCALAR.match(data, lo, hi)
        if m is None or (node.kind != "number" and m.group().decode() != node.kind):
            raise JsonTreeError("invalid literal or number", node.start)
        return node.start + m.end() - lo

    @staticmethod
    def _expected(byte: int | None, what: str) -> str:
        got = "end of data" if byte is None else repr(chr(byte))
        return f"unexpected {got}: expected {what}"

    # -- what views show ---------------------------------------------------

    def end_of(self, node: JsonNode) -> int:
        """The end of ``node``'s value (scans a container that was not skipped yet)."""
        if node.end is None:
            self.scan(node, 1 << 62)
        assert node.end is not None
        return node.end

    def value_bytes(self, node: JsonNode) -> bytes:
        """The value exactly as written in the body."""
        return self.source.read(node.start, self.end_of(node) - node.start)

    def preview(self, node: JsonNode, limit: int = 120) -> str:
        """A one-line preview: the leaf's text, or a count for a container."""
        if node.kind == "object":
            return "{…}" if node.count is None else f"{{{node.count} keys}}" if node.count else "{}"
        if node.kind == "array":
            return "[…]" if node.count is None else f"[{node.count} items]" if node.count else "[]"
        if node.kind != "string":
            return self.source.read(
                node.start, min(limit, (node.end or node.start + limit) - node.start)
            ).decode("ascii", "replace")
        assert node.end is not None
        raw = self.source.read(node.start, min(node.end - node.start, limit * 6 + 2))
        cut = raw if raw.endswith(b'"') and len(raw) == node.end - node.start else _safe_prefix(raw)
        try:
            text = str(json.loads(cut))
        except ValueError:
            text = cut[1:].decode("utf-8", "replace")
        text = text.replace("\n", "⏎").replace("\r", "").replace("\t", " ")
        if len(text) > limit or cut is not raw:
            return '"' + text[:limit] + '…"'
        return '"' + text + '"'

    def text(self, node: JsonNode) -> str:
        """A value for the clipboard: strings decoded, everything else as written."""
        data = self.value_bytes(node)
        if node.kind == "string":
            return str(json.loads(data))
        return data.decode("utf-8", "replace")

    @staticmethod
    def path(node: JsonNode) -> str:
        """JSONPath of ``node``: ``$.data[3].name``, ``$['a b']``."""
        parts: list[str] = []
        current: JsonNode | None = node
        while current is not None and current.parent is not None:
            key = current.key
            if isinstance(key, int):
                parts.append(f"[{key}]")
            elif key is not None and _IDENTIFIER.match(key):
                parts.append(f".{key}")
            else:
                quoted = str(key).replace("\\", "\\\\").replace("'", "\\'")
                parts.append(f"['{quoted}']")
            current = current.parent
        return "$" + "".join(reversed(parts))


def _safe_prefix(raw: bytes) -> bytes:
    """A string's opening part, cut before any partial escape, closed with a quote."""
    cut = raw[:-1] if raw.endswith(b'"') else raw
    slash = cut.rfind(b"\\", max(0, len(cut) - 6))
    if slash > 0:
        cut = cut[:slash]
    return cut + b'"'
