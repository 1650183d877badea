"""What the assistant declines whatever words a question shares with the site, and cognates."""

from __future__ import annotations

import pytest
from conftest import open_site_with_news, write_site

from assistant.answer import Assistant, answer_to_json
from assistant.build import index_site
from assistant.question import cognates

SITE = {
    "_config.yml": "title: Climate Lab\nurl: https://climate.example.org\n",
    "index.md": """
        ---
        title: Climate Lab
        ---
        The Climate Lab studies how the weather over the Ruhr area changes, with a station on our roof.

        The lab also runs a virtual reality course on antibiotic resistance for medical students.
        """,
    "team.md": """
        ---
        title: Team
        lang: de
        ---
        Die Sequenzierung der Proben übernimmt unser Labor im Keller.
        """,
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("scope")
    index_site(write_site(root / "site", SITE), root / "index")
    return Assistant.open(root / "index")


@pytest.mark.parametrize(
    "question",
    [
        "Which antibiotic should I take for a bacterial infection?",
        "Soll ich bei Fieber Antibiotika nehmen?",
        "Can you book me a flight to the conference?",
        "What treatment do you recommend for antibiotic resistance?",
        "Welche Therapie empfehlen Sie bei einer Resistenz gegen Antibiotika?",
        "Who won the world cup in 2014?",
        "Wie wird das Wetter am Wochenende?",  # the site says "weather", never "Wetter"
    ],
)
def test_advice_bookings_and_everyday_topics_are_declined(assistant, question):
    assert answer_to_json(assistant.answer(question))["abstained"] is True


def test_an_everyday_word_the_site_itself_uses_is_answered(assistant):
    result = answer_to_json(assistant.answer("What does the lab study about the weather?"))
    assert not result["abstained"]
    assert "weather over the Ruhr area" in result["passages"][0]["quote"]


def test_german_cognates_find_english_text_and_back(assistant):
    de = answer_to_json(assistant.answer("Gibt es einen Kurs in virtueller Realität?"))
    assert not de["abstained"] and "virtual reality" in de["passages"][0]["quote"]
    en = answer_to_json(assistant.answer("Who does the sequencing?"))
    assert "Sequenzierung" in en["passages"][0]["quote"]


def test_cognate_spellings():
    assert "reality" in cognates("Realität")
    assert "virtual" in cognates("virtueller")
    assert "oncology" in cognates("Onkologie")
    assert "sequenzierung" in cognates("sequencing")
    assert cognates("Haus") == []  # short words are left alone


@pytest.mark.parametrize(
    "question", ["Which font size should I use for a term paper?", "Which seminar should I take first?"]
)
def test_asking_what_to_do_in_ones_studies_is_no_request_for_medical_advice(assistant, question):
    assert not assistant.off_topic(question)


def test_a_german_question_about_nothing_the_site_names_is_declined(tmp_path):
    site = {
        "_config.yml": "title: Beispiellabor\nurl: https://labor.example.org\nlang: de\n",
        "index.md": """
            ---
            title: Beispiellabor
            ---
            Wir machen gute Forschung. Was wir machen, machen wir gut: gute Daten, gute Modelle.

            Unser Labor im Keller macht die Sequenzierung der Proben.
            """,
    }
    for n in range(40):  # so that "gut" and "machen" are rare words here, and weigh as much
        site[f"projekt-{n}.md"] = f"---\ntitle: Projekt {n}\n---\nProjekt {n} untersucht Thema {n} mit Partnern.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    assistant = Assistant.open(tmp_path / "index")
    # only everyday words ("mache", "gut") stand on the site; the dish is nowhere, in no language
    assert answer_to_json(assistant.answer("Wie mache ich einen guten Kartoffelsalat?"))["abstained"] is True
    # the same everyday words around a noun the site has still answer
    kept = answer_to_json(assistant.answer("Was macht das Labor im Keller?"))
    assert not kept["abstained"] and "Sequenzierung" in kept["passages"][0]["quote"]


def test_a_place_the_question_narrows_to_must_stand_in_the_answer(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "makerspace.md": "---\ntitle: Makerspace\n---\nThe Makerspace Bremen is led by Dr. Mara Quint since 2021.\n",
        "travel.md": "---\ntitle: Conference trip\n---\nOur team presented two posters at a conference in Hamburg.\n",
    }
    for n in range(20):
        site[f"news-{n}.md"] = f"---\ntitle: News {n}\n---\nThe lab published dataset {n}.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    lab = Assistant.open(tmp_path / "index")
    assert answer_to_json(lab.answer("Who leads the Makerspace in Hamburg?"))["abstained"] is True
    found = answer_to_json(lab.answer("Who leads the Makerspace in Bremen?"))
    assert not found["abstained"] and "Mara Quint" in found["passages"][0]["quote"]


def test_a_common_noun_after_im_narrows_nothing(tmp_path):
    # "im Lehramtsstudium" is where in the studies, not a place: the page says "Lehramtsstudiengängen"
    site = {
        "_config.yml": "title: Arbeitsbereich Schulforschung\nurl: https://lab.example.org\nlang: de\n",
        "lehre.md": "---\ntitle: Lehre\n---\nUnser Arbeitsbereich verantwortet das Modul Statistik in allen "
        "Lehramtsstudiengängen der Fakultät.\n",
        "studium.md": "---\ntitle: Lehramtsstudium\n---\nDas Lehramtsstudium dauert zehn Semester.\n",
    }
    for n in range(20):
        site[f"projekt-{n}.md"] = f"---\ntitle: Projekt {n}\n---\nProjekt {n} untersucht Thema {n} mit Partnern.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    lab = Assistant.open(tmp_path / "index")
    found = answer_to_json(lab.answer("Welches Modul verantwortet der Arbeitsbereich im Lehramtsstudium?"))
    assert not found["abstained"] and "Modul Statistik" in found["passages"][0]["quote"]


def test_an_editors_scope_file_is_read_once_then_from_its_compiled_copy(assistant, tmp_path, monkeypatch):
    import sys
    import tempfile as tempfile_module

    monkeypatch.setattr(tempfile_module, "tempdir", str(tmp_path))
    scope = tmp_path / "scope.yml"
    scope.write_text("advice:\n  - \\bwhich umbrella\\b\ntopics:\n  weather:\n    - umbrella stand\n")
    first = Assistant(assistant.index, scope=scope)
    assert first.answer("Which umbrella should I buy?").abstained
    assert list(tmp_path.glob("institute-assistant-scope-*.marshal"))

    monkeypatch.setitem(sys.modules, "yaml", None)  # a second process needs no YAML parser
    second = Assistant(assistant.index, scope=scope)
    assert second.answer("Which umbrella should I buy?").abstained
    assert not second.answer("How does the weather over the Ruhr area change?").abstained


def test_a_scope_file_with_a_broken_pattern_is_refused_naming_the_file(assistant, tmp_path):
    scope = tmp_path / "scope.yml"
    scope.write_text("advice:\n  - '(unclosed'\n")
    with pytest.raises(ValueError, match=r"scope\.yml: cannot read the scope file"):
        Assistant(assistant.index, scope=scope)


def test_which_x_is_declined_where_the_site_has_no_trace_of_x(tmp_path):
    site = {
        "_config.yml": "title: Schulforschung\nurl: https://schule.example.org\nlang: de\n",
        "studium.md": "---\ntitle: Studium\nlang: de\n---\nIm Lehramtsstudium in Leipzig bieten wir Seminare zur Unterrichtsforschung an."
        " Das Labor wurde von zwei Einrichtungen gegründet: der Universität und dem Klinikum.\n",
        "technik.md": "---\ntitle: Technik\nlang: de\n---\nDas Labor nutzt eine Augmented Reality Brille für Versuche.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12, lang="de")
    assert lab.answer("Welchen Numerus clausus hat das Lehramtsstudium in Leipzig?").abstained
    assert not lab.answer("Welche beiden Einrichtungen haben das Labor gegründet?").abstained
    # the parts of a hyphenated name are what the site is asked for, not the verb after it
    assert not lab.answer("Welche Augmented-Reality-Brille steht uns zur Verfügung?").abstained


def test_a_dish_is_declined_where_its_everyday_words_stand_on_the_site(tmp_path):
    lab = open_site_with_news(
        tmp_path,
        {
            "_config.yml": "title: Green Lab\nurl: https://green.example.org\n",
            "travel.md": "---\ntitle: Travelling with a child\n---\n"
            "A few tips make a trip with a child good: pack snacks and make time for breaks.\n",
        },
    )
    # "make", "good" and "green" (the lab's name) stand on the site, and "chile" is one letter from "child"
    assert answer_to_json(lab.answer("How do I make a good green chile stew?"))["abstained"] is True
    # how to cook a dish the site names is still no question for a lab
    lab_with_dish = open_site_with_news(
        tmp_path / "dish",
        {
            "_config.yml": "title: Island Lab\nurl: https://island.example.org\n",
            "trip.md": "---\ntitle: Field trip\n---\nAfter sampling, the team cooked bolón de verde with the village.\n",
        },
    )
    assert answer_to_json(lab_with_dish.answer("How do I cook bolón de verde at home?"))["abstained"] is True
    # "zubereiten" is cooking too, said in two parts around the dish ("bereite … zu")
    assert answer_to_json(lab_with_dish.answer("Wie bereite ich Bolón de Verde zu?"))["abstained"] is True
    kept = answer_to_json(lab.answer("What makes a trip with a child good?"))
    assert not kept["abstained"] and "pack snacks" in kept["passages"][0]["quote"]
