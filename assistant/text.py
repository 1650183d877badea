"""Text helpers that indexing and answering share: folding, words, sentences.

Both sides must cut and compare text the same way (a quote is cut into the
sentences the passage stage saw), and serving must not import indexing code,
so these live here, beside neither.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .compiled_copies import compile_pattern, declare_pattern


class LazyPattern:
    """A regular expression compiled when it is first used.

    A fresh process (`assistant ask`, a Lambda cold start) answers one question and needs about half
    of the question stage's patterns; compiling them all on import cost it some 20 ms. The first use
    takes the program a process before kept (compiled_copies), if any. After it the compiled
    pattern's methods stand on the instance, so later calls cost what `re.Pattern`'s do.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        declare_pattern(pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        pattern = compile_pattern(self.pattern, self.flags)
        for name in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            self.__dict__[name] = getattr(pattern, name)
        self.__dict__["compiled"] = lambda: pattern
        return pattern

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled().findall(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled().sub(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled().split(string, maxsplit)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"


ABBREVIATIONS = (
    "dr",
    "prof",
    "med",
    "nat",
    "rer",
    "phil",
    "dipl",
    "ing",
    "e.g",
    "i.e",
    "z.b",
    "u.a",
    "bzw",
    "ca",
    "etc",
    "nr",
    "no",
    "st",
    "str",
    "vs",
    "mr",
    "mrs",
    "ms",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "abs",
    "fig",
    "vol",
    "pp",
    "univ",
    "dept",
    "priv",
    "doz",
    "habil",
    "et al",
    "al",
    "approx",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "okt",
    "nov",
    "dec",
    "dez",
    "mio",
    "mrd",
    # German: born, special, compare, if need be, possibly, including, plus, and so on, editor(s),
    # century, department, phone, regarding, according to, so-called, that is, partly, or similar
    "geb",
    "bes",
    "vgl",
    "ggf",
    "evtl",
    "inkl",
    "zzgl",
    "usw",
    "hrsg",
    "jh",
    "abt",
    "tel",
    "bzgl",
    "gem",
    "lt",
    "sog",
    "d.h",
    "z.t",
    "o.ä",
)
# "Dr.-Ing.", "Priv.-Doz.": the last part of a hyphenated abbreviation is itself one
ABBREVIATED_PART = LazyPattern(r"\.-(?:" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")$")
# what follows a German ordinal ("am 3. Oktober", "3. Etage")
ORDINAL_CONTEXT = LazyPattern(r"[A-ZÄÖÜ][a-zäöüß]+")
SENTENCE_END = LazyPattern(r"(?<=[.!?…])[\"'»”)\]]?\s+(?=[\"'„“«(\[]?[A-ZÄÖÜ0-9])")
WORD = LazyPattern(r"\w+", re.UNICODE)
WORD_COUNTS_KEPT = 4096  # texts whose word count is kept (see word_count)


# Control characters and invisible format characters (zero-width spaces and joiners, bidi marks, BOM)
# carry no words; they are turned into spaces so they can neither glue nor split terms unseen, nor
# reach a terminal or a log raw (ESC, BEL, NUL, RLO).
INVISIBLE = LazyPattern(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def visible(text: str) -> str:
    """Visitor text as it may be answered, logged and printed: invisible and control characters, line breaks
    included, become spaces, runs of spaces one; lone surrogates (unencodable) become U+FFFD."""
    text = INVISIBLE.sub(" ", text)
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lowercase and strip accents so that "Müller" and "Muller" compare equal."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def split_sentences(text: str) -> list[str]:
    """Cut text into sentences, and at line breaks, without breaking after 'Prof.', 'e.g.', 'Dr.-Ing.'
    or a German ordinal ('3. Etage')."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for m in SENTENCE_END.finditer(line):
            before = line[start : m.start()].rstrip("\"'»”)]")
            last = before.rsplit(None, 1)[-1].lower().rstrip(".") if before.split() else ""
            if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or ABBREVIATED_PART.search(last):
                continue
            if last.isdigit() and len(last) <= 2 and ORDINAL_CONTEXT.match(line, m.end()):
                continue  # a German ordinal, not the end of a sentence
            out.append(line[start : m.start()].strip())
            start = m.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out


@functools.lru_cache(maxsize=WORD_COUNTS_KEPT)
def word_count(text: str) -> int:
    """Words as the passage stage counts them (runs of letters and digits); kept for the texts counted
    last, which come back: the cutter weighs a block's words again and again (a caption? a label? too
    long?), and the answer stage the same candidates' texts question after question."""
    return len(WORD.findall(text))


def more_words_than(text: str, n: int) -> bool:
    """``word_count(text) > n``, reading no further than word n + 1 (a listing's labels are short, its
    paragraphs are not)."""
    for count, _ in enumerate(WORD.finditer(text), 1):
        if count > n:
            return True
    return False


_URL_UNSAFE = LazyPattern(r"[\s\x00-\x1f\x7f\\\"'<>`]")


def site_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a site's public address, or None when it can.

    Every link in an answer and the demo page starts with it, so only http(s) with a host
    will do: ``javascript:`` would run in the widget's page, and user info
    (``https://www.example.org@evil.example``) shows one host and leads to another.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return "is not a URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http or https URL"
    if "@" in parts.netloc:
        return "holds a user name or password before '@', so its links would lead to the host after it"
    if not parts.hostname:
        return "names no host"
    if _URL_UNSAFE.search(url):
        return "holds spaces, control characters, quotes or backslashes"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "holds a query or a fragment ('?' or '#'), which every link would carry"
    return None
