"""The rendered site against what Jekyll itself published from the same source.

``ikim-website-2023/built`` is the real output of Jekyll (and jekyll-scholar)
for ``ikim-website-2023/source``: every URL we publish must be a page there,
and the text a visitor reads in each page's ``<main>`` must be in ours.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from assistant.render import for_readers as for_readers_at
from assistant.render import render_site
from assistant.site import load_site

SHARED = Path(os.environ.get("ASSISTANT_SHARED") or Path(__file__).resolve().parents[2] / "shared")
ORACLE = SHARED / "sites" / "ikim-website-2023"

pytestmark = pytest.mark.skipif(not (ORACLE / "built").is_dir(), reason="shared sites not present")


def words(node, skip: str = "") -> Counter:
    if node is None:
        return Counter()
    if skip:  # without the matching descendants
        node = LexborHTMLParser(node.html).body
        for inner in node.css(skip):
            inner.decompose()
    return Counter(re.findall(r"\w+", node.text(separator=" ").lower()))


def coverage(expected: Counter, got: Counter) -> float:
    total = sum(expected.values())
    return sum(min(n, got[w]) for w, n in expected.items()) / total if total else 1.0


def output_file(url_path: str) -> str:
    """Where Jekyll writes a page with this URL: /a/ -> a/index.html, /people -> people.html."""
    rel = url_path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        return rel + "index.html"
    return rel if "." in rel.rsplit("/", 1)[-1] else rel + ".html"


def entries(ol) -> list:
    return [child for child in ol.iter() if child.tag == "li"]


def main_of(html: str):
    tree = LexborHTMLParser(html)
    for node in tree.css("main script, main style"):
        node.decompose()
    return tree.css_first("main")


def without_bibliographies(html: str):
    tree = LexborHTMLParser(html)
    for node in tree.css("ol.bibliography, script, style"):
        node.decompose()
    return tree.css_first("main") or tree.body


@pytest.fixture(scope="module")
def rendered():
    site = load_site(ORACLE / "source")
    documents, problems = render_site(site)
    ours = {output_file(d.url[len(site.base_url) :]): d for d in documents}
    built = {
        p.relative_to(ORACLE / "built").as_posix(): p.read_text(encoding="utf-8")
        for p in (ORACLE / "built").rglob("*.html")
    }
    return site, ours, built, problems


def test_published_urls_are_the_built_pages_a_reader_finds(rendered):
    site, ours, built, problems = rendered
    assert problems == []
    # Jekyll writes the page a server shows for a missing address too; no visitor reads it for an answer
    for_readers = [name for name, html in built.items() if for_readers_at(html, "/" + name)]
    assert sorted(built) == sorted([*for_readers, "404.html"])
    assert sorted(ours) == sorted(for_readers)


def test_every_page_reads_like_the_built_page(rendered):
    _, ours, built, _ = rendered
    report, failing = [], []
    for name in sorted(ours):
        expected = main_of(built[name])
        doc = ours[name]
        tree = LexborHTMLParser(f"<body>{doc.html}</body>")
        whole = coverage(words(expected), words(tree.body))
        # Text outside publication lists is ours to render exactly.
        own = coverage(
            words(without_bibliographies(built[name])), words(without_bibliographies(f"<main>{doc.html}</main>"))
        )
        report.append(f"{name}: page {whole:.1%}, outside bibliographies {own:.1%}")
        if own < 0.9:
            failing.append(name)
    assert not failing, "coverage below 90 %:\n" + "\n".join(report)


def bibtex_blocks(tree) -> int:
    return sum(1 for pre in tree.css("pre") if (pre.text() or "").lstrip().startswith("@"))


def test_bibliography_entries_are_rendered(rendered):
    """Each published entry appears in our site, and every list has as many entries.

    Which five of many same-year entries a ``--max 5`` list shows depends on
    Ruby's unstable sort, so entries are matched across the site, not by position.
    """
    _, ours, built, _ = rendered
    our_entries = [
        words(li, "pre")
        for doc in ours.values()
        for ol in LexborHTMLParser(doc.html).css("ol.bibliography")
        for li in entries(ol)
    ]
    by_word: dict[str, list[Counter]] = {}
    for entry in our_entries:
        for word in entry:
            by_word.setdefault(word, []).append(entry)

    def found(expected: Counter) -> bool:
        rarest = min(expected, key=lambda w: len(by_word.get(w, ())), default="")
        candidates = by_word.get(rarest, []) if len(by_word.get(rarest, ())) else our_entries
        return any(coverage(expected, got) >= 0.9 for got in candidates)

    problems = []
    for name in sorted(ours):
        lists = main_of(built[name]).css("ol.bibliography")
        # Entries are counted by their BibTeX blocks: on the published pages one entry's raw
        # "<Go to ISI>" URL makes kramdown leave the following entries nested inside it, so
        # counting top-level list items would count what kramdown broke, not what was listed.
        published = bibtex_blocks(main_of(built[name]))
        mine = bibtex_blocks(LexborHTMLParser(f"<main>{ours[name].html}</main>"))
        if published != mine:
            problems.append(f"{name}: {published} BibTeX entries published, ours {mine}")
        for ol in lists:
            for li in entries(ol):
                expected = words(li, "pre")  # the BibTeX source behind "details" is not compared
                if not found(expected):
                    title = li.css_first("i")
                    problems.append(f"{name}: entry not rendered: {title.text() if title else li.text()[:80]}")
    assert not problems, "\n".join(problems[:30])


def test_heading_ids_match_kramdown(rendered):
    _, ours, built, _ = rendered
    differences = []
    for name in sorted(ours):
        expected = [
            (h.tag, h.attributes.get("id"))
            for h in main_of(built[name]).css("h1, h2, h3, h4, h5, h6")
            if h.attributes.get("id")
        ]
        got = [
            (h.tag, h.attributes.get("id"))
            for h in LexborHTMLParser(ours[name].html).css("h1, h2, h3, h4, h5, h6")
            if h.attributes.get("id")
        ]
        if expected != got:
            differences.append(f"{name}: built {expected}, ours {got}")
    assert not differences, "\n".join(differences)


def test_titles_and_kinds(rendered):
    _, ours, _, _ = rendered
    assert all(doc.title for doc in ours.values())
    posts = [doc for doc in ours.values() if doc.kind == "post"]
    assert posts and all(doc.date and "/20" in doc.url for doc in posts)


LIVE = SHARED / "sites" / "ikim-website"
SITE_2022 = SHARED / "sites" / "ikim-website-2022"


@pytest.mark.skipif(not SITE_2022.is_dir(), reason="shared sites not present")
def test_board_built_by_liquid_from_data_is_on_the_institute_page():
    documents, problems = render_site(load_site(SITE_2022))
    assert problems == []
    institute = next(d for d in documents if d.source == "institute.md")
    text = LexborHTMLParser(f"<body>{institute.html}</body>").body.text(separator=" ")
    for name in ("Forsting", "Kleesiek", "Seifert", "Meyer"):
        assert name in text
    assert "{%" not in text and "{{" not in text


@pytest.mark.skipif(not LIVE.is_dir(), reason="shared sites not present")
def test_live_site_renders_without_problems():
    site = load_site(LIVE)
    documents, problems = render_site(site)
    assert site.problems == [] and problems == []
    # every published page but the one a server shows for a missing address
    assert sorted(d.source for d in documents) == sorted(sf.path for sf in site.published() if sf.path != "404.md")
    leftover = re.compile(r"\{%|\{\{\s*[\w.]+\s*\}\}")
    for doc in documents:
        tree = LexborHTMLParser(f"<body>{doc.html}</body>")
        for pre in tree.css("pre"):  # BibTeX shown verbatim is full of braces
            pre.decompose()
        assert not leftover.search(tree.body.text()), doc.source
        assert "site-nav" not in doc.html and "site-footer" not in doc.html, doc.source
