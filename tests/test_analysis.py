"""Text analysis as the index and the question parser see it."""

from pathlib import Path

import pytest

from assistant.analysis import (
    Analyzer,
    Vocabulary,
    damerau_levenshtein,
    detect_language,
    fold,
)
from assistant.glossary import GlossaryError


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def terms(analyzer, text, lang="en"):
    return analyzer.index_terms(text, lang)


def variants(parsed):
    return parsed.all_variants()


# -- tokenizer --------------------------------------------------------------


def test_email_is_kept_whole_and_split_into_parts(analyzer):
    out = terms(analyzer, "Write to jane.doe@uni-example.de today.")
    assert "jane.doe@uni-example.de" in out
    assert {"jane", "doe", "uni", "exampl"} <= set(out)


def test_url_is_kept_whole_without_trailing_punctuation(analyzer):
    out = terms(analyzer, "See https://www.example.org/about.")
    assert "https://www.example.org/about" in out


def test_hyphenated_name_gives_whole_and_parts(analyzer):
    toks = analyzer.tokens("Prof. Lena Maier-Hein", "en")
    by_term = {t.term: (t.start, t.end) for t in toks}
    assert by_term["maier-hein"] == (11, 21)
    assert by_term["maier"] == (11, 16)
    assert by_term["hein"] == (17, 21)


def test_token_offsets_point_at_the_word(analyzer):
    text = "Die Forschungsgruppe arbeitet"
    for tok in analyzer.tokens(text, "de"):
        assert text[tok.start : tok.end] in ("Forschungsgruppe", "arbeitet")


def test_umlauts_fold_and_keep_the_digraph_spelling(analyzer):
    assert fold("Müller") == "muller"
    exact = analyzer.exact_terms("Müller")
    assert {"muller", "mueller"} <= set(exact)
    # a question typed either way finds the other spelling
    assert set(terms(analyzer, "Mueller", "de")) & set(variants(analyzer.parse_question("Müller")))
    assert set(terms(analyzer, "Müller", "de")) & set(variants(analyzer.parse_question("Mueller")))


def test_sharp_s_folds_to_ss(analyzer):
    assert fold("Straße") == "strasse"
    assert "strasse" in analyzer.exact_terms("Hauptstraße 5")[0:1] or "hauptstrasse" in analyzer.exact_terms(
        "Hauptstraße 5"
    )


def test_numbers_codes_and_ordinals_survive(analyzer):
    out = terms(analyzer, "The 4th floor hosts a BSL-3 lab since 2023.")
    assert {"4th", "2023", "bsl-3", "bsl", "3"} <= set(out)


def test_stop_words_are_dropped(analyzer):
    assert terms(analyzer, "Who is the head of what?") == ["head"]
    assert terms(analyzer, "Wer ist der Leiter und wo?", "de") == ["leit"]


def test_abbreviation_stays_one_token(analyzer):
    assert "z.b" in terms(analyzer, "z.B. Daten", "de")


# -- stemming ---------------------------------------------------------------


def test_english_stemming_merges_inflections(analyzer):
    assert terms(analyzer, "researches") == terms(analyzer, "research")
    assert terms(analyzer, "groups") == terms(analyzer, "group")


def test_german_stemming_merges_inflections(analyzer):
    assert terms(analyzer, "Gruppen", "de") == terms(analyzer, "Gruppe", "de")
    assert terms(analyzer, "Stufen", "de") == terms(analyzer, "Stufe", "de")


def test_question_words_are_stemmed_in_both_languages(analyzer):
    parsed = analyzer.parse_question("Wer forscht zu Computational Hematology?")
    found = variants(parsed)
    for passage_term in terms(analyzer, "Computational Hematology", "en"):
        assert passage_term in found


# -- compounds --------------------------------------------------------------


@pytest.mark.parametrize(
    "word, parts",
    [
        ("Nachwuchsgruppe", {"nachwuchs", "gruppe"}),
        ("Forschungsgruppe", {"forschung", "gruppe"}),
        ("Biosicherheitsstufen", {"biosicherheit", "stufen"}),
        ("Universitätsklinikum", {"universitat", "klinikum"}),
        ("Forschungsförderung", {"forschung", "forderung"}),  # a part with an umlaut, matched folded
        ("Hauptgebäude", {"haupt", "gebaude"}),
        ("Ergänzungsvorschläge", {"erganzung", "vorschlage"}),
        ("Bewerbungsfrist", {"bewerbung", "frist"}),
    ],
)
def test_german_compounds_split_into_parts(analyzer, word, parts):
    assert parts <= set(analyzer.compound_parts(word))


def test_compound_parts_are_indexed(analyzer):
    out = set(terms(analyzer, "Die Nachwuchsgruppe", "de"))
    assert set(terms(analyzer, "Gruppe", "de")) <= out
    # a question's word finds the compound it begins: "Ergänzungen" ~ "Ergänzungsvorschläge"
    assert set(terms(analyzer, "Ergänzungen", "de")) <= set(terms(analyzer, "Ergänzungsvorschläge", "de"))


def test_short_and_plain_words_are_not_split(analyzer):
    assert analyzer.compound_parts("Institut") == []
    assert analyzer.compound_parts("Professor") == []


def test_compounds_split_against_the_vocabulary_at_question_time(analyzer):
    vocab = Vocabulary({"quanten": 3, "kryptographie": 2})
    parsed = analyzer.parse_question("Quantenkryptographie", "de", vocab)
    assert {"quanten", "kryptographie"} <= set(variants(parsed))
    assert analyzer.parse_question("Quantenkryptographie", "de").terms[0].variants.keys().isdisjoint({"quanten"})


# -- language ---------------------------------------------------------------


