"""Question -> ranked passages with verbatim quotes, or an honest "the site does not say".

The index ranks passages with BM25. This stage decides what a visitor sees:
one passage per section, the best one to three sentences of each (a list
stays whole), the matched words highlighted, a link that opens the page where
the quote stands, and abstention when the best passage covers too little of
what was asked.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from pathlib import Path

from .analysis import Analyzer, ParsedQuery, QueryTerm, detect_language
from .documents import Answer, Hit, Passage, Quote
from .passages import DESCRIPTION_SUFFIX, split_sentences, word_count
from .search_index import SearchIndex

SCOPE = Path(__file__).with_name("scope.yml")
CANDIDATES = 30  # passages fetched from the index and reranked by how much of the question they cover
OWN_CANDIDATES = 10  # more candidates, found by the question's own words without synonyms ...
TEXT_FIELDS = ("body", "exact")  # ... in the passages' own text
RESULTS = 5
MIN_RELATIVE_SCORE = 0.2  # passages scoring below this share of the best are left out
MIN_RELATIVE_COVERAGE = 0.5
MAX_PER_PAGE = 2  # a page's best passages, then other pages, before more of the same page
MIN_COVERAGE = 0.4  # share of the question's weight one passage must match, else abstain
HISTORY_WEIGHT = 0.5  # weight of terms carried over from the previous question
CONTEXT_PAGES = 2  # a follow-up prefers the pages that answered the previous question ...
CONTEXT_BOOST = 1.5  # ... by this factor
ANSWER_TYPE_BOOST = 1.2  # a passage shaped like the answer asked for (a date for "when")
COVERAGE_POWER = 2  # how strongly covering more of the question outranks a higher BM25 score
MAX_QUOTE_SENTENCES = 3
SHORT_PASSAGE_WORDS = 60  # shorter passages are quoted whole
SHORT_REFERENCE_WORDS = 120  # a reference is quoted whole unless its author list is very long

MESSAGES = {
    "en": {
        "lead": "Here is what the website says:",
        "abstain": "I could not find an answer to that on this website. "
        "Try asking with other words, or contact the institute directly.",
    },
    "de": {
        "lead": "Das steht dazu auf der Website:",
        "abstain": "Dazu habe ich auf dieser Website keine Antwort gefunden. "
        "Versuchen Sie es mit anderen Worten, oder wenden Sie sich direkt an das Institut.",
    },
}

# Words that point back to something named in an earlier question.
ANAPHORA = {
    "en": {
        "it",
        "its",
        "they",
        "them",
        "their",
        "theirs",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "his",
        "her",
        "him",
        "there",
        "same",
        "group's",
        "project's",
    },
    "de": {
        "es",
        "sie",
        "ihr",
        "ihre",
        "ihren",
        "ihrem",
        "ihrer",
        "ihres",
        "deren",
        "dessen",
        "er",
        "ihn",
        "ihm",
        "sein",
        "seine",
        "seinen",
        "seinem",
        "seiner",
        "dort",
        "dies",
        "diese",
        "dieser",
        "dieses",
        "diesem",
        "diesen",
        "denen",
        "dafür",
        "daran",
        "darin",
        "davon",
        "dazu",
    },
}
_WORDS = re.compile(r"[\w'’]+", re.UNICODE)

# Words that frame a question rather than name its subject ("what does X stand for",
# "wie lautet X"). They count little when judging whether a passage answers.
FRAME_WORDS = {
    "stand",
    "stands",
    "sit",
    "sits",
    "sitting",
    "seated",
    "belong",
    "belongs",
    "mean",
    "means",
    "meaning",
    "called",
    "name",
    "named",
    "list",
    "listed",
    "lists",
    "tell",
    "know",
    "find",
    "give",
    "show",
    "describe",
    "explain",
    "say",
    "says",
    "said",
    "mentioned",
    "currently",
    "current",
    "exactly",
    "please",
    "anything",
    "something",
    "kind",
    "sort",
    "type",
    "steht",
    "stehen",
    "bedeutet",
    "bedeuten",
    "heißt",
    "heisst",
    "lautet",
    "lauten",
    "gibt",
    "nennen",
    "genannt",
    "sagen",
    "sagt",
    "zeigen",
    "erklären",
    "erklaeren",
    "beschreiben",
    "aktuell",
    "derzeit",
    "momentan",
    "genau",
    "bitte",
    "angegeben",
    "aufgeführt",
    "aufgefuehrt",
    "erwähnt",
    "erwaehnt",
    "abkürzung",
    "abkuerzung",
    "abkurzung",
    "abbreviation",
    "acronym",
    "wofür",
    "wofur",
    "wofuer",
    "womit",
    "worum",
    "woran",
    "worüber",
    "worueber",
    "geht",
    "gehen",
    "gehört",
    "gehoert",
    "gehören",
    "gehoeren",
    "frau",
    "herr",
    "herrn",
    "mr",
    "mrs",
    "ms",
    "like",
    "also",
    "auch",
    "look",
    "looks",
    "looking",
    "deal",
    "deals",
    "dealing",
    "beschäftigt",
    "beschaeftigt",
    "beschäftigen",
    "befasst",
    "befassen",
    "kümmert",
    "kuemmert",
}
FRAME_WEIGHT = 0.25
GERMAN_LOWERCASE_WEIGHT = 0.3
CORRECTED_CREDIT = 0.6  # a match through a corrected spelling is less sure than the word as typed
ENTITY_WEIGHT = 2.0  # acronyms and CamelCase names (WINKID, eHealth) are what a question is about
_ENTITY = re.compile(r"^(?:[A-ZÄÖÜ0-9]{3,}|\w*[a-zäöü][A-ZÄÖÜ]\w*|\w*\d\w*[A-Za-z]\w*)$")


class Assistant:
    """Answers questions from one opened index."""

    def __init__(self, index: SearchIndex, analyzer: Analyzer | None = None, scope: Path | None = None) -> None:
        self.index = index
        self.analyzer = analyzer or Analyzer()
        self._advice, self._topics = _load_scope(scope or SCOPE)
        self._n = max(1, len(index))

    @classmethod
    def open(cls, index_dir: Path | str) -> Assistant:
        analyzer = Analyzer()
        return cls(SearchIndex.open(index_dir, analyzer=analyzer), analyzer)

    # -- question understanding -------------------------------------------------

    def parse(self, question: str, history: list[str] | None = None, lang: str | None = None) -> ParsedQuery:
        """The question's words with their variants; a follow-up also gets the earlier question's subject."""
        query = self._parse_alone(question, lang)
        earlier = self._earlier(question, query, history)
        return self._with_subject_of(query, earlier) if earlier else query

    def _parse_alone(self, question: str, lang: str | None = None) -> ParsedQuery:
        lang = lang if lang in MESSAGES else detect_language(question)
        return self.analyzer.parse_question(question, lang, vocabulary=self._vocabulary())

    def _earlier(self, question: str, query: ParsedQuery, history: list[str] | None) -> str | None:
        """The previous question, when this one refers back to it ("Who leads it?")."""
        previous = [h for h in (history or []) if isinstance(h, str) and h.strip()]
        return previous[-1] if previous and self._is_follow_up(question, query) else None

    def _with_subject_of(self, query: ParsedQuery, earlier: str) -> ParsedQuery:
        own = {v for t in query.terms for v in t.variants}
        for term in self._parse_alone(earlier).terms:
            if term.word.lower() in FRAME_WORDS or not term.known:
                continue  # "what", "worum geht es": the earlier question's frame is not its subject
            if not own.intersection(term.variants):
                query.terms.append(QueryTerm(term.word, {v: w * HISTORY_WEIGHT for v, w in term.variants.items()}))
        return query

    def _vocabulary(self):
        try:
            return self.index.vocabulary()
        except Exception:  # an index without a vocabulary still answers, without typo fixes
            return None

    @staticmethod
    def _is_follow_up(question: str, query: ParsedQuery) -> bool:
        words = {w.lower() for w in _WORDS.findall(question)}
        return bool(words & (ANAPHORA["en"] | ANAPHORA["de"])) or len(query.terms) <= 1

    def off_topic(self, question: str) -> bool:
        """Advice, bookings, or an everyday topic the site never mentions (see scope.yml)."""
        text = " ".join(question.lower().split())
        if any(p.search(text) for p in self._advice):
            return True
        for words, pattern in self._topics:
            if pattern.search(text) and not all(self._doc_freq(w) > 0 for w in words):
                return True
        return False

    # -- ranking -----------------------------------------------------------------

    def _idf(self, term: str) -> float:
        df = self._doc_freq(term)
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    def _doc_freq(self, term: str) -> int:
        """Passages holding a term; for a phrase, those holding its rarest word (an upper bound)."""
        vocabulary = self._vocabulary()
        if vocabulary is None or not term:
            return 0
        if " " in term:
            return min(vocabulary.doc_freq(part) for part in term.split())
        return vocabulary.doc_freq(term)

    def _term_weights(self, query: ParsedQuery) -> list[float]:
        """How much each question word counts when judging whether a passage answers it.

        A word the site uses counts by its IDF. A word the site never uses but whose
        translation or corrected spelling it does counts like that. A word the site has no
        trace of counts most ("Metformin", "hotel"): a passage that lacks it does not answer
        — unless it is a German word written in lower case, which is no noun and so rarely
        what the question is about ("gehört", "dauert").
        """
        weights = []
        first = query.terms[0].word if query.terms else ""
        for term in query.terms:
            top = max(term.variants.values()) if term.variants else 0.0
            known = [(v, w) for v, w in term.variants.items() if self._doc_freq(v) > 0]
            own = [v for v, w in known if w >= 0.99]
            if own:
                weight = max(self._idf(v) for v in own) * top
            elif known:
                weight = max(self._idf(v) * w for v, w in known)
            else:
                weight = self._idf("") * top
                if query.lang == "de" and term.word[:1].islower() and term.word != first:
                    weight *= GERMAN_LOWERCASE_WEIGHT
            if term.word.lower() in FRAME_WORDS:
                weight *= FRAME_WEIGHT
            elif _ENTITY.match(term.word):
                weight *= ENTITY_WEIGHT
            weights.append(weight)
        return weights

    def _coverage(self, query: ParsedQuery, weights: list[float], passage: Passage) -> tuple[float, set[str]]:
        terms = self._passage_terms(passage)
        got = 0.0
        matched: set[str] = set()
        for term, weight in zip(query.terms, weights, strict=True):
            best = 0.0
            for variant, w in term.variants.items():
                if variant in terms or (" " in variant and all(part in terms for part in variant.split())):
                    matched.add(variant)
                    credit = w / max(term.variants.values())
                    best = max(best, credit * (CORRECTED_CREDIT if term.corrected else 1.0))
            got += weight * best
        total = sum(weights) or 1.0
        return got / total, matched

    @staticmethod
    def _passage_terms(passage: Passage) -> set[str]:
        """The analysed terms of a passage's title, heading, context and text, as the index stored them."""
        return set(passage.terms)

    # -- answering ---------------------------------------------------------------

    def answer(
        self, question: str, history: list[str] | None = None, lang: str | None = None, limit: int = RESULTS
    ) -> Answer:
        query = self._parse_alone(question, lang)
        earlier = self._earlier(question, query, history)
        context: set[str] = set()
        if earlier:
            # "Who leads it?" is asked about what the previous answer showed: prefer its pages
            context = {p.page_url for _, _, p, _ in self._rank(self._parse_alone(earlier))[:CONTEXT_PAGES]}
            query = self._with_subject_of(query, earlier)
        lang = query.lang if query.lang in MESSAGES else "en"
        if not query.terms or self.off_topic(question):
            return Answer(question, lang, True, MESSAGES[lang]["abstain"])
        ranked = self._rank(query, context, question)
        hits: list[Hit] = []
        sections: dict[tuple[str, str], set[str]] = {}
        texts: set[str] = set()
        best_coverage = max((r[1] for r in ranked), default=0.0)
        per_page: dict[str, int] = {}
        later = []
        top_score = ranked[0][0] if ranked else 0.0
        for row in ranked:
            score, coverage, passage, matched = row
            if score < MIN_RELATIVE_SCORE * top_score or coverage < MIN_RELATIVE_COVERAGE * best_coverage:
                continue  # a passage that shares a word or two with the question is no answer
            page = passage.page_url or passage.url
            section = (page, passage.heading)
            if passage.text in texts or (section in sections and matched <= sections[section]):
                continue
            if section in sections:
                # one result a section: a second passage that answers more of the question joins its quote
                first = next(h for h in hits if (h.passage.page_url or h.passage.url, h.passage.heading) == section)
                first.quote = _join(first.quote, self.quote(passage, query, matched))
                sections[section] |= matched
                texts.add(passage.text)
                continue
            if per_page.get(page, 0) >= MAX_PER_PAGE and not (hits and _siblings(hits[0].passage, passage)):
                later.append(row)  # other pages first; more of this one if room is left
                continue
            sections[section] = sections.get(section, set()) | matched
            texts.add(passage.text)
            per_page[page] = per_page.get(page, 0) + 1
            hits.append(Hit(passage, round(score, 4), self.quote(passage, query, matched)))
            if len(hits) >= limit:
                break
        for score, _coverage, passage, matched in later:
            if len(hits) >= limit:
                break
            section = (passage.page_url or passage.url, passage.heading)
            if section not in sections:
                sections[section] = matched
                hits.append(Hit(passage, round(score, 4), self.quote(passage, query, matched)))
        if not hits or best_coverage < MIN_COVERAGE:
            return Answer(question, lang, True, MESSAGES[lang]["abstain"])
        return Answer(question, lang, False, MESSAGES[lang]["lead"], hits)

    def _candidates(self, query: ParsedQuery) -> list[tuple[Passage, float]]:
        """Passages worth reranking: the best for all variants, and the best for the words as asked.

        Synonyms and fields add up in BM25, so passages whose title holds a common word, or
        whose text holds many translations of it, can crowd out the one passage whose text
        holds a rare name; a second look for the question's own words in the passages' text
        keeps that passage among the candidates.
        """
        found = self.index.search(query, limit=CANDIDATES)
        own = ParsedQuery(
            query.lang, [QueryTerm(t.word, {v: w for v, w in t.variants.items() if w >= 0.99}) for t in query.terms]
        )
        own.terms = [t for t in own.terms if t.variants]
        if len(own.terms) == len(query.terms) and all(
            len(a.variants) == len(b.variants) for a, b in zip(own.terms, query.terms, strict=True)
        ):
            return found  # no variants beyond the words themselves: one search is enough
        seen = {p.id for p, _ in found}
        more = self.index.search(own, limit=OWN_CANDIDATES, fields=TEXT_FIELDS)
        return found + [(p, s) for p, s in more if p.id not in seen]

    def _rank(
        self, query: ParsedQuery, context: set[str] = frozenset(), question: str = ""
    ) -> list[tuple[float, float, Passage, set[str]]]:
        """Candidates by BM25 times how much of the question they cover, best first."""
        weights = self._term_weights(query)
        expected = _expected_answer(question) if question else None
        ranked = []
        for passage, score in self._candidates(query):
            coverage, matched = self._coverage(query, weights, passage)
            score *= (0.25 + coverage) ** COVERAGE_POWER
            if passage.page_url in context:
                score *= CONTEXT_BOOST
            if expected is not None and expected.search(passage.text):
                score *= ANSWER_TYPE_BOOST
            ranked.append((score, coverage, passage, matched))
        ranked.sort(key=lambda r: -r[0])
        return ranked

    def quote(self, passage: Passage, query: ParsedQuery, matched: set[str]) -> Quote:
        """The best one to three sentences of a passage, verbatim, or the whole of a list."""
        text = passage.text
        short = SHORT_REFERENCE_WORDS if passage.kind == "publication" else SHORT_PASSAGE_WORDS
        if not passage.is_list and word_count(text) > short:
            spans = _sentence_spans(text)
            # words already matched by the page title say nothing about which sentence answers
            title_terms = {t.term for t in self.analyzer.tokens(passage.title, passage.lang)}
            matched = (matched - title_terms) or matched
            if len(spans) > MAX_QUOTE_SENTENCES:
                scores = [self._sentence_score(text[a:b], passage.lang, matched) for a, b in spans]
                best, best_at = -1.0, 0
                for i in range(len(spans)):
                    window = scores[i : i + MAX_QUOTE_SENTENCES]
                    s = sum(window) + 0.01 * (window[0] > 0)
                    if s > best:
                        best, best_at = s, i
                chosen = spans[best_at : best_at + MAX_QUOTE_SENTENCES]
                # drop trailing sentences that match nothing, keeping at least one
                while len(chosen) > 1 and scores[best_at + len(chosen) - 1] == 0:
                    chosen = chosen[:-1]
                if passage.kind == "publication" and best_at > 0:
                    # a reference without its authors answers nothing: keep them, mark the gap
                    head = text[spans[0][0] : spans[0][1]]
                    gap = " … " if best_at > 1 else " "
                    body = text[chosen[0][0] : chosen[-1][1]]
                    return Quote(
                        head + gap + body,
                        self._highlights(head, passage.lang, matched)
                        + [
                            (a + len(head) + len(gap), b + len(head) + len(gap))
                            for a, b in self._highlights(body, passage.lang, matched)
                        ],
                    )
                text = text[chosen[0][0] : chosen[-1][1]]
        return Quote(text, self._highlights(text, passage.lang, matched))

    def _sentence_score(self, sentence: str, lang: str, matched: set[str]) -> float:
        terms = {t.term for t in self.analyzer.tokens(sentence, lang)}
        terms.update(w.lower() for w in _WORDS.findall(sentence))
        return float(len(terms & matched))

    def _highlights(self, text: str, lang: str, matched: set[str]) -> list[tuple[int, int]]:
        out = []
        for token in self.analyzer.tokens(text, lang):
            if token.term in matched or text[token.start : token.end].lower() in matched:
                out.append((token.start, token.end))
        out.sort()
        merged: list[tuple[int, int]] = []
        for a, b in out:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return merged


