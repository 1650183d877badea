"""Documentation themes compute their page furniture in Liquid; the text a visitor reads must survive it.

Such themes pass the rendered content through an include that splits it at
``<h`` and rebuilds each heading with an anchor, order child pages with
multi-line ``assign`` pipelines and ``group_by_exp`` over ``jsonify``, and put a
"back to top" footer inside the main region. Each test writes a tiny site with
templates of its own that use the same constructs.
"""

from __future__ import annotations

from pathlib import Path

from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site

CONFIG = """\
title: Tiny Docs
url: https://docs.example.org
permalink: pretty
back_to_top: true
"""

LAYOUT = """\
<!DOCTYPE html>
<html><body>
<nav class="side">{% for p in site.html_pages %}<a href="{{ p.url }}">{{ p.title }}</a>{% endfor %}</nav>
<div id="main-content" class="main-content" role="main">
{% include anchored.html html=content %}
{% if page.has_children == true %}{% include children.html %}{% endif %}
<footer>{% if site.back_to_top %}<p><a href="#top">Back to top</a></p>{% endif %}</footer>
</div>
</body></html>
"""

# Rebuilds every heading with an anchor, the way heading-anchor includes do: split, capture, continue.
ANCHORED = """\
{% capture work %}
  {% assign nodes = include.html | split: '<h' %}
  {% capture out %}{% endcapture %}
  {% for raw in nodes %}
    {% capture node %}{{ raw | strip }}{% endcapture %}
    {% if node == "" %}{% continue %}{% endif %}
    {% assign level = node | replace: '"', '' | strip | slice: 0, 1 | times: 1 %}
    {% if level == 0 %}
      {% assign first = node | split: '>' | first %}
      {% unless first contains '<' %}{% capture node %}<h{{ node }}{% endcapture %}{% endunless %}
      {% capture out %}{{ out }}{{ node }}{% endcapture %}
      {% continue %}
    {% endif %}
    {% capture closing %}</h{{ level }}>{% endcapture %}
    {% assign parts = node | split: closing %}
    {% capture opening %}{{ parts[0] | split: '>' | first }}>{% endcapture %}
    {% assign inner = parts[0] | replace: opening, '' %}
    {% assign ids = parts[0] | split: 'id="' %}
    {% assign ids = ids[1] | split: '"' %}
    {% capture rebuilt %}
<h{{ opening }}<a href="#{{ ids[0] }}" class="anchor">#</a> {{ inner }}</h{{ level }}>
    {% endcapture %}
    {% assign count = parts | size %}
    {% if count > 1 %}{% capture rebuilt %}{{ rebuilt }}{{ parts | last }}{% endcapture %}{% endif %}
    {% capture out %}{{ out }}{{ rebuilt }}{% endcapture %}
  {% endfor %}
{% endcapture %}{% assign work = '' %}{{ out | strip }}
"""

# Orders child pages: numeric nav_order first, then string ones, then untitled order by title.
CHILDREN = """\
{%- assign kids = site.html_pages
      | where: "parent", page.title
      | where_exp: "item", "item.title != nil" -%}
{%- assign ordered = kids | where_exp: "item", "item.nav_order != nil" -%}
{%- assign rest = kids | where_exp: "item", "item.nav_order == nil" | sort: "title" -%}
{%- assign q = '"' -%}
{%- assign none = "" | split: "" -%}
{%- assign numbers = none -%}
{%- assign strings = none -%}
{%- assign groups = ordered
      | group_by_exp: "item",
          "item.nav_order | jsonify | slice: 0 | remove: q | size" -%}
{%- for g in groups -%}
  {%- if g.name == 0 -%}{%- assign strings = g.items | sort: "nav_order" -%}
  {%- elsif g.name == 1 -%}{%- assign numbers = g.items | sort: "nav_order" -%}{%- endif -%}
{%- endfor -%}
{%- assign all = numbers | concat: strings | concat: rest -%}
<ul class="children">{% for c in all %}<li><a href="{{ c.url }}">{{ c.title }}</a></li>{% endfor %}</ul>
"""


def _site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "_layouts").mkdir(parents=True)
    (root / "_includes").mkdir()
    (root / "guide").mkdir()
    (root / "_config.yml").write_text(CONFIG)
    (root / "_layouts" / "default.html").write_text(LAYOUT)
    (root / "_includes" / "anchored.html").write_text(ANCHORED)
    (root / "_includes" / "children.html").write_text(CHILDREN)
    (root / "guide" / "index.md").write_text(
        "---\nlayout: default\ntitle: Guide\nhas_children: true\n---\n\n"
        "# Guide\n\nThe guide covers the harbour sensors.\n\n"
        "## Calibration\n\nSensors are calibrated every spring by the field team.\n\n"
        "### Hardware notes\n\nEach buoy carries a hydrophone and a thermometer.\n"
    )
    pages = [
        ("zeta.md", "Zeta Appendix", None),
        ("alpha.md", "Alpha Intro", "2"),
        ("beta.md", "Beta Usage", 10),
        ("gamma.md", "Gamma Setup", 1.5),
    ]
    for name, title, order in pages:
        order_line = "" if order is None else f"nav_order: {order if not isinstance(order, str) else repr(order)}\n"
        (root / "guide" / name).write_text(
            f"---\nlayout: default\ntitle: {title}\nparent: Guide\n{order_line}---\n\n{title} explained.\n"
        )
    return root


def _docs(root: Path) -> dict:
    docs, problems = render_site(load_site(root))
    assert not problems, problems
    return {d.url: d for d in docs}


def test_headings_rebuilt_by_a_liquid_include_keep_their_text_and_sections(tmp_path: Path) -> None:
    doc = _docs(_site(tmp_path))["https://docs.example.org/guide/"]
    assert "{%" not in doc.html and "{{" not in doc.html
    passages = passages_from_document(doc)
    assert not any("#" in p.heading or p.text.startswith("#") for p in passages)
    calibration = [p.text for p in passages if p.heading == "Calibration"]
    assert any("Sensors are calibrated every spring by the field team." in t for t in calibration)
    hardware = [p.text for p in passages if p.heading.endswith("Hardware notes")]
    assert any("hydrophone and a thermometer" in t for t in hardware)


def test_child_pages_are_listed_in_the_themes_order(tmp_path: Path) -> None:
    doc = _docs(_site(tmp_path))["https://docs.example.org/guide/"]
    listed = doc.html.split('<ul class="children">', 1)[1].split("</ul>", 1)[0]
    titles = [part.split("</a>")[0] for part in listed.split('">')[1:]]
    # numbers by value, then strings, then pages without an order by title
    assert titles == ["Gamma Setup", "Beta Usage", "Alpha Intro", "Zeta Appendix"]


def test_back_to_top_footer_inside_main_is_not_quoted(tmp_path: Path) -> None:
    docs = _docs(_site(tmp_path))
    texts = [p.text for d in docs.values() for p in passages_from_document(d)]
    assert any("Beta Usage explained." in t for t in texts)
    assert not any("Back to top" in t for t in texts)
    assert not any("Zeta Appendix" in t and "Alpha Intro" in t and "Guide" in t for t in texts)
