"""Pages rendered as a visitor reads them: Liquid, kramdown-style Markdown, layouts, no chrome."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import write_site
from selectolax.lexbor import LexborHTMLParser

from assistant.kramdown import markdown_to_html
from assistant.render import render_site
from assistant.site import load_site


def text(html: str) -> str:
    tree = LexborHTMLParser(html)
    words = " ".join((tree.body.text(separator=" ") if tree.body else "").split())
    return re.sub(r" (?=[.,:;!?)])", "", words)


def render(root: Path):
    documents, problems = render_site(load_site(root))
    return {d.source: d for d in documents}, problems


def render_by_title(tmp_path: Path, files: dict[str, str]):
    documents, problems = render_site(load_site(write_site(tmp_path, files)))
    return {d.title: d for d in documents}, problems


# -- kramdown ------------------------------------------------------------------------------


def test_heading_ids_follow_kramdown_gfm():
    html = markdown_to_html(
        "# Über uns\n\n## Über uns\n\n## Über uns\n\n## 2023: News & *Events*!\n\n### Custom {#mine}\n"
    )
    ids = [h.attributes["id"] for h in LexborHTMLParser(html).css("h1, h2, h3")]
    assert ids == ["über-uns", "über-uns-1", "über-uns-2", "2023-news--events", "mine"]
    assert "{#mine}" not in html


def test_html_blocks_stay_raw_across_blank_lines():
    html = markdown_to_html("<ul>\n  <li>one</li>\n\n    <li>two *not emphasised*</li>\n\n</ul>\n\nAfter *the* list.\n")
    assert "<pre>" not in html and "<code>" not in html
    assert "<li>two *not emphasised*</li>" in html
    assert "<p>After <em>the</em> list.</p>" in html


def test_markdown_inside_html_only_when_asked():
    html = markdown_to_html('<div markdown="1">\n**bold**\n</div>\n\n<div>\n**raw**\n</div>\n')
    assert "<strong>bold</strong>" in html and "**raw**" in html
    assert 'markdown="1"' not in html


def test_attribute_lists_and_toc_are_not_text():
    html = markdown_to_html(
        "* TOC\n{:toc}\n\n## Section\n\nA lead paragraph.\n{: .lead #intro}\n\n{::comment}\nhidden\n{:/comment}\n"
    )
    assert "TOC" not in html and "{:" not in html and "hidden" not in html
    assert LexborHTMLParser(html).css_first("p#intro.lead").text() == "A lead paragraph."


def test_tables_line_breaks_and_span_html():
    html = markdown_to_html(
        "| Room | Floor |\n|---|---|\n| A1 | 1 |\n\nStreet 1  \n45131 Essen<br>\nGermany\n\n<iframe src=x></iframe>\n"
    )
    tree = LexborHTMLParser(html)
    assert [td.text() for td in tree.css("td")] == ["A1", "1"]
    paragraph = tree.css_first("p")
    assert len(paragraph.css("br")) == 2 and "Germany" in paragraph.text()
    assert tree.css_first("iframe").parent.tag != "p"


# -- rendering whole sites -----------------------------------------------------------------

CHROME_SITE = {
    "_config.yml": "title: Example Institute\nurl: https://example.org\nbaseurl: /inst\n",
    "_data/people.yml": "- name: Ada Lovelace\n  role: head\n- name: Alan Turing\n  role: staff\n",
    "_layouts/default.html": """
        <!DOCTYPE html><html><head><title>{{ page.title }}</title><style>p{}</style></head>
        <body><header><nav><a href="/">Home</a> Menu Item</nav></header>
        <main>{{ content }}</main><footer>Imprint Footer</footer><script>var x = 1;</script></body></html>
        """,
    "_layouts/page.html": """
        ---
        layout: default
        note: hello
        ---
        <article><h1>{{ page.title }}</h1>{{ content }}<p>Layout says {{ layout.note }}</p></article>
        """,
    "_layouts/post.html": "---\nlayout: page\n---\n<time>{{ page.date | date: '%Y-%m-%d' }}</time>{{ content }}",
    "index.md": """
        ---
        layout: page
        title: Welcome
        ---
        We study *examples*.

        {% for p in site.data.people %}- {{ p.name }} ({{ p.role }})
        {% endfor %}

        ## News

        {% for post in site.posts %}<h3>{{ post.title }}</h3>{{ post.excerpt }}
        {% endfor %}
        """,
    "_posts/2024-03-01-grant.md": """
        ---
        layout: post
        title: New grant
        tags: [funding]
        ---
        The institute won a grant for sepsis research.

        A second paragraph that is not part of the excerpt.
        """,
    "theme-page.md": "---\nlayout: page-from-theme\ntitle: Themed\n---\nOnly the body survives.\n",
    "bare.html": "---\n---\n<header>Site banner</header><h1>Bare page</h1><p>Body text.</p><nav>links</nav>\n",
}


def test_layout_chain_liquid_and_markdown_without_site_chrome(tmp_path: Path):
    docs, problems = render(write_site(tmp_path, CHROME_SITE))
    assert problems == []
    home = docs["index.md"]
    assert home.url == "https://example.org/inst/"
    assert home.title == "Welcome"
    words = text(home.html)
    assert "We study examples." in words
    assert "Ada Lovelace (head)" in words and "Alan Turing (staff)" in words
    assert "Layout says hello" in words
    # the post's excerpt is its first paragraph, rendered
    assert "New grant The institute won a grant for sepsis research." in words
    assert "second paragraph" not in words
    for chrome in ("Menu Item", "Imprint Footer", "var x", "Home"):
        assert chrome not in words
    assert LexborHTMLParser(home.html).css_first("h2#news") is not None


def test_posts_and_fallbacks(tmp_path: Path):
    docs, _ = render(write_site(tmp_path, CHROME_SITE))
    post = docs["_posts/2024-03-01-grant.md"]
    assert post.kind == "post" and post.date == "2024-03-01"
    assert post.url == "https://example.org/inst/2024/03/01/grant.html"
    assert "2024-03-01" in text(post.html) and "second paragraph" in text(post.html)
    assert text(docs["theme-page.md"].html) == "Only the body survives."
    bare = docs["bare.html"]
    assert bare.title == "Bare page"  # no title in front matter: the first <h1>
    assert text(bare.html) == "Bare page Body text."
    assert bare.source_text.startswith("---") and bare.body_line == 3


def test_a_page_that_fails_is_a_problem_and_the_rest_renders(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            **CHROME_SITE,
            "broken.md": "---\ntitle: Broken\n---\nLine one\n\n{% for x in site.posts %}\nnever closed\n",
        },
    )
    docs, problems = render(root)
    assert "broken.md" not in docs and "index.md" in docs
    assert len(problems) == 1
    assert problems[0].path == "broken.md" and problems[0].line == 6
    assert "never closed" in problems[0].reason or "for" in problems[0].reason


def test_redirects_pages_withheld_from_search_engines_and_the_not_found_page_are_not_rendered_as_pages(
    tmp_path: Path,
):
    docs, problems = render(
        write_site(
            tmp_path,
            {
                **CHROME_SITE,
                "old-team.html": '---\nlayout: null\n---\n<meta http-equiv="refresh" content="0; url=/team/">'
                '<a href="/team/">Click here if you are not redirected.</a>\n',
                "draft.md": "---\ntitle: Draft\nlayout: default\n---\nNot ready yet.\n",
                "_layouts/hidden.html": '<html><head><meta content="noindex, nofollow" name="robots"></head>'
                "<body>{{ content }}</body></html>",
                "admin.md": "---\nlayout: hidden\n---\nThe editors' back office.\n",
                "404.md": "---\npermalink: /404.html\nlayout: default\n---\nThis page does not exist.\n",
                "de/404.html": "---\n---\n<p>Diese Seite gibt es nicht.</p>\n",
                "reload.html": '---\n---\n<meta http-equiv="refresh" content="300"><p>Live figures.</p>\n',
            },
        )
    )
    assert problems == []
    for left_out in ("old-team.html", "admin.md", "404.md", "de/404.html"):
        assert left_out not in docs
    # a page that reloads itself stays where it is, and a page like any other is rendered
    assert "Live figures." in text(docs["reload.html"].html)
    assert "Not ready yet." in text(docs["draft.md"].html)


def test_a_hidden_search_palette_is_the_sites_tool_not_the_pages_text(tmp_path: Path):
    palette = (
        '<div class="palette" style="display: none;"><input type="text" placeholder="Type a command">'
        "<span><kbd>↑</kbd> <kbd>↓</kbd> to navigate</span> <span><kbd>esc</kbd> to close</span></div>"
    )
    docs, problems = render(
        write_site(
            tmp_path,
            {
                **CHROME_SITE,
                "team.html": f"---\n---\n<p>Our team studies droplets.</p>{palette}"
                '<div class="abstract" style="display:none"><p>Drops splash on thin films.</p></div>\n',
            },
        )
    )
    words = text(docs["team.html"].html)
    assert "Our team studies droplets." in words and "to navigate" not in words
    # hidden text a visitor opens (an abstract behind a button) is the page's own
    assert "Drops splash on thin films." in words


def test_language_description_and_publication_kind(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "lang: de\n",
            "a.md": "---\ntitle: A\ndescription: About A\n---\nText.\n",
            "b.md": "---\ntitle: B\nlang: en\n---\nText.\n",
            "pubs.html": '---\ntitle: Papers\n---\n<ol class="bibliography"><li>Ada. A long paper title. Journal of Examples, 2024.</li>'
            "<li>Alan. Another long paper title. Proceedings of Examples, 2023.</li></ol>\n",
        },
    )
    docs, _ = render(root)
    assert docs["a.md"].lang == "de" and docs["a.md"].description == "About A"
    assert docs["b.md"].lang == "en"
    assert docs["pubs.html"].kind == "publication" and docs["a.md"].kind == "page"


def test_collections_render_and_are_listed(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections:\n  team:\n    output: true\n",
            "_team/ada.md": "---\nname: Ada\n---\nAda works on *engines*.\n",
            "team.html": "---\ntitle: Team\n---\n{% for m in site.team %}<p>{{ m.name }}: {{ m.content }}</p>{% endfor %}\n",
        },
    )
    docs, problems = render(root)
    assert problems == []
    assert docs["_team/ada.md"].url == "http://localhost/team/ada.html"
    assert "Ada: Ada works on engines." in text(docs["team.html"].html)


def test_a_change_date_comes_from_jekyll_last_modified_at_and_goes_when_the_plugin_is_left_out(tmp_path: Path):
    import os

    from assistant.build import site_passages

    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: Dates\nplugins: [jekyll-last-modified-at]\n",
            "_layouts/default.html": "<main>{{ content }}<p>Changed in {{ page.last_modified_at | date: '%Y' }}.</p></main>",
            "index.md": "---\nlayout: default\ntitle: Home\n---\nThe tide gauge stands on the pier.\n",
        },
    )
    os.utime(site / "index.md", (1262304000, 1262304000))  # 1 January 2010

    def words(passages) -> str:
        return " ".join(p.text for p in passages.passages)

    assert "Changed in 2010." in words(site_passages(site))
    # a reference build that could not run the plugin shows no date: rendered the same way to compare
    assert "Changed in ." in words(site_passages(site, without_plugins=["jekyll-last-modified-at"]))


def test_a_panel_one_layout_puts_on_its_pages_is_chrome_though_most_pages_have_another_layout(tmp_path: Path):
    files = {
        "_config.yml": "title: Lab\n",
        "_layouts/page.html": '<main>{{ content }}<div class="panel"><div class="panel-heading">Latest news</div>'
        "<ul>{% for post in site.posts limit: 3 %}<li>{{ post.title }}</li>{% endfor %}</ul></div></main>\n",
        "_layouts/post.html": "<main><article>{{ content }}</article></main>\n",
    }
    for n in range(6):
        files[f"page-{n}.md"] = (
            f"---\nlayout: page\ntitle: Page {n}\n---\nPage {n} tells what the lab does in area {n}.\n"
        )
    for n in range(12):
        files[f"_posts/2024-01-{n + 1:02d}-news-{n}.md"] = (
            f"---\nlayout: post\ntitle: Sensor number {n} installed\n---\nThe lab put up sensor {n} on the roof.\n"
        )
    from assistant.build import index_site
    from assistant.search_index import SearchIndex

    index_site(write_site(tmp_path / "site", files), tmp_path / "index")
    texts = [p.text for p in SearchIndex.open(tmp_path / "index").passages() if p.page_url.endswith("/page-2.html")]
    assert any("area 2" in t for t in texts)
    assert not any("Latest news" in t or "Sensor number" in t for t in texts)


def test_a_listing_shows_the_html_of_posts_whose_bodies_have_liquid_and_each_post_its_own(tmp_path: Path):
    # the Markdown of a body with Liquid is converted when first read: by the listing, or by the post's own layout
    files = {
        "_config.yml": "title: Dune Lab\n",
        "_posts/2020-01-01-boat.md": "---\ntitle: A boat\n---\nThe lab bought **{{ page.title | downcase }}**.\n",
        "_posts/2020-02-01-tent.md": "---\ntitle: A tent\n---\nThe lab has *{{ page.title }}* for {{ site.title }}.\n",
        "_posts/2020-03-01-broken.md": "---\ntitle: Broken\n---\n{% if %}never closed\n",
        "news.md": "---\ntitle: News\n---\n{% for post in site.posts %}<div>{{ post.content }}</div>{% endfor %}\n",
    }
    by_title, problems = render_by_title(tmp_path, files)
    news = by_title["News"].html
    assert "<strong>a boat</strong>" in news and "<em>A tent</em> for Dune Lab" in news
    assert "<strong>a boat</strong>" in by_title["A boat"].html
    assert "<em>A tent</em> for Dune Lab" in by_title["A tent"].html
    assert "Broken" not in by_title and any(p.path.endswith("broken.md") for p in problems)


def test_a_post_whose_excerpt_cannot_be_converted_leaves_the_rest_of_the_site_rendered(tmp_path: Path, monkeypatch):
    # one odd page must not stop the site: its excerpt's Markdown failing used to stop the first pass
    import assistant.render as render_module

    real = render_module.markdown_to_html

    def fragile(text: str, config: dict | None = None) -> str:
        if "Unconvertible" in text:
            raise ValueError("the converter gave up")
        return real(text, config)

    monkeypatch.setattr(render_module, "markdown_to_html", fragile)
    files = {
        "_config.yml": "title: Dune Lab\n",
        "_posts/2020-01-01-odd.md": "---\ntitle: Odd\n---\nUnconvertible {{ page.title }} start.\n\nMore text.\n",
        "_posts/2020-02-01-boat.md": "---\ntitle: A boat\n---\nThe lab bought **{{ page.title }}**.\n\nIt floats.\n",
        "news.md": "---\ntitle: News\n---\n{% for post in site.posts %}<p>[{{ post.excerpt }}]</p>{% endfor %}\n",
    }
    by_title, problems = render_by_title(tmp_path, files)
    assert "<strong>A boat</strong>" in by_title["News"].html and "[]" in by_title["News"].html
    assert "Odd" not in by_title and any(p.path.endswith("odd.md") for p in problems)
