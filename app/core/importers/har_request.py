"""One HAR entry's request in Courier's model: URL and query, headers, cookies,
body (``postData``) and the credentials of an ``Authorization`` header.

What a browser adds on the wire and Courier adds itself when it sends (HTTP/2
pseudo-headers, hop-by-hop headers, ``Content-Length``, ``Host``, ``Accept-Encoding``)
is dropped and counted in ``Dropped``, so the report says it once for the whole file.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

from app.core.importers.errors import MalformedImport
from app.core.importers.json_doc import child, expect_object, optional_list, text_of
from app.core.importers.urls import split_query
from app.core.model import Auth, AuthKind, Body, BodyKind, FormPart, KeyValue, PartKind, Request

#: headers that belong to one connection, not to the request (RFC 9110 §7.6.1)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
    }
)
_JSON_TYPE = re.compile(r"^application/([\w.+-]*\+)?json\b", re.I)
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.I)
_DISPOSITION_FIELD = re.compile(r'(\w+)\*?="((?:[^"\\]|\\.)*)"|(\w+)=([^;\s]+)')


class Dropped:
    """How many requests lost which kind of header (one line each in the report)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def lines(self) -> list[str]:
        return [
            f"{what} dropped from {count} request(s) (Courier sends its own)"
            for what, count in sorted(self.counts.items())
        ]


