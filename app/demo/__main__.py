"""``python -m app.demo``: serve the demo API on its own (for curl, other clients, demos)."""

from __future__ import annotations

import argparse
import threading

from app.demo.runner import DemoServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    args = parser.parse_args()
    server = DemoServer(port=args.port)
    print(f"Courier demo server on {server.start()}  (Ctrl+C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
