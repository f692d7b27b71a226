"""What a curl command line sends: curl's options applied as curl applies them.

``CurlRequest`` is the request curl would send, in curl's own terms (the final
URL, the headers given, the body bytes or parts, the method curl picks), plus
the options Courier cannot honour, listed.  ``app.core.importers.curl_model``
maps it onto Courier's model.  Files named by ``@file`` / ``<file`` are read here
(relative to ``base_dir``), as curl reads them when it runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from urllib.parse import quote

from app.core.importers.curl_args import CurlArgs, Option
from app.core.importers.errors import MalformedImport
from app.core.importers.shell_words import Word

FORM_URLENCODED = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
#: curl's own guess of a file part's type (tool_formparse.c), else octet-stream
_CURL_PART_TYPES = {
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".htm": "text/html",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
}
OCTET_STREAM = "application/octet-stream"

#: options that only change what curl shows or saves, never the request
OUTPUT_ONLY = frozenset(
    {
        "silent",
        "show-error",
        "verbose",
        "include",
        "fail",
        "fail-with-body",
        "fail-early",
        "progress-bar",
        "no-progress-meter",
        "trace",
        "trace-ascii",
        "trace-time",
        "trace-ids",
        "stderr",
        "write-out",
        "output",
        "remote-name",
        "remote-name-all",
        "remote-header-name",
        "output-dir",
        "create-dirs",
        "dump-header",
        "buffer",
        "styled-output",
        "raw",
        "etag-save",
        "cookie-jar",
        "libcurl",
        "create-file-mode",
        "remove-on-error",
        "clobber",
        "disable",
        "xattr",
        "manual",
        "help",
        "version",
        "tr-encoding",
    }
)


@dataclass(slots=True)
class DataPiece:
    """One ``-d``-family argument, as bytes curl adds to the body."""

    content: bytes
    kind: str  # "data" | "json"
    #: the whole body is this file as it is on disk (``--data-binary @file``)
    file: str | None = None


@dataclass(slots=True)
class FormField:
    """One ``-F`` part: text, or a file sent by path."""

    name: str
    text: str = ""
    file: str | None = None
    file_name: str | None = None
    content_type: str = ""


@dataclass(slots=True)
class CurlRequest:
    """One request of a curl command, in curl's terms."""

    method: str
    url: str
    #: as given, in order (an empty value: ``-H 'Name;'``)
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: header names the command removed (``-H 'Name:'``)
    removed_headers: list[str] = field(default_factory=list)
    body: bytes | None = None
    #: the body is this file, streamed (``--data-binary @file`` alone, or ``-T file``)
    body_file: str | None = None
    #: curl's default Content-Type for the body (when no header names one)
    body_type: str = ""
    form: list[FormField] | None = None
    user: str | None = None
    password: str | None = None
    auth_scheme: str = "basic"
    bearer: str | None = None
    aws_sigv4: str | None = None
    follow_redirects: bool = False
    max_redirects: int | None = None
    insecure: bool = False
    http2: bool | None = None
    proxy: str | None = None
    max_time: float | None = None
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    #: options Courier cannot honour, as the user typed them, with why
    not_honoured: list[str] = field(default_factory=list)
    #: options about curl's output only (nothing to do with the request)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 1
    column: int = 1


