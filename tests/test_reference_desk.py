"""What a visitor gets besides the quotes: which sentence answers, the page in their language,
a contact and questions that work when there is no answer, and questions to start with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_site

from assistant.answer import Assistant, answer_to_json
from assistant.build import index_site
from assistant.guide import offers
from assistant.site import load_site

ROOT = Path(__file__).resolve().parents[1]

HARBOUR = {
    "_config.yml": """
        title: Harbour Institute
        url: https://harbour.example.org
        email: office@harbour.example.org
        """,
    "index.md": """
        ---
        title: Harbour Institute
        ref: home
        ---
        The Harbour Institute studies tides, sediments and the birds of the mudflats.

        ## History

        Sailors built the first tide gauge on the pier. The Harbour Institute was founded in 1987 by three
        marine biologists. It moved into the old customs house later.

        ## Funding

        The institute is funded by the federal state and by research grants from several foundations.

        ## How can I visit the tide gauge?

        Visitors can see the tide gauge on the pier every Sunday between ten and noon.
        """,
    "de/index.md": """
        ---
        title: Hafeninstitut
        lang: de
        ref: home
        ---
        Das Hafeninstitut erforscht Gezeiten, Sedimente und die Vögel des Watts.

        ## Geschichte

        Das Hafeninstitut wurde 1987 von drei Meeresbiologinnen gegründet.
        """,
    "team.md": """
        ---
        title: Team
        ---
        The team of the institute consists of Ada Lovelace, Grace Hopper and Emmy Noether.
        """,
    "de/team.md": """
        ---
        title: Team
        lang: de
        ---
        Zum Team des Instituts gehören Ada Lovelace, Grace Hopper und Emmy Noether.
        """,
    "contact.md": """
        ---
        title: Contact
        translations:
          de: /kontakt/
        ---
        Write to the office of the institute or call during opening hours.
        """,
    "kontakt.md": """
        ---
        title: Kontakt
        lang: de
        permalink: /kontakt/
        ---
        Schreiben Sie an das Büro des Instituts.
        """,
}


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> tuple[Path, Assistant]:
    root = tmp_path_factory.mktemp("harbour")
    site = write_site(root / "site", HARBOUR)
    index_site(site, root / "index")
    return site, Assistant.open(root / "index")


def test_the_api_names_the_passage_and_the_sentence_that_answer(harbour):
    _, assistant = harbour
    answer = answer_to_json(assistant.respond("When was the Harbour Institute founded?"))
    best = answer["best"]
    passage = answer["passages"][best["passage"]]
    start, end = best["sentence"]
    assert passage["quote"][start:end] == "The Harbour Institute was founded in 1987 by three\nmarine biologists." or (
        passage["quote"][start:end].startswith("The Harbour Institute was founded in 1987")
    )
    assert "Sailors" not in passage["quote"][start:end]  # the sentence, not the whole passage
    assert answer["did_you_mean"] == []


def test_a_list_answers_as_a_whole_and_an_abstention_names_no_best(harbour):
    _, assistant = harbour
    abstained = answer_to_json(assistant.respond("What does a pizza margherita cost in Naples?"))
    assert abstained["abstained"] and abstained["best"] is None


def test_a_page_knows_its_twin_in_the_other_language(harbour):
    site, _ = harbour
    pages = {sf.path: sf for sf in load_site(site).published()}
    base = "https://harbour.example.org"
    assert pages["index.md"].translations == {"de": base + "/de/"}  # by ref
    assert pages["de/index.md"].translations == {"en": base + "/"}
    assert pages["team.md"].translations == {"de": base + "/de/team.html"}  # by /de/ tree
    assert pages["contact.md"].translations == {"de": base + "/kontakt/"}  # named in front matter


def test_quotes_carry_their_language_and_their_pages_twins(harbour):
    _, assistant = harbour
    answer = answer_to_json(assistant.respond("Who is in the team?", lang="en"))
    team = next(p for p in answer["passages"] if p["url"].startswith("https://harbour.example.org/team"))
    assert team["lang"] == "en"
    assert team["translations"] == {"de": "https://harbour.example.org/de/team.html"}


def test_polyglot_pages_of_other_languages_are_published_under_their_language(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": """
                url: https://poly.example.org
                plugins: [jekyll-polyglot]
                languages: ["en", "de"]
                default_lang: en
                """,
            "about.md": "---\ntitle: About\npermalink: /about/\n---\nAbout us.\n",
            "about-de.md": "---\ntitle: Über uns\nlang: de\npermalink: /about/\n---\nÜber uns.\n",
        },
    )
    pages = {sf.path: sf for sf in load_site(site).published()}
    assert pages["about-de.md"].url == "/de/about/"
    assert pages["about.md"].translations == {"de": "https://poly.example.org/de/about/"}
    assert pages["about-de.md"].translations == {"en": "https://poly.example.org/about/"}


def test_no_answer_offers_questions_made_of_nearby_headings_that_the_site_answers(harbour):
    _, assistant = harbour
    answer = answer_to_json(assistant.respond("How much is a boat trip to the tide gauge?"))
    assert answer["abstained"]
    offered = answer["did_you_mean"]
    assert 1 <= len(offered) <= 3
    for question in offered:
        assert not assistant.respond(question).abstained, question
    assert any("tide gauge" in q for q in offered)


def test_a_second_visitor_missing_the_same_way_is_offered_the_same_questions_without_asking_them_again(harbour):
    site, _ = harbour
    assistant = Assistant.open(site.parent / "index")
    first = answer_to_json(assistant.respond("How much is a boat trip to the tide gauge?"))["did_you_mean"]
    asked: list[str] = []
    answer = assistant.answer
    assistant.answer = lambda question, *args, **kwargs: asked.append(question) or answer(question, *args, **kwargs)
    second = answer_to_json(assistant.respond("What does a boat trip to the tide gauge cost?"))["did_you_mean"]
    assert second == first != []
    assert not set(asked) & set(first)  # the heading questions' answers were remembered


def test_the_contact_and_the_question_shaped_headings_are_found_when_indexing(harbour):
    _, assistant = harbour
    guide = offers(assistant)
    assert guide["contacts"] == {
        "en": "https://harbour.example.org/contact.html",
        "de": "https://harbour.example.org/kontakt/",
    }
    assert guide["suggestions"]["en"] == ["How can I visit the tide gauge?"]
    assert offers(assistant, "https://elsewhere.example.org/ask")["contacts"]["de"] == (
        "https://elsewhere.example.org/ask"
    )


def test_editors_set_suggestions_and_the_contact_in_the_assistant_data_file(tmp_path):
    files = dict(HARBOUR)
    files["_data/assistant.yml"] = """
        contact: mailto:desk@harbour.example.org
        suggestions:
          en:
            - When was the institute founded?
            - Who is in the team?
          de:
            - Wann wurde das Hafeninstitut gegründet?
        """
    site = write_site(tmp_path / "site", files)
    report = index_site(site, tmp_path / "index")
    assert report.problems == []
    guide = offers(Assistant.open(tmp_path / "index"))
    assert guide["contacts"] == {"en": "mailto:desk@harbour.example.org", "de": "mailto:desk@harbour.example.org"}
    assert guide["suggestions"] == {
        "en": ["When was the institute founded?", "Who is in the team?"],
        "de": ["Wann wurde das Hafeninstitut gegründet?"],
    }


def test_a_site_without_contact_page_offers_its_configured_email(tmp_path):
    files = {k: v for k, v in HARBOUR.items() if k not in ("contact.md", "kontakt.md")}
    site = write_site(tmp_path / "site", files)
    index_site(site, tmp_path / "index")
    assert offers(Assistant.open(tmp_path / "index"))["contacts"] == {
        "en": "mailto:office@harbour.example.org",
        "de": "mailto:office@harbour.example.org",
    }


def test_a_themes_sample_address_left_in_the_configuration_is_no_contact(tmp_path):
    files = {k: v for k, v in HARBOUR.items() if k not in ("contact.md", "kontakt.md")}
    files["_config.yml"] = files["_config.yml"].replace("office@harbour.example.org", "your-email@domain.com")
    assert "your-email@domain.com" in files["_config.yml"]
    index_site(write_site(tmp_path / "site", files), tmp_path / "index")
    assert offers(Assistant.open(tmp_path / "index"))["contacts"] == {}


def test_a_malformed_assistant_data_file_is_a_problem_naming_the_file(tmp_path):
    files = dict(HARBOUR)
    files["_data/assistant.yml"] = "contact: javascript:alert(1)\nsuggestions: Ask me anything\n"
    site = write_site(tmp_path / "site", files)
    report = index_site(site, tmp_path / "index")
    reasons = [str(p) for p in report.problems]
    assert any(r.startswith("_data/assistant.yml:1: contact:") for r in reasons), reasons
    assert any(r.startswith("_data/assistant.yml:2: suggestions:") for r in reasons), reasons
    assert report.passages > 0


def test_the_command_line_leads_with_the_answer_and_folds_the_rest(harbour, tmp_path):
    site, _ = harbour
    index = tmp_path / "index"
    index_site(site, index)
    run = [sys.executable, "-m", "assistant", "ask", "--index", str(index)]
    out = subprocess.run(
        [*run, "When was the institute founded?"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    lines = out.splitlines()
    assert lines[0] == "Here is what the website says:"
    assert lines[2] == "Harbour Institute › History"
    assert "**The Harbour Institute was founded in 1987" in out
    more = out.index("More from the site (")
    assert out.index("**The Harbour Institute was founded in 1987") < more  # the answer leads, the rest follows
    assert "\n\nHafeninstitut › Geschichte\n" in out[more:]
    assert "    (de) https://harbour.example.org/de/" in out
    data = json.loads(
        subprocess.run(
            [*run, "--json", "When was the Harbour Institute founded?"], capture_output=True, text=True, cwd=ROOT
        ).stdout
    )
    assert data["best"]["passage"] == 0
    out = subprocess.run(
        [*run, "How much is a boat trip to the tide gauge?"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    assert "Did you mean:" in out


def test_a_german_ordinal_date_does_not_end_the_answering_sentence():
    from assistant.answer import best_of
    from assistant.documents import Hit, Passage, Quote

    text = "Das Fest fand am 27. Juni 2024 im Hafen statt. Danach gab es Musik."
    passage = Passage("p", text, "Fest", "", "https://x.example/", "fest.md", 1, "de", "page")
    hit = Hit(passage, 1.0, Quote(text, [(text.index("Fest"), text.index("Fest") + 4)]))
    best = best_of("Wann fand das Fest statt?", [hit])
    assert text[best.sentence[0] : best.sentence[1]] == "Das Fest fand am 27. Juni 2024 im Hafen statt."
