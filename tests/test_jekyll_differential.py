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


DIV_LAYOUT = """
    <!DOCTYPE html>
    <html><head><title>{{ page.title }}</title></head>
    <body><div class="top"><div class="menu"><a href="/">Startseite</a> <a href="/team.html">Über uns</a> <a href="/kontakt.html">Kontakt</a></div>
    <div class="ticker">Neu: Der Jahresbericht ist erschienen und kann bestellt werden.</div></div>
    <div class="page">{{ content }}</div>
    <div class="bottom">Beispielinstitut der Musteruniversität, Musterstraße 1, 12345 Musterstadt</div>
    </body></html>
    """

PEOPLE_AND_CHROME = {
    "_config.yml": """
        url: https://example.org
        lang: de
        """,
    "_layouts/default.html": DIV_LAYOUT,
    "_layouts/person.html": """
        ---
        layout: default
        ---
        <div class="person"><h2>{{ page.title }}</h2><p class="role">{{ page.role }}</p>
        <p class="links"><a class="button" href="mailto:{{ page.email }}">E-Mail</a> <a class="button" href="#">Profil</a></p>
        {{ content }}</div>
        """,
    "index.md": """
        ---
        layout: default
        title: Startseite
        ---
        Das Beispielinstitut erforscht, wie Beispiele entstehen.

        Unsere Schwerpunkte sind:

        - Zählen von Beispielen
        - Ordnen von Beispielen
        - Erklären von Beispielen
        """,
    "kontakt.md": """
        ---
        layout: default
        title: Kontakt
        ---
        Sie finden uns im Hauptgebäude, 3. Etage, Raum Nr. 301. Wir sind z. B. montags von neun bis zwölf Uhr da.

        Die Leitung hat Prof. Dr.-Ing. Erika Muster, geb. Beispiel. Sie ist per E-Mail erreichbar.
        """,
    "team.html": """
        ---
        layout: default
        title: Team
        ---
        <h2>Wissenschaftliche Mitarbeiter</h2>
        <h6>Max Beispiel</h6>
        <h6>Erika Probe</h6>
        <h6>Moritz Muster</h6>
        <h2>Verwaltung</h2>
        <p>Die Verwaltung erreichen Sie über das Sekretariat.</p>
        """,
    "people/max.md": """
        ---
        layout: person
        title: Max Beispiel
        role: Doktorand
        email: max@example.org
        ---
        Max Beispiel untersucht, wie viele Beispiele ein Leser braucht, bis eine Regel klar ist.
        """,
    "people/erika.md": """
        ---
        layout: person
        title: Erika Probe
        role: Postdoktorandin
        email: erika@example.org
        ---
        Erika Probe ordnet Beispiele nach ihrer Schwierigkeit.
        """,
}


def test_div_chrome_people_and_context(tmp_path):
    """A theme without nav/header/footer; people's records; lists with their lead-in; German abbreviations."""
    comparison = compare(tmp_path, PEOPLE_AND_CHROME)
    assert_faithful(comparison)
    everything = [p.text for p in comparison.ours.passages]
    assert not any("Startseite" in t or "Jahresbericht" in t or "Musteruniversität" in t for t in everything)
    max_record = next(t for t in comparison.passages("people/max.html") if "untersucht" in t)
    assert "Max Beispiel" in max_record.split("\n")[0] and "Doktorand" in max_record
    assert any("Unsere Schwerpunkte sind:" in t and "Ordnen von Beispielen" in t for t in everything)
    team = "\n".join(comparison.passages("team.html"))
    assert "Max Beispiel" in team and "Moritz Muster" in team
    from assistant.passages import split_sentences

    contact = " ".join(comparison.passages("kontakt.html"))
    assert "Sie finden uns im Hauptgebäude, 3. Etage, Raum Nr. 301." in split_sentences(contact)
    assert "Die Leitung hat Prof. Dr.-Ing. Erika Muster, geb. Beispiel." in split_sentences(contact)


def _posts(n: int) -> dict[str, str]:
    return {
        f"_posts/2024-01-{day:02d}-report-{day}.md": f"""
            ---
            layout: default
            title: Report number {day}
            ---
            Report {day} tells what the group did in week {day}.
            """
        for day in range(1, n + 1)
    }


PAGINATE_V1 = {
    "_config.yml": """
        url: https://example.org
        paginate: 2
        paginate_path: /news/page:num/
        plugins:
          - jekyll-paginate
        """,
    "_layouts/default.html": LAYOUT,
    "index.html": """
        ---
        layout: default
        title: News
        ---
        {% for post in paginator.posts %}<h2>{{ post.title }}</h2>{{ post.excerpt }}
        {% endfor %}
        <p>Page {{ paginator.page }} of {{ paginator.total_pages }}{% if paginator.next_page %}, next: {{ paginator.next_page_path }}{% endif %}</p>
        """,
    **_posts(5),
}

