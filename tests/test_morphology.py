"""German word families past the stemmer: strong verbs, separable verbs written apart, both genders."""

from __future__ import annotations

import pytest

from assistant.analysis import Analyzer, Vocabulary
from assistant.morphology import feminine_forms, infinitive, is_verb_form, joined_verb


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def site(analyzer, *words):
    """A site's vocabulary holding these German words as the index stores them (stemmed)."""
    return Vocabulary({analyzer.stem(w.lower(), "de"): 3 for w in words})


def term(parsed, word):
    return next(t for t in parsed.terms if t.word == word)


@pytest.mark.parametrize(
    "form, inf",
    [
        ("ausgeschrieben", "ausschreiben"),
        ("stattgefunden", "stattfinden"),
        ("erschienen", "erscheinen"),
        ("gegangen", "gehen"),
        ("hieß", "heissen"),
        ("teilgenommen", "teilnehmen"),
        ("auszuschreiben", "ausschreiben"),
        ("beworben", "bewerben"),
    ],
)
def test_a_form_of_a_strong_verb_has_its_infinitive(form, inf):
    assert infinitive(form) == inf


def test_a_word_that_is_no_verb_form_has_no_infinitive():
    assert infinitive("Hochschulen") is None and infinitive("Mitarbieter") is None
    assert is_verb_form("veröffentlicht") and is_verb_form("gegründet") and not is_verb_form("Netzwerk")


@pytest.mark.parametrize(
    "question, word, on_the_page",
    [
        ("Welche Stelle ist ausgeschrieben?", "ausgeschrieben", "Stellenausschreibung Ausschreibung"),
        ("Wo ist der Artikel erschienen?", "erschienen", "Erscheinung"),
        ("Wer hat sich beworben?", "beworben", "Bewerbung"),
        ("Wann haben sie teilgenommen?", "teilgenommen", "Teilnahme"),
    ],
)
def test_a_participle_of_a_strong_verb_finds_its_noun(analyzer, question, word, on_the_page):
    noun = on_the_page.split()[-1]
    parsed = analyzer.parse_question(question, "de", site(analyzer, noun))
    found = term(parsed, word)
    stem = analyzer.stem(noun.lower(), "de")
    assert stem in found.variants and found.why[stem][0] == "family"


def test_a_participle_is_not_split_as_a_compound(analyzer):
    parsed = analyzer.parse_question("Welche Stelle ist ausgeschrieben?", "de", site(analyzer, "Ebene", "Stelle"))
    found = term(parsed, "ausgeschrieben")
    assert not found.came_through("compound") and "eben" not in found.variants


@pytest.mark.parametrize(
    "particle, verb, joined",
    [("heraus", "gibt", "herausgeben"), ("statt", "findet", "stattfinden"), ("vor", "stellt", "vorstellen")],
)
def test_a_separable_verb_written_apart_is_joined(particle, verb, joined):
    assert joined_verb(particle, verb) == joined


def test_the_particle_at_the_end_of_a_question_reaches_the_verbs_family(analyzer):
    parsed = analyzer.parse_question("Und wer gibt das Handbuch heraus?", "de", site(analyzer, "Herausgeber", "heraus"))
    found = term(parsed, "heraus")
    assert found.why["herausgeb"][0] == "family"
    assert found.variants["heraus"] < found.variants["herausgeb"]  # alone, the particle says little


def test_a_question_without_a_particle_at_the_end_joins_nothing(analyzer):
    parsed = analyzer.parse_question("Wer gibt Auskunft?", "de", site(analyzer, "Auskunft", "Herausgeber"))
    assert all("herausgeb" not in t.variants for t in parsed.terms)


def test_a_feminine_noun_finds_the_masculine_and_back(analyzer):
    assert feminine_forms("professorin") == ["professor", "professorinnen"]
    assert "leiterin" in feminine_forms("leiter")
    found = analyzer.parse_question("professor", "en", site(analyzer, "Professorin")).terms[0]
    assert found.variants["professorin"] > 0.9


def test_a_form_of_a_verb_is_not_taken_for_a_slip(analyzer):
    found = analyzer.parse_question("Welchen Titel soll es tragen?", "de", site(analyzer, "trafen", "Titel"))
    assert not term(found, "tragen").came_through("typo")


def test_a_slip_beats_a_compound_split_at_an_unknown_head(analyzer):
    vocabulary = Vocabulary({"mitarbeiter": 4, "biet": 2, "wissenschaft": 5})
    found = analyzer.parse_question("Wer ist Mitarbieter?", "de", vocabulary).terms[0]
    assert found.corrected and "mitarbeiter" in found.variants
    assert not found.came_through("compound") and "biet" not in found.variants


def test_a_plural_in_s_after_a_vowel_reaches_the_glossary(analyzer):
    # Snowball keeps the -s of "Autos" and "Kitas"; the glossary lists the singular
    found = analyzer.parse_question("Wie schnell waren die Kitas?", "de").terms
    assert "daycare" in term_variants(found, "Kitas")


def test_words_that_order_events_are_not_what_a_question_is_about(analyzer):
    words = [t.word for t in analyzer.parse_question("Wohin ist er danach gegangen?", "de").terms]
    assert "danach" not in words and "gegangen" in words
    # "Woran" and "Worum" ask, like "Warum": neither is a slip for "woman" or "warum"
    words = [t.word for t in analyzer.parse_question("Woran und worum geht es?", "de", Vocabulary({"woman": 2})).terms]
    assert "Woran" not in words and "worum" not in words


def term_variants(terms, word):
    return next(t for t in terms if t.word == word).variants


def test_a_compound_on_a_site_in_the_other_language_splits_at_a_word_the_glossary_knows(analyzer):
    english_site = Vocabulary({"fiber": 3, "carbon": 2})
    found = analyzer.parse_question("Kohlenstofffaser", "de", english_site).terms[0]
    assert found.came_through("compound") and "fiber" in found.variants
    # a short modifier only the glossary knows is no part: "Hautkrebs" is not asked as "Haut" and "Krebs"
    found = analyzer.parse_question("Hautkrebs", "de", Vocabulary({"skin": 2, "cancer": 3})).terms[0]
    assert not found.came_through("compound")


def test_a_slip_drops_a_split_that_reached_no_glossary_group(analyzer):
    vocabulary = Vocabulary({"leihfahrrader": 2, "leihfahrrad": 2, "rad": 4})
    found = analyzer.parse_question("Leihfahräder", "de", vocabulary).terms[0]
    assert found.corrected and "leihfahrrad" in found.variants and "rad" not in found.variants
