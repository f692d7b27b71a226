"""Copy as curl imports back to the same request: for generated requests, the
command ``to_curl`` writes, read by ``parse_curl``, resolves to what the
original resolves to on the wire (method, URL, headers with auth, body)."""

from __future__ import annotations

import base64
import os
import shlex
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.exporters import ExportError, to_curl
from app.core.exporters.flatten import absolute_url, all_headers, effective_auth
from app.core.importers import parse_curl, to_request
from app.core.inherit import Resolution, resolve
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

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 150,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FILES = Path(__file__).resolve().parent / "files"

token = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=12
)
#: header values: printable, no surrounding blanks (HTTP trims them), no braces (variables)
value = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="{}"), max_size=30
).map(str.strip)
#: body text: any characters but NUL (no command line carries one) and braces
body_text = st.text(
    st.characters(exclude_characters="\x00{}", exclude_categories=["Cs"]), max_size=60
)
url = st.builds(
    lambda path, query: f"https://api.example.com/{path}" + (f"?{query}" if query else ""),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_./", max_size=20),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789=&%-_[]", max_size=20),
)
headers = st.lists(
    st.builds(KeyValue, token.filter(lambda n: n.lower() not in ("authorization",)), value),
    max_size=4,
).filter(
    lambda rows: all(r.value or r.name.lower() != "content-type" for r in rows)
)  # an empty Content-Type is what curl's `-H 'Content-Type:'` removes
form_rows = st.lists(st.builds(KeyValue, token, value), min_size=1, max_size=3)
text_parts = st.builds(
    FormPart,
    name=token,
    value=body_text,
    content_type=st.sampled_from(["", "application/json", "text/plain"]),
    file_name=st.sampled_from(["", "notes.txt"]),
)
file_parts = st.builds(
    FormPart,
    name=token,
    value=st.sampled_from([str(FILES / "a.txt"), str(FILES / "pixel.png")]),
    kind=st.just(PartKind.FILE),
    content_type=st.sampled_from(["", "image/png"]),
    file_name=st.sampled_from(["", "upload.bin", 'odd "name".txt']),
)
content_types = st.sampled_from(["", "text/plain", "application/xml", "image/png"])
bodies = st.one_of(
    st.just(Body()),
    st.builds(Body, kind=st.just(BodyKind.RAW), text=body_text, content_type=content_types),
    st.builds(Body, kind=st.just(BodyKind.JSON), text=body_text),
    st.builds(Body, kind=st.just(BodyKind.FORM), form=form_rows),
    st.builds(
        Body,
        kind=st.just(BodyKind.MULTIPART),
        parts=st.lists(text_parts | file_parts, min_size=1, max_size=3),
    ),
    st.builds(
        Body,
        kind=st.just(BodyKind.FILE),
        path=st.just(str(FILES / "pixel.png")),
        content_type=content_types,
    ),
)
auths = st.one_of(
    st.just(Auth(kind=AuthKind.NONE)),
    st.builds(Auth, kind=st.just(AuthKind.BASIC), username=token, password=value),
    st.builds(Auth, kind=st.just(AuthKind.BEARER), token=token),
    st.builds(Auth, kind=st.just(AuthKind.DIGEST), username=token, password=value),
)
requests = st.builds(
    Request,
    name=st.just("generated"),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PURGE"]),
    url=url,
    headers=headers,
    body=bodies,
    auth=auths,
    settings=st.builds(
        Settings,
        follow_redirects=st.booleans(),
        verify_tls=st.booleans(),
        http2=st.booleans(),
        deadline_s=st.sampled_from([None, 5.0, 2.5]),
        max_redirects=st.sampled_from([None, 3]),
    ),
)


def untyped_named_text_part(request: Request) -> bool:
    """A text part with a file name and no type: curl would give it one (the command
    says so in a comment), so it cannot import back the same."""
    return request.body.kind is BodyKind.MULTIPART and any(
        p.kind is PartKind.TEXT and p.file_name and not p.content_type for p in request.body.parts
    )