class _Builder:
    """Applies one ``CurlArgs`` in command-line order."""

    def __init__(self, args: CurlArgs, base_dir: Path, stdin_file: str | None) -> None:
        self.args = args
        self.base_dir = base_dir
        self.stdin_file = stdin_file
        self.method: str | None = None
        self.head = False
        self.get = False
        self.upload: tuple[str, Word] | None = None
        self.data: list[DataPiece] = []
        self.data_word: Word | None = None
        self.json = False
        self.queries: list[str] = []
        self.form: list[FormField] = []
        self.form_word: Word | None = None
        self.cookies: list[str] = []
        self.headers: list[tuple[str, str]] = []
        self.removed: list[str] = []
        self.user: str | None = None
        self.urls: list[Word] = list(args.urls)
        self.globoff = False
        self.out = CurlRequest(method="GET", url="")

    # -------------------------------------------------------------- files

    def _path(self, name: str) -> str:
        expanded = os.path.expanduser(name)
        return str(self.base_dir / expanded) if not os.path.isabs(expanded) else expanded

    def _read(self, name: str, word: Word) -> bytes:
        if name == "-":
            if self.stdin_file is None:
                raise MalformedImport(
                    "this reads standard input (@-), which an import cannot give",
                    line=word.line,
                    column=word.column,
                )
            name = self.stdin_file
        try:
            with open(self._path(name), "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise MalformedImport(
                f"cannot read the file {name}: {exc.strerror or exc}",
                line=word.line,
                column=word.column,
            ) from exc

    # ------------------------------------------------------------ options

    def apply(self, option: Option) -> None:
        handler = _HANDLERS.get(option.name)
        shown = _shown(option)
        if handler is not None:
            handler(self, option)
        elif option.name in OUTPUT_ONLY:
            self.out.ignored.append(shown)
        else:
            self.out.not_honoured.append(shown)

    def data_piece(self, option: Option) -> None:
        value = option.value or ""
        kind = option.name
        self.data_word = self.data_word or option.word
        if kind in ("data", "data-ascii", "data-binary", "json") and value.startswith("@"):
            content = self._read(value[1:], option.word)
            if kind in ("data", "data-ascii"):
                content = content.replace(b"\r", b"").replace(b"\n", b"")
            whole_file = kind != "data" and kind != "data-ascii" and value[1:] != "-"
            piece = DataPiece(
                content, "json" if kind == "json" else "data", value[1:] if whole_file else None
            )
        elif kind == "data-urlencode":
            piece = DataPiece(self._urlencoded(value, option.word), "data")
        else:
            piece = DataPiece(value.encode("utf-8"), "json" if kind == "json" else "data")
        if kind == "json":
            self.json = True
        self.data.append(piece)

    def _urlencoded(self, value: str, word: Word) -> bytes:
        """``--data-urlencode``'s four forms: content, =content, name=content, name@file.

        Escaped as curl 7.88 escapes them: all but ``A-Za-z0-9-._~``, a space as ``+``.
        """
        at, eq = value.find("@"), value.find("=")
        cut = min(p for p in (at, eq) if p >= 0) if at >= 0 or eq >= 0 else -1
        if cut < 0:
            return _escape(value.encode("utf-8")).encode("ascii")
        name = value[:cut]
        if value[cut] == "@":
            content = self._read(value[cut + 1 :], word)
        else:
            content = value[cut + 1 :].encode("utf-8")
        encoded = _escape(content)
        return (f"{name}={encoded}" if name else encoded).encode("utf-8")

    def form_field(self, option: Option) -> None:
        value = option.value or ""
        self.form_word = self.form_word or option.word
        name, sep, rest = value.partition("=")
        if not sep:
            raise MalformedImport(
                f"-F needs NAME=CONTENT, got “{value}”",
                line=option.word.line,
                column=option.word.column,
            )
        if option.name == "form-string":
            self.form.append(FormField(name, text=rest))
            return
        part = FormField(name)
        if rest.startswith("@"):
            path, params = _form_params(rest[1:])
            part.file = self._path(path)
            if not os.path.isfile(part.file):
                raise MalformedImport(
                    f"cannot read the file {path}", line=option.word.line, column=option.word.column
                )
            part.file_name = params.get("filename", PurePath(path).name)
            part.content_type = params.get("type") or _part_type(path)
        elif rest.startswith("<"):
            path, params = _form_params(rest[1:])
            content = self._read(path, option.word)
            try:
                part.text = content.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedImport(
                    f"the file {path} is not UTF-8 text (as a file part: -F {name}=@{path})",
                    line=option.word.line,
                    column=option.word.column,
                ) from exc
            part.content_type = params.get("type", "")
            part.file_name = params.get("filename")
        else:
            part.text, params = _form_params(rest)
            part.content_type = params.get("type", "")
            part.file_name = params.get("filename")
        if part.file is None and part.file_name and not part.content_type:
            # curl types a text part with a file name it knows (and leaves others untyped)
            part.content_type = _CURL_PART_TYPES.get(PurePath(part.file_name).suffix.lower(), "")
        if "headers" in params:
            self.out.not_honoured.append(f"-F {value} (custom part headers)")
        self.form.append(part)

    def header(self, option: Option) -> None:
        value = option.value or ""
        if value.startswith("@"):
            for line in self._read(value[1:], option.word).decode("utf-8", "replace").splitlines():
                if line.strip():
                    self._one_header(line)
            return
        self._one_header(value)

    def _one_header(self, value: str) -> None:
        name, sep, rest = value.partition(":")
        if sep:
            rest = rest.strip(" \t")
            if rest:
                self.headers.append((name.strip(), rest))
            else:
                self.removed.append(name.strip())
            return
        if value.rstrip().endswith(";"):
            self.headers.append((value.rstrip()[:-1].strip(), ""))
        else:
            self.out.notes.append(f"-H “{value}” is not a header (no colon); curl ignores it too")

    # --------------------------------------------------------------- build

    def build(self) -> list[CurlRequest]:
        for option in self.args.options:
            self.apply(option)
        if not self.urls:
            anchor = self.args.options[0].word if self.args.options else None
            raise MalformedImport(
                "this curl command has no URL",
                line=anchor.line if anchor else 1,
                column=anchor.column if anchor else 1,
            )
        if self.form and self.data:
            where = self.form_word or self.data_word
            assert where is not None
            raise MalformedImport(
                "a body cannot be both -F (multipart) and -d (data); curl refuses this too",
                line=where.line,
                column=where.column,
            )
        out = []
        for url_word in self.urls:
            request = self._request_for(url_word)
            out.append(request)
        if len(self.urls) > 1:
            for request in out:
                request.notes.append(
                    f"this command sends to {len(self.urls)} URLs: one request each"
                )
        return out

    def _request_for(self, url_word: Word) -> CurlRequest:
        template = self.out
        request = CurlRequest(
            method="GET",
            url=url_word.text,
            headers=list(self.headers),
            removed_headers=list(self.removed),
            user=template.user,
            password=template.password,
            auth_scheme=template.auth_scheme,
            bearer=template.bearer,
            aws_sigv4=template.aws_sigv4,
            follow_redirects=template.follow_redirects,
            max_redirects=template.max_redirects,
            insecure=template.insecure,
            http2=template.http2,
            proxy=template.proxy,
            max_time=template.max_time,
            ca_bundle=template.ca_bundle,
            client_cert=template.client_cert,
            client_key=template.client_key,
            not_honoured=list(template.not_honoured),
            ignored=list(template.ignored),
            notes=list(template.notes),
            line=url_word.line,
            column=url_word.column,
        )
        if self.cookies:
            request.headers.append(("Cookie", ";".join(self.cookies)))  # curl's separator
        body = _join(self.data)
        if self.queries:
            request.url = _with_query(request.url, _lower_escapes("&".join(self.queries)))
        if self.get and self.data:
            query = _lower_escapes(body.decode("utf-8", "replace"))
            request.url = _with_query(request.url, query)
        elif self.data:
            single = self.data[0] if len(self.data) == 1 else None
            if single is not None and single.file is not None:
                request.body_file = self._path(single.file)
            request.body = body
            request.body_type = JSON_TYPE if self.json else FORM_URLENCODED
        if self.json:
            names = {name.lower() for name, _ in request.headers}
            if "content-type" not in names:
                request.headers.append(("Content-Type", JSON_TYPE))
            if "accept" not in names:
                request.headers.append(("Accept", JSON_TYPE))
            request.body_type = ""
        if self.form:
            request.form = list(self.form)
        if self.upload is not None:
            name, word = self.upload
            if name == "-":
                raise MalformedImport(
                    "-T - uploads standard input, which an import cannot give",
                    line=word.line,
                    column=word.column,
                )
            request.body_file = self._path(name)
            if not os.path.isfile(request.body_file):
                raise MalformedImport(
                    f"cannot read the file {name}", line=word.line, column=word.column
                )
            request.body = None
            path_part = request.url.split("?", 1)[0].split("#", 1)[0]
            if path_part.endswith("/") or path_part.count("/") < 3:
                request.url = _append_to_path(request.url, quote(PurePath(name).name))
            request.notes.append(
                "curl -T sends the file without a Content-Type (and with Expect: 100-continue);"
                " Courier names its type"
            )
        request.method = self._method()
        typed = re.sub(r"\{\{[^{}]*\}\}", "", url_word.text)  # variables are not globs
        if not self.globoff and any(c in typed for c in "[]{}"):
            request.notes.append(
                "curl would expand [..] and {..} in this URL into several (-g turns that off);"
                " Courier sends it as written"
            )
        if "{{" in request.url or any("{{" in v for _, v in request.headers):
            request.notes.append("text in {{double braces}} is a Courier variable")
        return request

    def _method(self) -> str:
        if self.method:
            return self.method
        if self.head:
            return "HEAD"
        if self.get:
            return "GET"
        if self.upload is not None:
            return "PUT"
        if self.data or self.form:
            return "POST"
        return "GET"


