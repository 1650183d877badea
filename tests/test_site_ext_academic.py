"""Constructs seen on academic personal sites built from a Minimal Mistakes style theme.

Each test writes its own tiny site with the same construct and checks what a
visitor would read.
"""

from __future__ import annotations

from pathlib import Path

from conftest import write_site
from selectolax.lexbor import LexborHTMLParser

from assistant.kramdown import markdown_to_html
from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site


def text(html: str) -> str:
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    return " ".join((root.text(separator=" ") if root else "").split())


def render(root: Path):
    documents, problems = render_site(load_site(root))
    return {d.source: d for d in documents}, problems


def test_join_reaches_into_nested_arrays(tmp_path):
    # a tag index built by mapping every post to its tag list, then joining
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: T\n",
            "_posts/2020-01-01-a.md": "---\ntitle: A\ntags: [maps, rivers]\n---\nA.\n",
            "_posts/2020-02-01-b.md": "---\ntitle: B\ntags: [lakes]\n---\nB.\n",
            "tags.html": "---\ntitle: Tags\n---\n"
            "{% assign names = site.posts | map: 'tags' | join: ',' | split: ',' | sort %}"
            "<ul>{% for n in names %}<li>{{ n }}</li>{% endfor %}</ul>\n",
        },
    )
    docs, problems = render(site)
    assert not problems
    assert text(docs["tags.html"].html) == "lakes maps rivers"


_LAYOUTS = {
    "_config.yml": "title: Jo Doe\nauthor:\n  name: Jo Doe\n  employer: Lakeside University\n",
    "_layouts/default.html": "<html><body><div class='masthead'><nav><a href='/'>Home</a></nav></div>"
    "{{ content }}<div class='page__footer'><footer>Footer text</footer></div>"
    "</body></html>\n",
    "_layouts/single.html": "---\nlayout: default\n---\n<div id='main' role='main'>"
    "<div class='sidebar sticky'><h3>{{ site.author.name }}</h3>"
    "<p>{{ site.author.employer }}</p></div>"
    "<article><header><h1>{{ page.title }}</h1>"
    "<p class='page__date'>Talk at {{ page.venue }}</p></header>"
    "<section>{{ content }}</section>"
    "<section class='page__share'><h4>Share on</h4><a href='#'>Twitter</a></section>"
    "</article></div>\n",
}


def test_role_main_keeps_article_header_and_drops_sidebar_and_share(tmp_path):
    site = write_site(
        tmp_path,
        {
            **_LAYOUTS,
            "index.md": "---\nlayout: single\ntitle: About\n---\nI study lakes.\n",
            "talk.md": "---\nlayout: single\ntitle: Lakes in winter\nvenue: Ice Days\n---\nA talk on ice.\n",
        },
    )
    docs, problems = render(site)
    assert not problems
    talk = text(docs["talk.md"].html)
    assert "Lakes in winter" in talk and "Talk at Ice Days" in talk and "A talk on ice." in talk
    assert "Share on" not in talk and "Twitter" not in talk and "Footer text" not in talk
    passages = [p.text for p in passages_from_document(docs["talk.md"])]
    assert any("Talk at Ice Days" in p for p in passages)
    assert not any("Lakeside University" in p for p in passages)  # the sidebar repeats on every page


def test_a_sidebar_with_what_only_this_page_shows_is_quoted(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_layouts/person.html": "<html><body><div id='main' role='main'>"
            "<div class='sidebar'><h3>Office hours</h3><p>{{ page.hours }}</p><p>Lakeside University</p></div>"
            "<article><h1>{{ page.title }}</h1>{{ content }}</article></div></body></html>\n",
            "index.md": "---\ntitle: Home\n---\nWelcome.\n",
            "team/ann.md": "---\nlayout: person\ntitle: Ann Berg\nhours: Mondays 9 to 11 in room 204\n---\nAnn studies ice.\n",
            "team/ben.md": "---\nlayout: person\ntitle: Ben Roe\nhours: Fridays 14 to 15 in room 310\n---\nBen maps lakes.\n",
        },
    )
    docs, problems = render(site)
    assert not problems
    ann = [p.text for p in passages_from_document(docs["team/ann.md"])]
    assert any("Mondays 9 to 11 in room 204" in p for p in ann)
    assert not any("Fridays" in p for p in ann)
    assert not any("Lakeside University" in p for p in ann)  # on both people's sidebars: the site's


def test_home_page_keeps_the_sidebar_that_introduces_the_owner(tmp_path):
    site = write_site(
        tmp_path,
        {
            **_LAYOUTS,
            "index.md": "---\nlayout: single\ntitle: About\n---\nI study lakes.\n",
        },
    )
    docs, _ = render(site)
    home = text(docs["index.md"].html)
    assert "Lakeside University" in home and "I study lakes." in home
    assert "Share on" not in home


def test_attribute_list_shown_in_a_code_span_stays_text():
    html = markdown_to_html("Add `{: .notice}` after a paragraph.\n{: .notice}\n")
    assert "<code>{: .notice}</code>" in html
    assert 'class="notice"' in html


def test_abbreviation_definitions_are_not_shown():
    html = markdown_to_html(
        "The GIS lab is open.\n\n*[GIS]: Geographic Information System\n\n```\n*[kept]: inside code\n```\n"
    )
    assert "Geographic Information System" not in html
    assert "*[kept]: inside code" in html


def test_year_only_date_dates_a_collection_document(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: T\ncollections:\n  papers:\n    output: true\n",
            "_papers/p.md": "---\ntitle: On Ice\ndate: 2023\n---\nAbstract.\n",
            "papers.html": "---\ntitle: Papers\n---\n{% for p in site.papers %}<p>{{ p.title }} "
            "({{ p.date | date: '%Y' }})</p>{% endfor %}\n",
        },
    )
    docs, problems = render(site)
    assert not problems
    assert text(docs["papers.html"].html) == "On Ice (2023)"


def test_markdown_summary_becomes_plain_description(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: T\n",
            "poster.md": '---\ntitle: Poster\nexcerpt: "See [the article](https://example.org) <br/>"\n---\nBody.\n',
        },
    )
    docs, _ = render(site)
    assert docs["poster.md"].description == "See the article"
