"""Constructs of a lab site on a popular blog theme, each rebuilt on a tiny site of our own."""

from __future__ import annotations

from conftest import write_site

from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site


def _pages(root):
    docs, problems = render_site(load_site(root))
    assert problems == []
    return {d.url.split("//", 1)[-1].split("/", 1)[-1]: d for d in docs}


def _text(doc) -> str:
    return " | ".join(p.text for p in passages_from_document(doc))


def test_share_block_named_only_by_its_id_is_not_text(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: Lab\nurl: https://lab.example.org\n",
            "_layouts/post.html": """\
            <html><body><main>
            <div class="post">{{ content }}</div>
            <section id="social-share-section">
              <span class="sr-only">Spread the word: </span>
              <a href="https://twitter.com/intent/tweet?url={{ page.url }}" title="Tweet">T</a>
            </section>
            </main></body></html>
            """,
            "_posts/2021-05-01-grant.md": "---\nlayout: post\ntitle: Grant\n---\nThe group won a grant for soil research.\n",
        },
    )
    text = _text(_pages(site)["2021/05/01/grant.html"])
    assert "soil research" in text
    assert "Spread the word" not in text


def test_collection_listing_pages_follow_jekyll(tmp_path):
    """Members listed by a ``where`` on a missing field, news grouped by year, pretty page URLs."""
    site = write_site(
        tmp_path,
        {
            "_config.yml": """\
            title: Lab
            url: https://lab.example.org
            permalink: /:year-:month-:day-:title/
            collections:
              people:
                output: true
                permalink: /people/:name
              notes:
                output: false
            """,
            "_layouts/plain.html": "<html><body><main>{{ content }}</main></body></html>\n",
            "_layouts/team.html": """\
            ---
            layout: plain
            ---
            {% assign lead = site.people | where: "Boss", page.group | first %}
            <h2>Lead</h2><p>{{ lead.name }}, {{ lead.position }}</p>
            """,
            "_layouts/diary.html": """\
            ---
            layout: plain
            ---
            {% assign byyear = site.notes | group_by_exp: "n", "n.date | date: '%Y'" %}
            {% for y in byyear %}<h3>{{ y.name }}</h3>
              {% for n in y.items %}<div>{{ n.content }}<i>{{ n.date | date: '%B %d, %Y' }}</i></div>{% endfor %}
            {% endfor %}
            """,
            "_people/zora-quill.md": "---\nname: Zora Quill\nposition: Professor of Soil Science\nlayout: plain\n---\nShe studies soil.\n",
            "_notes/2020-03-02-award.md": "---\ndate: 2020-03-02\n---\nZora Quill received a teaching award.\n",
            "team.html": "---\nlayout: team\ntitle: Team\n---\n",
            "diary.html": "---\nlayout: diary\ntitle: Diary\n---\n",
        },
    )
    pages = _pages(site)
    assert "people/zora-quill" in pages
    assert "Zora Quill, Professor of Soil Science" in _text(pages["team/"])
    diary = _text(pages["diary/"])
    assert "2020" in diary and "teaching award" in diary and "March 02, 2020" in diary
