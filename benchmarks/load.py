"""Load-test the HTTP API on loopback with a production WSGI server.

    python benchmarks/load.py --index /tmp/assistant-bench/index-100k --seconds 60 --concurrency 1,8,32

Starts waitress serving ``create_app(index)`` on 127.0.0.1, drives
``POST /api/ask`` with a bounded pool of keep-alive clients, and prints
requests/s, latency, errors and the server's memory sampled every second.
Traffic goes to 127.0.0.1 only; every loop stops by time and by count.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from stats import machine, markdown_table, percentile, rss_mb  # noqa: E402

HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 200_000
GENERIC_QUESTIONS = [
    "Who leads the institute?",
    "Where is the institute located?",
    "What research groups are there?",
    "How can I apply for a PhD position?",
    "What does the group work on?",
    "Wer leitet das Institut?",
    "Welche Forschungsgruppen gibt es?",
    "Which publications appeared recently?",
    "Is there a contact email?",
    "What is the weather tomorrow?",
]

SERVER = """import sys
from waitress import serve
from assistant.http import create_app
serve(create_app(sys.argv[1]), host=sys.argv[2], port=int(sys.argv[3]), threads=int(sys.argv[4]),
      ident="assistant", _quiet=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(index: Path, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), ASSISTANT_LOG_LEVEL="WARNING")
    log = tempfile.TemporaryFile(mode="w+")  # the server's log; a pipe nobody reads would block it
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(index), HOST, str(port), str(threads)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not answer /api/health within 60 s")


def load_questions(path: Path | None, index: Path) -> list[str]:
    """Questions from a YAML file (a list of strings or of {question: ...}), or a generic mix."""
    if path is None:
        meta = index / "manifest.json"
        try:
            source = Path(json.loads(meta.read_text())["meta"]["source"])
            path = source / "queries.yaml" if (source / "queries.yaml").is_file() else None
        except (OSError, KeyError, ValueError):
            path = None
    if path is None:
        return GENERIC_QUESTIONS
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [q["question"] if isinstance(q, dict) else str(q) for q in items]


def client(port: int, questions: list[str], deadline: float, seed: int, results: list, errors: list) -> None:
    """One visitor on a keep-alive connection, asking until the deadline (or the request cap)."""
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        body = json.dumps({"question": rnd.choice(questions)}).encode()
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
                continue
            results.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as err:
            errors.append(type(err).__name__)
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.close()


def run_level(proc: subprocess.Popen, port: int, questions: list[str], concurrency: int, seconds: float) -> dict:
    results: list[float] = []
    errors: list[str] = []
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            samples.append(rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    start_rss = rss_mb(proc.pid)
    sampler.start()
    started = time.monotonic()
    deadline = started + seconds
    with ThreadPoolExecutor(concurrency) as pool:
        for i in range(concurrency):
            pool.submit(client, port, questions, deadline, i, results, errors)
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()
    at10 = samples[9] if len(samples) >= 10 else samples[0] if samples else start_rss
    end = samples[-1] if samples else rss_mb(proc.pid)
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "rps": len(results) / elapsed,
        "p50_ms": percentile(results, 50) * 1000,
        "p99_ms": percentile(results, 99) * 1000,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "rss_start_mb": start_rss,
        "rss_10s_mb": at10,
        "rss_end_mb": end,
        "rss_max_mb": max(samples, default=end),
        "growth_after_10s": (end - at10) / at10 if at10 else 0.0,
        "rss_samples_mb": [round(s, 1) for s in samples],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, action="append", required=True, help="index folder; repeat for several")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--questions", type=Path, help="YAML list of questions (default: the site's queries.yaml)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]
    report = {
        "machine": machine(),
        "command": "python benchmarks/load.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "server": f"waitress, {args.threads} threads",
        "runs": [],
    }
    rows = []
    for index in args.index:
        questions = load_questions(args.questions, index)
        try:
            proc, port = start_server(index, args.threads)
        except RuntimeError as err:
            print(f"[{index.name}] could not start: {str(err).strip().splitlines()[-1]}", flush=True)
            report["runs"].append({"index": str(index), "error": str(err)[-500:]})
            continue
        try:
            for c in levels:
                print(f"[{index.name}] concurrency {c} for {args.seconds:.0f} s ...", flush=True)
                r = run_level(proc, port, questions, c, args.seconds) | {
                    "index": str(index),
                    "questions": len(questions),
                }
                report["runs"].append(r)
                rows.append(
                    [
                        index.name,
                        c,
                        f"{r['rps']:.0f}",
                        f"{r['p50_ms']:.1f} ms",
                        f"{r['p99_ms']:.1f} ms",
                        f"{r['errors']}",
                        f"{r['rss_10s_mb']:.0f} → {r['rss_end_mb']:.0f} MB",
                        f"{r['growth_after_10s']:+.1%}",
                    ]
                )
                print(
                    markdown_table(
                        ["index", "clients", "req/s", "p50", "p99", "errors", "RSS 10 s → end", "growth"], rows[-1:]
                    ),
                    flush=True,
                )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report, indent=2))
    print(f"\n## Load ({report['server']}, client: Python threads with keep-alive, same machine)\n")
    print(markdown_table(["index", "clients", "req/s", "p50", "p99", "errors", "RSS 10 s → end", "growth"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
