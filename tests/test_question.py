"""Question understanding, step by step: what each step adds to a question's words, and why."""

from __future__ import annotations

import re

import pytest

from assistant.analysis import Analyzer, Vocabulary
from assistant.question import MAX_VARIANTS, MAX_WORDS, answer_shape, earlier_question, with_subject_of

SITE_WORDS = Vocabulary(
    {"research": 9, "researcher": 2, "board": 4, "group": 7, "gruppe": 1, "reality": 1, "virtual": 1,
     "speaker": 2, "nachwuchs": 1, "publications": 5}
)  # fmt: skip


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def steps_of(parsed, word):
    term = next(t for t in parsed.terms if t.word == word)
    return {step for step, _ in term.why.values()}


def test_each_variant_says_which_step_added_it(analyzer):
    parsed = analyzer.parse_question("Wer ist im Vorstand?", "de", SITE_WORDS)
    term = parsed.terms[0]
    assert term.why["vorstand"] == ("own", "as typed")
    assert term.why["board"][0] == "glossary" and "Vorstand" in term.why["board"][1]
    assert term.variants["board"] < term.variants["vorstand"]  # a translation weighs less than the word


def test_a_misspelt_word_is_corrected_to_a_word_the_site_uses(analyzer):
    parsed = analyzer.parse_question("reserach groups", "en", SITE_WORDS)
    assert "typo" in steps_of(parsed, "reserach")
    assert parsed.terms[0].corrected and "research" in parsed.terms[0].variants


def test_a_word_the_site_does_not_use_is_tried_as_a_cognate_before_a_typo(analyzer):
    parsed = analyzer.parse_question("Realität", "de", SITE_WORDS)
    assert "cognate" in steps_of(parsed, "Realität") and "typo" not in steps_of(parsed, "Realität")
    assert "reality" in parsed.terms[0].variants


def test_a_german_compound_reaches_its_parts(analyzer):
    parsed = analyzer.parse_question("Nachwuchsgruppe", "de", SITE_WORDS)
    assert "compound" in steps_of(parsed, "Nachwuchsgruppe")
    assert {"nachwuchs", "gruppe"} <= set(parsed.terms[0].variants)


def test_a_verb_reaches_its_doer(analyzer):
    parsed = analyzer.parse_question("Who speaks for the board?", "en", SITE_WORDS)
    assert parsed.terms[0].why["speaker"][0] in ("agent", "family")


def test_a_follow_up_takes_its_subject_from_the_earlier_question(analyzer):
    earlier = analyzer.parse_question("What does the research group study?", "en", SITE_WORDS)
    follow = analyzer.parse_question("Who leads it?", "en", SITE_WORDS)
    assert earlier_question("Who leads it?", follow, ["What does the research group study?"])
    with_subject_of(follow, earlier, "What does the research group study?")
    carried = [t for t in follow.terms if "history" in {s for s, _ in t.why.values()}]
    assert {t.word for t in carried} >= {"research", "group"}
    assert all(w <= 0.5 for t in carried for w in t.variants.values())


def test_a_german_question_without_a_noun_goes_on_from_the_earlier_one(analyzer):
    earlier = "Wann trifft sich die Softwaregruppe?"
    asked = "An wen wende ich mich, wenn ich teilnehmen will?"
    assert earlier_question(asked, analyzer.parse_question(asked, "de", SITE_WORDS), [earlier]) == earlier
    alone = "An wen wende ich mich wegen der Anmeldung?"
    assert earlier_question(alone, analyzer.parse_question(alone, "de", SITE_WORDS), [earlier]) is None


def test_a_question_that_stands_alone_is_not_a_follow_up(analyzer):
    query = analyzer.parse_question("Which publications does the research group list?", "en", SITE_WORDS)
    assert earlier_question("Which publications does the research group list?", query, ["Who leads it?"]) is None


@pytest.mark.parametrize(
    "question",
    [
        "研" * 1000,  # one "word" of CJK characters
        "한국어" * 300,
        "مرحبا" * 200,
        "x" * 1000,
        " ".join(["abcdefghijklmnopqrstuvwxyzabcdefghijklmn"] * 100),  # 100 words of 40 letters
    ],
)
def test_the_cost_of_any_question_is_bounded(analyzer, question):
    parsed = analyzer.parse_question(question, "en", SITE_WORDS)
    assert len(parsed.terms) <= MAX_WORDS
    assert sum(len(t.variants) for t in parsed.terms) <= MAX_VARIANTS
    assert not any(t.came_through("typo") for t in parsed.terms if len(t.word) > 40)


