"""Whatever is pasted, the curl importer answers with requests or with Courier's
error (``MalformedImport``, with a line and column inside the text): never any
other exception."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import CurlImport, MalformedImport, parse_curl, to_request

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 400,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
HERE = Path(__file__).resolve().parent

FLAGS = [
    "-X", "-H", "-d", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F",
    "--form-string", "-G", "-u", "-b", "-A", "-e", "-I", "-T", "-L", "-k", "--compressed",
    "--http1.1", "--http2", "-x", "-U", "--max-time", "--connect-timeout", "-o", "-O", "--url",
    "--url-query", "-sSLk", "-XPOST", "-d@x", "--next", "--no-buffer", "--digest", "--",
    "--oauth2-bearer", "--aws-sigv4", "--cert", "-E", "--max-redirs", "-:", "-", "-Z",
]  # fmt: skip
PIECES = [
    "'", '"', "$'", "\\", "\\\n", "^", "^\n", "^\"", "|", ";", "&&", ">", "<", "$X", "${X}",
    "$(x)", "`x`", "#", "@", "@-", "=", ":", ";type=", ";filename=", "<", "%A%", "\n", " ",
    "http://[", "https://e.com/a?b=c", "{{v}}", "é", "\\x4", "\\u12", "\\U0011FFFF", "\\c",
]  # fmt: skip


def outcome(text: str) -> CurlImport | MalformedImport:
    try:
        return parse_curl(text, base_dir=HERE)
    except MalformedImport as exc:
        return exc


def check(text: str) -> None:
    imported = outcome(text)
    if isinstance(imported, MalformedImport):
        lines = text.split("\n")
        assert 1 <= imported.line <= len(lines) + 1, (imported.line, imported.message)
        assert imported.column >= 1
        return
    for item in imported.requests:
        request = to_request(item)
        assert request.method
        assert request.name


@SETTINGS
@given(st.text(max_size=200))
def test_any_text(text: str) -> None:
    check(text)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_after_curl(text: str) -> None:
    check("curl " + text)


@SETTINGS
@given(
    st.lists(st.sampled_from(FLAGS) | st.sampled_from(PIECES) | st.text(max_size=6), max_size=14)
)
def test_curl_shaped_text(tokens: list[str]) -> None:
    check("curl " + " ".join(tokens))
    check("curl " + "".join(tokens))
