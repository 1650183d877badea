"""Measure the assistant at growing site sizes against the engine floor and beside bm25s and rank-bm25.

    python benchmarks/run.py --sizes 1k,10k,100k,1m
    python benchmarks/run.py --quick            # a small site and few questions: a smoke test

For each size: generate the site (cached by size and seed), build the index (rendering
included), then ask a mix of at least 1,000 distinct questions (benchmarks/question_mix.py:
hits, cross-language, long, follow-up, typo, miss and off-topic, in English and German).
Interleaved, question by question, so a busy machine slows every figure alike:

- the anchor: plain tantivy on the same index folder, a flat OR of the question's terms over
  the passage text, top 10 (and top CANDIDATES) fetched with their stored documents;
- the project's ranking step (`Assistant.rank`: its searches, coverage and boosts),
  `Assistant.answer` and the whole answer the API sends (`respond` + JSON), each step by an
  assistant of its own (an opened index keeps what it has read, as a server does, so no step
  finds the work of another step on the same question done).

Then the ranking step of bm25s (numba backend, `retrieve(k=...)`) and rank-bm25
(`get_top_n`) over the very passages and tokens the index holds, with the same number of
candidates the project reranks. Prints Markdown tables with ratios to the anchor and writes
benchmarks/out/run-*.json.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate_site  # noqa: E402
from question_mix import KINDS, question_mix  # noqa: E402
from stats import dir_size_mb, fresh_process_env, machine, markdown_table, median, percentile  # noqa: E402

from assistant.analysis import Analyzer  # noqa: E402
from assistant.answer import CANDIDATES, OWN_CANDIDATES, Assistant, answer_to_json  # noqa: E402
from assistant.build import index_site  # noqa: E402

FRESH_RUNS = 5
ANCHOR_K = 10
PEER_K = CANDIDATES + OWN_CANDIDATES  # as many passages as the project reranks at most
RANK_BM25_BUDGET_S = 300  # rank-bm25 answers a sample where the whole mix would take longer than this


# ------------------------------------------------------------ subprocess probes


BYTECODE = Path(tempfile.mkdtemp(prefix="bench-bytecode-"))  # the probes' bytecode cache (see fresh_process_env)
atexit.register(shutil.rmtree, BYTECODE, True)


def _probe(code: str, *args: str) -> tuple[float, str]:
    """Run code in a fresh interpreter; seconds from launch to its first line of output, and that line."""
    env = fresh_process_env(BYTECODE, PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.stdout.read()
    if proc.wait(timeout=600) != 0 or not line:
        raise RuntimeError(f"benchmark probe failed (exit {proc.returncode}): {code[:80]}...")
    return elapsed, line.strip()


_HWM = 'print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")), flush=True)'
PROBES = {
    "assistant": {
        "first": """import sys
from assistant.answer import Assistant, answer_to_json
a = Assistant.open(sys.argv[1]); answer_to_json(a.respond(sys.argv[2])); print("ok", flush=True)
""",
        "serve": """import sys, json
from assistant.answer import Assistant, answer_to_json
a = Assistant.open(sys.argv[1])
for q, h in json.load(open(sys.argv[2])): answer_to_json(a.respond(q, h))
"""
        + _HWM,
    },
    "tantivy": {
        "first": """import sys
from engine_data import PlainTantivy, query_tokens
PlainTantivy(sys.argv[1]).search(query_tokens(sys.argv[2]), 10); print("ok", flush=True)
""",
        "serve": """import sys, json
from engine_data import PlainTantivy, query_tokens
t = PlainTantivy(sys.argv[1])
for q, h in json.load(open(sys.argv[2])): t.search(query_tokens(" ".join([*h, q])), 10)
"""
        + _HWM,
    },
    "bm25s": {
        "first": """import sys, bm25s
from engine_data import query_tokens
r = bm25s.BM25.load(sys.argv[1])
r.retrieve([query_tokens(sys.argv[2])], k=min(40, r.scores["num_docs"]), show_progress=False); print("ok", flush=True)
""",
        "serve": """import sys, json, bm25s
from engine_data import query_tokens
r = bm25s.BM25.load(sys.argv[1])
for q, h in json.load(open(sys.argv[2])):
    r.retrieve([query_tokens(" ".join([*h, q]))], k=min(40, r.scores["num_docs"]), show_progress=False)
"""
        + _HWM,
    },
    "rank-bm25": {
        "first": """import sys, pickle
from engine_data import query_tokens
bm = pickle.load(open(sys.argv[1], "rb"))
bm.get_top_n(query_tokens(sys.argv[2]), list(range(bm.corpus_size)), n=40); print("ok", flush=True)
""",
        "serve": """import sys, json, pickle
