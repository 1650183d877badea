"""Counting people and reading slips of the finger as visitors mean them."""

from __future__ import annotations

import pytest
from conftest import open_site_with_news, write_site

from assistant.answer import Assistant

SITE = {
    "_config.yml": "title: Delta Network\nurl: https://delta.example.org\nlang: de\n",
    "index.md": "---\ntitle: Startseite\n---\nDas Netzwerk trifft sich heute in Kiel und morgen in Wien.\n",
    "bericht.md": "---\ntitle: Bericht vom Treffen in Wien\n---\n"
    "Zum Treffen in Wien kamen insgesamt 23 Teilnehmende aus acht Hochschulen.\n",
    "tag.md": "---\ntitle: Tag der offenen Tür\n---\n"
    "Am Samstag, 1.6.2024, von 11:00 bis 19:00 Uhr kamen Besucher zum Tag der offenen Tür.\n\n"
    "## Rückblick\n\nDen Stand am Tag der offenen Tür haben etwa 500 Besucher gesehen.\n",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    from assistant.build import index_site

    root = tmp_path_factory.mktemp("counts")
    index_site(write_site(root / "site", SITE), root / "index")
    return Assistant.open(root / "index")


def test_how_many_people_is_answered_by_a_count_of_participants(assistant):
    answer = assistant.answer("Wie viele Leute waren beim Treffen in Wien?")
    assert not answer.abstained
    assert "23 Teilnehmende" in answer.hits[0].quote.text


def test_a_year_or_a_time_of_day_next_to_the_people_is_no_count_of_them(assistant):
    answer = assistant.answer("Wie viele Leute besuchten den Tag der offenen Tür?")
    assert not answer.abstained
    assert "500 Besucher" in answer.hits[0].quote.text
    assert all("11:00" not in hit.quote.text for hit in answer.hits)


def test_a_word_is_not_read_as_a_slip_for_one_with_another_first_letter(assistant):
    query = assistant.parse("Wie viele Leute waren beim Treffen in Wien?")
    leute = next(t for t in query.terms if t.word == "Leute")
    assert not leute.corrected and "heute" not in leute.variants


def test_a_slip_inside_a_word_is_still_corrected(assistant):
    query = assistant.parse("Wo war das Trefen in Wien?")
    slip = next(t for t in query.terms if t.word == "Trefen")
    assert slip.corrected and any(v.startswith("treff") for v in slip.variants)


def test_a_name_spelt_by_ear_two_letters_off_finds_the_person(tmp_path):

    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "alumni.md": "---\ntitle: Alumni\n---\nAmira Haider is now a lecturer at the University of Leeds.\n",
        "under.md": "---\ntitle: Projects\n---\nUnder the bridge the lab measures the tides.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=15)
    answer = lab.answer("Where does Amira Hyder work now?")
    assert not answer.abstained and "University of Leeds" in answer.hits[0].quote.text
    term = next(t for t in lab.parse("Where does Amira Hyder work now?").terms if t.word == "Hyder")
    assert "haider" in term.variants and term.corrected


def test_a_short_family_name_one_letter_off_after_its_given_name_is_corrected(tmp_path):

    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "team.md": "---\ntitle: Team\n---\n## Mandy Klatt\n\nMandy Klatt studies eye tracking in classrooms.\n",
        "other.md": "---\ntitle: Methods\n---\nThe lab records lessons on video and studies them.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=15)
    term = next(t for t in lab.parse("What does Mandy Klat study?").terms if t.word == "Klat")
    assert "klatt" in term.variants and term.corrected
    answer = lab.answer("What does Mandy Klat study?")
    assert not answer.abstained and "eye tracking" in answer.hits[0].quote.text
    # not after a name: a short word stays as typed
    assert not next(t for t in lab.parse("What is klat?").terms if t.word == "klat").corrected


def test_a_corrected_slip_reaches_the_family_of_the_word_it_was_meant_to_be(tmp_path):

    site = {
        "_config.yml": "title: Schulforschung\nurl: https://schule.example.org\nlang: de\n",
        "lehre.md": "---\ntitle: Lehre\nlang: de\n---\n## Modul Statistik\n\nIm Modul lernen Sie Statistik.\n\n"
        "Prüfungsleistung: Hausarbeit mit einer Bearbeitungszeit von vier Wochen.\n",
        "pruefen.md": "---\ntitle: Geprüft\nlang: de\n---\nAlle Daten werden geprüft.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12, lang="de")
    term = next(t for t in lab.parse("Wie wird das Modul gepüft?").terms if t.word == "gepüft")
    assert term.corrected and "prufung" in term.variants


def test_a_slip_in_the_word_after_a_single_letter_is_corrected(tmp_path):
    site = {
        "_config.yml": "title: Genome Lab\nurl: https://genome.example.org\n",
        "chry.md": "---\ntitle: Chromosome Y\n---\nThe complete sequence of a human Y chromosome was published "
        "on August 23, 2023.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12)
    term = next(t for t in lab.parse("When was the Y-Chromoson published?").terms if t.word == "Y-Chromoson")
    assert term.corrected and "chromosome" in term.variants
    answer = lab.answer("When was the Y-Chromoson published?")
    assert not answer.abstained and "August 23, 2023" in answer.hits[0].quote.text


def test_a_slip_in_a_plural_is_corrected_to_the_word_the_site_has(tmp_path):
    site = {
        "_config.yml": "title: Quake Lab\nurl: https://quake.example.org\n",
        "openings.md": "---\ntitle: Openings\n---\n## Master projects\n\nI do not take master students.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12)
    term = next(t for t in lab.parse("Do you take mastres students?").terms if t.word == "mastres")
    assert term.corrected and "master" in term.variants
