"""A ``CurlRequest`` as Courier's ``Request``: what curl would send, in Courier's model.

Choices made so the bytes on the wire stay curl's:

- the URL keeps its query as typed (the params table would re-encode it);
- a ``-d`` body becomes a form table only when Courier's encoding of that table
  gives back the very same bytes, else a raw body with curl's Content-Type;
- ``Authorization: Bearer`` / ``Basic`` headers and ``-u`` become the request's
  auth (its credentials then go to the keychain, not into the file);
- without ``-L`` the request does not follow redirects (curl's default);
- file paths are made absolute (a request file's relative paths would be
  relative to the collection, not to where the command ran).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote, urlsplit

from app.core.importers.curl_semantics import FORM_URLENCODED, JSON_TYPE, CurlRequest, FormField
from app.core.inherit import encode_query
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Settings,
)


def request_name(method: str, url: str) -> str:
    """``POST /v1/charges``: the method and the URL's path (its host when no path)."""
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: the name is the URL as typed
        return f"{method} {url}"[:120]
    path = parts.path.rstrip("/") or parts.netloc or url
    return f"{method} {path}"[:120]


def to_request(curl: CurlRequest, name: str | None = None) -> Request:
    """The model ``Request`` that sends what ``curl`` would send."""
    headers = [KeyValue(n, v) for n, v in curl.headers]
    auth = _auth(curl, headers)
    body = _body(curl, headers)
    settings = Settings(
        follow_redirects=curl.follow_redirects,
        max_redirects=curl.max_redirects,
        verify_tls=False if curl.insecure else None,
        http2=curl.http2,
        proxy=curl.proxy,
        deadline_s=curl.max_time,
        ca_bundle=curl.ca_bundle,
        client_cert=curl.client_cert,
        client_key=curl.client_key,
    )
    return Request(
        name=name or request_name(curl.method, curl.url),
        method=curl.method,
        url=curl.url,
        headers=headers,
        body=body,
        auth=auth,
        settings=settings,
        notes=import_notes(curl),
    )


def import_notes(curl: CurlRequest) -> str:
    """What the user should know about this import, for the request's notes."""
    lines = ["Imported from a curl command."]
    if curl.not_honoured:
        lines.append("Not honoured: " + ", ".join(curl.not_honoured) + ".")
    if curl.ignored:
        lines.append("About curl's output only (ignored): " + ", ".join(curl.ignored) + ".")
    lines.extend(note[0].upper() + note[1:] + "." for note in curl.notes if note)
    kept = [n for n in curl.removed_headers if n.lower() != "content-type"]
    if kept:
        lines.append(
            "Removed with -H 'Name:' but Courier still sends its own: " + ", ".join(kept) + "."
        )
    return "\n".join(lines)


def _auth(curl: CurlRequest, headers: list[KeyValue]) -> Auth:
    if curl.aws_sigv4 is not None and curl.user is not None:
        fields = curl.aws_sigv4.split(":")
        return Auth(
            kind=AuthKind.AWS_SIGV4,
            access_key=curl.user,
            secret_key=curl.password or "",
            region=fields[2] if len(fields) > 2 else "",
            service=fields[3] if len(fields) > 3 else "",
        )
    if curl.user is not None:
        kind = AuthKind.DIGEST if curl.auth_scheme == "digest" else AuthKind.BASIC
        return Auth(kind=kind, username=curl.user, password=curl.password or "")
    if curl.bearer is not None:
        return Auth(kind=AuthKind.BEARER, token=curl.bearer)
    found = [h for h in headers if h.name.lower() == "authorization"]
    if len(found) != 1:
        return Auth(kind=AuthKind.NONE)
    scheme, _, credential = found[0].value.partition(" ")
    auth: Auth | None = None
    if scheme == "Bearer" and credential and credential == credential.strip():
        auth = Auth(kind=AuthKind.BEARER, token=credential)
    elif scheme == "Basic" and credential:
        auth = _basic(credential)
    if auth is None:
        return Auth(kind=AuthKind.NONE)
    headers.remove(found[0])
    return auth


def _basic(credential: str) -> Auth | None:
    """Basic credentials that Courier would encode back to the very same header."""
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep or base64.b64encode(decoded.encode()).decode("ascii") != credential:
        return None
    return Auth(kind=AuthKind.BASIC, username=user, password=password)


def _header(headers: list[KeyValue], name: str) -> KeyValue | None:
    return next((h for h in headers if h.name.lower() == name), None)


def _body(curl: CurlRequest, headers: list[KeyValue]) -> Body:
    typed = _header(headers, "content-type")
    if curl.form is not None:
        return Body(kind=BodyKind.MULTIPART, parts=[_part(f) for f in curl.form])
    if curl.body_file is not None:
        return Body(kind=BodyKind.FILE, path=curl.body_file, content_type=curl.body_type)
    if curl.body is None:
        return Body()
    text = curl.body.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in curl.body:
        curl.notes.append("bytes of the body that are not UTF-8 became U+FFFD")
    removed = any(n.lower() == "content-type" for n in curl.removed_headers)
    content_type = "" if typed is not None or removed else curl.body_type
    media = (typed.value if typed is not None else content_type).split(";")[0].strip().lower()
    if typed is None and media == FORM_URLENCODED and (form := _as_form(text)) is not None:
        return Body(kind=BodyKind.FORM, form=form)
    if media == JSON_TYPE and typed is not None:
        return Body(kind=BodyKind.JSON, text=text)
    return Body(kind=BodyKind.RAW, text=text, content_type=content_type)


def _as_form(text: str) -> list[KeyValue] | None:
    """``text`` as a form table, if Courier encodes that table back to ``text`` exactly."""
    if not text:
        return None
    rows = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        if not sep or not name:
            return None
        rows.append(KeyValue(unquote(name), unquote(value)))
    pairs = [(row.name, row.value) for row in rows]
    return rows if encode_query(pairs) == text else None


def _part(field: FormField) -> FormPart:
    if field.file is not None:
        return FormPart(
            name=field.name,
            value=field.file,
            kind=PartKind.FILE,
            content_type=field.content_type,
            file_name=field.file_name or "",
        )
    return FormPart(
        name=field.name,
        value=field.text,
        content_type=field.content_type,
        file_name=field.file_name or "",
    )
