"""Questions and bodies built to hurt: each is answered or refused as JSON, without leaking internals.

That the work stays bounded is checked by what a question becomes (how many
terms and index variants it is looked up by), not by a clock: a busy machine
is slow, and a pathological blow-up shows in those counts whatever the speed.
"""

from __future__ import annotations

import json

import pytest
from conftest import PATIENCE, TINY_SITE, request, serving, write_site

LETTERS = "abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    from assistant.build import index_site

    root = tmp_path_factory.mktemp("hostile")
    index_site(write_site(root / "site", TINY_SITE), root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def hostile_search_index(hostile_index):
    from assistant.answer import Assistant

    return Assistant.open(hostile_index).index


@pytest.fixture(scope="module")
def server(hostile_index):
    env = {"ASSISTANT_FEEDBACK_LOG": str(hostile_index.parent / "events.log"), "ASSISTANT_RATE_LIMIT": "off"}
    with serving(hostile_index, env=env) as base:
        yield base


def ask(base: str, body: dict | bytes, headers: dict | None = None) -> tuple[int, dict, dict]:
    status, hdrs, parsed = request(base, "/api/ask", body, headers=headers)
    text = json.dumps(parsed)
    assert hdrs["Content-Type"].startswith("application/json"), parsed
    assert "Traceback" not in text and "/work/" not in text and 'File "' not in text
    return status, hdrs, parsed


HOSTILE = {
    "500 terms": (" ".join(f"term{n}" for n in range(500)), {413}),
    "499 one-letter terms": (" ".join(LETTERS[n % 26] for n in range(499)), {200}),
    "one 10,000-character token": ("x" * 10_000, {413}),
    "one 999-character token": ("officeboard" * 90 + "office"[:9], {200}),
    "control characters": ("\x00\x01\x07\x1b[31mWhere\x7f is the\x08 office?\x1b[0m", {200}),
    "zero-width characters": ("\u200bWhere\u200c is\u200d the\u2060 office\ufeff?", {200}),
    "only invisible characters": ("\u200b\u200c\u200d\ufeff\u2060", {200, 400}),
    "cyrillic": ("Где находится офис института?", {200}),
    "cjk": ("研究所的办公室在哪里？事務所はどこですか", {200}),
    "emoji": ("🏢🏢🏢 where is the 🏢 office 👩‍🔬👨‍👩‍👧‍👦", {200}),
    "right to left": ("\u202eأين يقع المكتب؟\u202c office \u05d0\u05d9\u05e4\u05d4", {200}),
    "combining marks": ("o\u0301\u0302\u0303\u0304ffice" + "\u0336" * 500, {200}),
    "markup": ("<script>alert(1)</script><img src=x onerror=alert(2)> office", {200}),
    "liquid and regex bait": ("{{ site.data }} {% raw %} (a+)+$ .*.*.*=.*  \\ office **~~", {200}),
    "query syntax": ('title:office AND (board OR "contact) NOT -* ^2 ~3 [a TO z]', {200}),
    "lone surrogate": ("\ud800 office \udfff", {200}),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_question_is_answered_or_refused_as_json(server, name):
    question, expected = HOSTILE[name]
    status, _, body = ask(
        server, json.dumps({"question": question}).encode(), headers={"Content-Type": "application/json"}
    )
    assert status in expected, body
    if status == 200:
        assert isinstance(body["abstained"], bool)
        assert all(p["url"].startswith("https://example.org/") for p in body["passages"])
    else:
        assert body["error"]["code"] and body["error"]["message"]


@pytest.mark.parametrize("name", [name for name, (question, _) in HOSTILE.items() if len(question) <= 1000])
def test_the_work_a_hostile_question_makes_is_bounded(hostile_search_index, name):
    """Each question the API lets through (at most 1,000 characters) is looked up by a bounded number of terms."""
    from assistant.question import MAX_VARIANTS, MAX_WORDS

    parsed = hostile_search_index.parse(HOSTILE[name][0])
    assert len(parsed.terms) <= MAX_WORDS
    assert sum(len(term.variants) for term in parsed.terms) <= MAX_VARIANTS


def test_invisible_characters_do_not_hide_the_answer(server):
    status, _, body = ask(server, {"question": "\u200bWhere\u00ad is\x00 the office?\u202e"})
    assert status == 200 and not body["abstained"]
    assert "Building 5" in body["passages"][0]["quote"]


def test_markup_in_a_question_comes_back_as_json_text_only(server):
    status, headers, body = ask(server, {"question": "<script>alert(1)</script>"})
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "history, status, code",
    [
        (["Where is the office? " * 47] * 20, 200, None),
        (["board"] * 21, 413, "history_too_long"),
        (["x" * 1001], 413, "history_too_long"),
        ([["nested"]], 400, "invalid_history"),
        ("", 400, "invalid_history"),
    ],
)
def test_history_limits(server, history, status, code):
    got, _, body = ask(server, {"question": "And the board?", "history": history})
    assert got == status
    assert (body.get("error") or {}).get("code") == code


@pytest.mark.parametrize(
    "raw, status, code",
    [
        (b'{"question": "office", "history": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "invalid_json"),
        (b'{"question": "\xff\xfe office"}', 400, "invalid_json"),
        (b'{"question": "office", "question": "board"}', 200, None),
        (b"\xef\xbb\xbf" + b'{"question": "office"}', 200, None),
        (b'{"question": "office"' + b" " * 40_000 + b"}", 413, "body_too_large"),
        (b"", 400, "invalid_json"),
        (b"null", 400, "invalid_request"),
    ],
)
def test_malformed_bodies(server, raw, status, code):
    got, _, body = ask(server, raw, headers={"Content-Type": "application/json"})
    assert got == status, body
    assert (body.get("error") or {}).get("code") == code


def test_bad_percent_encoding_in_a_get_question(server):
    status, headers, body = request(server, "/api/ask?q=%ff%fe%00office%")
    assert status in (200, 400) and headers["Content-Type"].startswith("application/json")


class Broken:
    """An assistant whose answering fails the way a bug would, with internals in the message."""

    def __init__(self, real) -> None:
        self.index = real.index

    def answer(self, *args, **kwargs):
        raise RuntimeError("boom in /srv/secret/path/index.py line 12")


def test_an_internal_error_is_a_500_json_without_internals(tiny_index):
    from assistant.answer import Assistant
    from assistant.http import create_app

    app = create_app(tiny_index, assistant=Broken(Assistant.open(tiny_index)))
    response = app.test_client().post("/api/ask", json={"question": "Where is the office?"})
    assert response.status_code == 500 and response.is_json
    assert response.get_json()["error"]["code"] == "internal_error"
    text = response.get_data(as_text=True)
    assert "boom" not in text and "/srv/" not in text and "Traceback" not in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert app.test_client().get("/api/health").status_code == 200  # the rest keeps working


def test_demo_page_has_a_content_security_policy(server):
    import urllib.request

    for path in ("/", "/de"):
        with urllib.request.urlopen(server + path, timeout=PATIENCE) as r:
            csp = r.headers["Content-Security-Policy"]
            assert csp.startswith("default-src 'self';") and "frame-ancestors 'none'" in csp and "unsafe" not in csp
            assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"question": "\\ud800 office", "helpful": true}',
        b'{"question": "office", "helpful": true, "urls": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
)
def test_hostile_feedback_is_refused_or_stored_not_a_server_error(tiny_index, tmp_path, raw):
    from assistant.http import create_app

    app = create_app(tiny_index, config={"FEEDBACK_LOG": str(tmp_path / "events.log")})
    response = app.test_client().post("/api/feedback", data=raw, content_type="application/json")
    assert response.status_code in (204, 400)


