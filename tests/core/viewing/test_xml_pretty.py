"""pretty_xml: indentation with the stdlib's expat, refusing entities, never fetching."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from app.core.viewing.xml_pretty import pretty_xml


def test_nested_elements_are_indented_and_content_kept() -> None:
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><!-- top -->'
        b'<a:root xmlns:a="urn:x" z="2" b="1 &amp; &quot;2&quot;"><a:item id="1">caf\xe9</a:item>'
        b"<empty/><mixed>some <b>bold</b> text</mixed><![CDATA[<raw>]]><?pi data?></a:root>"
    )
    text, error = pretty_xml(body)
    assert error is None
    assert text.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- top -->\n"
        '<a:root xmlns:a="urn:x" z="2" b="1 &amp; &quot;2&quot;">\n'
        '  <a:item id="1">café</a:item>\n'
        "  <empty/>\n"
        "  <mixed>some <b>bold</b> text</mixed>\n"
        "  <![CDATA[<raw>]]>\n"
        "  <?pi data?>\n"
        "</a:root>"
    )


def test_already_indented_input_is_reindented_the_same() -> None:
    body = b"<r>\n    <x>1</x>\n\t<y>\n <z/>\n</y>\n</r>\n"
    text, error = pretty_xml(body, indent=1)
    assert (text, error) == (b"<r>\n <x>1</x>\n <y>\n  <z/>\n </y>\n</r>", None)


def test_malformed_xml_comes_back_unchanged() -> None:
    body = b"<r><x></r>"
    assert pretty_xml(body) == (body, "mismatched tag at line 1, column 9")


def test_entity_declarations_are_refused() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
    )
    assert pretty_xml(lol) == (lol, "entity declarations are not allowed")


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "pwned">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_external_entities_and_dtds_are_never_fetched(
    counting_server: tuple[str, list[str]],
) -> None:
    url, hits = counting_server
    external = f'<!DOCTYPE r SYSTEM "{url}/dtd"><r>&x;</r>'.encode()
    text, error = pretty_xml(external)
    assert (text, error) == (external, "entity &x; is defined outside the document (not loaded)")
    param = f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p"> %p;]><r/>'.encode()
    assert pretty_xml(param) == (param, "entity declarations are not allowed")
    assert hits == []


def test_doctype_without_entities_is_kept() -> None:
    text, error = pretty_xml(b'<!DOCTYPE html SYSTEM "about:legacy-compat"><html><p/></html>')
    assert (text, error) == (
        b'<!DOCTYPE html SYSTEM "about:legacy-compat">\n<html>\n  <p/>\n</html>',
        None,
    )


def test_over_the_limit_is_not_formatted() -> None:
    body = b"<r>" + b"<x/>" * 100 + b"</r>"
    # sizes in the unit they need ("0 MB" said nothing about a 407-byte body)
    assert pretty_xml(body, limit=100) == (body, "too large to format: 407 B (limit 100 B)")
