"""Sites built from starter templates that ship their own Liquid filters and
write includes one parameter a line.

Each test writes a tiny site in that style (own text, own templates) and checks
what a visitor would read on the rendered page.
"""

from __future__ import annotations

from pathlib import Path

from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _page(root: Path, url_end: str):
    docs, problems = render_site(load_site(root))
    doc = next(d for d in docs if d.url.endswith(url_end))
    return doc, [p.text for p in passages_from_document(doc)], problems


def test_include_with_one_parameter_a_line_renders(tmp_path):
    root = _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\n",
            "_includes/box.html": '<div class="box"><p class="box-title">{{ include.title }}</p>{{ include.text | markdownify }}</div>\n',
            "index.md": (
                "---\ntitle: Home\n---\n\n"
                "{% capture text %}\nWe study **wind-blown sand** on three coasts.\n{% endcapture %}\n\n"
                '{%\n  include box.html\n  title="What we do"\n  text=text\n%}\n'
            ),
        },
    )
    doc, texts, problems = _page(root, "/")
    joined = "\n".join(texts)
    assert "We study wind-blown sand on three coasts." in joined
    assert "What we do" in joined
    assert not problems


def test_markdownify_keeps_an_indented_html_block_whole(tmp_path):
    # kramdown keeps a raw HTML block to its end tag; CommonMark would turn the
    # indented lines after a blank line into a code block of markup.
    card = (
        '<div class="card">\n'
        "  <a\n"
        "    {% if include.link %}\n"
        '      href="{{ include.link }}"\n'
        "    {% endif %}\n"
        '    class="card-link"\n'
        "  >\n\n"
        '    <span class="card-name">{{ include.name }}</span>\n'
        "  </a>\n"
        "</div>\n"
    )
    root = _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\n",
            "_includes/card.html": card,
            "_layouts/person.html": (
                "---\n---\n{% capture side %}\n{% include card.html name=page.person link=page.url %}\n{% endcapture %}\n"
                '<div class="side">{{ side | markdownify }}</div>\n{{ content }}\n'
            ),
            "people.md": "---\nlayout: person\nperson: Mira Castell\ntitle: People\n---\n\nMira measures dune migration with drones.\n",
        },
    )
    doc, texts, _ = _page(root, "/people.html")
    joined = "\n".join(texts)
    assert "Mira Castell" in joined
    assert "Mira measures dune migration with drones." in joined
    assert "class=" not in joined and "href=" not in joined
    assert "<pre" not in doc.html


def _section_site(tmp_path: Path) -> Path:
    # A content wrapper that splits a page at markers and reads per-section
    # options with a regex filter, as site plugins commonly provide.
    return _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\n",
            "_includes/sections.html": (
                '{% assign parts = include.content | split: "<!-- cut -->" | array_filter %}\n'
                "{% for part in parts %}\n"
                '  {% assign shade = part | regex_scan: "<shade>(.*?)</shade>" | default: "" %}\n'
                '  {% assign image = part | regex_scan: "<bg>(.*?)</bg>" | default: nil %}\n'
                '  <section data-shade="{{ shade }}" {% if image %}style="--bg: url({{ image }})"{% endif %}>{{ part }}</section>\n'
                "{% endfor %}\n"
            ),
            "_layouts/default.html": "<html><body><main>{% include sections.html content=content %}</main></body></html>\n",
            "index.md": (
                "---\nlayout: default\ntitle: Home\n---\n\n"
                "Sand moves a few metres each year.\n\n<!-- cut -->\n\n## Methods\n\nWe fly drones at dawn.\n"
            ),
        },
    )


def test_regex_scan_without_a_match_leaves_the_section_alone(tmp_path):
    doc, texts, _ = _page(_section_site(tmp_path), "/")
    assert doc.html.count("Sand moves a few metres each year.") == 1
    assert "\n".join(texts).count("We fly drones at dawn.") == 1
    assert all("--bg" not in t and "url(" not in t for t in texts)


