"""The same command, sent by the real curl and by Courier, reaches the server as the
same request; so does the httpx code Courier exports for it.

For every command of the corpus: the real ``curl`` binary runs it (through
bash; a Windows cmd command is run with the words cmd.exe would hand curl.exe),
``courier import`` reads it into a collection and ``courier send`` sends each
request, and a raw-socket server on 127.0.0.1 records both.  Method, target
(path and query), headers and body must match byte for byte, allowing only
``recorder.CLIENT_DEFAULTS`` and what an entry documents in ``differs``.  Then
the code of each httpx style, exported for the imported request, is run with
the venv's Python, and Courier's own "Copy as curl" of it run by the real curl,
must send what Courier sent.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli, cli_transfer
from app.core.exporters import STYLES
from app.core.importers import parse_curl
from app.core.importers.curl_args import program_words
from app.core.importers.shell_words import split_cmd
from tests.fidelity.corpus import CORPUS, FILES, Entry
from tests.fidelity.recorder import Recorded, RecordingServer, compare

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="the curl binary is not installed")
_URL = re.compile(r"https?://[^/\s'\"^\\]+")


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as running:
        yield running


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the commands run: the corpus's files, and no proxy from the environment."""
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    for variable in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pointed(command: str, base: str) -> str:
    """The command aimed at the local server instead of the real host."""
    return _URL.sub(base, command).replace("localhost:9200", base.split("://", 1)[1])


def run_curl(entry: Entry, command: str, directory: Path) -> None:
    env = {**os.environ, **entry.env}
    assert CURL is not None
    if entry.flavour == "cmd":
        (only,) = split_cmd(command)
        argv = [CURL, *(w.text for w in program_words(only.words))]
        subprocess.run(argv, cwd=directory, env=env, capture_output=True, timeout=30, check=False)
    else:
        script = re.sub(r"^\$ ", "", command.strip(), flags=re.MULTILINE)
        subprocess.run(
            ["bash", "-c", script],
            cwd=directory,
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        )


def import_and_send(
    entry: Entry, command: str, directory: Path, capsys: pytest.CaptureFixture[str]
) -> list[Path]:
    """``courier import`` the command, ``courier send`` what it made; the request files."""
    source = directory / "command.txt"
    source.write_text(command, encoding="utf-8")
    into = directory / "imported"
    assert cli.main(["import", "--format", "curl", str(source), "--into", str(into)]) == 0
    report = capsys.readouterr().out
    files = [into / line.split("->")[1].strip() for line in report.splitlines() if "->" in line]
    assert files, report
    variables = [f"--var={name}={value}" for name, value in entry.env.items()]
    for file in files:
        assert cli.main(["send", str(file), *variables]) == cli.EXIT_OK, capsys.readouterr().err
    capsys.readouterr()
    return files


def headers_set(command: str, directory: Path) -> set[str]:
    """Lower-case names of the headers the command itself sets."""
    imported = parse_curl(command, base_dir=directory)
    names = {name.lower() for request in imported.requests for name, _ in request.headers}
    if any(request.user is not None or request.bearer for request in imported.requests):
        names.add("authorization")
    return names


def assert_same(
    expected: list[Recorded], actual: list[Recorded], set_by_command: set[str], entry: Entry
) -> None:
    assert len(actual) == len(expected), f"{len(expected)} requests expected, got {len(actual)}"
    for want, got in zip(expected, actual, strict=True):
        problems = compare(
            want, got, set_by_command=set_by_command, also_allowed=set(entry.differs)
        )
        assert not problems, "\n".join(problems)


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 60
    assert len({entry.id for entry in CORPUS}) == len(CORPUS)
    assert {entry.flavour for entry in CORPUS} == {"bash", "cmd"}


@pytest.mark.parametrize("entry", CORPUS, ids=[entry.id for entry in CORPUS])
def test_curl_courier_and_httpx_send_the_same_request(
    entry: Entry,
    server: RecordingServer,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = pointed(entry.command, server.url)
    server.take()
    run_curl(entry, command, workdir)
    by_curl = server.take()
    assert by_curl, "curl sent nothing"

    files = import_and_send(entry, command, workdir, capsys)
    by_courier = server.take()
    set_by_command = headers_set(command, workdir)
    assert_same(by_curl, by_courier, set_by_command, entry)

    variables = [f"{name}={value}" for name, value in entry.env.items()]
    for file, sent in zip(files, by_courier, strict=True):
        exported, _ = asyncio.run(cli_transfer.export_text(file, "curl", variables, None))
        subprocess.run(
            ["bash", "-c", exported], cwd=workdir, capture_output=True, timeout=30, check=False
        )
        (again,) = server.take()
        problems = compare(sent, again, set_by_command=set_by_command, also_allowed=set())
        assert not problems, f"copy as curl:\n{exported}\n" + "\n".join(problems)
    for style in STYLES:
        for file, sent in zip(files, by_courier, strict=True):
            code, environment = asyncio.run(cli_transfer.export_text(file, style, variables, None))
            script = workdir / f"export_{style.replace('-', '_')}.py"
            script.write_text(code, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, str(script)],
                cwd=workdir,
                env={**os.environ, **environment},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, f"{style}:\n{code}\n{done.stderr}"
            by_httpx = server.take()
            problems = compare(sent, by_httpx[0], set_by_command=set_by_command, also_allowed=set())
            assert len(by_httpx) == 1, f"{style}: {len(by_httpx)} requests"
            assert not problems, f"{style}:\n{code}\n" + "\n".join(problems)
