"""A follow-up about "he" or "she" asks about the person the conversation is about.

After "Who leads the vision group?", "Where did she study?" is about the person the answer named,
not about the vision group; after a question that names someone, it is about that person.
"""

from __future__ import annotations

import pytest
from conftest import write_site

from assistant.answer import Assistant

SITE = {
    "_config.yml": "title: Riverbank Lab\nurl: https://lab.example.org\n",
    "groups/vision.md": "---\ntitle: Vision group\n---\n"
    "## Head of the vision group\n\nThe vision group is led by Dr. Mara Quint.\n\n"
    "## Studies\n\nThe vision group studies otters with camera traps; its students come from Bremen.\n",
    "nights.md": "---\ntitle: Nights\n---\nThe vision group watches animals at night near the weir.\n",
    "team/quint.md": "---\ntitle: Mara Quint\n---\nMara Quint studied physics in Kiel and did her doctorate in Oslo.\n",
    "team/renner.md": "---\ntitle: Tobias Renner\n---\nTobias Renner studied geology in Graz. He samples the riverbed.\n",
    "news/election.md": "---\ntitle: Wahl im Beirat\n---\n## Sprecher\n\nSprecher des Beirats ist Dr. Jonas Falk.\n\n"
    "## Stellvertretung\n\nStellvertretende Sprecherin ist Dr. Ilka Brandt.\n",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    from assistant.build import index_site

    root = tmp_path_factory.mktemp("person")
    index_site(write_site(root / "site", SITE), root / "index")
    return Assistant.open(root / "index")


def top_quote(assistant: Assistant, question: str, history: list[str]) -> str:
    answer = assistant.answer(question, history)
    assert not answer.abstained, f"no answer to {question!r} after {history}"
    return answer.hits[0].quote.text


def test_she_after_a_who_question_is_the_person_its_answer_named(assistant):
    assert "Kiel" in top_quote(assistant, "Where did she study?", ["Who leads the vision group?"])


def test_the_explanation_says_where_the_person_came_from(assistant):
    understanding = assistant.understand("Where did she study?", ["Who leads the vision group?"])
    steps = {step for t in understanding.query.terms for step, _ in t.why.values()}
    assert "person" in steps
    assert not understanding.about_earlier


def test_he_after_a_question_naming_someone_is_that_person(assistant):
    assert "Graz" in top_quote(assistant, "And where did he study?", ["What does Tobias Renner sample?"])


def test_a_follow_up_carries_words_the_site_knows_only_in_translation(assistant):
    query = assistant.understand("Und woher kommen die Studenten?", ["Welche Tiere beobachtet die Gruppe?"]).query
    carried = {t.word for t in query.terms if any(step == "history" for step, _ in t.why.values())}
    assert "Tiere" in carried  # an English site says "otters", not "Tiere"; the glossary bridges it


def test_and_how_many_asks_as_how_many_does():
    from assistant.question import answer_shape

    assert answer_shape("Und wie viele Sensoren ergibt das?").counted == "Sensoren"
    assert answer_shape("And since when has it existed?").name == "since"


def test_the_name_of_a_body_is_no_persons_name_and_von_belongs_to_a_name():
    from assistant.question import names_in

    text = "Beim Deutschen Archäologischen Institut: Philipp von Rummel (Sprecher), Dr. Kai-Christian Bruhn."
    assert names_in(text, set()) == ["Philipp von Rummel", "Kai-Christian Bruhn"]


def test_a_job_title_in_capitals_is_no_persons_name_and_ends_the_name_before_it():
    from assistant.question import names_in

    assert names_in("Dmitry Antipov, PhD\n[ more ]\nPostdoctoral Fellow", set()) == ["Dmitry Antipov"]
    assert names_in("Principal Investigator: Can Cenik Associate Professor", set()) == ["Can Cenik"]


def test_a_follow_up_about_her_is_answered_by_a_passage_that_names_her(tmp_path):
    from assistant.build import index_site

    site = {
        "_config.yml": "title: Riverbank Lab\nurl: https://lab.example.org\n",
        "join.md": "---\ntitle: Join us\n---\n## Bachelor thesis and master thesis\n\n"
        "We offer bachelor thesis and master thesis topics; a bachelor thesis takes three months.\n",
        "team/quint.md": "---\ntitle: Mara Quint\n---\n## CV\n\n"
        "2010-2013: BSc in physics in Kiel, on the optics of otter eyes.\n\n"
        "2013-2015: MSc in physics in Oslo.\n",
    }
    for n in range(20):
        site[f"news/{n}.md"] = f"---\ntitle: News {n}\n---\nThe lab met partner {n} in spring.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    lab = Assistant.open(tmp_path / "index")
    quote = top_quote(lab, "And what was her bachelor thesis about?", ["Where did Mara Quint get her master's degree?"])
    assert "otter eyes" in quote


def test_who_stands_in_for_him_asks_for_someone_else(assistant):
    quote = top_quote(assistant, "Und wer vertritt ihn?", ["Wer ist der Sprecher des Beirats?"])
    assert "Ilka Brandt" in quote
