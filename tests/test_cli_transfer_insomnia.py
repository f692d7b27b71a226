"""``courier import --format insomnia`` as a user runs it: the report, the files (secrets
— basic password, bearer token, vault values — in the keychain, never in them), a
malformed file named by where it went wrong with nothing imported."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.session import Session
from tests.cli_transfer_helpers import QT_PROBE, all_text, qt_free_env, run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "core" / "importers" / "fixtures" / "insomnia"
V4_JSON = FIXTURES / "shop.insomnia_v4.json"
V5_YAML = FIXTURES / "shop.insomnia_v5.yaml"
SECRETS = ("s3cret-admin", "top-secret-bearer", "prod-partner-9c1d", "cs-very-secret", "digest-pw")


@pytest.mark.parametrize("source", [V4_JSON, V5_YAML], ids=lambda p: p.name)
def test_import_an_export_into_a_new_directory_with_secrets_in_the_keychain(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "shop"
    code, out, err = run(capsys, "import", "--format", "insomnia", source, "--into", into)
    assert code == 0, err
    assert f"imported  Shop API  ->  {into}" in out
    assert ": 19 request(s), 4 folder(s), 2 environment(s)" in out
    assert "OAuth 1.0 auth, which Courier does not have" in out
    assert "19 request(s) imported into" in out
    written = all_text(into)
    for secret in SECRETS:
        assert secret not in written, secret
    assert "{{orders_key}}" in written  # a reference is no secret: kept as written
    collection = Session().load_collection(into, settle_identity=False)  # secrets from keychain
    assert sum(1 for _ in collection.iter_requests()) == 19
    products = next(f for f in collection.folders if f.name == "Products")
    (admin,) = products.folders
    assert (admin.name, admin.auth.username, admin.auth.password) == (
        "Admin",
        "admin",
        "s3cret-admin",
    )
    customer = next(r for _c, r in collection.iter_requests() if r.name == "Get customer")
    assert customer.auth.token == "top-secret-bearer"
    production = next(e for e in collection.environments if e.name == "Production")
    token = next(v for v in production.variables if v.name == "partner_token")
    assert (token.secret, token.value) == (True, "prod-partner-9c1d")
    assert [e.name for e in sorted(collection.environments, key=lambda e: e.name)] == [
        "Local",
        "Production",
    ]


def test_import_from_stdin_into_an_existing_collection_adds_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    monkeypatch.setattr(sys, "stdin", io.StringIO(V5_YAML.read_text()))
    code, out, err = run(capsys, "import", "--format", "insomnia", "-", "--into", into)
    assert code == 0, err
    assert "imported  Shop API  ->  shop-api/" in out
    collection = storage.load_collection(into)
    assert [f.name for f in collection.folders] == ["Shop API"]
    assert sum(1 for _ in collection.iter_requests()) == 19


def test_a_malformed_export_names_the_json_path_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.json"
    source.write_text(V4_JSON.read_text().replace('"body": {},', '"body": [],', 1))
    into = tmp_path / "shop"
    code, _out, err = run(capsys, "import", "--format", "insomnia", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}: resources[0].body: expected an object, found a list" in err
    assert "nothing was imported" in err
    assert not into.exists()


def test_invalid_yaml_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("type: collection.insomnia.rest/5.0\ncollection:\n  - name: [x\n")
    code, _out, err = run(
        capsys, "import", "--format", "insomnia", source, "--into", tmp_path / "x"
    )
    assert code == cli.EXIT_USAGE
    assert f"{source}: 4:1: not valid YAML" in err
    assert not (tmp_path / "x").exists()


def test_a_file_that_is_not_insomnia_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "postman.json"
    source.write_text('{"info": {"name": "x"}, "item": []}')
    code, _out, err = run(
        capsys, "import", "--format", "insomnia", source, "--into", tmp_path / "x"
    )
    assert code == cli.EXIT_USAGE
    assert "not an Insomnia export: it looks like a Postman collection" in err


def test_insomnia_import_never_imports_qt(tmp_path: Path, courier_home: Path) -> None:
    env = qt_free_env(courier_home)
    probe = QT_PROBE
    into = tmp_path / "shop"
    done = subprocess.run(
        [sys.executable, "-c", probe, "import", "--format", "insomnia", "-", "--into", str(into)],
        input=V5_YAML.read_text(),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "QT-MODULES []" in done.stderr
    assert "no working keychain, so the imported secrets were not kept" in done.stderr
    assert "19 request(s) imported into" in done.stdout
    written = all_text(into)
    for secret in SECRETS:
        assert secret not in written, secret


SENT = """\
type: collection.insomnia.rest/5.0
schema_version: "5.1"
name: Sent
meta:
  id: wrk_sent
