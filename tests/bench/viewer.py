"""Viewer benchmark: big bodies from a real local server through the real window.

The demo server (``python -m app.demo``, its own process) serves JSON (one record
a line), JSON on one single line and plain text of 1, 10, 100 and 1,000 MiB
(``/big/json?mb=N``, ``/big/json?mb=N&one_line=1``, ``/big/text?mb=N``), each with
``needle-at-the-end`` once, near the end.  Each body is sent from the real main
window (offscreen, qasync loop, a 10 ms PreciseTimer on the GUI thread) in a fresh
process of its own, after start-up has settled with one warm-up Send, with a
throw-away ``COURIER_HOME`` and ``TMPDIR`` and the failing keyring backend (as
tests/bench/responsiveness.py).  Per body:

* ``first_screen_s``: Send to the first paint of the default view's text viewport
  after which it shows text (``TextView.visible_text()`` not empty);
* ``received_s``: Send to the exchange finished (every byte in the body store);
* ``complete_s``: Send to ``ResponseView.body_settled()`` (the body complete and
  the default view caught up: indexed, and for JSON pretty-printed, in a worker
  process for a body that spooled to disk);
* ``max_gap_ms``: the largest gap of the 10 ms timer from Send to ``complete_s``;
* ``rss_growth_mb``: the window process's peak RSS over that span (VmHWM, reset
  through /proc/self/clear_refs after the warm-up) minus its RSS after the
  warm-up; ``rss_end_growth_mb``: its RSS at the end minus the same baseline;
* ``search_last_s``: the body complete, the find bar of the default view opened
  and the needle typed (Enter: no debounce) to the first match found
  (``TextSearch.count >= 1``), default options (case-insensitive);
  ``search_case_s``: the same, case-sensitive; ``search_gap_ms``: the timer's
  largest gap over both searches;
* ``worker_rss_mb``: the peak RSS (VmHWM) of the window process's child processes
  running ``app.core.viewing.format_worker`` (the Pretty view of a big JSON body),
  sampled from /proc by this (parent) process every 20 ms; null when none ran.

Targets (issue 9): ``first_screen_s < 0.5``, ``max_gap_ms < 50``,
``rss_growth_mb < 0.25 * size_mb + 64``, and at 100 MB and more
``search_last_s < 1``; each row says which it met (``targets_met``; null: no
target at that size).  The last line is one JSON object ``{"sizes": [...]}``.
1,000 MB rows need about 3.5 GB free in the temp directory (the body spools to a
file; the pretty text of a big JSON body is another, about 1.5x): a row that
would not fit is skipped with a note.  Not part of the test suite.

``--diagnose`` runs each row over the gap target again with the stall sampler of
tests/bench/stall_diagnosis.py and prints where the GUI thread spent the stalls.

    PYTHONPATH=. .venv/bin/python tests/bench/viewer.py [--sizes 1,10,100,1000]
                                                        [--only json,text,json1] [--diagnose]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.responsiveness import (  # noqa: E402
    TICK_MS,
    ScenarioError,
    app_fingerprint,
    child_env,
    measure,
    prepare_bytecode,
    seed_home,
    start_server,
)
from tests.bench.stall_diagnosis import (  # noqa: E402
    TARGET_MS,
    StallSampler,
    analyse,
    print_diagnosis,
    timed_application,
)

KINDS = ("json", "text", "json1")
SIZES = (1, 10, 100, 1000)
MIB = 1 << 20
GB = 1 << 30
MARKER = "needle-at-the-end"  # app/demo/big.py: MARKER
FIRST_SCREEN_TARGET_S = 0.5
SEARCH_TARGET_S = 1.0
#: search target applies from this size on (100 MB and 1 GB)
SEARCH_TARGET_FROM_MB = 100
ROW_TIMEOUT_S = 1200.0
WORKER_SAMPLE_S = 0.02


def route(kind: str, mb: int) -> str:
    if kind == "text":
        return f"/big/text?mb={mb}"
    if kind == "json1":
        return f"/big/json?mb={mb}&one_line=1"
    return f"/big/json?mb={mb}"


def needed_free(kind: str, mb: int) -> int:
    """Temp space a row needs: the body, and for JSON its pretty text (~1.5x), + room."""
    body = mb * MIB
    pretty = int(1.6 * body) if kind.startswith("json") else 0
    return body + pretty + 512 * MIB


# --------------------------------------------------------------------------- parent


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of ``pid`` in KiB (empty if it is gone)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        return {}
    return out


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


class ChildWatcher(threading.Thread):
    """Samples the RSS of the window process's children (the format workers) from /proc."""

    def __init__(self, pid: int) -> None:
        super().__init__(name="child-watcher", daemon=True)
        self.pid = pid
        self.stop_event = threading.Event()
        #: pid -> (command line, peak KiB)
        self.peaks: dict[int, tuple[str, int]] = {}

    def run(self) -> None:
        while not self.stop_event.wait(WORKER_SAMPLE_S):
            for kid in descendants(self.pid):
                status = proc_status(kid)
                if not status:
                    continue
                peak = max(status.get("VmHWM", 0), status.get("VmRSS", 0))
                command, before = self.peaks.get(kid, ("", 0))
                if not command:
                    try:
                        raw = Path(f"/proc/{kid}/cmdline").read_bytes()
                        command = raw.replace(b"\0", b" ").decode(errors="replace").strip()
                    except OSError:
                        command = "?"
                self.peaks[kid] = (command, max(before, peak))

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)

    def worker_peak_mb(self) -> float | None:
        peaks = [kib for command, kib in self.peaks.values() if "format_worker" in command]
        return round(max(peaks) / 1024, 1) if peaks else None

    def worker_count(self) -> int:
        return sum(1 for command, _kib in self.peaks.values() if "format_worker" in command)

    def others(self) -> list[str]:
        return [
            f"{command[:80]} {kib / 1024:.0f} MB"
            for command, kib in self.peaks.values()
            if "format_worker" not in command
        ]