PAGINATE_V2 = {
    "_config.yml": """
        url: https://example.org
        pagination:
          enabled: true
        plugins:
          - jekyll-paginate-v2
        """,
    "_layouts/default.html": LAYOUT,
    "blog/index.html": """
        ---
        layout: default
        title: Blog
        pagination:
          enabled: true
          per_page: 2
          permalink: /page/:num/
        ---
        {% for post in paginator.posts %}<h2>{{ post.title }}</h2>
        {% endfor %}
        <p>Page {{ paginator.page }} of {{ paginator.total_pages }}</p>
        """,
    **_posts(5),
}


def test_listing_pages_of_jekyll_paginate(tmp_path):
    comparison = compare(tmp_path, PAGINATE_V1)
    assert_faithful(comparison)
    assert "Report number 1" in comparison.page("news/page3/index.html")
    assert any("Page 2 of 3" in text for text in comparison.passages("news/page2/index.html"))


def test_listing_pages_of_jekyll_paginate_v2(tmp_path):
    comparison = compare(tmp_path, PAGINATE_V2)
    assert_faithful(comparison)
    assert any("Page 3 of 3" in text for text in comparison.passages("blog/page/3/index.html"))


# The page generator of ``page_gen:`` (jekyll-datapage_gen), as a site carries it in _plugins:
# a page per record, its body the template layout's, the record's fields in ``page``.
RECORD_PAGES_PLUGIN = """
    module Jekyll
      class RecordPage < Page
        def initialize(site, dir, record, key, template)
          @site = site
          @base = site.source
          @dir = dir
          @name = record[key].to_s.downcase.strip.gsub(' ', '-').gsub(/[^\\w.-]/, '') + '.html'
          process(@name)
          read_yaml(File.join(@base, '_layouts'), template + '.html')
          data['title'] = record[key]
          data.merge!(record)
        end
      end

      class RecordPages < Generator
        safe true
        def generate(site)
          (site.config['page_gen'] || []).each do |spec|
            site.data[spec['data']].each do |record|
              site.pages << RecordPage.new(site, spec['dir'], record, spec['name'], spec['template'])
            end
          end
        end
      end
    end
    """

DATA_PAGES = {
    "_config.yml": """
        url: https://example.org
        page_gen:
          - data: members
            template: profile
            name: key
            dir: people
        """,
    "_plugins/record_pages.rb": RECORD_PAGES_PLUGIN,
    "_layouts/default.html": LAYOUT,
    "_layouts/profile.html": """
        ---
        layout: default
        ---
        <h1>{{ page.fullname }}</h1>
        <div><div>Office:</div><div>{{ page.office }}</div></div>
        <h2>Papers</h2>
        {% for paper in site.data.papers %}<ul>{% for who in paper.authors %}{% if who == page.key %}
        <div class="row"><li>{{ paper.title }} ({{ paper.year }}) in: {{ paper.in }}</li></div>
        {% endif %}{% endfor %}</ul>{% endfor %}
        """,
    "_data/members.yml": """
        - key: Ada Probe
          fullname: Dr. Ada Probe
          office: Room B-214
        - key: lenz
          fullname: Jonas Lenz
          office: Room C-007
        """,
    "_data/papers.yml": """
        - title: Counting sheep with drones
          year: 2021
          in: Journal of Pastoral Robotics
          authors: [Ada Probe, lenz]
        - title: A field guide to fences
          year: 2019
          in: Fence Studies Quarterly
          authors: [lenz]
        """,
    "index.md": """
        ---
        layout: default
        title: Home
        ---
        The group builds drones that count animals in fields, and writes about it.
        """,
}


def test_data_pages_are_made_one_per_record_as_the_generator_makes_them(tmp_path):
    comparison = compare(tmp_path, DATA_PAGES)
    assert_faithful(comparison)
    assert "Room C-007" in comparison.page("people/lenz.html")
    # the name field's spaces become a dash; the record's fields are the page's
    ada = " ".join(comparison.passages("people/ada-probe.html"))
    assert "Room B-214" in ada
    # a key named like a Liquid word ("in") is a key, and items boxed inside a list are its items
    assert "Counting sheep with drones (2021) in: Journal of Pastoral Robotics" in ada


def test_generator_plugins_that_are_not_known_are_reported(tmp_path, capsys):
    from conftest import write_site

    from assistant.cli import main

    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "plugins:\n  - jekyll-archives\n  - jekyll-feed\n  - jekyll-datapage_gen\n",
            "index.md": "---\ntitle: Home\n---\nA home page with enough words to be indexed here.\n",
        },
    )
    assert main(["index", str(site), "--out", str(tmp_path / "ix")]) == 0
    err = capsys.readouterr().err
    assert "plugins that make pages this program does not make" in err and "jekyll-archives" in err
    assert "jekyll-feed" not in err and "datapage" not in err  # a generator made here is not reported


