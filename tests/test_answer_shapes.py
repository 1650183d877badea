"""A question's form says what its answer looks like, and a passage of that look answers its words.

"Which years does the explorer cover?" is answered by "from 2009 to 2017", a passage that never says
"year"; a passage that only says "every year" mentions the word and answers nothing.
"""

from __future__ import annotations

import pytest
from conftest import write_site

from assistant.answer import Assistant
from assistant.build import index_site
from assistant.question import answer_shape

SITE = {
    "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
    "index.md": "---\ntitle: Harbour Data Lab\n---\nThe lab opens up the city's data.\n",
    "funding.md": "---\ntitle: Funding explorer\n---\n"
    "The funding explorer lets you filter the city's grants from 2009 to 2017 by district and topic.\n",
    "archive.md": "---\ntitle: Seed archive\n---\n"
    "The seed archive is a database of seeds and fruits found in excavations, with tools for tables and maps "
    "that researchers use for their publications. It has been developed since 1997 by the state office.\n",
    "archive-news.md": "---\ntitle: Seed archive news\n---\nThe seed archive was developed further in 2024.\n",
    "news.md": "---\ntitle: News\n---\n"
    "Every year the funding explorer adds the grants of the past year, year after year, to its data.\n",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("shapes")
    index_site(write_site(root / "site", SITE), root / "index")
    return Assistant.open(root / "index")


@pytest.mark.parametrize(
    "question",
    [
        "Which years does the funding explorer cover?",
        "What period does the survey span?",
        "In welchen Jahren wurde gemessen?",
        "Welchen Zeitraum deckt die Datenbank ab?",
    ],
)
def test_asking_which_years_asks_for_a_date(question):
    shape = answer_shape(question)
    assert shape is not None and shape.name == "date"


def test_a_passage_giving_years_answers_which_years(assistant):
    answer = assistant.answer("Which years does the funding explorer cover?")
    assert not answer.abstained
    assert "2009 to 2017" in answer.hits[0].quote.text


def test_since_when_is_answered_by_since_and_a_year(assistant):
    answer = assistant.answer("Since when has the seed archive been developed?")
    assert not answer.abstained
    assert "since 1997" in answer.hits[0].quote.text
