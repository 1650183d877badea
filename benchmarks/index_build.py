"""Index build speed beside tantivy's own writing speed, one worker beside two, and the process tree's memory.

    python benchmarks/index_build.py --site /tmp/assistant-bench/site-100k [--workers 1,2]

For each worker count, `assistant index SITE --workers N` runs as a child process twice: once
alone, for its wall time, and once while its whole process tree (the builder and every worker it
forks) is sampled from /proc every 20 ms, for the peak of the tree's summed resident memory, the
peak of its summed proportional set size (PSS: a page a forked worker still shares with the
builder counts half to each, so the sum is what the tree holds), and the peak of its largest
process. The sampler is kept out of the timed run because it needs CPU itself: on a machine whose
two cores two workers already keep busy, it slowed the two-worker build by 7-14 % and the
one-worker build hardly at all, which understated what the second worker gives.
The anchor is tantivy alone writing the very strings the build handed it (the passages read
back from the index built, analysed beforehand, untimed), with the same schema, heap and commit,
and as many indexing threads as tantivy chooses.
Prints the figures, the build's speed as a share of tantivy's, and two workers ÷ one.

Beside the workers ratio it prints the machine's own ceiling, measured in the same run: the same
Markdown conversion (the site's pages, converted as the build converts them) in one process and in
two independent processes at once, with nothing shared and nothing sent between them. On a virtual
machine whose two cores slow each other down, that is as far as two workers can get.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from stats import machine  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_bytes(pid: int) -> int:
    """The process's proportional set size (Linux 4.14+), 0 when it is gone or the kernel has no rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def build(site: Path, out: Path, workers: int, sampled: bool = True) -> dict:
    """Wall time and (when ``sampled``) peak memory of `assistant index` with ``workers`` processes."""
    cmd = [sys.executable, "-m", "assistant", "index", str(site), "--out", str(out), "--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=HERE.parent)
    peak = {"tree": 0, "pss": 0, "largest": 0, "processes": 1}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            pids = _tree(proc.pid)
            sizes = [_rss_bytes(pid) for pid in pids]
            peak["tree"] = max(peak["tree"], sum(sizes))
            peak["pss"] = max(peak["pss"], sum(_pss_bytes(pid) for pid in pids))
            peak["largest"] = max(peak["largest"], max(sizes, default=0))
            peak["processes"] = max(peak["processes"], len(sizes))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True) if sampled else None
    if sampler is not None:
        sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    if sampler is not None:
        sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}: {err.decode(errors='replace')[-1000:]}")
    # an unsampled run measured no memory, and says none
    return {"workers": workers, "seconds": elapsed, "sampled": sampled, **(peak if sampled else {})}


def tantivy_writing(index_dir: Path) -> tuple[float, int]:
    """Seconds tantivy alone takes to write the prepared strings of every passage of an index."""
    import tantivy

    from assistant.analysis import Analyzer
    from assistant.search_index import WRITER_HEAP, PassagePreparer, SearchIndex, _schema

    prepare = PassagePreparer(Analyzer())
    prepared = [prepare(p) for p in SearchIndex.open(index_dir).passages()]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        index = tantivy.Index(_schema(), path=folder, reuse=False)
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=0)
        for entry in prepared:
            doc = tantivy.Document()
            doc.add_text("title", entry.title)
            doc.add_text("heading", entry.heading)
            doc.add_text("body", entry.body)
            doc.add_text("exact", entry.exact)
            doc.add_bytes("passage", entry.blob)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        return time.perf_counter() - started, len(prepared)


def _markdown_bodies(site: Path, limit: int) -> list[str]:
    """The bodies (front matter cut off) of up to ``limit`` Markdown pages of the site, in path order."""
    bodies: list[str] = []
    for path in sorted(site.rglob("*.md")):
        if "_site" in path.parts or len(bodies) >= limit:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            text = text[end + 4 :] if end >= 0 else text
        bodies.append(text)
    return bodies