def wire(resolution: Resolution) -> dict[str, object]:
    """What reaches the server, as far as the request decides it."""
    request = resolution.request
    rows = all_headers(resolution)
    auth = effective_auth(resolution)
    if auth is not None and auth.kind == "basic":
        pair = f"{auth.username}:{auth.password}".encode()
        rows.append(("Authorization", "Basic " + base64.b64encode(pair).decode()))
    if auth is not None and auth.kind == "bearer":
        rows.append(("Authorization", f"Bearer {auth.token}"))
    upload = request.upload
    if upload is not None and upload.multipart:
        rows = [(n, v) for n, v in rows if n.lower() != "content-type"]
    transport = resolution.profile.transport
    return {
        "method": request.method,
        "url": absolute_url(resolution),
        "headers": sorted((n.lower(), v) for n, v in rows),
        "content": request.content,
        "file": upload.path if upload is not None else None,
        "parts": upload.parts if upload is not None else None,
        "digest": (auth.username, auth.password) if auth and auth.kind == "digest" else None,
        "follow": request.follow_redirects,
        "max_redirects": request.max_redirects if request.follow_redirects else None,
        "deadline": request.deadline_s,
        "verify": transport.verify,
        "http2": transport.http2,
    }


def round_trip(request: Request) -> tuple[Resolution, Resolution, str]:
    original = resolve(request, None)
    command = to_curl(original)
    (item,) = parse_curl(command).requests
    return original, resolve(to_request(item), None), command


@SETTINGS
@given(requests.filter(lambda r: not untyped_named_text_part(r)))
def test_copy_as_curl_imports_back_to_the_same_request(request: Request) -> None:
    try:
        original, again, command = round_trip(request)
    except ExportError:
        return  # said plainly: e.g. a user name with a colon
    assert wire(again) == wire(original), command


def test_the_command_is_posix_quoted_and_runs_in_bash_as_parsed() -> None:
    request = Request(
        name="quoted",
        method="POST",
        url="https://e.com/a b?x='1'",
        headers=[KeyValue("X-Quote", 'it\'s "quoted" $HOME `cmd` \\n')],
        body=Body(kind=BodyKind.RAW, text="line 1\nline 'two' $x\n", content_type="text/plain"),
    )
    command = to_curl(resolve(request, None))
    words = shlex.split(command.replace("\\\n", ""))
    assert words[1] == "https://e.com/a b?x='1'"
    assert 'X-Quote: it\'s "quoted" $HOME `cmd` \\n' in words
    assert "line 1\nline 'two' $x\n" in words
    original, again, _ = round_trip(request)
    assert wire(again) == wire(original)


def test_brackets_in_the_url_turn_curls_globbing_off() -> None:
    request = Request(name="g", url="https://e.com/s?filter[created]=1")
    command = to_curl(resolve(request, None))
    assert command.endswith(" \\\n  -g\n")
    (item,) = parse_curl(command).requests
    assert not item.notes
    (unglobbed,) = parse_curl("curl 'https://e.com/s?filter[created]=1'").requests
    assert "curl would expand [..]" in unglobbed.notes[0]


def test_a_body_without_a_type_removes_the_one_curl_would_add() -> None:
    request = Request(name="raw", method="POST", url="https://e.com", body=Body(BodyKind.RAW, "x"))
    command = to_curl(resolve(request, None))
    assert "-H Content-Type:" in command
    assert "--data-raw x" in command


def test_what_curl_cannot_express_is_refused_or_said() -> None:
    untyped = Request(
        name="t",
        method="POST",
        url="https://e.com",
        body=Body(BodyKind.MULTIPART, parts=[FormPart("a", "x", file_name="a.txt")]),
    )
    assert to_curl(resolve(untyped, None)).startswith("# curl gives the part a a Content-Type")
    colon = Request(name="c", url="https://e.com", auth=Auth(AuthKind.BASIC, "a:b", "c"))
    with pytest.raises(ExportError, match="colon"):
        to_curl(resolve(colon, None))
    oauth = Request(name="o", url="https://e.com", auth=Auth(AuthKind.OAUTH2, client_id="x"))
    assert to_curl(resolve(oauth, None)).startswith("# the request's oauth2 auth has no curl")
