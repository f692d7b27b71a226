"""``courier import`` and ``courier export`` as a user runs them: reports, exit codes,
files written (or not), secrets kept out of files and out of generated code."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.core.model import Request

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = """\
# from the Stripe docs
curl https://api.stripe.com/v1/charges \\
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\
  -d amount=2000 -d currency=usd
curl -sSL --connect-timeout 5 -o out.json 'https://api.github.com/repos/o/r/issues?state=open'
"""


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_from_stdin_into_a_new_collection_reports_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(COMMANDS))
    into = tmp_path / "imported"
    code, out, _err = run(capsys, "import", "--format", "curl", "-", "--into", into)
    assert code == 0
    assert "imported  POST /v1/charges  ->  post-v1-charges.request.yaml" in out
    assert "imported  GET /repos/o/r/issues  ->  get-repos-o-r-issues.request.yaml" in out
    assert "not honoured: --connect-timeout 5" in out
    assert "ignored (curl's output only): -s, -S, -o out.json" in out
    assert "2 request(s) imported" in out
    collection = storage.load_collection(into)
    names = sorted(r.name for _chain, r in collection.iter_requests())
    assert names == ["GET /repos/o/r/issues", "POST /v1/charges"]
    charge = (into / "post-v1-charges.request.yaml").read_text()
    assert "sk_test_4eC39HqLyjWDarjtT1zdp7dc" in charge  # the user name (the password is empty)
    assert "name: amount\n    value: '2000'" in charge


def test_import_adds_to_an_existing_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "api"
    collection = storage.create_collection(into, "API")
    storage.add_request(collection, None, Request(name="POST /v1/charges", url="https://x"))
    source = tmp_path / "commands.sh"
    source.write_text(COMMANDS)
    code, out, _err = run(capsys, "import", "--format", "curl", source, "--into", into)
    assert code == 0
    assert "post-v1-charges-2.request.yaml" in out  # the existing file is left alone
    reloaded = storage.load_collection(into)
    assert reloaded.id == collection.id
    assert len(list(reloaded.iter_requests())) == 3


def test_a_password_never_lands_in_the_request_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "c.sh"
    source.write_text("curl -u ada:hunter2-password https://e.com/private\n")
    into = tmp_path / "api"
    assert run(capsys, "import", "--format", "curl", source, "--into", into)[0] == 0
    text = next(into.glob("*.request.yaml")).read_text()
    assert "hunter2-password" not in text
    assert "secret_fields" in text


def test_a_malformed_command_imports_nothing_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.sh"
    source.write_text("curl https://e.com/ok\ncurl https://e.com \\\n  -H 'unclosed\n")
    into = tmp_path / "api"
    code, out, err = run(capsys, "import", "--format", "curl", source, "--into", into)
    assert code == cli.EXIT_USAGE
    assert f"{source}:3:6: this '...' string is never closed; nothing was imported." in err
    assert out == ""
    assert not into.exists()


def test_an_unreadable_source_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "import", "--format", "curl", tmp_path / "nope.sh", "--into", tmp_path / "x"
    )
    assert code == cli.EXIT_USAGE
    assert "nope.sh: cannot read it" in err


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    source = tmp_path / "c.sh"
    source.write_text(
        "curl -X PUT https://e.com/items/1 -H 'Content-Type: application/json' "
        """-d '{"a": "it'"'"'s"}'\n"""
        'curl -H "Authorization: Bearer $TOKEN" https://e.com/me\n'
    )
    into = tmp_path / "api"
    assert run(capsys, "import", "--format", "curl", source, "--into", into)[0] == 0
    return into


def test_export_curl_of_a_request_file(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(
        capsys, "export", "--format", "curl", imported / "put-items-1.request.yaml"
    )
    assert code == 0
    assert out == (
        "# PUT /items/1\n"
        "curl https://e.com/items/1 \\\n"
        "  -X PUT \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        """  --data-raw '{"a": "it'"'"'s"}'\n"""
    )


def test_export_httpx_of_a_collection_reads_the_token_from_the_environment(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(
        capsys, "export", "--format", "httpx", imported, "--var", "TOKEN=tok-from-var"
    )
    assert code == 0
    assert out.startswith("# reads secrets from the environment: TOKEN\nimport os\n")
    assert '"Authorization": "Bearer " + os.environ["TOKEN"]' in out
    assert "tok-from-var" not in out
    assert "response = httpx.put(" in out


def test_export_of_something_that_is_not_a_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "export", "--format", "curl", tmp_path)
    assert code == cli.EXIT_USAGE
    assert "neither a request file nor a collection" in err


def test_import_and_export_never_import_qt(imported: Path, courier_home: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["COURIER_HOME"] = str(courier_home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["PYTHONPATH"] = str(ROOT)
    probe = (
        "import sys\n"
        "from app.__main__ import main\n"
        "code = main(sys.argv[1:])\n"
        "qt = ('PySide6', 'qasync', 'shiboken6')\n"
        "print('QT-MODULES', sorted(m for m in sys.modules if m.split('.')[0] in qt),"
        " file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    for args in (
        ["export", "--format", "httpx-async", str(imported)],
        ["import", "--format", "curl", "-", "--into", str(imported)],
    ):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            input="curl https://e.com/from-stdin\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "QT-MODULES []" in done.stderr


def test_import_into_a_relative_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("curl -d a=1 https://e.com/x\n"))
    code, out, _err = run(capsys, "import", "--format", "curl", "-", "--into", "rel")
    assert code == 0
    assert "imported  POST /x  ->  post-x.request.yaml" in out
    assert (tmp_path / "rel" / "post-x.request.yaml").is_file()
