"""Shell command lines split into words, as the shell would hand them to curl.

Two flavours, the two a browser's "Copy as cURL" writes:

- ``split_bash``: POSIX shell quoting: ``'...'``, ``"..."`` (with ``\\`` escapes),
  ``$'...'`` (ANSI-C escapes), backslash escapes, ``\\`` + newline continuations,
  ``#`` comments; ``$NAME`` / ``${NAME}`` become Courier's ``{{NAME}}``.
- ``split_cmd``: Windows ``cmd.exe`` (``^`` escapes and ``^`` + newline
  continuations, ``%NAME%`` variables) followed by the C runtime's argument
  rules (``"...", \\"``) that curl.exe applies to what cmd passes it.

Either returns the commands (a newline, ``;``, ``&&``, ``||`` or ``&`` ends one),
each a list of ``Word``s with the line and column they start at, and what was
not taken literally (pipes, redirections, command substitutions) as notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.importers.errors import MalformedImport

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
#: operators that end a command
_ENDS = frozenset({";", "&&", "||", "&", "\n"})
#: the unquoted characters that start an operator
_OPERATOR_CHARS = frozenset(";&|<>")


@dataclass(frozen=True, slots=True)
class Word:
    """One argument (``operator`` False) or one unquoted operator (``|``, ``>``...)."""

    text: str
    line: int
    column: int
    operator: bool = False


@dataclass(slots=True)
class Command:
    """One command of the input: its words, and the redirections it had."""

    words: list[Word] = field(default_factory=list)
    #: ``< file``: what the command's standard input reads (for ``-d @-``)
    stdin_file: str | None = None
    notes: list[str] = field(default_factory=list)
    #: shell variables turned into ``{{NAME}}``
    variables: list[str] = field(default_factory=list)


class _Positions:
    """Index in the text -> (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, index: int) -> tuple[int, int]:
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low + 1, index - self.starts[low] + 1

    def error(self, message: str, index: int) -> MalformedImport:
        line, column = self.at(index)
        return MalformedImport(message, line=line, column=column)


class _CommandBuilder:
    """Collects words into commands, applying pipes and redirections."""

    def __init__(self, positions: _Positions) -> None:
        self.positions = positions
        self.commands: list[Command] = []
        self.current = Command()
        #: after ``|``: the rest of the command feeds another program (ignored)
        self.piped = False
        #: after ``>`` / ``<``: the next word is the redirection's file
        self.redirect: str | None = None

    def word(self, text: str, index: int) -> None:
        line, column = self.positions.at(index)
        if self.redirect is not None:
            if self.redirect == "<":
                self.current.stdin_file = text
            else:
                self.current.notes.append(f"output redirection {self.redirect} {text} ignored")
            self.redirect = None
            return
        if self.piped:
            return
        self.current.words.append(Word(text, line, column))

    def operator(self, op: str, index: int) -> None:
        if self.redirect is not None:
            raise self.positions.error(f"a file name is missing after {self.redirect}", index)
        if op in _ENDS:
            self.end()
        elif op == "|":
            if not self.piped:
                self.current.notes.append("the output piped to another program is ignored")
            self.piped = True
        else:  # > >> < >& &> ...
            self.redirect = op

    def note(self, text: str) -> None:
        if text not in self.current.notes:
            self.current.notes.append(text)

    def variable(self, name: str) -> str:
        if name not in self.current.variables:
            self.current.variables.append(name)
        return "{{" + name + "}}"

    def end(self) -> None:
        if self.current.words:
            self.commands.append(self.current)
        self.current = Command()
        self.piped = False
        self.redirect = None

    def finish(self, index: int) -> list[Command]:
        if self.redirect is not None:
            raise self.positions.error(f"a file name is missing after {self.redirect}", index)
        self.end()
        return self.commands


