"""The plain records that travel between the stages of the pipeline.

site (source files) -> Document (a rendered page as a visitor reads it)
-> Passage (a quotable piece of a page) -> index -> Answer -> HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# An empty element that stands in a rendered page's HTML where visible text that is not the
# page's own was taken out: text on either side of it is not one run.
OMITTED = "omitted-text"

# What a passage comes from; shown to users and used to weigh results.
KINDS = ("page", "group", "post", "data", "publication")
# The id suffix of a passage quoted from a page's description (its head, not its text).
DESCRIPTION_SUFFIX = "-description"


@dataclass
class Problem:
    """Something in the site that could not be read or rendered; the rest goes on."""

    path: str  # path relative to the site root
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class Document:
    """One published page, rendered as Jekyll would, without site-wide chrome."""

    url: str  # absolute URL as published, e.g. https://host/groups/mml.html
    title: str
    html: str  # the page's main content as HTML (layouts applied, navigation/header/footer not)
    source: str  # source file relative to the site root, e.g. groups/mml.md
    kind: str = "page"  # one of KINDS
    lang: str = "en"
    date: str | None = None  # ISO date for posts
    source_text: str = ""  # the raw file, to find the line a quote came from
    body_line: int = 1  # line in the source file where the body (after front matter) starts
    description: str = ""  # front matter description/excerpt, as shown in meta tags
    translations: dict[str, str] = field(default_factory=dict)  # language -> URL of this page in it
    not_content: frozenset[str] = frozenset()  # texts of blocks that are the site's chrome, not this page's
    blocks: list | None = None  # the page cut into blocks (headings, text, lists), from the one parse of it
    aside: frozenset[str] = frozenset()  # texts of the blocks in its sidebars (chrome when on other pages too)
    mixed_languages: bool = True  # False when the whole page reads as ``lang``: passages need no guess of their own
    lead: str = ""  # the page's first top-level heading


@dataclass
class Passage:
    """A piece of a page a person can quote: a paragraph, a few sentences, or a whole list."""

    id: str
    text: str  # verbatim text as a visitor reads it
    title: str  # page title
    heading: str  # nearest section heading ("" at the top of a page)
    url: str  # page URL plus #anchor of the section where there is one
    source: str  # source file relative to the site root
    line: int | None  # line in the source file, where known
    lang: str
    kind: str
    is_list: bool = False
    page_url: str = ""  # page URL without anchor
    context: str = ""  # what the page says it is about (its summary, its first heading), for judging answers
    terms: list[str] = field(
        default_factory=list
    )  # analysed terms of title, heading, context and text; set by the index
    translations: dict[str, str] = field(default_factory=dict)  # language -> URL of its page in that language

    @cached_property
    def term_set(self) -> frozenset[str]:
        """Its terms as a set, made once: an opened index keeps the passages it has read, and every
        question meets the candidates' terms with its own."""
        return frozenset(self.terms)


@dataclass
class Quote:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # [start, end) offsets in text


@dataclass
class Hit:
    """A ranked passage with the quote taken from it."""

    passage: Passage
    score: float
    quote: Quote


@dataclass
class Best:
    """Which of an answer's hits answers the question, and the sentence of its quote that does."""

    hit: int  # index into Answer.hits
    sentence: tuple[int, int]  # [start, end) offsets in that hit's quote text


@dataclass
class Answer:
    question: str
    lang: str
    abstained: bool
    message: str  # a short lead-in, or the abstain message
    hits: list[Hit] = field(default_factory=list)
    best: Best | None = None  # set when the site answers
    did_you_mean: list[str] = field(default_factory=list)  # questions the site does answer, for an abstention
