"""Rendered pages -> passages a person can quote.

A page is cut along its headings, paragraphs and list items. A passage is a
paragraph (long ones are cut into runs of a few sentences), a list whose items
are short (a board of ten names stays whole), or one item of a list whose items
are long (a publication, a project). Headings that stand directly above a block,
with nothing in between, are quoted with it: "Head of Research Group / Prof. X /
x@example.org" reads as one answer on the page, and quoting it whole keeps the
quote verbatim and useful.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # selectolax is needed to index, not to serve
    from selectolax.lexbor import LexborNode

from .analysis import detect_language
from .chrome import block_key
from .documents import OMITTED, Document, Passage
from .text import WORD, split_sentences, word_count

# Stands, on a line of its own, where a quote leaves out visible text of the page.
OMISSION = "…"
INVISIBLE = frozenset(("script", "style", "noscript", "template", "head"))
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "input",
    "select",
    "textarea",
    "button",
    "head",
    "nav",
    "header",
    "footer",
    "object",
    "canvas",
    "map",
}
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "form",
    "fieldset",
    "hr",
    "center",
    "dl",
    "dt",
    "dd",
    "body",
    "html",
    "caption",
    "legend",
}
LISTS = {"ul", "ol"}
CARDS = {"div", "figure", "address", "blockquote"}  # containers read whole when small
CARD_WORDS = 60

MAX_WORDS = 110  # a paragraph longer than this is cut into runs of sentences
MAX_SENTENCES = 4
LIST_ITEM_WORDS = 25  # items at most this long on average make a list that stays whole
MAX_LIST_WORDS = 220
MAX_HEADING_PREFIX_WORDS = 30
MIN_OUTLINE, MAX_OUTLINE = 2, 12  # sub-sections under a heading that announces them ("four topics:")
RECORD_LINE_WORDS = 25  # a line this short right under a short passage of its section joins it ...
RECORD_WORDS = 45  # ... while that passage is no longer than this
RECORD_TITLE_WORDS = 6  # ... and its heading is a title this long (a paper's), not a section's or a name
MAX_CONTEXT_CHARS = 400
MAX_TITLE_CELL_WORDS = 20  # a bold cell this short, in a table that holds headings, is their title

_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


@dataclass
class _Block:
    # "heading" | "text" | "list" | "gap" (unquoted text stood here) | "end" (of the headings from ``level`` on)
    kind: str
    text: str = ""
    level: int = 0
    anchor: str = ""
    items: list[str] = field(default_factory=list)
    in_bibliography: bool = False


def _clean(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        # most lines have single spaces only, which _SPACE would put back as they are
        if (
            "  " in line
            or "\t" in line
            or "\r" in line
            or "\f" in line
            or "\v" in line
            or "\xa0" in line
            or "\u200b" in line
        ):
            line = _SPACE.sub(" ", line)
        line = line.strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


# what stands in a list without being shown as one of its items
_NOT_ITEMS = frozenset({"-text", "-comment", "script", "style", "template", "noscript"})


class _Walker:
    """Turns an HTML tree into a flat run of headings, text blocks and lists."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self._inline: list[str] = []
        self._bib_depth = 0

    def flush(self) -> None:
        text = _clean("".join(self._inline))
        self._inline = []
        if text:
            self.blocks.append(_Block("text", text, in_bibliography=self._bib_depth > 0))

    def gap(self) -> None:
        """Visible text that is not quoted stood here: what comes before and after is not one run."""
        self.flush()
        if not self.blocks or self.blocks[-1].kind != "gap":
            self.blocks.append(_Block("gap"))

    def skip(self, node: LexborNode) -> None:
        """Leave out an element; one a visitor sees text in leaves a gap."""
        if node.tag not in INVISIBLE and WORD.search(node.text(deep=True) or ""):
            self.gap()

    def walk(self, node: LexborNode) -> None:
        child = node.child
        while child is not None:
            self._visit(child)
            child = child.next

    def _visit(self, node: LexborNode) -> None:
        tag = node.tag
        if tag == "-text":
            # a newline in HTML source is a space to a reader; only <br> breaks a line
            self._inline.append((node.text_content or "").replace("\n", " "))
            return
        if tag == OMITTED:  # something visible was taken out here
            return self.gap()
        if tag in ("-comment", "!doctype", "_comment") or tag is None or tag.startswith("-"):
            return
        if tag in SKIP:
            return self.skip(node)
        if node.attributes.get("hidden") is not None:
            return
        if node.attributes.get("aria-hidden") == "true" or node.attributes.get("role") in (
            "button",
            "navigation",
            "search",
        ):
            return self.skip(node)  # controls ("Abs", "PDF", "Bib") and navigation are not what the page says
        if tag == "br":
            self._inline.append("\n")
            return
        if tag == "a" and _is_control_link(node):
            return self.skip(node)
        if tag in HEADINGS:
            self.flush()
            text = _clean(inline_text(node)).replace("\n", " ")
            if text:
                anchor = node.attributes.get("id") or ""
                if not anchor:
                    inner = node.css_first("[id]")
                    anchor = (inner.attributes.get("id") or "") if inner is not None else ""
                self.blocks.append(_Block("heading", text, level=HEADINGS[tag], anchor=anchor or ""))
            return
        if tag == "pre":
            self.flush()
            text = node.text(deep=True) or ""
            if text.lstrip().startswith("@"):  # raw BibTeX shown under a reference
                return
            text = _clean(text)
            if text:
                self.blocks.append(_Block("text", text, in_bibliography=self._bib_depth > 0))
            return
        if tag in LISTS or tag == "table":
            return self._items(node)
        if tag in BLOCKS:
            self.flush()
            if tag in CARDS and self._is_card(node):
                return self._card(node)
            self.walk(node)
            self.flush()
            return
        # inline element: keep walking, its text joins the current block
        self.walk(node)

    def _items(self, node: LexborNode) -> None:
        """A list's items, a table's rows; a table that holds headings is a layout, not rows."""
        if node.tag == "table" and node.css_first("h1, h2, h3, h4, h5, h6") is not None:
            return self._layout_table(node)
        self.flush()
        bib = "bibliography" in (node.attributes.get("class") or "")
        self._bib_depth += bib
        items = self._list_items(node) if node.tag in LISTS else self._table_rows(node)
        self._bib_depth -= bib
        self._emit_items(items)

    def _layout_table(self, node: LexborNode) -> None:
        """A table that holds headings lays out the page (a box per module: a title row, then the
        module's sections) rather than tabulating data: its cells are read in order as the page's
        flow, and a cell set wholly in bold is the title of the headings inside the table."""
        self.flush()
        inner = min(HEADINGS[h.tag or "h6"] for h in node.css("h1, h2, h3, h4, h5, h6"))
        opened = inner
        for cell in node.css("td, th"):
            if _table_of(cell) != node:
                continue  # a table inside a cell is read when that cell is
            title = _bold_title(cell)
            if title:
                opened = max(1, inner - 1)
                self.blocks.append(_Block("heading", title, level=opened))
            else:
                self.walk(cell)
                self.flush()
        # what follows the table stands in the section around it, not under the table's last heading
        self.blocks.append(_Block("end", level=opened))

    def _card(self, node: LexborNode) -> None:
        """A small box of short lines (a reference, a person, a news teaser) reads as one piece."""
        sub = _Walker()
        sub._bib_depth = self._bib_depth
        sub.walk(node)
        sub.flush()
        if sub.blocks and sub.blocks[0].kind == "gap":
            self.gap()
        text = _clean(_lines(sub.blocks))
        if text:
            self.blocks.append(_Block("text", text, in_bibliography=self._bib_depth > 0))
        if sub.blocks and sub.blocks[-1].kind == "gap":
            self.gap()

    @staticmethod
    def _is_card(node: LexborNode) -> bool:
        if node.css_first("h1, h2, h3, h4, h5, h6, ul, ol, table, pre, main, article, section") is not None:
            return False
        blocks = sum(1 for child in node.iter() if child.tag in BLOCKS or child.tag == "br")
        return blocks >= 2 and word_count(node.text(deep=True) or "") <= CARD_WORDS

    def _emit_items(self, items: list[tuple[str, list[_Block]]]) -> None:
        """A list of plain items becomes one list block; items holding headings or lists are walked."""
        plain: list[str] = []
        for text, nested in items:
            if nested:
                if plain:
                    self.blocks.append(_Block("list", items=plain, in_bibliography=self._bib_depth > 0))
                    plain = []
                self.blocks.extend(nested)
            elif text:
                plain.append(text)
        if plain:
            self.blocks.append(_Block("list", items=plain, in_bibliography=self._bib_depth > 0))

    def _list_items(self, node: LexborNode) -> list[tuple[str, list[_Block]]]:
        bib = "bibliography" in (node.attributes.get("class") or "")
        items = []
        child = node.child
        while child is not None:
            if child.tag == "li":
                if child.css_first("h1, h2, h3, h4, h5, h6, table") is not None:
                    sub = _Walker()
                    sub._bib_depth = self._bib_depth
                    sub.walk(child)
                    sub.flush()
                    items.append(("", sub.blocks))
                else:
                    text = _clean(block_text(child))
                    if bib:
                        items.append(("", [_Block("text", text, in_bibliography=True)] if text else []))
                    else:
                        items.append((text, []))
            elif child.tag in LISTS:
                items.extend(self._list_items(child))
            elif child.tag not in _NOT_ITEMS:
                # a box between the list and its items (``<ul><div><li>``, which browsers show as
                # items); any other element in a list is a line of its own
                if child.css_first("li") is not None:
                    items.extend(self._list_items(child))
                else:
                    text = _clean(block_text(child))
                    if text:
                        items.append((text, []))
            child = child.next
        return items

    def _table_rows(self, node: LexborNode) -> list[tuple[str, list[_Block]]]:
        rows: list[tuple[str, list[_Block]]] = []
        for tr in node.css("tr"):
            cells = [_cell_text(c) for c in tr.iter() if c.tag in ("td", "th")]
            cells = [c for c in cells if c]
            if cells:
                rows.append(("\n".join(_row_lines(cells)), []))
        return rows


