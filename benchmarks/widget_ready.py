"""Time from the widget's script tag to a launcher a visitor can use, in Debian's Chromium.

Serves the bundled corpus with `assistant serve`, opens the demo page in fresh browser
contexts (a first visit: nothing cached) and again in the same context (a later page of the
site: cached), and prints, per run kind, the median and the slowest of:

  ready    from the start of the widget.js request (the parser meets the tag) to the
           launcher shown with its stylesheet applied (the widget's "ready" mark);
  fetch    the widget.js transfer alone, the anchor: what any script of its size costs here;
  own      from the script's first line to "ready": the widget's own work, stylesheet included
           (served inside widget.js, so there is no second request).

    python benchmarks/widget_ready.py [--runs 20] [--index DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
MEASURE = """() => {
    const mark = n => performance.getEntriesByName(n)[0].startTime;
    const js = performance.getEntriesByType('resource').find(e => new URL(e.name).pathname === '/widget.js');
    return {ready: mark('institute-assistant:ready') - js.startTime, fetch: js.responseEnd - js.startTime,
            own: mark('institute-assistant:ready') - mark('institute-assistant:start')};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(index: Path | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if index:
        command += ["--index", str(index)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("assistant serve did not start")


def summary(name: str, runs: list[dict]) -> str:
    parts = []
    for key in ("ready", "fetch", "own"):
        values = sorted(r[key] for r in runs)
        parts.append(f"{key} {statistics.median(values):6.1f} ms (max {values[-1]:6.1f})")
    fetch = statistics.median(r["fetch"] for r in runs)
    ratio = f"ready/fetch {statistics.median(r['ready'] for r in runs) / fetch:4.1f}x" if fetch >= 1 else "from cache"
    return f"{name:<12} " + "   ".join(parts) + f"   {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--index", type=Path, help="index to serve (default: the bundled corpus)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from assistant.web import widget_script

    css = len(gzip.compress((ROOT / "assistant" / "static" / "widget.css").read_bytes(), 9))
    served = len(gzip.compress(widget_script(), 9))
    print(f"weight: widget.js as served, widget.css inside, {served} B gzipped (widget.css alone {css} B)")
    process, url = serve(args.index)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            first, later = [], []
            for _ in range(args.runs):
                context = browser.new_context(permissions=["local-network-access"])
                page = context.new_page()
                page.goto(url + "/")
                page.wait_for_function("() => performance.getEntriesByName('institute-assistant:ready').length")
                first.append(page.evaluate(MEASURE))
                page.goto(url + "/de")
                page.wait_for_function("() => performance.getEntriesByName('institute-assistant:ready').length")
                later.append(page.evaluate(MEASURE))
                context.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(10)
    print(f"{args.runs} runs, Chromium {CHROMIUM}, {os.cpu_count()} cores")
    print(summary("first visit", first))
    print(summary("cached", later))


if __name__ == "__main__":
    main()