collection:
  - name: Orders
    meta:
      id: fld_orders
      sortKey: -2
    headers:
      - name: X-Shop
        value: "yes"
    environment:
      order_id: "7"
    authentication:
      type: apikey
      key: session
      value: ck-1
      addTo: cookie
    children:
      - url: "{{ _.base_url }}/anything/orders/{{ _.order_id }}?page=2"
        name: Search
        meta:
          id: req_search
        method: POST
        parameters:
          - name: per_page
            value: "50"
          - name: sort
            value: price
            disabled: true
        headers:
          - name: Content-Type
            value: application/x-www-form-urlencoded
        body:
          mimeType: application/x-www-form-urlencoded
          params:
            - name: status
              value: open
            - name: note
              value: "{{ _.note }}"
  - url: "{{ _.base_url }}/anything/partner"
    name: Partner
    meta:
      id: req_partner
      sortKey: -1
    method: GET
    authentication:
      type: bearer
      token: "{{ _.partner_token }}"
      prefix: Token
  - url: "{{base_url}}/anything/graphql"
    name: Products
    meta:
      id: req_graphql
    method: POST
    body:
      mimeType: application/graphql
      text: '{"query":"{ products { id } }","variables":{"first":2}}'
    headers:
      - name: Content-Type
        value: application/json
environments:
  name: Base Environment
  meta:
    id: env_base
  data:
    base_url: http://127.0.0.1:9
    note: fragile
  subEnvironments:
    - name: Local
      meta:
        id: env_local
      data:
        base_url: BASE
        __insomnia_vault:
          partner_token: p-123
"""


def test_imported_requests_send_what_insomnia_sends(
    tmp_path: Path, demo_server: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    import json

    source = tmp_path / "sent.yaml"
    source.write_text(SENT.replace("BASE", demo_server))
    into = tmp_path / "sent"
    assert cli.main(["import", "--format", "insomnia", str(source), "--into", str(into)]) == 0
    capsysbinary.readouterr()
    assert "p-123" not in all_text(into)

    def send(name: str) -> dict[str, object]:
        path = next(into.rglob(f"{name}.request.yaml"))
        code = cli.main(["send", str(path), "--env", "Local"])
        captured = capsysbinary.readouterr()
        assert code == 0, captured.err.decode()
        echoed: dict[str, object] = json.loads(captured.out)
        return echoed

    search = send("search")
    assert search["method"] == "POST"
    assert str(search["url"]).startswith(f"{demo_server}/anything/orders/7?")
    assert search["args"] == {"page": "2", "per_page": "50"}
    assert search["form"] == {"status": "open", "note": "fragile"}
    headers = search["headers"]
    assert isinstance(headers, dict)
    assert (headers["x-shop"], headers["cookie"]) == ("yes", "session=ck-1")
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    partner = send("partner")["headers"]
    assert isinstance(partner, dict)
    assert partner["authorization"] == "Token p-123"
    products = send("products")
    assert products["json"] == {"query": "{ products { id } }", "variables": {"first": 2}}