def _convert_all(bodies: list[str], rounds: int) -> None:
    from assistant.kramdown import markdown_to_html

    for _ in range(rounds):
        for body in bodies:
            markdown_to_html(body)


def machine_ceiling(site: Path, pages: int = 5000, rounds: int = 3) -> tuple[float, float, float]:
    """Seconds for one process to convert the pages, wall seconds for two doing it at once, and the ratio
    (2 × one ÷ two): how much faster two processes do twice the work, with no shared work and no IPC."""
    import multiprocessing

    bodies = _markdown_bodies(site, pages)
    fork = multiprocessing.get_context("fork")
    _convert_all(bodies[:50], 1)  # imports and the parser's set-up, before either timing

    def timed(processes: int) -> float:
        started = time.perf_counter()
        children = [fork.Process(target=_convert_all, args=(bodies, rounds)) for _ in range(processes)]
        for child in children:
            child.start()
        for child in children:
            child.join()
        return time.perf_counter() - started

    one, two = timed(1), timed(2)
    return one, two, 2 * one / two


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="a Jekyll site, e.g. one generate_site.py wrote")
    parser.add_argument("--workers", default="1,2", help="worker counts to build with, comma-separated")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "assistant-build-bench")
    parser.add_argument("--skip-anchor", action="store_true", help="no tantivy-alone run (for the 1M site's memory)")
    parser.add_argument("--skip-ceiling", action="store_true", help="no measure of what two processes can give")
    parser.add_argument("--skip-memory", action="store_true", help="only the timed runs, no sampled ones")
    parser.add_argument("--skip-timing", action="store_true", help="only the sampled runs (for the 1M site's memory)")
    args = parser.parse_args(argv)
    if args.skip_memory and args.skip_timing:
        parser.error("--skip-memory and --skip-timing leave nothing to run")
    args.work.mkdir(parents=True, exist_ok=True)
    counts = [int(w) for w in args.workers.split(",")]
    runs, memory = [], {}
    for n in counts:
        if not args.skip_timing:
            runs.append(build(args.site, args.work / f"index-{n}", n, sampled=False))
        if not args.skip_memory:
            memory[n] = build(args.site, args.work / f"index-{n}", n, sampled=True)
    if args.skip_timing:  # the sampled runs' times are all there is, and are said to be so
        runs = list(memory.values())
    print(f"Machine: {machine()}")
    print(f"Site {args.site}")
    for r in runs:
        line = f"  {r['workers']} worker(s): {r['seconds']:.1f} s" + (" (sampled)" if r["sampled"] else "")
        m = memory.get(r["workers"])
        if m is not None:
            line += (
                f", process tree peak {m['tree'] / 2**30:.2f} GiB summed RSS, {m['pss'] / 2**30:.2f} GiB summed "
                f"PSS ({m['processes']} processes), largest process {m['largest'] / 2**30:.2f} GiB"
            )
            if not r["sampled"]:
                line += f" (the sampled run took {m['seconds']:.1f} s)"
        print(line)
    if len(runs) > 1:
        one = next((r for r in runs if r["workers"] == 1), runs[0])
        for r in runs:
            if r is not one:
                print(f"  {r['workers']} workers ÷ 1: {one['seconds'] / r['seconds']:.2f}× as fast")
    if not args.skip_ceiling and any(r["workers"] == 2 for r in runs):
        alone, together, ceiling = machine_ceiling(args.site)
        print(
            f"  the machine's ceiling: the same Markdown conversion in two independent processes at once is "
            f"{ceiling:.2f}× one ({alone:.1f} s for one process, {together:.1f} s for two doing twice the work)"
        )
    if not args.skip_anchor:
        seconds, passages = tantivy_writing(args.work / f"index-{runs[-1]['workers']}")
        print(f"  tantivy alone writing the same {passages:,} prepared passages: {seconds:.1f} s")
        for r in runs:
            print(f"  build with {r['workers']} worker(s): {seconds / r['seconds']:.3f} of tantivy's writing speed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
