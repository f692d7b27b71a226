"""Python code that sends the same requests with httpx, in the three styles its docs teach.

- ``"httpx"``: top-level calls (``httpx.get(...)``), each request on its own;
- ``"httpx-client"``: ``with httpx.Client(...) as client:``;
- ``"httpx-async"``: ``async with httpx.AsyncClient(...)`` inside an
  ``async def main()`` run by ``asyncio.run``, awaiting the client's methods.

In the client styles the collection's shared base URL, headers and auth go to
the client's constructor (as Courier configures its own client); each request
passes what differs for it.  Secrets are read from environment variables
(``os.environ["TOKEN"]``), never written into the code (``SecretEnv``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.core.exporters.flatten import (
    ExportError,
    absolute_url,
    all_headers,
    effective_auth,
    is_multipart_type,
)
from app.core.exporters.secret_env import SecretEnv
from app.core.inherit import Resolution
from app.core.resolved import (
    AUTH_FROM_CLIENT,
    AUTH_NONE,
    AUTH_OWN,
    ClientProfile,
    ResolvedAuth,
    ResolvedRequest,
)

STYLES = ("httpx", "httpx-client", "httpx-async")
#: methods whose top-level function takes no body (``httpx.get`` has no ``content``)
_NO_BODY_FUNCTIONS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
_BODY_FUNCTIONS = frozenset({"POST", "PUT", "PATCH"})
INDENT = "    "


@dataclass(frozen=True, slots=True)
class ExportedCode:
    """The code, and the environment variables it reads (name -> the value it needs)."""

    text: str
    environment: dict[str, str]


class _Code:
    """Python literals for the values of one export, secrets read from the environment."""

    def __init__(self, secrets: SecretEnv) -> None:
        self.secrets = secrets
        self.uses_os = False
        self.uses_path = False
        self.uses_ssl = False
        #: what the code cannot do as Courier does, said in comments
        self.notes: list[str] = []

    def text(self, value: str) -> str:
        pieces = self.secrets.split(value)
        if len(pieces) == 1 and not pieces[0][1]:
            return _literal(value)
        parts = []
        for piece, is_env in pieces:
            if is_env:
                self.uses_os = True
                parts.append(f"os.environ[{_literal(piece)}]")
            else:
                parts.append(_literal(piece))
        return " + ".join(parts)

    def headers(self, rows: list[tuple[str, str]]) -> str:
        names = [name.lower() for name, _ in rows]
        if len(set(names)) == len(names):
            items = ", ".join(f"{self.text(n)}: {self.text(v)}" for n, v in rows)
            return "{" + items + "}"
        return "[" + ", ".join(f"({self.text(n)}, {self.text(v)})" for n, v in rows) + "]"

    def file_bytes(self, path: str) -> str:
        self.uses_path = True
        return f"Path({_literal(path)}).read_bytes()"


def _literal(value: str) -> str:
    """A Python string literal: JSON's escaping is valid Python and stays readable."""
    return json.dumps(value, ensure_ascii=False)


def _auth_arg(auth: ResolvedAuth, code: _Code, headers: list[tuple[str, str]]) -> str | None:
    """The ``auth=`` value for ``auth`` (header-like auth is added to ``headers``)."""
    if auth.kind == "basic":
        return f"({code.text(auth.username)}, {code.text(auth.password)})"
    if auth.kind == "digest":
        return f"httpx.DigestAuth({code.text(auth.username)}, {code.text(auth.password)})"
    if auth.kind == "bearer":
        headers.append(("Authorization", f"Bearer {auth.token}"))
        return None
    if auth.kind == "apikey" and auth.key_in != "query":
        headers.append((auth.key_name or "X-API-Key", auth.key_value))
        return None
    return None


def _unsupported_auth(auth: ResolvedAuth | None) -> str | None:
    if auth is None or auth.kind in ("basic", "digest", "bearer"):
        return None
    if auth.kind == "apikey" and auth.key_in != "query":
        return None
    if auth.kind == "apikey":
        return "the API key goes in the query: add it to the URL's params"
    return f"{auth.kind} auth is not exported: add it yourself"


def _api_key_param(auth: ResolvedAuth | None) -> tuple[str, str] | None:
    if auth is not None and auth.kind == "apikey" and auth.key_in == "query":
        return auth.key_name or "X-API-Key", auth.key_value
    return None


