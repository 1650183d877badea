"""Acronyms a site spells out, found by their short form."""

from __future__ import annotations

import json

from conftest import open_site_with_news

from assistant.acronyms import acronyms_in


def long_forms(text: str) -> dict[str, str]:
    return {a.short: a.long for a in acronyms_in(text, "en")}


def test_a_name_followed_by_its_acronym_in_brackets_is_read_as_its_long_form():
    assert long_forms("She joined the National Harbour Research Institute (NHRI) in 2002.") == {
        "NHRI": "National Harbour Research Institute"
    }
    assert long_forms("gefördert vom Bundesministerium für Bildung und Forschung (BMBF).") == {
        "BMBF": "Bundesministerium für Bildung und Forschung"
    }


def test_brackets_whose_letters_do_not_spell_the_words_before_them_are_no_acronym():
    assert long_forms("We write our tools in Python (DE) and test them (see Figure 2 (A)).") == {}
    assert long_forms("The survey (ABC) was sent to all members.") == {}


def test_a_question_with_the_acronym_finds_the_passage_that_writes_the_name_out(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "about.md": "---\ntitle: About\n---\nThe lab is part of the National Harbour Research Institute (NHRI). "
        "The NHRI funds three labs on the coast.\n",
        "people/ada.md": "---\ntitle: Ada Lovelace\n---\nAda has worked at the National Harbour Research Institute "
        "since 2002. She studies tides.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12)
    table = json.loads((lab.index.path / "acronyms.json").read_text(encoding="utf-8"))
    assert table == {"nhri": ["National Harbour Research Institute", "en"]}
    [nhri] = [t for t in lab.parse("Who has worked at the NHRI since 2002?").terms if t.word == "NHRI"]
    assert nhri.why["nation harbour research institut"][0] == "acronym"
    answer = lab.answer("Who has worked at the NHRI since 2002?")
    assert not answer.abstained and answer.hits[0].passage.url.startswith("https://lab.example.org/people/ada")
