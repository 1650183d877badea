"""The naive baseline: raw source paragraphs ranked by rank-bm25, and where that goes wrong."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import PATIENCE, answers_health, wait_until, write_site
from rank_bm25 import BM25Okapi

from assistant.naive import NaiveIndex, tokenize

ROOT = Path(__file__).resolve().parents[1]


SITE = {
    "_config.yml": "title: Example Institute\nurl: https://example.org\n",
    "index.md": """
        ---
        title: Welcome
        ---
        The Example Institute studies tide pools.

        Our building is on Harbour Road 7 in Kiel.
        """,
    "groups/algae.md": """
        ---
        title: Algae Group
        ---
        The algae group counts kelp forests from satellites.
        """,
    "_data/people.yml": """
        - name: Grace Hopper
          roles: [head]
          mail: grace@example.org
        """,
    "_bibliography/papers.bib": """
        @article{k1, title = {Counting kelp from orbit}, journal = {Sea Letters}, year = {2024}}
        """,
    "assets/logo.svg": "<svg>tide pools tide pools</svg>",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", SITE)


def test_paragraphs_come_from_raw_sources_with_guessed_urls(site):
    index = NaiveIndex.build(site)
    by_path = {p["path"] for p in index.paragraphs}
    assert by_path == {"_config.yml", "index.md", "groups/algae.md", "_data/people.yml", "_bibliography/papers.bib"}
    top, score = index.search("Where is the building?", limit=1)[0]
    assert top["text"] == "Our building is on Harbour Road 7 in Kiel."
    assert top["url"] == "https://example.org/index.html"
    assert top["line"] == 6
    assert score > 0
    # Front matter and Liquid are not understood: they are just more paragraphs.
    assert any(p["text"].startswith("---\ntitle: Algae Group") for p in index.paragraphs)


def test_base_url_argument_wins_over_config(site):
    index = NaiveIndex.build(site, base_url="http://localhost:4000/")
    top, _ = index.search("kelp forests satellites", limit=1)[0]
    assert top["url"] == "http://localhost:4000/groups/algae.html"
    assert top["title"] == "Algae Group"


def test_answer_json_speaks_the_http_contract(site):
    answer = NaiveIndex.build(site).answer_json("Who counts kelp?", history=["ignored"])
    assert answer["abstained"] is False
    assert answer["lang"] == "en"
    first = answer["passages"][0]
    assert set(first) >= {"quote", "highlights", "title", "url", "path", "score", "kind"}
    assert [first["quote"][a:b] for a, b in first["highlights"]] == ["counts", "kelp"]
    assert {p["kind"] for p in answer["passages"]} <= {"page", "data", "publication", "post"}


def test_abstains_only_when_no_paragraph_scores_above_zero(site):
    index = NaiveIndex.build(site)
    assert index.answer_json("Wie spät ist es?") == {
        "question": "Wie spät ist es?",
        "lang": "de",
        "abstained": True,
        "answer": "No paragraph of the site matches the question.",
        "passages": [],
    }
    # An unrelated question that shares one common word is still "answered".
    assert index.answer_json("What is the capital of France?")["abstained"] is False


def test_bundled_corpus_through_the_baseline():
    index = NaiveIndex.build(ROOT / "corpus")
    urls = [p["url"] for p, _ in index.search("Digital Tumor Signatures PhD project", limit=3)]
    assert "https://www.ikim.uk-essen.de/groups/mml.html" in urls


# --- the known flaw of BM25Okapi's IDF floor on small corpora ------------------------------

PARAGRAPHS = [
    "the institute in essen was founded in 2019",
    "the institute in essen has a board",
    "the hospital in essen has a smart hospital",
]


def test_a_paragraph_without_the_query_term_outranks_those_that_have_it():
    """Most words occur in more than half of three paragraphs, so the mean IDF is negative;
    BM25Okapi floors negative IDFs at epsilon * mean IDF, which is then negative too, and every
    paragraph that contains such a term is pushed below one that does not contain it at all."""
    bm25 = BM25Okapi([tokenize(p) for p in PARAGRAPHS])
    assert bm25.average_idf < 0
    assert bm25.idf["institute"] == pytest.approx(bm25.epsilon * bm25.average_idf)
    assert bm25.idf["institute"] < 0

    scores = bm25.get_scores(tokenize("institute"))
    assert scores[2] == 0  # the hospital paragraph: no "institute" in it
    assert scores[0] < 0 and scores[1] < 0
    assert max(range(3), key=lambda i: scores[i]) == 2


def test_the_baseline_quotes_the_wrong_paragraph_first(tmp_path):
    site = write_site(tmp_path, {f"p{i}.md": text for i, text in enumerate(PARAGRAPHS)})
    index = NaiveIndex.build(site, base_url="")
    best, score = index.search("institute", limit=1)[0]
    assert "institute" not in best["text"] and score == 0
    # and since nothing scores above zero, the baseline abstains although two paragraphs match
    assert index.answer_json("institute")["abstained"] is True


def test_a_term_in_exactly_half_the_paragraphs_weighs_nothing():
    bm25 = BM25Okapi([tokenize(p) for p in ["kelp in kiel", "kelp in oslo", "cod in bergen", "a prize"]])
    assert bm25.idf["kelp"] == 0
    assert list(bm25.get_scores(["kelp"])) == [0, 0, 0, 0]


# --- the baseline over real HTTP -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=PATIENCE) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_naive_server_answers_over_http(site):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "naive_server.py"), str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def started() -> bool:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode())
            return answers_health(base)

        wait_until(started, "the naive server to start")
        status, answer = _post(f"{base}/api/ask", {"question": "Who heads the algae group?", "history": []})
        assert status == 200
        assert answer["abstained"] is False
        assert answer["passages"][0]["url"].startswith("https://example.org/")
        status, error = _post(f"{base}/api/ask", {"history": []})
        assert status == 400 and "question" in error["error"]
    finally:
        proc.terminate()
        proc.wait(timeout=PATIENCE)
