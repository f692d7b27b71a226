"""``courier import --format posting DIR --into DIR2`` as a user runs it: the report, the
files (secrets in the keychain, never in them), the .env files as variables and
environments, and a broken request file named by file, line and column with nothing
imported."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.session import Session
from tests.cli_transfer_helpers import QT_PROBE, all_text, qt_free_env, run

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "tests" / "core" / "importers" / "fixtures" / "posting" / "shop"


def test_import_a_posting_folder_into_a_new_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "courier-shop"
    code, out, err = run(capsys, "import", "--format", "posting", SHOP, "--into", into)
    assert code == 0, err
    assert f"imported  shop  ->  {into}" in out
    assert "read Posting collection: 9 request(s), 4 folder(s), 2 environment(s)" in out
    assert "note: auth/login.posting.yaml: 2 script(s) kept as text in the notes, not run" in out
    assert "environment  dev" in out
    assert "9 request(s) imported into" in out
    text = all_text(into)
    for secret in ("s3cret-admin", "dev-token-7f3a", "prod-token-91c2", "literal-token-1234"):
        assert secret not in text
    assert "{{API_TOKEN}}" in text, "a reference is written as it is"
    collection = Session().load_collection(into, settle_identity=False)  # secrets from keychain
    assert sum(1 for _ in collection.iter_requests()) == 9
    admin = next(f for f in collection.folders if f.name == "users").folders[0]
    delete = next(r for r in admin.requests if r.name == "Delete user")
    assert delete.auth.password == "s3cret-admin"
    dev = next(e for e in collection.environments if e.name == "dev")
    token = next(v for v in dev.variables if v.name == "API_TOKEN")
    assert (token.secret, token.value) == (True, "dev-token-7f3a")
    assert {v.name for v in collection.variables} == {"BASE_URL", "USER_AGENT"}
    assert collection.settings.timeout_s == 5.0


def test_import_into_an_existing_collection_adds_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    code, out, err = run(capsys, "import", "--format", "posting", SHOP, "--into", into)
    assert code == 0, err
    assert "imported  shop  ->  shop/" in out
    assert [f.name for f in storage.load_collection(into).folders] == ["shop"]


def test_a_broken_request_file_names_file_line_and_column_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "shop"
    shutil.copytree(SHOP, source)
    (source / "auth" / "login.posting.yaml").write_text("name: Log in\nbody:\n  content: 'open\n")
    into = tmp_path / "out"
    code, _out, err = run(capsys, "import", "--format", "posting", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}: 4:1: auth/login.posting.yaml: not valid YAML" in err
    assert "nothing was imported" in err
    assert not into.exists()


def test_one_posting_request_from_stdin_or_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single ``*.posting.yaml`` (piped, or named) is a collection of one request."""
    one = SHOP / "health.posting.yaml"
    monkeypatch.setattr(sys, "stdin", io.StringIO(one.read_text(encoding="utf-8")))
    piped = tmp_path / "piped"
    code, out, err = run(capsys, "import", "--format", "posting", "-", "--into", piped)
    assert code == 0, err
    assert "1 request(s) imported" in out
    named = tmp_path / "named"
    code, out, err = run(capsys, "import", "--format", "posting", one, "--into", named)
    assert code == 0, err
    for into in (piped, named):
        [(_chain, request)] = list(storage.load_collection(into).iter_requests())
        assert (request.name, request.method) == ("Health", "GET")
        assert request.url == "{{BASE_URL}}/health"


def test_posting_import_never_imports_qt(tmp_path: Path, courier_home: Path) -> None:
    env = qt_free_env(courier_home)
    probe = QT_PROBE
    into = tmp_path / "shop"
    done = subprocess.run(
        [sys.executable, "-c", probe, "import", "--format", "posting", str(SHOP), "--into",
         str(into)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "QT-MODULES []" in done.stderr
    assert "no working keychain, so the imported secrets were not kept" in done.stderr
    assert "s3cret-admin" not in all_text(into)


def test_courier_send_sends_a_posting_request_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_server: str
) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    (root / "dev.env").write_text(f"BASE_URL={demo_server}\nAPI_TOKEN=dev-token-7f3a\n")
    probe = root / "users" / "probe.posting.yaml"
    probe.write_text(
        "name: Probe\nurl: $BASE_URL/headers\nheaders:\n- name: User-Agent\n  value: $USER_AGENT\n"
        "auth:\n  type: bearer_token\n  bearer_token:\n    token: ${API_TOKEN}\n"
    )
    before = sorted((p, p.read_bytes()) for p in root.rglob("*") if p.is_file())
    code, out, err = run(capsys, "send", probe, "--env", "dev")
    assert code == 0, err
    headers = json.loads(out)["headers"]
    assert headers["authorization"] == "Bearer dev-token-7f3a"
    assert headers["user-agent"] == "courier-fixture/1.0"
    assert sorted((p, p.read_bytes()) for p in root.rglob("*") if p.is_file()) == before