_HEX_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _escape(content: bytes) -> str:
    return quote(content, safe="").replace("%20", "+")


def _lower_escapes(query: str) -> str:
    """curl's URL parser writes the escapes of a query it appends (-G, --url-query)
    in lower case: ``%3A`` is sent as ``%3a``."""
    return _HEX_ESCAPE.sub(lambda m: m.group().lower(), query)


def _part_type(file_name: str) -> str:
    """The type curl gives a part with a file name, from its own small table."""
    return _CURL_PART_TYPES.get(PurePath(file_name).suffix.lower(), OCTET_STREAM)


def _join(pieces: list[DataPiece]) -> bytes:
    """curl joins data pieces with ``&``, except that ``--json`` pieces append as they are."""
    out = b""
    for index, piece in enumerate(pieces):
        if index and piece.kind != "json":
            out += b"&"
        out += piece.content
    return out


def _with_query(url: str, query: str) -> str:
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    if not query:
        return url + fragment
    return f"{url}{'&' if '?' in url else '?'}{query}{fragment}"


def _append_to_path(url: str, name: str) -> str:
    head, sep, tail = url.partition("?")
    if head.count("/") < 3:
        head += "/"
    return head + name + sep + tail


def _form_params(text: str) -> tuple[str, dict[str, str]]:
    """``value;type=...;filename=...`` as curl's form parser splits it (quotes allowed)."""
    value, rest = _form_word(text.lstrip())
    params: dict[str, str] = {}
    while rest.startswith(";"):
        rest = rest[1:].lstrip()
        key, sep, after = rest.partition("=")
        if not sep:
            break
        word, rest = _form_word(after)
        params[key.strip().lower()] = word
    return value, params


