"""Passages against a site as Jekyll built it: does every quote stand on its page, word for word?

The reference is the built ``_site/`` folder, read the way a browser shows it:
text of the ``<body>`` (no ``<head>``, scripts, styles or attributes), inline
elements running on (``m<sup>2</sup>`` reads ``m2``), blocks and ``<br>`` breaking
the line. A passage stands on its page when its words, in its order, are one
unbroken run of that page's words; a quote that marks an omission with a line
"…" stands when each part is such a run, the parts in the page's order. Published pages are compared as the files
Jekyll writes (``/a/`` is ``a/index.html``, ``/a/b`` is ``a/b.html``).

This module reads HTML on its own terms and shares nothing with the rendering
it checks, so a rule that drifts there shows up here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

__all__ = ["PageCheck", "SiteCheck", "check_passages", "output_file", "visible_text", "built_pages"]

# Elements a browser lays out as blocks (or cells): their edges separate words.
BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav ol p plaintext "
    "pre section summary table tbody td tfoot th thead tr ul video audio canvas iframe img".split()
)
# Elements whose content is never shown as text.
INVISIBLE_ELEMENTS = frozenset("head script style template noscript svg math object canvas select".split())

_WORD = re.compile(r"\w+")
_OMISSION_LINE = re.compile(r"(?:^|\n)…(?:\n|$)")
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def visible_text(html: str) -> str:
    """What a reader sees of a page's body, one line per block."""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    parts: list[str] = []
    if root is not None:
        _collect(root, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect(node, parts: list[str]) -> None:
    child = node.child
    while child is not None:
        tag = child.tag or ""
        if tag == "-text":
            parts.append((child.text_content or "").replace("\n", " "))
        elif tag == "br":
            parts.append("\n")
        elif tag and not tag.startswith(("-", "!", "_")) and tag not in INVISIBLE_ELEMENTS:
            block = tag in BLOCK_ELEMENTS
            if block:
                parts.append("\n")
            _collect(child, parts)
            if block:
                parts.append("\n")
        child = child.next


def words(text: str) -> list[str]:
    """The words of a text, compared as a reader would: same letters, same case."""
    return _WORD.findall(unicodedata.normalize("NFC", text.translate(_INVISIBLE_CHARS)))


def output_file(url_path: str) -> str:
    """The file Jekyll writes for a URL path: ``/a/`` -> ``a/index.html``, ``/a/b`` -> ``a/b.html``."""
    rel = unquote(url_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        return rel + "index.html"
    return rel if "." in rel.rsplit("/", 1)[-1] else rel + ".html"


def built_pages(built: Path) -> dict[str, Path]:
    """Every HTML file of a built site by its path there."""
    built = Path(built)
    return {
        p.relative_to(built).as_posix(): p
        for p in sorted(built.rglob("*"))
        if p.suffix.lower() in (".html", ".htm") and p.is_file()
    }


@dataclass
class PageCheck:
    """One published page: how many of its passages stand on the built page, and which do not."""

    file: str  # the page as a file of the built site
    passages: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)  # texts of passages that do not stand there
    why: list[str] = field(default_factory=list)  # for each of them, where it leaves the built page


@dataclass
class SiteCheck:
    only_built: list[str] = field(default_factory=list)  # files Jekyll published that the index lacks
    only_ours: list[str] = field(default_factory=list)  # pages the index has that Jekyll did not publish
    pages: list[PageCheck] = field(default_factory=list)

    @property
    def passages(self) -> int:
        return sum(p.passages for p in self.pages)

    @property
    def found(self) -> int:
        return sum(p.found for p in self.pages)

    @property
    def share(self) -> float:
        return self.found / self.passages if self.passages else 1.0


class _PageWords:
    """A built page's words with where each word occurs, for finding runs quickly."""

    def __init__(self, html: str):
        self.words = words(visible_text(html))
        self.at: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            self.at.setdefault(word, []).append(i)

    def divergence(self, run: list[str]) -> str:
        """Where ``run`` leaves the page: its longest start on the page, and what the page has instead."""
        best, start = 0, -1
        for i in self.at.get(run[0], ()) if run else ():
            n = 0
            while n < len(run) and i + n < len(self.words) and self.words[i + n] == run[n]:
                n += 1
            if n > best:
                best, start = n, i
        if start < 0:
            return "its first word is not on the page"
        cut = start + best
        ours = " ".join(run[max(0, best - 3) : best + 6])
        theirs = " ".join(self.words[max(0, cut - 3) : cut + 6])
        return f"after {best} of {len(run)} words, ours: {ours} | built: {theirs}"

    def has_run(self, run: list[str], start: int = 0) -> int | None:
        """Where ``run`` ends on the page, looking from ``start``; None when it is not there."""
        if not run:
            return start
        n = len(run)
        for i in self.at.get(run[0], ()):
            if i >= start and self.words[i : i + n] == run:
                return i + n
        return None

    def stands(self, text: str) -> bool:
        """Every part of a quote (parts are parted by an omission line, "…") is one run, in order."""
        position: int | None = 0
        for part in _OMISSION_LINE.split(text):
            position = self.has_run(words(part), position or 0)
            if position is None:
                return False
        return True


def _url_path(url: str, base_url: str) -> str:
    if base_url and url.startswith(base_url):
        url = url[len(base_url) :]
    return urlsplit(url).path or "/"


def check_passages(
    passages: Iterable, built: Path, base_url: str, pages: Iterable[str] = (), max_missing: int = 50
) -> SiteCheck:
    """Compare passages (``text`` and ``page_url``) and published page URLs with a built site.

    ``pages`` are the URLs of every page the index published (pages without
    any passage count too); the passages' own pages are added to them.
    """
    files = built_pages(built)
    check = SiteCheck()
    by_page: dict[str, list] = {}
    for url in pages:
        by_page.setdefault(output_file(_url_path(url, base_url)), [])
    for passage in passages:
        by_page.setdefault(output_file(_url_path(passage.page_url or passage.url, base_url)), []).append(passage)
    check.only_built = sorted(set(files) - set(by_page))
    check.only_ours = sorted(set(by_page) - set(files))
    for name in sorted(by_page):
        page = PageCheck(name, passages=len(by_page[name]))
        check.pages.append(page)
        if name not in files:
            page.missing = [p.text for p in by_page[name]][:max_missing]
            continue
        built_words = _PageWords(files[name].read_text(encoding="utf-8", errors="replace"))
        for passage in by_page[name]:
            if built_words.stands(passage.text):
                page.found += 1
            elif len(page.missing) < max_missing:
                page.missing.append(passage.text)
                page.why.append(built_words.divergence(words(passage.text)))
    return check
