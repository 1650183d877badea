"""Acronyms a site spells out: "National Human Genome Research Institute (NHGRI)".

A visitor asks with the short form where a page writes the long one. The indexer reads each
passage for a name followed by its acronym in brackets, keeps the pairs whose letters fit (the
acronym's first letter opens the name's first word, its other letters stand in the name in order,
as Schwartz and Hearst's rule has it), and writes them beside the index; the question parser then
looks for the spelt-out name too. A question that writes the name out is not also searched by its
acronym.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .text import fold

MIN_LETTERS, MAX_LETTERS = 2, 8
# a bracketed short form: capitals, maybe digits or lower-case letters after the first two ("DFG", "NFDI4Objects")
_SHORT = re.compile(r"(?<=\s)\(([A-ZÄÖÜ][A-ZÄÖÜ][\wÄÖÜäöü-]{0,6})\)")
_WORD = re.compile(r"[\w’'&-]+")
_BEFORE = 200  # characters read back from a short form for its name: more than a name of 12 long words


@dataclass(frozen=True)
class Acronym:
    """A short form, the name it stands for as the site writes it, and that passage's language."""

    short: str
    long: str
    lang: str


def acronyms_in(text: str, lang: str) -> Iterator[Acronym]:
    """Each "Long Name (LN)" of a text whose letters fit."""
    if "(" not in text:
        return
    for m in _SHORT.finditer(text):
        short = m.group(1)
        letters = [c for c in short if c.isupper()]
        if not MIN_LETTERS <= len(letters) <= MAX_LETTERS:
            continue
        before = text[max(0, m.start() - _BEFORE) : m.start()]
        line = before.rsplit("\n", 1)[-1]  # a name stands on the line of its short form
        long = _long_form(_WORD.findall(line)[-12:], short)
        if long:
            yield Acronym(short, long, lang)


def _long_form(words: list[str], short: str) -> str | None:
    """The fewest last ``words`` that spell ``short``: its letters in order, backwards from the last word,
    the first one opening a word."""
    letters = fold(short.replace("-", ""))
    for n in range(1, min(len(words), len(letters) + 5) + 1):
        name = words[-n:]
        if not name[0][:1].isupper() or fold(name[0][:1]) != letters[0]:
            continue
        if n >= 2 and _spells(fold(" ".join(name)), letters):
            return " ".join(name)
    return None


def _spells(name: str, letters: str) -> bool:
    """Whether the letters after the first stand in ``name`` in order, after its first letter."""
    at = len(name)
    for letter in reversed(letters[1:]):
        at = name.rfind(letter, 1, at)
        if at < 1:
            return False
    return True


def site_acronyms(found: Iterable[Acronym]) -> dict[str, list[str]]:
    """Short form (folded) -> [name, language]: the name the site writes most often for it."""
    counts = Counter((fold(a.short), a.long, a.lang) for a in found)
    table: dict[str, list[str]] = {}
    for (short, long, lang), _ in counts.most_common():
        table.setdefault(short, [long, lang])
    return dict(sorted(table.items()))
