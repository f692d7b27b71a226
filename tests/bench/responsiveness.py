"""Responsiveness benchmark: does the GUI thread keep ticking while Courier works?

A 10 ms ``QTimer`` runs on the GUI thread of the real main window (offscreen)
and records every tick; the longest interval between two ticks while a
scenario runs is its "max gap".  Scenarios, each in its own fresh process (so
"cold" and "first" are real and one scenario's imports never help another):

* ``open_10k_cold``: open a 10,000-request collection in 100 folders, nothing in
  Courier's parse cache, until the future resolves and its row is in the sidebar
  (start-up's ``restore()`` has finished first; it never opens this collection);
* ``first_send``: the first Send right after the window is shown, while
  ``restore()`` still runs in the background as at a real start-up;
* ``concurrent_50``: 50 sends at once through ``SendService`` to the demo server;
* ``save_1gib``: a 1 GiB response arrives (Send in the window) and is saved with
  "Save body…" (one number across both phases; each phase's is printed too);
* ``gzip_bomb``: a 10 MB gzip body inflating to 10 GiB is refused at the default
  cap (2 GiB) with ``BodyTooLarge``.

``concurrent_50``, ``save_1gib`` and ``gzip_bomb`` start once start-up has
settled (``restore()`` done and one warm-up Send of ``/posts/1`` shown), so they
measure their own work, not the first-send costs ``first_send`` measures.

Servers run in their own processes (``python -m app.demo`` and
``tests/bench/bigfile_server.py``) so they never take the GIL from the measured
GUI thread.  Each scenario process gets a throw-away ``COURIER_HOME`` (a copy of
one seeded by an unmeasured start-up, as ``tests/bench/startup.py`` does, so it
starts as any later start-up would; ``--first-run``: an empty one), its own
``TMPDIR`` and the failing keyring backend (no real keychain is touched).  When
``PYTHONDONTWRITEBYTECODE`` is set (app/ then has no .pyc and every import
compiles its source), the stdlib, the venv and app/ are compiled once into a
private ``PYTHONPYCACHEPREFIX``, as an installed app would have them.

Prints one line per scenario, then one JSON object as its last line:
``{"max_gap_ms": {"open_10k_cold": ..., ...}}`` (null for a scenario that failed,
and the exit status is then 1).  Target: every gap < 50 ms.  Not part of the
test suite (scenarios (d) and (e) write GiBs to the temp directory).

``--diagnose`` runs every scenario whose max gap is over 50 ms again
(``--diagnose-runs``, default 3) with:

* a watchdog thread that samples every thread's Python stack whenever the GUI
  thread has not ticked for 40 ms (and notes when it had to wait for the GIL
  itself: some thread held it in C code);
* ``gc.callbacks`` timing every garbage collection, in whichever thread;
* a ``QApplication.notify`` override timing every Qt event delivered (paints,
  layouts, timers; each asyncio callback is a Qt timer event under qasync,
  labelled with its task's coroutine): what the GUI thread did in Qt when no
  Python frame shows it.

It prints, merged over those runs, the GUI thread's stacks that stalled it the
longest (innermost first, then its app/ frames), what the other threads were
doing meanwhile, and the collections and Qt events that overlapped the stalls.

    .venv/bin/python tests/bench/responsiveness.py [--repeat 3] [--only first_send]
                                                  [--diagnose] [--first-run]
"""

from __future__ import annotations

import argparse
import bisect
import faulthandler
import itertools
import json
import math
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.stall_diagnosis import (
    TARGET_MS,
    StallSampler,
    analyse,
    print_diagnosis,
    timed_application,
)

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCENARIOS = ("open_10k_cold", "first_send", "concurrent_50", "save_1gib", "gzip_bomb")
TICK_MS = 10
GIB = 1 << 30
#: what (d) and (e) need in the temp directory at most: 1 GiB body + 1 GiB copy, a
#: 2 GiB capped body, and the body store's 256 MiB reserve, with some room to spare
NEEDED_FREE = 6 * GIB
SERVER_START_S = 30.0
SCENARIO_TIMEOUT_S = 900.0