# What kind of answer a question asks for, and what such an answer looks like in text: a
# passage that has the shape of the answer ("When ...?" and a date) ranks a little higher.
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "januar|februar|märz|maerz|mai|juni|juli|oktober|dezember"
)
_ANSWER_TYPES = [
    (
        re.compile(
            r"^\W*(when|since when|in what year|in which year|wann|seit wann|in welchem jahr|an welchem tag)\b", re.I
        ),
        re.compile(rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS})\b|\b\d{{1,2}}\.\s?\d{{1,2}}\.(\d{{2}}|\d{{4}})?\b", re.I),
    ),
    (
        re.compile(r"^\W*(who|whom|whose|wer|wem|wen|wessen)\b", re.I),
        re.compile(
            r"\b(Prof|Dr|PD|Professor|Professorin|Mr|Mrs|Ms)\b\.?"
            r"|\b[A-ZÄÖÜ][a-zäöüß]+ [A-ZÄÖÜ][a-zäöüß]+(-[A-ZÄÖÜ][a-zäöüß]+)?\b"
        ),
    ),
    (
        re.compile(r"^\W*(where|wo|wohin|woher)\b", re.I),
        re.compile(
            r"\b\d{5}\b|str(\.|aße|asse)\b|\b(street|road|avenue|floor|building|room|etage|stock|gebäude|raum|haus|house)\b",
            re.I,
        ),
    ),
    (
        re.compile(r"^\W*(how many|how much|wie viele|wie viel)\b", re.I),
        re.compile(
            r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|zwanzig|hundert)\b",
            re.I,
        ),
    ),
]