@pytest.mark.parametrize(
    "question, lang",
    [
        ("Wer leitet die Gruppe?", "de"),
        ("Wo sitzt das Institut?", "de"),
        ("Was macht die Nachwuchsgruppe?", "de"),
        ("Wie erreiche ich das Sekretariat?", "de"),
        ("Gibt es offene Stellen?", "de"),
        ("Welche Projekte fördert das Ministerium?", "de"),
        ("Who leads the group?", "en"),
        ("Where is the institute?", "en"),
        ("What does the junior group work on?", "en"),
        ("How can I contact the office?", "en"),
        ("Are there open positions?", "en"),
        ("Which projects are funded by the ministry?", "en"),
    ],
)
def test_detect_language_of_short_questions(question, lang):
    assert detect_language(question) == lang


def test_detect_language_falls_back_to_default():
    assert detect_language("Kleesiek", default="de") == "de"
    assert detect_language("", default="en") == "en"


# -- glossary ---------------------------------------------------------------


def test_glossary_translates_german_question_words(analyzer):
    parsed = analyzer.parse_question("Wer ist im Vorstand?")
    assert parsed.lang == "de"
    assert [t.word for t in parsed.terms] == ["Vorstand"]
    v = parsed.terms[0].variants
    assert v["vorstand"] == 1.0
    assert 0 < v["board"] < 1.0


def test_glossary_translates_english_question_words(analyzer):
    v = variants(analyzer.parse_question("Who is the head of the group?"))
    assert "leitet" in v and "leit" in v


def test_glossary_phrase_matches_as_phrase(analyzer):
    v = variants(analyzer.parse_question("Wer sitzt im wissenschaftlichen Beirat?"))
    assert "advisori" in v
    v = variants(analyzer.parse_question("Who is on the scientific advisory board?"))
    assert "beirat" in v


def test_extra_glossary_extends_the_default(tmp_path):
    extra = tmp_path / "more.yml"
    extra.write_text("- en: [cryo-em]\n  de: [Kryo-Elektronenmikroskopie, Kryomikroskopie]\n", encoding="utf-8")
    v = variants(Analyzer(extra_glossaries=[extra]).parse_question("Kryomikroskopie"))
    assert "cryo-em" in v


def test_broken_glossary_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("- en: [board]\n  de: [Vorstand]\n- fr: [conseil]\n  de: [Rat]\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"bad\.yml:3"):
        Analyzer(extra_glossaries=[bad]).parse_question("Rat")


def test_default_glossary_is_large_and_valid():
    text = (Path(__file__).resolve().parents[1] / "assistant" / "glossary.yml").read_text(encoding="utf-8")
    assert text.count("\n- en:") >= 80
    Analyzer().parse_question("Vorstand")  # loads without error


# -- typos ------------------------------------------------------------------


def test_damerau_levenshtein_counts_swaps_once():
    assert damerau_levenshtein("reserch", "research") == 1
    assert damerau_levenshtein("ab", "ba") == 1
    assert damerau_levenshtein("kitten", "sitting") == 3


def test_typo_is_corrected_against_the_vocabulary(analyzer):
    vocab = Vocabulary({"research": 40, "kleesiek": 3, "computational": 9, "reach": 2, "search": 5})
    assert vocab.suggest("Reserch") == ["research"]
    assert vocab.suggest("Computaional") == ["computational"]
    assert vocab.suggest("Kleesik") == ["kleesiek"]
    parsed = analyzer.parse_question("Kleesik", "en", vocab)
    assert parsed.terms[0].variants["kleesiek"] < 1.0


def test_known_and_short_words_are_not_corrected(analyzer):
    vocab = Vocabulary({"research": 40, "data": 3, "date": 9})
    assert vocab.suggest("dat") == []
    parsed = analyzer.parse_question("research data", "en", vocab)
    assert parsed.terms[0].variants["research"] == 1.0
    assert parsed.terms[1].variants["data"] == 1.0
    assert "date" not in parsed.terms[1].variants  # "data" is a known word, not a typo


def test_a_postcode_and_town_are_indexed_as_an_address(analyzer):
    assert "address" in analyzer.index_terms("Unter den Linden 6\n10099 Berlin", "de")
    tokens = [t for t in analyzer.tokens("Unter den Linden 6, 10099 Berlin", "de") if t.term == "address"]
    assert tokens and "10099 Berlin" == "Unter den Linden 6, 10099 Berlin"[tokens[0].start : tokens[0].end]
    assert "address" not in analyzer.index_terms("In 2019 12345 visitors came.", "en")


def test_a_hyphenated_word_is_also_indexed_joined():
    terms = [t.term for t in Analyzer().tokens("Ludovico Coletta, Post-doc fellow; E-Mail", "en")]
    assert "postdoc" in terms and "email" in terms
    assert Analyzer().stem("postdocs", "en") == "postdoc"


def test_highlights_of_a_text_quoted_again_follow_the_new_question_not_the_earlier_one(analyzer):
    text = "The cafeteria opens at noon; write to mensa@example.org."
    first = analyzer.spans_of(text, "en", {"cafeteria"})
    assert [text[a:b] for a, b in first] == ["cafeteria"]
    again = analyzer.spans_of(text, "en", {"noon", "mensa@example.org"})
    assert [text[a:b] for a, b in again] == ["noon", "mensa@example.org"]
    terms = analyzer.token_terms(text, "en")
    assert {"cafeteria", "open", "noon"} <= terms
    terms.clear()  # what a caller does with its set leaves the next caller's whole
    assert {"cafeteria", "open", "noon"} <= analyzer.token_terms(text, "en")
    assert analyzer.spans_of(text, "de", {"cafeteria"}) == first  # read by another language's stemmer too