# --------------------------------------------------------------------------- parent


def start_server(argv: list[str], pattern: str) -> tuple[subprocess.Popen[str], str]:
    """Start a server process and read its base URL from its first lines of output."""
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(pattern, line)
            if found:
                return proc, found.group(0)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit(f"could not start {' '.join(argv)}")


def curl_speed(url: str) -> float | None:
    """Best of three ``curl -o /dev/null`` downloads, in bytes per second."""
    if shutil.which("curl") is None:
        return None
    speeds = []
    for _ in range(3):
        out = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download}", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        speeds.append(float(out.stdout))
    return max(speeds)


def make_collection(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--make-collection", str(path)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        check=True,
        timeout=600,
    )
    return time.perf_counter() - started


#: where the scenario processes keep bytecode when the environment forbids writing it
PYCACHE: dict[str, str] = {}


def prepare_bytecode(root: Path) -> float | None:
    """Installed apps have .pyc files; with PYTHONDONTWRITEBYTECODE set (as on some
    dev machines) app/ has none and every import would compile its source.  Then
    compile the stdlib, the venv and app/ into a private PYTHONPYCACHEPREFIX (app/
    is left untouched) and run every scenario with it."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return None
    started = time.perf_counter()
    prefix = root / "pycache"
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(prefix))
    env.pop("PYTHONDONTWRITEBYTECODE")
    paths = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    skip = r"[/\\](test|tests|idlelib|tkinter|lib2to3|turtledemo|ensurepip|site-packages)[/\\]"
    for directories, exclude in (([paths["stdlib"]], skip), ([paths["purelib"], "app"], None)):
        argv = [sys.executable, "-m", "compileall", "-q", "-j0"]
        argv += ["-x", exclude] if exclude else []
        subprocess.run(argv + directories, cwd=ROOT, env=env, capture_output=True, check=False)
    PYCACHE.update(PYTHONPYCACHEPREFIX=str(prefix))
    return time.perf_counter() - started


def child_env(home: Path) -> dict[str, str]:
    tmp = home / "tmp"
    tmp.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        COURIER_HOME=str(home),
        TMPDIR=str(tmp),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONUNBUFFERED="1",
    )
    if PYCACHE:
        env.update(PYCACHE)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def seed_home(home: Path) -> float:
    """Start Courier once in ``home`` (as tests/bench/startup.py's unmeasured first run):
    it installs the sample collection, opens it, and remembers it for next time."""
    started = time.perf_counter()
    home.mkdir()
    env = child_env(home)
    env["COURIER_BENCH_STARTUP"] = "1"
    subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    shutil.rmtree(home / "tmp", ignore_errors=True)
    state = json.loads((home / "config" / "state.json").read_text())
    if not state.get("first_run_done") or not state.get("open_collections"):
        raise SystemExit(f"the seeding start-up did not save its state: {state}")
    return time.perf_counter() - started


def run_child(
    name: str,
    root: Path,
    urls: dict[str, str],
    collection: Path | None,
    diagnose: bool,
    seed: Path | None,
) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"home-{name}-", dir=root))
    if seed is not None:
        shutil.copytree(seed, home, dirs_exist_ok=True)
    # the GiBs an earlier scenario wrote are still being flushed to disk: finish that
    # first, or this scenario measures the kernel's writeback of the last one
    os.sync()
    env = child_env(home)
    argv = [sys.executable, str(Path(__file__).resolve()), "--scenario", name]
    for key, url in urls.items():
        argv += [f"--{key}-url", url]
    if collection is not None:
        argv += ["--collection", str(collection)]
    if diagnose:
        argv.append("--diagnose")
    try:
        proc = subprocess.run(
            argv,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return {"scenario": name, "error": f"the process did not end in {SCENARIO_TIMEOUT_S} s"}
    finally:
        shutil.rmtree(home, ignore_errors=True)
    result: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
    if result is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        return {
            "scenario": name,
            "error": f"exit status {proc.returncode}, no result:\n    " + "\n    ".join(tail),
        }
    if proc.returncode != 0 and not result.get("error"):
        result["error"] = f"exit status {proc.returncode}"
    return result


def human_line(name: str, runs: list[dict[str, Any]]) -> str:
    failed = [r for r in runs if r.get("error")]
    if failed:
        return f"{name}: FAILED: {failed[0]['error']}"
    worst = max(runs, key=lambda r: r["max_gap_ms"])
    text = (
        f"{name}: max gap {worst['max_gap_ms']:.0f} ms "
        f"(ticks {worst['ticks']}, p99 {worst['p99_ms']:.0f} ms, "
        f"{worst['over_target']} gaps > {TARGET_MS:.0f} ms, took {worst['elapsed_s']:.2f} s)"
    )
    if worst["stalls"]:
        text += (
            " [longest: "
            + ", ".join(
                f"{g['gap_ms']:.0f} ms at +{g['at_ms']:.0f} ms" for g in worst["stalls"][:3]
            )
            + "]"
        )
    phases = worst.get("phases")
    if phases:
        text += " [" + ", ".join(f"{k} {v['max_gap_ms']:.0f} ms" for k, v in phases.items()) + "]"
    if worst.get("note"):
        text += f"; {worst['note']}"
    if len(runs) > 1:
        text += "; runs: " + ", ".join(f"{r['max_gap_ms']:.0f}" for r in runs)
    return text


def app_fingerprint() -> str:
    """Sizes and times of app/'s files: did someone change app/ during the run?"""
    entries = sorted(
        f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in (ROOT / "app").rglob("*.py")
    )
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return f"{head}:{hash(tuple(entries))}"


def check_free_space(directory: str) -> None:
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    if free < NEEDED_FREE:
        raise SystemExit(
            f"{directory} has {free / GIB:.1f} GiB free; save_1gib and gzip_bomb need "
            f"about {NEEDED_FREE / GIB:.0f} GiB (set TMPDIR elsewhere or use --only)"
        )


def parent_main(args: argparse.Namespace) -> int:
    chosen = [s for s in SCENARIOS if not args.only or s in args.only]
    unknown = set(args.only or ()) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    if {"save_1gib", "gzip_bomb"} & set(chosen):
        check_free_space(tempfile.gettempdir())
    servers: list[subprocess.Popen[str]] = []
    worst: dict[str, float | None] = {}
    fingerprint = app_fingerprint()
    print(f"app/ at commit {fingerprint.split(':')[0]}")
    diagnose: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="courier-responsiveness-") as tmp:
            root = Path(tmp)
            urls: dict[str, str] = {}
            if set(chosen) - {"open_10k_cold"}:
                proc, urls["demo"] = start_server(
                    [sys.executable, "-m", "app.demo"], r"https?://[0-9.]+:\d+"
                )
                servers.append(proc)
                print(f"demo server (own process): {urls['demo']}")
            if "save_1gib" in chosen:
                proc, urls["big"] = start_server(
                    [sys.executable, str(HERE / "bigfile_server.py")], r"http://\S+"
                )
                servers.append(proc)
                speed = curl_speed(urls["big"])
                said = f", curl -o /dev/null {speed / 1e6:.0f} MB/s" if speed else ""
                print(f"1 GiB file server (own process): {urls['big']}{said}")
            compiled = prepare_bytecode(root)
            if compiled is not None:
                print(
                    f"PYTHONDONTWRITEBYTECODE is set: compiled the stdlib, the venv and app/ "
                    f"into a private PYTHONPYCACHEPREFIX ({compiled:.1f} s), as installed"
                )
            seed = None
            if not args.first_run:
                seed = root / "seed-home"
                took = seed_home(seed)
                print(
                    f"seeded a Courier home with one unmeasured start-up ({took:.1f} s): "
                    "every scenario starts as a second start-up would (--first-run: not)"
                )
            collection = None
            if "open_10k_cold" in chosen:
                collection = root / "big-collection"
                took = make_collection(collection)
                print(f"wrote a 10,000-request collection in 100 folders in {took:.1f} s")
            for name in chosen:
                runs = [
                    run_child(name, root, urls, collection, diagnose=False, seed=seed)
                    for _ in range(args.repeat)
                ]
                print(human_line(name, runs), flush=True)
                ok = [r["max_gap_ms"] for r in runs if not r.get("error")]
                worst[name] = round(max(ok), 1) if len(ok) == len(runs) else None
                over = worst[name] is not None and worst[name] > TARGET_MS
                if args.diagnose_all or (args.diagnose and over):
                    diagnose.append(name)
            for name in diagnose:
                # stalls come and go: several diagnosed runs, their samples merged
                results = [
                    run_child(name, root, urls, collection, diagnose=True, seed=seed)
                    for _ in range(args.diagnose_runs)
                ]
                print_diagnosis(name, results)
    finally:
        for proc in servers:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if app_fingerprint() != fingerprint:
        print("WARNING: app/ changed while this ran: the runs measured different code")
    print(json.dumps({"max_gap_ms": worst}))
    return 0 if all(v is not None for v in worst.values()) else 1


