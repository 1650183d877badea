"""Liquid rendered as Jekyll renders it: filters, includes, leniency, errors."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from assistant.jekyll_liquid import JekyllLiquid, RenderError

SHARED = Path(os.environ.get("ASSISTANT_SHARED") or Path(__file__).resolve().parents[2] / "shared")

PEOPLE = [
    {"name": "Ada", "roles": ["head", "board"], "group": "ml", "year": 2021},
    {"name": "Bob", "roles": ["phd"], "group": "ml"},
    {"name": "Cy", "roles": ["board"], "group": "nlp", "year": 2019},
]


def render(template: str, root: Path | None = None, config: dict | None = None, **context) -> str:
    liquid = JekyllLiquid(root or Path("."), config or {})
    context.setdefault("site", {"data": {"people": PEOPLE}})
    context.setdefault("page", {"group": "ml", "quote": '"Hi" -- it\'s...'})
    return liquid.render(template, context, "page.md")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ site.data.people | where: 'group', 'ml' | map: 'name' | join: ',' }}", "Ada,Bob"),
        # An array property matches when it contains the value.
        ("{{ site.data.people | where: 'roles', 'board' | map: 'name' | join: ',' }}", "Ada,Cy"),
        # Compared as strings.
        ("{{ site.data.people | where: 'year', '2019' | map: 'name' | join: ',' }}", "Cy"),
        ("{{ site.data.people | where_exp: 'p', \"p.roles contains 'head'\" | map: 'name' | join: ',' }}", "Ada"),
        ("{{ site.data.people | where_exp: 'p', 'p.group == page.group' | size }}", "2"),
        ("{% assign p = site.data.people | find: 'group', 'nlp' %}{{ p.name }}", "Cy"),
        ("{% assign p = site.data.people | find_exp: 'i', \"i.roles contains 'phd'\" %}{{ p.name }}", "Bob"),
        (
            "{% assign gs = site.data.people | group_by: 'group' %}{% for g in gs %}{{ g.name }}={{ g.size }};{% endfor %}",
            "ml=2;nlp=1;",
        ),
        (
            "{% assign gs = site.data.people | group_by_exp: 'i', 'i.roles | first' %}{% for g in gs %}{{ g.name }} {% endfor %}",
            "head phd board ",
        ),
        ("{{ site.data.people | sort: 'year' | map: 'name' | join: ',' }}", "Bob,Cy,Ada"),
        ("{{ site.data.people | sort: 'year', 'last' | map: 'name' | join: ',' }}", "Cy,Ada,Bob"),
        ("{% assign p = site.data.people | sample %}{{ p.name }}", "Ada"),
        ("{{ 'a,b' | split: ',' | concat: site.data.people | size }}", "5"),
        ("{{ 'a,b' | split: ',' | push: 'c' | unshift: 'z' | join: '' }}", "zabc"),
        ("{{ 'a,b,c' | split: ',' | pop | join: '' }} {{ 'a,b,c' | split: ',' | shift: 2 | join: '' }}", "ab c"),
        ("{{ 'a,b,a' | split: ',' | uniq | join: '' }}", "ab"),
        ("{{ site.data.people | unique: attribute: 'group' | size }}", "2"),
        ("{{ 'Hello, World_x! Ünïcode' | slugify }}", "hello-world-x-ünïcode"),
        ("{{ 'Hello, World!' | slugify: 'ascii' }}", "hello-world"),
        ("{{ '**bold** <b>x</b>' | markdownify }}", "<p><strong>bold</strong> <b>x</b></p>\n"),
        ("{{ page.quote | smartify }}", "\u201cHi\u201d \u2013 it\u2019s\u2026"),
        ("{{ '<a href=\"x\">T</a> & more' | xml_escape }}", "&lt;a href=&quot;x&quot;&gt;T&lt;/a&gt; &amp; more"),
        ("{{ 'a b&c' | cgi_escape }} {{ 'a b/ü' | uri_escape }}", "a+b%26c a%20b/%C3%BC"),
        ("{{ 'one two  three' | number_of_words }}", "3"),
        ("{{ site.data.people | map: 'name' | array_to_sentence_string }}", "Ada, Bob, and Cy"),
        ("{{ site.data.people | map: 'name' | array_to_sentence_string: 'und' }}", "Ada, Bob, und Cy"),
        ("{{ 'x,y' | split: ',' | array_to_sentence_string }}", "x and y"),
        ("{{ ' a \n\t b ' | normalize_whitespace }}", "a b"),
        ("{{ '<p>Hi <em>there</em></p>' | strip_html }}", "Hi there"),
        ("{{ 'a\nb' | newline_to_br }}", "a<br />\nb"),
        ("{{ '12.7' | to_integer }}", "12"),
        ("{{ site.data.people[0] | jsonify }}", '{"name":"Ada","roles":["head","board"],"group":"ml","year":2021}'),
        ("{{ nothing | default: 'fallback' }}", "fallback"),
        ("{{ 'x' | inspect }}", '"x"'),
        # empty and blank as an argument: nothing, and a value given passes through (as Jekyll 4.3 renders)
        ("{% assign p = site.data.people | default: empty %}{{ p | size }}", "3"),
        ("{% assign p = nothing | default: empty %}[{{ p }}] {{ p | size }}", "[] 0"),
        ("{{ nothing | default: blank | append: 'x' }} {{ 'empty' | default: empty }}", "x empty"),
    ],
)
def test_jekyll_filters(template: str, expected: str) -> None:
    assert render(template) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ d | date_to_string }}", "05 Mar 2021"),
        ("{{ d | date_to_string: 'ordinal', 'US' }}", "Mar 5th, 2021"),
        ("{{ d | date_to_long_string }}", "05 March 2021"),
        ("{{ d | date_to_xmlschema }}", "2021-03-05T14:30:00+01:00"),
        ("{{ d | date_to_rfc822 }}", "Fri, 05 Mar 2021 14:30:00 +0100"),
        ("{{ d | date: '%B %-d, %Y' }}", "March 5, 2021"),
        ("{{ '2020-01-02' | date: '%Y/%m/%d' }}", "2020/01/02"),
    ],
)
def test_date_filters(template: str, expected: str) -> None:
    tz = dt.timezone(dt.timedelta(hours=1))
    assert render(template, d=dt.datetime(2021, 3, 5, 14, 30, tzinfo=tz)) == expected


@pytest.mark.parametrize(
    ("baseurl", "url", "relative", "absolute"),
    [
        ("/", "https://ex.org", "/img/a.png", "https://ex.org/img/a.png"),
        ("/blog", "https://ex.org/", "/blog/img/a.png", "https://ex.org/blog/img/a.png"),
        ("", "", "/img/a.png", "/img/a.png"),
    ],
)
def test_relative_and_absolute_url(baseurl: str, url: str, relative: str, absolute: str) -> None:
    config = {"baseurl": baseurl, "url": url}
    assert render("{{ 'img/a.png' | relative_url }}", config=config) == relative
    assert render("{{ '/img/a.png' | absolute_url }}", config=config) == absolute
    assert render("{{ 'https://x.org/a' | relative_url }}", config=config) == "https://x.org/a"


def test_include_with_parameters_and_variable_name(tmp_path: Path) -> None:
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "card.html").write_text(
        "<b>{{ include.title }}</b>|{{ include.n }}|{{ include.who }}|{{ page.group }}"
    )
    out = render(
        "{% include card.html title=\"Hi there\" n=3 who=page.owner %}/{% include {{ page.inc }} title='x' %}",
        root=tmp_path,
        page={"group": "ml", "owner": "Ada", "inc": "card.html"},
    )
    assert out == "<b>Hi there</b>|3|Ada|ml/<b>x</b>|||ml"


def test_include_relative(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "part.md").write_text("part of {{ page.title }}")
    liquid = JekyllLiquid(tmp_path, {})
    out = liquid.render("[{% include_relative part.md %}]", {"page": {"title": "Doc"}}, "docs/index.md")
    assert out == "[part of Doc]"


def test_missing_include_renders_nothing_and_is_listed(tmp_path: Path) -> None:
    liquid = JekyllLiquid(tmp_path, {})
    out = liquid.render("a{%- include head.html -%}b", {}, "_layouts/default.html", line_offset=3)
    assert out == "ab"
    assert liquid.missing_includes == ["_includes/head.html"]
    assert str(liquid.warnings[0]) == "_layouts/default.html:3: include not found: _includes/head.html"


def test_unknown_plugin_tags_render_nothing_but_block_bodies_stay() -> None:
    out = render("{% seo %}a{% feed_meta %}b{% cite_details x %}{% tabs %}c{% endtabs %}")
    assert out == "abc"


def test_raw_and_highlight() -> None:
    assert render("{% raw %}{{ x }}{% endraw %}") == "{{ x }}"
    out = render("{% highlight python %}<p>{{ page.group }}</p>{% endhighlight %}")
    assert out == (
        '<figure class="highlight"><pre><code class="language-python" data-lang="python">'
        "&lt;p&gt;ml&lt;/p&gt;</code></pre></figure>"
    )


def test_link_and_post_url() -> None:
    site = {
        "baseurl": "",
        "pages": [{"path": "about.md", "url": "/about/"}],
        "posts": [{"path": "_posts/2020-01-02-hello.md", "url": "/2020/01/02/hello.html"}],
    }
    out = render("{% link about.md %} {% post_url 2020-01-02-hello %}", site=site)
    assert out == "/about/ /2020/01/02/hello.html"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'b,a' | split: ',' | reverse | join \" \" }}", "a b"),  # filter argument without a colon
        ('{{ site.data.people | unique(attribute="group") | size }}', "2"),
        ("{% if nothing || page.group == 'ml' %}yes{% endif %}", "yes"),
        ("{% if nothing contains 'x' %}yes{% else %}no{% endif %}", "no"),
        ("{% if page.year > '2019' %}later{% endif %}", "later"),  # number against string
        ("{{ nothing.deeper.still }}|{{ page.missing }}|{% for x in nothing %}x{% endfor %}", "||"),
        ("{{ 'x' | no_such_filter }}", "x"),
        ("{{ person.position-special }}", "Chair"),
    ],
)
def test_lenient_like_jekyll(template: str, expected: str) -> None:
    page = {"group": "ml", "year": 2021}
    assert render(template, page=page, person={"position-special": "Chair"}) == expected


@pytest.mark.parametrize(
    ("template", "line", "reason"),
    [
        ("a\n\n{% for x in y %}\nb\n", 12, "{% for %} is never closed"),
        ("a\n{% if x %}\n{% endfor %}\n{% endif %}", 12, "unexpected {% endfor %}"),
        ("a\nb {{ x\n", 11, "expected '}}'"),
    ],
)
def test_broken_template_names_file_and_line(template: str, line: int, reason: str) -> None:
    liquid = JekyllLiquid(Path("."), {})
    with pytest.raises(RenderError) as caught:
        liquid.render(template, {}, "groups/x.md", line_offset=10)
    err = caught.value
    assert (err.path, err.line) == ("groups/x.md", line)
    assert reason in err.reason
    assert str(err).startswith(f"groups/x.md:{line}: ")


def test_broken_include_names_the_include(tmp_path: Path) -> None:
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "bad.html").write_text("ok\n{% if x %}never closed")
    with pytest.raises(RenderError) as caught:
        render("{% include bad.html %}", root=tmp_path)
    assert (caught.value.path, caught.value.line) == ("_includes/bad.html", 2)


def _load_data(folder: Path) -> dict:
    data: dict = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            data[path.name] = _load_data(path)
        elif path.suffix in (".yml", ".yaml"):
            data[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_real_institute_page_lists_its_board() -> None:
    site_root = SHARED / "sites" / "ikim-website-2022"
    if not site_root.is_dir():
        pytest.skip("shared sites are not available")
    text = (site_root / "institute.md").read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    config = yaml.safe_load((site_root / "_config.yml").read_text(encoding="utf-8"))
    context = {"site": {**config, "data": _load_data(site_root / "_data")}, "page": yaml.safe_load(front)}
    body_line = text[: text.index(body)].count("\n") + 1
    html = JekyllLiquid(site_root, config).render(body, context, "institute.md", body_line)
    board = html.split("Board", 1)[1].split("Steering Group", 1)[0]
    for name in ("Forsting", "Kleesiek", "Seifert", "Meyer"):
        assert name in board


def test_include_names_made_on_each_page_are_rendered_however_many_pages_there_are(tmp_path: Path) -> None:
    # a tag's argument rendered per page ({% include {{ page.card }} %}) must not keep every page's parse
    from assistant.jekyll_liquid import PARSED_KEPT

    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "card.html").write_text("<b>{{ include.n }}</b>")
    liquid = JekyllLiquid(tmp_path, {})
    for n in range(PARSED_KEPT + 200):
        page = {"card": "card.html"}
        out = liquid.render(f"{{% include {{{{ page.card | remove: 'x{n}' }}}} n={n} %}}", {"page": page}, f"p{n}.md")
        assert out == f"<b>{n}</b>"
    assert len(liquid._snippets) <= PARSED_KEPT + 1
    assert len(liquid._templates) <= PARSED_KEPT + 1
