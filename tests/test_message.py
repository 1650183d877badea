"""Chat messages that are more than a question: greetings, a lead-in, two questions, thanks."""

from __future__ import annotations

import pytest

from assistant.answer import Assistant, answer_to_json
from assistant.message import read_message

LAB_SITE = {
    "_config.yml": """
        title: Lab of Examples
        url: https://lab.example.org
        """,
    "contact.md": """
        ---
        title: Contact
        ---
        The lab's secretary arranges appointments: write to secretary@lab.example.org.
        """,
    "groups/imaging.md": """
        ---
        title: Imaging group
        ---
        The Imaging group builds models that read radiology scans. The Imaging group is led by Ada Lovelace.
        """,
    "groups/genomics.md": """
        ---
        title: Genomics group
        ---
        The Genomics group sequences tumour samples from the clinic. The Genomics group is led by Alan Turing.
        """,
    "news/summer-school.md": """
        ---
        title: Summer school
        ---
        The summer school on medical data science takes place from 7 to 11 July in Essen.
        """,
}

LEAD_IN = (
    "Hello, I came across your website while looking for a place to write my thesis next year, so I would like to know:"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from conftest import write_site

    from assistant.build import index_site

    root = tmp_path_factory.mktemp("message")
    index_site(write_site(root / "site", LAB_SITE), root / "index")
    return Assistant.open(root / "index")


def ask(assistant: Assistant, message: str, history: list[str] | None = None) -> dict:
    return answer_to_json(assistant.respond(message, history))


def pages(result: dict) -> list[str]:
    return [p["url"].split("#")[0] for p in result["passages"]]


def test_a_one_sentence_question_is_asked_as_written():
    for question in ("Where is the office?", "Who is the first author of 'Metrics: Pitfalls and Recommendations'?"):
        assert read_message(question).as_written


def test_greetings_and_thanks_around_a_question_are_left_out():
    assert read_message("Hi! Where is the office? Thanks a lot.").questions == ["Where is the office?"]
    assert read_message("Guten Tag, wo ist das Büro? Vielen Dank im Voraus!").questions == ["wo ist das Büro?"]


def test_a_lead_in_ending_in_a_colon_tells_and_the_questions_after_it_ask():
    message = read_message(f"{LEAD_IN} What is Genomics? Also, is there anyone I could write to about it?")
    assert message.questions == ["What is Genomics?", "Also, is there anyone I could write to about it?"]
    assert message.context == [LEAD_IN.removeprefix("Hello, ")]
    german = read_message("Ich schreibe bald meine Masterarbeit, daher meine Frage: Wer leitet die Gruppe?")
    assert german.questions == ["Wer leitet die Gruppe?"]


def test_a_question_inside_a_long_message_is_answered_as_if_asked_alone(assistant):
    alone = ask(assistant, "Who leads the Genomics group?")
    assert not alone["abstained"] and "Alan Turing" in alone["passages"][0]["quote"]
    wrapped = ask(assistant, f"{LEAD_IN} Who leads the Genomics group? Thank you in advance!")
    assert not wrapped["abstained"]
    assert pages(wrapped)[0] == pages(alone)[0] and "Alan Turing" in wrapped["passages"][0]["quote"]
    assert wrapped["question"].startswith("Hello, I came across")  # the answer is to the message as sent


def test_the_second_question_of_a_message_is_answered_after_the_first(assistant):
    result = ask(assistant, "Hi! Who leads the Imaging group? And when does the summer school take place?")
    assert not result["abstained"]
    assert "Ada Lovelace" in result["passages"][0]["quote"]
    assert any("7 to 11 July" in p["quote"] for p in result["passages"][1:])


def test_a_message_whose_first_question_the_site_cannot_answer_is_not_answered_by_what_follows(assistant):
    assert not ask(assistant, "Who could I write to for appointments?")["abstained"]
    result = ask(assistant, "What will the weather be like in Essen tomorrow? Who could I write to for appointments?")
    assert result["abstained"] and result["passages"] == []


def test_a_question_that_cannot_stand_alone_is_about_what_the_message_named_before_it(assistant):
    for group, head in (("Genomics", "Alan Turing"), ("Imaging", "Ada Lovelace")):
        result = ask(assistant, f"I read about the {group} group on your website. Who leads it?")
        assert not result["abstained"]
        assert pages(result)[0].endswith(f"/groups/{group.lower()}.html") and head in result["passages"][0]["quote"]


def test_a_message_is_answered_in_the_language_it_is_written_in(assistant):
    result = ask(
        assistant, "Hallo! Ich schreibe bald meine Masterarbeit, daher meine Frage: Wer leitet die Genomics-Gruppe?"
    )
    assert result["lang"] == "de"
    assert not result["abstained"] and "Alan Turing" in result["passages"][0]["quote"]


def test_a_follow_up_to_a_long_message_is_about_what_that_message_asked(assistant):
    earlier = f"{LEAD_IN} What does the Genomics group work on? Thank you!"
    result = ask(assistant, "Who leads it?", [earlier])
    assert not result["abstained"]
    assert pages(result)[0].endswith("/groups/genomics.html") and "Alan Turing" in result["passages"][0]["quote"]


def test_a_message_searches_for_each_query_once_and_the_next_message_searches_again(assistant, monkeypatch):
    from assistant.search_index import SearchIndex

    searched: list[tuple[str, ...]] = []
    search = SearchIndex.search

    def counted(self, query, *args, **kwargs):
        searched.append(tuple((t.word, *t.variants) for t in query.terms) + tuple(kwargs.get("fields") or ()))
        return search(self, query, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", counted)
    fresh = Assistant(assistant.index, assistant.analyzer)  # one that has not answered this question before
    message = f"{LEAD_IN} What does the Genomics group work on? Also, is there anyone I could write to about it?"
    first = ask(fresh, message)
    # the second question ranks the first again for the pages it is about: that search is the first's
    assert not first["abstained"] and len(searched) == len(set(searched)) > 0
    once = len(searched)
    assert ask(fresh, message) == first
    assert len(searched) == 2 * once  # a message asked again is searched again
