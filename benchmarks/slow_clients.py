"""Slow clients against `assistant serve`: can a normal visitor still ask while 100 connections dawdle?

    python benchmarks/slow_clients.py                      # the bundled corpus, 60 s
    python benchmarks/slow_clients.py --index DIR --seconds 30 --quick

Starts the real server on 127.0.0.1 and holds SLOW connections, each sending a
partial POST header and then one more header line every 7 s (reconnecting when the
server closes it, as an attacker would). Meanwhile one normal client asks a question
every 100 ms on a fresh connection. First the normal client runs alone (the anchor),
then under the attack; prints p50/p99 of both, failures, and how often the server
closed a slow connection. Loopback only; every loop stops by time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from stats import machine, percentile  # noqa: E402

HOST = "127.0.0.1"
LINE_EVERY = 7.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(index: Path | None, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "ASSISTANT_RATE_LIMIT": "off", "ASSISTANT_FEEDBACK_LOG": os.devnull}
    cmd = [sys.executable, "-m", "assistant", "serve", "--port", str(port)]
    cmd += ["--index", str(index)] if index else []
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {log.read_text()}") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start within 120 s")


class Slow(threading.Thread):
    """One dawdling client: half a header, then a line every LINE_EVERY seconds, for ever."""

    def __init__(self, port: int, stop: threading.Event, counts: dict) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.counts = port, stop, counts

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection((HOST, self.port), timeout=30) as sock:
                    sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
                    self.counts["opened"] += 1
                    n = 0
                    while not self.stop.wait(LINE_EVERY):
                        n += 1
                        sock.sendall(f"X-Slow-{n}: still typing\r\n".encode())
            except OSError:
                self.counts["closed by server"] += 1
                self.stop.wait(0.5)


def normal(port: int, seconds: float) -> tuple[list[float], int]:
    """A visitor asking every 100 ms, each time on a new connection; latencies and failures."""
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request("GET", "/api/ask?q=Where+is+the+office%3F")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
        except OSError:
            failures += 1
        time.sleep(0.1)
    return latencies, failures


def describe(name: str, latencies: list[float], failures: int) -> str:
    if not latencies:
        return f"{name}: no answer at all, {failures} failures"
    return (
        f"{name}: {len(latencies)} answered, {failures} failed; p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, help="index folder (default: the bundled corpus's)")
    p.add_argument("--slow", type=int, default=100, help="slow connections held")
    p.add_argument("--seconds", type=float, default=60.0, help="length of the attack")
    p.add_argument("--quick", action="store_true", help="10 s alone and 20 s under attack")
    args = p.parse_args(argv)
    alone_s, attack_s = (10.0, 20.0) if args.quick else (20.0, args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start(args.index, Path(tmp) / "server.log")
        stop = threading.Event()
        counts = {"opened": 0, "closed by server": 0}
        try:
            normal(port, 2.0)  # warm up: the index and the glossary are opened on the first questions
            anchor = normal(port, alone_s)
            slow = [Slow(port, stop, counts) for _ in range(args.slow)]
            for client in slow:
                client.start()
            time.sleep(1.0)  # all connected
            attacked = normal(port, attack_s)
        finally:
            stop.set()
            proc.terminate()
            proc.wait(timeout=60)
    print(f"machine: {machine()}")
    print(f"{args.slow} slow clients, one header line every {LINE_EVERY:.0f} s, for {attack_s:.0f} s")
    print(describe("normal client alone", *anchor))
    print(describe("normal client under attack", *attacked))
    print(f"slow connections opened {counts['opened']}, closed by the server {counts['closed by server']}")
    return 0 if attacked[0] and not attacked[1] else 1


if __name__ == "__main__":
    sys.exit(main())
