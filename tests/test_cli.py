"""``courier send`` against the demo server: output, exit codes, and no Qt at all."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.core import storage
from app.core.model import Body, BodyKind, KeyValue, Request, Variable

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def collection_dir(tmp_path: Path, demo_server: str) -> Path:
    """A collection on disk aimed at the demo server through an environment."""
    directory = tmp_path / "api"
    collection = storage.create_collection(directory, "API")
    collection.base_url = "{{base}}"
    collection.headers = [KeyValue("X-Team", "{{team}}")]
    collection.variables = [Variable("base", "http://127.0.0.1:9"), Variable("team", "courier")]
    storage.save_collection_settings(collection)
    local = storage.add_environment(collection, "local")
    local.variables = [Variable("base", demo_server)]
    storage.save_environment(collection, local)
    folder = storage.add_folder(collection, None, "things")
    storage.add_request(collection, folder, Request(name="Post one", url="/posts/1"))
    storage.add_request(collection, None, Request(name="Missing", url="/status/404"))
    storage.add_request(collection, None, Request(name="Slow", url="/delay/5"))
    storage.add_request(collection, None, Request(name="Blob", url="/bytes/300000"))
    storage.add_request(
        collection,
        None,
        Request(
            name="Echo",
            method="POST",
            url="/anything",
            headers=[KeyValue("X-Trace", "{{trace}}")],
            body=Body(kind=BodyKind.JSON, text='{"n": 1}'),
        ),
    )
    return directory


def request_file(directory: Path, name: str) -> Path:
    return next(directory.rglob(f"{name}.request.yaml"))


def run(capsysbinary: pytest.CaptureFixture[bytes], *args: str | Path) -> tuple[int, bytes, str]:
    code = cli.main([str(a) for a in args])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode()


def test_prints_the_body_and_exits_0(
    collection_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _err = run(
        capsysbinary, "send", request_file(collection_dir, "post-one"), "--env", "local"
    )
    assert code == cli.EXIT_OK
    assert out.startswith(b'{"userId":1,"id":1')
    # without --env: the environment the window would use (here the first, "local")
    assert run(capsysbinary, "send", request_file(collection_dir, "post-one"))[1] == out


def test_include_shows_status_and_headers_first(
    collection_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _err = run(
        capsysbinary, "send", request_file(collection_dir, "post-one"), "--env", "local", "-i"
    )
    assert code == 0
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-type: application/json" in head.lower()
    assert body.startswith(b'{"userId":1')


def test_vars_win_and_the_collection_header_is_sent(
    collection_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    import json

    code, out, err = run(
        capsysbinary,
        "send",
        request_file(collection_dir, "echo"),
        "--env",
        "local",
        "--var",
        "trace=abc",
        "--var",
        "team=override",
    )
    assert code == 0, err
    echoed = json.loads(out)
    assert echoed["method"] == "POST"
    assert echoed["json"] == {"n": 1}
    assert echoed["headers"]["x-trace"] == "abc"
    assert echoed["headers"]["x-team"] == "override"


def test_unresolved_variables_are_reported(
    collection_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _out, err = run(
        capsysbinary, "send", request_file(collection_dir, "echo"), "--env", "local"
    )
    assert code == 0
    assert "{{trace}} not defined" in err


def test_output_file_and_fail(
    collection_dir: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    target = tmp_path / "post.json"
    code, out, _ = run(
        capsysbinary,
        "send",
        request_file(collection_dir, "post-one"),
        "--env",
        "local",
        "-o",
        target,
    )
    assert code == 0
    assert out == b""
    assert target.read_bytes().startswith(b'{"userId":1')
    missing = request_file(collection_dir, "missing")
    assert run(capsysbinary, "send", missing, "--env", "local")[0] == cli.EXIT_OK
    code, _, err = run(capsysbinary, "send", missing, "--env", "local", "--fail")
    assert code == cli.EXIT_HTTP_ERROR
    assert "404" in err


def test_transport_errors_print_courier_message_and_exit_1(
    collection_dir: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    target = tmp_path / "never.json"
    code, out, err = run(
        capsysbinary,
        "send",
        request_file(collection_dir, "post-one"),
        "-o",
        target,
        "--var",
        "base=http://127.0.0.1:9",
    )
    assert code == cli.EXIT_FAILED
    assert out == b""
    assert "Connection refused: Nothing is listening on 127.0.0.1:9" in err
    assert not target.exists(), "a failed send leaves no output file"
    assert list(tmp_path.glob(".never*")) == []
    code, _, err = run(
        capsysbinary,
        "send",
        request_file(collection_dir, "slow"),
        "--env",
        "local",
        "--timeout",
        "0.5",
    )
    assert code == cli.EXIT_FAILED
    assert "0.5 s deadline" in err


def test_usage_problems_exit_2(
    collection_dir: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    post = request_file(collection_dir, "post-one")
    code, _, err = run(capsysbinary, "send", post, "--env", "nope")
    assert code == cli.EXIT_USAGE
    assert "no environment “nope”" in err
    loose = tmp_path / "loose.request.yaml"
    loose.write_text("name: x\nurl: /x\n")
    code, _, err = run(capsysbinary, "send", loose)
    assert code == cli.EXIT_USAGE
    assert "not inside a Courier collection" in err
    broken = collection_dir / "broken.request.yaml"
    broken.write_text("name: [unclosed\n")
    code, _, err = run(capsysbinary, "send", broken)
    assert code == cli.EXIT_USAGE
    assert "could not be read" in err
    code, _, err = run(capsysbinary, "send", post, "--var", "novalue")
    assert code == cli.EXIT_USAGE
    assert "NAME=VALUE" in err


def test_the_sample_collection_works_offline_with_the_built_in_demo(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    import shutil

    sample = tmp_path / "sample"
    shutil.copytree(ROOT / "resources" / "sample-collection", sample)
    code, out, err = run(capsysbinary, "send", sample / "posts" / "get-post-1.request.yaml")
    assert code == 0, err
    assert b'"id":1' in out


def test_the_command_line_never_imports_qt_and_needs_no_display(
    collection_dir: Path, courier_home: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["COURIER_HOME"] = str(courier_home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the user's keychain
    probe = (
        "import sys\n"
        "from app.__main__ import main\n"
        "code = main(sys.argv[1:])\n"
        "qt = ('PySide6', 'qasync', 'shiboken6')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print('QT-MODULES', loaded, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "send",
            str(request_file(collection_dir, "post-one")),
            "--env",
            "local",
        ],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b'{"userId":1')
    assert "QT-MODULES []" in done.stderr.decode()

    target = collection_dir.parent / "blob.bin"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "download",
            str(request_file(collection_dir, "blob")),
            "--env",
            "local",
            "-o",
            str(target),
        ],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert done.stdout.decode() == f"{digest}  {target}\n"
    assert target.stat().st_size == 300_000
    assert "QT-MODULES []" in done.stderr.decode()


# ------------------------------------------------------------------ courier download


def test_download_a_url_prints_the_sha256_and_resumes_an_earlier_part(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from tests.helpers.file_server import FileServer

    data = os.urandom(2 * 1024 * 1024)
    target = tmp_path / "data.bin"
    with FileServer(data) as server:
        server.drops = [600_000]
        code, out, err = run(
            capsysbinary, "download", server.url + "/data.bin", "-o", target, "--retries", "0"
        )
        assert code == cli.EXIT_FAILED
        assert "Server closed the connection" in err
        assert "kept in" in err
        assert "run the same command again to resume" in err
        assert target.with_name("data.bin.part").stat().st_size == 600_000
        code, out, err = run(capsysbinary, "download", server.url + "/data.bin", "-o", target)
        assert code == cli.EXIT_OK, err
        assert server.requests[-1]["range"] == "bytes=600000-"
    digest = hashlib.sha256(data).hexdigest()
    assert out.decode() == f"{digest}  {target}\n"
    assert target.read_bytes() == data
    assert not target.with_name("data.bin.part").exists()


def test_download_into_a_folder_named_by_the_server_never_overwriting(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from tests.helpers.file_server import FileServer

    (tmp_path / "report.csv").write_text("mine")
    header = "attachment; filename*=UTF-8''report.csv"
    with FileServer(b"a,b\n1,2\n", content_disposition=header) as server:
        code, out, err = run(
            capsysbinary,
            "download",
            server.url + "/x?id=1",
            "-o",
            tmp_path,
            "--sha256",
            hashlib.sha256(b"a,b\n1,2\n").hexdigest(),
        )
    assert code == cli.EXIT_OK, err
    assert out.decode().endswith(f"  {tmp_path / 'report (1).csv'}\n")
    assert (tmp_path / "report.csv").read_text() == "mine"
    assert "exists; saved as report (1).csv" in err


def test_download_exit_codes(
    collection_dir: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = run(
        capsysbinary,
        "download",
        request_file(collection_dir, "missing"),
        "--env",
        "local",
        "-o",
        tmp_path / "m",
    )
    assert code == cli.EXIT_HTTP_ERROR
    assert "404" in err
    assert not (tmp_path / "m").exists()
    assert not (tmp_path / "m.part").exists()
    code, _, err = run(
        capsysbinary, "download", "http://127.0.0.1:9/x", "-o", tmp_path / "x", "--retries", "0"
    )
    assert code == cli.EXIT_FAILED
    assert "Connection refused" in err
    code, _, err = run(
        capsysbinary,
        "download",
        request_file(collection_dir, "blob"),
        "--env",
        "local",
        "-o",
        tmp_path / "b",
        "--sha256",
        "0" * 64,
    )
    assert code == cli.EXIT_FAILED
    assert "SHA-256" in err
    code, _, err = run(capsysbinary, "download", "http://x/", "--sha256", "nothex")
    assert code == cli.EXIT_USAGE
    code, _, err = run(capsysbinary, "download", "http://x/", "-o", tmp_path / "no" / "such")
    assert code == cli.EXIT_USAGE
    assert "is not a directory" in err
