"""Incremental JSON pretty-printer that keeps every token as it was written.

``json.dumps(json.loads(body), indent=2)`` re-spells numbers (``1.50`` becomes
``1.5``), merges duplicate keys and needs the whole body in memory (50 MB took
6 s and 821 MB).  This printer is fed the body in arbitrary pieces and writes
the same layout with the original tokens, so a 1 GB body is formatted in a
worker process in constant memory.

Speed comes from doing the per-token work in C: one ``findall`` splits a block
into (structure, value) pairs, where *structure* is everything between two
value tokens (punctuation, whitespace, ``true``/``false``/``null`` and object
keys) and *value* is a string or number.  Records repeat their structure
(``,"name":``), so the formatted text of a structure piece is cached by
(parser state, piece, value kind) and most pieces cost one dict lookup.  Values
are copied verbatim; a string longer than ``STREAM_STRING`` that has not ended
yet is written as it arrives instead of being held.

Invalid JSON: formatting stops at the first error and the rest of the body is
passed through unchanged; ``error`` says what and at which byte offset.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Final

_WS: Final = rb"[ \t\r\n]"
_STR: Final = rb'"[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+"'
_NUM: Final = rb"-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?(?:[eE][+-]?[0-9]++)?"
#: (structure, value) pairs; structure includes keys (a string followed by ':')
_PAIRS: Final = re.compile(
    rb"((?:" + _WS + rb"++|[\[\]{},:]|true|false|null|(?>" + _STR + rb")" + _WS + rb"*+:)*+)"
    rb"(" + _STR + rb"|" + _NUM + rb")?"
)
_STRING: Final = re.compile(_STR)
#: the start of a string that has not ended: group 1 is a cut escape sequence
_STRING_PREFIX: Final = re.compile(
    rb'"[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+'
    rb"(\\(?:u[0-9a-fA-F]{0,3})?)?"
)
#: the rest of a string being streamed (no opening quote), same group 1
_STRING_REST: Final = re.compile(
    rb'[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+'
    rb"(\\(?:u[0-9a-fA-F]{0,3})?)?"
)
#: bytes a number or literal can end with: a block's tail made of them is held back
_TOKEN_TAIL: Final = b"0123456789+-.eEtruefalsn"
_MAX_HELD_TOKEN: Final = 4096
#: an unfinished string longer than this is written as it arrives
STREAM_STRING: Final = 1 << 20
_CACHE_LIMIT: Final = 100_000

# parser states (the first byte of the state key; the rest is the open-container stack)
_VALUE: Final = 0x56  # 'V' a value is required (start, after ':' or after ',' in an array)
_VALUE_OR_END: Final = 0x76  # 'v' just after '[': a value or ']'
_KEY_OR_END: Final = 0x6B  # 'k' just after '{': a key or '}'
_KEY: Final = 0x4B  # 'K' after ',' in an object
_COLON: Final = 0x43  # 'C' after a key
_AFTER: Final = 0x41  # 'A' after a value inside a container: ',' or the closer
_END: Final = 0x45  # 'E' the top-level value is complete
_OBJ: Final = 0x7B
_ARR: Final = 0x5B
_WS_BYTES: Final = frozenset(b" \t\r\n")
_LITERALS: Final = {0x74: b"true", 0x66: b"false", 0x6E: b"null"}

_EXPECTED: Final = {
    _VALUE: "a value",
    _VALUE_OR_END: "a value or ']'",
    _KEY_OR_END: "a key or '}'",
    _KEY: "a key",
    _COLON: "':'",
    _END: "the end of the data",
}


def _length(pairs: list[tuple[bytes, bytes]], count: int) -> int:
    """Bytes covered by the first ``count`` pairs (one C-level join, no Python loop)."""
    return len(b"".join(chain.from_iterable(pairs[:count])))


class _Stop(Exception):
    def __init__(self, index: int, message: str, done: list[bytes]) -> None:
        super().__init__(message)
        self.index = index
        self.message = message
        self.text = b"".join(done)  # what the piece formatted before the error


def _expected(expect: int, stack: bytes) -> str:
    if expect == _AFTER:
        return "',' or '}'" if stack[-1] == _OBJ else "',' or ']'"
    return _EXPECTED[expect]


def _describe(byte: int | None) -> str:
    if byte is None:
        return "end of data"
    if 0x20 <= byte < 0x7F:
        return repr(chr(byte))
    return f"byte 0x{byte:02x}"


class JsonPrettyPrinter:
    """Feed pieces of a JSON body, get pretty UTF-8 text back piece by piece."""

    def __init__(self, indent: int = 2) -> None:
        self._indent = indent
        self._newlines: list[bytes] = [b"\n"]
        self._state: bytes = bytes([_VALUE])
        self._pending = b""
        self._offset = 0  # absolute offset of _pending[0] in the body
        self._in_string = False
        self._after_string: bytes = b""
        self._cache: dict[tuple[bytes, bytes, bool | None], tuple[bytes, bytes]] = {}
        self._raw = False
        self._bom_checked = False
        self._finished = False
        self.error: str | None = None
        self.error_offset: int | None = None

    # -- public ----------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Pretty text for as much of the body as can be decided so far."""
        if self._finished:
            raise RuntimeError("feed() after finish()")
        if self._raw:
            return bytes(data)
        buf = self._pending + data if self._pending else bytes(data)
        self._pending = b""
        return self._run(buf, final=False)

    def finish(self) -> bytes:
        """The rest, once the whole body was fed; reports a truncated body as an error."""
        if self._finished:
            return b""
        self._finished = True
        if self._raw:
            return b""
        buf, self._pending = self._pending, b""
        out = self._run(buf, final=True)
        if self._raw:
            return out
        if self._in_string:
            return out + self._fail(self._offset, "unterminated string", b"")
        if self._state != bytes([_VALUE]) and self._state[0] != _END:
            return out + self._fail(
                self._offset,
                f"unexpected end of data at byte {self._offset}: expected "
                f"{_expected(self._state[0], self._state[1:])}",
                b"",
            )
        return out

    @property
    def depth(self) -> int:
        return len(self._state) - 1

    # -- internals -------------------------------------------------------

    def _newline(self, depth: int) -> bytes:
        lines = self._newlines
        while len(lines) <= depth:
            lines.append(b"\n" + b" " * (self._indent * len(lines)))
        return lines[depth]

    def _fail(self, offset: int, message: str, rest: bytes) -> bytes:
        self.error = message if "byte" in message else f"{message} at byte {offset}"
        self.error_offset = offset
        self._raw = True
        return rest

    def _run(self, buf: bytes, *, final: bool) -> bytes:
        out: list[bytes] = []
        start = 0
        if not self._bom_checked:
            if not final and len(buf) < 3 and b"\xef\xbb\xbf".startswith(buf):
                self._pending = buf
                return b""
            self._bom_checked = True
            if buf.startswith(b"\xef\xbb\xbf"):
                start = 3
        if self._in_string:
            start = self._continue_string(buf, start, out, final)
            if self._in_string or self._raw:
                return b"".join(out)
        if start:
            self._offset += start
            buf = buf[start:]
        self._scan(buf, out, final)
        return b"".join(out)

    def _continue_string(self, buf: bytes, start: int, out: list[bytes], final: bool) -> int:
        m = _STRING_REST.match(buf, start)
        assert m is not None  # the pattern matches the empty string
        end = m.end()
        if end < len(buf) and buf[end] == 0x22 and m.group(1) is None:
            out.append(buf[start : end + 1])
            self._in_string = False
            self._state = self._after_string
            return end + 1
        if end == len(buf) and not final:
            keep = m.start(1) if m.group(1) is not None else end
            out.append(buf[start:keep])
            self._pending = buf[keep:]
            self._offset += keep
            return len(buf)
        offset = self._offset + end
        what = "unterminated string" if end == len(buf) else "invalid character in string"
        out.append(self._fail(offset, f"{what} at byte {offset}", buf[end:]))
        return len(buf)

    def _scan(self, buf: bytes, out: list[bytes], final: bool) -> None:
        cut = len(buf)
        if not final:
            held = cut - len(buf.rstrip(_TOKEN_TAIL))
            if held <= _MAX_HELD_TOKEN:
                cut -= held
        pairs = _PAIRS.findall(buf, 0, cut)
        state = self._state
        cache = self._cache
        piece_text = self._piece
        index = 0
        try:
            for structure, value in pairs:
                if not value:
                    break
                key = (state, structure, value[0] == 0x22)
                hit = cache.get(key)
                if hit is None:
                    hit = piece_text(state, structure, key[2])
                    if len(cache) >= _CACHE_LIMIT:
                        cache.clear()
                    cache[key] = hit
                out.append(hit[0])
                out.append(value)
                state = hit[1]
                index += 1
            else:  # pragma: no cover - findall always ends with a pair without a value
                pass
            pos = _length(pairs, index)
            if index < len(pairs):
                structure = pairs[index][0]
                text, state = piece_text(state, structure, None)
                out.append(text)
                pos += len(structure)
        except _Stop as stop:
            self._state = state
            pos = _length(pairs, index) + stop.index
            offset = self._offset + pos
            message = stop.message.replace("{at}", f"at byte {offset}")
            out.append(stop.text)
            out.append(self._fail(offset, message, buf[pos:]))
            return
        self._state = state
        if pos < cut:
            self._stopped_at(buf, pos, out, final)
            return
        self._pending = buf[pos:]
        self._offset += pos

    def _stopped_at(self, buf: bytes, pos: int, out: list[bytes], final: bool) -> None:
        """The block could not be split further at ``pos``: an unfinished string or an error."""
        state = self._state
        expect = state[0]
        byte = buf[pos]
        offset = self._offset + pos
        if byte == 0x22 and expect in (_VALUE, _VALUE_OR_END, _KEY, _KEY_OR_END):
            m = _STRING_PREFIX.match(buf, pos)
            assert m is not None
            if m.end() == len(buf) and not final:
                if len(buf) - pos <= STREAM_STRING:
                    self._pending = buf[pos:]
                    self._offset += pos
                    return
                keep = m.start(1) if m.group(1) is not None else m.end()
                depth = len(state) - 1
                if expect in (_KEY_OR_END, _VALUE_OR_END):
                    out.append(self._newline(depth))
                out.append(buf[pos:keep])
                self._in_string = True
                if expect in (_KEY, _KEY_OR_END):
                    self._after_string = bytes([_COLON]) + state[1:]
                else:
                    self._after_string = bytes([_AFTER if depth else _END]) + state[1:]
                self._pending = buf[keep:]
                self._offset += keep
                return
            bad = m.end()
            what = "unterminated string" if bad == len(buf) else "invalid character in string"
            offset = self._offset + bad
            out.append(self._fail(offset, f"{what} at byte {offset}", buf[pos:]))
            return
        if byte in _LITERALS or byte == 0x2D or 0x30 <= byte <= 0x39:
            message = f"invalid literal or number at byte {offset}"
        else:
            message = (
                f"unexpected {_describe(byte)} at byte {offset}: expected "
                f"{_expected(expect, state[1:])}"
            )
        out.append(self._fail(offset, message, buf[pos:]))

    def _piece(
        self, state: bytes, piece: bytes, value_is_string: bool | None
    ) -> tuple[bytes, bytes]:
        """Format one structure piece (and check the value after it) from ``state``.

        Returns the text to write before the value and the state after the value.
        """
        expect = state[0]
        stack = bytearray(state[1:])
        out: list[bytes] = []
        i, n = 0, len(piece)
        while i < n:
            c = piece[i]
            if c in _WS_BYTES:
                i += 1
                continue
            depth = len(stack)
            if c == 0x22:  # a key: complete and followed by ':' (the split made sure)
                if expect == _KEY_OR_END:
                    out.append(self._newline(depth))
                elif expect != _KEY:
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                m = _STRING.match(piece, i)
                assert m is not None
                out.append(m.group())
                expect = _COLON
                i = m.end()
                continue
            if c == 0x3A:  # ':'
                if expect != _COLON:
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                out.append(b": ")
                expect = _VALUE
            elif c == 0x2C:  # ','
                if expect != _AFTER:
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                out.append(b"," + self._newline(depth))
                expect = _KEY if stack[-1] == _OBJ else _VALUE
            elif c in (_OBJ, _ARR):
                if expect == _VALUE_OR_END:
                    out.append(self._newline(depth))
                elif expect != _VALUE:
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                out.append(b"{" if c == _OBJ else b"[")
                stack.append(c)
                expect = _KEY_OR_END if c == _OBJ else _VALUE_OR_END
            elif c in (0x7D, 0x5D):  # '}' ']'
                opener = _OBJ if c == 0x7D else _ARR
                if not stack or stack[-1] != opener:
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                if expect == _AFTER:
                    out.append(self._newline(depth - 1))
                elif expect != (_KEY_OR_END if c == 0x7D else _VALUE_OR_END):
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                out.append(b"}" if c == 0x7D else b"]")
                stack.pop()
                expect = _AFTER if stack else _END
            elif c in _LITERALS:
                word = _LITERALS[c]
                if expect == _VALUE_OR_END:
                    out.append(self._newline(depth))
                elif expect != _VALUE:
                    raise _Stop(i, self._unexpected(c, expect, stack), out)
                out.append(word)
                expect = _AFTER if stack else _END
                i += len(word)
                continue
            else:  # pragma: no cover - the split lets nothing else into a piece
                raise _Stop(i, self._unexpected(c, expect, stack), out)
            i += 1
        if value_is_string is not None:
            depth = len(stack)
            if value_is_string and expect in (_KEY, _KEY_OR_END):
                if expect == _KEY_OR_END:
                    out.append(self._newline(depth))
                expect = _COLON
            elif expect in (_VALUE, _VALUE_OR_END):
                if expect == _VALUE_OR_END:
                    out.append(self._newline(depth))
                expect = _AFTER if stack else _END
            else:
                raise _Stop(
                    n, self._unexpected(0x22 if value_is_string else 0x30, expect, stack), out
                )
        return b"".join(out), bytes([expect]) + bytes(stack)

    @staticmethod
    def _unexpected(byte: int, expect: int, stack: bytearray) -> str:
        what = "string" if byte == 0x22 else "number" if byte == 0x30 else _describe(byte)
        return f"unexpected {what} {{at}}: expected {_expected(expect, bytes(stack))}"


def pretty_json(data: bytes, indent: int = 2) -> tuple[bytes, str | None]:
    """Format a whole body at once: (text, error or None)."""
    printer = JsonPrettyPrinter(indent)
    text = printer.feed(data) + printer.finish()
    return text, printer.error