# ---------------------------------------------------------------- the collection


def make_collection_main(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.bench import collection as generator  # points COURIER_HOME at a temp dir

    try:
        generator.write_collection(path, 100, 100)
    finally:
        shutil.rmtree(os.environ["COURIER_HOME"], ignore_errors=True)


# ------------------------------------------------------------- scenario process


class ScenarioError(Exception):
    pass


def measure(ticks: list[float], start: float, end: float) -> dict[str, Any]:
    """Gaps between the ticks around [start, end]: from the last tick before ``start``
    to the first tick at or after ``end`` (a stall across an edge counts whole)."""
    first = max(bisect.bisect_right(ticks, start) - 1, 0)
    last = min(bisect.bisect_left(ticks, end), len(ticks) - 1)
    window = ticks[first : last + 1]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(window)]
    if not gaps:
        raise ScenarioError("the GUI timer did not tick during the scenario")
    ordered = sorted(gaps)
    p99 = ordered[max(math.ceil(0.99 * len(ordered)) - 1, 0)]
    stalls = [
        {"at_ms": round((a - start) * 1000, 1), "gap_ms": round((b - a) * 1000, 1)}
        for a, b in itertools.pairwise(window)
        if (b - a) * 1000 > TARGET_MS
    ]
    return {
        "max_gap_ms": round(max(gaps), 1),
        "p99_ms": round(p99, 1),
        "ticks": len(gaps),
        "over_target": len(stalls),
        "stalls": sorted(stalls, key=lambda s: -s["gap_ms"]),
        "elapsed_s": round(end - start, 3),
    }


