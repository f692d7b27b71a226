"""``courier import --format bruno DIR --into DIR2`` as a user runs it: the report, the
files (credentials in the keychain, never in them), environments with their secret
variables, the YAML layout, and a broken ``.bru`` file named by file, line and column
with nothing imported."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.core.model import AuthKind
from app.session import Session
from tests.cli_transfer_helpers import QT_PROBE, all_text, qt_free_env, run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "core" / "importers" / "fixtures" / "bruno"
BRU = FIXTURES / "shop-bru"
YAML = FIXTURES / "shop-yaml"
#: literal credentials in the fixture: they must reach the keychain, never a file
SECRETS = ("hunter2", "s3cr3t-client", "orders-pass", "wJalrXUtnFEMI")


def test_import_a_bru_collection_into_a_new_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "courier-shop"
    code, out, err = run(capsys, "import", "--format", "bruno", BRU, "--into", into)
    assert code == 0, err
    assert "read Bruno collection: 11 request(s), 4 folder(s), 2 environment(s)" in out
    assert "note: health.bru (Health): tests, assertions kept as text in the notes, not run" in out
    assert (
        "not imported: files/upload.bru (Upload avatar): 'ntlm' auth (Courier has no ntlm "
        "auth); the request sends none"
    ) in out
    assert "secret variable(s) apiToken, adminPassword imported empty" in out
    assert "11 request(s) imported into" in out
    text = all_text(into)
    for secret in SECRETS:
        assert secret not in text
    assert "{{apiToken}}" in text, "a reference is written as it is"
    collection = Session().load_collection(into, settle_identity=False)  # secrets from keychain
    assert sum(1 for _ in collection.iter_requests()) == 11
    assert collection.name == "Shop API"
    assert collection.auth.kind is AuthKind.BEARER
    login = next(r for r in collection.requests if r.name == "Log in")
    assert (login.auth.username, login.auth.password) == ("{{user}}", "hunter2")
    admin = next(f for f in collection.folders if f.name == "Users").folders[0]
    assert admin.auth.client_secret == "s3cr3t-client"
    local = next(e for e in collection.environments if e.name == "Local")
    token = next(v for v in local.variables if v.name == "apiToken")
    assert (token.secret, token.value) == (True, "")
    assert [e.name for e in collection.environments] == ["Local", "Production"]


def test_import_a_yaml_bruno_collection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    into = tmp_path / "yaml-shop"
    code, out, err = run(capsys, "import", "--format", "bruno", YAML, "--into", into)
    assert code == 0, err
    assert "read Bruno collection (YAML): 10 request(s), 2 folder(s), 1 environment(s)" in out
    assert "shop-secret" not in all_text(into)
    collection = Session().load_collection(into, settle_identity=False)
    orders = next(f for f in collection.folders if f.name == "Orders")
    assert orders.auth.client_secret == "shop-secret"


def test_import_into_an_existing_collection_adds_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    code, _out, err = run(capsys, "import", "--format", "bruno", BRU, "--into", into)
    assert code == 0, err
    loaded = storage.load_collection(into)
    assert [f.name for f in loaded.folders] == ["Shop API"]
    assert sum(1 for _ in loaded.iter_requests()) == 11


def test_a_broken_bru_file_names_file_line_and_column_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "shop"
    shutil.copytree(BRU, source)
    (source / "orders" / "note.bru").write_text("meta {\n  name: Note\n}\n\npatch {\n  url x\n}\n")
    into = tmp_path / "out"
    code, _out, err = run(capsys, "import", "--format", "bruno", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}: 6:7: orders/note.bru: expected ':' after the key 'url'" in err
    assert "nothing was imported" in err
    assert not into.exists()


def test_a_file_or_a_folder_of_another_kind_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "import", "--format", "bruno", BRU / "health.bru", "--into", tmp_path / "x"
    )
    assert code == cli.EXIT_USAGE
    assert "a Bruno collection is a folder" in err
    code, _out, err = run(capsys, "import", "--format", "bruno", tmp_path, "--into", tmp_path / "y")
    assert code == cli.EXIT_USAGE
    assert "is not a Bruno collection: it has no bruno.json or opencollection.yml" in err


def test_bruno_import_never_imports_qt(tmp_path: Path, courier_home: Path) -> None:
    env = qt_free_env(courier_home)
    probe = QT_PROBE
    into = tmp_path / "shop"
    done = subprocess.run(
        [sys.executable, "-c", probe, "import", "--format", "bruno", str(BRU), "--into",
         str(into)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "QT-MODULES []" in done.stderr
    assert "no working keychain, so the imported secrets were not kept" in done.stderr
    assert "read Bruno collection: 11 request(s)" in done.stdout
    for secret in SECRETS:
        assert secret not in all_text(into)


def request_file(collection: Path, name: str) -> Path:
    loaded = storage.load_collection(collection)
    found = next(r for _chain, r in loaded.iter_requests() if r.name == name)
    assert found.path is not None
    return found.path


def test_imported_requests_send_as_in_bruno(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_server: str
) -> None:
    """Auth inherited from the folder, headers from the collection and folder, the
    environment's values and the body arrive at a real server."""
    source = tmp_path / "shop"
    shutil.copytree(BRU, source)
    (source / "environments" / "Local.bru").write_text(
        f"vars {{\n  baseUrl: {demo_server}/anything\n  user: alice\n}}\n"
        "vars:secret [\n  apiToken\n]\n"
    )
    into = tmp_path / "imported"
    code, _out, err = run(capsys, "import", "--format", "bruno", source, "--into", into)
    assert code == 0, err
    create = request_file(into, "Create user")
    code, out, err = run(capsys, "send", create, "--env", "Local", "--var", "usersKey=k-123")
    assert code == 0, err
    echo = json.loads(out)
    assert echo["method"] == "POST"
    assert echo["url"] == f"{demo_server}/anything/users"
    assert echo["json"] == {"name": "Ada", "tags": ["admin", "ops"], "address": {"city": "London"}}
    headers = echo["headers"]
    assert headers["x-api-key"] == "k-123"  # the Users folder's API key, inherited
    assert headers["x-area"] == "users"
    assert headers["x-client"] == "courier-tests"
    assert "x-debug" not in headers  # switched off in Bruno
    login = request_file(into, "Log in")
    code, out, err = run(capsys, "send", login, "--env", "Local")
    assert code == 0, err
    echo = json.loads(out)
    assert echo["form"] == {"grant_type": "password"}
    expected = base64.b64encode(b"alice:hunter2").decode()
    assert echo["headers"]["authorization"] == f"Basic {expected}"
