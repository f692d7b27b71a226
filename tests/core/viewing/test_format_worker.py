"""The format worker process end to end: real temp files, a growing input,
cancel, broken JSON, filters, and no orphan when the parent dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator

import pytest

from app.services.format_jobs import IN_PROCESS_LIMIT, FormatJob, format_now

BODY = json.dumps(
    {"items": [{"id": i, "name": f"n{i}", "price": "1.50"} for i in range(20000)]},
    separators=(",", ":"),
).encode()


@pytest.fixture
def body_fd() -> Iterator[Callable[[bytes], int]]:
    fds: list[int] = []

    def make(data: bytes) -> int:
        fd, path = tempfile.mkstemp()
        os.unlink(path)
        os.write(fd, data)
        fds.append(fd)
        return fd

    yield make
    for fd in fds:
        os.close(fd)


def wait_done(job: FormatJob, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not job.done:
        job.poll()
        assert time.monotonic() < deadline, "the worker did not finish"
        time.sleep(0.01)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not reaped) is not running
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_json_of_a_complete_file(body_fd: Callable[[bytes], int]) -> None:
    job = FormatJob.start("json", body_fd(BODY), readable=len(BODY), complete=True)
    try:
        wait_done(job)
        expected = json.dumps(json.loads(BODY), indent=2, ensure_ascii=False).encode()
        assert (job.error, job.output.complete()) == (None, True)
        assert job.output.size() == len(expected)
        assert job.output.read(0, job.output.size()) == expected
    finally:
        job.close()


def test_a_json_job_writes_a_lowered_copy_byte_for_byte(body_fd: Callable[[bytes], int]) -> None:
    """The Pretty text again with ASCII letters lowered (what a find ignoring case
    scans), as long as the text at every "out"; freed with the job."""
    data = {"Name": "ÉCLAIR Mixed CASE", "Items": list(range(3000))}
    body = json.dumps(data, ensure_ascii=False).encode()
    job = FormatJob.start("json", body_fd(body), readable=len(body), complete=True)
    lowered = job.output.lowered
    assert lowered is not None
    try:
        wait_done(job)
        text = job.output.read(0, job.output.size())
        assert lowered.complete()
        assert lowered.size() == len(text) > len(body)
        assert lowered.read(0, lowered.size()) == text.lower()
        assert "Éclair mixed case".encode() in text.lower(), "only ASCII letters are lowered"
    finally:
        job.close()
    assert lowered.read(0, 10) == b"", "closed with the job"


def test_a_growing_input_is_formatted_as_it_arrives(body_fd: Callable[[bytes], int]) -> None:
    fd = body_fd(b"")
    job = FormatJob.start("json", fd, readable=0, complete=False)
    try:
        third = len(BODY) // 3
        os.write(fd, BODY[:third])
        job.update(third, False)
        deadline = time.monotonic() + 30
        while job.output.size() == 0:  # output appears before the input is complete
            job.poll()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not job.done
        assert job.output.read(0, 20) == b'{\n  "items": [\n    {'
        os.write(fd, BODY[third:])
        job.update(len(BODY), True)
        wait_done(job)
        expected = json.dumps(json.loads(BODY), indent=2).encode()
        assert job.output.read(0, job.output.size()) == expected
    finally:
        job.close()


def test_broken_json_reports_the_error_and_passes_the_rest(body_fd: Callable[[bytes], int]) -> None:
    body = b'{"a": [1, 2 3], "b": 4}'
    job = FormatJob.start("json", body_fd(body), readable=len(body), complete=True)
    try:
        wait_done(job)
        assert job.error == "unexpected number at byte 12: expected ',' or ']'"
        assert job.output.read(0, 1000) == b'{\n  "a": [\n    1,\n    23], "b": 4}'
    finally:
        job.close()


def test_cancel_kills_the_child_and_closes_the_output(body_fd: Callable[[bytes], int]) -> None:
    job = FormatJob.start("json", body_fd(b"[1,"), readable=3, complete=False)
    job.poll()
    pid = job.pid
    assert alive(pid)
    job.cancel()
    assert not alive(pid)
    assert job.cancelled
    assert job.output.read(0, 10) == b""
    assert job.poll() is False


def test_xml_and_filter_jobs(body_fd: Callable[[bytes], int]) -> None:
    xml = b"<r><a>1</a><b/></r>"
    job = FormatJob.start("xml", body_fd(xml), readable=len(xml), complete=True)
    wait_done(job)
    assert (job.output.read(0, 100), job.error) == (b"<r>\n  <a>1</a>\n  <b/>\n</r>", None)
    job.close()
    fd = body_fd(BODY)
    job = FormatJob.start(
        "filter", fd, readable=len(BODY), complete=True, expression="$.items[-2:].id"
    )
    wait_done(job)
    assert (job.output.read(0, 100), job.count, job.error) == (b"[\n  19998,\n  19999\n]", 2, None)
    job.close()
    job = FormatJob.start("filter", fd, readable=len(BODY), complete=True, expression=".items[")
    wait_done(job)
    assert job.count is None
    assert job.error is not None
    assert "syntax error" in job.error
    job.close()


def test_malformed_xml_comes_back_unchanged(body_fd: Callable[[bytes], int]) -> None:
    xml = b"<r><a></r>"
    job = FormatJob.start("xml", body_fd(xml), readable=len(xml), complete=True)
    wait_done(job)
    assert (job.output.read(0, 100), job.error) == (xml, "mismatched tag at line 1, column 9")
    job.close()


def test_the_child_exits_when_the_parent_dies(tmp_path: os.PathLike[str]) -> None:
    """A parent killed with SIGKILL leaves its worker to see EOF on stdin and exit."""
    script = textwrap.dedent(
        """
        import os, sys, tempfile, time
        from app.services.format_jobs import FormatJob
        fd, path = tempfile.mkstemp(); os.unlink(path); os.write(fd, b"[1, 2,")
        job = FormatJob.start("json", fd, readable=6, complete=False)  # waits for more input
        print(job.pid, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while alive(child):
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.02)


def test_format_now_for_small_bodies() -> None:
    assert IN_PROCESS_LIMIT == 1 << 20
    result = format_now("json", b'{"a":1.50}')
    assert (result.text, result.error, result.count) == (b'{\n  "a": 1.50\n}', None, None)
    result = format_now("filter", b'{"a":[1,2]}', ".a[]")
    assert (result.text, result.count) == (b"[\n  1,\n  2\n]", 2)
    result = format_now("xml", b"<a><b/></a>")
    assert result.text == b"<a>\n  <b/>\n</a>"


def test_a_frozen_build_runs_the_worker_as_the_program_itself(
    body_fd: Callable[[bytes], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyInstaller has no ``python -m``: ``courier --format-worker`` is the worker."""
    import sys

    from app.services import format_jobs

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", sys.executable)
    command = format_jobs.worker_command()
    assert command == [sys.executable, "--format-worker"]
    # what the frozen program runs for that flag: app.__main__.main
    monkeypatch.setattr(
        format_jobs, "worker_command", lambda: [sys.executable, "-m", "app", "--format-worker"]
    )
    data = b'{"a":[1,2]}'
    job = FormatJob.start("json", body_fd(data), readable=len(data), complete=True)
    try:
        wait_done(job)
        assert job.output.read(0, 100) == b'{\n  "a": [\n    1,\n    2\n  ]\n}'
    finally:
        job.close()
