"""Copy as curl: a request as a POSIX shell command that sends the same bytes.

Single-quoted words (``shlex.quote``), one option per line.  What curl adds
on its own is countered where Courier would not send it (``-H 'Content-Type:'``
for a body without a type); what curl cannot express (OAuth 2.0, a per-step
timeout) is said in a ``#`` line above the command.
"""

from __future__ import annotations

import shlex

from app.core.exporters.flatten import (
    ExportError,
    absolute_url,
    all_headers,
    effective_auth,
    is_multipart_type,
)
from app.core.inherit import Resolution, encode_query, join_query
from app.core.resolved import ResolvedAuth, UploadPart

DEFAULT_MAX_REDIRECTS = 20
#: one option and its value (None for a switch)
Arg = tuple[str, str | None]


def to_curl(resolution: Resolution) -> str:
    """The curl command for ``resolution`` (secrets included: it is meant to be run)."""
    request = resolution.request
    transport = resolution.profile.transport
    comments: list[str] = []
    args: list[Arg] = []
    url = absolute_url(resolution)
    headers = all_headers(resolution)
    auth = effective_auth(resolution)
    if auth is not None:
        url = _auth_args(auth, args, headers, url, comments)
    content_typed = any(name.lower() == "content-type" for name, _ in headers)
    body: list[Arg] = []
    implied = "GET"
    if request.upload is not None and request.upload.multipart:
        headers = [
            (name, value)
            for name, value in headers
            if name.lower() != "content-type" or not is_multipart_type(value)
        ]
        for part in request.upload.parts:
            body.extend(_form_part(part))
            if not part.is_file and part.file_name is not None and not part.content_type:
                comments.append(
                    f"# curl gives the part {part.name} a Content-Type from its file name;"
                    " Courier sends it without one"
                )
        implied = "POST"
    elif request.upload is not None:
        body.append(("--data-binary", "@" + request.upload.path))
        implied = "POST"
    elif request.content is not None:
        try:
            text = request.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ExportError("The body is not text, so it cannot go on a command line.") from exc
        if "\x00" in text:
            raise ExportError("The body holds a NUL character, which no command line can carry.")
        body.append(("--data-raw", text))
        implied = "POST"
        if not content_typed:
            headers.append(("Content-Type", ""))
    method = request.method
    if method == "HEAD" and not body:
        args.insert(0, ("--head", None))
    elif method != implied:
        args.insert(0, ("-X", method))
    for name, value in headers:
        args.append(("-H", _header(name, value)))
    args += body
    if request.follow_redirects:
        args.append(("-L", None))
        if request.max_redirects != DEFAULT_MAX_REDIRECTS:
            args.append(("--max-redirs", str(request.max_redirects)))
    if not transport.verify:
        args.append(("-k", None))
    for flag, value in (
        ("--cacert", transport.ca_bundle),
        ("--cert", transport.client_cert),
        ("--key", transport.client_key),
        ("-x", transport.proxy),
    ):
        if value:
            args.append((flag, value))
    if not transport.http2:
        args.append(("--http1.1", None))
    if request.deadline_s is not None:
        args.append(("--max-time", _seconds(request.deadline_s)))
    if any(c in url for c in "[]{}"):
        args.append(("-g", None))  # brackets and braces are the URL's own, not curl's globs
    if auth is not None and auth.kind == "digest" and body:
        comments.append("# curl --digest first sends the request without its body, then again")
    if request.drop_headers:
        dropped = ", ".join(request.drop_headers)
        comments.append(f"# the request switches off shared headers: {dropped}")
    return "".join(c + "\n" for c in comments) + _lines(url, args)


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _header(name: str, value: str) -> str:
    """``-H`` text: ``Name;`` sends an empty header, ``Content-Type:`` removes curl's own."""
    if value:
        return f"{name}: {value}"
    return f"{name}:" if name.lower() == "content-type" else f"{name};"


def _lines(url: str, args: list[Arg]) -> str:
    """``curl URL`` then one option (with its value) per continued line."""
    lines = ["curl " + shlex.quote(url)]
    lines += [flag if value is None else f"{flag} {shlex.quote(value)}" for flag, value in args]
    return " \\\n  ".join(lines) + "\n"


def _auth_args(
    auth: ResolvedAuth,
    args: list[Arg],
    headers: list[tuple[str, str]],
    url: str,
    comments: list[str],
) -> str:
    if auth.kind in ("basic", "digest"):
        if ":" in auth.username:
            raise ExportError("curl's -u cannot carry a user name with a colon.")
        if auth.kind == "digest":
            args.append(("--digest", None))
        args.append(("-u", f"{auth.username}:{auth.password}"))
    elif auth.kind == "bearer":
        headers.append(("Authorization", f"Bearer {auth.token}"))
    elif auth.kind == "apikey":
        name = auth.key_name or "X-API-Key"
        if auth.key_in == "query":
            url = join_query(url, encode_query([(name, auth.key_value)]))
        else:
            headers.append((name, auth.key_value))
    elif auth.kind == "aws-sigv4":
        args.append(("--aws-sigv4", f"aws:amz:{auth.region or 'us-east-1'}:{auth.service}"))
        args.append(("-u", f"{auth.access_key}:{auth.secret_key}"))
        if auth.session_token:
            headers.append(("X-Amz-Security-Token", auth.session_token))
    else:
        comments.append(f"# the request's {auth.kind} auth has no curl equivalent: not included")
    return url


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _form_part(part: UploadPart) -> list[Arg]:
    if "=" in part.name:
        raise ExportError(f"curl's -F cannot name a part “{part.name}” (it holds “=”).")
    if part.is_file:
        spec = f"{part.name}=@{_quoted(part.path)}"
    elif not part.content_type and part.file_name is None:
        return [("--form-string", f"{part.name}={part.text}")]
    else:
        spec = f"{part.name}={_quoted(part.text)}"
    if part.content_type:
        spec += f";type={part.content_type}"
    if part.file_name is not None:
        spec += f";filename={_quoted(part.file_name)}"
    return [("-F", spec)]
