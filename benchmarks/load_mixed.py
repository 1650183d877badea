"""A loopback soak test of `assistant serve` with good and bad requests mixed.

    python benchmarks/load_mixed.py                      # bundled corpus, 60 s, 20 clients
    python benchmarks/load_mixed.py --index index/ --seconds 30 --concurrency 50

Starts the real server (waitress) on 127.0.0.1, sends questions, follow-ups,
hostile questions and malformed requests from keep-alive clients, and prints
the status counts, server errors (5xx), dropped connections, latency and the
server's memory sampled every second. Traffic goes to 127.0.0.1 only; every
loop is bounded by time and by count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from stats import percentile, rss_mb  # noqa: E402

HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 500_000
REQUEST_TIMEOUT = 30.0

QUESTIONS = [
    "Who leads the institute?",
    "Where is the institute?",
    "What research groups are there?",
    "How do I apply?",
    "Wer leitet das Institut?",
    "Welche Forschungsgruppen gibt es?",
    "What is the weather tomorrow?",
    "Is there a contact email?",
]
HOSTILE = [
    "\u200bWhere\u200d is the\ufeff office?",
    "Где находится институт?",
    "研究所在哪里",
    "🏢 office 👩‍🔬",
    "\u202eأين المعهد\u202c",
    "\x00\x07 contact \x1b[0m",
    "x" * 999,
    " ".join("abcdefgh"[n % 8] for n in range(499)),
    "<script>alert(1)</script>",
    '"unbalanced (query AND OR -',
]

# (weight, method, path, body, content type, what the answer must be)
Mix = tuple[int, str, str, bytes | None, str | None, set[int]]


def mix(rng: random.Random) -> list[Mix]:
    def post(body) -> bytes:
        return json.dumps(body).encode()

    q = rng.choice(QUESTIONS)
    return [
        (40, "POST", "/api/ask", post({"question": q}), "application/json", {200}),
        (10, "GET", "/api/ask?q=" + q.replace(" ", "+").replace("?", "%3F"), None, None, {200}),
        (10, "POST", "/api/ask", post({"question": "And who else?", "history": [q]}), "application/json", {200}),
        (10, "POST", "/api/ask", post({"question": rng.choice(HOSTILE)}), "application/json", {200}),
        (4, "POST", "/api/ask", b"{not json", "application/json", {400}),
        (4, "POST", "/api/ask", b"question=hello", "application/x-www-form-urlencoded", {415}),
        (4, "POST", "/api/ask", post({"question": "y" * 5000}), "application/json", {413}),
        (3, "POST", "/api/ask", b'{"question": "' + b"z" * 40_000 + b'"}', "application/json", {413}),
        (3, "POST", "/api/ask", post({"question": "ok", "history": ["a"] * 50}), "application/json", {413}),
        (3, "POST", "/api/ask", post({"question": "ok", "lang": "xx"}), "application/json", {400}),
        (3, "DELETE", "/api/ask", None, None, {405}),
        (3, "GET", "/api/nothing-here", None, None, {404}),
        (3, "GET", "/api/health", None, None, {200}),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def build_index(out: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(ROOT / "corpus"), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise SystemExit(f"could not build the index: {done.stderr}")
    return out


def start_server(index: Path, rate_limit: str, log: Path) -> tuple[subprocess.Popen, int]:
    """Start `assistant serve`; its log goes to a file (an unread pipe would fill up and stall it)."""
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_RATE_LIMIT": rate_limit,
        "ASSISTANT_LOG_LEVEL": "WARNING",
        "ASSISTANT_FEEDBACK_LOG": os.devnull,
        "ASSISTANT_RELOAD_SECONDS": "2",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {log.read_text()}") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start within 60 s")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.unexpected: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.dropped = 0
        self.drop_kinds: Counter[str] = Counter()
        self.non_json = 0


def client(port: int, seed: int, deadline: float, tally: Tally) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        choices = mix(rng)
        _, method, path, body, ctype, expected = rng.choices(choices, weights=[c[0] for c in choices])[0]
        headers = {"Content-Type": ctype} if ctype else {}
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as err:
            with tally.lock:
                tally.dropped += 1
                tally.drop_kinds[f"{type(err).__name__} on {method} {path[:24]} ({len(body or b'')} B)"] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            continue
        elapsed = time.perf_counter() - started
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        with tally.lock:
            tally.statuses[response.status] += 1
            tally.latencies.append(elapsed)
            if response.status not in expected:
                tally.unexpected[f"{method} {path[:40]} -> {response.status}"] += 1
            if not is_json:
                tally.non_json += 1
        if response.getheader("Connection", "").lower() == "close" or raw is None:
            conn.close()  # the server said it closes: reconnect, not a drop
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    conn.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", help="index folder (default: the bundled corpus, indexed into a temporary folder)")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--rate-limit", default="off", help="ASSISTANT_RATE_LIMIT for the server (default: off)")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else build_index(Path(tmp) / "index")
        server_log = Path(tmp) / "server.log"
        proc, port = start_server(index, args.rate_limit, server_log)
        tally = Tally()
        samples: list[float] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                samples.append(rss_mb(proc.pid))

        start_rss = rss_mb(proc.pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        deadline = started + args.seconds
        workers = [threading.Thread(target=client, args=(port, n, deadline, tally)) for n in range(args.concurrency)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=args.seconds + 60)
        wall = time.monotonic() - started
        stop.set()
        sampler.join(timeout=5)
        alive = proc.poll() is None
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_lines = server_log.read_text(errors="replace").splitlines()

    total = sum(tally.statuses.values())
    server_errors = sum(n for s, n in tally.statuses.items() if s >= 500)
    at10 = samples[9] if len(samples) >= 10 else (samples[0] if samples else start_rss)
    end = samples[-1] if samples else start_rss
    growth = (end - at10) / at10 if at10 else 0.0
    lat = sorted(tally.latencies)
    print(f"mixed load on 127.0.0.1: {args.concurrency} clients for {wall:.1f} s")
    print(f"  requests          {total} ({total / wall:.0f}/s)")
    print("  statuses          " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    print(f"  server errors     {server_errors}")
    print(f"  dropped           {tally.dropped}" + (f" {dict(tally.drop_kinds)}" if tally.dropped else ""))
    print(
        f"  unexpected status {sum(tally.unexpected.values())}"
        + (f" {dict(tally.unexpected.most_common(5))}" if tally.unexpected else "")
    )
    print(f"  non-JSON replies  {tally.non_json}")
    if lat:
        print(
            f"  latency           p50 {percentile(lat, 50) * 1000:.1f} ms, p99 {percentile(lat, 99) * 1000:.1f} ms, "
            f"max {lat[-1] * 1000:.1f} ms"
        )
    print(
        f"  server RSS        start {start_rss:.1f} MB, at 10 s {at10:.1f} MB, end {end:.1f} MB, "
        f"max {max(samples, default=end):.1f} MB, growth after 10 s {growth * 100:+.1f} %"
    )
    print(f"  server alive      {alive}")
    tracebacks = sum("Traceback" in line for line in log_lines)
    print(f"  server log        {len(log_lines)} lines, {tracebacks} tracebacks")
    ok = (
        server_errors == 0
        and tally.dropped == 0
        and not tally.unexpected
        and alive
        and growth < 0.10
        and not tracebacks
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