def _row_lines(cells: list[str]) -> list[str]:
    """A row's cells joined by " | ", with a left-out cell's omission on a line of its own between them."""
    lines: list[str] = []
    run: list[str] = []
    for cell in cells:
        if cell == OMISSION:
            if run:
                lines.append(" | ".join(run))
                run = []
            lines.append(OMISSION)
        else:
            run.append(cell)
    if run:
        lines.append(" | ".join(run))
    return lines


def _cell_text(cell: LexborNode) -> str:
    """A table cell's text on one line; a cell a visitor sees only a control in ("Show") is an omission."""
    text = _clean(block_text(cell)).replace("\n", " ")
    if not text and WORD.search(cell.text(deep=True) or ""):
        return OMISSION
    return text


def _table_of(cell: LexborNode) -> LexborNode | None:
    parent = cell.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent


def _bold_title(cell: LexborNode) -> str:
    """The text of a table cell that is all bold and short, as a title row is; else ""."""
    text = _clean(cell.text(deep=True) or "").replace("\n", " ")
    if not text or word_count(text) > MAX_TITLE_CELL_WORDS or cell.css_first("h1, h2, h3, h4, h5, h6, p, ul, ol"):
        return ""
    bold = " ".join(_clean(b.text(deep=True) or "") for b in cell.css("b, strong"))
    return text if _SPACE.sub(" ", bold).strip() == text else ""


