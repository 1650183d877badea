"""Hostile questions against `assistant serve`: latency and memory when every question is built to cost.

    python benchmarks/hostile.py --index /tmp/assistant-bench/index-100k        # 1,000 questions
    python benchmarks/hostile.py --index /tmp/assistant-bench/index-100k --quick

Generate the 100k-passage index as benchmarks/run.py does (generate_site.py, then
`assistant index`). Starts the real server on 127.0.0.1, first asks ordinary
questions (the anchor), then 1,000 hostile ones over one keep-alive connection:
CJK, Hangul, Arabic and Latin runs of 50-1,000 letters without a space, 100 words of
40 letters, one word repeated, and each of them again with the largest history a
32 KiB body holds. Prints p50/p99 of both and the server's resident memory before,
at its peak (sampled every 50 ms) and after. Targets: p99 <= 50 ms, RSS growth <= 50 MB.
Latency on a shared machine is mostly waiting for a core, so it also prints the server's
CPU time per question and, answering the same questions in this process, the p50/p99 of
the CPU time per answer (thread time), which other load hardly changes.
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
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from stats import machine, percentile, rss_mb  # noqa: E402

HOST = "127.0.0.1"
MAX_QUESTION = 1000
MAX_BODY = 32 * 1024
ORDINARY = ["Who leads the institute?", "Where is the office?", "Wer leitet das Institut?", "How can I apply?"]
SCRIPTS = {"cjk": (0x4E00, 0x9FFF), "hangul": (0xAC00, 0xD7A3), "arabic": (0x0621, 0x064A), "latin": (97, 123)}


def run_of(rng: random.Random, script: str, n: int) -> str:
    first, last = SCRIPTS[script]
    return "".join(chr(rng.randrange(first, last)) for _ in range(n))


def hostile(rng: random.Random) -> str:
    kind = rng.choice([*SCRIPTS, "long words", "repeated"])
    if kind in SCRIPTS:
        return run_of(rng, kind, rng.randint(50, MAX_QUESTION))
    if kind == "long words":  # as many 40-letter words as 1,000 characters hold
        return " ".join(run_of(rng, "latin", 40) for _ in range(24))
    word = rng.choice(["Forschungsgruppe", "office", "Institut", "xqzvbnmlkj"])
    return " ".join([word] * (MAX_QUESTION // (len(word) + 1)))


def body(question: str, history: list[str]) -> bytes:
    """The JSON body, with as much of ``history`` as fits in the API's 32 KiB."""
    while True:
        data = json.dumps({"question": question, "history": history}, ensure_ascii=False).encode()
        if len(data) <= MAX_BODY or not history:
            return data
        history = history[:-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(index: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_RATE_LIMIT": "off",
        "ASSISTANT_FEEDBACK_LOG": os.devnull,
        "ASSISTANT_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port", str(port)]
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


def rss_parts(pid: int) -> dict[str, float]:
    """Resident memory by kind: RssAnon (the process's own) and RssFile (pages of the memory-mapped index)."""
    with open(f"/proc/{pid}/status") as status:
        return {
            k: int(v.split()[0]) / 1024 for k, _, v in (line.partition(":") for line in status) if k.startswith("Rss")
        }


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used: unlike latency, hardly changed by other load."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process_cpu(index: Path, questions: list[str]) -> list[float]:
    """CPU time of this thread per answer, the questions asked as the server is asked them."""
    sys.path.insert(0, str(ROOT))
    from assistant.answer import Assistant, answer_to_json

    assistant = Assistant.open(index)
    for q in ORDINARY * 5:
        assistant.respond(q)
    n, out = len(questions), []
    for i, q in enumerate(questions):
        history = [questions[(i + k) % n] for k in range(1, 21)] if i % 2 else []
        started = time.thread_time()
        answer_to_json(assistant.respond(q, json.loads(body(q, history))["history"]))
        out.append(time.thread_time() - started)
    return out


def ask(conn: http.client.HTTPConnection, data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("POST", "/api/ask", body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return time.perf_counter() - started, response.status


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, required=True, help="index folder (the 100k-passage benchmark index)")
    p.add_argument("--questions", type=int, default=1000)
    p.add_argument("--quick", action="store_true", help="100 questions, for a smoke run")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    n = 100 if args.quick else args.questions
    rng = random.Random(args.seed)
    questions = [hostile(rng) for _ in range(n)]
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"hostile-server-{os.getpid()}.log"
    proc, port = start(args.index, log)
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], rss_mb(proc.pid))

    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        for q in ORDINARY * 5:  # warm up: the index and glossary are opened on the first questions
            ask(conn, body(q, []))
        cpu_start = cpu_seconds(proc.pid)
        anchor = [ask(conn, body(q, []))[0] for q in ORDINARY * 25]
        cpu_anchor = (cpu_seconds(proc.pid) - cpu_start) / len(anchor)
        before, parts_before = rss_mb(proc.pid), rss_parts(proc.pid)
        cpu_start = cpu_seconds(proc.pid)
        threading.Thread(target=sample, daemon=True).start()
        latencies, statuses = [], {}
        for i, q in enumerate(questions):
            history = [questions[(i + k) % n] for k in range(1, 21)] if i % 2 else []
            elapsed, status = ask(conn, body(q, history))  # every other one a follow-up of 20 hostile ones
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
        stop.set()
        cpu_hostile = (cpu_seconds(proc.pid) - cpu_start) / n
        after, parts_after = rss_mb(proc.pid), rss_parts(proc.pid)
        conn.close()
    finally:
        stop.set()
        proc.terminate()
        proc.wait(timeout=60)
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    cpu = in_process_cpu(args.index, questions)
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    print(f"index: {args.index}; {n} hostile questions, every other one with the largest history 32 KiB holds")
    print(f"statuses: {statuses}")
    print(
        f"anchor (ordinary questions): p50 {percentile(anchor, 50) * 1000:.1f} ms, "
        f"p99 {percentile(anchor, 99) * 1000:.1f} ms"
    )
    print(f"hostile: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies) * 1000:.1f} ms (target p99 <= 50 ms)")
    print(
        f"server CPU per question (mean): anchor {cpu_anchor * 1000:.1f} ms, hostile {cpu_hostile * 1000:.1f} ms; "
        f"in this process, CPU per hostile answer: p50 {percentile(cpu, 50) * 1000:.1f} ms, "
        f"p99 {percentile(cpu, 99) * 1000:.1f} ms, max {max(cpu) * 1000:.1f} ms (about the latency of an idle machine)"
    )
    print(
        f"server RSS: {before:.1f} MB before, peak {peak[0]:.1f} MB, {after:.1f} MB after; "
        f"growth {max(peak[0], after) - before:+.1f} MB (target <= 50 MB)"
    )
    print(
        "  of which "
        + ", ".join(
            f"{k} {parts_before[k]:.1f} -> {parts_after[k]:.1f} MB" for k in ("RssAnon", "RssFile") if k in parts_after
        )
    )
    ok = p99 <= 50 and max(peak[0], after) - before <= 50 and set(statuses) == {200}
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