KRAMDOWN = {
    "_config.yml": """
        url: https://example.org
        kramdown:
          parse_block_html: true
        """,
    "_layouts/default.html": LAYOUT,
    "index.md": """
        ---
        layout: default
        title: Markdown as kramdown reads it
        ---
        <div class="box">
        This box holds **Markdown** and a [link to the slides](/slides.pdf) inside an HTML block.
        </div>

        The lab has 120 m<sup>2</sup> of floor space and H<sub>2</sub>O on tap.

        {% assign rows = "Monday,Tuesday" | split: "," %}
        | Day | Opening |
        {% for day in rows %}| :--- | :--- |
        | {{ day }} | nine to five |
        {% endfor %}

        ![A photo of the team at work](/images/team photo.jpg)

        A sentence after the picture, with an ellipsis... and a dash -- here.

        *Listing 1*
        {% highlight python linenos %}
        size(400, 400)

        circle(20, 30, 5)
        {% endhighlight %}
        """,
}


def test_markdown_reads_as_kramdown_with_the_sites_settings(tmp_path):
    comparison = compare(tmp_path, KRAMDOWN)
    assert_faithful(comparison)
    texts = comparison.passages("index.html")
    assert any("This box holds Markdown and a link to the slides" in t for t in texts)
    assert any("120 m2 of floor space" in t for t in texts)
    # Rouge's line numbers stand before the code, in the built page and in the quote
    assert "1 2 3 size(400, 400)" in " ".join(comparison.page("index.html").split())
    assert any("1 2 3 size(400, 400)" in " ".join(t.split()) for t in texts)


NEIGHBOURS = {
    "_config.yml": "url: https://example.org\n",
    "_layouts/default.html": LAYOUT,
    "_layouts/note.html": """
        ---
        layout: default
        series: Field notes
        ---
        <article>{{ content }}
        <p class="nav">{% if page.previous %}Before this: {{ page.previous.title }}.{% endif %}
        {% if page.next %}After this: {{ page.next.title }}.{% endif %}</p></article>
        """,
    "_posts/2024-02-01-first-note.md": """
        ---
        layout: note
        title: First note
        ---
        The first note belongs to the series {{ layout.series }} and {{ "is shouted" | shout_loudly }}.
        """,
    "_posts/2024-02-02-second-note.md": """
        ---
        layout: note
        title: Second note
        ---
        The second note follows the first one a day later.
        """,
}


def test_layout_data_neighbouring_posts_and_unknown_filters(tmp_path):
    comparison = compare(tmp_path, NEIGHBOURS)
    assert_faithful(comparison)
    first = comparison.page("2024/02/01/first-note.html")
    assert "series Field notes" in first and "After this: Second note." in first
    assert any("shout_loudly" in note for note in comparison.ours.notes)


CARDS_OF_A_COLLECTION = {
    "_config.yml": """
        url: https://example.org
        collections:
          team:
            output: false
        """,
    "_layouts/default.html": LAYOUT,
    "_team/ada.md": """
        ---
        name: Ada Quint
        title: Professor
        ---
        Ada studied at *Harvard Medical School* and plays chess on Sundays.
        """,
    "_team/ben.md": """
        ---
        name: Ben Otte
        title: Postdoc
        ---
        Ben came from the Max Planck Institute and builds the lab's sequencers.
        """,
    "team.html": """
        ---
        layout: default
        title: Team
        ---
        {% for person in site.team %}<div class="card"><h3>{{ person.name }}</h3>
        <strong>{{ person.title }}</strong>
        {{ person | markdownify }}</div>
        {% endfor %}
        <p>Everyone: {% for person in site.team %}<span>{{ person }}</span>{% endfor %}</p>
        """,
}


def test_a_collection_document_printed_whole_is_its_text_not_its_fields(tmp_path):
    """`{{ person | markdownify }}` on a team card: Jekyll prints the document's content (DocumentDrop#to_s)."""
    comparison = compare(tmp_path, CARDS_OF_A_COLLECTION)
    assert_faithful(comparison)
    text = " ".join(comparison.passages("team.html"))
    assert "Harvard Medical School" in text and "Max Planck Institute" in text
    assert "relative_path" not in text and "'name'" not in text


def test_limit_posts_publishes_only_the_newest(tmp_path):
    site = {
        "_config.yml": "url: https://example.org\nlimit_posts: 2\n",
        "_layouts/default.html": LAYOUT,
        "index.md": "---\nlayout: default\ntitle: News\n---\n{% for post in site.posts %}- {{ post.title }}\n{% endfor %}\n",
    }
    for day, title in ((1, "Oldest"), (2, "Middle"), (3, "Newest")):
        site[f"_posts/2021-03-0{day}-{title.lower()}.md"] = (
            f"---\nlayout: default\ntitle: {title} news\n---\nThe {title.lower()} post of March.\n"
        )
    comparison = compare(tmp_path, site)
    assert_faithful(comparison)
    files = {page.file for page in comparison.check.pages}
    assert "2021/03/03/newest.html" in files and "2021/03/02/middle.html" in files
    assert "2021/03/01/oldest.html" not in files