_BACK_TO_TOP = re.compile(r"^\W*(back to top|to top|top|nach oben|zum seitenanfang|zurück nach oben)\W*$", re.I)


def _is_control_link(node: LexborNode) -> bool:
    """A button-styled link ("Learn more", "PDF") or a jump back to the top of the page."""
    classes = (node.attributes.get("class") or "").lower().split()
    href = node.attributes.get("href") or ""
    if href.lower().startswith("javascript:") or (href.startswith("#") and node.attributes.get("onclick") is not None):
        return True  # it runs a script (shows or hides a box) rather than leading anywhere
    if any(c in ("btn", "button") or c.startswith(("btn-", "btn--", "button-", "button--")) for c in classes):
        # a button that shows an address or number ("mailto:", "tel:") is how the page gives it: keep it
        return not href.lower().startswith(("mailto:", "tel:"))
    return href.startswith("#") and bool(_BACK_TO_TOP.match(" ".join((node.text(deep=True) or "").split())))


def inline_text(node: LexborNode) -> str:
    parts: list[str] = []

    def visit(n: LexborNode) -> None:
        child = n.child
        while child is not None:
            if child.tag == "-text":
                parts.append((child.text_content or "").replace("\n", " "))
            elif child.tag == "br":
                parts.append("\n")
            elif child.tag not in SKIP and not (child.tag or "-").startswith("-"):
                visit(child)
            child = child.next

    visit(node)
    return "".join(parts)


def block_text(node: LexborNode) -> str:
    """Text of an element with line breaks where blocks and <br> stand."""
    walker = _Walker()
    walker.walk(node)
    walker.flush()
    return _lines(walker.blocks)


def _lines(blocks: list[_Block]) -> str:
    """Blocks as lines of text; a gap between two of them is an omission line."""
    lines: list[str] = []
    for b in blocks:
        if b.kind == "end":
            continue
        if b.kind == "list":
            lines.extend(b.items)
        elif b.kind == "gap":
            if lines and lines[-1] != OMISSION:
                lines.append(OMISSION)
        else:
            lines.append(b.text)
    while lines and lines[-1] == OMISSION:
        lines.pop()
    return "\n".join(lines)


def html_blocks(html: str) -> list[_Block]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    return blocks_of(root) if root is not None else []


