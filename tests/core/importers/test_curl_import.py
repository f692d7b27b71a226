"""curl's options applied as curl applies them, and mapped onto Courier's model.

What actually reaches a server is checked against the real curl in
tests/fidelity; these pin the mapping onto the model and the user-visible notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.importers import MalformedImport, looks_like_curl, parse_curl, to_request
from app.core.inherit import resolve
from app.core.model import AuthKind, BodyKind, PartKind, Request


def one(text: str, base_dir: Path | None = None) -> Request:
    (request,) = parse_curl(text, base_dir=base_dir).requests
    return to_request(request)


def test_repeated_data_joins_with_ampersand_and_implies_a_form_post() -> None:
    request = one("curl https://e.com/x -d a=1 -d 'b=two words'")
    assert request.method == "POST"
    assert request.body.kind is BodyKind.RAW
    assert request.body.text == "a=1&b=two words"
    assert request.body.content_type == "application/x-www-form-urlencoded"


def test_a_canonically_encoded_form_becomes_a_form_table() -> None:
    request = one("curl https://e.com/x -d name=Jane%20Doe -d age=30")
    assert request.body.kind is BodyKind.FORM
    assert [(r.name, r.value) for r in request.body.form] == [("name", "Jane Doe"), ("age", "30")]
    assert resolve(request, None).request.content == b"name=Jane%20Doe&age=30"


def test_get_moves_the_data_into_the_query() -> None:
    request = one("curl -G 'https://e.com/s?lang=en' -d q=a --data-urlencode 'r=b c'")
    assert request.method == "GET"
    assert request.url == "https://e.com/s?lang=en&q=a&r=b+c"
    assert request.body.kind is BodyKind.NONE


def test_user_builds_basic_auth_and_bearer_headers_become_auth() -> None:
    basic = one("curl -u 'jo:se:cret' https://e.com")
    assert basic.auth.kind is AuthKind.BASIC
    assert (basic.auth.username, basic.auth.password) == ("jo", "se:cret")
    bearer = one("curl -H 'Authorization: Bearer abc.def' https://e.com")
    assert bearer.auth.kind is AuthKind.BEARER
    assert bearer.auth.token == "abc.def"
    assert bearer.headers == []
    typed = one("curl -H 'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' https://e.com")
    assert (typed.auth.kind, typed.auth.username, typed.auth.password) == (
        AuthKind.BASIC,
        "Aladdin",
        "open sesame",
    )
    odd = one("curl -H 'Authorization: Basic not-base64!' https://e.com")
    assert odd.auth.kind is AuthKind.NONE
    assert [(h.name, h.value) for h in odd.headers] == [("Authorization", "Basic not-base64!")]


def test_method_rules() -> None:
    assert one("curl -I https://e.com").method == "HEAD"
    assert one("curl -X PATCH -d x https://e.com").method == "PATCH"
    assert one("curl -F a=b https://e.com").method == "POST"
    assert one("curl https://e.com").method == "GET"


def test_upload_file_is_a_put_of_the_file_named_in_the_url(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    request = one("curl -T report.pdf https://e.com/files/", base_dir=tmp_path)
    assert request.method == "PUT"
    assert request.url == "https://e.com/files/report.pdf"
    assert request.body.kind is BodyKind.FILE
    assert request.body.path == str(tmp_path / "report.pdf")
    assert "Content-Type" in request.notes


def test_json_sets_both_headers_unless_given() -> None:
    request = one("""curl --json '{"a":' --json '1}' -H 'Accept: text/plain' https://e.com""")
    assert request.method == "POST"
    assert request.body.text == '{"a":1}'
    assert [(h.name, h.value) for h in request.headers] == [
        ("Accept", "text/plain"),
        ("Content-Type", "application/json"),
    ]
    assert request.body.kind is BodyKind.JSON