def _form_word(text: str) -> tuple[str, str]:
    """A possibly quoted word up to the next ``;`` and what follows it."""
    if text.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text) and text[i + 1] in '\\"':
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                rest = text[i + 1 :]
                cut = rest.find(";")
                return "".join(out), rest[cut:] if cut >= 0 else ""
            out.append(c)
            i += 1
    cut = text.find(";")
    if cut < 0:
        return text.rstrip(), ""
    return text[:cut].rstrip(), text[cut:]


def _shown(option: Option) -> str:
    flag = option.spelled or f"--{'' if option.enabled else 'no-'}{option.name}"
    return flag if option.value is None else f"{flag} {option.value}"


def _set(attribute: str, value: object) -> Callable[[_Builder, Option], None]:
    def handler(builder: _Builder, option: Option) -> None:
        setattr(builder.out, attribute, value if option.enabled else not value)

    return handler


def _method(builder: _Builder, option: Option) -> None:
    builder.method = option.value


def _user(builder: _Builder, option: Option) -> None:
    value = option.value or ""
    user, sep, password = value.partition(":")
    builder.out.user, builder.out.password = user, password
    if not sep:
        builder.out.notes.append("-u gave no password (curl would ask for one): it is empty")


def _cookie(builder: _Builder, option: Option) -> None:
    value = option.value or ""
    if "=" in value:
        builder.cookies.append(value.strip())
    else:
        builder.out.not_honoured.append(f"-b {value} (cookies read from a file)")


def _header_value(name: str) -> Callable[[_Builder, Option], None]:
    def handler(builder: _Builder, option: Option) -> None:
        value = option.value or ""
        if name == "Referer" and value.endswith(";auto"):
            value = value[: -len(";auto")]
            builder.out.not_honoured.append("-e ;auto (Referer on redirects)")
        if value:
            builder.headers.append((name, value))

    return handler


def _float(attribute: str) -> Callable[[_Builder, Option], None]:
    def handler(builder: _Builder, option: Option) -> None:
        try:
            setattr(builder.out, attribute, float(option.value or ""))
        except ValueError as exc:
            raise MalformedImport(
                f"--{option.name} needs a number of seconds, got “{option.value}”",
                line=option.word.line,
                column=option.word.column,
            ) from exc

    return handler


def _max_redirs(builder: _Builder, option: Option) -> None:
    try:
        builder.out.max_redirects = int(option.value or "")
    except ValueError as exc:
        raise MalformedImport(
            f"--max-redirs needs a whole number, got “{option.value}”",
            line=option.word.line,
            column=option.word.column,
        ) from exc


def _http_version(value: bool | None, note: str = "") -> Callable[[_Builder, Option], None]:
    def handler(builder: _Builder, option: Option) -> None:
        builder.out.http2 = value
        if note:
            builder.out.not_honoured.append(f"--{option.name} ({note})")

    return handler


def _proxy(builder: _Builder, option: Option) -> None:
    value = option.value or ""
    builder.out.proxy = value if "://" in value or not value else "http://" + value


