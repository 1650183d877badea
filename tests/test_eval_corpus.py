"""The held-out question sets in eval/questions: valid as written, and a score floor for the corpus.

The floor guards against regressions only; it is set a little below what the
engine scores today, so a change that costs more than a couple of answers on
questions nobody tuned for shows up here.
"""

from __future__ import annotations

import importlib.util
import re
import urllib.parse
from pathlib import Path

import pytest
import yaml
from conftest import PATIENCE, ROOT, SCORES, SHARED, SITES, serving
from selectolax.lexbor import LexborHTMLParser

QUESTIONS = ROOT / "eval" / "questions"
EVALUATE = SHARED / "eval" / "evaluate.py"

# What the corpus set scored when this floor was set (16/21), minus 2.
CORPUS_FLOOR = 18


def _evaluate_module():
    if not EVALUATE.exists():
        pytest.skip(f"{EVALUATE} is absent")
    spec = importlib.util.spec_from_file_location("shared_evaluate", EVALUATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _items(name: str) -> list[dict]:
    return yaml.safe_load((QUESTIONS / name).read_text(encoding="utf-8"))


def _path(url: str) -> str:
    """The page path as evaluate.py compares it."""
    path = urllib.parse.urlsplit(url).path.lower()
    for suffix in ("index.html", ".html", "/"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path or "/"


def _visible_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, nav, header, footer"):
        node.decompose()
    body = tree.body
    return re.sub(r"\s+", " ", body.text(separator=" ") if body else "").lower()


def _missing_answers(items: list[dict], pages: dict[str, str]) -> list[str]:
    """Answer strings that occur on none of an item's expected pages."""
    missing = []
    for item in items:
        if item["kind"] == "out_of_scope":
            continue
        texts = [pages.get(_path(u)) for u in item["expected_urls"]]
        unknown = [u for u, t in zip(item["expected_urls"], texts, strict=True) if t is None]
        if unknown:
            missing.append(f"{item['id']}: no such page {unknown}")
        for answer in (item.get("answer_any") or []) + (item.get("answer_all") or []):
            if not any(answer.lower() in t for t in texts if t):
                missing.append(f"{item['id']}: {answer!r} is on none of {item['expected_urls']}")
    return missing


@pytest.mark.parametrize("name", ["corpus.yaml", "ikim-2022.yaml", "ikim-2023.yaml"])
def test_question_files_are_well_formed(name):
    items = _items(name)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for item in items:
        assert item["lang"] in ("en", "de"), item["id"]
        assert isinstance(item.get("history", []), list), item["id"]
        if item["kind"] == "out_of_scope":
            assert not item["expected_urls"] and not item["answer_any"] and not item["answer_all"], item["id"]
        else:
            assert item["expected_urls"] and (item["answer_any"] or item["answer_all"]), item["id"]
        if item["kind"] == "followup":
            assert item["history"], item["id"]
    german = sum(item["lang"] == "de" for item in items)
    out_of_scope = sum(item["kind"] == "out_of_scope" for item in items)
    assert 0.3 <= german / len(items) <= 0.55
    assert 0.15 <= out_of_scope / len(items) <= 0.3


def _rendered_pages(site: Path) -> dict[str, str]:
    from assistant.render import render_site
    from assistant.site import load_site

    documents, _ = render_site(load_site(site))
    return {_path(doc.url): _visible_text(doc.html) for doc in documents}


def test_corpus_answers_occur_on_the_expected_pages():
    assert _missing_answers(_items("corpus.yaml"), _rendered_pages(ROOT / "corpus")) == []


def test_ikim_2023_answers_occur_in_what_jekyll_built():
    built = SITES / "ikim-website-2023" / "built"
    if not built.is_dir():
        pytest.skip(f"{built} is absent")
    pages = {
        _path("/" + str(f.relative_to(built))): _visible_text(f.read_text(encoding="utf-8"))
        for f in built.rglob("*.html")
    }
    assert _missing_answers(_items("ikim-2023.yaml"), pages) == []


def test_ikim_2022_answers_occur_on_the_rendered_pages():
    site = SITES / "ikim-website-2022"
    if not site.is_dir():
        pytest.skip(f"{site} is absent")
    assert _missing_answers(_items("ikim-2022.yaml"), _rendered_pages(site)) == []


def test_corpus_question_set_scores_at_least_the_floor(tmp_path, pytestconfig):
    evaluate = _evaluate_module()
    from assistant.build import index_site

    index_site(ROOT / "corpus", tmp_path / "index")
    items = _items("corpus.yaml")
    failures = []
    with serving(tmp_path / "index") as base:
        score = 0
        for item in items:
            status, data, _ = evaluate.ask(base, item["question"], item.get("history") or [], PATIENCE)
            verdict = evaluate.judge(item, status, data)
            score += verdict["ok"]
            if not verdict["ok"]:
                failures.append(f"{item['id']} {item['question']!r}: {verdict['why']}")
    summary = pytestconfig.stash[SCORES]  # shown in pytest's terminal summary, after the tests
    summary.append(f"eval/questions/corpus.yaml score: {score}/{len(items)} (floor {CORPUS_FLOOR})")
    summary += [f"  missed {line}" for line in failures]
    assert score >= CORPUS_FLOOR, "\n".join(failures)


# How visitors write in a chat box: the corpus questions, each inside a longer message
MESSAGES = {
    "en": [
        "Hi! {q} Thanks a lot.",
        "Hello, I came across your website while looking for a thesis topic, so I would like to know: {q} "
        "Also, is there anyone I could write to about it?",
        "I am a student from another university and I am trying to find some information. {q}",
        "Good morning, I could not find this on the page. {q} Thank you in advance!",
    ],
    "de": [
        "Hallo! {q} Vielen Dank.",
        "Guten Tag, ich habe Ihre Website bei der Suche nach einem Thema für meine Abschlussarbeit gefunden, "
        "daher meine Frage: {q} Gibt es außerdem jemanden, an den ich mich dazu wenden kann?",
        "Ich studiere an einer anderen Universität und suche ein paar Informationen. {q}",
        "Guten Morgen, ich habe das auf der Seite nicht gefunden. {q} Danke im Voraus!",
    ],
}


def test_corpus_questions_inside_longer_chat_messages_are_answered_as_when_asked_alone(tmp_path):
    evaluate = _evaluate_module()
    from assistant.answer import Assistant, answer_to_json
    from assistant.build import index_site

    index_site(ROOT / "corpus", tmp_path / "index")
    assistant = Assistant.open(tmp_path / "index")
    changed = []
    for item in _items("corpus.yaml"):
        if item.get("history"):
            continue
        alone = evaluate.judge(item, 200, answer_to_json(assistant.respond(item["question"])))["ok"]
        for template in MESSAGES[item["lang"]]:
            message = template.format(q=item["question"])
            if evaluate.judge(item, 200, answer_to_json(assistant.respond(message)))["ok"] != alone:
                changed.append(f"{item['id']} {'lost' if alone else 'gained'}: {message!r}")
    assert changed == []