def _run(first: int, last: int, n: int, seed: int) -> str:
    """``n`` letters of one script without a space between them: one "word" to the tokenizer."""
    import random

    rng = random.Random(seed)
    return "".join(chr(rng.randrange(first, last)) for _ in range(n))


RUNS = {
    "cjk": _run(0x4E00, 0x9FFF, 1000, 1),
    "hangul": _run(0xAC00, 0xD7A3, 1000, 2),  # folding splits every syllable into two or three letters
    "arabic": _run(0x0621, 0x064A, 1000, 3),
    "latin": _run(ord("a"), ord("z") + 1, 1000, 4),
    "capitalised latin": "K" + _run(ord("a"), ord("z") + 1, 999, 5),  # taken for a German compound
}


@pytest.mark.parametrize("name", list(RUNS))
@pytest.mark.parametrize("where", ["question", "history"])
def test_a_run_of_letters_without_spaces_costs_no_more_than_a_word(hostile_search_index, monkeypatch, name, where):
    """No typo automaton, compound split or family/cognate search is ever made for a word longer than any
    word of the vocabulary: their cost grows with the word (1,000 CJK letters asked for 6.7 GB)."""
    import tantivy

    from assistant.analysis import MAX_WORD_LETTERS, Analyzer
    from assistant.answer import Assistant

    fuzzy: list[int] = []
    split: list[int] = []
    real_fuzzy, real_split = tantivy.Query.fuzzy_term_query, Analyzer.compound_parts

    def counting_fuzzy(schema, field, text, *args, **kwargs):
        fuzzy.append(len(text))
        return real_fuzzy(schema, field, text, *args, **kwargs)

    def counting_split(self, word, vocabulary=None):
        split.append(len(word))
        return real_split(self, word, vocabulary)

    monkeypatch.setattr(tantivy.Query, "fuzzy_term_query", counting_fuzzy)
    monkeypatch.setattr(Analyzer, "compound_parts", counting_split)
    assistant = Assistant(hostile_search_index)
    run = RUNS[name]
    if where == "question":
        assistant.respond(run, [], None)
    else:
        assistant.respond("And it?", [run] * 10, None)
    assert all(n <= MAX_WORD_LETTERS for n in fuzzy), fuzzy
    assert all(n <= MAX_WORD_LETTERS for n in split), split


