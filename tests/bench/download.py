"""Download speed benchmark: Courier's download path against ``curl -o``, same disk.

Serves a file of random bytes (1 GiB, ``--size`` for more) from nginx on
127.0.0.1 when it is installed (as root it is installed with apt-get when
missing; it does Range and sendfile), otherwise from a Python static server
(``tests/bench/bigfile_server.py``-like, said so in the output).  Then, for
``--pairs`` pairs (default 3), alternately: ``curl -s -o FILE`` and Courier's
``Session.download_url`` driven through the real qasync loop of a
QApplication (offscreen) with a 10 ms QTimer measuring its longest gap, in one
long-lived worker process (its first download pays the imports, as the app's
does).  Each file is deleted after its run.  Finally one pair over HTTP/2 with
TLS (nginx, trustme certificates; ``curl --http2 --cacert``).

Last line: one JSON object with ``ratio_vs_curl`` (median of per-pair
throughput ratios), ``courier_mb_s`` / ``curl_mb_s`` (medians, MB = 10^6 bytes),
``rss_growth_mb`` (the worker's peak RSS while downloading minus its RSS
before the first download), ``max_gap_ms``, ``sha256_ok`` (every Courier
download hashed right) and ``h2_ratio_vs_curl``.  Targets: ratio >= 0.9,
rss growth < 64 MB, max gap < 50 ms.  Not part of the test suite.

    .venv/bin/python tests/bench/download.py [--size BYTES] [--pairs N] [--dir DIR] [--no-h2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GIB = 1 << 30
TICK_MS = 10


# --------------------------------------------------------------------- the worker


def worker() -> None:
    """Downloads on request (a JSON line on stdin), answers one JSON line per download."""
    import asyncio
    import threading

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.inherit import Resolution
    from app.core.resolved import ClientProfile, ResolvedRequest, TransportSettings
    from app.net.downloads import DownloadState
    from app.session import Session

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    gaps = {"max": 0.0, "last": time.perf_counter(), "rss": 0}

    def tick() -> None:
        now = time.perf_counter()
        gaps["max"] = max(gaps["max"], now - gaps["last"])
        gaps["last"] = now
        gaps["rss"] = max(gaps["rss"], rss())

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    commands: asyncio.Queue[str] = asyncio.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line)
        loop.call_soon_threadsafe(commands.put_nowait, "")

    threading.Thread(target=read_stdin, daemon=True).start()
    session = Session()

    async def main() -> None:
        # the network stack's imports (+50 MB, see PERFORMANCE-NOTES) are not the
        # download's: the baseline is taken after them
        await asyncio.to_thread(session.warm_up)
        baseline = rss()
        print(json.dumps({"ready": True, "rss": baseline}), flush=True)
        while line := await commands.get():
            job = json.loads(line)
            destination = Path(job["dest"])
            ca = job.get("ca") or ""
            profile = ClientProfile(transport=TransportSettings(http2=bool(ca), ca_bundle=ca))
            resolution = Resolution(profile, ResolvedRequest("GET", job["url"]), ())
            task = session.download(resolution, destination)
            gaps["max"], gaps["last"], gaps["rss"] = 0.0, time.perf_counter(), rss()
            cpu_before = thread_cpu()
            started = time.perf_counter()
            snap = await task.run()
            seconds = time.perf_counter() - started
            cpu_after = thread_cpu()
            tick()
            print(
                json.dumps(
                    {
                        "seconds": seconds,
                        "ok": snap.state is DownloadState.DONE,
                        "error": str(snap.error) if snap.error else None,
                        "sha256": snap.sha256,
                        "max_gap_ms": gaps["max"] * 1000,
                        "peak_rss": gaps["rss"],
                        "baseline_rss": baseline,
                        "http": job.get("label", ""),
                        "cpu_s": cpu_used(cpu_before, cpu_after),
                    }
                ),
                flush=True,
            )
        await session.aclose()

    with loop:
        loop.run_until_complete(main())


def thread_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of each thread of this process, by native id."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        used[int(task.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> dict[str, float]:
    """CPU seconds spent during a run, per kind of thread (the loop, readers, writers ...)."""
    import threading

    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    main_id = threading.main_thread().native_id
    spent: dict[str, float] = {}
    for tid, seconds in after.items():
        name = "loop" if tid == main_id else names.get(tid, "other")
        kind = name.rstrip("0123456789_-").removeprefix("courier-") or "other"
        spent[kind] = round(spent.get(kind, 0.0) + seconds - before.get(tid, 0.0), 2)
    return {kind: seconds for kind, seconds in spent.items() if seconds >= 0.05}


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_nginx() -> str | None:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing nginx-light with apt-get ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "nginx-light"], capture_output=True, check=False)
    subprocess.run(["nginx", "-s", "stop"], capture_output=True, check=False)  # its service
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def start_nginx(
    nginx: str, root: Path, work: Path
) -> tuple[subprocess.Popen[bytes], str, str, str]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_and_cert_chain_pem.write_to_path(str(work / "server.pem"))
    ca.cert_pem.write_to_path(str(work / "ca.pem"))
    http_port, https_port = free_port(), free_port()
    config = textwrap.dedent(
        f"""
        daemon off;
        worker_processes 1;
        pid {work}/nginx.pid;
        error_log {work}/error.log;
        events {{ worker_connections 64; }}
        http {{
            access_log off;
            sendfile on;
            tcp_nopush on;
            client_body_temp_path {work}/body;
            proxy_temp_path {work}/proxy;
            fastcgi_temp_path {work}/fastcgi;
            uwsgi_temp_path {work}/uwsgi;
            scgi_temp_path {work}/scgi;
            default_type application/octet-stream;
            server {{ listen 127.0.0.1:{http_port}; root {root}; }}
            server {{
                listen 127.0.0.1:{https_port} ssl http2;
                ssl_certificate {work}/server.pem;
                ssl_certificate_key {work}/server.pem;
                root {root};
            }}
        }}
        """
    )
    (work / "nginx.conf").write_text(config)
    process = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-p", str(work)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", http_port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return (
        process,
        f"http://127.0.0.1:{http_port}/big.bin",
        f"https://127.0.0.1:{https_port}/big.bin",
        str(work / "ca.pem"),
    )


def start_python_server(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"http://127.0.0.1:{port}/big.bin"


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(16 << 20)
    with path.open("wb") as out:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


# ------------------------------------------------------------------------- runs


def run_curl(url: str, dest: Path, size: int, ca: str = "") -> float:
    command = ["curl", "-s", "-f", "-o", str(dest), url]
    if ca:
        command[1:1] = ["--http2", "--cacert", ca]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    assert dest.stat().st_size == size
    dest.unlink()
    return size / seconds / 1e6


def run_courier(
    proc: subprocess.Popen[str], url: str, dest: Path, size: int, ca: str = "", label: str = ""
) -> dict[str, Any]:
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(json.dumps({"url": url, "dest": str(dest), "ca": ca, "label": label}) + "\n")
    proc.stdin.flush()
    result: dict[str, Any] = json.loads(proc.stdout.readline())
    result["mb_s"] = size / result["seconds"] / 1e6
    with_name = dest if dest.exists() else None
    if with_name is not None:
        dest.unlink()
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker()
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=GIB)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="where downloads go (default: a temp dir)")
    parser.add_argument("--no-h2", action="store_true", help="skip the HTTP/2 pair")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="courier-bench-dl-"))
    work.chmod(0o755)  # nginx's workers run as another user
    out_dir = args.dir or work / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    served = work / "root"
    served.mkdir()
    expected = make_file(served / "big.bin", args.size)
    nginx = ensure_nginx()
    h2_url = ca = ""
    if nginx:
        server, url, h2_url, ca = start_nginx(nginx, served, work)
        print(f"server: nginx ({nginx}), {url} and HTTP/2 {h2_url}", flush=True)
    else:
        server, url = start_python_server(served)
        print(f"server: Python http.server (nginx not installed), {url}", flush=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["COURIER_HOME"] = str(work / "home")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    proc = subprocess.Popen(
        [sys.executable, os.environ.get("BENCH_WORKER", __file__), "--worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())  # ready
        ratios, curl_speeds, courier_speeds, results = [], [], [], []
        for pair in range(args.pairs):
            curl = run_curl(url, out_dir / "curl.bin", args.size)
            result = run_courier(proc, url, out_dir / "courier.bin", args.size)
            results.append(result)
            ratios.append(result["mb_s"] / curl)
            curl_speeds.append(curl)
            courier_speeds.append(result["mb_s"])
            print(
                f"pair {pair + 1}: curl {curl:.0f} MB/s, courier {result['mb_s']:.0f} MB/s "
                f"(ratio {result['mb_s'] / curl:.2f}), max gap {result['max_gap_ms']:.0f} ms, "
                f"sha ok {result['sha256'] == expected}, "
                f"rss +{(result['peak_rss'] - result['baseline_rss']) / 1e6:.0f} MB, "
                f"cpu s {result['cpu_s']}",
                flush=True,
            )
        h2_ratio = None
        if h2_url and not args.no_h2:
            curl = run_curl(h2_url, out_dir / "curl.bin", args.size, ca)
            result = run_courier(proc, h2_url, out_dir / "courier.bin", args.size, ca, "h2")
            results.append(result)
            h2_ratio = result["mb_s"] / curl
            print(
                f"HTTP/2: curl {curl:.0f} MB/s, courier {result['mb_s']:.0f} MB/s "
                f"(ratio {h2_ratio:.2f}), max gap {result['max_gap_ms']:.0f} ms, "
                f"rss +{(result['peak_rss'] - result['baseline_rss']) / 1e6:.0f} MB",
                flush=True,
            )
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=60)
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    baseline = results[0]["baseline_rss"]
    summary = {
        "server": "nginx" if nginx else "python http.server",
        "size": args.size,
        "ratio_vs_curl": round(statistics.median(ratios), 3),
        "courier_mb_s": round(statistics.median(courier_speeds), 1),
        "curl_mb_s": round(statistics.median(curl_speeds), 1),
        "rss_growth_mb": round((max(r["peak_rss"] for r in results) - baseline) / 1e6, 1),
        "max_gap_ms": round(max(r["max_gap_ms"] for r in results), 1),
        "max_gap_ms_after_first": round(max(r["max_gap_ms"] for r in results[1:]), 1)
        if len(results) > 1
        else None,
        "sha256_ok": all(r["ok"] and r["sha256"] == expected for r in results),
        "h2_ratio_vs_curl": round(h2_ratio, 3) if h2_ratio is not None else None,
        "errors": [r["error"] for r in results if r["error"]],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
