"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_index_then_ask(tiny_site, tmp_path):
    out = tmp_path / "idx"
    done = run("index", str(tiny_site), "--out", str(out), "--url", "https://www.example.net")
    assert done.returncode == 0, done.stderr
    assert "passages" in done.stdout
    asked = run("ask", "Who sits on the board?", "--index", str(out), "--json")
    result = json.loads(asked.stdout)
    assert result["passages"][0]["url"].startswith("https://www.example.net/")
    assert "Ada Lovelace" in result["passages"][0]["quote"]
    text = run("ask", "Who sits on the board?", "--index", str(out)).stdout
    assert "> " in text and "https://www.example.net/" in text


def test_strict_index_fails_on_a_broken_page_but_indexes_the_rest(tiny_site, tmp_path):
    (tiny_site / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    out = tmp_path / "idx"
    lenient = run("index", str(tiny_site), "--out", str(out))
    assert lenient.returncode == 0 and "broken.md" in lenient.stderr
    strict = run("index", str(tiny_site), "--out", str(tmp_path / "idx2"), "--strict")
    assert strict.returncode == 1 and "broken.md" in strict.stderr
    asked = json.loads(run("ask", "Where is the office?", "--index", str(out), "--json").stdout)
    assert "Building 5" in asked["passages"][0]["quote"]


def test_ask_on_a_missing_index_says_what_to_do(tmp_path):
    done = run("ask", "Who?", "--index", str(tmp_path / "nothing"))
    assert done.returncode == 2
    assert "assistant index" in done.stderr and "Traceback" not in done.stderr


def test_a_folder_of_published_html_is_indexed_as_it_is(tmp_path):
    site = tmp_path / "_site"
    (site / "team").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html lang='en'><head><title>Lab</title></head><body><nav>Home Team</nav>"
        "<main><h1>Coastal Lab</h1><p>The lab measures sea level rise along the coast.</p>"
        "</main><footer>Imprint</footer></body></html>",
        encoding="utf-8",
    )
    (site / "team" / "index.html").write_text(
        "<main><h1>Team</h1><p>Dr. Mara Quill leads the lab.</p></main>", encoding="utf-8"
    )
    out = tmp_path / "idx"
    done = run("index", str(site), "--out", str(out), "--url", "https://lab.example.org")
    assert done.returncode == 0, done.stderr
    result = json.loads(run("ask", "Who leads the lab?", "--index", str(out), "--json").stdout)
    assert "Mara Quill" in result["passages"][0]["quote"]
    assert result["passages"][0]["url"].startswith("https://lab.example.org/team/")
    assert "Imprint" not in json.dumps(result)


def test_missing_theme_includes_are_noted_not_counted_as_problems(tiny_site, tmp_path):
    layout = tiny_site / "_layouts" / "default.html"
    layout.write_text("{% include head.html %}" + layout.read_text(encoding="utf-8"), encoding="utf-8")
    done = run("index", str(tiny_site), "--out", str(tmp_path / "idx"), "--strict")
    assert done.returncode == 0, done.stderr
    assert "note: includes not found" in done.stderr and "head.html" in done.stderr


def test_explain_shows_the_words_matched_through_each_step_and_why_the_top_passage_won(tiny_site, tmp_path):
    out = tmp_path / "idx"
    assert run("index", str(tiny_site), "--out", str(out)).returncode == 0
    done = run("ask", "Wer ist im Vorstand?", "--index", str(out), "--explain")
    assert done.returncode == 0, done.stderr
    assert "word 'Vorstand'" in done.stdout
    assert "glossary: board" in done.stdout  # the step that bridged the languages, and what it added
    assert "1. " in done.stdout and "coverage" in done.stdout and "matched: board" in done.stdout
