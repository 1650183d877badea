"""The benchmark site generator makes a site the engine indexes and whose questions it answers."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import LONG_PATIENCE

from assistant.answer import Assistant, answer_to_json
from assistant.build import index_site

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "benchmarks" / "generate_site.py"
sys.path.insert(0, str(ROOT / "benchmarks"))

from question_mix import KINDS, question_mix  # noqa: E402


def generate(out: Path, passages: int = 300, seed: int = 7) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--passages", str(passages), "--out", str(out), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def path_of(url: str) -> str:
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    return unquote(path.split("#")[0]).removesuffix(".html").removesuffix("/index").rstrip("/")


def test_generated_site_indexes_and_its_questions_find_their_pages(tmp_path):
    site = tmp_path / "site"
    generate(site)
    assert (site / "_config.yml").is_file() and (site / "_data" / "groups.yml").is_file()
    assert list((site / "_posts").glob("*.md")) and list((site / "_bibliography").glob("*.bib"))
    queries = yaml.safe_load((site / "queries.yaml").read_text(encoding="utf-8"))
    kinds = {q["kind"] for q in queries}
    assert {"rare", "person", "typo", "german"} <= kinds

    report = index_site(site, tmp_path / "index")
    assert report.passages >= 200

    assistant = Assistant.open(tmp_path / "index")
    rare = [q for q in queries if q["kind"] == "rare"][:20]
    found = 0
    for q in rare:
        top = answer_to_json(assistant.answer(q["question"]))["passages"][:3]
        if any(path_of(p["url"]) == path_of(q["expected_urls"][0]) and q["answer_any"][0] in p["quote"] for p in top):
            found += 1
    assert found >= 0.8 * len(rare), f"only {found} of {len(rare)} coined-term questions found their page"


def test_same_seed_same_site_other_seed_other_site(tmp_path):
    generate(tmp_path / "a", seed=3)
    generate(tmp_path / "b", seed=3)
    generate(tmp_path / "c", seed=4)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "c")


def test_about_a_third_of_pages_are_german(tmp_path):
    generate(tmp_path / "site", passages=3000)
    pages = [p for p in (tmp_path / "site").rglob("*.md")]
    german = [p for p in pages if "\nlang: de\n" in p.read_text(encoding="utf-8")]
    assert 0.2 <= len(german) / len(pages) <= 0.4


@pytest.mark.slow
def test_quick_benchmark_measures_every_step_kind_and_peer(tmp_path):
    """`run.py --quick` runs end to end and reports each figure the full run reports (no speed is checked)."""
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--work",
            str(tmp_path / "w"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    (out,) = tmp_path.glob("run-*.json")
    result = json.loads(out.read_text())["results"][0]
    steps = result["steps"]
    assert {"tantivy_top10", "tantivy_top40", "rank", "answer", "respond"} <= set(steps)
    assert steps["answer"]["n"] == result["questions"] >= 100
    assert set(steps["answer_by_kind"]) == set(KINDS)
    assert {"bm25s", "rank-bm25"} <= set(result["peers"])
    assert {"assistant", "tantivy", "bm25s", "rank-bm25"} <= set(result["fresh"])
    assert "answer() p50 / p99" in run.stdout


def test_question_mix_has_every_kind_in_both_languages_and_no_repeats():
    queries = [
        {"lang": lang, "kind": "rare", "question": f"What is Term{i}x?", "answer_any": [f"Term{i}x"]}
        for i, lang in zip(range(60), ["en", "de"] * 30, strict=True)
    ]
    mix = question_mix(queries, seed=1, at_least=300)
    assert len(mix) >= 300
    assert len({(a.question, a.history) for a in mix}) == len(mix)
    assert {a.kind for a in mix} == set(KINDS)
    for kind in ("miss", "offtopic", "long", "followup"):
        assert {a.lang for a in mix if a.kind == kind} == {"en", "de"}, kind
    assert all(a.history for a in mix if a.kind == "followup")


def test_the_build_benchmark_times_unsampled_runs_and_prints_the_workers_ratio_beside_the_machines_ceiling(tmp_path):
    site = tmp_path / "site"
    generate(site)
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "index_build.py"), "--site", str(site), "--workers", "1,2"]
        + ["--work", str(tmp_path / "work"), "--skip-anchor"],
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert run.returncode == 0, run.stderr
    assert "2 workers ÷ 1:" in run.stdout
    # the times come from runs the memory sampler did not slow down; the sampled runs are reported beside them
    timed = [line for line in run.stdout.splitlines() if " worker(s): " in line and "speed" not in line]
    assert len(timed) == 2 and all("(the sampled run took " in line and "(sampled)" not in line for line in timed)
    ceiling = [line for line in run.stdout.splitlines() if "the machine's ceiling" in line]
    assert len(ceiling) == 1 and "× one (" in ceiling[0]


def test_search_floor_replays_the_searches_each_answer_made(tmp_path):
    """benchmarks/search_floor.py sees every kind's tantivy searches, and the typo look-ups of misses."""
    site = tmp_path / "site"
    generate(site)
    index_site(site, tmp_path / "index")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "search_floor.py"),
            "--index",
            str(tmp_path / "index"),
            "--site",
            str(site),
            "--questions",
            "100",
        ],
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows = {
        cells[0]: cells
        for line in run.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| kind")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert {"all", *KINDS} <= set(rows)
    assert float(rows["hit"][2]) >= 1.0  # each answered question searched the index at least once
    typos = float(rows["miss"][5].removesuffix(" ms").split(" / ")[2])
    assert typos > 0  # a coined word is looked up as a typo in the vocabulary