def _body_args(request: ResolvedRequest, code: _Code) -> list[str]:
    if request.upload is not None and request.upload.multipart:
        files = []
        for part in request.upload.parts:
            if part.is_file:
                name = part.file_name if part.file_name is not None else ""
                content = code.file_bytes(part.path)
                value = f"({code.text(name)}, {content}, {code.text(part.content_type)})"
            else:
                if part.file_name and not part.content_type:
                    code.notes.append(
                        f"httpx types the part {part.name} from its file name;"
                        " Courier sends it untyped"
                    )
                name = "None" if part.file_name is None else code.text(part.file_name)
                value = f"({name}, {code.text(part.text)}"
                value += f", {code.text(part.content_type)})" if part.content_type else ")"
            files.append(f"({code.text(part.name)}, {value})")
        return [f"files=[{', '.join(files)}]"]
    if request.upload is not None:
        return [f"content={code.file_bytes(request.upload.path)}"]
    if request.content is not None:
        try:
            return [f"content={code.text(request.content.decode('utf-8'))}"]
        except UnicodeDecodeError:
            return [f"content={request.content!r}"]
    return []


def _without_multipart_type(
    rows: list[tuple[str, str]], request: ResolvedRequest
) -> list[tuple[str, str]]:
    """httpx writes its own boundary: the multipart Content-Type is its to set."""
    if request.upload is None or not request.upload.multipart:
        return rows
    return [
        (name, value)
        for name, value in rows
        if name.lower() != "content-type" or not is_multipart_type(value)
    ]


def _call_args(
    resolution: Resolution,
    code: _Code,
    *,
    with_client: bool,
    comments: list[str],
    client_has_auth: bool = True,
) -> tuple[str, list[str]]:
    """The URL expression and the keyword arguments of one request's call.

    ``client_has_auth`` False: the client was built without the collection's
    auth, so a request that uses it passes it itself.
    """
    request = resolution.request
    if with_client:
        url = request.url
        headers = list(request.headers)
        auth = request.auth if request.auth_mode == AUTH_OWN else None
        if request.auth_mode == AUTH_FROM_CLIENT and not client_has_auth:
            auth = resolution.profile.auth
        if request.drop_headers:
            comments.append("switches off shared headers: " + ", ".join(request.drop_headers))
    else:
        url = absolute_url(resolution)
        headers = all_headers(resolution)
        auth = effective_auth(resolution)
    headers = _without_multipart_type(headers, request)
    kwargs: list[str] = []
    auth_value = _auth_arg(auth, code, headers) if auth is not None else None
    if (
        with_client
        and client_has_auth
        and request.auth_mode == AUTH_NONE
        and resolution.profile.auth is not None
    ):
        auth_value = "None"
    if (note := _unsupported_auth(auth)) is not None:
        comments.append(note)
    if (param := _api_key_param(auth)) is not None:
        kwargs.append(f"params={{{code.text(param[0])}: {code.text(param[1])}}}")
    if headers:
        kwargs.append(f"headers={code.headers(headers)}")
    kwargs += _body_args(request, code)
    if auth_value is not None:
        kwargs.append(f"auth={auth_value}")
    if request.follow_redirects:
        kwargs.append("follow_redirects=True")
    kwargs.append(f"timeout={request.timeout_s!r}")
    if request.deadline_s is not None:
        comments.append(
            f"Courier gives it {request.deadline_s:g} s in all; httpx has no such limit"
        )
    if resolution.profile.transport.client_cert and not with_client:
        comments.append("it uses a client certificate: load it into an ssl context for verify=")
    return code.text(url), kwargs


def _transport_args(profile: ClientProfile, code: _Code, *, top_level: bool) -> list[str]:
    transport = profile.transport
    kwargs = []
    if transport.ca_bundle:
        code.uses_ssl = True
        kwargs.append(f"verify=ssl.create_default_context(cafile={code.text(transport.ca_bundle)})")
    elif not transport.verify:
        kwargs.append("verify=False")
    if transport.proxy:
        kwargs.append(f"proxy={code.text(transport.proxy)}")
    if transport.http2 and not top_level:
        kwargs.append("http2=True")
    return kwargs


def _call(function: str, url: str, kwargs: list[str], indent: str) -> str:
    inner = indent + INDENT
    lines = [f"{indent}response = {function}("]
    lines += [f"{inner}{arg}," for arg in [url, *kwargs]]
    lines.append(f"{indent})")
    return "\n".join(lines)


def _method_call(owner: str, method: str, has_body: bool) -> tuple[str, list[str]]:
    """``owner.get`` / ``owner.post`` where that function fits, else ``owner.request``."""
    if (method in _NO_BODY_FUNCTIONS and not has_body) or method in _BODY_FUNCTIONS:
        return f"{owner}.{method.lower()}", []
    return f"{owner}.request", [_literal(method)]


def _show(indent: str, name: str) -> str:
    return f"{indent}print({_literal(name)}, response.status_code)"


