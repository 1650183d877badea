"""jekyll-scholar's ``{% bibliography %}`` family of tags.

Publication lists on research sites are not in the page source: jekyll-scholar
builds them from ``_bibliography/*.bib`` when the site is generated.  To quote
them we rebuild them the same way: same files, same order, same per-entry
template, with LaTeX turned into the Unicode a reader sees.
"""

from __future__ import annotations

import fnmatch
import glob
import html
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path
from typing import Any, TextIO

import bibtexparser
from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware
from liquid.ast import Node
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from .site_files import OutsideSite, SiteFolder

__all__ = ["Bibliography", "BibEntry", "TAGS", "latex_to_text", "normalize_names"]

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_VERBATIM = frozenset({"url", "doi", "eprint", "file", "pdf", "isbn", "issn"})  # '~' and '%' are literal there
SKIP_FIELDS = ("abstract", "month_numeric")  # jekyll-scholar's default bibtex_skip_fields

_latex = None

_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_SYMBOLS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "&": "&",
    "%": "%",
    "_": "_",
    "#": "#",
    "$": "$",
    "{": "{",
    "}": "}",
}
_ACCENT = re.compile(
    r"\\([\"'`^~=.])\s*\{?\s*(\\?[A-Za-z])\}?|\\([uvHckr])\s*\{\s*(\\?[A-Za-z])\s*\}|\\([uvHckr])\s+([A-Za-z])"
)
_SYMBOL = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|[oOlLij])(?![A-Za-z])\s*|\\([&%_#${}])")
_MATH = re.compile(r"(?<!\\)\$((?:[^$\\]|\\.)*?)(?<!\\)\$")  # $...$, not an escaped \$
_GREEK_NAMES = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon "
    "phi chi psi omega"
).split()
_GREEK = {name: chr(0x3B1 + i + (i >= 17)) for i, name in enumerate(_GREEK_NAMES)}  # no final sigma
_GREEK.update({name.capitalize(): chr(0x391 + i + (i >= 17)) for i, name in enumerate(_GREEK_NAMES)})
_GREEK.update({"varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varsigma": "ς", "varrho": "ϱ"})
_GREEK_COMMAND = re.compile(r"\\([A-Za-z]+)")
_FORMAT = re.compile(r"\\(?:textit|textbf|emph|textsc|texttt|textrm|mathrm|url|text)\s*(?=\{)")


def _math(inner: str) -> str:
    """Inline math as jekyll-scholar shows it in a title: Greek letters as letters, the rest as written."""
    return _GREEK_COMMAND.sub(lambda m: _GREEK.get(m.group(1), m.group(0)), inner).replace("{", "").replace("}", "")


def latex_to_text(value: str, name: bool = False) -> str:
    """``Schl{\\"o}tterer`` -> ``Schlötterer``; ``{{Gut Microbiome}}`` -> ``Gut Microbiome``.

    The accents and symbols .bib files use are decoded here directly (fast);
    anything more exotic goes through pylatexenc. Inline math is shown as
    jekyll-scholar shows it: in a title ``$\\beta$`` is β; in a name (``name``)
    the dollars go and the rest stays as written. An accent on a dotless ``\\i``
    stays on the dotless letter.
    """
    if "\\" not in value and "{" not in value and "~" not in value and "$" not in value:
        return value
    kept: list[str] = []
    if "$" in value:

        def keep(match: re.Match[str]) -> str:
            kept.append(match.group(1) if name else _math(match.group(1)))
            return f"zqxmath{len(kept) - 1}qxz"  # letters only: the steps below leave them alone

        value = _MATH.sub(keep, value)

    def accent(match: re.Match[str]) -> str:
        mark, letter = (
            (match.group(1), match.group(2))
            if match.group(1)
            else ((match.group(3), match.group(4)) if match.group(3) else (match.group(5), match.group(6)))
        )
        base = {"\\i": "ı", "\\j": "ȷ"}.get(letter, letter)
        return unicodedata.normalize("NFC", base + _ACCENTS[mark])

    text = _ACCENT.sub(accent, value)
    text = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1) or m.group(2)], text)
    text = _FORMAT.sub("", text).replace("~", "\u00a0").replace("\\,", "\u2009")
    if "\\" in text or "$" in text:
        global _latex
        if _latex is None:
            from pylatexenc.latex2text import LatexNodes2Text

            _latex = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
        try:
            text = _latex.latex_to_text(text)
        except Exception:  # noqa: BLE001 - odd LaTeX must not lose the entry
            pass
    text = text.replace("{", "").replace("}", "")
    if kept:
        text = re.sub(r"zqxmath(\d+)qxz", lambda m: kept[int(m.group(1))], text)
    return re.sub(r"\s+", " ", text).strip()