@pytest.mark.parametrize(
    "question, shape",
    [
        ("When was the institute founded?", "date"),
        ("Wer leitet die Gruppe?", "person"),
        ("Wo ist das Sekretariat?", "place"),
        ("How many people work there?", "number"),
        ("What is CityJSON?", "definition"),
        ("What is Mara Quint doing now?", "now"),
        ("Wer hat die Entwicklung der Software ursprünglich finanziert?", "funder"),
        ("Wo arbeitet sie inzwischen?", "now"),
        ("Was macht er heute beruflich?", "now"),
        ("Which journal published it?", None),
        ("Ab wann soll es den Studiengang geben?", "date"),
        ("From when will the course be offered?", "date"),
    ],
)
def test_the_answer_shape_asked_for(question, shape):
    found = answer_shape(question)
    assert (found.name if found else None) == shape


def test_words_of_asking_are_not_what_a_question_is_about(analyzer):
    words = {
        t.word
        for t in analyzer.parse_question("Since when does the group exist, and how often could I visit?", "en").terms
    }
    assert "since" not in words and "often" not in words and "could" not in words
    # "Ab wann …?": the preposition says how it is asked
    words = {t.word.lower() for t in analyzer.parse_question("Ab wann beginnt der Masterstudiengang?", "de").terms}
    assert "ab" not in words and "masterstudiengang" in words
    words = {
        t.word for t in analyzer.parse_question("An wen kann ich mich wenden, wenn ich mitmachen will?", "de").terms
    }
    assert "will" not in words and "kann" not in words and "mitmachen" in words


def test_a_price_is_asked_for_by_many_words_and_needs_an_amount():
    for question in (
        "How much does the summer school cost?",
        "Wie hoch ist die Miete im Gästehaus?",
        "Was kostet das?",
    ):
        shape = answer_shape(question)
        assert shape is not None and shape.name == "price" and shape.required
    assert shape.fits("Die Teilnahme ist kostenlos.") and shape.fits("The fee is 120 €.")
    assert not shape.fits("The summer school takes place in July 2024.")


@pytest.mark.parametrize(
    "asked, on_the_page",
    [("gegründet", "Gründung"), ("betreut", "Betreuung"), ("kooperiert", "Kooperation"), ("Förderung", "gefördert")],
)
def test_a_german_word_finds_its_family_on_the_page(analyzer, asked, on_the_page):
    stem = analyzer.stem(on_the_page.lower(), "de")
    site = Vocabulary({stem: 3})
    parsed = analyzer.parse_question(asked, "de", site)
    assert stem in parsed.terms[0].variants and parsed.terms[0].why[stem][0] == "family"


def test_a_german_word_finds_the_compounds_whose_head_it_is(analyzer):
    site = Vocabulary({"netzwerktreffen": 4, "jahrestreffen": 1, "treffpunkt": 2})
    term = analyzer.parse_question("Treffen", "de", site).terms[0]
    assert {"netzwerktreffen", "jahrestreffen"} <= set(term.variants)
    assert "treffpunkt" not in term.variants  # a word that merely starts alike is no compound of it


def test_a_german_word_finds_the_compounds_it_heads_in_another_case(analyzer):
    site = Vocabulary({"erprobungsberufe": 1, "ausbildungsberufen": 1, "berufe": 2})
    term = analyzer.parse_question("In welchen Berufen wird erprobt?", "de", site).terms[0]
    assert {"erprobungsberufe", "ausbildungsberufen"} <= set(term.variants)


def test_a_german_word_finds_the_compounds_it_starts(analyzer):
    site = Vocabulary({"storungspravention": 2, "pravention": 1, "storungsfrei": 1, "storch": 3})
    term = analyzer.parse_question("Welche Störungen?", "de", site).terms[-1]
    assert "storungspravention" in term.variants and term.why["storungspravention"][0] == "compound"
    # "frei" is no word of the site, and "Storch" only starts with the same letters
    assert "storungsfrei" not in term.variants and "storch" not in term.variants


def test_an_english_word_finds_the_german_compounds_its_translation_heads(analyzer):
    site = Vocabulary({"automatisierungsentscheidungen": 1, "entscheidungen": 2, "vorteile": 3, "teile": 1})
    parsed = analyzer.parse_question("decisions on automation, and which part?", "en", site)
    decisions = next(t for t in parsed.terms if t.word == "decisions")
    assert decisions.why["automatisierungsentscheidungen"][0] == "compound"
    # "Teil" (a part) is too short to head a compound safely: a "Vorteil" is an advantage
    part = next(t for t in parsed.terms if t.word == "part")
    assert "vorteile" not in part.variants