def blocks_of(root: LexborNode) -> list[_Block]:
    """A page's content element as a flat run of headings, text blocks and lists."""
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.blocks


@dataclass
class PageFacts:
    title: str
    kind: str  # "page" | "post" | "publication"
    lang: str
    mixed_languages: bool  # parts of the page read as another language than ``lang``
    lead: str  # the first top-level heading


PUBLICATION_SHARE = 0.9  # a page that is nearly all bibliography is a publication list
LANGUAGE_STRETCHES = 5  # stretches of a page read to tell whether it mixes languages
STRETCH_CHARS = 600


def page_facts(blocks: list[_Block], *, title: str, name: str, stem: str, source_kind: str, lang: str) -> PageFacts:
    """A page's title, kind and language, decided once, from its blocks.

    The title is the front matter's; else the first ``<h1>``; else the ``name`` people
    and project collections give their documents; else the first top-level heading;
    else the file name (a collection document's with its words capitalised, as Jekyll
    titles it). The language is the one the page reads as (``lang`` from front matter
    or configuration breaks ties).
    """
    lead = next((b.text for b in blocks if b.kind == "heading" and b.level <= 2), "")
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    if source_kind == "page" or source_kind == "static":
        fallback = lead or stem
    else:
        named = " ".join(w[:1].upper() + w[1:] for w in stem.replace("_", "-").split("-") if w) or stem
        fallback = lead if lead and named == stem else named
    title = title or h1 or " ".join(name.split()) or fallback
    kind = "post" if source_kind == "post" else _kind(blocks)
    texts = [b.text or "\n".join(b.items) for b in blocks if b.kind not in ("gap", "end")]
    sample = " ".join(texts[:40])[:3000]
    if sample.strip():
        lang = detect_language(sample, default=lang or "en")
    return PageFacts(title, kind, lang or "en", _mixes_languages(texts, lang), lead)


def _kind(blocks: list[_Block]) -> str:
    whole = listed = 0
    for block in blocks:
        size = len("".join((block.text or "".join(block.items)).split()))
        whole += size
        listed += size if block.in_bibliography else 0
    return "publication" if listed and listed >= PUBLICATION_SHARE * whole else "page"


def _mixes_languages(texts: list[str], lang: str) -> bool:
    """Whether stretches spread over the page read as another language (then each passage is judged)."""
    if len(texts) < 2 * LANGUAGE_STRETCHES:
        return True  # a short page: its few passages are judged one by one
    step = len(texts) / LANGUAGE_STRETCHES
    for i in range(LANGUAGE_STRETCHES):
        stretch = " ".join(texts[int(i * step) : int((i + 1) * step)])[:STRETCH_CHARS]
        if word_count(stretch) >= 12 and detect_language(stretch, default=lang) != lang:
            return True
    return False


def _is_label_of_list(block: _Block, following: _Block | None) -> bool:
    """A short line ending in a colon right above a list introduces that list."""
    return (
        block.kind == "text"
        and following is not None
        and following.kind == "list"
        and "\n" not in block.text
        and block.text.endswith(":")
        and word_count(block.text) <= 12
    )


def _is_caption(block: _Block) -> bool:
    """A one-line text of a few words without closing punctuation: a heading written as a paragraph."""
    if block.kind != "text" or "\n" in block.text or block.in_bibliography:
        return False
    n = word_count(block.text)
    return (
        0 < n <= 8
        and block.text[-1] not in ".!?:;,)]\"'»”…"
        and not block.text[0].islower()
        and not block.text[0].isdigit()
        and "," not in block.text
    )  # "12 Main Street", "City, State" are no headings


def _looks_like_list(text: str) -> bool:
    lines = text.split("\n")
    return len(lines) >= 3 and sum(word_count(line) for line in lines) / len(lines) <= 15


def _chunks(sentences: list[str]) -> Iterator[str]:
    run: list[str] = []
    words = 0
    for s in sentences:
        n = word_count(s)
        if run and (len(run) >= MAX_SENTENCES or words + n > MAX_WORDS):
            yield " ".join(run)
            run, words = [], 0
        run.append(s)
        words += n
    if run:
        yield " ".join(run)


def _list_runs(items: list[str]) -> Iterator[list[str]]:
    run: list[str] = []
    words = 0
    for item in items:
        n = word_count(item)
        if run and words + n > MAX_LIST_WORDS:
            yield run
            run, words = [], 0
        run.append(item)
        words += n
    if run:
        yield run


_LABEL = re.compile(r"([^:\n]{1,40}):\s")


