"""Lists and listing pages: a post repeated on a listing page (the blog's page 12, a tag archive) is linked
where it was written, and a question asking for a list gets every like item of it."""

from __future__ import annotations

import pytest
from conftest import write_site

from assistant.answer import Assistant
from assistant.build import index_site
from assistant.text import more_words_than, word_count

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


def test_a_tag_archive_of_post_titles_yields_to_the_post_it_lists(tmp_path):
    from conftest import open_site_with_news

    lab = open_site_with_news(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\nurl: https://dune.example.org\npermalink: /:year/:title/\n",
            "_posts/2020-04-01-remote.md": "---\ntitle: How to run a remote field course\ntags: [video, remote, field]\n"
            "---\n## Why remote\n\nThe dune station was closed that spring.\n\n## The tools we use\n\n"
            "- a drone camera: it shows the dune to every student at once\n- a shared notebook\n",
            "_posts/2021-05-02-sand.md": "---\ntitle: Sand sampling in spring\ntags: [teaching]\n---\nWe sampled sand.\n",
            "tags.html": "---\ntitle: Posts by tag\n---\n{% for tag in site.tags %}<h3>- {{ tag[0] }}</h3>"
            "{% for post in tag[1] %}{{ post.date | date: '%m/%d/%y' }} {{ post.title }}<br>{% endfor %}{% endfor %}\n",
        },
    )
    answer = lab.answer("Which video tool did the lab pick for its remote field course?")
    assert not answer.abstained and "drone camera" in answer.hits[0].quote.text
    # the archive's lines only name the post, so the post's own passages come first
    pages = [h.passage.url.split("#")[0] for h in answer.hits]
    assert pages[:2] == ["https://dune.example.org/2020/remote/"] * 2


@pytest.mark.parametrize(
    "line",
    ["", "Tags", "By date", "04/01/20 Dune survey", "one two three", "one two three four", "Wer, wie, was — warum?"],
)
def test_a_line_is_long_enough_to_end_a_listing_exactly_when_it_has_more_words_than_a_label(line):
    for n in range(6):
        assert more_words_than(line, n) == (word_count(line) > n)