_DEFINITION = re.compile(
    r"^\W*(?:what|who|was|wer)\s+(?:is|are|ist|sind)\s+(?:the |a |an |der |die |das |ein |eine )?"
    r"(?P<subject>[\w][\w .&+-]{1,60}?)\W*$",
    re.I,
)


def _expected_answer(question: str) -> re.Pattern | None:
    """What an answer to the question looks like; for "What is X?" a sentence saying "X is ..."."""
    definition = _DEFINITION.match(question)
    if definition:
        subject = r"\s+".join(re.escape(w) for w in definition.group("subject").split())
        return re.compile(rf"\b{subject}\W+(is|are|was|were|ist|sind|war|waren|wurde)\b", re.I)
    for asks, looks in _ANSWER_TYPES:
        if asks.search(question):
            return looks
    return None


def _load_scope(path: Path) -> tuple[list[re.Pattern], list[tuple[list[str], re.Pattern]]]:
    """The advice patterns and everyday topics of a scope file (format in scope.yml)."""
    import yaml

    from .analysis import fold

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        advice = [re.compile(p, re.IGNORECASE) for p in data.get("advice") or []]
    except (OSError, yaml.YAMLError, re.error) as err:
        raise ValueError(f"{path}: cannot read the scope file: {err}") from err
    topics = []
    for words in (data.get("topics") or {}).values():
        for topic in words or []:
            folded = [fold(w) for w in str(topic).split() if w.lower() not in ("of", "the", "a")]
            pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w.lower()) for w in str(topic).split()) + r"(?!\w)")
            topics.append((folded, pattern))
    return advice, topics