def _record_runs(items: list[str]) -> Iterator[list[str]]:
    """The items of a list of long items, a long item alone and short ones together: "Name: …",
    "Email: …", "Bio: …" say who has the address only as long as they stand in one passage. A label
    seen already in the run ("Name:" again) starts the next record."""
    run: list[str] = []
    labels: set[str] = set()
    for item in items:
        label = _LABEL.match(item)
        name = label.group(1).casefold() if label else None
        if word_count(item) > LIST_ITEM_WORDS:
            if run:
                yield run
            yield [item]
            run, labels = [], set()
            continue
        if run and (name in labels or word_count(" ".join(run)) + word_count(item) > MAX_LIST_WORDS):
            yield run
            run, labels = [], set()
        run.append(item)
        if name:
            labels.add(name)
    if run:
        yield run


@dataclass
class _Piece:
    text: str
    is_list: bool
    in_bibliography: bool


def _pieces(block: _Block) -> Iterator[_Piece]:
    if block.kind == "list":
        avg = sum(word_count(i) for i in block.items) / max(1, len(block.items))
        if avg <= LIST_ITEM_WORDS:
            for run in _list_runs(block.items):
                yield _Piece("\n".join(run), len(run) > 1, block.in_bibliography)
        else:
            for run in _record_runs(block.items):
                if len(run) > 1:
                    yield _Piece("\n".join(run), True, block.in_bibliography)
                    continue
                for chunk in _text_chunks(run[0]):
                    yield _Piece(chunk, False, block.in_bibliography)
        return
    if _looks_like_list(block.text):
        for run in _list_runs(block.text.split("\n")):
            yield _Piece("\n".join(run), True, block.in_bibliography)
        return
    for chunk in _text_chunks(block.text, whole=block.in_bibliography):
        yield _Piece(chunk, False, block.in_bibliography)


def _text_chunks(text: str, whole: bool = False) -> Iterator[str]:
    """A reference stays one passage (its authors and its title belong together); prose is cut."""
    if whole or word_count(text) <= MAX_WORDS and text.count("\n") < MAX_SENTENCES:
        yield text
        return
    yield from _chunks(split_sentences(text))


def _source_line(doc: Document, text: str, cache: dict) -> int | None:
    """The line of the source file where the quoted text starts, when the page itself holds it."""
    words = [m.group() for m in islice(WORD.finditer(text), 6)]
    if len(words) < 2 or not doc.source_text:
        return None
    key = tuple(words)
    if key in cache:
        return cache[key]
    if None not in cache:  # the source's words and the line of each, read once per page (no word spans lines)
        tokens: list[str] = []
        lines: list[int] = []
        for number, source_line in enumerate(doc.source_text.split("\n"), 1):
            found = WORD.findall(source_line)
            if found:
                tokens += found
                lines += [number] * len(found)
        cache[None] = (tokens, lines)
    tokens, lines = cache[None]
    i = _words_at(words[:4], tokens)
    line = None if i is None else lines[i]
    cache[key] = line
    return line


def _words_at(words: list[str], tokens: list[str]) -> int | None:
    """The first source token where ``words`` start, up to two other words between each.

    The first word may end a longer token and the last one begin one; the ones
    between are whole tokens (what the regular expression
    ``w1\\W+(?:\\w+\\W+){0,2}?w2...`` finds, without compiling one per passage).
    """
    first, last = words[0], words[-1]
    n = len(tokens)

    def rest(j: int, k: int) -> bool:
        # words[k] is whole at token j; can the following words go on from there?
        if k == len(words) - 1:
            return True
        for nxt in range(j + 1, min(j + 4, n)):
            if k + 1 == len(words) - 1:
                if tokens[nxt].startswith(last):
                    return True
            elif tokens[nxt] == words[k + 1] and rest(nxt, k + 1):
                return True
        return False

    if len(words) == 2:
        for i in range(n - 1):
            if tokens[i].endswith(first) and any(tokens[j].startswith(last) for j in range(i + 1, min(i + 4, n))):
                return i
        return None
    best = None
    j = -1
    while True:
        try:
            j = tokens.index(words[1], j + 1)
        except ValueError:
            return best
        if best is not None and j - 3 > best:
            return best
        for i in range(max(0, j - 3), j):
            if (best is None or i < best) and tokens[i].endswith(first) and rest(j, 1):
                best = i
                break


