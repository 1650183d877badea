"""What on a rendered page is not the page's own content: site chrome found by repetition.

Themes mark their navigation, header and footer with ``<nav>``, ``<header>``
and ``<footer>`` (those go by their markup, in :mod:`assistant.render`), but
many do not: a ``<div class="menu">``, a news ticker, a footer line with the
institution's address. Whatever its markup, text that stands on most pages of
a site is the site's, not the page's. It is found by counting the blocks of a
sample of the site's pages; a block whose text is on at least
:data:`REPEAT_SHARE` of them (and on at least :data:`MIN_PAGES` pages) is
chrome, and is not quoted on any page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

__all__ = ["REPEAT_SHARE", "MIN_PAGES", "SAMPLE_PAGES", "block_key", "repeated_blocks"]

REPEAT_SHARE = 0.6
MIN_PAGES = 5
SAMPLE_PAGES = 60  # pages read to find what repeats; spread over the site


def block_key(block) -> str:
    """The text by which a block (heading, text, list) is recognised on another page."""
    if block.kind == "list":
        return "\n".join(block.items)
    return block.text if block.kind in ("heading", "text") else ""


def repeated_blocks(pages: Iterable[list]) -> frozenset[str]:
    """Texts of blocks that stand on most of ``pages`` (each a list of blocks)."""
    counts: Counter[str] = Counter()
    n = 0
    for blocks in pages:
        n += 1
        counts.update({key for key in map(block_key, blocks) if key})
    if n < MIN_PAGES:
        return frozenset()
    least = max(MIN_PAGES, REPEAT_SHARE * n)
    return frozenset(key for key, count in counts.items() if count >= least)


def sample(indices: list[int], size: int = SAMPLE_PAGES) -> list[int]:
    """Up to ``size`` of ``indices``, spread evenly (a site's sections differ in their chrome)."""
    if len(indices) <= size:
        return list(indices)
    step = len(indices) / size
    return [indices[int(i * step)] for i in range(size)]
