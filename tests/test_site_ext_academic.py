"""Constructs seen on academic personal sites built from a Minimal Mistakes style theme.

Each test writes its own tiny site with the same construct and checks what a
visitor would read.
"""

from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from assistant.kramdown import markdown_to_html
from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site
from conftest import write_site


def text(html: str) -> str:
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    return " ".join((root.text(separator=" ") if root else "").split())


def render(root: Path):
    documents, problems = render_site(load_site(root))
    return {d.source: d for d in documents}, problems


def test_join_reaches_into_nested_arrays(tmp_path):
    # a tag index built by mapping every post to its tag list, then joining
    site = write_site(tmp_path, {
        "_config.yml": "title: T\n",
        "_posts/2020-01-01-a.md": "---\ntitle: A\ntags: [maps, rivers]\n---\nA.\n",
        "_posts/2020-02-01-b.md": "---\ntitle: B\ntags: [lakes]\n---\nB.\n",
        "tags.html": "---\ntitle: Tags\n---\n"
                     "{% assign names = site.posts | map: 'tags' | join: ',' | split: ',' | sort %}"
                     "<ul>{% for n in names %}<li>{{ n }}</li>{% endfor %}</ul>\n",
    })
    docs, problems = render(site)
    assert not problems
    assert text(docs["tags.html"].html) == "lakes maps rivers"
