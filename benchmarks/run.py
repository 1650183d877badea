"""Measure the assistant at growing site sizes, beside bm25s and rank-bm25.

    python benchmarks/run.py --sizes 1k,10k,100k,1m

For each size: generate the site (cached by size and seed), build the index
(rendering included), then measure index size, a fresh process's first
answer, answer() latency, peak memory of a serving process, and the ranking
step alone for tantivy, bm25s and rank-bm25 over the same passages and the
same tokens. Prints Markdown tables and writes benchmarks/out/run-*.json.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate_site  # noqa: E402
from stats import dir_size_mb, machine, markdown_table, median, percentile  # noqa: E402

from assistant.analysis import Analyzer  # noqa: E402
from assistant.answer import Assistant, answer_to_json  # noqa: E402
from assistant.build import index_site  # noqa: E402

FRESH_RUNS = 5
TOP_K = 10
RANK_BM25_BUDGET_S = 300  # skip rank-bm25 where it would take longer than this


# ------------------------------------------------------------ subprocess probes


def _probe(code: str, *args: str) -> tuple[float, str]:
    """Run code in a fresh interpreter; seconds from launch to its first line of output, and that line."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.stdout.read()
    if proc.wait(timeout=600) != 0 or not line:
        raise RuntimeError(f"benchmark probe failed (exit {proc.returncode}): {code[:80]}...")
    return elapsed, line.strip()


PROBES = {
    "tantivy": {
        "first": """import sys
from assistant.answer import Assistant, answer_to_json
a = Assistant.open(sys.argv[1]); answer_to_json(a.answer(sys.argv[2])); print("ok", flush=True)
""",
        "serve": """import sys, json
from assistant.answer import Assistant, answer_to_json
a = Assistant.open(sys.argv[1])
for q in json.load(open(sys.argv[2])): answer_to_json(a.answer(q))
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")), flush=True)
""",
    },
    "bm25s": {
        "first": """import sys, bm25s
from engine_data import query_tokens
r = bm25s.BM25.load(sys.argv[1])
r.retrieve([query_tokens(sys.argv[2])], k=min(10, r.scores["num_docs"]), show_progress=False); print("ok", flush=True)
""",
        "serve": """import sys, json, bm25s
from engine_data import query_tokens
r = bm25s.BM25.load(sys.argv[1])
for q in json.load(open(sys.argv[2])): r.retrieve([query_tokens(q)], k=min(10, r.scores["num_docs"]), show_progress=False)
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")), flush=True)
""",
    },
    "rank-bm25": {
        "first": """import sys, pickle, numpy as np
from engine_data import query_tokens
bm = pickle.load(open(sys.argv[1], "rb"))
np.argsort(bm.get_scores(query_tokens(sys.argv[2])))[::-1][:10]; print("ok", flush=True)
""",
        "serve": """import sys, json, pickle, numpy as np
from engine_data import query_tokens
bm = pickle.load(open(sys.argv[1], "rb"))
for q in json.load(open(sys.argv[2])): np.argsort(bm.get_scores(query_tokens(q)))[::-1][:10]
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")), flush=True)
""",
    },
}


def first_answer_s(engine: str, target: Path, question: str) -> float:
    return median([_probe(PROBES[engine]["first"], str(target), question)[0] for _ in range(FRESH_RUNS)])


def peak_rss_mb(engine: str, target: Path, questions_file: Path) -> float:
    return int(_probe(PROBES[engine]["serve"], str(target), str(questions_file))[1]) / 1024


# ------------------------------------------------------------ one size


def build(site: Path, index_dir: Path) -> tuple[object, float]:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    kwargs = {"workers": 2} if "workers" in inspect.signature(index_site).parameters else {}
    started = time.perf_counter()
    report = index_site(site, index_dir, **kwargs)
    return report, time.perf_counter() - started


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


