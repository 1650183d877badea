"""Fixture sites built with real Jekyll and rendered by the project: the same pages, the same words.

Each site here is small and written for its test. Jekyll builds it in a
temporary folder; the project renders it; every published page must be the
same file, and every passage must stand word for word, in order, on its page
as Jekyll built it. A rule of the rendering that drifts from Jekyll fails here.
"""

from __future__ import annotations

from jekyll_reference import assert_faithful, compare, needs_jekyll

pytestmark = needs_jekyll

LAYOUT = """
    <!DOCTYPE html>
    <html lang="{{ page.lang | default: 'en' }}"><head><title>{{ page.title }}</title></head>
    <body><header><nav><a href="/">Home</a> <a href="/about/">About us</a></nav></header>
    <main>{{ content }}</main>
    <footer>Example Institute, Sample Street 1</footer></body></html>
    """

BASIC = {
    "_config.yml": """
        title: Example Institute
        url: https://example.org
        collections:
          projects:
            output: true
        """,
    "_layouts/default.html": LAYOUT,
    "_layouts/post.html": """
        ---
        layout: default
        ---
        <article><h1>{{ page.title }}</h1><p class="date">{{ page.date | date: "%B %-d, %Y" }}</p>{{ content }}</article>
        """,
    "_includes/note.html": '<p class="note">{{ include.text }}</p>\n',
    "_data/people.yml": """
        - name: Erika Example
          role: Head of the group
        - name: Max Sample
          role: Data steward
        """,
    "index.md": """
        ---
        layout: default
        title: Welcome
        ---
        # Welcome

        The institute studies how examples are made, and why some of them are better than others.

        {% include note.html text="Visiting hours are from nine to five on weekdays." %}

        ## Latest news

        {% for post in site.posts %}- [{{ post.title }}]({{ post.url | relative_url }}) ({{ post.date | date: "%Y" }})
        {% endfor %}
        """,
    "about.md": """
        ---
        layout: default
        title: About us
        permalink: /about/
        ---
        ## People

        {% for p in site.data.people %}
        ### {{ p.name }}

        {{ p.role }}.
        {% endfor %}

        ## Contact

        | What | Where |
        |------|-------|
        | Office | Room 101 |
        | Lab | Room 204 |

        Write to *office@example.org* -- we answer within a week... usually.
        """,
    "_posts/2024-03-01-spring-school.md": """
        ---
        layout: post
        title: Spring school on examples
        ---
        Forty students came to the spring school. They built "good" examples in small groups.

        The next school is planned for 2025.
        """,
    "_projects/counting.md": """
        ---
        layout: default
        title: Counting things
        ---
        The counting project asks how many examples a reader needs before a rule is clear.
        """,
    "plain.html": """
        ---
        title: A plain HTML page
        ---
        <div class="box"><p>This page has <strong>no layout</strong> and is published as written.</p></div>
        """,
}


def test_a_basic_site_reads_as_jekyll_builds_it(tmp_path):
    comparison = compare(tmp_path, BASIC)
    assert_faithful(comparison)
    assert "Forty students came to the spring school." in comparison.page("2024/03/01/spring-school.html")
    assert any("Room 204" in text for text in comparison.passages("about/index.html"))