def _ansi_c(text: str, start: int, positions: _Positions) -> tuple[str, int]:
    """The value of ``$'...'`` whose body starts at ``start``; and the index after it."""
    out: list[str] = []
    i = start
    while i < len(text):
        c = text[i]
        if c == "'":
            return "".join(out), i + 1
        if c != "\\" or i + 1 >= len(text):
            out.append(c)
            i += 1
            continue
        e = text[i + 1]
        i += 2
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
        elif e in "01234567":
            digits = re.match(r"[0-7]{0,2}", text[i:])
            assert digits is not None
            out.append(chr(int(e + digits.group(), 8) & 0xFF))
            i += digits.end()
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = re.match(rf"[0-9A-Fa-f]{{1,{width}}}", text[i:])
            if digits is None:
                out.append("\\" + e)
                continue
            i += digits.end()
            code = int(digits.group(), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise positions.error(f"\\{e}{digits.group()} is not a character", i)
            out.append(chr(code))
        elif e == "c" and i < len(text):
            out.append(chr(ord(text[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + e)
    raise positions.error("this $'...' string is never closed", start - 2)


def _dollar(
    text: str, i: int, builder: _CommandBuilder, positions: _Positions
) -> tuple[str, int] | None:
    """A ``$NAME``, ``${NAME}`` or ``$(...)`` at ``i`` (the ``$``): its text and the index
    after it; None when the ``$`` is literal."""
    rest = text[i + 1 :]
    if match := _NAME.match(rest):
        return builder.variable(match.group()), i + 1 + match.end()
    if rest.startswith("{"):
        close = rest.find("}")
        if close < 0:
            raise positions.error("this ${...} is never closed", i)
        name = rest[1:close]
        if _NAME.fullmatch(name):
            return builder.variable(name), i + 2 + close
        builder.note(f"the shell expansion ${{{name}}} is kept as typed")
        return text[i : i + 2 + close], i + 2 + close
    if rest.startswith("("):
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    builder.note(f"the command substitution {text[i : j + 1]} is kept as typed")
                    return text[i : j + 1], j + 1
            j += 1
        raise positions.error("this $(...) is never closed", i)
    return None


def split_bash(text: str) -> list[Command]:
    """``text`` as a POSIX shell splits it: its commands and their words."""
    positions = _Positions(text)
    builder = _CommandBuilder(positions)
    chars: list[str] = []
    start: int | None = None  # where the current word started (None: no word)
    i, n = 0, len(text)

    def end_word() -> None:
        nonlocal chars, start
        if start is not None:
            builder.word("".join(chars), start)
        chars, start = [], None

    while i < n:
        c = text[i]
        if c in " \t\r":
            end_word()
            i += 1
        elif c == "\n":
            end_word()
            builder.operator("\n", i)
            i += 1
        elif c == "\\":
            if text.startswith("\r\n", i + 1):
                i += 3  # a continuation: no word break
            elif i + 1 < n and text[i + 1] == "\n":
                i += 2
            else:
                start = i if start is None else start
                chars.append(text[i + 1] if i + 1 < n else "\\")
                i += 2
        elif c == "'":
            start = i if start is None else start
            close = text.find("'", i + 1)
            if close < 0:
                raise positions.error("this '...' string is never closed", i)
            chars.append(text[i + 1 : close])
            i = close + 1
        elif c == '"':
            start = i if start is None else start
            i = _double_quoted(text, i, chars, builder, positions)
        elif c == "$" and text.startswith("'", i + 1):
            start = i if start is None else start
            value, i = _ansi_c(text, i + 2, positions)
            chars.append(value)
        elif c == "$" and text.startswith('"', i + 1):
            start = i if start is None else start
            i = _double_quoted(text, i + 1, chars, builder, positions)
        elif c == "$" and (found := _dollar(text, i, builder, positions)) is not None:
            start = i if start is None else start
            chars.append(found[0])
            i = found[1]
        elif c == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise positions.error("this `...` is never closed", i)
            builder.note(f"the command substitution {text[i : close + 1]} is kept as typed")
            start = i if start is None else start
            chars.append(text[i : close + 1])
            i = close + 1
        elif c == "#" and start is None:
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
        elif c in _OPERATOR_CHARS:
            if c in "<>" and start is not None and "".join(chars).isdigit():
                chars, start = [], None  # 2>file: a file descriptor number
            end_word()
            op = _operator_at(text, i)
            builder.operator(op, i)
            i += len(op)
        else:
            start = i if start is None else start
            chars.append(c)
            i += 1
    end_word()
    return builder.finish(n)


def _operator_at(text: str, i: int) -> str:
    for op in (">>", "&>", ">&", "&&", "||", "<<", ">|"):
        if text.startswith(op, i):
            return op
    return text[i]


def _double_quoted(
    text: str, quote: int, chars: list[str], builder: _CommandBuilder, positions: _Positions
) -> int:
    """Append the value of the ``"..."`` opening at ``quote``; return the index after it."""
    i, n = quote + 1, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return i + 1
        if c == "\\" and i + 1 < n:
            e = text[i + 1]
            if e == "\n":
                i += 2
                continue
            chars.append(e if e in '$`"\\' else "\\" + e)
            i += 2
        elif c == "$" and (found := _dollar(text, i, builder, positions)) is not None:
            chars.append(found[0])
            i = found[1]
        elif c == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise positions.error("this `...` is never closed", i)
            builder.note(f"the command substitution {text[i : close + 1]} is kept as typed")
            chars.append(text[i : close + 1])
            i = close + 1
        else:
            chars.append(c)
            i += 1
    raise positions.error('this "..." string is never closed', quote)


def looks_like_cmd(text: str) -> bool:
    """Is this Windows cmd's flavour (``^`` continuations or ``^"`` escapes)?"""
    return re.search(r"\^\r?\n", text) is not None or '^"' in text


def split_cmd(text: str) -> list[Command]:
    """``text`` as ``cmd.exe`` and then curl.exe's C runtime split it."""
    positions = _Positions(text)
    builder = _CommandBuilder(positions)
    # pass 1, cmd.exe: (character, index, escaped-by-^) per command
    line: list[tuple[str, int]] = []
    quoted = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            quoted = not quoted
            line.append((c, i))
            i += 1
        elif quoted:
            if c == "\n":
                raise positions.error('this "..." string is never closed', i)
            if c == "%" and (found := _percent(text, i, builder)) is not None:
                line.append((found[0], i))
                i = found[1]
                continue
            line.append((c, i))
            i += 1
        elif c == "^":
            if text.startswith("\r\n", i + 1):
                i += 3
            elif text.startswith("\n", i + 1):
                i += 2
            elif i + 1 < n:
                line.append((text[i + 1], i + 1))
                i += 2
            else:
                i += 1
        elif c == "%" and (found := _percent(text, i, builder)) is not None:
            line.append((found[0], i))
            i = found[1]
        elif c == "\n" or c in "&|<>":
            _argv(line, builder, positions)
            line = []
            op = "\n" if c == "\n" else _operator_at(text, i)
            builder.operator(op, i)
            i += len(op)
        elif c == "\r":
            i += 1
        else:
            line.append((c, i))
            i += 1
    if quoted:
        raise positions.error('a "..." string is never closed', n)
    _argv(line, builder, positions)
    return builder.finish(n)


def _percent(text: str, i: int, builder: _CommandBuilder) -> tuple[str, int] | None:
    match = re.match(r"%([A-Za-z_][A-Za-z0-9_]*)%", text[i:])
    if match is None:
        return None
    return builder.variable(match.group(1)), i + match.end()


def _argv(line: list[tuple[str, int]], builder: _CommandBuilder, positions: _Positions) -> None:
    """Pass 2, the C runtime's rules: whitespace splits, ``"`` quotes, ``\\"`` is a quote."""
    chars: list[str] = []
    start: int | None = None
    quoted = False
    i = 0
    while i < len(line):
        c, index = line[i]
        if c in " \t" and not quoted:
            if start is not None:
                builder.word("".join(chars), start)
            chars, start = [], None
            i += 1
            continue
        start = index if start is None else start
        if c == "\\":
            j = i
            while j < len(line) and line[j][0] == "\\":
                j += 1
            count = j - i
            if j < len(line) and line[j][0] == '"':
                chars.append("\\" * (count // 2))
                if count % 2:
                    chars.append('"')
                    j += 1
                i = j
            else:
                chars.append("\\" * count)
                i = j
        elif c == '"':
            if quoted and i + 1 < len(line) and line[i + 1][0] == '"':
                chars.append('"')  # "" inside quotes: a literal quote
                i += 2
            else:
                quoted = not quoted
                i += 1
        else:
            chars.append(c)
            i += 1
    if start is not None:
        builder.word("".join(chars), start)
