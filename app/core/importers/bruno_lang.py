"""Bruno's Bru markup (``.bru`` files) read into blocks, following Bruno's own grammar
(usebruno/bruno ``packages/bruno-lang/v2/src/bruToJson.js``, ``collectionBruToJson.js``,
``envToJson.js``).

    meta {                      a dictionary block: ``key: value`` lines, ``~key``
      name: Get user              switched off, a value either the rest of the line
      seq: 2                      (trimmed) or ``'''`` … ``'''`` over several lines
    }
    body:json {                 a text block: every line up to a line starting with
      {"id": 1}                   ``}``, each losing two leading spaces of indent
    }
    vars:secret [ token, ~old ] an array block (environments)

A block ends at a newline followed by ``}`` (Bruno's ``tagend``).  Errors name the
file and the 1-based line and column where the text stops following the grammar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.importers.errors import MalformedImport

#: blocks whose body is text (Bruno's ``textblock``), not ``key: value`` pairs
TEXT_TAGS = frozenset(
    ("body", "body:json", "body:text", "body:xml", "body:sparql", "body:graphql",
     "body:graphql:vars", "body:raw-file", "script:pre-request", "script:post-response",
     "tests", "docs")
)  # fmt: skip
#: dictionary blocks Bruno's grammars know; any other tag is read as text and reported
DICT_TAGS = frozenset(
    ("meta", "get", "post", "put", "delete", "patch", "options", "head", "connect", "trace",
     "headers", "query", "params:path", "params:query", "vars", "vars:pre-request",
     "vars:post-response", "assert", "auth", "auth:awsv4", "auth:basic", "auth:bearer",
     "auth:digest", "auth:oauth2", "auth:wsse", "auth:apikey", "auth:ntlm",
     "body:form-urlencoded", "body:multipart-form", "body:file", "settings")
)  # fmt: skip
_MULTILINE = "'''"


@dataclass(slots=True)
class Pair:
    """One ``key: value`` line; ``enabled`` is False for a ``~key``."""

    name: str
    value: str
    enabled: bool = True


@dataclass(slots=True)
class Block:
    """One top-level block: its tag, where it starts, and its pairs, text or items."""

    tag: str
    line: int
    pairs: list[Pair] = field(default_factory=list)
    text: str = ""
    items: list[Pair] = field(default_factory=list)
    #: a tag the grammar does not know (kept as text, reported by the caller)
    unknown: bool = False

    def value(self, name: str) -> str:
        """The value of the first pair called ``name`` ("" when none)."""
        for pair in self.pairs:
            if pair.name == name:
                return pair.value
        return ""


class BruFile:
    """The blocks of one ``.bru`` file, by tag (a tag may repeat: pairs append)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks

    def get(self, tag: str) -> Block | None:
        for block in self.blocks:
            if block.tag == tag:
                return block
        return None

    def pairs(self, tag: str) -> list[Pair]:
        return [pair for block in self.blocks if block.tag == tag for pair in block.pairs]

    def text(self, tag: str) -> str:
        block = self.get(tag)
        return block.text if block is not None else ""


