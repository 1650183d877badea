"""What checking every file of an index costs when it is opened.

    python benchmarks/index_open.py /tmp/assistant-bench/index-100k /tmp/assistant-bench/index-1m [--runs 5]

`SearchIndex.open` reads the manifest, then streams every file the manifest lists through
sha256 (verify_files), then opens the passages' index and the vocabulary with tantivy. For
each index, in fresh processes (median of --runs), this times those steps apart and the
first answer after them, once with the index's pages in the page cache ("warm", a server
reopening an index it just built or copied) and once with them evicted from it ("cold", a
new machine or a Lambda sandbox reading its package for the first time). Only this index's
pages are evicted (posix_fadvise DONTNEED), so nothing else on the machine is disturbed.
"Without checks" is the same open with verify_files left out: what opening cost when only
files up to 1 MiB were hashed, give or take those small files.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from stats import machine, median  # noqa: E402

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from assistant.answer import Assistant
from assistant.analysis import Analyzer
from assistant.search_index import SearchIndex, _open_tantivy, _read_manifest, verify_files
from pathlib import Path
path, verify = Path(sys.argv[1]), sys.argv[2] == "1"
t1 = time.perf_counter()
manifest = _read_manifest(path)
t2 = time.perf_counter()
if verify:
    verify_files(path, manifest)
t3 = time.perf_counter()
analyzer = Analyzer()
index, words, _ = _open_tantivy(path, manifest)
assistant = Assistant(SearchIndex(path, manifest, index, analyzer, words), analyzer)
t4 = time.perf_counter()
assistant.respond(sys.argv[3])
t5 = time.perf_counter()
print(json.dumps({"manifest_ms": (t2 - t1) * 1e3, "verify_ms": (t3 - t2) * 1e3, "open_ms": (t4 - t3) * 1e3,
                  "first_answer_ms": (t5 - t4) * 1e3}))
"""


def evict(folder: Path) -> None:
    """Drop this folder's files from the page cache (their pages only)."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def probe(index: Path, verify: bool, question: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(index), "1" if verify else "0", question],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(index: Path, runs: int, question: str) -> dict:
    out: dict = {}
    for cache in ("cold", "warm"):
        for verify in (True, False):
            samples = []
            for _ in range(runs):
                if cache == "cold":
                    evict(index)
                else:
                    probe(index, False, question)  # the files in the page cache
                samples.append(probe(index, verify, question))
            out[f"{cache}, {'checked' if verify else 'without checks'}"] = {
                k: median([s[k] for s in samples]) for k in samples[0]
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="Who leads the institute?")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}\n")
    print(
        "| index | passages | files, MB | page cache | manifest | sha256 of every file | tantivy open | first answer |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for index in args.index:
        manifest = json.loads((index / "manifest.json").read_text())
        size = sum(f["size"] for f in manifest["files"].values()) / 1e6
        for label, m in measure(index, args.runs, args.question).items():
            print(
                f"| {index.name} | {manifest['counts']['passages']:,} | {size:,.1f} | {label} | "
                f"{m['manifest_ms']:.1f} ms | {m['verify_ms']:,.0f} ms | {m['open_ms']:.1f} ms | "
                f"{m['first_answer_ms']:.0f} ms |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