def run_row(
    kind: str, mb: int, root: Path, demo_url: str, seed: Path | None, diagnose: bool
) -> dict[str, Any]:
    name = f"{kind}-{mb}MB"
    home = Path(tempfile.mkdtemp(prefix=f"home-{name}-", dir=root))
    if seed is not None:
        shutil.copytree(seed, home, dirs_exist_ok=True)
    os.sync()  # the last row's GiBs are flushed before this one starts
    env = child_env(home)
    argv = [sys.executable, str(Path(__file__).resolve()), "--row", f"{kind}:{mb}"]
    argv += ["--demo-url", demo_url]
    if diagnose:
        argv.append("--diagnose")
    result: dict[str, Any] | None = None
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        watcher = ChildWatcher(proc.pid)
        watcher.start()
        try:
            proc.wait(ROW_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        finally:
            watcher.stop()
            shutil.rmtree(home, ignore_errors=True)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
    if result is None:
        tail = (stderr or stdout).strip().splitlines()[-15:]
        result = {"error": f"exit status {proc.returncode}, no result:\n    " + "\n    ".join(tail)}
    elif proc.returncode != 0 and not result.get("error"):
        result["error"] = f"exit status {proc.returncode}"
    result["name"] = name
    result["size_mb"] = mb
    result["worker_rss_mb"] = watcher.worker_peak_mb()
    result["format_workers"] = watcher.worker_count()
    if watcher.others():
        result["other_children"] = watcher.others()
    return result


def targets_met(row: dict[str, Any]) -> dict[str, bool | None]:
    def below(key: str, limit: float) -> bool | None:
        value = row.get(key)
        return None if value is None else bool(value < limit)

    size = row["size_mb"]
    return {
        "first_screen_s": below("first_screen_s", FIRST_SCREEN_TARGET_S),
        "max_gap_ms": below("max_gap_ms", TARGET_MS),
        "rss_growth_mb": below("rss_growth_mb", 0.25 * size + 64),
        "search_last_s": (
            below("search_last_s", SEARCH_TARGET_S) if size >= SEARCH_TARGET_FROM_MB else None
        ),
    }


ROW_KEYS = (
    "name",
    "size_mb",
    "bytes",
    "default_view",
    "first_screen_s",
    "received_s",
    "complete_s",
    "max_gap_ms",
    "p99_ms",
    "over_target",
    "rss_growth_mb",
    "rss_end_growth_mb",
    "search_last_s",
    "search_case_s",
    "search_gap_ms",
    "worker_rss_mb",
    "format_workers",
    "targets_met",
    "error",
    "skipped",
)


def human_line(row: dict[str, Any]) -> str:
    if row.get("skipped"):
        return f"{row['name']}: SKIPPED: {row['skipped']}"
    if row.get("error"):
        return f"{row['name']}: FAILED: {row['error']}"
    met = row["targets_met"]
    missed = [key for key, ok in met.items() if ok is False]
    worker = row.get("worker_rss_mb")
    text = (
        f"{row['name']} ({row['bytes'] / 1e6:.0f} MB, {row['default_view']}): "
        f"first screen {row['first_screen_s']:.3f} s, received {row['received_s']:.2f} s, "
        f"complete {row['complete_s']:.2f} s, max gap {row['max_gap_ms']:.0f} ms "
        f"(p99 {row['p99_ms']:.0f}, {row['over_target']} > {TARGET_MS:.0f} ms), "
        f"RSS +{row['rss_growth_mb']:.0f} MB peak / +{row['rss_end_growth_mb']:.0f} MB end, "
        f"find {row['search_last_s']:.3f} s (case-sensitive {row['search_case_s']:.3f} s, "
        f"gap {row['search_gap_ms']:.0f} ms)"
        + (
            f", {row['format_workers']} format worker(s), peak RSS {worker:.0f} MB"
            if worker is not None
            else ""
        )
    )
    if row.get("stalls"):
        text += " [longest: " + ", ".join(
            f"{g['gap_ms']:.0f} ms at +{g['at_ms']:.0f} ms" for g in row["stalls"][:3]
        )
        text += "]"
    return text + ("; MISSED: " + ", ".join(missed) if missed else "; all targets met")


def parent_main(args: argparse.Namespace) -> int:
    kinds = [k.strip() for k in args.only.split(",")] if args.only else list(KINDS)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown kind(s) {', '.join(sorted(unknown))}: choose from {KINDS}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    rows: list[dict[str, Any]] = []
    fingerprint = app_fingerprint()
    print(f"app/ at commit {fingerprint.split(':')[0]}")
    server: subprocess.Popen[str] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="courier-viewer-bench-") as tmp:
            root = Path(tmp)
            server, demo_url = start_server(
                [sys.executable, "-m", "app.demo"], r"https?://[0-9.]+:\d+"
            )
            print(f"demo server (own process): {demo_url}")
            compiled = prepare_bytecode(root)
            if compiled is not None:
                print(f"compiled the stdlib, the venv and app/ ({compiled:.1f} s), as installed")
            seed = root / "seed-home"
            print(f"seeded a Courier home with one unmeasured start-up ({seed_home(seed):.1f} s)")
            for mb in sizes:
                for kind in kinds:
                    row: dict[str, Any]
                    stats = os.statvfs(root)
                    free = stats.f_bavail * stats.f_frsize
                    if free < needed_free(kind, mb):
                        row = {
                            "name": f"{kind}-{mb}MB",
                            "size_mb": mb,
                            "skipped": f"{root} has {free / GB:.1f} GiB free, the row needs "
                            f"about {needed_free(kind, mb) / GB:.1f} GiB (set TMPDIR elsewhere)",
                        }
                    else:
                        row = run_row(kind, mb, root, demo_url, seed, diagnose=False)
                        if not row.get("error"):
                            row["targets_met"] = targets_met(row)
                    print(human_line(row), flush=True)
                    if (
                        args.diagnose
                        and not row.get("error")
                        and not row.get("skipped")
                        and row["max_gap_ms"] > TARGET_MS
                    ):
                        diagnosed = run_row(kind, mb, root, demo_url, seed, diagnose=True)
                        print_diagnosis(row["name"], [diagnosed])
                    rows.append(row)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    if app_fingerprint() != fingerprint:
        print("WARNING: app/ changed while this ran: the rows measured different code")
    out = [{key: row[key] for key in ROW_KEYS if key in row} for row in rows]
    print(json.dumps({"sizes": out}))
    return 0 if all(not row.get("error") for row in rows) else 1


