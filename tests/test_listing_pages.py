"""Lists and listing pages: a post repeated on a listing page (the blog's page 12, a tag archive) is linked
where it was written, and a question asking for a list gets every like item of it."""

from __future__ import annotations

import pytest
from conftest import write_site

from assistant.answer import Assistant
from assistant.build import index_site

SITE = {
    "_config.yml": "title: Shore Lab\nurl: https://shore.example.org\npermalink: /:year/:month/:day/:title/\n",
    "index.md": "---\ntitle: Shore Lab\n---\nThe Shore Lab studies dunes.\n",
    "archive.html": "---\ntitle: All our news about dunes and partners\n---\n"
    "{% for post in site.posts %}{{ post.content }}{% endfor %}\n",
    "_data/members.yml": "- {name: Lea Berg, place: 'Institute for Regional Geography, Leipzig'}\n"
    "- {name: Paul Wendt, place: 'University of Kiel'}\n"
    "- {name: Tom Hart, place: 'Institute for Regional Geography, Leipzig'}\n"
    "- {name: Jana Moor, place: 'Institute for Regional Geography, Leipzig'}\n",
    "members.html": "---\ntitle: Members\n---\n<h2>Members of the network</h2>\n"
    "{% for m in site.data.members %}<p><strong>{{ m.name }}</strong><br>{{ m.place }}</p>\n{% endfor %}",
    "_posts/2016-06-07-partners.md": "---\ntitle: Workshop\n---\n"
    "The team met its external partners at the dune station in Wersehaus to discuss the outcomes.\n",
    "_posts/2017-01-09-boat.md": "---\ntitle: A new boat\n---\nThe lab bought a boat for the survey of the dunes.\n",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("listing")
    index_site(write_site(root / "site", SITE), root / "index")
    return Assistant.open(root / "index")


def test_a_post_shown_on_a_listing_page_is_linked_to_the_post(assistant):
    answer = assistant.answer("Where did the team meet its external partners about dunes?")
    assert not answer.abstained
    assert "Wersehaus" in answer.hits[0].quote.text
    assert answer.hits[0].passage.url.startswith("https://shore.example.org/2016/06/07/partners/")


def test_a_list_question_is_answered_with_every_like_item_of_the_section(assistant):
    answer = assistant.answer("Which members are at the Institute for Regional Geography in Leipzig?")
    assert not answer.abstained
    quote = answer.hits[0].quote.text
    assert all(name in quote for name in ("Lea Berg", "Tom Hart", "Jana Moor"))
    assert "Paul Wendt" not in quote
