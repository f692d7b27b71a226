"""Posting's text conventions in Courier's terms: ``$var`` / ``${var}`` templates and
the dotenv files that hold a collection's environments.

Posting fills templates with Python's ``string.Template`` (``$name``, ``${name}``,
``$$`` for a dollar sign); Courier writes ``{{name}}``.  Its environments are
dotenv files passed with ``--env`` and kept next to the requests (``.env``,
``dev.env``, ``.env.dev``): one Courier environment per file.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.core.importers.errors import MalformedImport
from app.core.model import Variable

#: string.Template's pattern (identifiers are ASCII, case-insensitive, as Posting has them)
_TEMPLATE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_a-zA-Z][_a-zA-Z0-9]*)|\{(?P<braced>[_a-zA-Z][_a-zA-Z0-9]*)\})"
)
#: words in a variable's name that mark it a credential (kept in the keychain)
_SECRET_WORDS = re.compile(r"(?i)(secret|password|passwd|token|api_?key|private|credential)")
_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*$")


def template(text: str) -> str:
    """Posting's template text with Courier's ``{{name}}`` references."""
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        return "{{" + (match.group("named") or match.group("braced")) + "}}"

    return _TEMPLATE.sub(replace, text)


def is_env_file(name: str) -> bool:
    """``.env``, ``dev.env`` and ``.env.dev`` are dotenv files (not ``.envrc``)."""
    return name == ".env" or name.endswith(".env") or name.startswith(".env.")


def environment_name(name: str) -> str:
    """``dev.env`` and ``.env.dev`` are "dev"; ``.env`` is "default"."""
    if name == ".env":
        return "default"
    if name.startswith(".env."):
        return name[len(".env.") :]
    return name.removesuffix(".env").lstrip(".") or "default"


def looks_secret(name: str) -> bool:
    return _SECRET_WORDS.search(name) is not None


def parse_dotenv(text: str, where: str) -> list[Variable]:
    """The variables of a dotenv file, as python-dotenv reads them (quotes, ``export``,
    comments); a line that is none of those raises ``MalformedImport`` with its place."""
    variables: list[Variable] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise MalformedImport(
                f"{where}: expected NAME=value", line=i, column=len(line) - len(line.lstrip()) + 1
            )
        name, raw = match.group(1), match.group(2)
        quote = raw[:1]
        if quote in ("'", '"'):
            value, i = _quoted(raw, quote, lines, i, where)
        else:
            value = template(re.split(r"\s+#", raw, maxsplit=1)[0].strip())
        variables.append(Variable(name, value, secret=looks_secret(name)))
    return variables


def _quoted(raw: str, quote: str, lines: list[str], i: int, where: str) -> tuple[str, int]:
    """A quoted value, which may run over several lines; returns it and the next line."""
    start = i
    body = raw[1:]
    while not _closes(body, quote):
        if i >= len(lines):
            raise MalformedImport(f"{where}: the quote is never closed", line=start, column=1)
        body += "\n" + lines[i]
        i += 1
    end = _closing_at(body, quote)
    value = body[:end]
    if quote == '"':
        value = value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        return template(value), i
    return value, i  # single quotes: taken literally, no templates


def _closing_at(body: str, quote: str) -> int:
    j = 0
    while j < len(body):
        if body[j] == "\\" and quote == '"':
            j += 2
            continue
        if body[j] == quote:
            return j
        j += 1
    return -1


def _closes(body: str, quote: str) -> bool:
    return _closing_at(body, quote) >= 0


def read_environments(root: Path) -> list[tuple[Path, str]]:
    """The dotenv files at the top of a Posting collection, with their text."""
    found = []
    for path in sorted(root.iterdir(), key=lambda p: p.name):
        if is_env_file(path.name) and path.is_file():
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise MalformedImport(f"cannot read {path.name}: {exc.strerror or exc}") from exc
            found.append((path, _decoded(data, path.name)))
    return found


def _decoded(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedImport(f"{where}: not UTF-8 text", line=1, column=1) from exc