def parse_bru(text: str, where: str) -> BruFile:
    """The blocks of ``text``; ``MalformedImport`` naming ``where``, line and column."""
    return _Parser(text, where).file()


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.text = text.replace("\r\n", "\n").removeprefix("\ufeff")
        self.where = where
        self.pos = 0
        #: the opening brace of the block being read (where "never closed" points)
        self.opened = 0
        self.tag = ""

    def fail(self, message: str, pos: int | None = None) -> MalformedImport:
        at = self.pos if pos is None else pos
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return MalformedImport(f"{self.where}: {message}", line=line, column=column)

    def line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def file(self) -> BruFile:
        blocks: list[Block] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos] in " \t\n\r":
                self.pos += 1
            if self.pos >= len(text):
                return BruFile(blocks)
            blocks.append(self.block())

    def block(self) -> Block:
        text = self.text
        start = self.pos
        while self.pos < len(text) and text[self.pos] not in " \t\n\r{[":
            self.pos += 1
        tag = text[start : self.pos]
        if not tag:
            raise self.fail(f"expected a block name, found {text[self.pos]!r}")
        while self.pos < len(text) and text[self.pos] in " \t":
            self.pos += 1
        opener = text[self.pos] if self.pos < len(text) else ""
        block = Block(tag, self.line_of(start))
        if opener == "[" and tag == "vars:secret":
            self.pos += 1
            block.items = self.array()
            return block
        if opener != "{":
            raise self.fail(f"expected '{{' after {tag!r}")
        self.opened, self.tag = self.pos, tag
        self.pos += 1
        if tag in DICT_TAGS:
            block.pairs = self.dictionary()
        else:
            block.unknown = tag not in TEXT_TAGS
            block.text = self.text_block()
        return block

    def _end(self) -> int:
        """Where this block's ``tagend`` (a newline then ``}``) starts."""
        end = self.text.find("\n}", self.pos - 1)
        if end < 0:
            raise self._unclosed()
        return end

    def _unclosed(self) -> MalformedImport:
        return self.fail(
            f"the {self.tag!r} block is never closed: expected '}}' at the start of a line",
            self.opened,
        )

    def text_block(self) -> str:
        """Bruno's ``"{" nl* textblock tagend``, outdented by two spaces a line."""
        text = self.text
        while self.pos < len(text) and text[self.pos] == "\n":
            self.pos += 1
        end = self._end()
        body = text[self.pos : end] if end >= self.pos else ""
        self.pos = end + 2
        return "\n".join(line.removeprefix("  ") for line in body.split("\n"))

    def dictionary(self) -> list[Pair]:
        text = self.text
        pairs: list[Pair] = []
        while True:
            while self.pos < len(text) and text[self.pos] in " \t":
                self.pos += 1
            if self.pos >= len(text):
                raise self._unclosed()
            char = text[self.pos]
            if char == "\n":
                if text.startswith("\n}", self.pos):
                    self.pos += 2
                    return pairs
                self.pos += 1
                continue
            if char == "}" and (self.pos == 0 or text[self.pos - 1] == "\n"):
                self.pos += 1
                return pairs
            pairs.append(self.pair())

    def pair(self) -> Pair:
        text = self.text
        start = self.pos
        while self.pos < len(text) and text[self.pos] not in " \t\n:":
            self.pos += 1
        name = text[start : self.pos]
        while self.pos < len(text) and text[self.pos] in " \t":
            self.pos += 1
        if self.pos >= len(text) or text[self.pos] != ":":
            raise self.fail(f"expected ':' after the key {name!r}")
        self.pos += 1
        while self.pos < len(text) and text[self.pos] in " \t":
            self.pos += 1
        if text.startswith(_MULTILINE, self.pos):
            value = self.multiline()
        else:
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            value = text[self.pos : end].strip()
            self.pos = end
        enabled = not name.startswith("~")
        return Pair(name.removeprefix("~") if not enabled else name, value, enabled)

    def multiline(self) -> str:
        """``'''`` … ``'''``: each line loses four characters of indent (as Bruno's
        parser does), then the whole is trimmed."""
        open_at = self.pos
        close = self.text.find(_MULTILINE, self.pos + 3)
        if close < 0:
            raise self.fail("this ''' text is never closed", open_at)
        inner = self.text[self.pos + 3 : close]
        self.pos = close + 3
        rest_end = self.text.find("\n", self.pos)
        rest_end = len(self.text) if rest_end < 0 else rest_end
        if self.text[self.pos : rest_end].strip():
            raise self.fail("unexpected text after the closing '''")
        self.pos = rest_end
        return "\n".join(line[4:] for line in inner.split("\n")).strip()

    def array(self) -> list[Pair]:
        """``[ a, ~b ]``: names separated by commas and white space."""
        text = self.text
        close = text.find("]", self.pos)
        if close < 0:
            raise self.fail("this list is never closed: expected ']'")
        items = []
        for raw in text[self.pos : close].replace("\n", ",").split(","):
            name = raw.strip()
            if not name:
                continue
            if any(c in name for c in " \t[{}"):
                raise self.fail(f"{name!r} is not a variable name", self.pos)
            enabled = not name.startswith("~")
            items.append(Pair(name.removeprefix("~"), "", enabled))
        self.pos = close + 1
        return items