def _split_top(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split at ``separator`` outside braces."""
    if "{" not in text:
        return [p.strip() for p in separator.split(text) if p.strip()]
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            match = separator.match(text, i)
            if match:
                parts.append(text[start:i])
                start = i = match.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_AND = re.compile(r"\s+and\s+", re.I)
_SPACE = re.compile(r"\s+")


def normalize_names(value: str) -> str:
    """Write every name as ``von Last, Jr, First``, as BibTeX-Ruby hands them to templates."""
    names = []
    for name in _split_top(value, _AND):
        if "," in name:
            names.append(", ".join(p.strip() for p in _split_top(name, re.compile(","))))
            continue
        words = _split_top(name, _SPACE)
        if len(words) < 2:
            names.append(name)
            continue
        last_start = len(words) - 1
        for i, word in enumerate(words[:-1]):
            if i > 0 and word[:1].islower():
                last_start = i
                break
        names.append(" ".join(words[last_start:]) + ", " + " ".join(words[:last_start]))
    return " and ".join(names)


def name_parts(value: str) -> list[dict[str, str]]:
    """Names written ``von Last, Jr, First`` as jekyll-scholar's ``author_array`` items.

    Templates loop over them to print each author (``{{ author.first }} {{ author.last }}``),
    so a list without them would lose every author.
    """
    people = []
    for name in _split_top(value, _AND):
        pieces = _split_top(name, re.compile(","))
        if len(pieces) >= 3:
            last, jr, first = pieces[0], pieces[1], ", ".join(pieces[2:])
        elif len(pieces) == 2:
            last, jr, first = pieces[0], "", pieces[1]
        else:
            last, jr, first = name, "", ""
        words = last.split()
        von = []
        while len(words) > 1 and words[0][:1].islower():
            von.append(words.pop(0))
        parts = {"first": first, "last": " ".join(words)}
        if von:
            parts["von"] = " ".join(von)
        if jr:
            parts["jr"] = jr
        people.append(parts)
    return people


@dataclass
class BibEntry:
    """One BibTeX entry: raw fields for ``entry.bibtex``, readable fields for templates."""

    key: str
    type: str
    raw: dict[str, str]
    fields: dict[str, str]
    source: str  # .bib file relative to the site root
    position: int  # order within the loaded files

    @property
    def bibtex(self) -> str:
        lines = [f"@{self.type}{{{self.key},"]
        items = [(k, v) for k, v in self.raw.items() if k not in SKIP_FIELDS]
        for i, (name, value) in enumerate(items):
            shown = value if value.lower() in MONTHS else "{" + value + "}"
            lines.append(f"  {name} = {shown}" + ("," if i < len(items) - 1 else ""))
        return "\n".join(lines) + "\n}\n"

    def liquid(self) -> dict[str, Any]:
        data: dict[str, Any] = {**self.fields, "key": self.key, "type": self.type, "bibtex": self.bibtex}
        for role in ("author", "editor"):
            if self.fields.get(role):
                people = name_parts(self.fields[role])
                data[f"{role}_array"] = people
                for i, parts in enumerate(people):
                    for part, value in parts.items():
                        data[f"{role}_{i}_{part}"] = value
        return data

    @property
    def year(self) -> str:
        return self.fields.get("year", "")

    @property
    def month(self) -> int:
        return _month_numeric(self.fields.get("month")) or 0


def _trailing_zeros(value: int) -> int:
    return (value & -value).bit_length() - 1


class _LeonardoSort:
    """A smoothsort over Leonardo heaps, step for step as musl's ``qsort_r``.

    Ruby's ``Array#sort`` hands its block to the C library's ``qsort_r`` where that has the GNU
    signature.  A Ruby linked against musl (the Alpine images Jekyll sites are often built in)
    therefore sorts with this heap sort, which does not keep tied entries in their input order:
    where they end up follows from the sequence of comparisons alone, so the same steps here put
    them in the same places.  (glibc's ``qsort_r`` is a merge sort and keeps them in file order.)

    The heaps lie side by side, largest first; ``shape`` is the bit set of the orders present,
    bit 0 standing for ``order``, the order of the smallest (rightmost) heap.
    """

    def __init__(self, items: Iterable[Any], cmp: Callable[[Any, Any], int]):
        self.items = list(items)
        self.cmp = cmp
        self.sizes = [1, 1]  # heap size by order: 1, 1, 3, 5, 9, 15, ... up to the first >= len(items)
        while self.sizes[-1] < len(self.items):
            self.sizes.append(self.sizes[-2] + self.sizes[-1] + 1)

    def sorted(self) -> list[Any]:
        if len(self.items) > 1:
            self._dismantle(*self._build())
        return self.items

    def _build(self) -> tuple[int, int, int]:
        """Add the items one by one to the row of heaps; the largest ends at the last root."""
        shape, order = 1, 1
        head, last = 0, len(self.items) - 1
        while head < last:
            if shape & 3 == 3:  # the two smallest heaps and the new root make one heap
                self._sift(head, order)
                shape >>= 2
                order += 2
            else:
                if self.sizes[order - 1] >= last - head:  # this heap is final: order its root among the roots
                    self._trinkle(head, shape, order, False)
                else:
                    self._sift(head, order)
                if order == 1:
                    shape <<= 1
                    order = 0
                else:
                    shape <<= order - 1
                    order = 1
            shape |= 1
            head += 1
        self._trinkle(head, shape, order, False)
        return head, shape, order

    def _dismantle(self, head: int, shape: int, order: int) -> None:
        """Take the roots off from the right, re-ordering the roots of the two heaps each leaves."""
        while order != 1 or shape != 1:
            if order <= 1:
                step = _trailing_zeros(shape - 1)
                shape >>= step
                order += step
            else:
                shape = ((shape << 2) ^ 7) >> 1
                order -= 2
                self._trinkle(head - self.sizes[order] - 1, shape, order + 1, True)
                shape = (shape << 1) | 1
                self._trinkle(head - 1, shape, order, True)
            head -= 1

    def _rotate(self, path: list[int]) -> None:
        """Each place on the path takes the next one's item, the last place the first one's."""
        items = self.items
        first = items[path[0]]
        for here, there in zip(path, path[1:], strict=False):
            items[here] = items[there]
        items[path[-1]] = first

    def _sift(self, head: int, order: int) -> None:
        """Let a heap's root sink below its larger children."""
        items, cmp = self.items, self.cmp
        path = [head]
        root = items[head]
        while order > 1:
            right = head - 1
            left = right - self.sizes[order - 2]
            if cmp(root, items[left]) >= 0 and cmp(root, items[right]) >= 0:
                break
            if cmp(items[left], items[right]) >= 0:
                head, order = left, order - 1
            else:
                head, order = right, order - 2
            path.append(head)
        self._rotate(path)

    def _trinkle(self, head: int, shape: int, order: int, trusty: bool) -> None:
        """Move a root leftwards along the roots of the heaps while theirs are larger, then sift it."""
        items, cmp = self.items, self.cmp
        path = [head]
        root = items[head]
        while shape != 1:
            stepson = head - self.sizes[order]
            if cmp(items[stepson], root) <= 0:
                break
            if not trusty and order > 1:
                right = head - 1
                left = right - self.sizes[order - 2]
                if cmp(items[right], items[stepson]) >= 0 or cmp(items[left], items[stepson]) >= 0:
                    break
            path.append(stepson)
            head = stepson
            step = _trailing_zeros(shape - 1)
            shape >>= step
            order += step
            trusty = False
        if not trusty:
            self._rotate(path)
            self._sift(head, order)


def _bibtex_value(entry: BibEntry, key: str) -> tuple[bool, int, str]:
    """The value BibTeX-Ruby compares for one sort key: (numeric?, number, text).

    jekyll-scholar sorts on ``entry[key]``, a field as written (``month`` becomes
    ``month_numeric``, the month's number when BibTeX-Ruby reads the field as a month; ``key``
    and ``type`` are fields too, seldom present); a missing field is an empty value, which is
    not numeric and so compares as the empty string.
    """
    if key == "month":
        month = _month_numeric(entry.fields.get("month"))
        return (False, 0, "") if month is None else (True, month, str(month))
    text = entry.raw.get(key)
    if text is None:
        return (False, 0, "")
    if re.fullmatch(r"\s*[+-]?\d+\s*", text):
        return (True, int(text), text)
    return (False, 0, text)


def _month_numeric(value: str | None) -> int | None:
    """BibTeX-Ruby's month number: a month name or its first three letters, or 1 to 12 (0 is December)."""
    if value is None:
        return None
    text = value.strip()
    if re.match(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", text, re.IGNORECASE):
        name = value[:3].lower()
    elif re.fullmatch(r"\d\d?", text):
        number = int(text)
        name = MONTHS[number - 1] if number <= len(MONTHS) else text
    else:
        return None
    return MONTHS.index(name) + 1 if name in MONTHS else None


def _compare_values(first: tuple[bool, int, str], second: tuple[bool, int, str]) -> int:
    """``BibTeX::Value#<=>``: as integers when both are numeric, else as strings."""
    if first[0] and second[0]:
        return (first[1] > second[1]) - (first[1] < second[1])
    return (first[2] > second[2]) - (first[2] < second[2])


class Bibliography:
    """The site's .bib files, parsed once, selected and rendered per tag."""

    def __init__(self, root: Path, config: dict | None = None):
        self.root = Path(root)
        self.folder = SiteFolder(self.root)
        scholar = dict((config or {}).get("scholar") or {})
        self.scholar = scholar
        self.source = self.root / self.folder.folder(scholar.get("source"), "_bibliography")[0]
        self.refused: list[str] = []  # files asked for that are outside the site, for the tag to report
        self.pattern = str(scholar.get("bibliography") or "references.bib")
        self._files: dict[Path, tuple[float, list[BibEntry]]] = {}
        self._templates: dict[str, Any] = {}
        self._cited: dict[int, list[str]] = {}

    def cited(self, page: object) -> list[str]:
        """Keys cited so far on one page (its content, then its layouts), in citation order.

        Kept per page object because a page's content is rendered in one pass and its
        layouts, where ``{% bibliography --cited %}`` usually stands, in a later one.
        """
        return self._cited.setdefault(id(page), [])

    # -- loading ----------------------------------------------------------

    def files(self, names: list[str] | None = None) -> list[Path]:
        """The .bib files named by ``--file`` options, else those the config's glob matches."""
        if names:
            out = []
            for name in names:
                path = self.source / name
                if not path.suffix and not path.exists():
                    path = path.with_suffix(".bib")
                if not self.folder.inside(path):
                    self.refused.append(name)
                    continue
                out.append(path)
            return out
        patterns = _expand_braces(self.pattern)
        found = []
        for path in sorted(self.source.rglob("*")) if self.source.is_dir() else []:
            rel = path.relative_to(self.source).as_posix()
            if path.is_file() and any(
                fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p.split("/")[-1]) for p in patterns
            ):
                found.append(path)
        return found

    def load(self, path: Path) -> list[BibEntry]:
        """Entries of one .bib file (cached until the file changes)."""
        if not path.is_file():
            return []
        mtime = path.stat().st_mtime
        cached = self._files.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            text = self.folder.read_text(path, errors="replace")
        except OutsideSite:  # a link in the bibliography folder to a file elsewhere
            self.refused.append(_relative(path, self.root))
            return []
        library = bibtexparser.parse_string(text)
        rel = _relative(path, self.root)
        entries = []
        blocks = [_read_repeated(b, library) for b in library.blocks]
        items = [b for b in blocks if isinstance(b, bibtexparser.model.Entry)]
        for position, item in enumerate(items):
            raw = {f.key.lower(): str(f.value) for f in item.fields}
            fields = {}
            for name, value in raw.items():
                text = value.strip("{}") if name in _VERBATIM else latex_to_text(value, name in ("author", "editor"))
                fields[name] = normalize_names(text) if name in ("author", "editor") else text
            entries.append(BibEntry(item.key, item.entry_type.lower(), raw, fields, rel, position))
        self._files[path] = (mtime, entries)
        return entries

    # -- selecting --------------------------------------------------------

    def select(self, options: TagOptions, cited: list[str] | None = None) -> list[BibEntry]:
        """Entries for one tag: loaded, filtered, de-duplicated, sorted and cut as jekyll-scholar does.

        ``--cited`` keeps the entries of ``cited`` (the page's citations); ``--cited_in_order``
        also keeps their citation order.
        """
        entries = _unique_keys(e for path in self.files(options.files) for e in self.load(path))
        if options.query:
            entries = [e for e in entries if _matches(e, options.query)]
        if options.cited or options.cited_in_order:
            wanted = list(dict.fromkeys(cited or []))
            if options.cited_in_order:
                by_key = {e.key: e for e in entries}
                entries = [by_key[k] for k in wanted if k in by_key]
            else:
                entries = [e for e in entries if e.key in wanted]
        if options.remove_duplicates:
            # BibTeX-Ruby's uniq!: same type, year and title (as written) is one entry.
            seen: set[tuple[str, ...]] = set()
            unique = []
            for entry in entries:
                mark = (entry.type, entry.raw.get("year", ""), entry.raw.get("title", ""))
                if mark in seen:
                    continue
                seen.add(mark)
                unique.append(entry)
            entries = unique
        if not options.cited_in_order:
            entries = self.sort(entries)
        if options.offset:
            entries = entries[options.offset :]
        if options.max is not None:
            entries = entries[: options.max]
        return entries

    def sort(self, entries: list[BibEntry]) -> list[BibEntry]:
        """jekyll-scholar's sort: Ruby's ``Array#sort`` with a block comparing key after key.

        Each key compares two ``BibTeX::Value`` objects (``v2 <=> v1`` where its order is
        descending or reverse), the first non-zero result decides.  Entries that tie on every
        key come out in the order of the sort algorithm, not in file order (see
        ``_LeonardoSort``).
        """
        keys = [k.strip() for k in str(self.scholar.get("sort_by") or "none").split(",") if k.strip()]
        if not keys or keys == ["none"]:
            return list(entries)
        orders = [o.strip() for o in str(self.scholar.get("order") or "ascending").split(",")]
        descending = [
            (orders[i] if i < len(orders) else orders[-1]).lower().startswith(("desc", "rev")) for i in range(len(keys))
        ]
        values = {id(e): [_bibtex_value(e, key) for key in keys] for e in entries}

        def compare(first: BibEntry, second: BibEntry) -> int:
            for one, two, down in zip(values[id(first)], values[id(second)], descending, strict=True):
                result = _compare_values(two, one) if down else _compare_values(one, two)
                if result:
                    return result
            return 0

        return _LeonardoSort(entries, compare).sorted()

    # -- rendering --------------------------------------------------------

    def render(self, env: Any, context: Any, options: TagOptions, cited: list[str] | None = None) -> str:
        entries = self.select(options, cited)
        group_by = (options.group_by or str(self.scholar.get("group_by") or "none")).lower()
        if group_by == "none" or not entries:
            return self._list(env, context, entries)
        groups: dict[str, list[BibEntry]] = {}
        for entry in entries:
            groups.setdefault(entry.fields.get(group_by.split(",")[0], ""), []).append(entry)
        order = (options.group_order or str(self.scholar.get("group_order") or "ascending")).lower()
        names = sorted(groups, key=lambda n: (0, int(n)) if n.isdigit() else (1, n), reverse=order.startswith("desc"))
        out = []
        for name in names:
            out.append(f'<h2 class="bibliography">{html.escape(name)}</h2>\n')
            out.append(self._list(env, context, groups[name]))
        return "".join(out)

    def _list(self, env: Any, context: Any, entries: list[BibEntry]) -> str:
        items = "".join(f"<li>{self.render_entry(env, context, e, i)}</li>\n" for i, e in enumerate(entries, 1))
        return f'<ol class="bibliography">{items}</ol>\n'

    def render_entry(self, env: Any, context: Any, entry: BibEntry, index: int = 1) -> str:
        """One entry through the site's ``bibliography_template``, or a plain reference."""
        template = self._template(env)
        reference = self.reference(entry)
        if template is None:
            return reference
        data = {
            "entry": entry.liquid(),
            "reference": reference,
            "key": entry.key,
            "type": entry.type,
            "links": self.links(entry, env),
            "index": index,
        }
        buffer = StringIO()
        with context.extend(data, template=template):
            template.render_with_context(context, buffer, partial=True)
        return buffer.getvalue()

    def reference(self, entry: BibEntry) -> str:
        """``Authors. Title. Venue. Year.`` as a span, like a citation style would print it."""
        names = entry.fields.get("author") or entry.fields.get("editor") or ""
        people = []
        for name in _split_top(names, _AND):
            last, _, first = name.partition(", ")
            people.append(f"{first} {last}".strip())
        authors = (
            ", ".join(people[:-1]) + (", and " if len(people) > 2 else " and ") + people[-1]
            if len(people) > 1
            else "".join(people)
        )
        venue = next(
            (
                entry.fields[k]
                for k in ("journal", "booktitle", "school", "institution", "publisher")
                if entry.fields.get(k)
            ),
            "",
        )
        parts = [p.rstrip(".") for p in (authors, entry.fields.get("title", ""), venue, entry.year) if p]
        return f'<span id="{html.escape(entry.key)}">{html.escape(". ".join(parts))}.</span>'

    def links(self, entry: BibEntry, env: Any) -> dict[str, str]:
        """Files named after the entry key in the scholar ``repository`` folder."""
        repository = self.scholar.get("repository")
        if not repository:
            return {}
        folder = self.root / str(repository).strip("/")
        if not self.folder.is_dir(folder):
            return {}
        base = str(env.jekyll.config.get("baseurl") or "").rstrip("/")
        return {
            p.suffix.lstrip("."): f"{base}/{str(repository).strip('/')}/{p.name}" for p in folder.glob(f"{entry.key}.*")
        }

    def _template(self, env: Any) -> Any:
        name = str(self.scholar.get("bibliography_template") or "")
        if not name:
            return None
        if name not in self._templates:
            layout = self._layout_file(env, name)
            if layout is not None:
                text = self.folder.read_text(layout, errors="replace")
                text = re.sub(r"\A---\s*\n.*?\n?---\s*\n", "", text, count=1, flags=re.S)
                self._templates[name] = env.from_string(text, path=_relative(layout, self.root))
            elif "{{" in name or "{%" in name:
                self._templates[name] = env.from_string(name)
            else:
                self._templates[name] = None
        return self._templates[name]

    def _layout_file(self, env: Any, name: str) -> Path | None:
        """The layout Jekyll knows as ``name``: any extension (.html, .liquid, ...), .html first."""
        layouts_dir = self.folder.folder(env.jekyll.config.get("layouts_dir"), "_layouts")[0]
        folder = self.root / layouts_dir
        candidates = [folder / f"{name}.html"] + [
            c for c in sorted(folder.glob(f"{glob.escape(name)}.*")) if c.stem == name
        ]
        return next((c for c in candidates if self.folder.is_file(c) and not c.name.endswith("~")), None)

    def find(self, key: str) -> BibEntry | None:
        for path in self.files():
            for entry in self.load(path):
                if entry.key == key:
                    return entry
        return None


def _read_repeated(block: Any, library: Any) -> Any:
    """A block, or the entry inside a block refused for a key seen before in the file.

    bibtexparser keeps such an entry as it was lexed, its values still in braces or quotes
    and its @string names unresolved; BibTeX-Ruby reads it like any other entry (and gives it
    a new key, see ``_unique_keys``), so it gets the same treatment here.
    """
    entry = getattr(block, "ignore_error_block", None)
    if not isinstance(entry, bibtexparser.model.Entry):
        return block
    alone = bibtexparser.Library([*library.strings, entry])
    for middleware in (ResolveStringReferencesMiddleware(), RemoveEnclosingMiddleware()):
        alone = middleware.transform(alone)
    return alone.entries[0] if alone.entries else entry


def _unique_keys(entries: Iterable[BibEntry]) -> list[BibEntry]:
    """Rename repeated keys the way BibTeX-Ruby does (``key`` -> ``kez``), so no entry is lost."""
    seen: set[str] = set()
    out = []
    for entry in entries:
        key = entry.key
        while key in seen:
            key = ruby_succ(key)
        seen.add(key)
        out.append(entry if key == entry.key else replace(entry, key=key))
    return out


def ruby_succ(text: str) -> str:
    """Ruby's String#succ for the letters and digits of a key."""
    chars = list(text)
    i = len(chars) - 1
    while i >= 0 and not chars[i].isalnum():
        i -= 1
    if i < 0:
        return text + "1"
    while i >= 0:
        char = chars[i]
        if char == "z":
            chars[i] = "a"
        elif char == "Z":
            chars[i] = "A"
        elif char == "9":
            chars[i] = "0"
        elif char.isalnum() and char.isascii():
            chars[i] = chr(ord(char) + 1)
            return "".join(chars)
        else:
            return "".join(chars)
        j = i - 1
        while j >= 0 and not (chars[j].isascii() and chars[j].isalnum()):
            j -= 1
        if j < 0:
            chars.insert(i, {"a": "a", "A": "A", "0": "1"}[chars[i]])
            return "".join(chars)
        i = j
    return "".join(chars)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _expand_braces(pattern: str) -> list[str]:
    """``**/*.bib{,tex}`` -> ``**/*.bib``, ``**/*.bibtex`` (fnmatch has no braces)."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if not match:
        return [pattern.replace("**/", "")] + [pattern]
    return [
        expanded
        for option in match.group(1).split(",")
        for expanded in _expand_braces(pattern[: match.start()] + option + pattern[match.end() :])
    ]


_QUERY = re.compile(r"@(\w+|\*)?\s*(?:\[(.*)\])?")
_CONDITION = re.compile(r"\s*(\w+)\s*(!=|\^=|~=|<=|>=|=|<|>)\s*(.+?)\s*$")


def _matches(entry: BibEntry, query: str) -> bool:
    """A best-effort subset of BibTeX-Ruby's query syntax: ``@type[field=value, ...]``."""
    match = _QUERY.match(query.strip())
    if not match:
        return True
    kind, conditions = match.groups()
    if kind and kind != "*" and entry.type != kind.lower():
        return False
    for condition in _split_top(conditions or "", re.compile(r",|\s+and\s+")):
        parsed = _CONDITION.match(condition)
        if not parsed:
            if entry.fields.get(condition.strip()) is None:
                return False
            continue
        name, op, want = parsed.groups()
        want = want.strip("'\"")
        have = entry.key if name == "key" else entry.fields.get(name, "")
        numeric = have.isdigit() and want.isdigit()
        a, b = (int(have), int(want)) if numeric else (0, 0)
        ok = {
            "=": a == b if numeric else have == want,
            "!=": a != b if numeric else have != want,
            "^=": str(have).startswith(want),
            "~=": want.lower() in str(have).lower(),
            "<": numeric and a < b,
            ">": numeric and a > b,
            "<=": numeric and a <= b,
            ">=": numeric and a >= b,
        }[op]
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------
# Tags


@dataclass
class TagOptions:
    files: list[str] = field(default_factory=list)
    query: str = ""
    max: int | None = None
    offset: int = 0
    group_by: str = ""
    group_order: str = ""
    remove_duplicates: bool = False
    cited: bool = False
    cited_in_order: bool = False
    rest: list[str] = field(default_factory=list)


_WITH_VALUE = {
    "-f": "files",
    "--file": "files",
    "-q": "query",
    "--query": "query",
    "-m": "max",
    "--max": "max",
    "-o": "offset",
    "--offset": "offset",
    "-g": "group_by",
    "--group_by": "group_by",
    "-G": "group_order",
    "--group_order": "group_order",
    "-s": None,
    "--style": None,
    "-T": None,
    "--template": None,
    "-p": None,
    "--prefix": None,
    "-L": None,
    "--locator": None,
    "-l": None,
    "--label": None,
    "-t": None,
    "--type": None,
}


def parse_options(markup: str) -> TagOptions:
    """Read jekyll-scholar's command-line style tag options."""
    try:
        words = shlex.split(markup)
    except ValueError:
        words = markup.split()
    options = TagOptions()
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, inline = word.partition("=")
        if name in _WITH_VALUE:
            value = inline if eq else (words[i + 1] if i + 1 < len(words) else "")
            i += 1 if eq else 2
            target = _WITH_VALUE[name]
            if target == "files":
                options.files.append(value)
            elif target in ("max", "offset"):
                setattr(options, target, int(value) if value.lstrip("-").isdigit() else getattr(options, target))
            elif target:
                setattr(options, target, value)
            continue
        if name in ("-r", "--remove_duplicates"):
            options.remove_duplicates = True
            if i + 1 < len(words) and not words[i + 1].startswith("-"):
                i += 1
        elif name in ("-c", "--cited"):
            options.cited = True
        elif name in ("-C", "--cited_in_order"):
            options.cited_in_order = True
        elif name in ("-A", "--suppress_author"):
            pass
        else:
            options.rest.append(word)
        i += 1
    return options


class _ScholarNode(Node):
    __slots__ = ("markup", "kind")

    def __init__(self, token: Token, markup: str, kind: str):
        super().__init__(token)
        self.markup = markup
        self.kind = kind
        self.blank = False

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        bib: Bibliography = context.env.jekyll.bibliography
        try:
            return self._render(context, buffer)
        finally:
            line = self.token.source.count("\n", 0, max(self.token.start_index, 0)) + 1
            for name in bib.refused:
                context.env.jekyll._refuse(line, f"bibliography file {name} is outside the site; not read")
            bib.refused.clear()

    def _render(self, context: Any, buffer: TextIO) -> int:
        jekyll = context.env.jekyll
        markup = self.markup
        if "{{" in markup or "{%" in markup:
            markup = jekyll._render_snippet(markup, context)
        bib: Bibliography = jekyll.bibliography
        cited = bib.cited(context.globals.get("page"))
        if self.kind == "bibliography":
            options = parse_options(markup)
            out = bib.render(context.env, context, options, cited)
            if options.cited or options.cited_in_order:
                cited.clear()  # as jekyll-scholar does: the next list starts afresh
            return buffer.write(out)
        if self.kind == "bibliography_count":
            return buffer.write(str(len(bib.select(parse_options(markup), cited))))
        keys = [k for k in re.split(r"[\s,]+", markup.strip()) if k and not k.startswith("-")]
        if self.kind == "cite":
            cited.extend(k for k in keys if k not in cited)
        parts = []
        for key in keys[: 1 if self.kind in ("reference", "cite_details") else None]:
            entry = bib.find(key)
            if entry is None:
                jekyll._note(None, f"bibliography entry not found: {key}")
                parts.append(f"({html.escape(key)})")
            elif self.kind == "cite":
                last = (entry.fields.get("author") or entry.fields.get("editor") or "").split(",")[0]
                parts.append(f'<a href="#{html.escape(key)}">({html.escape(last)} {html.escape(entry.year)})</a>')
            else:
                parts.append(bib.reference(entry))
        return buffer.write(" ".join(parts))


def _scholar_tag(tag_name: str) -> type[Tag]:
    class ScholarTag(Tag):
        name = tag_name
        block = False

        def parse(self, stream: TokenStream) -> Node:
            token = stream.current
            markup = ""
            if stream.peek.kind == TOKEN_EXPRESSION:
                next(stream)
                markup = stream.current.value
            return _ScholarNode(token, markup, tag_name)

    ScholarTag.__name__ = f"{tag_name.title().replace('_', '')}Tag"
    return ScholarTag


class _QuoteNode(Node):
    __slots__ = ("body", "markup")

    def __init__(self, token: Token, markup: str, body: Node):
        super().__init__(token)
        self.markup = markup
        self.body = body
        self.blank = False

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        inner = StringIO()
        self.body.render(context, inner)
        text = inner.getvalue().strip().replace("\n\n", "</p><p>").replace("\n", "<br/>")
        cite = StringIO()
        _ScholarNode(self.token, self.markup, "cite").render_to_output(context, cite)
        return buffer.write(f"<blockquote><p>{text}</p><cite>{cite.getvalue()}</cite></blockquote>")

    def children(self, static_context: Any, *, include_partials: bool = True) -> Iterable[Node]:
        yield self.body


class _QuoteTag(Tag):
    """``{% quote key %}text{% endquote %}``: a block quote with its citation, which counts as cited."""

    name = "quote"
    end = "endquote"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        markup = ""
        if stream.current.kind == TOKEN_EXPRESSION:
            markup = stream.current.value
            next(stream)
        body = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return _QuoteNode(token, markup, body)


TAGS = [_scholar_tag(name) for name in ("bibliography", "bibliography_count", "cite", "reference")] + [_QuoteTag]