def to_httpx(
    items: list[tuple[str, Resolution]], style: str, secrets: SecretEnv | None = None
) -> ExportedCode:
    """Code sending every ``(name, resolution)`` of ``items``, in ``style`` (``STYLES``)."""
    if style not in STYLES:
        raise ExportError(f"No such httpx style “{style}” (one of {', '.join(STYLES)}).")
    if not items:
        raise ExportError("There is no request to export.")
    secrets = secrets if secrets is not None else SecretEnv()
    for _name, resolution in items:
        secrets.add_auth(resolution.profile.auth)
        secrets.add_auth(resolution.request.auth)
        secrets.add_values(resolution.request.secrets)
    code = _Code(secrets)
    body = _top_level(items, code) if style == "httpx" else _with_client(items, code, style)
    if code.notes:
        body = "".join(f"# note: {note}\n" for note in dict.fromkeys(code.notes)) + body
    imports = []
    if style == "httpx-async":
        imports.append("import asyncio")
    if code.uses_os:
        imports.append("import os")
    if code.uses_ssl:
        imports.append("import ssl")
    if code.uses_path:
        imports.append("from pathlib import Path")
    head = "\n".join(imports) + ("\n\n" if imports else "") + "import httpx\n\n"
    if style == "httpx-async":
        head += "\n"  # two blank lines before a function
    environment = {name: value for value, name in secrets.names.items() if _mentions(body, name)}
    return ExportedCode(head + body, environment)


def _mentions(text: str, env: str) -> bool:
    return f"os.environ[{_literal(env)}]" in text


def _top_level(items: list[tuple[str, Resolution]], code: _Code) -> str:
    blocks = []
    for name, resolution in items:
        request = resolution.request
        comments: list[str] = []
        url, kwargs = _call_args(resolution, code, with_client=False, comments=comments)
        kwargs += _transport_args(resolution.profile, code, top_level=True)
        function, leading = _method_call("httpx", request.method, request.has_body)
        lines = [f"# {name}"] + [f"# note: {c}" for c in comments]
        call_args = ([leading[0], url] if leading else [url]) + kwargs
        lines.append(_call(function, call_args[0], call_args[1:], ""))
        lines.append(_show("", name))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _client_args(profile: ClientProfile, code: _Code, *, with_auth: bool) -> list[str]:
    kwargs = []
    if profile.base_url:
        kwargs.append(f"base_url={code.text(profile.base_url)}")
    headers = list(profile.headers)
    auth = None
    if with_auth and profile.auth is not None:
        auth = _auth_arg(profile.auth, code, headers)
    if headers:
        kwargs.append(f"headers={code.headers(headers)}")
    if (param := _api_key_param(profile.auth)) is not None:
        kwargs.append(f"params={{{code.text(param[0])}: {code.text(param[1])}}}")
    if auth is not None:
        kwargs.append(f"auth={auth}")
    kwargs += _transport_args(profile, code, top_level=False)
    return kwargs


def _with_client(items: list[tuple[str, Resolution]], code: _Code, style: str) -> str:
    profile = items[0][1].profile
    asynchronous = style == "httpx-async"
    indent = INDENT * (2 if asynchronous else 1)
    client_class = "httpx.AsyncClient" if asynchronous else "httpx.Client"
    # auth sent as a header (Bearer, an API key) cannot be switched off per request
    # (``auth=None`` only stops an httpx auth flow): such auth goes on the client only
    # when every request uses it
    header_auth = profile.auth is not None and profile.auth.kind not in ("basic", "digest")
    client_has_auth = not header_auth or all(
        resolution.request.auth_mode == AUTH_FROM_CLIENT for _name, resolution in items
    )
    args = _client_args(profile, code, with_auth=client_has_auth)
    opener = f"{'async ' if asynchronous else ''}with {client_class}("
    lines = []
    if asynchronous:
        lines.append("async def main() -> None:")
    outer = INDENT if asynchronous else ""
    if _unsupported_auth(profile.auth) is not None:
        lines.append(f"{outer}# note: the collection's {_unsupported_auth(profile.auth)}")
    lines.append(outer + opener)
    lines += [f"{outer}{INDENT}{arg}," for arg in args]
    lines.append(f"{outer}) as client:")
    for index, (name, resolution) in enumerate(items):
        request = resolution.request
        comments: list[str] = []
        with_client = resolution.profile == profile
        url, kwargs = _call_args(
            resolution,
            code,
            with_client=with_client,
            comments=comments,
            client_has_auth=client_has_auth,
        )
        function, leading = _method_call("client", request.method, request.has_body)
        if asynchronous:
            function = "await " + function
        if index:
            lines.append("")
        lines.append(f"{indent}# {name}")
        lines += [f"{indent}# note: {c}" for c in comments]
        call_args = ([leading[0], url] if leading else [url]) + kwargs
        lines.append(_call(function, call_args[0], call_args[1:], indent))
        lines.append(_show(indent, name))
    if asynchronous:
        lines += ["", "", "asyncio.run(main())"]
    return "\n".join(lines) + "\n"
