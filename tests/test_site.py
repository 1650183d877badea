"""Which files a Jekyll site publishes, and at which URL."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from conftest import write_site

from assistant.site import load_site

PAGE = "---\ntitle: {title}\n---\nText of {title}.\n"


def urls(site) -> dict[str, str]:
    return {sf.path: sf.url for sf in site.published()}


def test_pages_publish_as_html_and_index_pages_as_folders(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "title: Example\n",
            "index.md": PAGE.format(title="Home"),
            "about.md": PAGE.format(title="About"),
            "groups/index.md": PAGE.format(title="Groups"),
            "groups/ml.markdown": PAGE.format(title="ML"),
            "team.html": PAGE.format(title="Team"),
            "404.md": PAGE.format(title="Not found"),
            "people.html": "---\npermalink: people\n---\n<p>All people</p>\n",
            "feed.xml": "---\n---\n<feed/>\n",
            "README.md": "# How to edit this site\n",
            "LICENSE": "MIT\n",
            "notes.md": "no front matter, so a static file\n",
        },
    )
    site = load_site(root)
    assert urls(site) == {
        "index.md": "/",
        "about.md": "/about.html",
        "groups/index.md": "/groups/",
        "groups/ml.markdown": "/groups/ml.html",
        "team.html": "/team.html",
        "404.md": "/404.html",
        "people.html": "/people",
    }
    assert site.problems == []


@pytest.mark.parametrize(
    "style, post_url, page_url",
    [
        (None, "/news/2024/06/27/symposium.html", "/about.html"),
        ("date", "/news/2024/06/27/symposium.html", "/about.html"),
        ("pretty", "/news/2024/06/27/symposium/", "/about/"),
        ("ordinal", "/news/2024/179/symposium.html", "/about.html"),
        ("none", "/news/symposium.html", "/about.html"),
        ("/blog/:year/:title/", "/blog/2024/symposium/", "/about/"),
        ("/:categories/:slug:output_ext", "/news/symposium.html", "/about.html"),
        ("/:year-:month-:day-:title", "/2024-06-27-symposium", "/about"),
    ],
)
def test_permalink_styles(tmp_path: Path, style, post_url, page_url):
    config = f"permalink: {style!r}\n" if style else ""
    root = write_site(
        tmp_path,
        {
            "_config.yml": config,
            "about.md": PAGE.format(title="About"),
            "index.md": PAGE.format(title="Home"),
            "news/_posts/2024-06-27-symposium.md": PAGE.format(title="Symposium"),
        },
    )
    site = load_site(root)
    assert urls(site)["news/_posts/2024-06-27-symposium.md"] == post_url
    assert urls(site)["about.md"] == page_url
    assert urls(site)["index.md"] == "/"


def test_posts_in_every_posts_folder_get_categories_from_folders_and_front_matter(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_posts/2023-01-02-hello-world.md": "---\ncategories: [Announcements]\ntags: ai imaging\n---\nHello.\n",
            "projects/_posts/2022-01-01-Sepsis.md": "---\ntitle: Sepsis\n---\nSepsis.\n",
            "projects/_posts/2024-05-05-old.md": "---\ndate: 2021-05-05 10:00:00\npermalink: /p/:title/\n---\nOld.\n",
            "projects/_drafts/2024-01-01-draft.md": "---\n---\nDraft.\n",
            "_posts/2024-01-01-hidden.md": "---\npublished: false\n---\nHidden.\n",
            "_posts/2999-01-01-future.md": "---\n---\nFuture.\n",
            "_posts/not-a-post.md": "---\n---\nNo date in the name.\n",
        },
    )
    site = load_site(root)
    got = {p.path: (p.url, p.categories, p.tags) for p in site.posts}
    assert got == {
        "_posts/2023-01-02-hello-world.md": (
            "/announcements/2023/01/02/hello-world.html",
            ["Announcements"],
            ["ai", "imaging"],
        ),
        "projects/_posts/2022-01-01-Sepsis.md": ("/projects/2022/01/01/Sepsis.html", ["projects"], []),
        "projects/_posts/2024-05-05-old.md": ("/p/old/", ["projects"], []),
    }
    # newest first, with the date from front matter winning over the file name
    assert [p.slug for p in site.posts] == ["hello-world", "Sepsis", "old"]
    assert site.posts[0].front_matter["title"] == "Hello World"


def test_collections_publish_only_with_output(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": """
            collections:
              people:
                output: true
              recipes:
                output: true
                permalink: /cook/:name/
              notes:
                output: false
            """,
            "_people/ada.md": "---\nname: Ada\n---\nAda's page.\n",
            "_people/staff/bob.md": "---\nname: Bob\n---\nBob's page.\n",
            "_recipes/Soup.md": "---\n---\nSoup.\n",
            "_notes/secret.md": "---\n---\nNot published.\n",
        },
    )
    site = load_site(root)
    assert urls(site) == {
        "_people/ada.md": "/people/ada.html",
        "_people/staff/bob.md": "/people/staff/bob.html",
        "_recipes/Soup.md": "/cook/soup/",
    }
    assert [d.path for d in site.collections["notes"]] == ["_notes/secret.md"]
    assert site.collections["people"][0].kind == "collection"


def test_front_matter_defaults_by_path_and_type(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": """
            defaults:
              - scope: {path: ""}
                values: {layout: default, lang: en}
              - scope: {path: "de"}
                values: {lang: de}
              - scope: {type: posts}
                values: {layout: post}
              - scope: {path: "de/impressum.md"}
                values: {permalink: /impressum/}
            """,
            "about.md": PAGE.format(title="About"),
            "de/ueber.md": PAGE.format(title="Über uns"),
            "de/impressum.md": "---\ntitle: Impressum\nlang: de-DE\n---\nText.\n",
            "_posts/2024-01-01-a.md": PAGE.format(title="A"),
        },
    )
    site = load_site(root)
    fm = {sf.path: sf.front_matter for sf in site.published()}
    assert fm["about.md"]["lang"] == "en" and fm["about.md"]["layout"] == "default"
    assert fm["de/ueber.md"]["lang"] == "de"
    assert fm["de/impressum.md"]["lang"] == "de-DE"  # the file itself wins
    assert urls(site)["de/impressum.md"] == "/impressum/"
    assert fm["_posts/2024-01-01-a.md"]["layout"] == "post"


def test_excluded_and_special_files_are_not_published(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "exclude: [drafts/, '*.txt.md', vendor-notes.md]\ninclude: [_pages]\n",
            "index.md": PAGE.format(title="Home"),
            "drafts/wip.md": PAGE.format(title="WIP"),
            "readme.txt.md": PAGE.format(title="Readme"),
            "vendor-notes.md": PAGE.format(title="Vendor"),
            "node_modules/pkg/index.md": PAGE.format(title="Package"),
            "vendor/bundle/gem/page.md": PAGE.format(title="Gem"),
            ".github/page.md": PAGE.format(title="Hidden"),
            "_includes/snippet.md": PAGE.format(title="Snippet"),
            "_pages/extra.md": PAGE.format(title="Extra"),
            "backup.md~": PAGE.format(title="Backup"),
        },
    )
    site = load_site(root)
    assert urls(site) == {"index.md": "/", "_pages/extra.md": "/_pages/extra.html"}


@pytest.mark.parametrize(
    "config, cname, arg, expected",
    [
        ("url: https://example.org\nbaseurl: /site\n", None, None, "https://example.org/site"),
        ("baseurl: /\n", "www.example.org\n", None, "https://www.example.org"),
        ("baseurl: /repo\n", None, None, "http://localhost/repo"),
        ("url: https://example.org\n", "ignored.org", "https://override.org/", "https://override.org"),
        ("", None, None, "http://localhost"),
        # protocol-relative addresses open as https; a baseurl that is an address is where links start
        ('url: "//lab.example.org"\nbaseurl: /site\n', None, None, "https://lab.example.org/site"),
        ('url: "//lab.example.org"\nbaseurl: "//lab.example.org"\n', None, None, "https://lab.example.org"),
    ],
)
def test_base_url(tmp_path: Path, config, cname, arg, expected):
    files = {"_config.yml": config}
    if cname:
        files["CNAME"] = cname
    site = load_site(write_site(tmp_path, files), url=arg)
    assert site.base_url == expected


def test_data_files_nest_by_folder(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_data/groups.yml": "- name: ml\n  label: Machine Learning\n",
            "_data/people/ml.yml": "- name: Ada\n",
            "_data/people/theory.json": '[{"name": "Alan"}]',
            "_data/rooms.csv": "room,floor\nA1,1\nB2,2\n",
        },
    )
    site = load_site(root)
    assert site.data["groups"][0]["label"] == "Machine Learning"
    assert site.data["people"]["ml"][0]["name"] == "Ada"
    assert site.data["people"]["theory"][0]["name"] == "Alan"
    assert site.data["rooms"] == [{"room": "A1", "floor": "1"}, {"room": "B2", "floor": "2"}]


def test_broken_files_are_reported_and_the_rest_loads(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "index.md": PAGE.format(title="Home"),
            "broken.md": "---\ntitle: Broken\nlayout: [default\n---\nBody.\n",
            "unclosed.md": "---\ntitle: never closed\n",
            "scalar.md": "---\njust a string\n---\nBody.\n",
            "_data/bad.yml": "a: [1, 2\n",
        },
    )
    (root / "latin1.md").write_bytes("---\ntitle: x\n---\nGr\xfc\xdfe\n".encode("latin-1"))
    (root / "binary.html").write_bytes(b"---\n\x00\x01\x02\n---\n")
    (root / "loop").mkdir()
    os.symlink(root / "loop", root / "loop" / "again")
    site = load_site(root)
    # Jekyll warns about broken front matter and publishes the page without it
    assert urls(site) == {"index.md": "/", "broken.md": "/broken.html", "unclosed.md": "/unclosed.html"}
    problems = {p.path: p for p in site.problems}
    assert problems["broken.md"].line == 4 and "YAML" in problems["broken.md"].reason
    assert problems["unclosed.md"].line == 1
    assert "mapping" in problems["scalar.md"].reason
    assert problems["latin1.md"].line == 4 and "UTF-8" in problems["latin1.md"].reason
    assert "binary" in problems["binary.html"].reason
    assert "_data/bad.yml" in problems
    assert any("loop" in p.reason for p in site.problems)
    assert str(problems["broken.md"]).startswith("broken.md:4: ")


def test_body_line_points_at_the_first_body_line(tmp_path: Path):
    root = write_site(tmp_path, {"a.md": "---\ntitle: A\nlayout: x\n---\nFirst body line\n"})
    sf = load_site(root).pages[0]
    assert sf.text.splitlines()[sf.body_line - 1] == "First body line"
    assert sf.body.startswith("First body line")


SITES = Path(os.environ.get("ASSISTANT_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "sites"


@pytest.mark.skipif(not (SITES / "ikim-website").is_dir(), reason="shared sites not present")
def test_real_site_loads_without_problems():
    site = load_site(SITES / "ikim-website")
    assert site.problems == []
    assert site.base_url.startswith("https://")
    assert any(p.kind == "post" and p.url.endswith(".html") and p.categories for p in site.posts)
    assert all(p.url.startswith("/") for p in site.published())


def test_collections_dir_holds_posts_and_collections(tmp_path: Path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections_dir: content\ncollections:\n  team:\n    output: true\n",
            "content/_posts/2020-01-01-launch.md": "---\n---\nLaunch.\n",
            "content/_team/ada.md": "---\n---\nAda.\n",
        },
    )
    assert urls(load_site(root)) == {
        "content/_posts/2020-01-01-launch.md": "/2020/01/01/launch.html",
        "content/_team/ada.md": "/team/ada.html",
    }


def test_source_in_config_moves_the_pages_into_a_subfolder(tmp_path: Path):
    write_site(
        tmp_path,
        {
            "_config.yml": "source: web\ntitle: Lab\n",
            "README.md": "---\ntitle: Read me\n---\nHow to build the repository.\n",
            "web/index.md": "---\ntitle: Home\n---\nThe lab studies rivers.\n",
            "web/team/index.md": "---\ntitle: Team\n---\nWho we are.\n",
        },
    )
    site = load_site(tmp_path)
    assert sorted(p.url for p in site.published()) == ["/", "/team/"]
    assert site.config["title"] == "Lab"


def test_source_outside_the_site_is_refused(tmp_path: Path):
    write_site(tmp_path / "site", {"_config.yml": "source: ../elsewhere\n", "index.md": "---\n---\nHome\n"})
    write_site(tmp_path / "elsewhere", {"secret.md": "---\n---\nNot for the site\n"})
    site = load_site(tmp_path / "site")
    assert [p.url for p in site.published()] == ["/"]
    assert any("source" in p.reason for p in site.problems)


def test_a_post_with_broken_front_matter_keeps_its_place_among_the_posts(tmp_path):
    # Jekyll dates it the day of the build, yet lists it where its file name puts it
    root = write_site(
        tmp_path / "site",
        {
            "_posts/2019-05-03-before.md": "---\ntitle: Before\n---\nEarlier.\n",
            "_posts/2019-06-05-broken.md": '---\ntitle: "A "quoted" word"\n---\nBroken.\n',
            "_posts/2019-06-24-after.md": "---\ntitle: After\n---\nLater.\n",
        },
    )
    site = load_site(root)
    assert [p.path.split("-", 3)[-1] for p in site.posts] == ["after.md", "broken.md", "before.md"]
    assert site.posts[1].url.startswith("/" + str(site.posts[1].date.year))  # dated the day of the build


def test_page_texts_read_back_as_their_files_give_them_though_kept_in_a_few_blocks(tmp_path: Path):
    # the site's pages are held while it is built; kept in a few byte blocks, forked build workers share them
    files = {"_config.yml": "title: Example\n"}
    bodies = {}
    for n in range(300):
        bodies[f"page-{n}.md"] = f"Seite {n} über Größe und Maß, “quoted” 🙂 and more words to be long enough.\n" * (
            n % 7 + 1
        )
    bodies["large.md"] = "A very long page. " * 1_200_000  # larger than the largest block
    bodies["_posts/2020-01-02-note.md"] = "A post of some length, long enough to be kept in a block with the others.\n"
    bodies["short.md"] = "Brief."
    for rel, body in bodies.items():
        files[rel] = f"---\ntitle: {rel}\n---\n{body}"
    site = load_site(write_site(tmp_path, files))

    read = {sf.path: sf for sf in site.pages + site.posts}
    assert {rel: read[rel].body for rel in bodies} == bodies
    assert read["page-3.md"].text == files["page-3.md"]
    blocks = {id(sf.__dict__["_body"].block) for sf in read.values() if sf.path != "short.md"}
    assert len(blocks) <= 8
    assert read["page-3.md"] == pickle.loads(pickle.dumps(read["page-3.md"]))  # sent whole, as its text


def test_front_matter_words_many_pages_share_are_held_once_and_read_as_written(tmp_path: Path):
    # a large site's pages each gave their own "layout" and tag strings; a forked build worker copied them all
    files = {"_config.yml": "title: Example\n"}
    for n in range(3):
        files[f"page-{n}.md"] = (
            "---\nlayout: page\ntags: [imaging, genomics]\nshared: &team {lead: Ada, members: [Ada, Bo]}\n"
            f"again: *team\ntitle: Page {n}\nnested: {'[' * 60}deep{']' * 60}\n---\nBody {n}.\n"
        )
    pages = sorted(load_site(write_site(tmp_path, files)).pages, key=lambda sf: sf.path)

    first, second = pages[0].front_matter, pages[1].front_matter
    assert first["tags"] == ["imaging", "genomics"] and first["title"] == "Page 0"
    assert first["again"] == {"lead": "Ada", "members": ["Ada", "Bo"]}
    assert first["again"] is first["shared"]  # an alias still names the very value its anchor does
    deep = first["nested"]
    for _ in range(59):
        deep = deep[0]
    assert deep == ["deep"]
    assert [k for k in first] == ["layout", "tags", "shared", "again", "title", "nested"]  # in the file's order
    assert first["layout"] is second["layout"]
    assert first["tags"][1] is second["tags"][1]
    assert next(iter(first)) is next(iter(second))


def test_markdown_without_front_matter_is_a_page_where_github_pages_builds_the_site(tmp_path: Path):
    files = {
        "_config.yml": "theme: jekyll-theme-cayman\ntitle: AG OCR\n",
        "index.md": "# AG OCR\n\nWir arbeiten an Texterkennung.\n",
        "aktuelles.md": "## Aktuelles\n\nDie Coffee Lectures finden um 15:00 Uhr statt.\n",
        "README.md": "# How to edit this site\n",
    }
    site = load_site(write_site(tmp_path / "pages", files))
    assert {p.path: p.url for p in site.pages} == {"index.md": "/", "aktuelles.md": "/aktuelles.html"}
    # a site with a Gemfile of its own is built with its own gems: no plugin, no pages without front matter
    own = load_site(write_site(tmp_path / "own", {**files, "Gemfile": "gem 'jekyll'\n"}))
    assert own.pages == []


def test_only_a_list_of_plugins_names_a_plugin_as_jekyll_reads_it(tmp_path: Path):
    files = {"Gemfile": "gem 'jekyll'\n", "index.md": "# Lab\n", "notes.md": "# Notes\n\nThe seminar is on Monday.\n"}
    listed = load_site(
        write_site(tmp_path / "listed", {**files, "_config.yml": "plugins:\n  - jekyll-optional-front-matter\n"})
    )
    assert {p.path for p in listed.pages} == {"index.md", "notes.md"}
    # Jekyll refuses to build with a string there ("'plugins' should be set as an array"): it names nothing
    string = load_site(
        write_site(tmp_path / "string", {**files, "_config.yml": "plugins: jekyll-optional-front-matter\n"})
    )
    assert string.pages == []


def test_a_readme_is_the_index_of_a_folder_without_one_where_github_pages_builds_the_site(tmp_path: Path):
    files = {
        "_config.yml": "theme: minima\ntitle: AG OCR\n",
        "index.md": "# AG OCR\n",
        "README.md": "# How to edit this site\n",
        "notes/README.md": "# Sammlung\n\nIdeen für die Anmeldung.\n",
        "minutes/index.md": "# Protokolle\n",
        "minutes/README.md": "---\n---\n# About the minutes\n",
    }
    site = load_site(write_site(tmp_path / "pages", files))
    urls = {p.path: p.url for p in site.pages}
    assert urls["notes/README.md"] == "/notes/"
    # the site's own README and one beside an index stay what they are
    assert "README.md" not in urls and urls["minutes/README.md"] == "/minutes/README.html"
    own = load_site(write_site(tmp_path / "own", {**files, "Gemfile": "gem 'jekyll'\n"}))
    assert "notes/README.md" not in {p.path for p in own.pages}
