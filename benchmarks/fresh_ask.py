"""A fresh `assistant ask` beside a fresh process that opens the same index with tantivy alone and searches.

    python benchmarks/fresh_ask.py --index /tmp/assistant-bench/index-100k [--runs 9] [--question TEXT]

Each run starts three processes in turn (so a busy machine slows each alike) and times them from
launch to exit: the `assistant ask` command a user types, a `python -c` that opens the index with
`Assistant.open` and sends one answer as the API does (`respond` + JSON), and the anchor, a
`python -c` that opens the index folder with tantivy and fetches its top 10 for the question's
terms (benchmarks/engine_data.PlainTantivy). Prints the medians and the ratios to the anchor.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from stats import fresh_process_env, machine, median  # noqa: E402

ASSISTANT_API = """import sys
from assistant.answer import Assistant, answer_to_json
answer_to_json(Assistant.open(sys.argv[1]).respond(sys.argv[2]))
"""
TANTIVY = """import sys
from engine_data import PlainTantivy, query_tokens
PlainTantivy(sys.argv[1]).search(query_tokens(sys.argv[2]), 10)
"""


def _seconds(cmd: list[str], bytecode: Path) -> float:
    env = fresh_process_env(bytecode, PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]))
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # `ask` exits 1 when the site does not answer
        raise SystemExit(f"{' '.join(cmd[:3])}: exit {proc.returncode}: {proc.stderr[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--question", default="Who leads the research group?")
    args = parser.parse_args(argv)
    cli = [str(Path(sys.executable).with_name("assistant")), "ask", args.question, "--index", str(args.index)]
    probes = {
        "assistant ask": cli,
        "Assistant.open + respond": [sys.executable, "-c", ASSISTANT_API, str(args.index), args.question],
        "tantivy open + top 10": [sys.executable, "-c", TANTIVY, str(args.index), args.question],
    }
    times: dict[str, list[float]] = {name: [] for name in probes}
    with tempfile.TemporaryDirectory(prefix="fresh-ask-bytecode-") as bytecode:
        for cmd in probes.values():  # page cache and bytecode warm for all alike
            _seconds(cmd, Path(bytecode))
        for _ in range(args.runs):
            for name, cmd in probes.items():
                times[name].append(_seconds(cmd, Path(bytecode)))
    base = median(times["tantivy open + top 10"])
    print(f"Machine: {machine()}")
    print(f"Fresh processes, median of {args.runs} (interleaved), index {args.index}, question {args.question!r}")
    for name, values in times.items():
        print(f"  {name:26} {median(values) * 1000:7.0f} ms  ({median(values) / base:.2f}× the tantivy process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
