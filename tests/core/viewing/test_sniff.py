"""Body kinds from declared types and first bytes, and the views each kind offers."""

from __future__ import annotations

import pytest

from app.core.viewing.sniff import BodyKind, View, classify, json_prefix_ok, views_for

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize(
    ("content_type", "head", "kind"),
    [
        ("application/json", b'{"a": 1}', BodyKind.JSON),
        ("application/json; charset=utf-8", b"[1, 2", BodyKind.JSON),
        ("application/problem+json", b'{"title": "x"}', BodyKind.JSON),
        ("application/vnd.api+json", b"", BodyKind.JSON),
        ("application/json", b'{"a": 1}\n{"a": 2}\n{"a"', BodyKind.NDJSON),
        ("application/json", b'{\n  "a": 1\n}\n', BodyKind.JSON),
        ("application/x-ndjson", b'{"a": 1}\n', BodyKind.NDJSON),
        ("application/jsonl", b"", BodyKind.NDJSON),
        ("application/json-seq", b'\x1e{"a": 1}\n', BodyKind.NDJSON),
        ("text/plain", b'{"a": 1}\n{"b": 2}\n', BodyKind.NDJSON),
        ("", b'{"a": [1, 2], "b": "x\\u00e9', BodyKind.JSON),
        ("text/plain", b"  [1, true, null, -2.5e3, ", BodyKind.JSON),
        ("text/plain", b'\xef\xbb\xbf{"a": 1}', BodyKind.JSON),
        ("text/plain; charset=utf-16", '\ufeff{"a": 1}'.encode("utf-16-le"), BodyKind.JSON),
        ("text/plain", "[1]".encode("utf-16-be"), BodyKind.BINARY),  # NULs, no BOM or charset
        ("text/plain; charset=utf-16be", "[1]".encode("utf-16-be"), BodyKind.JSON),
        ("text/plain", b"[INFO] server started", BodyKind.TEXT),
        ("text/plain", b"{not json}", BodyKind.TEXT),
        ("text/plain", b"[1, 2]]", BodyKind.TEXT),
        ("text/event-stream", b"data: x\n\n", BodyKind.SSE),
        ("text/event-stream; charset=utf-8", b"", BodyKind.SSE),
        ("application/xml", b"<?xml version='1.0'?><a/>", BodyKind.XML),
        ("application/atom+xml", b"<feed>", BodyKind.XML),
        ("text/xml", b"<a>", BodyKind.XML),
        ("", b"<?xml version='1.0'?>\n<root/>", BodyKind.XML),
        ("text/html; charset=utf-8", b"<!doctype html><p>x", BodyKind.HTML),
        ("text/plain", b"  <!DOCTYPE html>\n<html>", BodyKind.HTML),
        ("application/octet-stream", b"<html><body>", BodyKind.HTML),
        ("application/javascript", b"function f() {}", BodyKind.JAVASCRIPT),
        ("text/javascript", b"", BodyKind.JAVASCRIPT),
        ("text/css", b"body { color: red }", BodyKind.CSS),
        ("image/png", PNG, BodyKind.IMAGE),
        ("application/octet-stream", PNG, BodyKind.IMAGE),
        ("", JPEG, BodyKind.IMAGE),
        ("text/plain", GIF, BodyKind.IMAGE),
        ("application/octet-stream", WEBP, BodyKind.IMAGE),
        ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>", BodyKind.IMAGE),
        ("", b"<?xml version='1.0'?>\n<!-- c -->\n<svg width='1'>", BodyKind.IMAGE),
        ("application/xml", b"<svg xmlns='http://www.w3.org/2000/svg'>", BodyKind.IMAGE),
        ("image/png", b"<html><body>404</body></html>", BodyKind.HTML),  # an error page
        ("image/png", b"", BodyKind.IMAGE),
        ("text/plain", b"hello\tworld\r\n\x1b[31mred\x1b[0m\n", BodyKind.TEXT),
        ("text/plain", "héllo wörld".encode("latin-1"), BodyKind.TEXT),
        ("", "héllo".encode(), BodyKind.TEXT),
        ("", b"", BodyKind.TEXT),
        ("application/octet-stream", b"", BodyKind.BINARY),
        ("application/octet-stream", b"plain words\n", BodyKind.TEXT),
        ("application/octet-stream", b"mostly text \x01 but one control", BodyKind.BINARY),
        ("application/octet-stream", bytes(range(0x80, 0x100)), BodyKind.BINARY),
        ("application/zip", b"PK\x03\x04\x14\x00\x00\x00", BodyKind.BINARY),
        ("application/json", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", BodyKind.BINARY),  # gzip
        ("text/plain", b"a\x00b", BodyKind.BINARY),
        ("text/plain", b"abc" * 5 + b"\x01\x02\x03\x04", BodyKind.BINARY),
        ("text/plain", b"a" * 100 + b"\x01", BodyKind.TEXT),  # one stray control byte
    ],
)
def test_classify(content_type: str, head: bytes, kind: BodyKind) -> None:
    assert classify(content_type, head) is kind


def test_random_bytes_are_binary_under_any_text_type() -> None:
    noise = bytes((i * 131 + 7) % 256 for i in range(4096))
    for content_type in ("", "text/plain", "application/json", "application/octet-stream"):
        assert classify(content_type, noise) is BodyKind.BINARY


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ('{"a": [1, {"b": null}], "c": "d"}', True),
        ('{"a": [1, {"b": nu', True),
        ('{"a": "\\u12', True),
        ("[1, 2, 3", True),
        ("[-", True),
        ("[]", True),
        ("{}", True),
        ('{"a" 1}', False),
        ("[1 2]", False),
        ("[01]", False),
        ("[1,]", False),
        ('{"a": 1,}', False),
        ("{'a': 1}", False),
        ("[1] x", False),
        ("[nul1]", False),
        ('["a\x01"]', False),
    ],
)
def test_json_prefix(text: str, ok: bool) -> None:
    assert json_prefix_ok(text) is ok


def test_views_default_first() -> None:
    assert views_for(BodyKind.JSON) == [View.PRETTY, View.TREE, View.RAW, View.HEX]
    assert views_for(BodyKind.SSE) == [View.EVENTS, View.RAW, View.HEX]
    assert views_for(BodyKind.NDJSON)[0] is View.ROWS
    assert views_for(BodyKind.IMAGE) == [View.IMAGE, View.HEX]
    assert views_for(BodyKind.HTML) == [View.PRETTY, View.PREVIEW, View.RAW, View.HEX]
    assert views_for(BodyKind.BINARY) == [View.HEX]
    assert views_for(BodyKind.TEXT) == [View.RAW, View.HEX]
    for kind in BodyKind:
        assert View.HEX in views_for(kind)
    assert View.PRETTY.display_name == "Pretty"
