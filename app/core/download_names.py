"""Where a download goes: a safe file name from the response, never over another file.

Pure functions (no httpx, no Qt), shared by the download engine, the CLI and the
window.  The name comes from ``Content-Disposition`` (RFC 6266; ``filename*``
in the RFC 8187 encoding wins over ``filename``), else the URL's last path
segment, else ``download``.  Whatever the server says, the name is made safe:
a single path component (no separators, no ``..``), no control characters, no
Windows-reserved device names or trailing dots and spaces, at most
``MAX_NAME_BYTES`` bytes of UTF-8 with the extension kept.

The PyPI parsers for the header were considered: ``rfc6266`` and its forks are
unmaintained (2013-2021), the newer ones have no track record; the grammar is
small, so it is parsed here with the traversal and encoding cases tested.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path, PurePosixPath

import platformdirs

DEFAULT_NAME = "download"
#: most file systems allow 255 bytes per name; leave room for ".part.json" and " (99)"
MAX_NAME_BYTES = 200
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _params(value: str) -> dict[str, str]:
    """``type; name=value; name="quoted"`` -> lower-case names to raw values (the first
    occurrence wins, as RFC 6266 section 4.1 asks of duplicates)."""
    params: dict[str, str] = {}
    i, n = 0, len(value)
    semicolon = value.find(";")
    if semicolon < 0:
        return params
    i = semicolon + 1
    while i < n:
        while i < n and value[i] in " \t;":
            i += 1
        match = _TOKEN.match(value, i)
        if match is None:
            break
        name = match.group().lower()
        i = match.end()
        while i < n and value[i] in " \t":
            i += 1
        if i >= n or value[i] != "=":
            continue
        i += 1
        while i < n and value[i] in " \t":
            i += 1
        if i < n and value[i] == '"':
            i += 1
            chars: list[str] = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(value[i])
                i += 1
            i += 1
            raw = "".join(chars)
        else:
            end = value.find(";", i)
            end = n if end < 0 else end
            raw = value[i:end].strip()
            i = end
        params.setdefault(name, raw)
    return params


def _ext_value(raw: str) -> str | None:
    """RFC 8187 ``charset'language'pct-encoded`` -> text (None when malformed)."""
    charset, sep, rest = raw.partition("'")
    _language, sep2, encoded = rest.partition("'")
    if not (sep and sep2) or charset.lower() not in ("utf-8", "iso-8859-1"):
        return None
    try:
        return urllib.parse.unquote(encoded, encoding=charset.lower(), errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None


def name_from_content_disposition(value: str | None) -> str | None:
    """The file name a ``Content-Disposition`` header suggests, unsanitised (or None)."""
    if not value:
        return None
    params = _params(value)
    if "filename*" in params:
        decoded = _ext_value(params["filename*"])
        if decoded:
            return decoded
    name = params.get("filename")
    return name or None


def name_from_url(url: str) -> str | None:
    """The last segment of the URL's path, percent-decoded (or None)."""
    path = urllib.parse.urlsplit(url).path
    segment = PurePosixPath(urllib.parse.unquote(path, errors="replace")).name if path else ""
    return segment or None


def safe_name(name: str | None, *, fallback: str = DEFAULT_NAME) -> str:
    """``name`` as one harmless file name on every platform Courier runs on."""
    text = unicodedata.normalize("NFC", name or "")
    # a server's "../../.bashrc" or "C:\\x\\evil.exe": only the last component counts
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE.sub("_", text)
    text = text.strip().rstrip(". ")
    text = text.lstrip(".") or ""  # no hidden files, no "." or ".."
    if not text:
        text = fallback
    stem, dot, extension = text.partition(".")
    if stem.upper() in _WINDOWS_RESERVED:
        text = f"{stem}_{dot}{extension}"
    return _limit(text)


def _limit(name: str) -> str:
    """Cut to ``MAX_NAME_BYTES`` of UTF-8, keeping a short extension."""
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    cut = stem.encode()[:budget].decode(errors="ignore")
    return cut + suffix


def suggested_name(content_disposition: str | None, url: str) -> str:
    """What a download is called: Content-Disposition's name, else the URL's, made safe."""
    return safe_name(name_from_content_disposition(content_disposition) or name_from_url(url))


def numbered(path: Path, number: int) -> Path:
    """``report.tar.gz`` -> ``report (2).tar.gz`` (the number before the extension)."""
    name = path.name
    stem, dot, extension = name.partition(".") if not name.startswith(".") else (name, "", "")
    if dot and len(extension) > 16:  # "a.very long sentence" has no extension
        stem, dot, extension = name, "", ""
    return path.with_name(f"{stem} ({number}){dot}{extension}")


def _taken(path: Path) -> bool:
    part = path.with_name(path.name + ".part")
    return path.exists() or path.is_symlink() or part.exists()


def unique_path(path: Path) -> Path:
    """``path`` if nothing is there (nor a download in progress to it), else the first
    free ``NAME (n).EXT``: a download never silently replaces a file."""
    if not _taken(path):
        return path
    for number in range(1, 10_000):
        candidate = numbered(path, number)
        if not _taken(candidate):
            return candidate
    raise FileExistsError(f"no free name next to {path}")


def downloads_folder() -> Path:
    """The user's Downloads directory (created if missing: platformdirs may name one
    that does not exist yet on a fresh account)."""
    return Path(platformdirs.user_downloads_dir())


#: content types shown as text in the response pane; any other is a file to save
_TEXT_TYPES = ("text/", "application/x-www-form-urlencoded", "application/graphql")
_TEXT_SUFFIXES = ("json", "xml", "javascript", "ecmascript", "yaml", "csv", "ndjson")


def is_attachment(content_disposition: str | None) -> bool:
    """The server says "save this" (``Content-Disposition: attachment``)."""
    return (content_disposition or "").split(";", 1)[0].strip().lower() == "attachment"


def is_binary_type(content_type: str | None) -> bool:
    """A media type that is no text to read (an image, an archive, octet-stream...)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if not media or "/" not in media:
        return False
    if media.startswith(_TEXT_TYPES):
        return False
    return not media.endswith(_TEXT_SUFFIXES)