def test_editors_check_lists_pages_and_quotes_that_differ_from_their_build(tmp_path, capsys):
    from assistant.cli import main

    comparison = compare(tmp_path, BASIC)
    assert (
        main(["index", str(comparison.site), "--out", str(tmp_path / "ix"), "--check-against", str(comparison.built)])
        == 0
    )
    assert "differs:" not in capsys.readouterr().out

    about = comparison.built / "about" / "index.html"
    about.write_text(about.read_text(encoding="utf-8").replace("Room 204", "Room 205"), encoding="utf-8")
    (comparison.built / "extra.html").write_text("<p>Only in the build</p>", encoding="utf-8")
    status = main(
        [
            "index",
            str(comparison.site),
            "--out",
            str(tmp_path / "ix"),
            "--check-against",
            str(comparison.built),
            "--strict",
        ]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert "differs: extra.html: published by Jekyll, not indexed" in out
    assert "differs: about/index.html: quote not on the built page:" in out and "Room 204" in out


READING = {
    "_config.yml": """
        url: https://example.org
        permalink: /:categories/:title/
        collections:
          team:
            output: true
          alumni:
            output: true
        """,
    "_layouts/default.html": LAYOUT,
    "index.md": """
        ---
        layout: default
        title: Home
        description: A summary for search engines that this layout never shows on the page.
        ---
        The home page says little. Its summary lives in the head of the page only.

        {% for c in site.collections %}- {{ c.label }}
        {% endfor %}

        {% for f in site.static_files %}{% if f.extname == ".txt" %}* {{ f.path }} ({{ f.basename }})
        {% endif %}{% endfor %}
        """,
    "notes.txt": "Plain text, copied as it is.\n",
    "verify.html": "<p>Static page kept as written, without front matter.</p>\n",
    "broken.md": """
        ---
        title: [a list that never closes
        layout: default
        ---
        This page has broken front matter, and Jekyll still publishes its body.
        """,
    "_posts/2023-05-04-without-front-matter.md": """
        A post with no front matter at all is still a post.

        It gets its title from its file name.
        """,
    "_posts/2023-05-05-settings.yml": """
        colour: blue
        """,
    "_team/erika.md": """
        ---
        layout: default
        title: Erika Example
        ---
        Erika leads the counting project.
        """,
    "_alumni/max.md": """
        ---
        layout: default
        ---
        Max studied here until last year.
        """,
}


def test_what_jekyll_publishes_is_what_is_indexed(tmp_path):
    """Broken front matter, posts without front matter, static HTML, collections in the site's permalink style."""
    comparison = compare(tmp_path, READING)
    assert_faithful(comparison)
    files = {page.file for page in comparison.check.pages}
    assert {"broken/index.html", "verify.html", "team/erika/index.html", "without-front-matter/index.html"} <= files
    assert not any("settings" in name for name in files)
    home = comparison.page("index.html")
    assert "/notes.txt (notes)" in home
    assert home.index("alumni") < home.index("posts") < home.index("team")  # collections by label
    assert not any("search engines" in text for text in comparison.passages("index.html"))


LIQUID_AND_URLS = {
    "_config.yml": """
        url: https://example.org
        timezone: America/Los_Angeles
        """,
    "_layouts/default.html": LAYOUT,
    "_includes/icons/star.html": '<span class="icon">a star drawn in text</span>',
    "index.md": """
        ---
        layout: default
        title: Filters and tags
        ---
        {% assign shape = "star" %}
        The icon reads as {% include icons/{{ shape }}.html %} here.

        Escaped for a query: {{ "fish*chips and peas" | cgi_escape }}.

        A Latin slug: {{ "Straße über Ærø" | slugify: "latin" }}; no slug at all: {{ "Straße Über" | slugify: "none" }}.

        This site was built for {{ jekyll.environment }}.

        {% for post in site.posts %}The post {{ post.title }} is at {{ post.url }}.
        {% endfor %}
        """,
    "_posts/2020-01-02-late-night.md": """
        ---
        layout: default
        title: Late night
        date: 2020-01-02 03:00:00 +0000
        ---
        Written after midnight in Greenwich, which is still the evening before in California.
        """,
    "dots...md": """
        ---
        layout: default
        ---
        A page whose file name ends in dots.
        """,
    "100%-sure.md": """
        ---
        layout: default
        ---
        A page with a percent sign in its file name.
        """,
}


def test_jekyll_filters_tags_and_urls(tmp_path):
    """Includes with Liquid in their path, cgi_escape, slugify modes, the environment, time zones, odd file names."""
    comparison = compare(tmp_path, LIQUID_AND_URLS)
    assert_faithful(comparison)
    home = comparison.page("index.html")
    assert "a star drawn in text" in home and "built for production" in home
    files = {page.file for page in comparison.check.pages}
    assert {"2020/01/01/late-night.html", "dots.html", "100%-sure.html"} <= files
