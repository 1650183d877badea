"""jekyll-scholar's bibliography rebuilt from .bib files, as a visitor would read it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from assistant.jekyll_liquid import JekyllLiquid

SHARED = Path(os.environ.get("ASSISTANT_SHARED") or Path(__file__).resolve().parents[2] / "shared")

ML_BIB = r"""
@article{old2019,
  title = {An {{Older}} Study},
  author = {M{\"u}ller, J{\"o}rg and Maier-Hein, Klaus},
  journal = {Journal of Tests},
  year = {2019},
  month = mar,
  abstract = {Not shown in the BibTeX block.}
}
@inproceedings{late2021,
  title = {Late in the Year},
  author = {Ada Lovelace and Charles {de la} Vall{\'e}e},
  booktitle = {Proceedings of Examples},
  year = {2021},
  month = dec
}
@misc{early2021,
  title = {Early in the Year},
  author = {{Maier-Hein}, Lena},
  year = {2021},
  month = feb
}
"""

NLP_BIB = r"""
@article{nlp2020,
  title = {Words},
  author = {Doe, Jane},
  journal = {Language},
  year = {2020}
}
"""

TEMPLATE = """---
---
{{ entry.author | split: " and " | first }}: <i>{{ entry.title }}</i> ({{ entry.year }}, {{ type }}, {{ key }})
<span>{{ entry.author }}</span>
<pre>{{ entry.bibtex }}</pre>"""


def make_site(root: Path, template: bool = True) -> dict:
    (root / "_bibliography").mkdir()
    (root / "_bibliography" / "ml.bib").write_text(ML_BIB, encoding="utf-8")
    (root / "_bibliography" / "nlp.bib").write_text(NLP_BIB, encoding="utf-8")
    scholar = {
        "source": "/_bibliography",
        "bibliography": "**/*.bib{,tex}",
        "sort_by": "year,month",
        "order": "descending",
        "group_by": "year",
        "group_order": "descending",
    }
    if template:
        (root / "_layouts").mkdir()
        (root / "_layouts" / "bib.html").write_text(TEMPLATE, encoding="utf-8")
        scholar["bibliography_template"] = "bib"
    return {"baseurl": "", "scholar": scholar}


def render(root: Path, config: dict, source: str, page: dict | None = None) -> str:
    return JekyllLiquid(root, config).render(source, {"page": page or {}, "site": config}, "publications.md")


def keys(html: str) -> list[str]:
    return re.findall(r"\((?:\d+), \w+, ([\w]+)\)", html)


def test_sorted_newest_first_and_grouped_by_year(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    html = render(tmp_path, config, "{% bibliography %}")
    assert re.findall(r'<h2 class="bibliography">(\d+)</h2>', html) == ["2021", "2020", "2019"]
    assert keys(html) == ["late2021", "early2021", "nlp2020", "old2019"]
    assert html.count('<ol class="bibliography">') == 3
    assert "<li>" in html


def test_file_option_from_a_liquid_expression_and_max(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    html = render(tmp_path, config, "{% bibliography --max 2 --group_by none --file {{page.group}} %}", {"group": "ml"})
    assert 'bibliography">' not in html.split("<ol", 1)[0]
    assert keys(html) == ["late2021", "early2021"]
    assert render(tmp_path, config, "{% bibliography -f nlp.bib %}").count("<li>") == 1
    assert render(tmp_path, config, "{% bibliography_count -f ml %}") == "3"


def test_latex_is_decoded_and_names_read_last_first(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    html = render(tmp_path, config, "{% bibliography -f ml.bib %}")
    assert "Müller, Jörg: <i>An Older Study</i>" in html
    assert "<span>Lovelace, Ada and de la Vallée, Charles</span>" in html
    assert "Maier-Hein, Lena: <i>Early in the Year</i>" in html
    # The BibTeX shown keeps the source's LaTeX but not the abstract.
    assert 'author = {M{\\"u}ller, J{\\"o}rg and Maier-Hein, Klaus}' in html
    assert "month = mar" in html
    assert "abstract" not in html


def test_query_option(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    html = render(tmp_path, config, "{% bibliography --query @article --group_by none %}")
    assert keys(html) == ["nlp2020", "old2019"]


def test_default_reference_without_a_template(tmp_path: Path) -> None:
    config = make_site(tmp_path, template=False)
    html = render(tmp_path, config, "{% bibliography -f nlp.bib %} {% cite nlp2020 %}")
    assert '<li><span id="nlp2020">Jane Doe. Words. Language. 2020.</span></li>' in html
    assert '<a href="#nlp2020">(Doe 2020)</a>' in html


def test_real_site_publications_match_what_jekyll_built() -> None:
    """Same entries under the same year headings as the published site."""
    site = SHARED / "sites" / "ikim-website-2023"
    if not site.is_dir():
        pytest.skip("shared sites are not available")
    source = site / "source"
    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    text = (source / "publications.md").read_text(encoding="utf-8")
    body = text.split("---", 2)[2]
    html = JekyllLiquid(source, config).render(body, {"site": config, "page": {}}, "publications.md")
    built = (site / "built" / "publications.html").read_text(encoding="utf-8")

    def by_year(page: str) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for part in page.split('<h2 class="bibliography">')[1:]:
            year = part.split("</h2>", 1)[0]
            groups[year] = re.findall(r"<pre>@\w+\{([^,]+),", part)
        return groups

    mine, theirs = by_year(html), by_year(built)
    assert list(mine) == list(theirs)
    assert {y: set(k) for y, k in mine.items()} == {y: set(k) for y, k in theirs.items()}
    assert mine == theirs  # in the same order too, ties included


def tie_site(root: Path, entries: list[tuple[str, int, str]]) -> dict:
    """A site with one .bib file of (key, year, month) entries, sorted newest first as is usual."""
    config = make_site(root)
    for name in ("ml.bib", "nlp.bib"):
        (root / "_bibliography" / name).unlink()
    bib = "".join(
        f"@misc{{{key},\n  title = {{Paper {key}}},\n  year = {{{year}}}"
        + (f",\n  month = {month}" if month else "")
        + "\n}\n"
        for key, year, month in entries
    )
    (root / "_bibliography" / "all.bib").write_text(bib, encoding="utf-8")
    return config


TIES = [
    ("e1", 2019, ""),
    ("e2", 2021, ""),
    ("e3", 2021, ""),
    ("e4", 2020, ""),
    ("e5", 2021, ""),
    ("e6", 2021, "mar"),
    ("e7", 2021, ""),
    ("e8", 2019, ""),
    ("e9", 2021, ""),
    ("e10", 2020, ""),
    ("e11", 2021, ""),
]


def test_entries_that_tie_on_every_sort_key_come_in_ruby_s_order(tmp_path: Path) -> None:
    """Ruby's Array#sort (musl's smoothsort under it) does not keep ties in file order.

    The order is the one Ruby linked against musl gives for these comparisons, as on sites
    built in Alpine images: the March entry first (a month beats none), then the other 2021
    entries shuffled, then 2020 and 2019 each reversed.  A list cut with ``--max`` shows the
    first of that order.
    """
    config = tie_site(tmp_path, TIES)
    html = render(tmp_path, config, "{% bibliography %}")
    assert re.findall(r'<h2 class="bibliography">(\d+)</h2>', html) == ["2021", "2020", "2019"]
    assert keys(html) == ["e6", "e2", "e3", "e9", "e5", "e11", "e7", "e10", "e4", "e8", "e1"]
    recent = render(tmp_path, config, "{% bibliography --max 4 --group_by none %}")
    assert keys(recent) == ["e6", "e2", "e3", "e9"]


def test_ties_match_musl_qsort_r_on_a_larger_list(tmp_path: Path) -> None:
    """Where musl's C compiler is at hand: many ties, months as names and numbers, none missing a place."""
    import random
    import shutil
    import subprocess

    compiler = shutil.which("musl-gcc")
    if compiler is None:
        pytest.skip("musl-gcc is not installed")
    harness = tmp_path / "qsort.c"
    harness.write_text(
        """#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b, void *arg) {
  long *k = arg, x = k[*(const int *)a], y = k[*(const int *)b];
  return (x > y) - (x < y);
}
int main(void) {
  int n, ix[1000]; long k[1000];
  if (scanf("%d", &n) != 1 || n > 1000) return 1;
  for (int i = 0; i < n; i++) { if (scanf("%ld", &k[i]) != 1) return 1; ix[i] = i; }
  qsort_r(ix, n, sizeof ix[0], cmp, k);
  for (int i = 0; i < n; i++) printf("%d ", ix[i]);
  return 0;
}
""",
        encoding="utf-8",
    )
    program = tmp_path / "qsort"
    subprocess.run([compiler, "-O2", "-static", "-o", str(program), str(harness)], check=True)
    rng = random.Random(7)
    months = ["", "", "jan", "feb", "oct", "dec", "5", "11", "May"]
    entries = [(f"k{i}", rng.choice([2019, 2020, 2021]), rng.choice(months)) for i in range(90)]
    number = {"": 0, "jan": 1, "feb": 2, "oct": 10, "dec": 12, "5": 5, "11": 11, "May": 5}
    # year, then month, both descending: ascending on the negated pair
    ranks = [-(year * 13 + number[month]) for _, year, month in entries]
    run = subprocess.run(
        [str(program)], input=f"{len(ranks)} {' '.join(map(str, ranks))}", capture_output=True, text=True
    )
    expected = [entries[int(i)][0] for i in run.stdout.split()]
    (tmp_path / "site").mkdir()
    config = tie_site(tmp_path / "site", entries)
    assert keys(render(tmp_path / "site", config, "{% bibliography --group_by none %}")) == expected


def test_a_repeated_key_sorts_by_its_year_like_any_entry(tmp_path: Path) -> None:
    """The second entry of a key, renamed, is read like the first: its year is a number, not '{2020}'."""
    config = tie_site(tmp_path, [])
    (tmp_path / "_bibliography" / "all.bib").write_text(
        "@misc{dup,\n  title = {First},\n  year = {2020}\n}\n"
        "@misc{new,\n  title = {Newer},\n  year = {2021}\n}\n"
        "@misc{dup,\n  title = {Second},\n  year = {2020}\n}\n",
        encoding="utf-8",
    )
    html = render(tmp_path, config, "{% bibliography --group_by none %}")
    assert keys(html) == ["new", "dup", "duq"]
    assert "year = {2020}" in html and "{{2020}}" not in html


DUPES_BIB = r"""
@article{first2014,
  title = {Metadata capture for genomes},
  journal = {Journal A},
  author = {Roe, Ann},
  year = {2014},
  url = {<Go to ISI>://WOS:0001}
}
@article{first2014,
  title = {Metadata {Capture} for {Genomes}},
  journal = {Journal B},
  author = {Roe, Ann},
  year = {2014}
}
@incollection{chapter2014,
  title = {Metadata capture for genomes},
  booktitle = {A Book},
  author = {Roe, Ann},
  year = {2014}
}
@article{again2014,
  title = {Metadata capture for genomes},
  journal = {Journal C},
  author = {Someone, Else},
  year = {2014}
}
"""


def test_remove_duplicates_compares_type_year_and_title_as_written(tmp_path: Path) -> None:
    """BibTeX-Ruby's ``uniq!``: one entry per type, year and title exactly as written.

    A repeated key is renamed, not dropped; a title that differs only in case
    or braces, or the same title under another entry type, is a separate entry.
    """
    config = make_site(tmp_path)
    (tmp_path / "_bibliography" / "dupes.bib").write_text(DUPES_BIB, encoding="utf-8")
    html = render(tmp_path, config, "{% bibliography -f dupes.bib --remove_duplicates --group_by none %}")
    assert html.count("<li>") == 3
    assert "Journal A" in html and "Journal B" in html and "A Book" in html
    assert "Journal C" not in html  # same type, year and title as the first entry: the first wins
    assert "@article{first2015," in html  # the repeated key, renamed by Ruby's String#succ
    without = render(tmp_path, config, "{% bibliography -f dupes.bib --group_by none %}")
    assert without.count("<li>") == 4


def test_bibtex_block_keeps_field_text_verbatim(tmp_path: Path) -> None:
    """``entry.bibtex`` is not HTML-escaped: a template that prints it raw gets the field as written.

    (Jekyll's own build then hands that markup to kramdown, whose HTML parser
    takes ``<Go to ISI>`` for an element; what follows in the list nests inside it.)
    """
    config = make_site(tmp_path)
    (tmp_path / "_bibliography" / "dupes.bib").write_text(DUPES_BIB, encoding="utf-8")
    html = render(tmp_path, config, "{% bibliography -f dupes.bib --group_by none --max 1 %}")
    assert "url = {<Go to ISI>://WOS:0001}" in html


def test_real_site_lists_every_entry_jekyll_wrote() -> None:
    """As many entries per year as Jekyll wrote BibTeX blocks, nested ones included."""
    site = SHARED / "sites" / "ikim-website-2023"
    if not site.is_dir():
        pytest.skip("shared sites are not available")
    source = site / "source"
    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    liquid = JekyllLiquid(source, config)
    for page in ("publications.md", "publications/ds.md", "publications/mcmi.md"):
        body = (source / page).read_text(encoding="utf-8").split("---", 2)[2]
        html = liquid.render(body, {"site": config, "page": {}}, page)
        built = (site / "built" / (page[:-3] + ".html")).read_text(encoding="utf-8")

        def counts(text: str) -> list[tuple[str, int]]:
            return [
                (part.split("</h2>", 1)[0], len(re.findall(r"<pre>@\w+\{", part)))
                for part in text.split('<h2 class="bibliography">')[1:]
            ]

        assert counts(html) == counts(built), page


def test_latex_in_bibtex_reads_as_jekyll_scholar_shows_it():
    from assistant.bibliography import latex_to_text

    # math in a title: Greek letters as letters; in a name: the dollars go, the rest as written
    assert latex_to_text(r"An $\alpha$-helix and $\Omega$ loops") == "An α-helix and Ω loops"
    assert latex_to_text(r"Bl{\"u}$\gamma$er", name=True) == "Blü\\gammaer"
    # an accent on a dotless i stays on the dotless letter; an escaped dollar is no math
    assert latex_to_text(r"Mart{\'\i}nez") == "Martı\u0301nez"
    assert "Reconfigured" in latex_to_text(r"\$\{\${Reconfigured}\$\}\$ systems")
