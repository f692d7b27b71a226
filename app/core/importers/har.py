"""HAR 1.2 files (browser dev tools' "Save all as HAR", Charles, Fiddler, mitmproxy)
in Courier's model.

    imported = parse_har(text)       # raises MalformedImport (line/column or JSON path)

Every HTTP(S) entry's request becomes a request named "METHOD /path", in a folder
per page (``pages[].title`` through ``pageref``) or, when the file has no pages,
per host.  A browser's capture is mostly static assets: they are imported too,
but into a "Static assets" folder inside their page or host folder, so the API
calls stand out; the report counts the entries of each kind.  CORS preflights
(the browser's own OPTIONS requests) are not imported, and counted.  Responses are not
imported (the report says so once).  Credentials of ``Authorization`` headers
become the request's Basic or Bearer auth (another scheme stays a header); the
secret itself is a collection variable, one per distinct value, that the batch
writer puts in the keychain, never in files.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from app.core.importers.errors import MalformedImport
from app.core.importers.har_request import Dropped, RequestReader, path_of
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.json_doc import (
    child,
    expect_list,
    expect_object,
    load_json,
    optional_list,
    shown_type,
    text_of,
)
from app.core.model import Collection, Folder, Request, Variable

#: a page's or host's subfolder for images, scripts, styles, fonts and media
STATIC_FOLDER = "Static assets"
#: entries without a page, in a file that has pages
NO_PAGE_FOLDER = "Without a page"
#: the kinds a report counts, in the order it lists them
KINDS = ("xhr/fetch", "document", "script", "stylesheet", "image", "font", "media", "other")
STATIC_KINDS = frozenset({"script", "stylesheet", "image", "font", "media"})
#: Chrome's ``_resourceType`` -> a kind
_RESOURCE_TYPES = {
    "xhr": "xhr/fetch",
    "fetch": "xhr/fetch",
    "eventsource": "xhr/fetch",
    "preflight": "xhr/fetch",
    "document": "document",
    "script": "script",
    "stylesheet": "stylesheet",
    "image": "image",
    "font": "font",
    "media": "media",
    "texttrack": "media",
}
_EXTENSIONS = {
    "js": "script", "mjs": "script", "css": "stylesheet",
    "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "svg": "image",
    "webp": "image", "ico": "image", "avif": "image",
    "woff": "font", "woff2": "font", "ttf": "font", "otf": "font", "eot": "font",
    "mp4": "media", "webm": "media", "mp3": "media", "ogg": "media", "m3u8": "media",
    "html": "document", "htm": "document",
}  # fmt: skip


def parse_har(text: str | bytes) -> Imported:
    """The requests of a HAR 1.2 (or 1.1) file; nothing half-way."""
    data = expect_object(load_json(text), "")
    log = expect_object(data.get("log"), "log")
    if "entries" not in log:
        raise MalformedImport('not a HAR file (its "log" has no "entries")', where="log.entries")
    version = text_of(log.get("version"), "log.version") or "1.2"
    creator = log.get("creator")
    made_by = ""
    if isinstance(creator, dict):
        made_by = " ".join(
            part
            for part in (
                text_of(creator.get("name"), "log.creator.name"),
                text_of(creator.get("version"), "log.creator.version"),
            )
            if part
        )
    report = ImportReport(source=f"HAR {version}" + (f" from {made_by}" if made_by else ""))
    pages = _pages(log)
    collection = Collection(name=(made_by and f"HAR from {made_by}") or "HAR import")
    reader = RequestReader(Dropped())
    grouping = _Grouping(collection, by_page=bool(pages))
    kinds: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for i, raw in enumerate(expect_list(log.get("entries"), "log.entries")):
        where = f"log.entries[{i}]"
        entry = expect_object(raw, where)
        here = child(where, "request")
        sent = expect_object(entry.get("request"), here)
        url = _url(sent.get("url"), child(here, "url"))
        scheme = _scheme(url, child(here, "url"))
        if entry.get("_resourceType") == "websocket" or scheme in ("ws", "wss"):
            skipped["WebSocket connection(s) (Courier sends HTTP requests)"] += 1
            continue
        if scheme not in ("http", "https"):
            skipped[f"{scheme or 'relative'} URL(s) (nothing Courier can send)"] += 1
            continue
        if _preflight(entry, sent):
            skipped["CORS preflight(s) (OPTIONS the browser sends by itself)"] += 1
            continue
        request = reader.request(sent, here)
        comment = entry.get("comment") or sent.get("comment")
        if isinstance(comment, str):
            request.notes = comment
        kind = _kind(entry, url)
        kinds[kind] += 1
        pageref = entry.get("pageref")
        page = pages.get(pageref) if isinstance(pageref, str) else None
        grouping.add(request, page if pages else urlsplit(url).hostname or "", kind)
    if reader.secrets:
        collection.variables = [
            Variable(name, value, secret=True) for (_kind, value), name in reader.secrets.items()
        ]
        report.note(
            "",
            f"{len(reader.secrets)} credential(s) of Authorization headers kept as secret "
            "variables (in the keychain): " + _listed(list(reader.secrets.values())),
        )
    _report(report, reader, kinds, skipped)
    imported = Imported(collection, report=report)
    imported.count()
    return imported


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _pages(log: dict[str, Any]) -> dict[str, str]:
    """Page id -> folder name (its title, else its id), unique."""
    pages: dict[str, str] = {}
    taken: Counter[str] = Counter()
    for i, raw in enumerate(optional_list(log, "pages", "log")):
        where = f"log.pages[{i}]"
        page = expect_object(raw, where)
        page_id = text_of(page.get("id"), child(where, "id"))
        title = text_of(page.get("title"), child(where, "title")).strip() or page_id or "page"
        taken[title] += 1
        pages[page_id] = title if taken[title] == 1 else f"{title} ({taken[title]})"
    return pages


def _url(value: Any, where: str) -> str:
    """The spec says an absolute URL, a string: a number or an empty one is no request."""
    if not isinstance(value, str):
        raise MalformedImport(f"expected a URL, found {shown_type(value)}", where=where)
    if not value.strip():
        raise MalformedImport("a request without a URL", where=where)
    return value


def _scheme(url: str, where: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError as exc:
        raise MalformedImport(f"not a URL: {exc}", where=where) from exc


def _preflight(entry: dict[str, Any], request: dict[str, Any]) -> bool:
    """Chrome marks CORS preflights; others show them as OPTIONS asking for a method."""
    if entry.get("_resourceType") == "preflight":
        return True
    if str(request.get("method", "")).upper() != "OPTIONS":
        return False
    headers = request.get("headers")
    return any(
        isinstance(row, dict)
        and str(row.get("name", "")).lower() == "access-control-request-method"
        for row in (headers if isinstance(headers, list) else ())
    )


def _kind(entry: dict[str, Any], url: str) -> str:
    """What a browser fetched: Chrome says it; otherwise the response's type or the
    URL's extension tells."""
    resource = entry.get("_resourceType")
    if isinstance(resource, str) and resource:
        return _RESOURCE_TYPES.get(resource.lower(), "other")
    response = entry.get("response")
    content = response.get("content") if isinstance(response, dict) else None
    mime = content.get("mimeType") if isinstance(content, dict) else None
    if isinstance(mime, str) and mime:
        kind = _kind_of_type(mime.split(";")[0].strip().lower())
        if kind:
            return kind
    extension = path_of(url).rpartition("/")[2].rpartition(".")[2].lower()
    return _EXTENSIONS.get(extension, "xhr/fetch" if _accepts_json(entry) else "other")