from engine_data import query_tokens
bm = pickle.load(open(sys.argv[1], "rb"))
ids = list(range(bm.corpus_size))
for q, h in json.load(open(sys.argv[2]))[:50]: bm.get_top_n(query_tokens(" ".join([*h, q])), ids, n=40)
"""
        + _HWM,
    },
}


def first_answer_s(engine: str, target: Path, question: str, runs: int) -> float:
    _probe(PROBES[engine]["first"], str(target), question)  # bytecode and page cache warm, as on a second run
    return median([_probe(PROBES[engine]["first"], str(target), question)[0] for _ in range(runs)])


def peak_rss_mb(engine: str, target: Path, questions_file: Path) -> float:
    return int(_probe(PROBES[engine]["serve"], str(target), str(questions_file))[1]) / 1024


# ------------------------------------------------------------ one size


def build(site: Path, index_dir: Path, workers: int) -> float:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    started = time.perf_counter()
    index_site(site, index_dir, workers=workers)
    return time.perf_counter() - started


def figures(samples: list[float]) -> dict:
    return {"p50_ms": percentile(samples, 50) * 1000, "p99_ms": percentile(samples, 99) * 1000, "n": len(samples)}


def _site(label: str, passages: int, work: Path, seed: int) -> Path:
    site = work / f"site-{label}"
    stamp = site / ".generated"
    if not stamp.exists() or stamp.read_text() != f"{passages} {seed}":
        print(f"[{label}] generating site ...", flush=True)
        generate_site.generate(passages, site, seed)
        stamp.write_text(f"{passages} {seed}")
    return site


@dataclass
class Opened:
    """One opened assistant per timed step. An opened index keeps what it has read (decoded passages,
    parsed words, quoted texts) for the questions that follow, as a serving process does; a step timed
    right after another step of the same question would find its work done."""

    answering: Assistant
    ranking: Assistant
    responding: Assistant

    @classmethod
    def open(cls, index_dir: Path) -> Opened:
        return cls(Assistant.open(index_dir), Assistant.open(index_dir), Assistant.open(index_dir))


def measure_interleaved(opened: Opened, plain, asked: list) -> dict:
    """Per question, in turn: the anchor (plain tantivy) and the project's steps."""
    from engine_data import query_tokens

    steps: dict[str, list[float]] = {
        "tantivy_top10": [],
        "tantivy_top40": [],
        "rank": [],
        "answer": [],
        "respond": [],
    }
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    anchor_by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    answered = {k: [0, 0] for k in KINDS}
    clock = time.perf_counter
    for a in asked:
        history = list(a.history)
        t = clock()
        plain.search(query_tokens(" ".join([*history, a.question])), ANCHOR_K)
        t1 = clock()
        plain.search(query_tokens(" ".join([*history, a.question])), PEER_K)
        t2 = clock()
        ranking = opened.ranking
        ranking.rank(ranking.understand(a.question, history))
        t3 = clock()
        result = opened.answering.answer(a.question, history)
        t4 = clock()
        answer_to_json(opened.responding.respond(a.question, history))
        t5 = clock()
        for name, value in zip(steps, (t1 - t, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            steps[name].append(value)
        by_kind[a.kind].append(t4 - t3)
        anchor_by_kind[a.kind].append(t1 - t)
        answered[a.kind][0] += not result.abstained
        answered[a.kind][1] += 1
    out = {name: figures(values) for name, values in steps.items()}
    out["answer_by_kind"] = {
        k: {
            **figures(v),
            "anchor_p50_ms": percentile(anchor_by_kind[k], 50) * 1000,
            "answered": f"{answered[k][0]}/{answered[k][1]}",
        }
        for k, v in by_kind.items()
        if v
    }
    return out


def measure_peers(label: str, work: Path, assistant: Assistant, asked: list, rank_bm25_limit: int) -> dict:
    """bm25s and rank-bm25 ranking the index's own passages by the index's own tokens, PEER_K each."""
    from engine_data import all_passages, passage_tokens, query_tokens

    passages = all_passages(assistant)
    analyzer = Analyzer()
    corpus_tokens = [passage_tokens(analyzer, p) for p in passages]
    qtokens = [query_tokens(" ".join([*a.history, a.question])) for a in asked]
    k = min(PEER_K, len(corpus_tokens))
    peers: dict[str, dict] = {}

    print(f"[{label}] bm25s ...", flush=True)
    import bm25s

    t = time.perf_counter()
    retriever = bm25s.BM25(backend="numba")
    retriever.index(corpus_tokens, show_progress=False)
    built = time.perf_counter() - t
    target = work / f"bm25s-{label}"
    retriever.save(target, show_progress=False)
    for q in qtokens[:20]:  # the numba functions compile on the first call
        retriever.retrieve([q], k=k, show_progress=False)
    rank = []
    for q in qtokens:
        t = time.perf_counter()
        retriever.retrieve([q], k=k, show_progress=False)
        rank.append(time.perf_counter() - t)
    peers["bm25s"] = {"build_s": built, **figures(rank), "target": target, "index_mb": dir_size_mb(target)}
    del retriever
    gc.collect()

    if len(corpus_tokens) <= rank_bm25_limit:
        print(f"[{label}] rank-bm25 ...", flush=True)
        from rank_bm25 import BM25Okapi

        t = time.perf_counter()
        okapi = BM25Okapi(corpus_tokens)
        built = time.perf_counter() - t
        target = work / f"rank-bm25-{label}.pkl"
        with open(target, "wb") as f:
            pickle.dump(okapi, f, protocol=pickle.HIGHEST_PROTOCOL)
        ids = list(range(len(corpus_tokens)))
        t = time.perf_counter()
        okapi.get_top_n(qtokens[0], ids, n=k)
        per_query = time.perf_counter() - t
        sample = qtokens[: max(20, int(RANK_BM25_BUDGET_S / max(per_query, 1e-6)))]
        rank = []
        for q in sample:
            t = time.perf_counter()
            okapi.get_top_n(q, ids, n=k)
            rank.append(time.perf_counter() - t)
        peers["rank-bm25"] = {
            "build_s": built,
            **figures(rank),
            "target": target,
            "index_mb": target.stat().st_size / 1e6,
        }
        del okapi
        gc.collect()
    else:
        peers["rank-bm25"] = {"skipped": f"over {rank_bm25_limit:,} passages (it would take over ~5 minutes)"}
    return peers


def measure_size(label: str, passages: int, work: Path, seed: int, opts: argparse.Namespace) -> dict:
    from engine_data import PlainTantivy, same_page

    site = _site(label, passages, work, seed)
    queries = yaml.safe_load((site / "queries.yaml").read_text(encoding="utf-8"))
    asked = question_mix(queries, seed, at_least=opts.questions)
    questions_file = work / f"questions-{label}.json"
    questions_file.write_text(json.dumps([[a.question, list(a.history)] for a in asked]))

    print(f"[{label}] building index ...", flush=True)
    index_dir = work / f"index-{label}"
    build_s = build(site, index_dir, opts.workers)
    r: dict = {"size": label, "target_passages": passages, "build_s": round(build_s, 2)}
    r["index_mb"] = round(dir_size_mb(index_dir), 1)

    assistant = Assistant.open(index_dir)
    plain = PlainTantivy(index_dir)
    r["passages"] = len(assistant.index)
    r["bytes_per_passage"] = round(r["index_mb"] * 1e6 / r["passages"])
    r["questions"] = len(asked)
    r["questions_by_kind"] = {k: sum(a.kind == k for a in asked) for k in KINDS}
    print(f"[{label}] {len(asked)} questions, interleaved with plain tantivy ...", flush=True)
    opened = Opened.open(index_dir)
    # warm-up (page cache, lazily opened vocabulary) with questions of another draw, not the measured ones
    measure_interleaved(opened, plain, question_mix(queries, seed + 1, at_least=50)[:50])
    r["steps"] = measure_interleaved(opened, plain, asked)

    found = [
        any(
            same_page(h["url"], u)
            for h in answer_to_json(assistant.answer(q["question"]))["passages"][:3]
            for u in q["expected_urls"]
        )
        for q in queries
        if q["kind"] != "frequent"
    ]
    r["found_expected_top3"] = round(sum(found) / max(1, len(found)), 3)

    peers = measure_peers(label, work, assistant, asked, opts.rank_bm25_max)
    print(f"[{label}] fresh processes ...", flush=True)
    first_q = next(a.question for a in asked if a.kind == "hit")
    fresh = {"assistant": index_dir, "tantivy": index_dir} | {
        name: p["target"] for name, p in peers.items() if "skipped" not in p
    }
    r["fresh"] = {
        name: {
            "first_answer_s": first_answer_s(name, target, first_q, opts.fresh_runs),
            "peak_rss_mb": peak_rss_mb(name, target, questions_file),
        }
        for name, target in fresh.items()
    }
    for p in peers.values():
        p.pop("target", None)
    r["peers"] = peers
    return r


# ------------------------------------------------------------ report


def _ms(v: float) -> str:
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"


def _x(v: float, base: float) -> str:
    return f"{v / base:.1f}×" if base else "–"


def tables(results: list[dict]) -> str:
    out = ["### Answers against the engine floor (interleaved, same index)", ""]
    rows = []
    for r in results:
        s = r["steps"]
        a10, a40 = s["tantivy_top10"], s["tantivy_top40"]
        rows.append(
            [
                r["size"],
                f"{r['passages']:,}",
                f"{r['questions']:,}",
                f"{_ms(a10['p50_ms'])} / {_ms(a10['p99_ms'])}",
                f"{_ms(s['rank']['p50_ms'])} / {_ms(s['rank']['p99_ms'])} "
                f"({_x(s['rank']['p50_ms'], a40['p50_ms'])} / {_x(s['rank']['p99_ms'], a40['p99_ms'])} top-{PEER_K})",
                f"{_ms(s['answer']['p50_ms'])} / {_ms(s['answer']['p99_ms'])} "
                f"(**{_x(s['answer']['p50_ms'], a10['p50_ms'])} / {_x(s['answer']['p99_ms'], a10['p99_ms'])}**)",
                f"{_ms(s['respond']['p50_ms'])} / {_ms(s['respond']['p99_ms'])}",
            ]
        )
    out.append(
        markdown_table(
            [
                "size",
                "passages",
                "questions",
                "anchor: plain tantivy top 10 + documents, p50 / p99",
                "ranking step p50 / p99 (× plain tantivy)",
                "answer() p50 / p99 (× anchor)",
                "whole answer (respond + JSON) p50 / p99",
            ],
            rows,
        )
    )
    out += ["", "### answer() by kind of question (largest size)", ""]
    last = results[-1]
    out.append(
        markdown_table(
            ["kind", "questions", "answered", "answer() p50 / p99", "anchor p50", "p50 ratio"],
            [
                [
                    k,
                    str(v["n"]),
                    v["answered"],
                    f"{_ms(v['p50_ms'])} / {_ms(v['p99_ms'])}",
                    _ms(v["anchor_p50_ms"]),
                    _x(v["p50_ms"], v["anchor_p50_ms"]),
                ]
                for k, v in last["steps"]["answer_by_kind"].items()
            ],
        )
    )
    out += ["", f"### Ranking alone, same passages and tokens, top {PEER_K} (the candidates the project reranks)", ""]
    rows = []
    for r in results:
        s, p = r["steps"], r["peers"]
        base = s["tantivy_top40"]["p50_ms"]

        def peer(name: str, p: dict = p, base: float = base) -> str:
            x = p[name]
            if "skipped" in x:
                return "skipped: " + x["skipped"]
            note = f", {x['n']} questions" if x["n"] < r["questions"] else ""
            return f"{_ms(x['p50_ms'])} / {_ms(x['p99_ms'])} ({_x(x['p50_ms'], base)}{note})"

        rows.append(
            [
                r["size"],
                f"{_ms(base)} / {_ms(s['tantivy_top40']['p99_ms'])}",
                f"{_ms(s['rank']['p50_ms'])} / {_ms(s['rank']['p99_ms'])} ({_x(s['rank']['p50_ms'], base)})",
                peer("bm25s"),
                peer("rank-bm25"),
            ]
        )
    out.append(
        markdown_table(
            [
                "size",
                f"plain tantivy top {PEER_K} p50 / p99",
                "project's ranking step (×)",
                "bm25s numba `retrieve` (×)",
                "rank-bm25 `get_top_n` (×)",
            ],
            rows,
        )
    )
    out += ["", "### Fresh process and memory", ""]
    rows = []
    for r in results:
        f = r["fresh"]
        base = f["tantivy"]["first_answer_s"]
        rows.append(
            [r["size"], f"{r['build_s']:.1f} s", f"{r['index_mb']:.1f} MB", f"{r['bytes_per_passage']:,}"]
            + [
                f"{f[n]['first_answer_s'] * 1000:.0f} ms ({_x(f[n]['first_answer_s'], base)}), {f[n]['peak_rss_mb']:.0f} MB"
                if n in f
                else "–"
                for n in ("assistant", "tantivy", "bm25s", "rank-bm25")
            ]
        )
    out.append(
        markdown_table(
            [
                "size",
                "index build",
                "index on disk",
                "bytes per passage",
                "assistant: first answer, peak RSS",
                "plain tantivy",
                "bm25s",
                "rank-bm25",
            ],
            rows,
        )
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k,1m")
    parser.add_argument("--quick", action="store_true", help="one small site, 200 questions, one fresh run")
    parser.add_argument("--questions", type=int, default=1000, help="at least this many questions per size")
    parser.add_argument("--workers", type=int, default=2, help="processes building the index")
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
    parser.add_argument("--fresh-runs", type=int, default=FRESH_RUNS)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.questions, args.fresh_runs = "300", 100, 1
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
        results.append(measure_size(label, generate_site.parse_size(label), args.work, args.seed, args))
        out_file.write_text(json.dumps(report, indent=2, default=str))  # kept even if a later size fails
        print(tables(results[-1:]), flush=True)
    print("\n## Results\n")
    print(f"Machine: {report['machine']}\n")
    print(tables(results))
    print(f"\n(written to {out_file})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