def test_a_name_is_not_corrected_to_a_verb_of_the_site(analyzer):
    site = Vocabulary({"bringt": 3, "andreas": 1, "projekte": 4})
    term = next(
        t
        for t in analyzer.parse_question("Welche Projekte hat Andreas Brandt?", "de", site).terms
        if t.word == "Brandt"
    )
    assert "bringt" not in term.variants


def test_a_short_family_name_is_corrected_after_a_given_name_spelt_one_letter_off(analyzer):
    site = Vocabulary({"victoria": 2, "batz": 2, "bats": 0})
    term = next(
        t for t in analyzer.parse_question("Woran arbeitet Viktoria Bats?", "de", site).terms if t.word == "Bats"
    )
    assert "batz" in term.variants and term.corrected


@pytest.mark.parametrize(
    "text",
    ["Sie wurde im Sommer 2012 von zwei Professoren als Ideenschmiede gegründet.", "The lab was founded in 2012."],
)
def test_since_when_is_answered_by_a_founding_with_its_year(text):
    shape = answer_shape("Seit wann gibt es die Gruppe?")
    assert shape is not None and shape.name == "since" and shape.fits(text)
    assert not shape.fits("Sie wurde von zwei Professoren gegründet.")


def test_an_everyday_word_misspelt_is_corrected_through_the_glossary_when_the_site_lacks_it(analyzer):
    german_site = Vocabulary({"kontakt": 3, "netzwerk": 5})
    term = analyzer.parse_question("contcat", "en", german_site).terms[0]
    assert term.corrected and "kontakt" in term.variants


@pytest.mark.parametrize(
    "question, shape",
    [
        ("Wie lautet die Telefonnummer des Sekretariats?", "phone"),
        ("What's the lab's e-mail address?", "email"),
        ("Wie viele Studierende nehmen teil?", "number"),
        ("How often does the colloquium meet?", "frequency"),
    ],
)
def test_attributes_asked_for_are_required_in_the_answer(question, shape):
    found = answer_shape(question)
    assert found is not None and found.name == shape
    assert found.required or shape == "frequency"


def test_a_hyphenated_compound_is_asked_word_by_word(analyzer):
    words = [t.word for t in analyzer.parse_question("Wer leitet die Proteomik-Gruppe?", "de").terms]
    assert "Proteomik" in words and "Gruppe" in words
    assert [t.word for t in analyzer.parse_question("SARS-CoV-2 studies", "en").terms][0] == "SARS-CoV-2"


def test_a_deadline_asked_for_needs_a_date():
    shape = answer_shape("What is the application deadline for the PhD positions?")
    assert shape is not None and shape.name == "deadline" and shape.required
    assert shape.fits("Apply by 31 March 2025.") and not shape.fits("Apply with a CV and two letters.")


def test_a_lazy_pattern_answers_as_the_compiled_pattern_does_and_compiles_once():
    from assistant.text import LazyPattern

    lazy = LazyPattern(r"\b(who|wer)\b", re.I)
    assert "search" not in vars(lazy)  # nothing compiled on import
    assert lazy.search("Wer leitet das Institut?").group(1) == "Wer"
    assert lazy.sub("X", "who? wer?") == "X? X?"
    assert [m.span() for m in lazy.finditer("who and wer")] == [(0, 3), (8, 11)]
    assert lazy.match("nobody") is None and lazy.findall("WHO wer") == ["WHO", "wer"]
    assert vars(lazy)["search"].__self__ is lazy.compiled()  # later calls go straight to re's method
    assert lazy.pattern == r"\b(who|wer)\b" and lazy.flags == re.I


SHAPE_PROBE = """
import json, sys
from assistant import compiled_copies
from assistant.question import answer_shape
shapes = [getattr(answer_shape(q), "name", None) for q in sys.argv[1:]]
print(json.dumps({"shapes": shapes, "compiled_here": compiled_copies.patterns_compiled_here()}))
"""