def _join(first: Quote, second: Quote) -> Quote:
    """Two quotes of one section as one, the gap between them marked."""
    gap = " … "
    shift = len(first.text) + len(gap)
    return Quote(
        first.text + gap + second.text, first.highlights + [(a + shift, b + shift) for a, b in second.highlights]
    )


def _siblings(a: Passage, b: Passage) -> bool:
    """Sections under one parent heading of one page: parts of one list (a team, a set of projects)."""
    if a.page_url != b.page_url or " › " not in a.heading or " › " not in b.heading:
        return False
    return a.heading.rsplit(" › ", 1)[0] == b.heading.rsplit(" › ", 1)[0]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of each sentence in text, so a quote is cut from the original, not rebuilt."""
    spans: list[tuple[int, int]] = []
    pos = 0
    caption = False
    for sentence in split_sentences(text):
        start = text.find(sentence, pos)
        if start < 0:
            continue
        if caption and spans:  # a heading line is quoted with the sentence below it
            spans[-1] = (spans[-1][0], start + len(sentence))
        else:
            spans.append((start, start + len(sentence)))
        pos = start + len(sentence)
        caption = word_count(sentence) <= 8 and sentence[-1] not in ".!?:;"
    return spans


def link(passage: Passage, quote: str) -> str:
    """The passage's URL; without a section anchor, a text fragment that scrolls to the quote."""
    if "#" in passage.url or passage.id.endswith(DESCRIPTION_SUFFIX):
        return passage.url
    first = quote.strip().split("\n", 1)[0]
    words = first.split()
    if not words:
        return passage.url
    if len(words) <= 8:
        fragment = _fragment_part(" ".join(words))
    else:
        fragment = _fragment_part(" ".join(words[:4])) + "," + _fragment_part(" ".join(words[-4:]))
    return f"{passage.url}#:~:text={fragment}"


def _fragment_part(text: str) -> str:
    return urllib.parse.quote(text, safe="").replace("-", "%2D")


def answer_to_json(answer: Answer) -> dict:
    """The HTTP API's answer object."""
    return {
        "question": answer.question,
        "lang": answer.lang,
        "abstained": answer.abstained,
        "answer": answer.message,
        "passages": [
            {
                "quote": hit.quote.text,
                "highlights": [list(h) for h in hit.quote.highlights],
                "title": hit.passage.title,
                "heading": hit.passage.heading,
                "url": link(hit.passage, hit.quote.text),
                "path": hit.passage.source,
                "line": hit.passage.line,
                "score": hit.score,
                "kind": hit.passage.kind,
            }
            for hit in answer.hits
        ],
    }
