"""``courier import --format har`` as a user runs it: the report, the files written
(credentials in the keychain, never in them), requests captured against the real demo
server sent again as imported, and bad input named by line and column or JSON path
with nothing imported."""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path

import pytest

from app import cli
from app.core.model import AuthKind
from app.session import Session
from tests.cli_transfer_helpers import all_text, run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "core" / "importers" / "fixtures" / "har"
CHROME = FIXTURES / "chrome-shop.har"
FIREFOX = FIXTURES / "firefox-api.har"


def test_import_a_chrome_har_prints_the_report_and_keeps_credentials_out_of_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "shop"
    code, out, err = run(capsys, "import", "--format", "har", CHROME, "--into", into)
    assert code == 0, err
    assert "read HAR 1.2 from WebInspector 537.36: 15 request(s), 2 folder(s)" in out
    assert "note: entries by kind: 6 xhr/fetch, 1 document, 3 script, 2 stylesheet" in out
    assert "note: responses are not imported" in out
    assert "not imported: 1 WebSocket connection(s)" in out
    assert len(list(into.rglob("*.request.yaml"))) == 15
    text = all_text(into)
    assert "eyJhbGciOiJIUzI1NiJ9.c2hvcA.sig" not in text
    assert "correct horse battery" not in text
    collection = Session().load_collection(into, settle_identity=False)  # secrets from keychain
    requests = {r.name: r for _parents, r in collection.iter_requests()}
    assert len(requests) == 15
    assert requests["POST /v1/cart"].auth.token == "{{har_token_1}}"
    me = requests["GET /v1/me"].auth
    assert (me.kind, me.username, me.password) == (AuthKind.BASIC, "ada", "{{har_password_1}}")
    assert {v.name: (v.secret, v.value) for v in collection.variables} == {
        "har_token_1": (True, "eyJhbGciOiJIUzI1NiJ9.c2hvcA.sig"),
        "har_password_1": (True, "correct horse battery"),
    }
    (page,) = collection.folders
    assert [f.name for f in page.folders] == ["Static assets"]


def test_an_authorization_of_another_scheme_is_a_secret_variable_in_the_keychain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "api"
    code, out, err = run(capsys, "import", "--format", "har", FIREFOX, "--into", into)
    assert code == 0, err
    assert "read HAR 1.2 from Firefox 132.0: 8 request(s), 3 folder(s)" in out
    assert "Token 9f8e7d6c5b4a" not in all_text(into)
    assert "9f8e7d6c5b4a" not in all_text(into)
    collection = Session().load_collection(into, settle_identity=False)
    (variable,) = collection.variables
    assert (variable.name, variable.secret, variable.value) == (
        "har_authorization_1",
        True,
        "Token 9f8e7d6c5b4a",
    )


def capture(demo_server: str) -> str:
    """A HAR as a proxy saves it, of requests to the demo server."""
    basic = base64.b64encode(b"ada:lovelace").decode()
    entries = [
        {
            "startedDateTime": "2026-11-20T10:00:00.000Z",
            "time": 3,
            "request": {
                "method": "GET",
                "url": f"{demo_server}/basic-auth/ada/lovelace",
                "httpVersion": "HTTP/1.1",
                "headers": [
                    {"name": "Host", "value": demo_server.partition("//")[2]},
                    {"name": "Authorization", "value": f"Basic {basic}"},
                    {"name": "Connection", "value": "keep-alive"},
                ],
                "queryString": [],
                "cookies": [],
                "headersSize": -1,
                "bodySize": 0,
            },
            "response": {"status": 200, "content": {"size": 0, "mimeType": "application/json"}},
        },
        {
            "startedDateTime": "2026-11-20T10:00:01.000Z",
            "time": 3,
            "request": {
                "method": "POST",
                "url": f"{demo_server}/anything/items?draft=yes",
                "httpVersion": "HTTP/1.1",
                "headers": [
                    {"name": "Content-Type", "value": "application/json"},
                    {"name": "Content-Length", "value": "13"},
                    {"name": "X-Trace", "value": "t-1"},
                ],
                "queryString": [{"name": "draft", "value": "yes"}],
                "cookies": [{"name": "session", "value": "s-1"}],
                "postData": {"mimeType": "application/json", "text": '{"name":"Ada"}'},
                "headersSize": -1,
                "bodySize": 13,
            },
            "response": {"status": 200, "content": {"size": 0, "mimeType": "application/json"}},
        },
    ]
    creator = {"name": "mitmproxy", "version": "11.0"}
    return json.dumps({"log": {"version": "1.2", "creator": creator, "entries": entries}})


def test_requests_imported_from_stdin_send_as_they_were_captured(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_server: str,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(capture(demo_server)))
    into = tmp_path / "captured"
    code, out, err = run(capsys, "import", "--format", "har", "-", "--into", into)
    assert code == 0, err
    assert "read HAR 1.2 from mitmproxy 11.0: 2 request(s), 1 folder(s)" in out
    text = all_text(into)
    assert "type: basic" in text  # the auth, its password in the keychain
    assert base64.b64encode(b"ada:lovelace").decode() not in text
    assert "lovelace" not in text.replace("/basic-auth/ada/lovelace", "").replace(
        "basic-auth-ada-lovelace", ""
    )
    files = {p.name: p for p in into.rglob("*.request.yaml")}
    assert len(files) == 2
    basic = next(p for name, p in files.items() if name.startswith("get"))
    code, out, err = run(capsys, "send", basic, "--fail")
    assert code == 0, (out, err)
    assert json.loads(out) == {"authenticated": True, "user": "ada"}

    post = next(p for name, p in files.items() if name.startswith("post"))
    code, out, err = run(capsys, "send", post)
    assert code == 0, err
    echo = json.loads(out)
    assert echo["method"] == "POST"
    assert echo["url"] == f"{demo_server}/anything/items?draft=yes"
    assert echo["headers"]["x-trace"] == "t-1"
    assert echo["headers"]["cookie"] == "session=s-1"
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["json"] == {"name": "Ada"}


def test_a_wrong_shape_names_its_json_path_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(CHROME.read_text())
    data["log"]["entries"][4]["request"]["url"] = None
    source = tmp_path / "bad.har"
    source.write_text(json.dumps(data))
    into = tmp_path / "shop"
    code, _out, err = run(capsys, "import", "--format", "har", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}: log.entries[4].request.url: expected a URL, found null" in err
    assert "nothing was imported" in err
    assert not into.exists()


def test_broken_json_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.har"
    source.write_text('{\n  "log": {\n    "entries": [,]\n}')
    code, _out, err = run(capsys, "import", "--format", "har", source, "--into", tmp_path / "x")
    assert code == cli.EXIT_USAGE
    assert f"{source}: 3:17: not valid JSON" in err
    assert not (tmp_path / "x").exists()