def _kind_of_type(mime: str) -> str:
    major = mime.partition("/")[0]
    if major == "image":
        return "image"
    if major == "font" or "font" in mime:
        return "font"
    if major in ("audio", "video"):
        return "media"
    if mime == "text/css":
        return "stylesheet"
    if "javascript" in mime or "ecmascript" in mime:
        return "script"
    if mime in ("text/html", "application/xhtml+xml"):
        return "document"
    if "json" in mime or mime.endswith("xml"):
        return "xhr/fetch"
    return ""


def _accepts_json(entry: dict[str, Any]) -> bool:
    request = entry.get("request")
    headers = request.get("headers") if isinstance(request, dict) else None
    for row in headers if isinstance(headers, list) else ():
        if isinstance(row, dict) and str(row.get("name", "")).lower() == "accept":
            return "json" in str(row.get("value", ""))
    return False


class _Grouping:
    """Puts requests in their page's (or host's) folder, static assets one level down,
    names unique within their folder."""

    def __init__(self, collection: Collection, *, by_page: bool) -> None:
        self.collection = collection
        self.by_page = by_page
        self.folders: dict[str, Folder] = {}
        self.statics: dict[str, Folder] = {}
        self.names: dict[int, Counter[str]] = {}

    def add(self, request: Request, group: str | None, kind: str) -> None:
        name = group if group else (NO_PAGE_FOLDER if self.by_page else "no host")
        folder = self.folders.get(name)
        if folder is None:
            folder = self.folders[name] = Folder(name=name)
            self.collection.folders.append(folder)
        if kind in STATIC_KINDS:
            static = self.statics.get(name)
            if static is None:
                static = self.statics[name] = Folder(name=STATIC_FOLDER)
                folder.folders.append(static)
            folder = static
        taken = self.names.setdefault(id(folder), Counter())
        base = f"{request.method} {path_of(request.url)}"[:120]
        taken[base] += 1
        request.name = base if taken[base] == 1 else f"{base} ({taken[base]})"
        folder.requests.append(request)


def _report(
    report: ImportReport, reader: RequestReader, kinds: Counter[str], skipped: Counter[str]
) -> None:
    if kinds:
        counted = ", ".join(f"{kinds[kind]} {kind}" for kind in KINDS if kinds[kind])
        report.note("", f"entries by kind: {counted}")
    if any(kinds[kind] for kind in STATIC_KINDS):
        report.note("", f'images, scripts, styles, fonts and media are in "{STATIC_FOLDER}"')
    report.note("", "responses are not imported (a HAR's responses are not requests)")
    for line in reader.dropped.lines():
        report.note("", line)
    if reader.query_mismatches:
        report.note(
            "",
            f"{reader.query_mismatches} request(s) whose queryString differs from the URL: "
            "the URL's query was kept",
        )
    if reader.masked:
        report.note(
            "",
            f"{reader.masked} header(s) whose value was masked when the file was saved "
            "(credentials, cookies) kept switched off and empty: fill them in",
        )
    for line in reader.unsaved_files:
        report.skip(line, "a file part's content (Courier sends files from disk): choose the file")
    for what, count in skipped.items():
        report.skip("", f"{count} {what}")