def test_data_files(tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_bytes(b"a=1\r\n&b=2\n")
    stripped = one("curl -d @body.txt e.com", base_dir=tmp_path)
    assert resolve(stripped, None).request.content == b"a=1&b=2"  # newlines dropped
    binary = one("curl --data-binary @body.txt e.com", base_dir=tmp_path).body
    assert binary.kind is BodyKind.FILE  # streamed as the file is
    assert binary.path == str(tmp_path / "body.txt")
    raw = one("curl --data-raw @body.txt e.com", base_dir=tmp_path).body
    assert raw.text == "@body.txt"
    encoded = one("curl --data-urlencode name@body.txt e.com", base_dir=tmp_path)
    assert resolve(encoded, None).request.content == b"name=a%3D1%0D%0A%26b%3D2%0A"


def test_form_parts(tmp_path: Path) -> None:
    (tmp_path / "a photo.png").write_bytes(b"\x89PNG")
    (tmp_path / "note.txt").write_text("hello")
    request = one(
        """curl e.com -F 'pic=@"a photo.png";filename=me.png' -F 'doc=@note.txt;type=text/x-note'"""
        """ -F 'text=<note.txt' -F 'meta={"k":1};type=application/json' --form-string 'raw=@x;y'""",
        base_dir=tmp_path,
    )
    parts = [(p.name, p.kind, p.value, p.content_type, p.file_name) for p in request.body.parts]
    assert parts == [
        ("pic", PartKind.FILE, str(tmp_path / "a photo.png"), "image/png", "me.png"),
        ("doc", PartKind.FILE, str(tmp_path / "note.txt"), "text/x-note", "note.txt"),
        ("text", PartKind.TEXT, "hello", "", ""),
        ("meta", PartKind.TEXT, '{"k":1}', "application/json", ""),
        ("raw", PartKind.TEXT, "@x;y", "", ""),
    ]


def test_a_text_part_with_a_file_name_is_typed_as_curl_types_it() -> None:
    """curl 7.88 gives such a part the type of a file name it knows, and none otherwise."""
    request = one("curl e.com -F 'a=x;filename=hi.txt' -F 'b=y;filename=noext'")
    assert [(p.file_name, p.content_type) for p in request.body.parts] == [
        ("hi.txt", "text/plain"),
        ("noext", ""),
    ]


def test_settings_follow_curl_defaults() -> None:
    plain = one("curl https://e.com")
    assert plain.settings.follow_redirects is False  # curl does not follow without -L
    tuned = one("curl -sSLk --http1.1 --max-time 7.5 --max-redirs 3 -x proxy:3128 https://e.com")
    settings = tuned.settings
    assert settings.follow_redirects is True
    assert settings.verify_tls is False
    assert settings.http2 is False
    assert settings.deadline_s == 7.5
    assert settings.max_redirects == 3
    assert settings.proxy == "http://proxy:3128"


def test_what_courier_does_not_honour_is_listed() -> None:
    (item,) = parse_curl(
        "curl --connect-timeout 5 --retry 3 -b cookies.txt -o out.json -s -4 https://e.com"
    ).requests
    assert item.not_honoured == [
        "--connect-timeout 5",
        "--retry 3",
        "-b cookies.txt (cookies read from a file)",
        "-4",
    ]
    assert item.ignored == ["-o out.json", "-s"]
    notes = to_request(item).notes
    assert "Not honoured: --connect-timeout 5, --retry 3, -b cookies.txt (cookies" in notes
    assert "(ignored): -o out.json, -s." in notes


def test_cookies_agent_referer_and_header_shapes() -> None:
    request = one(
        "curl -b 'a=1; b=2' -b c=3 -A 'Agent/1' -e 'https://from/;auto' "
        "-H 'X-Empty;' -H 'X-Gone:' -H 'X-Keep:  v ' https://e.com"
    )
    assert [(h.name, h.value) for h in request.headers] == [
        ("User-Agent", "Agent/1"),
        ("Referer", "https://from/"),
        ("X-Empty", ""),
        ("X-Keep", "v"),
        ("Cookie", "a=1; b=2;c=3"),
    ]
    assert "X-Gone" in request.notes


def test_several_commands_next_and_several_urls() -> None:
    imported = parse_curl("curl a.com/1 b.com/2\ncurl -X POST c.com --next -d x d.com")
    assert [(r.method, r.url) for r in imported.requests] == [
        ("GET", "a.com/1"),
        ("GET", "b.com/2"),
        ("POST", "c.com"),
        ("POST", "d.com"),
    ]


def test_a_prompt_and_the_url_option() -> None:
    request = one("$ curl --url https://e.com/v1/items -X DELETE")
    assert (request.method, request.url, request.name) == (
        "DELETE",
        "https://e.com/v1/items",
        "DELETE /v1/items",
    )


@pytest.mark.parametrize(
    ("text", "reason", "line", "column"),
    [
        ("curl --frobnicate e.com", "curl has no option --frobnicate", 1, 6),
        ("curl e.com \\\n  -sW", "curl has no option -W", 2, 3),
        ("curl e.com -H", "-H needs a value", 1, 12),
        ("curl -s", "no URL", 1, 6),
        ("wget e.com", "not a curl command", 1, 1),
        ("curl e.com -d a -F b=c", "both -F", 1, 17),
        ("curl e.com -F nothing", "-F needs NAME=CONTENT", 1, 12),
        ("curl e.com -d @missing.txt", "cannot read the file missing.txt", 1, 12),
        ("curl e.com -d @-", "standard input", 1, 12),
        ("curl e.com --max-time soon", "number of seconds", 1, 12),
        ("", "no curl command", 1, 1),
    ],
)
def test_malformed_input_says_where(text: str, reason: str, line: int, column: int) -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_curl(text, base_dir=Path("/nonexistent"))
    assert reason in caught.value.reason
    assert (caught.value.line, caught.value.column) == (line, column)


def test_stdin_redirection_feeds_at_minus(tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text('{"a": 1}')
    request = one("curl -H 'Content-Type: application/json' -d @- e.com < body.json", tmp_path)
    assert request.body.text == '{"a": 1}'


def test_url_bar_detection() -> None:
    assert looks_like_curl("curl https://e.com")
    assert looks_like_curl("  $ curl -X POST e.com")
    assert looks_like_curl('curl ^"https://e.com^" ^\n')
    assert not looks_like_curl("https://e.com/curl")
    assert not looks_like_curl("curlew.example.com")


@pytest.mark.parametrize(
    "text",
    [
        'curl https://e.com/a \\\r\n  -H "X: 1" \\\r\n  -d "a=b"\r\n',
        'curl ^"https://e.com/a^" ^\r\n  -H ^"X: 1^" ^\r\n  --data-raw ^"a=b^"\r\n',
    ],
    ids=["bash", "cmd"],
)
def test_windows_line_endings_in_a_paste(text: str) -> None:
    (item,) = parse_curl(text).requests
    assert (item.method, item.url, item.headers, item.body) == (
        "POST",
        "https://e.com/a",
        [("X", "1")],
        b"a=b",
    )


def test_the_import_summary_names_each_request_with_its_notes() -> None:
    imported = parse_curl("curl e.com/a --retry 2\ncurl e.com/b")
    assert imported.notes == ["GET e.com/a: --retry 2"]