def test_a_fresh_process_takes_the_patterns_an_earlier_one_compiled_and_answers_alike(tmp_path):
    """The first process compiles and keeps its patterns' programs; the next one compiles none."""
    import json
    import os
    import subprocess
    import sys

    questions = ["Who leads the group?", "Wann ist die Bewerbungsfrist?", "How much does the course cost?"]
    env = {**os.environ, "TMPDIR": str(tmp_path)}

    def probe() -> dict:
        cmd = [sys.executable, "-c", SHAPE_PROBE, *questions]
        return json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout)

    first = probe()
    assert first["compiled_here"] > 0 and list(tmp_path.glob("institute-assistant-patterns-*.marshal"))
    second = probe()
    assert second["compiled_here"] == 0
    assert second["shapes"] == first["shapes"] and first["shapes"] == ["person", "deadline", "price"]


def test_a_kept_program_makes_the_pattern_re_compile_makes():
    import _sre

    import assistant.answer  # noqa: F401  (declares the question stage's patterns)
    from assistant import compiled_copies

    samples = ["Who leads the lab?", "Wer leitet das Institut?", "When is the deadline?", "Was kostet es?", ""]
    assert len(compiled_copies._known) > 40
    for pattern, flags in sorted(compiled_copies._known):
        kept = _sre.compile(pattern, *compiled_copies.pattern_program(pattern, flags))
        fresh = re.compile(pattern, flags)
        assert (kept.flags, kept.groups, kept.groupindex) == (fresh.flags, fresh.groups, fresh.groupindex)
        for text in samples:
            a, b = kept.search(text), fresh.search(text)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), pattern


def test_a_damaged_kept_program_is_compiled_again(monkeypatch):
    from assistant import compiled_copies

    pattern = r"\b(who|wer)\s+(\w+)"
    monkeypatch.setattr(compiled_copies, "_kept", {(pattern, int(re.I)): (re.I | re.U, [999, 3], 2, {}, (None,) * 3)})
    monkeypatch.setattr(compiled_copies, "_made", {})
    compiled = compiled_copies.compile_pattern(pattern, re.I)
    assert compiled.search("Wer leitet?").groups() == ("Wer", "leitet")
    assert compiled_copies.patterns_compiled_here() == 1  # made again, to be kept right this time


def test_an_ordinal_in_words_reaches_the_figure_a_page_writes(analyzer):
    site = Vocabulary({"7": 3, "7th": 1, "treffen": 4, "achten": 1, "meeting": 2})
    parsed = analyzer.parse_question("Worum ging es beim siebten Treffen?", "de", site)
    term = next(t for t in parsed.terms if t.word == "siebten")
    assert term.variants["7"] == 1.0 and term.why["7"][0] == "ordinal"
    english = analyzer.parse_question("What was the seventh meeting about?", "en", site)
    assert "7th" in next(t for t in english.terms if t.word == "seventh").variants
    # a word the site itself writes ("achten", to heed) is not read as a figure
    verb = analyzer.parse_question("Worauf muss ich achten?", "de", site)
    assert "8" not in next(t for t in verb.terms if t.word == "achten").variants


def test_a_misspelt_name_in_the_possessive_is_corrected_as_the_name(analyzer):
    site = Vocabulary({"cutillo": 4, "dan": 3, "cats": 1})
    parsed = analyzer.parse_question("What are Dan Cutilo's cats called?", "en", site)
    term = next(t for t in parsed.terms if t.word == "Cutilo")
    assert "cutillo" in term.variants and term.came_through("typo")


def test_a_word_asked_again_gets_the_terms_a_fresh_parser_gives_it():
    # the parser keeps what the term steps found for a word; the typo budget still counts per question
    site = Vocabulary({"research": 9, "contact": 4, "office": 3, "address": 2, "phone": 5, "gruppe": 1})
    asked = [
        "reserach contcat ofice adress phnoe",  # five slips: only the first three are looked up
        "phnoe of the reserach office",
        "Wer leitet die Forschungsgruppe?",
        "phnoe",
    ]
    kept = Analyzer()
    for question in asked:
        again = kept.parse_question(question, None, site)
        fresh = Analyzer().parse_question(question, None, site)
        assert again == fresh
    assert "phone" not in kept.parse_question(asked[0], None, site).terms[-1].variants
    assert "phone" in kept.parse_question(asked[-1], None, site).terms[0].variants


def test_a_kept_word_is_not_changed_by_what_a_question_does_with_its_terms(analyzer):
    site = Vocabulary({"research": 9})
    first = analyzer.parse_question("reserach", "en", site)
    first.terms[0].variants.clear()
    assert "research" in analyzer.parse_question("reserach", "en", site).terms[0].variants