def _proxy_user(builder: _Builder, option: Option) -> None:
    proxy = builder.out.proxy
    value = option.value or ""
    user, _, password = value.partition(":")
    if proxy and "://" in proxy:
        scheme, rest = proxy.split("://", 1)
        credentials = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        builder.out.proxy = f"{scheme}://{credentials}@{rest}"
    else:
        builder.out.not_honoured.append("--proxy-user (before --proxy)")


def _url(builder: _Builder, option: Option) -> None:
    builder.urls.append(Word(option.value or "", option.word.line, option.word.column))


def _url_query(builder: _Builder, option: Option) -> None:
    value = option.value or ""
    if value.startswith("+"):
        builder.queries.append(value[1:])
    else:
        builder.queries.append(builder._urlencoded(value, option.word).decode("ascii"))


def _upload(builder: _Builder, option: Option) -> None:
    builder.upload = (option.value or "", option.word)


def _head(builder: _Builder, option: Option) -> None:
    builder.head = option.enabled


def _get(builder: _Builder, option: Option) -> None:
    builder.get = option.enabled


def _auth_scheme(scheme: str) -> Callable[[_Builder, Option], None]:
    def handler(builder: _Builder, option: Option) -> None:
        if scheme in ("basic", "digest"):
            builder.out.auth_scheme = scheme
        else:
            builder.out.not_honoured.append(f"--{option.name} (Courier sends Basic auth)")

    return handler


def _bearer(builder: _Builder, option: Option) -> None:
    builder.out.bearer = option.value


def _aws(builder: _Builder, option: Option) -> None:
    builder.out.aws_sigv4 = option.value


def _text_setting(attribute: str) -> Callable[[_Builder, Option], None]:
    def handler(builder: _Builder, option: Option) -> None:
        value = option.value or ""
        if attribute == "client_cert" and ":" in value and not os.path.isfile(value):
            builder.out.not_honoured.append("--cert's password (after the colon)")
            value = value.split(":", 1)[0]
        setattr(builder.out, attribute, builder._path(value))

    return handler


def _location_trusted(builder: _Builder, option: Option) -> None:
    builder.out.follow_redirects = True
    builder.out.not_honoured.append(
        "--location-trusted (Courier withholds credentials from other hosts)"
    )


def _globoff(builder: _Builder, option: Option) -> None:
    builder.globoff = option.enabled


def _compressed(builder: _Builder, option: Option) -> None:
    """Courier always asks for compressed responses and decodes them: nothing to do."""


def _form(builder: _Builder, option: Option) -> None:
    builder.form_field(option)


def _data(builder: _Builder, option: Option) -> None:
    builder.data_piece(option)


def _header(builder: _Builder, option: Option) -> None:
    builder.header(option)


_HANDLERS: dict[str, Callable[[_Builder, Option], None]] = {
    "request": _method,
    "head": _head,
    "get": _get,
    "header": _header,
    "data": _data,
    "data-ascii": _data,
    "data-binary": _data,
    "data-raw": _data,
    "data-urlencode": _data,
    "json": _data,
    "form": _form,
    "form-string": _form,
    "upload-file": _upload,
    "user": _user,
    "basic": _auth_scheme("basic"),
    "digest": _auth_scheme("digest"),
    "ntlm": _auth_scheme("ntlm"),
    "negotiate": _auth_scheme("negotiate"),
    "anyauth": _auth_scheme("anyauth"),
    "oauth2-bearer": _bearer,
    "aws-sigv4": _aws,
    "cookie": _cookie,
    "user-agent": _header_value("User-Agent"),
    "referer": _header_value("Referer"),
    "location": _set("follow_redirects", True),
    "location-trusted": _location_trusted,
    "max-redirs": _max_redirs,
    "insecure": _set("insecure", True),
    "compressed": _compressed,
    "globoff": _globoff,
    "http1.1": _http_version(False),
    "http2": _http_version(True),
    "http1.0": _http_version(False, "Courier speaks HTTP/1.1 or HTTP/2"),
    "http2-prior-knowledge": _http_version(True, "Courier negotiates HTTP/2"),
    "http3": _http_version(True, "Courier has no HTTP/3"),
    "http3-only": _http_version(True, "Courier has no HTTP/3"),
    "proxy": _proxy,
    "proxy-user": _proxy_user,
    "max-time": _float("max_time"),
    "url": _url,
    "url-query": _url_query,
    "cacert": _text_setting("ca_bundle"),
    "cert": _text_setting("client_cert"),
    "key": _text_setting("client_key"),
}


def curl_requests(args: CurlArgs, base_dir: Path, stdin_file: str | None) -> list[CurlRequest]:
    """The requests one ``CurlArgs`` sends (one per URL)."""
    return _Builder(args, base_dir, stdin_file).build()