# ------------------------------------------------------------------- row process


def rss_kib() -> dict[str, int]:
    return proc_status(os.getpid())


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def row_main(args: argparse.Namespace) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    if not os.environ.get("COURIER_HOME"):
        os.environ["COURIER_HOME"] = tempfile.mkdtemp(prefix="courier-viewer-home-")
    kind, _, mb_text = args.row.partition(":")
    mb = int(mb_text)

    import qasync
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.__main__ import _version
    from app.core import app_state
    from app.net.exchange import Exchange, ExchangeState
    from app.services.sends import SendService
    from app.services.workspace import Workspace
    from app.ui import theme
    from app.ui.main_window import MainWindow
    from app.ui.viewer.text_view import TextView

    qt_events: list[tuple[float, float, int, str]] = []
    application_class = QApplication
    if args.diagnose:
        application_class = timed_application(QApplication, qt_events)
    app = QApplication.instance() or application_class([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Courier")
    app.setOrganizationName("Courier")
    app.setApplicationVersion(_version())
    app.setDesktopFileName("courier")
    theme.apply_theme(app)
    app.setWindowIcon(theme.icon("courier"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    # the first screen: the first paint of the default view's viewport that shows text
    # (patched before any TextView exists; the bench's own hook, app/ is untouched)
    first_screen: list[float] = []
    watching = [False]
    original_paint = TextView.paintEvent

    def paint_event(view: TextView, event: Any) -> None:
        original_paint(view, event)
        if watching[0] and not first_screen:
            viewer = window.response.viewer
            views = viewer.views()
            if views and view is viewer.text_view(views[0]) and view.visible_text().strip():
                first_screen.append(time.perf_counter())

    TextView.paintEvent = paint_event  # type: ignore[method-assign]

    workspace = Workspace(state_path=app_state.default_path())
    sends = SendService(workspace.session)
    window = MainWindow(workspace, sends)
    window.show()
    restoring = asyncio.ensure_future(window.restore())

    ticks: list[float] = []
    tick_waiters: list[tuple[int, asyncio.Future[None]]] = []
    sampler: StallSampler | None = None

    def on_tick() -> None:
        ticks.append(time.perf_counter())
        if sampler is not None:
            sampler.sched.append(os.pread(sampler.sched_fd, 128, 0))
        for waiter in list(tick_waiters):
            if len(ticks) >= waiter[0]:
                tick_waiters.remove(waiter)
                if not waiter[1].done():
                    waiter[1].set_result(None)

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(on_tick)
    timer.start()
    gui_thread = threading.get_ident()
    if args.diagnose:
        sampler = StallSampler(ticks, gui_thread)
        sampler.start()

    def wait_ticks(count: int) -> asyncio.Future[None]:
        future: asyncio.Future[None] = loop.create_future()
        tick_waiters.append((len(ticks) + count, future))
        return future

    async def within(awaitable: Any, limit_s: float, what: str) -> Any:
        try:
            return await asyncio.wait_for(awaitable, limit_s)
        except TimeoutError:
            raise ScenarioError(f"timed out after {limit_s:g} s waiting for {what}") from None

    async def until(predicate: Any, limit_s: float, what: str) -> float:
        """Check ``predicate`` at every tick; the time it first held."""
        deadline = time.perf_counter() + limit_s
        while not predicate():
            if time.perf_counter() > deadline:
                raise ScenarioError(f"timed out after {limit_s:g} s waiting for {what}")
            await within(wait_ticks(1), 10, "the GUI timer")
        return time.perf_counter()

    def check_exchange(exchange: Exchange | None) -> Exchange:
        if exchange is None:
            raise ScenarioError("the window has no exchange for the request")
        if exchange.state != ExchangeState.DONE or exchange.response is None:
            raise ScenarioError(f"{exchange!r} did not succeed: {exchange.error!r}")
        if exchange.response.status_code != 200:
            raise ScenarioError(f"{exchange!r}: status {exchange.response.status_code}")
        return exchange

    async def warm_up() -> None:
        await within(asyncio.shield(restoring), 120, "window.restore()")
        window.editor.url.setText(f"{args.demo_url}/posts/1")
        window.send()
        await until(window.response.body_settled, 60, "the warm-up response")
        check_exchange(window.current_exchange())
        window.show_scratch()
        await within(wait_ticks(10), 10, "the GUI timer")

    async def find(case_sensitive: bool) -> float:
        page = window.response.viewer.text_page()
        if page is None:
            raise ScenarioError("the default view has no find bar")
        bar = page.find_bar
        bar.open()
        bar.field.setText(MARKER)
        started = time.perf_counter()
        if bar.case_button.isChecked() != case_sensitive:
            bar.case_button.setChecked(case_sensitive)  # restarts the search
        else:
            bar.restart()  # what Enter does after typing: no debounce
        found = await until(
            lambda: bar.search is not None and bar.search.count >= 1, 120, "the needle"
        )
        await until(lambda: bar.search is not None and bar.search.done, 300, "the search's end")
        assert bar.search is not None
        if bar.search.count != 1:
            raise ScenarioError(f"{MARKER!r} found {bar.search.count} times, not once")
        return found - started

    async def row() -> dict[str, Any]:
        await warm_up()
        gc.collect()
        peak_reset = reset_peak_rss()
        baseline = rss_kib()["VmRSS"]
        window.editor.url.setText(f"{args.demo_url}{route(kind, mb)}")
        # the collection and the URL edit above are the bench's: ticks before Send
        await within(wait_ticks(5), 10, "the GUI timer")
        watching[0] = True
        start = time.perf_counter()
        window.send()
        received_at = await until(
            lambda: (e := window.current_exchange()) is not None and e.finished,
            ROW_TIMEOUT_S,
            "the exchange to finish",
        )
        exchange = check_exchange(window.current_exchange())
        settled_at = await until(
            window.response.body_settled, ROW_TIMEOUT_S, "the default view to settle"
        )
        if not first_screen:
            await until(lambda: bool(first_screen), 10, "a first screen with text")
        status = rss_kib()
        peak = status["VmHWM"] if peak_reset else status["VmRSS"]
        gaps = measure(ticks, start, settled_at)
        viewer = window.response.viewer
        view = viewer.current_view()
        searched_from = time.perf_counter()
        search_last = await find(case_sensitive=False)
        search_case = await find(case_sensitive=True)
        search_gaps = measure(ticks, searched_from, time.perf_counter())
        out: dict[str, Any] = {
            "bytes": exchange.body.size,
            "default_view": view.value if view is not None else None,
            "first_screen_s": round(first_screen[0] - start, 3),
            "received_s": round(received_at - start, 3),
            "complete_s": round(settled_at - start, 3),
            "rss_growth_mb": round((peak - baseline) / 1024, 1),
            "rss_end_growth_mb": round((status["VmRSS"] - baseline) / 1024, 1),
            "search_last_s": round(search_last, 3),
            "search_case_s": round(search_case, 3),
            "search_gap_ms": search_gaps["max_gap_ms"],
            "span": (start, settled_at),
        }
        if not peak_reset:
            out["note"] = "no /proc/self/clear_refs: RSS growth is the RSS at the end"
        out.update({k: v for k, v in gaps.items() if k != "elapsed_s"})
        return out

    output: dict[str, Any] = {"error": None}
    status = 0
    try:
        outcome = loop.run_until_complete(row())
        start, end = outcome.pop("span")
        output.update(outcome)
        if sampler is not None:
            sampler.stop()
            output["stacks"] = analyse(sampler, gui_thread, ticks, start, end, qt_events)
    except ScenarioError as exc:
        output["error"] = str(exc)
        status = 1
    except Exception as exc:  # a bug in the bench or the app: say it plainly
        import traceback

        traceback.print_exc()
        output["error"] = f"{type(exc).__name__}: {exc}"
        status = 1
    finally:
        timer.stop()
        restoring.cancel()
        try:
            loop.run_until_complete(asyncio.wait_for(sends.aclose(), 30))
        except Exception as exc:  # closing must not hide the result
            print(f"closing: {exc!r}", file=sys.stderr)
        workspace.demo.stop()
    print(json.dumps(output), flush=True)
    sys.stderr.flush()
    os._exit(status)  # skip Qt's teardown of the window and its models


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="MiB sizes, comma-separated (default 1,10,100,1000)")
    parser.add_argument("--only", help="kinds, comma-separated: json,text,json1 (default all)")
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="run each row over the gap target again with the stall sampler",
    )
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--demo-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row is not None:
        return row_main(args)
    return parent_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