def measure_size(label: str, passages: int, work: Path, seed: int, rank_bm25_limit: int) -> dict:
    from engine_data import all_passages, passage_tokens, query_tokens

    site = work / f"site-{label}"
    stamp = site / ".generated"
    if not stamp.exists() or stamp.read_text() != f"{passages} {seed}":
        print(f"[{label}] generating site ...", flush=True)
        generate_site.generate(passages, site, seed)
        stamp.write_text(f"{passages} {seed}")
    queries = yaml.safe_load((site / "queries.yaml").read_text(encoding="utf-8"))
    questions = [q["question"] for q in queries]
    while len(questions) < 200:
        questions += questions[: 200 - len(questions)]
    questions_file = work / f"questions-{label}.json"
    questions_file.write_text(json.dumps(questions))

    print(f"[{label}] building index ...", flush=True)
    index_dir = work / f"index-{label}"
    report, build_s = build(site, index_dir)
    r: dict = {
        "size": label,
        "target_passages": passages,
        "build_s": round(build_s, 2),
        "index_mb": round(dir_size_mb(index_dir), 1),
        "problems": len(getattr(report, "problems", []) or []),
    }

    print(f"[{label}] answer() latency ...", flush=True)
    assistant = Assistant.open(index_dir)
    for q in questions[:20]:
        answer_to_json(assistant.answer(q))
    lat = timed(lambda q: answer_to_json(assistant.answer(q)), questions)
    answered = sum(not assistant.answer(q).abstained for q in questions)
    r["answer_p50_ms"] = lat and percentile(lat, 50) * 1000
    r["answer_p99_ms"] = percentile(lat, 99) * 1000
    r["answered_share"] = round(answered / len(questions), 3)
    r["found_expected_top3"], r["found_by_kind"] = found_share(assistant, queries)

    passages_list = all_passages(assistant)
    r["passages"] = len(passages_list)
    analyzer = Analyzer()
    t = time.perf_counter()
    corpus_tokens = [passage_tokens(analyzer, p) for p in passages_list]
    r["tokenize_s"] = round(time.perf_counter() - t, 2)
    parsed = [assistant.parse(q) for q in questions]
    qtokens = [query_tokens(q) for q in questions]

    engines: dict[str, dict] = {}
    index = assistant.index
    for p in parsed[:20]:
        index.search(p, TOP_K)
    rank = timed(lambda p: index.search(p, TOP_K), parsed)
    engines["tantivy"] = {"build_s": r["build_s"], "rank": rank, "target": index_dir}

    print(f"[{label}] bm25s ...", flush=True)
    import bm25s

    t = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    bm25s_build = time.perf_counter() - t
    bm25s_dir = work / f"bm25s-{label}"
    retriever.save(bm25s_dir, show_progress=False)
    k = min(TOP_K, len(corpus_tokens))
    for q in qtokens[:20]:
        retriever.retrieve([q], k=k, show_progress=False)
    rank = timed(lambda q: retriever.retrieve([q], k=k, show_progress=False), qtokens)
    engines["bm25s"] = {"build_s": bm25s_build, "rank": rank, "target": bm25s_dir, "index_mb": dir_size_mb(bm25s_dir)}
    retriever = None  # free its memory before the next engine
    gc.collect()

    if len(corpus_tokens) <= rank_bm25_limit:
        print(f"[{label}] rank-bm25 ...", flush=True)
        from rank_bm25 import BM25Okapi

        t = time.perf_counter()
        okapi = BM25Okapi(corpus_tokens)
        okapi_build = time.perf_counter() - t
        pickle_path = work / f"rank-bm25-{label}.pkl"
        with open(pickle_path, "wb") as f:
            pickle.dump(okapi, f, protocol=pickle.HIGHEST_PROTOCOL)
        probe = timed(lambda q: np.argsort(okapi.get_scores(q))[::-1][:TOP_K], qtokens[:3])
        per_query = median(probe)
        sample = (
            qtokens
            if per_query * len(qtokens) <= RANK_BM25_BUDGET_S
            else qtokens[: max(3, int(RANK_BM25_BUDGET_S / per_query))]
        )
        rank = timed(lambda q: np.argsort(okapi.get_scores(q))[::-1][:TOP_K], sample)
        engines["rank-bm25"] = {
            "build_s": okapi_build,
            "rank": rank,
            "target": pickle_path,
            "index_mb": pickle_path.stat().st_size / 1e6,
            "note": "" if len(sample) == len(qtokens) else f"{len(sample)} questions only",
        }
        del okapi
        gc.collect()
    else:
        engines["rank-bm25"] = {
            "skipped": f"skipped: over {rank_bm25_limit:,} passages it would take more than ~5 minutes"
        }
    del corpus_tokens
    gc.collect()

    print(f"[{label}] fresh processes ...", flush=True)
    first_q = questions[0]
    for name, e in engines.items():
        if "skipped" in e:
            continue
        e["first_answer_s"] = first_answer_s(name, e["target"], first_q)
        e["peak_rss_mb"] = peak_rss_mb(name, e["target"], questions_file)
        e["rank_p50_ms"] = percentile(e["rank"], 50) * 1000
        e["rank_p99_ms"] = percentile(e["rank"], 99) * 1000
        e["queries"] = len(e.pop("rank"))
        e["target"] = str(e["target"])
    r["first_answer_s"] = engines["tantivy"]["first_answer_s"]
    r["peak_rss_mb"] = engines["tantivy"]["peak_rss_mb"]
    r["engines"] = engines
    return r