def passages_from_document(doc: Document) -> list[Passage]:
    """Cut one rendered page into quotable passages."""
    if doc.blocks is None:  # a page that comes as HTML only (a built site's file)
        blocks = html_blocks(doc.html)
        facts = page_facts(
            blocks, title=doc.title, name="", stem=PurePosixPath(doc.source).stem, source_kind="page", lang=doc.lang
        )
        doc = replace(doc, blocks=blocks, title=facts.title, lang=facts.lang, lead=facts.lead)
        doc.mixed_languages = facts.mixed_languages
    blocks = doc.blocks or []
    if doc.not_content:
        # the site's chrome, found by repetition: left out, and nothing is quoted across it
        blocks = [_Block("gap") if block_key(b) in doc.not_content else b for b in blocks]
    cutter = _Cutter(doc, blocks, doc.lead)
    for i, block in enumerate(blocks):
        cutter.block(block, blocks[i + 1] if i + 1 < len(blocks) else None)
    out = cutter.finish()
    cutter.outlines(blocks)
    return out


Heading = tuple[int, str, str]  # (level, text, anchor)


class _Cutter:
    """Walks a page's blocks, keeping the headings above each one, and cuts the passages."""

    def __init__(self, doc: Document, blocks: list[_Block], lead: str) -> None:
        self.doc = doc
        self.page_lang = doc.lang
        self.out: list[Passage] = []
        # the page's own summary of what it is about counts for every passage of it
        self.context = " ".join(t for t in (doc.description, lead if lead != doc.title else "") if t)[
            :MAX_CONTEXT_CHARS
        ]
        self.stack: list[Heading] = []
        self.pending: list[str] = []  # headings with nothing under them yet
        self.captions: set[str] = set()  # the pending lines that are captions, not headings
        self.line_cache: dict = {}
        self.run_parent: Heading | None = None  # a caption heading a run of captioned paragraphs
        self.previous_caption: Heading | None = None
        self.record: tuple[list[Heading], int] | None = None  # the section and passage count of the last text added
        self.digest = hashlib.sha1(doc.url.encode()).hexdigest()[:10]

    def block(self, block: _Block, following: _Block | None) -> None:
        if block.kind == "gap":
            if self.pending and self.pending[-1] != OMISSION:
                self.pending.append(OMISSION)  # headings stay with what follows, the gap marked
        elif block.kind == "end":
            self.end_of_headings(block.level)
        elif _is_label_of_list(block, following):
            self.pending.append(block.text)  # "Research interests:" belongs to the list below it
        elif block.kind == "heading":
            self.heading(block)
        elif self._ends_card(block, following):
            self._join_last(block.text)
        elif _is_caption(block) or self._is_card_line(block, following):
            self.caption(block)
        else:
            self.previous_caption = None
            self._flush_long_pending(keep_last=True)
            first = True
            for piece in _pieces(block):
                text = piece.text
                if first and not self.pending and not piece.is_list and self._adds_to_record(text):
                    continue  # the next short line of a record: one passage with its title
                titled = first and bool(self.pending) and word_count(" ".join(self.pending)) <= MAX_HEADING_PREFIX_WORDS
                if titled:
                    text = "\n".join(self.pending + [text])
                first = False
                self.add(text, piece.is_list, piece.in_bibliography)
                # a passage that opens with its heading may be a record (a paper under its title)
                self.record = (list(self.stack), len(self.out)) if titled and not piece.is_list else None
            self.pending = []
        if block.kind != "text":
            self.record = None

    def _adds_to_record(self, text: str) -> bool:
        """A short line right under the short passage of the same section (a paper's authors, then its
        journal and year, under its title): it joins that passage, so the record is quoted whole."""
        if self.record is None or self.record != (self.stack, len(self.out)) or not self.out:
            return False
        last = self.out[-1]
        if last.is_list or word_count(text) > RECORD_LINE_WORDS or word_count(last.text) > RECORD_WORDS:
            return False
        if not self.stack or word_count(self.stack[-1][1]) < RECORD_TITLE_WORDS:
            return False  # under a short heading ("Members", a name) short lines are items of their own
        self._join_last(text)
        return True

    def _join_last(self, line: str) -> None:
        """A line that belongs to the passage added last: a record's next line, a card's role."""
        self.out[-1] = replace(self.out[-1], text=self.out[-1].text + "\n" + line)

    def heading(self, block: _Block) -> None:
        if block.level == 1 and block.text == self.doc.title:
            self._keep_lone_caption()
        self._close_captioned(block.level)
        names = [t for t in self.pending if t != OMISSION]
        bare = not self.captions.intersection(names)  # names with a role line under each are cards
        if len(names) > 2 and bare and self.stack and block.level <= self.stack[0][0] < 7:
            # headings with no text under them (a team's names, one <h6> each) that a new section
            # closes: a list of their own, under the section they stand in
            while self.pending[-1] == OMISSION:
                self.pending.pop()
            section = self.stack
            self.stack = [e for e in section if e[1] not in names[1:]]
            self.add("\n".join(self.pending), True, False)
            self.stack, self.pending = section, []
        stack = self.stack
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        stack.append((block.level, block.text, block.anchor))
        self.run_parent = self.previous_caption = None
        if block.level == 1 and block.text == self.doc.title:
            self.pending = []  # the page title is indexed as the title; quoting it on top adds nothing
        else:
            self.pending.append(block.text)

    def end_of_headings(self, level: int) -> None:
        """The box that held headings from ``level`` on is closed: the text after it belongs to the
        section around the box."""
        self._close_captioned(level)
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.run_parent = self.previous_caption = None

    def _close_captioned(self, level: int) -> None:
        """Short lines under a heading that a heading of higher rank then closes ("Teilnahme am Modul X"
        under "Voraussetzungen", before the next module's title) are what that section says: a passage
        of their own, not a prefix of the next section's first one."""
        lines = [t for t in self.pending if t != OMISSION]
        heads = [e for e in self.stack if e[0] <= 6]
        if not self.captions.intersection(lines) or not heads or level >= heads[-1][0]:
            return
        while self.pending[-1] == OMISSION:
            self.pending.pop()
        section = self.stack
        self.stack = heads
        self.add("\n".join(self.pending), False, False)
        self.stack, self.pending = section, []

    def _is_card_line(self, block: _Block, following: _Block | None) -> bool:
        """The one short line under a heading that the next heading of its rank (or the page's end) follows, as a
        card's affiliation ('Royal Academy of Sciences (KNAW)') stands under a name: the name's
        caption, even where its brackets or commas would not make it a heading of its own."""
        top = self.stack[-1] if self.stack else None
        return (
            top is not None
            and top[0] <= 6
            and (following is None or (following.kind == "heading" and following.level <= top[0]))
            and bool(self.pending)
            and self.pending[-1] == top[1]
            and block.kind == "text"
            and "\n" not in block.text
            and not block.in_bibliography
            and 0 < word_count(block.text) <= 12
            and block.text[-1] not in ".!?:;"
            and not block.text[0].islower()
        )

    def _ends_card(self, block: _Block, following: _Block | None) -> bool:
        """A line that reads as a heading, after the short passage under a heading and right before the next
        heading of that rank: the card's last line (a name, "[ more ]", then the role), not the next card's
        title."""
        top = self.stack[-1] if self.stack else None
        return (
            top is not None
            and top[0] <= 6
            and following is not None
            and following.kind == "heading"
            and following.level <= top[0]
            and not self.pending
            and self.record == (self.stack, len(self.out))
            and bool(self.out)
            and word_count(self.out[-1].text) <= RECORD_WORDS
            and _is_caption(block)
        )

    def _keep_lone_caption(self) -> None:
        """A short line with nothing under it before the page's title (a sidebar's office hours or
        room) is text of its own, not a heading of the page."""
        caption = self.previous_caption
        if caption is None or caption[1] not in self.pending:
            return
        self.stack = [e for e in self.stack if e != caption]
        self.add(caption[1], False, False)
        self.pending = []

    def caption(self, block: _Block) -> None:
        """A short line standing alone above a paragraph reads as its heading; one that stands
        right above another such line heads the run that follows."""
        parent = [e for e in self.stack if e[0] <= 6]
        if self.run_parent is not None:
            parent.append(self.run_parent)
        if self.previous_caption is not None and self.previous_caption == (self.stack[-1] if self.stack else None):
            self.run_parent = self.previous_caption
            parent = list(self.stack)
        level = (parent[-1][0] + 1) if parent and parent[-1][0] >= 7 else 7
        self.stack = parent + [(level, block.text, "")]
        self.previous_caption = self.stack[-1]
        self.pending.append(block.text)
        self.captions.add(block.text)

    def _flush_long_pending(self, keep_last: bool) -> None:
        """Headings and captions that pile up with no text under them (a team page of cards, each
        a name heading and a role line) are too many to head the next passage: they become list
        passages of their own, a new one at each line with no caption under it once the run holds
        captioned names ('Alumni' after the current members), so a name keeps its role."""
        lines = [line for line in self.pending if line != OMISSION]
        if word_count(" ".join(lines)) <= MAX_HEADING_PREFIX_WORDS:
            return
        kept: list[str] = []
        if keep_last:  # the heading right above the coming text stays with it
            cut = len(lines) - 1
            while cut > 0 and lines[cut] in self.captions:
                cut -= 1
            lines, kept = lines[:cut], lines[cut:]
        runs: list[list[str]] = [[]]
        for item in _grouped(lines, self.captions):
            run = runs[-1]
            captioned = any(len(i) > 1 for i in _grouped(run, self.captions))
            too_long = word_count(" ".join(run + item)) > MAX_LIST_WORDS
            if run and ((len(item) == 1 and captioned) or too_long):
                runs.append([])
            runs[-1].extend(item)
        section = self.stack
        for run in runs:
            if run:  # under the headings above the whole pile, not the last card's name
                self.stack = [e for e in section if e[1] not in self.pending]
                self.add("\n".join(run), len(run) > 2, False)
        self.stack, self.pending = section, kept

    def add(self, text: str, is_list: bool, in_bib: bool) -> None:
        doc, stack = self.doc, self.stack
        # the page's <h1> is its title, shown beside the heading anyway
        headings = [t for lvl, t, a in stack if not (lvl == 1 and (t == doc.title or len(stack) > 1))]
        # a caption has none: its heading's; the page title's is the page itself
        anchor = next((a for lvl, t, a in reversed(stack) if a and not (lvl == 1 and t == doc.title)), "")
        line = _source_line(doc, text.split("\n")[-1] if self.pending else text, self.line_cache)
        kind = doc.kind
        if in_bib:
            kind = "publication"
        elif line is None and doc.kind in ("page", "post"):
            kind = "data"  # rendered from _data or a layout, not written in the page itself
        # headings above the two shown (a page's sections under "Courses in the summer term") say what
        # the passage is about as well
        above = [t for lvl, t, a in stack[: max(0, len(stack) - 2)] if not (lvl == 1 and t == doc.title)]
        context = " ".join([self.context, *above]).strip()[:MAX_CONTEXT_CHARS] if above else self.context
        lang = self.page_lang
        if doc.mixed_languages and word_count(text) >= 12:
            lang = detect_language(text, default=self.page_lang)
        self.out.append(
            Passage(
                id=f"{self.digest}-{len(self.out)}",
                text=text,
                title=doc.title,
                heading=" › ".join(headings[-2:]),
                url=doc.url + ("#" + anchor if anchor else ""),
                source=doc.source,
                line=line,
                lang=lang,
                kind=kind,
                is_list=is_list,
                page_url=doc.url,
                context=context,
                translations=doc.translations,
            )
        )

    def outlines(self, blocks: list[_Block]) -> None:
        """A heading that announces its sub-sections ("The chair works on four core topics:"), each a heading
        over text of its own, also gets a passage of its line and their headings, with omissions for the
        text between: "Which topics …?" is answered by the names, which stand in no paragraph."""
        stack: list[Heading] = []
        for i, block in enumerate(blocks):
            if block.kind != "heading":
                continue
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text, block.anchor))
            lines = _outline(blocks, i) if block.text.rstrip().endswith(":") else []
            if lines:
                self.stack, self.pending = list(stack), []
                self.add("\n".join(lines), True, False)

    def finish(self) -> list[Passage]:
        self._flush_long_pending(keep_last=False)
        pending = self.pending
        while pending and pending[-1] == OMISSION:
            pending.pop()
        if pending and word_count(" ".join(pending)) <= MAX_HEADING_PREFIX_WORDS:
            self.add("\n".join(pending), len(pending) > 2, False)
        return self.out


