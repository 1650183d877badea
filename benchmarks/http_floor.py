"""HTTP throughput of the assistant beside bare Flask and plain tantivy behind the same server, one run.

    python benchmarks/http_floor.py --index /tmp/assistant-bench/index-100k --workers 2 --seconds 10

Each app is served by the project's own server (`assistant.http.listen`, waitress, `--workers`
processes sharing the socket) on 127.0.0.1 and driven by wrk (Debian's `wrk`) at 1, 8 and 32
keep-alive connections with GET /api/ask?q=..., questions taken in turn from the site's mix
(benchmarks/question_mix.py). Apps: bare Flask answering a constant, Flask answering with
plain tantivy's top 10 with documents, and the assistant. Prints requests/s and the assistant's
ratio to plain tantivy at each level.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from question_mix import question_mix  # noqa: E402
from stats import machine, markdown_table  # noqa: E402

SERVER = """import sys
sys.path[:0] = [sys.argv[4], sys.argv[5]]
from flask import Flask, jsonify, request
from assistant.http import listen
kind, index = sys.argv[1], sys.argv[2]
if kind == "assistant":
    from assistant.http import create_app, set_rate_limit
    app = create_app(index)
    set_rate_limit(app, "off")
else:
    app = Flask(__name__)
    if kind == "tantivy":
        from engine_data import PlainTantivy, query_tokens
        plain = PlainTantivy(index)
    @app.route("/api/ask")
    def ask():
        q = request.args.get("q", "")
        if kind == "tantivy":
            return jsonify(question=q, passages=[b.decode() for b in plain.search(query_tokens(q), 10)])
        return jsonify(question=q, abstained=True, passages=[])
    app.extensions["assistant_reloader"] = type("R", (), {"request_check": lambda *a: None})()
    app.config["RATE_LIMIT"] = "off"
listen(app, "127.0.0.1", int(sys.argv[3]), workers=int(sys.argv[6])).run()
"""

LUA = """local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_health(base: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/api/ask?q=hello", timeout=10):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer")


def wrk(base: str, lua: Path, clients: int, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s", "--latency", "-s", str(lua), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {
        "rps": rps,
        "p50": p50.group(1) if p50 else "",
        "p99": p99.group(1) if p99 else "",
        "errors": int(errors.group(1)) if errors else 0,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--site", type=Path, help="the generated site (for its questions); default: beside the index")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--kinds", default="", help="only these kinds of the mix, e.g. hit,cross (default: all)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    site = args.site or args.index.parent / args.index.name.replace("index-", "site-")
    asked = question_mix(yaml.safe_load((site / "queries.yaml").read_text(encoding="utf-8")), at_least=1000)
    work = Path(tempfile.mkdtemp(prefix="http-floor-"))
    paths = work / "paths.txt"
    paths.write_text(
        "".join(
            f"/api/ask?q={urllib.parse.quote(a.question)}\n"
            for a in asked
            if not a.history and (not args.kinds or a.kind in args.kinds.split(","))
        )
    )
    lua = work / "mix.lua"
    lua.write_text(LUA % paths)
    levels = [int(c) for c in args.clients.split(",")]
    results: dict[str, dict[int, dict]] = {}
    for kind in ("bare Flask", "tantivy", "assistant"):
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, kind.split()[-1], str(args.index), str(port)]
            + [str(HERE.parent), str(HERE), str(args.workers)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_health(base, proc)
            wrk(base, lua, 8, 2)  # warm-up
            results[kind] = {c: wrk(base, lua, c, args.seconds) for c in levels}
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}; {args.workers} serving processes; {args.seconds} s a level; index {args.index}\n")
    rows = []
    for c in levels:
        b, t, a = (results[k][c] for k in ("bare Flask", "tantivy", "assistant"))
        rows.append(
            [str(c)]
            + [f"{x['rps']:.0f} (p50 {x['p50']}, p99 {x['p99']}, {x['errors']} errors)" for x in (b, t, a)]
            + [f"{a['rps'] / t['rps']:.2f}×", f"{a['rps'] / b['rps']:.2f}×"]
        )
    print(
        markdown_table(
            ["clients", "bare Flask req/s", "plain tantivy req/s", "assistant req/s", "÷ tantivy", "÷ bare"], rows
        )
    )
    print(json.dumps({k: {str(c): v for c, v in r.items()} for k, r in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