def test_a_misspelt_word_is_still_corrected(hostile_search_index):
    """The bound leaves typo correction to words of vocabulary length."""
    parsed = hostile_search_index.parse("Where is the offfice?")
    assert any(term.corrected for term in parsed.terms), parsed


MEMORY_CAP = """
import resource, sys
cap = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from assistant.answer import Assistant
assistant = Assistant.open(sys.argv[1])
questions = [line for line in sys.stdin.read().split("\\n") if line]
for question in questions:
    assistant.respond(question, [], None)
    assistant.respond("And it?", [question] * 10, None)
print("answered", len(questions))
"""


def test_hostile_runs_are_answered_under_a_memory_cap(hostile_index):
    """Under a cap of 1.5 GB of address space (Lambda's is 2.5 GB) every run is answered, in the question and
    in the history: one 1,000-letter word used to abort the process with a failed 6.7 GB allocation."""
    import subprocess
    import sys

    from conftest import LONG_PATIENCE, ROOT

    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CAP, str(hostile_index), "1536"],
        input="\n".join(RUNS.values()),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=LONG_PATIENCE,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"answered {len(RUNS)}"


@pytest.mark.parametrize(
    "question",
    [
        " ".join(["xqzvbnmlkj"] * 90),  # one unknown word, said 90 times
        " ".join(_run(ord("a"), ord("z") + 1, 10, seed) for seed in range(40)),  # 40 different unknown words
    ],
)
def test_a_question_makes_few_fuzzy_searches_however_many_unknown_words_it_has(
    hostile_search_index, monkeypatch, question
):
    """Each unknown word was a fuzzy search of the whole vocabulary: 48 of them took 7 s at 100k passages."""
    import tantivy

    from assistant.question import MAX_TYPOS

    searched: list[str] = []
    real = tantivy.Query.fuzzy_term_query

    def counting(schema, field, text, *args, **kwargs):
        searched.append(text)
        return real(schema, field, text, *args, **kwargs)

    monkeypatch.setattr(tantivy.Query, "fuzzy_term_query", counting)
    hostile_search_index.parse(question)
    assert len(set(searched)) <= MAX_TYPOS, searched


@pytest.mark.parametrize("capital", [False, True])
def test_a_question_splits_few_words_as_compounds_however_many_long_words_it_has(
    hostile_search_index, monkeypatch, capital
):
    """Splitting a word looks up each of its tails in the vocabulary: 24 words of 40 letters were
    3,000 lookups, most of what such a question cost."""
    from assistant.analysis import Analyzer
    from assistant.question import MAX_COMPOUNDS

    split: list[str] = []
    real = Analyzer.compound_parts

    def counting(self, word, vocabulary=None):
        split.append(word)
        return real(self, word, vocabulary)

    monkeypatch.setattr(Analyzer, "compound_parts", counting)
    words = [_run(ord("a"), ord("z") + 1, 40, seed) for seed in range(24)]
    hostile_search_index.parse(" ".join(w.capitalize() if capital else w for w in words))
    assert 0 < len(set(split)) <= MAX_COMPOUNDS, len(set(split))
    # the next question has its own budget (its word may have been split for an earlier question already)
    [term] = [
        t
        for t in hostile_search_index.parse("Wer leitet die Nachwuchsgruppe?", "de").terms
        if t.word == "Nachwuchsgruppe"
    ]
    assert term.came_through("compound"), term.why


def test_the_bounded_edit_distance_agrees_with_the_full_one_up_to_its_limit():
    import itertools

    from assistant.analysis import damerau_levenshtein

    words = ["", "a", "ab", "ba", "abc", "acb", "office", "offcie", "ofice", "board", "boards", "xqzvbnmlkj"]
    for a, b in itertools.product(words, repeat=2):
        full = damerau_levenshtein(a, b)
        for limit in range(4):
            assert damerau_levenshtein(a, b, limit) == min(full, limit + 1), (a, b, limit)
