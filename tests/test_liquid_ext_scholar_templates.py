"""Publication lists as academic themes build them: per-entry templates, cited-only lists, plugin filters.

Each test writes a tiny site the way such themes lay one out (a ``.liquid``
layout as the entry template, citations in a page and the reference list in its
layout) and checks the text a visitor would read.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.jekyll_liquid import JekyllLiquid
from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site

BIB = r"""---
---
@article{tide2019,
  title = {Tides of the {N}orth {S}ea},
  author = {van der Berg, Anna and M{\"u}ller, Jonas and Okafor, Chidi and Lindqvist, Per},
  journal = {Journal of Coasts},
  year = {2019},
  abstract = {We measured tides for a decade.}
}
@book{sand2021,
  title = {A Book about Sand},
  author = {Okafor, Chidi},
  publisher = {Dune Press},
  year = {2021}
}
@misc{wind2020,
  title = {Notes on Wind},
  author = {Lindqvist, Per and Okafor, Chidi},
  year = {2020}
}
"""

# An entry template in the style of popular academic themes: a loop over the
# authors' name parts, with separators in if/elsif branches.
ENTRY = """---
---
<div class="title">{{ entry.title }}</div>
<div class="author">
{%- for author in entry.author_array limit: 3 -%}
  {%- if forloop.length > 1 -%}
    {% if forloop.first == false -%}
      {%- if forloop.length > 2 %}, {% elsif forloop.length == 2 %} {% endif %}
    {%- endif %}
    {%- if forloop.last %}and {% endif -%}
  {% endif %}
  {{- author.first }} {% if author.von %}{{ author.von }} {% endif %}{{ author.last -}}
{% endfor %}
{%- assign more = entry.author_array | size | minus: 3 -%}
{%- if more > 0 %} and {{ more }} more{% endif -%}
</div>
<div class="periodical">{{ entry.journal }}{{ entry.publisher }} {{ entry.year }}</div>
"""

PAGE_LAYOUT = """---
---
<article>{{ content }}</article>
{% if page.related_publications %}
<h2>References</h2>
{% bibliography --cited_in_order %}
{% endif %}
"""


def make_site(root: Path, config_extra: dict | None = None) -> Path:
    config = {
        "title": "Coast Lab",
        "url": "https://coast.example.org",
        "collections": {"projects": {"output": True}},
        "scholar": {
            "source": "/_bibliography/",
            "bibliography": "papers.bib",
            "bibliography_template": "entry",
            "group_by": "none",
            "sort_by": "year",
            "order": "descending",
        },
        **(config_extra or {}),
    }
    (root / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "_bibliography").mkdir()
    (root / "_bibliography" / "papers.bib").write_text(BIB, encoding="utf-8")
    (root / "_layouts").mkdir()
    (root / "_layouts" / "entry.liquid").write_text(ENTRY, encoding="utf-8")
    (root / "_layouts" / "page.liquid").write_text(PAGE_LAYOUT, encoding="utf-8")
    (root / "publications.md").write_text(
        "---\nlayout: page\ntitle: Publications\n---\n\n{% bibliography %}\n", encoding="utf-8"
    )
    (root / "_projects").mkdir()
    (root / "_projects" / "dunes.md").write_text(
        "---\nlayout: page\ntitle: Dunes\nrelated_publications: true\n---\n\n"
        "We walk the dunes every spring {% cite sand2021 %} and sometimes in autumn {% cite wind2020 sand2021 %}.\n",
        encoding="utf-8",
    )
    return root


def documents(root: Path) -> dict[str, str]:
    docs, problems = render_site(load_site(root))
    assert not [p for p in problems if "bibliography" in p.reason]
    return {d.source: " | ".join(p.text for p in passages_from_document(d)) for d in docs}


def test_entry_template_in_a_liquid_layout_prints_each_author(tmp_path: Path) -> None:
    text = documents(make_site(tmp_path))["publications.md"]
    assert "Tides of the North Sea" in text
    # the names come from entry.author_array: first name, particle, last name, in BibTeX order
    assert "Anna van der Berg, Jonas Müller, and Chidi Okafor and 1 more" in text
    assert "Per Lindqvist and Chidi Okafor" in text  # two authors: a space before 'and', no comma
    assert "Dune Press 2021" in text


def test_cited_in_order_lists_only_what_the_page_cites(tmp_path: Path) -> None:
    text = documents(make_site(tmp_path))["_projects/dunes.md"]
    assert "We walk the dunes every spring" in text
    references = text.split("References", 1)[1]
    assert "Tides of the North Sea" not in references
    assert references.index("A Book about Sand") < references.index("Notes on Wind")  # order of citation


def test_cited_sorts_the_cited_entries_like_the_full_list(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    layout = (root / "_layouts" / "page.liquid").read_text(encoding="utf-8")
    (root / "_layouts" / "page.liquid").write_text(layout.replace("--cited_in_order", "--cited"), encoding="utf-8")
    references = documents(root)["_projects/dunes.md"].split("References", 1)[1]
    assert "Tides of the North Sea" not in references
    assert references.index("A Book about Sand") < references.index("Notes on Wind")  # 2021 before 2020
    assert "Publications" not in references


def test_a_page_without_citations_gets_an_empty_cited_list(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "_projects" / "quiet.md").write_text(
        "---\nlayout: page\ntitle: Quiet\nrelated_publications: true\n---\n\nNothing cited here.\n", encoding="utf-8"
    )
    text = documents(root)["_projects/quiet.md"]
    assert "Nothing cited here." in text
    assert "Tides" not in text and "Sand" not in text and "Wind" not in text


def test_quote_block_shows_the_quote_and_counts_as_a_citation(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "_projects" / "tides.md").write_text(
        "---\nlayout: page\ntitle: Tides\nrelated_publications: true\n---\n\n"
        "{% quote tide2019 %}\nThe sea keeps time.\n{% endquote %}\n",
        encoding="utf-8",
    )
    text = documents(root)["_projects/tides.md"]
    assert "The sea keeps time." in text
    references = text.split("References", 1)[1]
    assert "Tides of the North Sea" in references
    assert "A Book about Sand" not in references


def test_regex_replace_and_remove_accents_filters(tmp_path: Path) -> None:
    liquid = JekyllLiquid(tmp_path, {})
    out = liquid.render(
        "{{ 'Müller*' | regex_replace: '([*†]+)', '<sup>\\1</sup>' }} "
        "{{ 'a-b-c' | regex_replace_once: '-', '+' }} "
        "{{ 'Schrödinger Ångström' | remove_accents | downcase }}",
        {},
        "page.md",
    )
    assert out == "Müller<sup>*</sup> a+b-c schrodinger angstrom"
    assert not liquid.warnings


def test_whitespace_of_an_elsif_branch_is_kept_when_another_branch_has_text(tmp_path: Path) -> None:
    liquid = JekyllLiquid(tmp_path, {})
    source = "[{% if n > 2 %}, {% elsif n == 2 %} {% endif %}]"
    assert liquid.render(source, {"n": 2}, "page.md") == "[ ]"
    assert liquid.render(source, {"n": 3}, "page.md") == "[, ]"
    # a conditional made only of whitespace still renders nothing, as in Liquid
    assert liquid.render("[{% if n %}  {% elsif m %} {% endif %}]", {"n": 1}, "page.md") == "[]"
