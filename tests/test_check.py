"""`assistant check`: a question file answered from an index, judged by the evaluation's own rules."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LONG_PATIENCE, ROOT, SHARED, write_site

from assistant.answer import Assistant, answer_to_json
from assistant.check import judge, load_questions

EVALUATE = SHARED / "eval" / "evaluate.py"
DEV = SHARED / "eval" / "dev_questions.yaml"

PASSING = """
- id: t-1
  lang: en
  kind: fact
  question: "Where is the office?"
  history: []
  expected_urls: ["/contact/"]
  answer_any: ["Building 5"]
  answer_all: []
- id: t-2
  lang: de
  kind: fact
  question: "Wie lautet die Umsatzsteuer-Identifikationsnummer?"
  history: []
  expected_urls: ["/impressum.html"]
  answer_any: []
  answer_all: ["DE 123 456 789"]
- id: t-3
  lang: en
  kind: out_of_scope
  question: "What will the weather be like in Essen tomorrow?"
  history: []
  expected_urls: []
  answer_any: []
  answer_all: []
"""
FAILING = (
    PASSING
    + """
- id: t-4
  lang: en
  kind: fact
  question: "Where is the office?"
  history: []
  expected_urls: ["/people/"]
  answer_any: ["Building 7"]
  answer_all: []
- id: t-5
  lang: en
  kind: out_of_scope
  question: "Who sits on the board?"
  history: []
  expected_urls: []
"""
)


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )


def junit(path: Path):
    """The file read by junitparser, the JUnit reader many CI tools' plugins use; fails on XML it cannot read."""
    from junitparser import JUnitXml

    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert len(suites) == 1
    return suites[0]


def test_a_passing_file_exits_0_and_writes_junit_with_every_question(tiny_index, tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(PASSING, encoding="utf-8")
    report = tmp_path / "out" / "answers.xml"
    done = check(str(questions), "--index", str(tiny_index), "--junit", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "score: 3/3"
    suite = junit(report)
    assert (suite.tests, suite.failures, suite.errors) == (3, 0, 0)
    assert [case.name.split(":")[0] for case in suite] == ["t-1", "t-2", "t-3"]
    assert all(case.is_passed for case in suite)


def test_a_miss_exits_1_with_its_reason_and_a_junit_failure(tiny_index, tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(FAILING, encoding="utf-8")
    report = tmp_path / "answers.xml"
    done = check(str(questions), "--index", str(tiny_index), "--junit", str(report))
    assert done.returncode == 1
    out = done.stdout
    assert "MISS t-4 [en/fact] 'Where is the office?': urls" in out
    assert "not in ['/people']; answer text missing from top quotes" in out
    assert "MISS t-5 [en/out_of_scope] 'Who sits on the board?': answered an out-of-scope question" in out
    assert f"at {questions}:" in out and "got https://example.org/contact" in out
    assert "MISS t-1" not in out and out.rstrip().endswith("score: 3/5")
    suite = junit(report)
    assert (suite.tests, suite.failures) == (5, 2)
    failed = {case.name.split(":")[0]: case for case in suite if not case.is_passed}
    assert set(failed) == {"t-4", "t-5"}
    assert "answered an out-of-scope question" in failed["t-5"].result[0].message


def test_a_malformed_question_file_names_its_line(tiny_index, tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text("- id: a\n  question: Fine?\n- id: b\n  expected_urls: [/]\n", encoding="utf-8")
    done = check(str(questions), "--index", str(tiny_index))
    assert done.returncode == 2
    assert f"{questions}:3: each entry needs question:" in done.stderr


# -- the same judging as the evaluation ----------------------------------------------------------


def _evaluate():
    if not EVALUATE.is_file():
        pytest.skip(f"{EVALUATE} is not here")
    spec = importlib.util.spec_from_file_location("shared_evaluate", EVALUATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _variants(data: dict) -> list[dict]:
    """The answer as given, and as it would be had it gone wrong in the ways a judge must tell apart."""
    passages = data["passages"]
    return [
        data,
        {**data, "abstained": not data["abstained"]},
        {**data, "passages": []},
        {**data, "passages": passages[1:]},
        {**data, "passages": passages[::-1]},
        {**data, "passages": [{**p, "quote": ""} for p in passages]},
        {**data, "passages": [{**p, "url": p["url"].upper() + "/index.html"} for p in passages]},
    ]


def test_the_verdicts_are_those_of_the_evaluation_script(tiny_index):
    """Every question of the shared and the held-out files, answered for real, judged by both."""
    evaluate = _evaluate()
    files = [DEV, *sorted((ROOT / "eval" / "questions").glob("*.yaml"))]
    assistant = Assistant.open(tiny_index)
    compared = 0
    for file in files:
        for item in load_questions(file):
            data = json.loads(json.dumps(answer_to_json(assistant.respond(item["question"], item.get("history")))))
            for variant in _variants(data):
                theirs = evaluate.judge(item, 200, variant)
                assert judge(item, variant) == (theirs["ok"], theirs["why"]), (file.name, item["id"])
                compared += 1
    assert compared > 1000


def test_the_shared_questions_pass_on_their_site(tmp_path):
    site = SHARED / "sites" / "ikim-website"
    if not site.is_dir() or not DEV.is_file():
        pytest.skip("the shared site and questions are not here")
    out = tmp_path / "ikim"
    built = subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(site), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert built.returncode == 0, built.stderr
    done = check(str(DEV), "--index", str(out), "--junit", str(tmp_path / "dev.xml"))
    assert done.returncode == 0, done.stdout
    assert junit(tmp_path / "dev.xml").tests == len(load_questions(DEV))


def test_an_editors_pinned_section_passes_its_check(tmp_path):
    """A pin and a question file together: what an editor promises, CI holds the site to."""
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Examples\nurl: https://example.org\n",
            "visit.md": "---\ntitle: Visit\n---\n## Opening times\n\nThe library opens at eight on weekdays.\n",
            "_data/assistant.yml": "pins:\n  - page: visit.md\n    section: opening-times\n"
            '    questions:\n      de: ["Wann öffnet die Bibliothek?"]\n',
        },
    )
    out = tmp_path / "index"
    built = subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(site), "--out", str(out), "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert built.returncode == 0, built.stderr
    questions = tmp_path / "q.yaml"
    questions.write_text(
        '- id: p\n  question: "Wann öffnet die Bibliothek?"\n  expected_urls: ["/visit/"]\n  answer_all: ["eight"]\n',
        encoding="utf-8",
    )
    done = check(str(questions), "--index", str(out))
    assert done.returncode == 0, done.stdout
