"""Pinned answers: questions an editor ties to a section of the site, answered by that section first.

Editors list them in the site's ``_data/assistant.yml`` (beside ``suggestions`` and ``contact``)::

    pins:
      - page: contact.md            # the page's source file, or its URL path (/contact/)
        section: office-hours       # the anchor of the section's heading; left out: the page's top
        questions:
          en: [When is the office open?]
          de: [Wann ist das Sekretariat geöffnet?]

When the site is indexed, each pin is resolved to the passages of that section (a pin to a page
or anchor that does not exist is a problem with the file and line, so ``assistant index
--strict`` fails), and the passages are kept in the manifest. When serving, a question that says
what one of the pin's phrasings says, in either language (the glossary's translations and the
site's spellings count, question words do not), gets that section first, quoted verbatim and
whole: the promise an editor makes with a pin never rests on free text.

This module is the only place that knows pins; the answer stage calls :func:`pinned_first`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .documents import Answer, Best, Hit, Passage, Problem, Quote
from .wording import closeness, words

if TYPE_CHECKING:
    from .analysis import Analyzer, ParsedQuery
    from .search_index import SearchIndex

KEY = "pins"
LANGS = ("en", "de")
# A question matches a phrasing when at least this share of the words of each is found in the other.
CLOSE_ENOUGH = 0.75
_PASSAGE_FIELDS = tuple(f for f in Passage.__dataclass_fields__ if f != "terms")


@dataclass
class PinSpec:
    """One pin as the editor wrote it, with where it stands."""

    page: str
    section: str
    questions: dict[str, list[str]]  # language -> phrasings
    line: int | None = None


@dataclass
class Pin:
    """A pin resolved to the passages of its section, as kept in the manifest and used when serving."""

    questions: dict[str, list[str]]
    passages: list[Passage] = field(default_factory=list)

    def to_meta(self) -> dict:
        return {
            "questions": self.questions,
            "passages": [{k: v for k, v in asdict(p).items() if k in _PASSAGE_FIELDS} for p in self.passages],
        }

    @classmethod
    def from_meta(cls, meta: dict) -> Pin:
        return cls(
            {str(k): [str(q) for q in v] for k, v in (meta.get("questions") or {}).items()},
            [Passage(**{k: p.get(k) for k in _PASSAGE_FIELDS if k in p}) for p in meta.get("passages") or []],
        )


# -- when the site is indexed -------------------------------------------------------------------


def read_specs(file: Path, rel: str) -> tuple[list[PinSpec], list[Problem]]:
    """The pins of a site's ``_data/assistant.yml`` (``rel`` is its path in the site), and what is malformed."""
    import yaml

    try:
        text = file.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError):
        return [], []  # the site reader reports a data file it cannot read
    except yaml.YAMLError:
        return [], []
    if not isinstance(root, yaml.MappingNode):
        return [], []
    node = next((v for k, v in root.value if getattr(k, "value", None) == KEY), None)
    if node is None:
        return [], []
    if not isinstance(node, yaml.SequenceNode):
        return [], [Problem(rel, "pins: give a list of pins (page, section, questions)", node.start_mark.line + 1)]
    specs, problems = [], []
    for item in node.value:
        line = item.start_mark.line + 1
        spec = _spec(yaml.safe_load(yaml.serialize(item)), line)
        if isinstance(spec, str):
            problems.append(Problem(rel, f"pins: {spec}", line))
        else:
            specs.append(spec)
    return specs, problems


def _spec(value: Any, line: int) -> PinSpec | str:
    """A pin, or what is wrong with it."""
    if not isinstance(value, dict) or not str(value.get("page") or "").strip():
        return "each pin needs page: (the page's source file or URL path), section: and questions:"
    questions = value.get("questions")
    groups = questions.items() if isinstance(questions, dict) else [("", questions)]
    out: dict[str, list[str]] = {}
    for lang, phrasings in groups:
        if (lang and lang not in LANGS) or not isinstance(phrasings, list) or not phrasings:
            return "questions: give a list of phrasings, or one list per language (en, de)"
        if not all(isinstance(q, str) and q.strip() for q in phrasings):
            return "questions: every phrasing must be a question as text"
        out[str(lang)] = [" ".join(q.split()) for q in phrasings]
    section = str(value.get("section") or "").strip().lstrip("#")
    return PinSpec(str(value["page"]).strip(), section, out, line)