def test_plugin_filters_merge_defaults_and_trim_lists(tmp_path):
    root = _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\n",
            "_data/kinds.yml": "github:\n  text: Code\n  link: https://code.example.org/$VALUE\nemail:\n  text: Mail\n",
            "_includes/link.html": (
                "{% assign b = include | hash_default: site.data.kinds[include.type] %}"
                '<a href="{{ b.link }}">{{ b.text }}</a>'
            ),
            "index.md": (
                "---\ntitle: Home\nauthors: [Ana Ruiz, '', Bo Chen, Cy Diaz, Di Eng, Ed Fox, Flo Gu, Gus Ho, Hal Ive]\n"
                "shown: false\n---\n\n"
                'Our code: {% include link.html type="github" link="dunelab" %}\n\n'
                "Written by {{ page.authors | array_filter | array_carve: 2 | join: ', ' }}.\n\n"
                "Shown: {{ page.shown | is_nil: true }}; missing: {{ page.nothing | is_nil: 'none' }}.\n"
            ),
        },
    )
    doc, texts, _ = _page(root, "/")
    joined = "\n".join(texts)
    assert 'href="https://code.example.org/dunelab"' in doc.html
    assert "Our code: Code" in joined
    assert "Written by Ana Ruiz, Bo Chen, \u2026, Gus Ho, Hal Ive." in joined
    assert "Shown: false; missing: none." in joined


def test_data_filter_selects_by_regular_expression(tmp_path):
    root = _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\n",
            "_data/people.yml": (
                "- {name: Ana Ruiz, role: pi}\n- {name: Bo Chen, role: phd}\n- {name: Cy Diaz, role: postdoc}\n- {name: Di Eng}\n"
            ),
            "index.md": (
                "---\ntitle: Home\n---\n\n"
                "Leads: {{ site.data.people | data_filter: 'role: ^pi$' | map: 'name' | join: ', ' }}.\n\n"
                "Others: {{ site.data.people | data_filter: 'role: ^(?!pi$)' | map: 'name' | join: ', ' }}.\n\n"
                "Unassigned: {{ site.data.people | data_filter: 'role:' | map: 'name' | join: ', ' }}.\n"
            ),
        },
    )
    _, texts, _ = _page(root, "/")
    joined = "\n".join(texts)
    assert "Leads: Ana Ruiz." in joined
    assert "Others: Bo Chen, Cy Diaz, Di Eng." in joined
    assert "Unassigned: Di Eng." in joined


def test_data_filter_selects_by_a_condition_on_the_fields(tmp_path):
    # the template's later versions write the filter as a condition: fields by name, an absent one nil
    root = _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\n",
            "_data/people.yml": (
                "- {name: Ana Ruiz, role: principal-investigator}\n- {name: Bo Chen, role: phd}\n"
                "- {name: Cy Diaz, role: phd, group: alum}\n- {name: Di Eng, role: postdoc, year: 2019}\n"
            ),
            "index.md": (
                "---\ntitle: Home\n---\n\n"
                "Lead: {{ site.data.people | data_filter: \"role == 'principal-investigator' and group != 'alum'\""
                " | map: 'name' | join: ', ' }}.\n\n"
                "Team: {{ site.data.people | data_filter: \"role != 'principal-investigator' && group != 'alum'\""
                " | map: 'name' | join: ', ' }}.\n\n"
                "Alumni: {{ site.data.people | data_filter: \"group == 'alum' or (year and year < 2020)\""
                " | map: 'name' | join: ', ' }}.\n\n"
                "Unread: {{ site.data.people | data_filter: \"File.delete('x') || true\" | size }}.\n"
            ),
        },
    )
    _, texts, _ = _page(root, "/")
    joined = "\n".join(texts)
    assert "Lead: Ana Ruiz." in joined
    assert "Team: Bo Chen, Di Eng." in joined
    assert "Alumni: Cy Diaz, Di Eng." in joined
    assert "Unread: 4." in joined  # a condition that is not a plain comparison is never run: nothing is left out


def test_a_collection_document_without_a_title_is_named_after_its_person(tmp_path):
    root = _write(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\ncollections:\n  members:\n    output: true\n",
            "_members/ana-ruiz.md": "---\nname: Ana Ruiz\nrole: pi\n---\n\nAna founded the lab in 2019.\n",
            "_members/bo_chen.md": "---\nrole: phd\n---\n\nBo models sand transport.\n",
        },
    )
    docs, _ = render_site(load_site(root))
    titles = {d.url.rsplit("/", 1)[-1]: d.title for d in docs}
    assert titles["ana-ruiz.html"] == "Ana Ruiz"
    assert titles["bo_chen.html"] == "Bo Chen"