def _outline(blocks: list[_Block], at: int) -> list[str]:
    """The heading at ``at`` and the headings of its sub-sections, "…" where text stands between; empty
    unless at least two sub-sections have text under them."""
    top = blocks[at].level
    children: list[int] = []
    level = None
    for j in range(at + 1, len(blocks)):
        b = blocks[j]
        if b.kind in ("end", "heading") and b.level <= top:
            break
        if b.kind == "heading" and (level is None or b.level < level):
            level = b.level
            children = [j]
        elif b.kind == "heading" and b.level == level:
            children.append(j)
    with_text = [k for k in children if k + 1 < len(blocks) and blocks[k + 1].kind in ("text", "list")]
    if not MIN_OUTLINE <= len(children) <= MAX_OUTLINE or len(with_text) < MIN_OUTLINE:
        return []
    lines = [blocks[at].text]
    last = at
    for k in children:
        if k > last + 1:
            lines.append(OMISSION)
        lines.append(blocks[k].text)
        last = k
    return lines


def _grouped(lines: list[str], captions: set[str]) -> list[list[str]]:
    """Lines as items: a heading line with the caption lines under it."""
    items: list[list[str]] = []
    for line in lines:
        if line in captions and items:
            items[-1].append(line)
        else:
            items.append([line])
    return items


def passages_from_documents(documents: Iterable[Document]) -> list[Passage]:
    out: list[Passage] = []
    for doc in documents:
        out.extend(passages_from_document(doc))
    return out