def found_share(assistant: Assistant, queries: list[dict]) -> tuple[float, dict[str, float]]:
    """Share of generated questions whose page is among the top three results, overall and per kind."""
    from engine_data import same_page

    by_kind: dict[str, list[bool]] = {}
    for q in queries:
        hits = answer_to_json(assistant.answer(q["question"]))["passages"][:3]
        found = any(same_page(h["url"], u) for h in hits for u in q["expected_urls"])
        by_kind.setdefault(q["kind"], []).append(found)
    every = [f for fs in by_kind.values() for f in fs]
    return (round(sum(every) / max(1, len(every)), 3), {k: round(sum(fs) / len(fs), 3) for k, fs in by_kind.items()})


# ------------------------------------------------------------ report


def tables(results: list[dict]) -> str:
    main_rows = []
    for r in results:
        main_rows.append(
            [
                r["size"],
                f"{r['passages']:,}",
                f"{r['build_s']:.1f} s",
                f"{r['index_mb']:.1f} MB",
                f"{r['first_answer_s'] * 1000:.0f} ms",
                f"{r['answer_p50_ms']:.2f} ms",
                f"{r['answer_p99_ms']:.2f} ms",
                f"{r['peak_rss_mb']:.0f} MB",
                f"{r['found_expected_top3']:.0%}",
            ]
        )
    out = [
        "### The assistant (tantivy)",
        "",
        markdown_table(
            [
                "size",
                "passages",
                "index build",
                "index on disk",
                "fresh process → first answer",
                "answer() p50",
                "answer() p99",
                "peak RSS serving",
                "expected page in top 3",
            ],
            main_rows,
        ),
        "",
    ]
    rows = []
    for r in results:
        e = r["engines"]
        base = e["tantivy"]["rank_p50_ms"]

        def cell(name: str, key: str, unit: str = "ms") -> str:
            x = e.get(name, {})
            if "skipped" in x:
                return "skipped"
            v = x[key]
            return (
                f"{v:.2f} ms"
                if unit == "ms"
                else f"{v:.0f} MB"
                if unit == "MB"
                else f"{v * 1000:.0f} ms"
                if unit == "s"
                else f"{v:.1f} s"
            )

        def rank(name: str) -> str:
            x = e.get(name, {})
            if "skipped" in x:
                return x["skipped"]
            times = x["rank_p50_ms"] / base if base else 0
            ratio = "" if name == "tantivy" or not base else f" ({times:.0f}x)" if times >= 10 else f" ({times:.1f}x)"
            note = f", {x['note']}" if x.get("note") else ""
            return f"{x['rank_p50_ms']:.2f} ms{ratio}{note}"

        rows.append(
            [
                r["size"],
                rank("tantivy"),
                rank("bm25s"),
                rank("rank-bm25"),
                " / ".join(cell(n, "rank_p99_ms") for n in ("tantivy", "bm25s", "rank-bm25")),
                " / ".join(cell(n, "build_s", "build") for n in ("tantivy", "bm25s", "rank-bm25")),
                " / ".join(cell(n, "first_answer_s", "s") for n in ("tantivy", "bm25s", "rank-bm25")),
                " / ".join(cell(n, "peak_rss_mb", "MB") for n in ("tantivy", "bm25s", "rank-bm25")),
            ]
        )
    out += [
        "### Ranking step alone, same passages and tokens (top 10)",
        "",
        markdown_table(
            [
                "size",
                "tantivy p50",
                "bm25s p50 (x slower)",
                "rank-bm25 p50 (x slower)",
                "p99 tantivy / bm25s / rank-bm25",
                "index build*",
                "fresh process → first ranking",
                "peak RSS",
            ],
            rows,
        ),
        "",
        "\\* tantivy's build includes reading and rendering the site; bm25s and rank-bm25 start from tokens.",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k,1m")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("TMPDIR", "/tmp")) / "assistant-bench",
        help="where generated sites and indexes go",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rank-bm25-max", type=int, default=300_000, help="passages above which rank-bm25 is skipped (it is too slow)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    report = {
        "machine": machine(),
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out_file = args.out / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    for label in args.sizes.split(","):
        results.append(measure_size(label, generate_site.parse_size(label), args.work, args.seed, args.rank_bm25_max))
        out_file.write_text(json.dumps(report, indent=2, default=str))  # kept even if a later size fails
        print(tables(results[-1:]), flush=True)
    print("\n## Results\n")
    print(f"Machine: {report['machine']}\n")
    print(tables(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
