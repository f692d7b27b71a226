"""``courier import --format openapi`` as a user runs it: the report, the files written
(secrets never in them), a request sent to the real demo server as imported, and bad
input named by line and column or JSON path with nothing imported."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.session import Session
from tests.cli_transfer_helpers import QT_PROBE, qt_free_env, run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "core" / "importers" / "fixtures" / "openapi"
PETSTORE3 = FIXTURES / "petstore3.openapi.json"
SWAGGER2 = FIXTURES / "petstore.swagger2.json"
LIBRARY = FIXTURES / "library.openapi31.yaml"

DEMO_DESCRIPTION = """\
openapi: 3.0.3
info: {{title: Demo API, version: '1'}}
servers:
  - url: {base}
security:
  - demoKey: []
components:
  securitySchemes:
    demoKey: {{type: apiKey, in: header, name: X-API-Key}}
paths:
  /anything/things/{{thingId}}:
    post:
      tags: [echo]
      summary: Store a thing
      parameters:
        - {{name: thingId, in: path, required: true, schema: {{type: integer}}, example: 41}}
        - {{name: page, in: query, required: true, schema: {{type: integer, default: 2}}}}
        - {{name: debug, in: query, schema: {{type: boolean}}}}
        - {{name: X-Trace, in: header, required: true, example: t-1}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {{type: string, example: Ada}}
                tags: {{type: array, items: {{type: string, enum: [red, blue]}}}}
  /api-key:
    get:
      tags: [echo]
      summary: Check the key
  /status/{{code}}:
    get:
      summary: A status
      security: []
      parameters:
        - {{name: code, in: path, required: true, schema: {{type: integer, example: 201}}}}
"""


def test_import_petstore_prints_the_report_and_writes_every_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "petstore"
    code, out, err = run(capsys, "import", "--format", "openapi", PETSTORE3, "--into", into)
    assert code == 0, err
    assert f"imported  Swagger Petstore - OpenAPI 3.0  ->  {into}" in out
    assert "read OpenAPI 3.0.4: 19 request(s), 3 folder(s)" in out
    assert "note: components.securitySchemes.petstore_auth: OAuth 2.0 with the implicit flow" in out
    assert "19 request(s) imported into" in out
    collection = storage.load_collection(into)
    assert [(f.name, len(f.requests)) for f in collection.folders] == [
        ("pet", 8),
        ("store", 4),
        ("user", 7),
    ]
    by_id = next(r for _c, r in collection.iter_requests() if r.name == "Find pet by ID.")
    assert by_id.url == "{{baseUrl}}/pet/{{petId}}"
    assert by_id.path is not None
    assert by_id.path.parent.name == "pet"
    text = (into / "collection.yaml").read_text()
    assert "baseUrl" in text
    assert "/api/v3" in text


def test_import_swagger2_yaml_from_stdin_with_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    text = yaml.safe_dump(json.loads(SWAGGER2.read_text()), sort_keys=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    into = tmp_path / "swagger"
    code, out, err = run(capsys, "import", "--format", "openapi", "-", "--into", into)
    assert code == 0, err
    assert "read Swagger 2.0: 20 request(s), 3 folder(s), 2 environment(s)" in out
    assert "environment  HTTPS" in out
    assert "environment  HTTP\n" in out
    collection = storage.load_collection(into)
    assert sorted(e.name for e in collection.environments) == ["HTTP", "HTTPS"]
    assert sum(1 for _ in collection.iter_requests()) == 20


def test_an_imported_request_reaches_the_demo_server_as_described(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_server: str
) -> None:
    source = tmp_path / "demo.yaml"
    source.write_text(DEMO_DESCRIPTION.format(base=demo_server), encoding="utf-8")
    into = tmp_path / "demo"
    code, out, err = run(capsys, "import", "--format", "openapi", source, "--into", into)
    assert code == 0, err
    assert "read OpenAPI 3.0.3: 3 request(s), 1 folder(s)" in out
    store = next(into.rglob("store-a-thing.request.yaml"))
    code, out, err = run(capsys, "send", store, "--var", "demoKey=demo-key")
    assert code == 0, err
    echo = json.loads(out)
    assert echo["method"] == "POST"
    assert echo["url"] == f"{demo_server}/anything/things/41?page=2"
    assert echo["headers"]["x-trace"] == "t-1"
    assert echo["headers"]["x-api-key"] == "demo-key"
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["json"] == {"name": "Ada", "tags": ["red"]}
    check = next(into.rglob("check-the-key.request.yaml"))
    code, out, err = run(capsys, "send", check, "--var", "demoKey=demo-key", "--fail")
    assert code == 0, (out, err)
    code, _out, _err = run(capsys, "send", check, "--var", "demoKey=wrong", "--fail")
    assert code == 22, "the key is sent from the collection's auth"
    status = next(into.rglob("a-status.request.yaml"))
    code, out, err = run(capsys, "send", status, "-i")
    assert code == 0, err
    assert out.startswith("HTTP/1.1 201")


def test_malformed_yaml_names_line_and_column_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n", encoding="utf-8")
    into = tmp_path / "x"
    code, _out, err = run(capsys, "import", "--format", "openapi", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}: 4:" in err
    assert "not valid YAML" in err
    assert "nothing was imported" in err
    assert not into.exists()


def test_a_wrong_shape_names_the_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(PETSTORE3.read_text())
    data["paths"]["/pet/findByStatus"]["get"]["parameters"].append(["not", "a", "parameter"])
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data))
    into = tmp_path / "x"
    code, _out, err = run(capsys, "import", "--format", "openapi", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert (
        f"{source}: paths./pet/findByStatus.get.parameters[1]: expected an object, found a list"
    ) in err
    assert not into.exists()


def test_a_postman_file_is_not_an_openapi_description(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    postman = ROOT / "tests" / "core" / "importers" / "fixtures" / "postman"
    source = postman / "shop.postman_collection.json"
    code, _out, err = run(capsys, "import", "--format", "openapi", source, "--into", tmp_path / "x")
    assert code == cli.EXIT_USAGE
    assert 'not an OpenAPI or Swagger description: it has no "openapi" or "swagger" field' in err


def test_import_into_an_existing_collection_adds_one_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    code, out, _err = run(capsys, "import", "--format", "openapi", LIBRARY, "--into", into)
    assert code == 0
    assert "imported  Library API  ->  library-api/" in out
    collection = Session().load_collection(into, settle_identity=False)
    (library,) = collection.folders
    assert [f.name for f in library.folders] == ["books", "loans", "members"]
    assert {v.name for v in library.variables} >= {"baseUrl", "isbn", "bearerAuth_token"}


def test_openapi_import_never_imports_qt(tmp_path: Path, courier_home: Path) -> None:
    env = qt_free_env(courier_home, keychain=True)
    probe = QT_PROBE
    into = tmp_path / "library"
    done = subprocess.run(
        [sys.executable, "-c", probe, "import", "--format", "openapi", "-", "--into", str(into)],
        input=LIBRARY.read_text(),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "QT-MODULES []" in done.stderr
    assert "read OpenAPI 3.1.0: 10 request(s), 3 folder(s), 3 environment(s)" in done.stdout
    assert (into / "collection.yaml").is_file()