def _path(url_or_path: str) -> str:
    """A page's URL path as the evaluation compares them: no host, no .html, no index.html, no slash."""
    path = urlsplit(url_or_path).path.lower()
    for suffix in ("index.html", ".html", "/"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path.strip("/")


class Collector:
    """Keeps, while a site is indexed, the passages of the pages that pins name."""

    def __init__(self, specs: list[PinSpec]) -> None:
        self.specs = specs
        self.passages: list[Passage] = []

    def __call__(self, passage: Passage) -> None:
        if any(self._on_page(spec, passage) for spec in self.specs):
            self.passages.append(passage)

    @staticmethod
    def _on_page(spec: PinSpec, passage: Passage) -> bool:
        page = spec.page.lstrip("/")
        return passage.source == page or _path(passage.page_url or passage.url) == _path(spec.page)

    def resolve(self, rel: str) -> tuple[list[Pin], list[Problem]]:
        """Each pin with its section's passages; a page or anchor that is not there is a problem at its line."""
        pins, problems = [], []
        for spec in self.specs:
            page = [p for p in self.passages if self._on_page(spec, p)]
            if not page:
                reason = f"pins: no page {spec.page!r} in the site (give its source file)"
                problems.append(Problem(rel, reason, spec.line))
                continue
            wanted = "#" + spec.section if spec.section else ""
            section = [p for p in page if (p.url[len(p.url.split("#", 1)[0]) :]) == wanted]
            if not section:
                anchors = sorted({p.url.split("#", 1)[1] for p in page if "#" in p.url})
                known = ", ".join(anchors[:12]) or "none"
                problems.append(
                    Problem(rel, f"pins: {spec.page} has no section #{spec.section} (its anchors: {known})", spec.line)
                )
                continue
            pins.append(Pin(spec.questions, section))
        return pins, problems


# -- when serving ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)  # once per opened index
def _pins(index: SearchIndex) -> tuple[Pin, ...]:
    meta = (index.manifest or {}).get("meta") or {}
    return tuple(Pin.from_meta(m) for m in meta.get(KEY) or [] if isinstance(m, dict))


@lru_cache(maxsize=4096)
def _phrasing_words(analyzer: Analyzer, phrasing: str, lang: str) -> tuple[frozenset[str], ...]:
    """The content words of an editor's phrasing, each as the set of terms it stands for."""
    return words(analyzer.parse_question(phrasing, lang or None))


def match(index: SearchIndex, analyzer: Analyzer, query: ParsedQuery) -> Pin | None:
    """The pin one of whose phrasings the question says (the closest one), or None."""
    pins = _pins(index)
    if not pins:
        return None
    asked = words(query)
    best, best_value = None, CLOSE_ENOUGH - 1e-9
    for pin in pins:
        for lang, phrasings in pin.questions.items():
            for phrasing in phrasings:
                value = closeness(asked, _phrasing_words(analyzer, phrasing, lang))
                if value > best_value:
                    best, best_value = pin, value
    return best


def pinned_first(index: SearchIndex, analyzer: Analyzer, query: ParsedQuery, answer: Answer, lead: str) -> Answer:
    """The answer with a matching pin's section first, quoted whole; the answer as it was when no pin matches."""
    pin = match(index, analyzer, query)
    if pin is None or not pin.passages:
        return answer
    first = pin.passages[0]
    text = "\n\n".join(p.text for p in pin.passages)
    quote = Quote(text, _highlights(analyzer, text, first.lang, query))
    hit = Hit(first, max([h.score for h in answer.hits], default=1.0), quote)  # first by its place, not its score
    same = {(p.page_url or p.url, p.heading) for p in pin.passages}
    rest = [h for h in answer.hits if (h.passage.page_url or h.passage.url, h.passage.heading) not in same]
    limit = max(len(answer.hits), 1)
    result = Answer(answer.question, answer.lang, False, lead, [hit, *rest][:limit])
    result.best = Best(0, (0, len(text)))
    return result


def _highlights(analyzer: Analyzer, text: str, lang: str, query: ParsedQuery) -> list[tuple[int, int]]:
    wanted = set(query.all_variants())
    spans = sorted((t.start, t.end) for t in analyzer.tokens(text, lang) if t.term in wanted)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
