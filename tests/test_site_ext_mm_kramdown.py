"""Kramdown constructs met on a real theme's documentation site, each on a tiny site of our own."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site


def page_text(root: Path, source: str) -> str:
    documents, problems = render_site(load_site(root))
    assert not problems, problems
    doc = next(d for d in documents if d.source == source)
    return "\n".join(p.text for p in passages_from_document(doc))


def test_autolinks_in_a_list_are_links_and_stay_separate_items(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: Lab\n",
            "contact.md": """\
            ---
            title: Contact
            ---
            Reach the lab at:

            - <https://lab.example.org/home>
            - <https://code.example.org/lab>
            - <office@lab.example.org>
            """,
        },
    )
    text = page_text(site, "contact.md")
    assert "https://lab.example.org/home" in text
    assert "https://code.example.org/lab" in text
    assert "office@lab.example.org" in text
    assert "- <https" not in text


def test_nomarkdown_markers_never_show(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: Lab\n",
            "index.md": """\
            ---
            title: Home
            ---
            We map rivers. {::nomarkdown}<span class="badge">new</span>{:/nomarkdown} Ask us anything.

            {::nomarkdown}
            <p>Raw paragraph about glaciers.</p>
            {:/nomarkdown}
            """,
        },
    )
    text = page_text(site, "index.md")
    assert "nomarkdown" not in text
    assert "{:" not in text
    assert "We map rivers. new Ask us anything." in text
    assert "Raw paragraph about glaciers." in text