def open_body_files() -> list[str]:
    """The response-body temporary files this process still holds open."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "courier-body-" in target:
            found.append(target)
    return found


def scenario_main(args: argparse.Namespace) -> int:
    # what the parent sets; repeated so a scenario can be run on its own too
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    if not os.environ.get("COURIER_HOME"):
        os.environ["COURIER_HOME"] = tempfile.mkdtemp(prefix="courier-responsiveness-home-")
    sys.path.insert(0, str(ROOT))
    if args.dump_every:
        faulthandler.dump_traceback_later(args.dump_every, repeat=True, file=sys.stderr)

    import asyncio

    import qasync
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.__main__ import _version
    from app.core import app_state, parse_cache
    from app.core.errors import BodyTooLarge
    from app.core.model import Request
    from app.net.exchange import Exchange, ExchangeState
    from app.services.sends import SendService
    from app.services.workspace import Workspace
    from app.ui import theme
    from app.ui.main_window import MainWindow

    qt_events: list[tuple[float, float, int, str]] = []
    application_class = QApplication
    if args.diagnose:
        application_class = timed_application(QApplication, qt_events)
    # exactly as app/__main__.py starts the app
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
    workspace = Workspace(state_path=app_state.default_path())
    sends = SendService(workspace.session)
    window = MainWindow(workspace, sends)
    window.show()
    restoring = asyncio.ensure_future(window.restore())

    ticks: list[float] = []
    tick_waiters: list[tuple[int, asyncio.Future[None]]] = []

    def on_tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
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
    sampler = StallSampler(ticks, gui_thread) if args.diagnose else None
    if sampler is not None:
        # (a shorter sys.setswitchinterval would catch more Python frames, but it
        # changes how the GUI thread and the body writer share the GIL: not here)
        sampler.start()

    def wait_ticks(count: int) -> asyncio.Future[None]:
        future: asyncio.Future[None] = loop.create_future()
        tick_waiters.append((len(ticks) + count, future))
        return future

    async def settle() -> float:
        """Let the window show the result (a few more ticks); the end is the last tick."""
        await within(wait_ticks(3), 10, "the GUI timer to tick after the result")
        return ticks[-1]

    def on_signal(signal: Any, predicate: Any = None) -> asyncio.Future[tuple[Any, ...]]:
        future: asyncio.Future[tuple[Any, ...]] = loop.create_future()

        def slot(*values: Any) -> None:
            if not future.done() and (predicate is None or predicate(*values)):
                future.set_result(values)

        signal.connect(slot)
        future.add_done_callback(lambda _f: signal.disconnect(slot))
        return future

    async def within(awaitable: Any, limit_s: float, what: str) -> Any:
        try:
            return await asyncio.wait_for(awaitable, limit_s)
        except TimeoutError:
            raise ScenarioError(f"timed out after {limit_s:g} s waiting for {what}") from None

    def check_exchange(exchange: Exchange | None, size: int | None = None) -> Exchange:
        if exchange is None:
            raise ScenarioError("the window has no exchange for the request")
        if exchange.state != ExchangeState.DONE or exchange.response is None:
            raise ScenarioError(f"{exchange!r} did not succeed: {exchange.error!r}")
        if exchange.response.status_code != 200:
            raise ScenarioError(f"{exchange!r}: status {exchange.response.status_code}")
        if size is not None and exchange.body.size != size:
            raise ScenarioError(f"{exchange!r}: {exchange.body.size} bytes, not {size}")
        return exchange

    async def send_in_window(url: str, limit_s: float) -> Exchange | None:
        window.editor.url.setText(url)
        shown = on_signal(window.responseShown)
        window.send()
        await within(shown, limit_s, f"responseShown for {url}")
        return window.current_exchange()

    async def settled() -> None:
        """Start-up has settled: restore() done, one Send shown (imports, client, views)."""
        await within(asyncio.shield(restoring), 120, "window.restore()")
        check_exchange(await send_in_window(f"{args.demo_url}/posts/1", 60))
        window.show_scratch()
        await within(wait_ticks(10), 10, "the GUI timer")

    def forget(exchange: Exchange) -> float:
        """Take the exchange off the window and free its body (memory or temp file);
        returns how long ``Exchange.release()`` held the GUI thread, in ms.  In the
        app the same happens when an exchange is dropped (its request sent again,
        or pushed out of the window's last 30): not part of the measured span."""
        if exchange is window.current_exchange():
            window.show_scratch()
        started = time.perf_counter()
        exchange.release()
        return (time.perf_counter() - started) * 1000

    # ------------------------------------------------------------- the scenarios

    async def open_10k_cold() -> dict[str, Any]:
        path = Path(args.collection)
        # start-up's restore first: it never opens this collection (never opened here)
        await within(asyncio.shield(restoring), 120, "window.restore()")
        if workspace.find_open(path) is not None:
            raise ScenarioError("restore() opened the big collection")
        if parse_cache.cache_file_for(path).exists():
            raise ScenarioError("the parse cache already knows the collection")
        await within(wait_ticks(10), 10, "the GUI timer")
        start = time.perf_counter()
        opened = window.open_collection(path)
        collection = await within(opened, 120, "open_collection()")
        if collection is None:
            raise ScenarioError("open_collection() failed (see the window's message)")
        while not window.tree_model.index_of(collection).isValid():
            await within(wait_ticks(1), 10, "the collection's row in the sidebar")
        end = await settle()
        count = sum(1 for _ in collection.iter_requests())
        if count != 10_000:
            raise ScenarioError(f"the collection has {count} requests, not 10,000")
        return {"span": (start, end), "note": f"{count:,} requests"}

    async def first_send() -> dict[str, Any]:
        await within(wait_ticks(2), 10, "the GUI timer")  # the window is up, the loop runs
        restoring_then = not restoring.done()
        window.editor.url.setText(f"{args.demo_url}/posts/1")
        shown = on_signal(window.responseShown)
        start = time.perf_counter()
        window.send()
        await within(shown, 60, "responseShown")
        check_exchange(window.current_exchange())
        end = await settle()
        note = "restore() still running at Send" if restoring_then else "restore() had ended"
        return {"span": (start, end), "note": note}

    async def concurrent_50() -> dict[str, Any]:
        await settled()
        pending: set[Exchange] = set()
        all_done: asyncio.Future[None] = loop.create_future()

        def finished(exchange: Exchange) -> None:
            pending.discard(exchange)
            if not pending and not all_done.done():
                all_done.set_result(None)

        sends.exchangeFinished.connect(finished)
        exchanges: list[tuple[Exchange, int | None]] = []
        start = time.perf_counter()
        for i in range(50):
            if i % 5 == 4:
                url, size = f"{args.demo_url}/bytes/100000", 100_000
            else:
                url, size = f"{args.demo_url}/posts/{i % 100 + 1}", None
            exchange = sends.send(Request(name=f"concurrent {i}", url=url), None)
            pending.add(exchange)
            exchanges.append((exchange, size))
        await within(all_done, 120, "50 exchanges to finish")
        end = await settle()
        sends.exchangeFinished.disconnect(finished)
        for exchange, size in exchanges:
            check_exchange(exchange, size)
            exchange.release()
        return {"span": (start, end), "note": "40 x /posts/N, 10 x /bytes/100000"}

    async def save_1gib() -> dict[str, Any]:
        await settled()
        target = Path(tempfile.mkdtemp(prefix="saved-")) / "body-1gib.bin"
        start = time.perf_counter()
        exchange = check_exchange(await send_in_window(args.big_url, 300), GIB)
        middle = time.perf_counter()
        window.ask_save_body_path = lambda: str(target)  # type: ignore[method-assign]
        saved = on_signal(sends.saveFinished)
        failed = on_signal(sends.saveFailed)
        window.save_body()
        done, _ = await asyncio.wait(
            {saved, failed}, timeout=300, return_when=asyncio.FIRST_COMPLETED
        )
        if not done:
            raise ScenarioError("timed out after 300 s waiting for saveFinished")
        if failed.done():
            raise ScenarioError(f"saving the body failed: {failed.result()[0]}")
        failed.cancel()
        end = await settle()
        try:
            if target.stat().st_size != GIB:
                raise ScenarioError(f"the saved file has {target.stat().st_size} bytes")
        finally:
            shutil.rmtree(target.parent, ignore_errors=True)
        released_ms = forget(exchange)
        return {
            "span": (start, end),
            "phases": {
                "receive": measure(ticks, start, middle),
                "save": measure(ticks, middle, end),
            },
            "note": f"received in {middle - start:.1f} s, saved in {end - middle:.1f} s; "
            f"Exchange.release() of the 1 GiB temp body then held the GUI thread "
            f"{released_ms:.0f} ms",
            "release_ms": round(released_ms, 1),
        }

    async def gzip_bomb() -> dict[str, Any]:
        await settled()
        start = time.perf_counter()
        exchange = await send_in_window(f"{args.demo_url}/gzip-bomb?gb=10", 600)
        end = await settle()
        if exchange is None or not isinstance(exchange.error, BodyTooLarge):
            raise ScenarioError(
                f"expected BodyTooLarge, got {exchange!r} {getattr(exchange, 'error', None)!r}"
            )
        if exchange.body.cap != 2 * GIB:
            raise ScenarioError(f"the cap was {exchange.body.cap}, not 2 GiB")
        note = (
            f"refused after {exchange.body.size / GIB:.2f} GiB decoded from "
            f"{exchange.wire_bytes / 1e6:.1f} MB, in {end - start:.1f} s"
        )
        released_ms = forget(exchange)
        released = time.perf_counter()
        # the store may close its file on a writer thread: give it a moment
        while open_body_files():
            if time.perf_counter() - released > 30:
                left = open_body_files()
                raise ScenarioError(f"temp body files still open 30 s after release: {left}")
            await asyncio.sleep(0.01)
        closed_ms = (time.perf_counter() - released) * 1000
        note += (
            f"; Exchange.release() of the 2 GiB temp body then held the GUI thread "
            f"{released_ms:.0f} ms, its file was closed {closed_ms:.0f} ms later"
        )
        return {"span": (start, end), "note": note, "release_ms": round(released_ms, 1)}

    scenarios = {
        "open_10k_cold": open_10k_cold,
        "first_send": first_send,
        "concurrent_50": concurrent_50,
        "save_1gib": save_1gib,
        "gzip_bomb": gzip_bomb,
    }
    output: dict[str, Any] = {"scenario": args.scenario, "error": None}
    status = 0
    try:
        outcome = loop.run_until_complete(scenarios[args.scenario]())
        start, end = outcome.pop("span")
        output.update(measure(ticks, start, end))
        output.update(outcome)
        if sampler is not None:
            sampler.stop()
            output["stacks"] = analyse(sampler, gui_thread, ticks, start, end, qt_events)
    except ScenarioError as exc:
        output["error"] = str(exc)
        status = 1
    except Exception as exc:  # a bug in the scenario or the app: say it plainly
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
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario (worst counts)")
    parser.add_argument(
        "--only", action="append", choices=SCENARIOS, help="run only this scenario (repeatable)"
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="rerun scenarios over 50 ms with a stack-sampling watchdog",
    )
    parser.add_argument(
        "--diagnose-all", action="store_true", help="diagnose every scenario, even under 50 ms"
    )
    parser.add_argument(
        "--diagnose-runs",
        type=int,
        default=3,
        help="diagnosed runs per scenario, their samples merged (default 3)",
    )
    parser.add_argument(
        "--first-run",
        action="store_true",
        help="start every scenario as the very first start-up (an empty Courier home)",
    )
    # the parent's children
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--demo-url", help=argparse.SUPPRESS)
    parser.add_argument("--big-url", help=argparse.SUPPRESS)
    parser.add_argument("--collection", help=argparse.SUPPRESS)
    parser.add_argument("--make-collection", type=Path, help=argparse.SUPPRESS)
    # to look into a slow or hung scenario: every thread's stack to stderr every S seconds
    parser.add_argument("--dump-every", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_collection is not None:
        make_collection_main(args.make_collection)
        return 0
    if args.scenario is not None:
        return scenario_main(args)
    return parent_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