class RequestReader:
    """Turns ``log.entries[i].request`` objects into model requests."""

    def __init__(self, dropped: Dropped) -> None:
        self.dropped = dropped
        #: multipart file parts whose content the HAR does not hold (where, name)
        self.unsaved_files: list[str] = []
        #: (kind, credential) -> the secret variable that holds it, in the order met
        self.secrets: dict[tuple[str, str], str] = {}
        self.kinds: Counter[str] = Counter()
        #: entries whose ``queryString`` does not list what their URL's query holds
        self.query_mismatches = 0
        #: headers whose value was masked when the file was saved
        self.masked = 0

    def request(self, data: dict[str, Any], where: str) -> Request:
        method = text_of(data.get("method"), child(where, "method")).strip().upper()
        if not method or not method.isascii() or not method.replace("-", "").isalnum():
            raise MalformedImport(f"not an HTTP method: {method!r}", where=child(where, "method"))
        url = text_of(data.get("url"), child(where, "url"))
        base, params = split_query(url)
        request = Request(name=method, method=method, url=base, params=params)
        self.check_query(data, where, params)
        headers = self.headers(data, where)
        cookie_rows = optional_list(data, "cookies", where)
        if cookie_rows and not any(h.name.lower() == "cookie" for h in headers):
            pairs = []
            for i, raw in enumerate(cookie_rows):
                here = f"{child(where, 'cookies')}[{i}]"
                row = expect_object(raw, here)
                pairs.append(
                    f"{text_of(row.get('name'), child(here, 'name'))}="
                    f"{text_of(row.get('value'), child(here, 'value'))}"
                )
            headers.append(KeyValue("Cookie", "; ".join(pairs)))
        request.auth, headers = self.auth(headers, where)
        request.body, headers = self.body(data.get("postData"), child(where, "postData"), headers)
        request.headers = headers
        return request

    def check_query(self, data: dict[str, Any], where: str, params: list[KeyValue]) -> None:
        """``queryString`` should say what the URL says; the URL is what was sent, so
        it wins, and a difference is counted for the report."""
        names = []
        for i, raw in enumerate(optional_list(data, "queryString", where)):
            here = f"{child(where, 'queryString')}[{i}]"
            row = expect_object(raw, here)
            names.append(unquote(text_of(row.get("name"), child(here, "name"))))
            text_of(row.get("value"), child(here, "value"))
        if "queryString" in data and names != [p.name for p in params]:
            self.query_mismatches += 1

    def headers(self, data: dict[str, Any], where: str) -> list[KeyValue]:
        out = []
        seen: set[str] = set()
        for i, raw in enumerate(optional_list(data, "headers", where)):
            here = f"{child(where, 'headers')}[{i}]"
            row = expect_object(raw, here)
            name = text_of(row.get("name"), child(here, "name"))
            value = text_of(row.get("value"), child(here, "value"))
            lowered = name.lower()
            if lowered.startswith(":"):
                seen.add("HTTP/2 pseudo-headers (:authority, :method, :path, :scheme)")
            elif lowered in HOP_BY_HOP:
                seen.add("hop-by-hop headers (Connection, Keep-Alive, Upgrade...)")
            elif lowered == "content-length":
                seen.add("Content-Length")
            elif lowered == "host":
                seen.add("Host")
            elif lowered == "accept-encoding":
                # what this client can decode, which Courier knows for itself
                seen.add("Accept-Encoding")
            elif name and "••" in value:
                # masked by the tool that saved it (Courier's history): no value to send
                self.masked += 1
                out.append(KeyValue(name, "", enabled=False))
            elif name:
                out.append(KeyValue(name, value))
        for what in seen:
            self.dropped.counts[what] += 1
        return out

    # ------------------------------------------------------------------ auth

    def auth(self, headers: list[KeyValue], where: str) -> tuple[Auth, list[KeyValue]]:
        """``Authorization: Basic/Bearer`` becomes the request's auth, another scheme's
        value a header; either way the secret is a collection variable (in the keychain),
        one per distinct value: a browser sends the same token with every call."""
        auth = Auth(kind=AuthKind.INHERIT)
        kept = []
        for header in headers:
            if (
                header.name.lower() != "authorization"
                or auth.kind != AuthKind.INHERIT
                or not header.enabled
            ):
                kept.append(header)
                continue
            scheme, _, credentials = header.value.strip().partition(" ")
            credentials = credentials.strip()
            if scheme.lower() == "bearer" and credentials:
                auth = Auth(kind=AuthKind.BEARER, token=self.secret("token", credentials))
                continue
            if scheme.lower() == "basic" and credentials:
                pair = _basic_pair(credentials)
                if pair is not None:
                    password = self.secret("password", pair[1]) if pair[1] else ""
                    auth = Auth(kind=AuthKind.BASIC, username=pair[0], password=password)
                    continue
            kept.append(KeyValue(header.name, self.secret("authorization", header.value)))
        return auth, kept

    def secret(self, kind: str, value: str) -> str:
        """A reference to the secret variable holding ``value`` (made at its first use)."""
        key = (kind, value)
        name = self.secrets.get(key)
        if name is None:
            name = self.secrets[key] = f"har_{kind}_{self.kinds[kind] + 1}"
            self.kinds[kind] += 1
        return "{{" + name + "}}"

    # ------------------------------------------------------------------ body

    def body(self, raw: Any, where: str, headers: list[KeyValue]) -> tuple[Body, list[KeyValue]]:
        if raw is None:
            return Body(), headers
        data = expect_object(raw, where)
        mime = text_of(data.get("mimeType"), child(where, "mimeType")).strip()
        text = text_of(data.get("text"), child(where, "text"))
        params = optional_list(data, "params", where)
        lowered = mime.lower()
        if lowered.startswith("multipart/form-data"):
            without_type = [h for h in headers if h.name.lower() != "content-type"]
            if params:
                return Body(BodyKind.MULTIPART, parts=self.parts(params, where)), without_type
            return Body(BodyKind.MULTIPART, parts=self.multipart_text(text, mime, where)), (
                without_type
            )
        if lowered.startswith("application/x-www-form-urlencoded"):
            if text or not params:
                pairs = parse_qsl(text, keep_blank_values=True)
                return Body(BodyKind.FORM, form=[KeyValue(k, v) for k, v in pairs]), headers
            form = []
            for i, row in enumerate(params):
                here = f"{child(where, 'params')}[{i}]"
                row = expect_object(row, here)
                form.append(
                    KeyValue(
                        unquote_plus(text_of(row.get("name"), child(here, "name"))),
                        unquote_plus(text_of(row.get("value"), child(here, "value"))),
                    )
                )
            return Body(BodyKind.FORM, form=form), headers
        if not text and not mime:
            return Body(), headers
        if _JSON_TYPE.match(mime):
            return Body(BodyKind.JSON, text=text), headers
        return Body(BodyKind.RAW, text=text, content_type=mime), headers

    def parts(self, params: list[Any], where: str) -> list[FormPart]:
        parts = []
        for i, raw in enumerate(params):
            here = f"{child(where, 'params')}[{i}]"
            row = expect_object(raw, here)
            name = text_of(row.get("name"), child(here, "name"))
            content_type = text_of(row.get("contentType"), child(here, "contentType"))
            file_name = text_of(row.get("fileName"), child(here, "fileName"))
            if file_name:
                self.unsaved_files.append(f"{here}: {name!r} ({file_name})")
                parts.append(FormPart(name, "", PartKind.FILE, content_type, file_name))
            else:
                value = text_of(row.get("value"), child(here, "value"))
                parts.append(FormPart(name, value, PartKind.TEXT, content_type))
        return parts

    def multipart_text(self, text: str, mime: str, where: str) -> list[FormPart]:
        """A multipart body kept whole in ``text`` (Chrome): split at its boundary."""
        match = _BOUNDARY.search(mime)
        if match is None or not text:
            return []
        parts = []
        for chunk in text.split("--" + match.group(1))[1:]:
            if chunk.startswith("--"):
                break
            head, sep, content = chunk.lstrip("\r\n").partition("\r\n\r\n")
            if not sep:
                head, sep, content = chunk.lstrip("\n").partition("\n\n")
            fields: dict[str, str] = {}
            content_type = ""
            for line in head.splitlines():
                key, _, value = line.partition(":")
                if key.strip().lower() == "content-disposition":
                    for found in _DISPOSITION_FIELD.finditer(value):
                        fields[(found.group(1) or found.group(3)).lower()] = (
                            found.group(2) if found.group(1) else found.group(4)
                        )
                elif key.strip().lower() == "content-type":
                    content_type = value.strip()
            name = fields.get("name", "")
            value = content.removesuffix("\r\n").removesuffix("\n")
            if "filename" in fields:
                self.unsaved_files.append(f"{where}.text: {name!r} ({fields['filename']})")
                parts.append(FormPart(name, "", PartKind.FILE, content_type, fields["filename"]))
            else:
                parts.append(FormPart(name, value, PartKind.TEXT, content_type))
        return parts


def path_of(url: str) -> str:
    """The path a request is named after ("/" for a bare host)."""
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "/"


def _basic_pair(credentials: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
