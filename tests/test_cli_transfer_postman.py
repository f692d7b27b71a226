"""``courier import --format postman|postman-env`` and ``courier export --format postman``
as a user runs them: the report, the files (secrets in the keychain, never in them),
a malformed file named by JSON path with nothing imported, and the export's JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.session import Session
from tests.cli_transfer_helpers import QT_PROBE, all_text, qt_free_env, run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "core" / "importers" / "fixtures" / "postman"
SHOP = FIXTURES / "shop.postman_collection.json"
ENV = FIXTURES / "shop.postman_environment.json"


def test_import_a_collection_into_a_new_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "shop"
    code, out, err = run(capsys, "import", "--format", "postman", SHOP, "--into", into)
    assert code == 0, err
    assert f"imported  Shop API  ->  {into}" in out
    assert "read Postman collection v2.1: 15 request(s), 4 folder(s)" in out
    assert "not imported: item[3].item[2].request.auth: oauth1 auth" in out
    assert "15 request(s) imported into" in out
    assert "s3cret-admin" not in all_text(into)
    collection = Session().load_collection(into, settle_identity=False)  # secrets from keychain
    admin = collection.folders[0].folders[0]
    assert (admin.name, admin.auth.password) == ("Admin", "s3cret-admin")
    assert sum(1 for _ in collection.iter_requests()) == 15


def test_import_an_environment_from_stdin_into_an_existing_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    monkeypatch.setattr(sys, "stdin", io.StringIO(ENV.read_text()))
    code, out, err = run(capsys, "import", "--format", "postman-env", "-", "--into", into)
    assert code == 0, err
    assert "environment  Shop dev" in out
    text = (into / "environments" / "shop-dev.yaml").read_text()
    assert "dev-token-7f3a" not in text
    collection = Session().load_collection(into, settle_identity=False)
    (environment,) = collection.environments
    token = next(v for v in environment.variables if v.name == "token")
    assert (token.secret, token.value) == (True, "dev-token-7f3a")


def test_import_a_collection_into_an_existing_one_adds_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    code, out, _err = run(capsys, "import", "--format", "postman", SHOP, "--into", into)
    assert code == 0
    assert "imported  Shop API  ->  shop-api/" in out
    assert [f.name for f in storage.load_collection(into).folders] == ["Shop API"]


def test_malformed_file_names_the_json_path_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(SHOP.read_text())
    data["item"][3]["item"][0]["request"]["url"] = ["not", "a", "url"]
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data))
    into = tmp_path / "shop"
    code, _out, err = run(capsys, "import", "--format", "postman", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}: item[3].item[0].request.url: expected an object, found a list" in err
    assert "nothing was imported" in err
    assert not into.exists()


def test_invalid_json_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.json"
    source.write_text('{\n  "info": {,\n}')
    code, _out, err = run(capsys, "import", "--format", "postman", source, "--into", tmp_path / "x")
    assert code == cli.EXIT_USAGE
    assert f"{source}: 2:12: not valid JSON" in err
    assert not (tmp_path / "x").exists()


def test_export_prints_postman_v21_without_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "shop"
    assert run(capsys, "import", "--format", "postman", SHOP, "--into", into)[0] == 0
    code, out, err = run(capsys, "export", "--format", "postman", into)
    assert code == 0, err
    document = json.loads(out)
    assert document["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert [item["name"] for item in document["item"]] == [
        "Products",
        "Orders",
        "Payments",
        "Health",
        "GraphQL products",
        "Get customer",
    ]
    assert "s3cret-admin" not in out
    # a request file exports its whole collection too
    request_file = into / "health.request.yaml"
    code, out_of_file, _err = run(capsys, "export", "--format", "postman", request_file)
    assert (code, json.loads(out_of_file)["info"]["name"]) == (0, "Shop API")


def test_postman_import_and_export_never_import_qt(tmp_path: Path, courier_home: Path) -> None:
    env = qt_free_env(courier_home)
    probe = QT_PROBE
    into = tmp_path / "shop"
    for args in (
        ["import", "--format", "postman", "-", "--into", str(into)],
        ["export", "--format", "postman", str(into)],
    ):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            input=SHOP.read_text(),
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "QT-MODULES []" in done.stderr
        if args[0] == "import":
            assert "no working keychain, so the imported secrets were not kept" in done.stderr


def test_without_a_keychain_an_environment_import_says_its_secrets_were_not_kept(
    tmp_path: Path, courier_home: Path
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(
        COURIER_HOME=str(courier_home),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "app", "import", "--format", "postman-env", str(ENV), "--into",
         str(into)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no working keychain, so the imported secrets were not kept" in done.stderr
    assert "dev-token-7f3a" not in (into / "environments" / "shop-dev.yaml").read_text()


def test_the_command_line_offers_every_collection_format() -> None:
    """``IMPORT_FORMATS`` is spelled out so that parsing arguments loads no importer."""
    from app.cli_transfer import IMPORT_FORMATS
    from app.core.importers import COLLECTION_FORMATS

    assert IMPORT_FORMATS[0] == "curl"
    assert list(IMPORT_FORMATS[1:]) == [chosen.name for chosen in COLLECTION_FORMATS]
