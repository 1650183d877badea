"""Question -> ranked passages with verbatim quotes, or an honest "the site does not say".

The index ranks passages with BM25. This stage decides what a visitor sees:
one passage per section, the best one to three sentences of each (a list
stays whole), the matched words highlighted, a link that opens the page where
the quote stands, and abstention when the best passage covers too little of
what was asked.
"""

from __future__ import annotations

import marshal
import math
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, reduce
from pathlib import Path

from .analysis import Analyzer, ParsedQuery, QueryTerm, Vocabulary, detect_language
from .compiled_copies import copy_name, read_copy, write_copy
from .documents import DESCRIPTION_SUFFIX, Answer, Best, Hit, Passage, Quote
from .message import Message, read_message
from .pins import pinned_first
from .question import (
    FRAME_WORDS,
    NUMBER,
    PEOPLE_WORDS,
    ROLE_WORDS,
    WHICH_ASKED,
    AnswerShape,
    Understanding,
    answer_shape,
    asked_owner,
    asked_role,
    asked_subject,
    asked_topic,
    capitalised_words,
    earlier_question,
    is_follow_up,
    names_in,
    owner_words,
    question_verbs,
    question_words,
    refers_to_a_person,
    with_person,
    with_subject_of,
)
from .search_index import SearchIndex
from .text import LazyPattern, fold, more_words_than, split_sentences, word_count

SCOPE = Path(__file__).with_name("scope.yml")
CANDIDATES = 30  # passages fetched from the index and reranked by how much of the question they cover
TEMPLATE_PAGES = 3  # pages one source file makes before it counts as a template that can crowd candidates
OWN_CANDIDATES = 10  # more candidates, found by the question's own words without synonyms ...
TEXT_FIELDS = ("body", "exact")  # ... in the passages' own text
RESULTS = 5
MIN_RELATIVE_SCORE = 0.2  # passages scoring below this share of the best are left out
MIN_RELATIVE_COVERAGE = 0.5
MAX_PER_PAGE = 2  # a page's best passages, then other pages, before more of the same page
MAX_LIKE_ITEMS = 5  # short passages of one section that match alike (a team list) join its quote, up to this many
LIKE_ITEM_SHARE = 0.8  # ... when they score at least this share of its first
SHORT_ITEM_WORDS = 40
MAX_CARDS = 12  # cards under one heading that match alike (platforms, a team grid) join its first card's hit
CARD_SHARE = 0.6  # ... scoring at least this share of it (the first card also holds the heading over them all)
_PLACE_QUALIFIER = LazyPattern(r"\b(in|at|im|am)\s+([A-ZÄÖÜ][\w-]+)\s*\?*$")
# "im", "am" hold an article: the German noun after them is a common one ("im Studium", "am Wochenende")
# unless it is written as a name's short form ("am DAI", "im UKE")
_WITH_ARTICLE = frozenset(("im", "am"))
_NAME_SHORT_FORM = LazyPattern(r"[A-ZÄÖÜ].*[A-ZÄÖÜ0-9]")
_PUNCTUATION = "?!.,;:()\"'«»„“”"
MIN_COVERAGE = 0.4  # share of the question's weight one passage must match, else abstain
LOW_COVERAGE = 0.3  # ... or this share, when two of the question's words or more make it (a paraphrase)
WORD_SHARE = 0.1  # ... each of them this share of the question's weight at least
CONTEXT_PAGES = 2  # a follow-up prefers the pages that answered the previous question ...
CONTEXT_BOOST = 1.5  # ... by this factor
PUBLICATION_SHARE = 0.7  # a bibliography entry counts this much for a question that asks for no paper
LISTING_SHARE = 0.5  # a list of other pages' titles (a tag archive) counts this much beside those pages
LISTING_LABEL_WORDS = 3  # ... its other lines are at most this long (a tag, "By date")
LISTING_TEXTS_KEPT = 4096  # candidates' texts whose lines are kept read as listing entries or not
_LIST_MARK = LazyPattern(r"^[\W\d_]+")  # "04/01/20 ", "- ", "• " before a listed title
_DATED = LazyPattern(r"\d+[/.-]\d+")
_ASKS_FOR_PAPERS = LazyPattern(
    r"\b(papers?|publi\w*|articles?|journals?|books?|chapters?|preprints?|proceedings|conference|wrote|written|"
    r"authors?|co-?authored|cited|cites?|doi|thesis|theses|dissertation\w*|veröffentlich\w*|aufs[aä]tz\w*|"
    r"artikel\w*|zeitschrift\w*|buch|bücher\w*|beitr[aä]g\w*|sammelband\w*|tagungsband\w*|geschrieben|"
    r"schrieb\w*|verfasst\w*|autor\w*|herausgegeben|herausgeber\w*|monographie\w*|erschienen|erscheint)\b",
    re.I,
)
ANSWER_TYPE_BOOST = 1.2  # a passage shaped like the answer asked for (a date for "when") ...
EXACT_SHAPE_BOOST = 1.5  # ... or in the answer's own words ("since 1997" for "since when")
EXACT_SHAPES = frozenset({"since", "topic"})
COVERAGE_POWER = 2  # how strongly covering more of the question outranks a higher BM25 score
COUNT_WINDOW = 4  # "how many X": a number this many words from X
MAX_QUOTE_SENTENCES = 3
SHORT_PASSAGE_WORDS = 60  # shorter passages are quoted whole
SHORT_REFERENCE_WORDS = 120  # a reference is quoted whole unless its author list is very long

SHAPE_CREDIT = 1.0  # a sentence shaped like the answer asked for counts as one more matched word ...
RANK_WEIGHT = 0.25  # ... and a hit further down the ranking a little less: (score / best score) ** this
DID_YOU_MEAN = 3  # questions offered when the site does not answer ...
DID_YOU_MEAN_TRIES = 8  # ... out of at most this many headings tried
HEADING_ANSWERS_KEPT = 4096  # heading questions whose answer a server remembers
CONTEXT_PAGES_KEPT = 4096  # earlier questions whose answering pages a server remembers for their follow-ups
DID_YOU_MEAN_PATTERN = {"en": "What about “{}”?", "de": "Was steht zu „{}“?"}
MAX_HEADING_CHARS = 80

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

FRAME_WEIGHT = 0.25
GERMAN_LOWERCASE_WEIGHT = 0.3
CORRECTED_CREDIT = 0.6  # a match through a corrected spelling is less sure than the word as typed
# A word the site never uses can only be found through its translation: such a match answers nearly
# as well as the word itself would (a German question on an English site).
TRANSLATED_CREDIT = 0.9
_BRIDGES = ("glossary", "cognate", "family")
# "Who leads/heads/directs …?" asks for the head; a lab names its head so.
_LEADING = frozenset("leads heads runs directs head leader director".split())
_LAB_HEADS = ("principal investigator",)
LAB_HEAD_WEIGHT = 0.7
UNTRACED_OWNER_SHARE = 0.02  # "the group" on a site that never says "group": the site, which need not be named
SITE_NAME_WEIGHT = 0.5  # a word of the site's own name ("AIDA Lab") is in every question about the site
ENTITY_WEIGHT = 2.0  # acronyms and CamelCase names (WINKID, eHealth) are what a question is about
_ENTITY = LazyPattern(r"^(?:[A-ZÄÖÜ0-9]{3,}|\w*[a-zäöü][A-ZÄÖÜ]\w*|\w*\d\w*[A-Za-z]\w*)$")
PEOPLE_COUNTED = LazyPattern(
    r"(?i:participants?|attendees?|visitors?|guests?|members?|people|persons?|students?|delegates?|speakers?|"
    r"teilnehm\w*|besucher\w*|gäste|gaeste|gast|mitglieder\w*|personen|menschen|leute|studierende\w*|"
    r"referent\w*|interessierte\w*)$"
)
_WHO_ASKS = LazyPattern(r"^\W*(who|wer)\b", re.I)
_AND = LazyPattern(r"^\W*(and|und|but|aber)\b", re.I)  # "And who …?" asks who
_WORDS = LazyPattern(r"[\w'’]+", re.UNICODE)

# What the searches of the message being answered found, by query: a message's second question ranks
# the first again for its context, and a follow-up to a "Who …?" question answers that question and ranks
# it, so one message would search for one question several times. Kept for one message, never across
# messages: a question asked again is searched again.
_SEARCHED: ContextVar[dict[tuple, list[tuple[Passage, float, int | None]]] | None] = ContextVar(
    "searched", default=None
)


@contextmanager
def _one_message() -> Iterator[None]:
    """The scope of :data:`_SEARCHED`: a message, with the questions its answer asks on the way."""
    if _SEARCHED.get() is not None:  # a question asked while answering the message belongs to it
        yield
        return
    token = _SEARCHED.set({})
    try:
        yield
    finally:
        _SEARCHED.reset(token)


@dataclass
class Candidate:
    """A passage the index found, with what reranking made of it."""

    passage: Passage
    bm25: float
    score: float = 0.0
    coverage: float = 0.0  # share of the question's weight the passage matches
    matched: set[str] = field(default_factory=set)  # the question's variants it holds
    reasons: list[str] = field(default_factory=list)  # boosts applied, for --explain
    found_at: int | None = None  # its place among what the question's first search found

    @property
    def page(self) -> str:
        return self.passage.page_url or self.passage.url

    @property
    def section(self) -> tuple[str, str]:
        return (self.page, self.passage.heading)


@dataclass
class Explanation:
    """Why an answer is what it is: the question as understood, and the candidates as ranked."""

    understanding: Understanding
    weights: list[float]
    candidates: list[Candidate]
    answer: Answer
    # the passages the question's first search found, in its order (None: no search was made); a
    # question the site does not answer offers headings from them (see did_you_mean)
    searched: list[Passage] | None = None


@dataclass
class _Credits:
    """A question's variants with what matching each credits: one-word variants by word, phrases apart."""

    words: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # variant -> (question word, credit)
    # (question word, phrase, its words, credit): a phrase matches as a whole or by all its words
    phrases: list[tuple[int, str, frozenset[str], float]] = field(default_factory=list)


class Assistant:
    """Answers questions from one opened index."""

    def __init__(self, index: SearchIndex, analyzer: Analyzer | None = None, scope: Path | None = None) -> None:
        self.index = index
        self.analyzer = analyzer or Analyzer()
        self._advice, self._topics = _load_scope(scope or SCOPE)
        self._n = max(1, len(index))
        self._site_words = self._name_words(index)
        # heading question -> the URL of the section that answers it, or None: questions the site does
        # not answer are offered headings near their words, and the same few headings come up again
        self._heading_answers: dict[tuple[str, str], tuple[str | None]] = {}
        # earlier question -> the pages that answered it: each follow-up to it would rank it again
        self._context_answers: dict[str, frozenset[str]] = {}

    def _name_words(self, index: SearchIndex) -> frozenset[str]:
        """The terms of the site's own name: every question about the site may use them, so they say
        little about which passage answers ("Who leads the robotics group of the X lab?")."""
        meta = getattr(index, "manifest", {}).get("meta") or {}
        name = meta.get("site_name") if isinstance(meta, dict) else None
        if not isinstance(name, str):
            return frozenset()
        return frozenset(t.term for lang in ("en", "de") for t in self.analyzer.tokens(name, lang))

    @classmethod
    def open(cls, index_dir: Path | str) -> Assistant:
        analyzer = Analyzer()
        return cls(SearchIndex.open(index_dir, analyzer=analyzer), analyzer)

    # -- question understanding -------------------------------------------------

    def understand(self, question: str, history: list[str] | None = None, lang: str | None = None) -> Understanding:
        """The question's words with their variants; a follow-up also gets the earlier question's subject."""
        query = self._parse_alone(question, lang)
        if query.lang == "en":
            query.verbs = question_verbs(question)
        query.owner = owner_words(question)
        earlier = earlier_question(question, query, history)
        understanding = Understanding(question, query, shape=answer_shape(question), subject=asked_subject(question))
        understanding.role = asked_role(question)
        self._with_lab_heads(understanding)
        if earlier:
            understanding.earlier = earlier
            understanding.earlier_query = self._parse_alone(earlier)
            if self._with_person_of(understanding):
                understanding.about_earlier = False  # "he" is the person answered, not the earlier subject
            else:
                with_subject_of(query, understanding.earlier_query, earlier, lambda v: self._doc_freq(v) > 0)
        return understanding

    def _with_lab_heads(self, understanding: Understanding) -> None:
        """ "Who leads the lab?": a lab's head is its principal investigator ("Principal investigator ·
        Dr. X", "PI"), a title of its own sense in the glossary, so the word asked takes it in too."""
        role = (understanding.role or "").lower()
        if role not in _LEADING:
            return
        for term in understanding.query.terms:
            if term.word.lower() == role:
                for title, phrase in self._lab_head_phrases:
                    term.add(phrase, LAB_HEAD_WEIGHT, "role", f"{term.word!r} ~ {title!r}: who leads a lab")

    @cached_property
    def _lab_head_phrases(self) -> list[tuple[str, str]]:
        """Each lab head's title with its phrase as the index holds it, analysed once per assistant."""
        return [(title, " ".join(t.term for t in self.analyzer.tokens(title, "en"))) for title in _LAB_HEADS]

    def _with_person_of(self, understanding: Understanding) -> bool:
        """For "Where is he now?", the person: after "Who …?" the one its answer names, else one the earlier
        question names. True when the person came from the answer: the question is then about them alone."""
        earlier, query = understanding.earlier or "", understanding.query
        if not refers_to_a_person(understanding.question) or understanding.earlier_query is None:
            return False
        if _WHO_ASKS.match(_AND.sub("", understanding.question)):
            return False  # "Who stands in for him?" asks for someone else, about what was asked before
        if _WHO_ASKS.match(earlier):
            named = self._person_answering(earlier)
            if named:
                with_person(query, self._parse_alone(named, query.lang), f"the answer to {earlier!r}")
                return True
            return False
        named_in_question = names_in(earlier.split(None, 1)[-1], set())
        if named_in_question:
            with_person(query, self._parse_alone(" ".join(named_in_question), query.lang), repr(earlier))
        return False

    def _person_answering(self, question: str) -> str | None:
        """The first person named where the answer to a "Who …?" question answers it."""
        found = self.answer(question)
        if found.abstained or not found.hits:
            return None
        hit = found.hits[found.best.hit if found.best else 0]
        text = hit.quote.text
        if found.best:
            start, end = found.best.sentence
            text = text[start:end] + " " + text
        named = names_in(text, question_words(question))
        return named[0] if named else None

    def parse(self, question: str, history: list[str] | None = None, lang: str | None = None) -> ParsedQuery:
        return self.understand(question, history, lang).query

    def _parse_alone(self, question: str, lang: str | None = None) -> ParsedQuery:
        lang = lang if lang in MESSAGES else detect_language(question)
        return self.analyzer.parse_question(question, lang, vocabulary=self._vocabulary())

    def _vocabulary(self) -> Vocabulary | None:
        try:
            return self.index.vocabulary()
        except Exception:  # an index without a vocabulary still answers, without typo fixes
            return None

    def off_topic(self, question: str) -> bool:
        """Advice, bookings, or an everyday topic the site never mentions (see scope.yml)."""
        text = " ".join(question.lower().split())
        if any(p.search(text) for p in self._advice):
            return True
        for topic in self._topics:
            if topic.search(text) and not all(self._doc_freq(w) > 0 for w in topic.words):
                return True
        return False

    def _narrowed_to(self, understanding: Understanding, weights: list[float]) -> list[QueryTerm]:
        """The words a question narrows its subject with, which the answer must match too: the place
        ("… in Hamburg?"), for an amount or date asked, whose it is ("the fee for the workshop"), and
        what a group asked for is about ("Who leads the group on legal questions?")."""
        query, shape = understanding.query, understanding.shape
        found = [self._place_asked(understanding.question, query)]
        if shape is not None and shape.required:
            owner = asked_owner(understanding.question, query.lang)
            found.append(next((t for t in query.terms if t.word == owner), None))
        topic = set(asked_topic(understanding.question))
        if topic:  # the weightiest word of what the group asked for is about
            about = [(w, t) for w, t in zip(weights, query.terms, strict=True) if t.word in topic]
            found.append(max(about, key=lambda pair: pair[0])[1] if about else None)
        # "im Lab", "at the institute": the site itself, where every passage stands, narrows nothing
        return [t for t in found if t is not None and self._site_words.isdisjoint(t.variants)]

    def _place_asked(self, question: str, query: ParsedQuery) -> QueryTerm | None:
        """The place a question narrows its subject to ("… in Hamburg?", "… am Standort Kiel?"): a
        name after "in", "at", "im", "am" at the question's end, that the site has."""
        found = _PLACE_QUALIFIER.search(question.strip())
        if not found:
            return None
        preposition, name = found.groups()
        if preposition in _WITH_ARTICLE and not _NAME_SHORT_FORM.match(name):
            return None
        term = next((t for t in query.terms if t.word == name), None)
        if term is None or not any(self._doc_freq(v) > 0 for v in term.variants):
            return None
        return term

    def _nouns_absent(self, question: str, query: ParsedQuery) -> bool:
        """A German question whose nouns the site has no trace of, in any form or translation, is about
        something else ("Wie mache ich einen guten Kartoffelsalat?"): the everyday words around them
        ("mache", "gut") match any page."""
        if query.lang != "de":
            return False
        nouns = _with_parts(capitalised_words(question))
        terms = [t for t in query.terms if t.word in nouns]
        if not terms:
            return False
        return self._untraced(terms)

    def _which_absent(self, question: str, query: ParsedQuery) -> bool:
        """ "Which X …?", "Welchen X …?": the site cannot say which X when it has no trace of X in any form,
        typo or translation ("Welchen Numerus clausus hat das Studium?" on a site that never gives one)."""
        which = WHICH_ASKED.match(question)
        if which is None:
            return False
        # the two words after "which": X may be qualified ("welche beiden Einrichtungen", "which video tool")
        named = question[which.start(1) :].split()[:2]
        asked = [t for t in query.terms if t.word in _with_parts(named)]
        return bool(asked) and self._untraced(asked)

    def _untraced(self, terms: list[QueryTerm]) -> bool:
        """No variant of these words (form, family, typo, translation) stands anywhere on the site."""
        return not any(self._doc_freq(v) > 0 for t in terms for v in t.variants)

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

    def term_weights(self, query: ParsedQuery) -> list[float]:
        """How much each question word counts when judging whether a passage answers it."""
        first = query.terms[0].word if query.terms else ""
        return [
            self._term_weight(term, query.lang, term.word == first, term.word.lower() in query.verbs)
            * (self._owner_share(term) if term.word.lower() in query.owner else 1.0)
            for term in query.terms
        ]

    def _owner_share(self, term: QueryTerm) -> float:
        """ "The group" asked on a group's site is the site: a passage need not say it, and a site that
        never does ("Lab director", "our team") answers without it."""
        return SITE_NAME_WEIGHT if not self._untraced([term]) else UNTRACED_OWNER_SHARE

    def _term_weight(self, term: QueryTerm, lang: str, first: bool, verb: bool = False) -> float:
        """A word the site uses counts by its IDF; one it only knows through a translation or corrected
        spelling counts like that. A word the site has no trace of counts most ("Metformin", "hotel"): a
        passage that lacks it does not answer — unless it is a German word written in lower case, which is
        no noun and so rarely what the question is about ("gehört", "dauert").
        """
        top = max(term.variants.values()) if term.variants else 0.0
        known = [(v, w) for v, w in term.variants.items() if self._doc_freq(v) > 0]
        own = [v for v, w in known if w >= 0.99]
        if own:
            weight = max(self._idf(v) for v in own) * top
        elif known:
            weight = max(self._idf(v) * w for v, w in known)
        else:
            weight = self._idf("") * top
            if (lang == "de" and term.word[:1].islower() and not first) or verb:
                weight *= GERMAN_LOWERCASE_WEIGHT
            elif term.word[:1].isupper() and not first and term.word.lower() not in FRAME_WORDS:
                weight *= ENTITY_WEIGHT  # a name the site has no trace of: what is asked about is not here
        if term.word.lower() in FRAME_WORDS:
            weight *= FRAME_WEIGHT
        elif own and self._site_words.intersection(own):
            weight *= SITE_NAME_WEIGHT
        elif _ENTITY.match(term.word):
            weight *= ENTITY_WEIGHT
        return weight

    @staticmethod
    def _names_a_role(c: Candidate, role: QueryTerm | None) -> bool:
        if role is not None and c.matched.intersection(role.variants):
            return True
        return bool(ROLE_WORDS.search(c.passage.text) or ROLE_WORDS.search(c.passage.heading or ""))

    def _key_subject_term(self, understanding: Understanding, weights: list[float]) -> QueryTerm | None:
        """The weightiest word of what a shaped question asks about, leaving out the site's own name."""
        subject = {w.lower() for w in understanding.subject}
        terms = [
            (weight, term)
            for term, weight in zip(understanding.query.terms, weights, strict=True)
            if term.word.lower() in subject
            and term.word.lower() not in FRAME_WORDS
            and term.word.lower() not in understanding.query.owner
            and not self._site_words.intersection(v for v, w in term.variants.items() if w >= 0.99)
        ]
        return max(terms, key=lambda t: t[0])[1] if terms else None

    def _coverage(
        self,
        query: ParsedQuery,
        weights: list[float],
        passage: Passage,
        shape: AnswerShape | None = None,
        credits: _Credits | None = None,
    ) -> tuple[float, set[str]]:
        """Share of the question's weight a passage's stored terms match, and which variants matched.

        A word that names what is asked for ("e-mail", "Telefon", "cost") is answered by a passage
        that holds such a thing (an address, a number, an amount), whatever words it uses.
        ``credits`` is :meth:`_variant_credits` of the query, when the caller covers many passages.
        """
        credits = credits or self._variant_credits(query)
        terms = passage.term_set
        if shape is None:
            answered = [False] * len(query.terms)
        else:
            answered = [shape.answers_word(term.word, passage.text) for term in query.terms]
        best = [0.0] * len(answered)
        matched: set[str] = set()
        # the passage's terms meet the question's one-word variants in one set operation, not one look-up each
        for variant in terms.intersection(credits.words) if len(credits.words) > 8 else credits.words:
            if variant not in terms:
                continue
            for i, credit in credits.words[variant]:
                if not answered[i]:
                    matched.add(variant)
                    if credit > best[i]:
                        best[i] = credit
        for i, variant, parts, credit in credits.phrases:
            if not answered[i] and (variant in terms or (parts and parts <= terms)):
                matched.add(variant)
                if credit > best[i]:
                    best[i] = credit
        got = 0.0
        for weight, whole, share in zip(weights, answered, best, strict=True):
            got += weight if whole else weight * share
        total = sum(weights) or 1.0
        return got / total, matched

    def _best_coverage_possible(
        self, query: ParsedQuery, weights: list[float], shape: AnswerShape | None, credits: _Credits
    ) -> float:
        """The most :meth:`_coverage` can give any passage of the site: each question word counted
        at its best credit among the variants some passage may hold, or whole where the answer's shape
        may answer it. A question whose weightiest word stands nowhere on the site ("Zorfrabul")
        cannot be answered, whatever a search finds."""
        if any(w < 0 for w in weights):
            return 1.0  # the sum below bounds nothing then
        may_hold = self.index.may_hold
        best = [0.0] * len(query.terms)
        for variant, entries in credits.words.items():
            if may_hold(variant):
                for i, credit in entries:
                    best[i] = max(best[i], credit)
        for i, variant, parts, credit in credits.phrases:
            if may_hold(variant) or (parts and all(may_hold(p) for p in parts)):
                best[i] = max(best[i], credit)
        got = 0.0
        for term, weight, share in zip(query.terms, weights, best, strict=True):
            named = shape is not None and shape.names is not None and bool(shape.names.fullmatch(term.word))
            got += max(weight, weight * share) if named else weight * share
        return got / (sum(weights) or 1.0)

    def _variant_credits(self, query: ParsedQuery) -> _Credits:
        """What matching each variant credits, and to which question word (by its place in the query)."""
        credits = _Credits()
        for i, term in enumerate(query.terms):
            top = max(term.variants.values())
            for variant, w in term.variants.items():
                credit = self._credit(term, variant, w / top)
                if " " in variant:
                    credits.phrases.append((i, variant, frozenset(variant.split()), credit))
                else:
                    credits.words.setdefault(variant, []).append((i, credit))
        return credits

    def _holds(self, shape: AnswerShape, passage: Passage, query: ParsedQuery) -> bool:
        """The passage has what is asked for; for "how many X", a number standing next to X."""
        if not shape.holds(passage.text):
            return False
        if not shape.counted:
            return True
        words = shape.counted.lower().split()
        counted = [t for t in query.terms if t.word.lower() in words]
        if not counted:
            return True
        variants = {v for t in counted for v in t.variants}
        tokens = self.analyzer.tokens(passage.text, passage.lang)
        people = words[0] in PEOPLE_WORDS  # "how many people came?" counts participants too
        near = [
            i
            for i, tok in enumerate(tokens)
            if tok.term in variants or (people and PEOPLE_COUNTED.match(passage.text[tok.start : tok.end]))
        ]
        numbers = [i for i, tok in enumerate(tokens) if _is_count(passage.text, tok.start, tok.end)]
        return any(abs(i - j) <= COUNT_WINDOW for i in near for j in numbers)

    @staticmethod
    def _credit(term: QueryTerm, variant: str, share: float) -> float:
        """How far matching ``variant`` counts as matching the question word."""
        if term.corrected:
            return share * CORRECTED_CREDIT
        if not term.known and term.why.get(variant, ("own", ""))[0] in _BRIDGES:
            return max(share, TRANSLATED_CREDIT)
        return share

    def _candidates(self, query: ParsedQuery) -> list[Candidate]:
        """Passages worth reranking (see :meth:`_search_candidates`), searched once per message for one query."""
        searched_now = _SEARCHED.get()
        if searched_now is None:
            return self._search_candidates(query)
        key = tuple((t.word, tuple(t.variants.items())) for t in query.terms)
        known = searched_now.get(key)
        if known is None:
            found = self._search_candidates(query)
            searched_now[key] = [(c.passage, c.bm25, c.found_at) for c in found]
            return found
        return [Candidate(p, s, found_at=i) for p, s, i in known]

    def _search_candidates(self, query: ParsedQuery) -> list[Candidate]:
        """Passages worth reranking: the best for all variants, and the best for the words as asked.

        Synonyms and fields add up in BM25, so passages whose title holds a common word, or
        whose text holds many translations of it, can crowd out the one passage whose text
        holds a rare name; a second look for the question's own words in the passages' text
        keeps that passage among the candidates.
        """
        fetched: dict = {}  # the second search decodes no passage the first has read
        searched = self.index.search(query, limit=CANDIDATES, fetched=fetched)
        found = [Candidate(p, s, found_at=i) for i, (p, s) in enumerate(searched)]
        crowding = _crowding_template(found)
        if crowding:
            # a page per person from one template says "Office hours" on every page: the site's one
            # page with the secretariat's hours must still be among the candidates
            seen = {c.passage.id for c in found}
            others = self.index.search(query, limit=CANDIDATES // 2, fetched=fetched, excluding=[crowding])
            found += [Candidate(p, s) for p, s in others if p.id not in seen]
        own = _own_words(query)
        if own is None:
            return found  # no variants beyond the words themselves: one search is enough
        seen = {c.passage.id for c in found}
        # as many more as it takes to add OWN_CANDIDATES new ones: the first search may hold the best
        more = self.index.search(
            own, limit=OWN_CANDIDATES + len(found), fields=TEXT_FIELDS, fetched=fetched, new=OWN_CANDIDATES
        )
        return found + [Candidate(p, s) for p, s in more if p.id not in seen][:OWN_CANDIDATES]

    def rank(
        self,
        understanding: Understanding,
        context: AbstractSet[str] = frozenset(),
        weights: list[float] | None = None,
        credits: _Credits | None = None,
    ) -> list[Candidate]:
        """Candidates by BM25 times how much of the question they cover, best first (``weights`` and
        ``credits``: the question's term weights and :meth:`_variant_credits` when the caller has them)."""
        query, shape = understanding.query, understanding.shape
        weights = self.term_weights(query) if weights is None else weights
        ranked = self._candidates(query)
        # a reference answers a question about papers; to any other it only shares words
        wants_papers = bool(_ASKS_FOR_PAPERS.search(understanding.question))
        credits = self._variant_credits(query) if credits is None else credits
        for c in ranked:
            c.coverage, c.matched = self._coverage(query, weights, c.passage, shape, credits)
            c.score = c.bm25 * (0.25 + c.coverage) ** COVERAGE_POWER
            if c.passage.kind == "publication" and not wants_papers:
                c.score *= PUBLICATION_SHARE
            if c.passage.page_url in context:
                c.score *= CONTEXT_BOOST
                c.reasons.append("on a page that answered the earlier question")
            if shape is not None and shape.fits(c.passage.text):
                c.score *= EXACT_SHAPE_BOOST if shape.name in EXACT_SHAPES else ANSWER_TYPE_BOOST
                c.reasons.append(f"has the shape of the answer ({shape.name})")
        _demote_listings(ranked)
        ranked.sort(key=lambda c: -c.score)
        return ranked

    def _context_pages(self, understanding: Understanding) -> frozenset[str]:
        """A follow-up ("Who leads it?") is asked about what the previous answer showed: its pages.

        They are remembered by the earlier question's text, which alone decides them (it is parsed
        on its own, and an open index never changes): a conversation asks several follow-ups to
        one question, and a widget sends the same history again with each of them.
        """
        if understanding.earlier_query is None or not understanding.about_earlier:
            return frozenset()
        text = understanding.earlier or ""
        known = self._context_answers.get(text)  # one look-up: another thread may clear the dict meanwhile
        if known is not None:
            return known
        earlier = Understanding(text, understanding.earlier_query)
        pages = frozenset(c.passage.page_url for c in self.rank(earlier)[:CONTEXT_PAGES])
        if len(self._context_answers) >= CONTEXT_PAGES_KEPT:
            self._context_answers.clear()
        self._context_answers[text] = pages
        return pages

    # -- answering ---------------------------------------------------------------

    def respond(self, question: str, history: list[str] | None = None, lang: str | None = None) -> Answer:
        """An answer as a visitor gets it: which hit and sentence answer, or, with none, questions that do."""
        explained = self._explain_message(question, history, lang, RESULTS)
        result = explained.answer
        if result.abstained:  # the question as already parsed: a long one costs its parse once
            result.did_you_mean = self.did_you_mean(explained.understanding.query, result.lang, explained.searched)
        else:
            result.best = result.best or best_of(explained.understanding.question, result.hits, self.analyzer)
        return result

    def _explain_message(self, text: str, history: list[str] | None, lang: str | None, limit: int) -> Explanation:
        """The answer to a visitor's message: to its one question, or to each of its questions in turn,
        joined (see assistant.message); the explanation is that of the first question answered."""
        with _one_message():
            return self._explain_read_message(read_message(text), history, lang, limit)

    def _explain_read_message(
        self, message: Message, history: list[str] | None, lang: str | None, limit: int
    ) -> Explanation:
        text = message.text
        earlier = [h for h in history or [] if isinstance(h, str) and h.strip()]
        if earlier:  # a follow-up reads the last earlier question alone (earlier_question)
            earlier[-1] = _as_asked(earlier[-1])
        if message.as_written:
            return self.explain(text, earlier, lang, limit, rank_hopeless=False)
        explained = []
        for i, asked in enumerate(message.questions):
            found = None
            if i == 0 and message.named and self._leans_on_context(asked, lang):
                # "Who leads it?" after "I read about the Genomics group.": what the context names is what it
                # asks about, as if it had been asked before
                found = self.explain(asked, [*earlier, message.named], lang, limit, rank_hopeless=False)
            if found is None or found.answer.abstained:
                found = self.explain(asked, message.conversation(i, earlier), lang, limit, rank_hopeless=False)
            if i == 0 and found.answer.abstained and message.context:
                # a question the site does not answer alone may with all that was said before it, as after an
                # earlier question; only then, for it would carry the visitor's words about themselves ("his
                # thesis" in "When did X defend his thesis?" is X's, not that of a student who writes to ask)
                found = self.explain(asked, [*earlier, *message.context], lang, limit, rank_hopeless=False)
            explained.append(found)
        return _joined(message, explained, limit)

    def _leans_on_context(self, question: str, lang: str | None) -> bool:
        """Whether a question points back ("it", "dort") or names too little to stand alone, and names nothing
        with a capital itself (no name, no German noun) that it could be about."""
        return is_follow_up(question, self._parse_alone(question, lang)) and not capitalised_words(question)

    def did_you_mean(
        self, query: ParsedQuery, lang: str, searched: list[Passage] | None = None, limit: int = DID_YOU_MEAN
    ) -> list[str]:
        """Questions made of the site's own headings near the words asked, each one the site answers
        (``searched``: what the search for ``query`` found, where the answer made it already)."""
        if not query.terms:
            return []
        if searched is None:
            searched = [passage for passage, _ in self.index.search(query, limit=CANDIDATES)]
        out: list[str] = []
        names: set[frozenset[str]] = set()  # "Institut" and "Institute" are one heading
        targets: set[str] = set()  # two headings that lead to one section are one question
        for passage in searched:
            name = (passage.heading.rsplit(" › ", 1)[-1] or passage.title).strip()
            key = frozenset(t.term for t in self.analyzer.tokens(name, lang))
            if not key or len(name) > MAX_HEADING_CHARS or key in names:
                continue
            names.add(key)
            asked = heading_question(name, lang)
            url = self._heading_answer(asked, lang)
            if url is not None and url not in targets:
                targets.add(url)
                out.append(asked)
            if len(out) >= limit or len(names) >= DID_YOU_MEAN_TRIES:
                break
        return out

    def _heading_answer(self, asked: str, lang: str) -> str | None:
        """Where the site answers a heading question, remembered (an index never changes once open)."""
        key = (asked, lang)
        known = self._heading_answers.get(key)  # one look-up: another thread may clear the dict meanwhile
        if known is not None:
            return known[0]
        # one question as written, and only its first hit is wanted: one quote, not five
        found = self.explain(asked, lang=lang, limit=1, rank_hopeless=False).answer
        url = None if found.abstained else found.hits[0].passage.url
        if len(self._heading_answers) >= HEADING_ANSWERS_KEPT:
            self._heading_answers.clear()  # a site has a few hundred headings: this is seldom reached
        self._heading_answers[key] = (url,)
        return url

    def answer(
        self, question: str, history: list[str] | None = None, lang: str | None = None, limit: int = RESULTS
    ) -> Answer:
        return self._explain_message(question, history, lang, limit).answer

    def explain(
        self,
        question: str,
        history: list[str] | None = None,
        lang: str | None = None,
        limit: int = RESULTS,
        rank_hopeless: bool = True,
    ) -> Explanation:
        """The answer with what led to it: the question as understood and the ranked candidates.

        ``rank_hopeless=False`` skips the search for a question no passage can cover enough of: the
        answer abstains either way, with no candidates to show for it.
        """
        understanding = self.understand(question, history, lang)
        query = understanding.query
        lang = query.lang if query.lang in MESSAGES else "en"
        weights = self.term_weights(query) if query.terms else []
        if (
            not query.terms
            or self.off_topic(question)
            or self._nouns_absent(question, query)
            or self._which_absent(question, query)
        ):
            return Explanation(understanding, weights, [], Answer(question, lang, True, MESSAGES[lang]["abstain"]))
        shape = understanding.shape
        credits = self._variant_credits(query)
        if not rank_hopeless and self._best_coverage_possible(query, weights, shape, credits) < LOW_COVERAGE:
            abstained = Answer(question, lang, True, MESSAGES[lang]["abstain"])
            answer = pinned_first(self.index, self.analyzer, query, abstained, MESSAGES[lang]["lead"])
            return Explanation(understanding, weights, [], answer)
        # the earlier question's pages come first: its terms were carried over at a lower weight
        ranked = found = self.rank(understanding, self._context_pages(understanding), weights, credits)
        if shape is not None and shape.required:
            # what is asked (a price, a phone number, a count) must stand in the passage: naming the thing is not enough
            ranked = [c for c in ranked if self._holds(shape, c.passage, query)]
        asked_for = ranked
        if shape is not None and shape.name == "person":
            # "Who …?" is answered by a passage that names someone, when the site has one that does
            ranked = [c for c in ranked if shape.fits(c.passage.text)] or ranked
        key = self._key_subject_term(understanding, weights)
        if key is not None:
            # the head or the price of something else does not answer: what is asked about must be there
            ranked = [c for c in ranked if c.matched.intersection(key.variants)]
        for narrowed in self._narrowed_to(understanding, weights):
            # "the CityLAB in Hamburg", "the fee for the summer workshop": the one elsewhere does not answer;
            # a passage of a section that says it (the keynote under "the symposium took place in Zurich") does
            holding = {c.section for c in asked_for if c.matched.intersection(narrowed.variants)}
            ranked = [c for c in ranked if c.section in holding]
        person = [t for t in query.terms if t.came_through("person")]
        if person:
            # "her thesis" after a question about someone: a passage that does not name her is not about her
            about = [c for c in ranked if any(c.matched.intersection(t.variants) for t in person)]
            ranked = about or ranked
        if understanding.role:
            role = next((t for t in query.terms if t.word.lower() == understanding.role.lower()), None)
            # "who leads X?" is answered by a passage that says who leads, not by one naming X and a person
            ranked = [c for c in ranked if self._names_a_role(c, role)]
            # ... and by the one who leads before the one who stands in ("Lab director" before "Lab co-director")
            ranked = sorted(ranked, key=lambda c: _names_a_deputy_only(c.passage.heading or "", c.passage.text))
        # no candidate covers enough of the question: the answer abstains, and no quote need be chosen
        enough = _covers_enough(query, weights, ranked)
        hits = _Selection(self, query, limit, shape).pick(ranked) if enough else []
        if not hits or not enough:
            answer = Answer(question, lang, True, MESSAGES[lang]["abstain"])
        else:
            answer = Answer(question, lang, False, MESSAGES[lang]["lead"], hits)
        answer = pinned_first(self.index, self.analyzer, query, answer, MESSAGES[lang]["lead"])
        searched = None
        if answer.abstained:
            searched = [c.passage for c in sorted((c for c in found if c.found_at is not None), key=_found_at)]
        return Explanation(understanding, weights, ranked, answer, searched)

    def quote(self, passage: Passage, query: ParsedQuery, matched: set[str], shape: AnswerShape | None = None) -> Quote:
        """The best one to three sentences of a passage, verbatim, or the whole of a list; a sentence shaped
        like the answer asked for (the date of "when") counts one matched word more."""
        text = passage.text
        short = SHORT_REFERENCE_WORDS if passage.kind == "publication" else SHORT_PASSAGE_WORDS
        if not passage.is_list and word_count(text) > short:
            spans = _sentence_spans(text)
            # words already matched by the page title say nothing about which sentence answers, nor do the
            # words that frame the question ("Wofür steht …?" is not answered by a sentence with "stehen")
            title_terms = self.analyzer.token_terms(passage.title, passage.lang)
            framing = {v for t in query.terms if t.word.lower() in FRAME_WORDS for v in t.variants}
            choosing = (matched - title_terms - framing) or (matched - framing) or matched
            if len(spans) > MAX_QUOTE_SENTENCES:
                scores = [
                    self._sentence_score(text[a:b], passage.lang, choosing)
                    + (SHAPE_CREDIT if shape is not None and shape.fits(text[a:b]) else 0.0)
                    for a, b in spans
                ]
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
                end = best_at + len(chosen)
                if end < len(spans) and text[chosen[-1][0] : chosen[-1][1]].rstrip().endswith(":"):
                    # "… focuses on four topics:" says what follows; the quote goes on to it
                    chosen = [*chosen, spans[end]]
                if best_at > 0 and (passage.kind == "publication" or _names_its_record(passage, text, spans[0])):
                    # a reference without its authors, a person's record without the name, answers nothing:
                    # keep them, mark the gap
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
        terms = self.analyzer.token_terms(sentence, lang)
        terms.update(w.lower() for w in _WORDS.findall(sentence))
        return float(len(terms & matched))

    def _highlights(self, text: str, lang: str, matched: set[str]) -> list[tuple[int, int]]:
        if any(" " in v for v in matched):  # a phrase matched ("principal investigator") is marked word by word
            matched = matched | {part for v in matched if " " in v for part in v.split()}
        out = self.analyzer.spans_of(text, lang, matched)
        out.sort()
        merged: list[tuple[int, int]] = []
        for a, b in out:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return merged


# What kind of answer a question asks for, and what such an answer looks like in text: a


def _as_asked(earlier: str) -> str:
    """An earlier message as a follow-up reads it: what it named and asked, without greetings and the
    visitor's words about themselves."""
    message = read_message(earlier)
    return earlier if message.as_written else " ".join(filter(None, [message.named, *message.questions]))


def _joined(message: Message, explained: list[Explanation], limit: int) -> Explanation:
    """One answer to the questions of a message, led by the first that names something: its hits, then
    those of the later questions the site answers (one place kept for each), no passage twice.

    When the site does not answer the first question, the message is not answered: what comes after it
    ("Who could I contact about it?") goes on from it, and every site answers who to contact.
    """
    lead = next((e for e in explained if e.understanding.query.terms), explained[0])
    if lead.answer.abstained:
        return replace(lead, answer=replace(lead.answer, question=message.text))
    answered = [lead, *(e for e in explained[explained.index(lead) + 1 :] if not e.answer.abstained)]
    hits = lead.answer.hits[: max(limit - len(answered) + 1, 1)]
    seen = {h.passage.url for h in hits}
    for later in answered[1:]:
        for hit in later.answer.hits:
            if len(hits) < limit and hit.passage.url not in seen:
                hits.append(hit)
                seen.add(hit.passage.url)
    return replace(lead, answer=replace(lead.answer, question=message.text, hits=hits))


def _with_parts(words: Iterable[str]) -> set[str]:
    """Words as the question has them, and the parts of a hyphenated one ("Augmented-Reality-Brille"),
    which are the question's terms."""
    out: set[str] = set()
    for word in words:
        word = word.strip(_PUNCTUATION)
        out.update([word, *word.split("-")])
    return out


def _found_at(c: Candidate) -> int:
    return c.found_at or 0


def _demote_listings(ranked: list[Candidate]) -> None:
    """A passage that only lists other pages by their titles (a tag archive, "Recent posts") shares the
    words of those titles; when such a page is a candidate itself, it is where the answer stands."""
    titles: dict[str, str] = {}  # a candidate's page title -> its page
    for c in ranked:
        titles.setdefault(c.passage.title.casefold(), c.page)
    for c in ranked:
        listed = 0
        page = c.page
        for name, own_line in _listing_lines(c.passage.text):
            if titles.get(name, page) != page:
                listed += 1
            elif own_line:
                break  # a line of its own, not an entry of a listing ("04/01/20 Some post")
        else:
            if listed:
                c.score *= LISTING_SHARE
                c.reasons.append("lists other pages that are candidates themselves")


@lru_cache(maxsize=LISTING_TEXTS_KEPT)
def _listing_lines(text: str) -> tuple[tuple[str, bool], ...]:
    """Each line of a text as the title it may list (casefolded, without its list mark) and whether it
    is a line of its own rather than an entry; kept, since the same passages are candidates question
    after question."""
    out = []
    for line in text.split("\n"):
        mark = _LIST_MARK.match(line)
        name = line[mark.end() if mark else 0 :].strip().casefold()
        own_line = not (mark and _DATED.search(mark.group())) and more_words_than(line, LISTING_LABEL_WORDS)
        out.append((name, bool(own_line)))
    return tuple(out)


class _Selection:
    """Picks the hits a visitor sees from ranked candidates: one per section, few per page, no repeats."""

    def __init__(self, assistant: Assistant, query: ParsedQuery, limit: int, shape: AnswerShape | None = None) -> None:
        self.assistant, self.query, self.limit, self.shape = assistant, query, limit, shape
        self.hits: list[Hit] = []
        self.sections: dict[tuple[str, str], set[str]] = {}  # section -> variants its hit already shows
        self.texts: set[str] = set()
        self.per_page: dict[str, int] = {}
        self.firsts: dict[tuple[str, str], Candidate] = {}  # section -> the candidate its hit was made of
        self.joined: dict[tuple[str, str], int] = {}  # section -> like items joined to its hit
        self.cards: dict[tuple[str, str], list[tuple[int, Quote]]] = {}  # section -> its hit's cards, by place

    def pick(self, ranked: list[Candidate]) -> list[Hit]:
        hits = self._pick(ranked)
        # a post's text repeated on a listing page (page 12 of the blog, a tag archive) links where it is written
        written: dict[str, Passage] = {}
        for c in ranked:
            if c.passage.line is not None:
                written.setdefault(c.passage.text, c.passage)
        for hit in hits:
            if hit.passage.line is None and hit.passage.text in written:
                hit.passage = written[hit.passage.text]
        return hits

    def _pick(self, ranked: list[Candidate]) -> list[Hit]:
        if not ranked:
            return []
        top_score = ranked[0].score
        best_coverage = max(c.coverage for c in ranked)
        later: list[Candidate] = []
        for c in ranked:
            if (
                c.score < MIN_RELATIVE_SCORE * top_score or c.coverage < MIN_RELATIVE_COVERAGE * best_coverage
            ) and not self._like_sibling(c):
                continue  # a passage that shares a word or two with the question is no answer
            if c.passage.text in self.texts:
                continue
            if c.section in self.sections and c.matched <= self.sections[c.section] and not self._adds_shape(c):
                if self._a_like_item(c):
                    self._join_section(c)  # the next member of a list of like items: "Which members are at X?"
                continue
            if c.section in self.sections:
                self._join_section(c)
            elif (host := self._card_host(c)) is not None:
                self._join_card(host, c)  # the next card of a list of cards: "For which platforms ...?"
            elif self.per_page.get(c.page, 0) >= MAX_PER_PAGE and not (
                self.hits and _siblings(self.hits[0].passage, c.passage)
            ):
                later.append(c)  # other pages first; more of this one if room is left
            else:
                self._add(c)
            if len(self.hits) >= self.limit:
                return self.hits
        for c in later:
            if len(self.hits) >= self.limit:
                break
            if c.section not in self.sections:
                self._add(c)
        return self.hits

    def _like_sibling(self, c: Candidate) -> bool:
        """The next section beside one shown, matching the same words ("Spanish" after "French" under
        "Languages"): one more item of the list the question asks for, however it scores."""
        return any(
            _siblings(first.passage, c.passage) and first.matched == c.matched and first.section != c.section
            for first in self.firsts.values()
        )

    def _adds_shape(self, c: Candidate) -> bool:
        """A passage holding what is asked for (a place, a date) that its section's hit lacks: "Where
        exactly was the meeting?" wants the address under the post's opening lines."""
        shape = self.shape
        if shape is None or not shape.fits(c.passage.text):
            return False
        first = self.firsts.get(c.section)
        return first is not None and not shape.fits(first.passage.text) and self.joined.get(c.section, 0) == 0

    def _a_like_item(self, c: Candidate) -> bool:
        """A short passage of a section already shown that matches what its first one matched, about as well:
        one more person of a team list, one more partner of a list of partners."""
        first = self.firsts[c.section]
        return (
            self.joined.get(c.section, 0) < MAX_LIKE_ITEMS
            and c.matched == first.matched
            and c.score >= LIKE_ITEM_SHARE * first.score
            and word_count(c.passage.text) <= SHORT_ITEM_WORDS
            and word_count(first.passage.text) <= SHORT_ITEM_WORDS
        )

    def _card_host(self, c: Candidate) -> tuple[str, str] | None:
        """The section of a hit shown whose first passage is a short card beside this one, under one parent
        heading, matching the same words about as well: one more item of a list made of cards (a platform,
        a person of a team grid), joined to that hit rather than taking a place of its own."""
        if word_count(c.passage.text) > SHORT_ITEM_WORDS:
            return None
        for section, first in self.firsts.items():
            if (
                _siblings(first.passage, c.passage)
                and first.matched == c.matched
                and c.score >= CARD_SHARE * first.score
                and self.joined.get(section, 0) < MAX_CARDS
                and word_count(first.passage.text) <= SHORT_ITEM_WORDS
            ):
                return section
        return None

    def _join_card(self, host: tuple[str, str], c: Candidate) -> None:
        """The cards of a hit are quoted in the order the page shows them, however they ranked."""
        hit = self._hit_of(host)
        cards = self.cards.setdefault(host, [(_page_order(hit.passage), hit.quote)])
        cards.append((_page_order(c.passage), self.assistant.quote(c.passage, self.query, c.matched, self.shape)))
        cards.sort(key=lambda card: card[0])
        hit.quote = reduce(_join, (quote for _, quote in cards))
        self.joined[host] = self.joined.get(host, 0) + 1
        self.texts.add(c.passage.text)

    def _add(self, c: Candidate) -> None:
        self.firsts.setdefault(c.section, c)
        self.sections[c.section] = self.sections.get(c.section, set()) | c.matched
        self.texts.add(c.passage.text)
        self.per_page[c.page] = self.per_page.get(c.page, 0) + 1
        quote = self.assistant.quote(c.passage, self.query, c.matched, self.shape)
        self.hits.append(Hit(c.passage, round(c.score, 4), quote))

    def _hit_of(self, section: tuple[str, str]) -> Hit:
        return next(h for h in self.hits if (h.passage.page_url or h.passage.url, h.passage.heading) == section)

    def _join_section(self, c: Candidate) -> None:
        """One result a section: a second passage that answers more of the question joins its quote."""
        first = self._hit_of(c.section)
        first.quote = _join(first.quote, self.assistant.quote(c.passage, self.query, c.matched, self.shape))
        self.sections[c.section] |= c.matched
        self.joined[c.section] = self.joined.get(c.section, 0) + 1
        self.texts.add(c.passage.text)


_YEAR = LazyPattern(r"(1[89]|20)\d\d")


def _is_count(text: str, start: int, end: int) -> bool:
    """A number that can count something: not a year, a time of day ("7:00") or part of a date ("1.6.")."""
    word = text[start:end]
    if not NUMBER.search(word) or _YEAR.fullmatch(word):
        return False
    before, after = text[max(0, start - 1) : start], text[end : end + 2]
    return not (before == ":" or after[:1] == ":" or (after[:1] == "." and after[1:2].isdigit()))


def _crowding_template(found: list[Candidate]) -> str | None:
    """The source file that made more than half the candidates, on pages of their own: a template
    that makes a page per record of a data file (a profile per person) or a listing per page."""
    pages: dict[str, set[str]] = {}
    share: dict[str, int] = {}
    for c in found:
        pages.setdefault(c.passage.source, set()).add(c.passage.page_url or c.passage.url)
        share[c.passage.source] = share.get(c.passage.source, 0) + 1
    for source, count in share.items():
        if source and count > len(found) // 2 and len(pages[source]) >= TEMPLATE_PAGES:
            return source
    return None


def _own_words(query: ParsedQuery) -> ParsedQuery | None:
    """The question with only the words as typed, or None when it has no other variants."""
    own = ParsedQuery(
        query.lang, [QueryTerm(t.word, {v: w for v, w in t.variants.items() if w >= 0.99}) for t in query.terms]
    )
    own.terms = [t for t in own.terms if t.variants]
    same = len(own.terms) == len(query.terms) and all(
        len(a.variants) == len(b.variants) for a, b in zip(own.terms, query.terms, strict=True)
    )
    return None if same else own


class _Topic:
    """An everyday topic of scope.yml, looked for in a lowercased question. Its pattern is compiled the
    first time the question holds its first word: most questions hold none of them, and a fresh process
    need not compile them all."""

    __slots__ = ("words", "_first", "_source", "_pattern")

    def __init__(self, topic: str) -> None:
        parts = topic.split()
        self.words = [fold(w) for w in parts if w.lower() not in ("of", "the", "a")]
        self._first = parts[0].lower() if parts else ""
        self._source = r"(?<!\w)" + r"\s+".join(re.escape(w.lower()) for w in parts) + r"(?!\w)"
        self._pattern: re.Pattern | None = None

    def search(self, text: str) -> bool:
        if self._first not in text:  # the pattern matches its first word as written
            return False
        if self._pattern is None:
            self._pattern = re.compile(self._source)
        return self._pattern.search(text) is not None


SCOPE_FORMAT = b"1"  # bump when what scope_data returns changes


def _load_scope(path: Path) -> tuple[list[LazyPattern], list[_Topic]]:
    """The advice patterns and everyday topics of a scope file (format in scope.yml)."""
    advice, topics = scope_data(path)
    return [LazyPattern(p, re.IGNORECASE) for p in advice], [_Topic(t) for t in topics]


def scope_patterns(path: Path = SCOPE) -> list[LazyPattern]:
    """The scope file's advice patterns, ready to compile."""
    return _load_scope(path)[0]


def scope_data(path: Path = SCOPE) -> tuple[list[str], list[str]]:
    """The scope file's advice patterns and topics, from its compiled copy where there is one (a fresh
    process then needs no YAML parser); a pattern that does not compile is refused, naming the file."""
    try:
        text = path.read_bytes()
    except OSError as err:
        raise ValueError(f"{path}: cannot read the scope file: {err}") from err
    name = _scope_copy_name(text)
    data = read_copy(name)
    if isinstance(data, tuple) and len(data) == 2:
        return data
    import yaml

    try:
        # libyaml's parser where PyYAML has it: the pure-Python one is slower
        parsed = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        advice = [str(p) for p in parsed.get("advice") or []]
        for pattern in advice:
            re.compile(pattern)
    except (yaml.YAMLError, re.error, AttributeError) as err:
        raise ValueError(f"{path}: cannot read the scope file: {err}") from err
    topics = [str(topic) for words in (parsed.get("topics") or {}).values() for topic in words or []]
    write_copy(name, (advice, topics))
    return advice, topics


def _scope_copy_name(text: bytes) -> str:
    return copy_name("scope", SCOPE_FORMAT, text)


def scope_compiled(path: Path = SCOPE) -> tuple[str, bytes]:
    """The scope file's compiled copy, name and contents, for a package to ship beside the code (as
    Glossary.compiled does for the glossary)."""
    return _scope_copy_name(path.read_bytes()), marshal.dumps(scope_data(path))


def _names_its_record(passage: Passage, text: str, first: tuple[int, int]) -> bool:
    """The passage opens with the name of the heading it stands under ("Thomas De Bodt" under
    "Alumni › Thomas De Bodt"): a record of that person or thing, which a quote must not lose."""
    line = text[first[0] : first[1]].split("\n")[0].strip()
    last = (passage.heading or "").split(" › ")[-1].strip()
    return bool(line) and line == last and word_count(line) <= 8


def _join(first: Quote, second: Quote) -> Quote:
    """Two quotes of one section as one, the gap between them marked."""
    gap = " … "
    shift = len(first.text) + len(gap)
    return Quote(
        first.text + gap + second.text, first.highlights + [(a + shift, b + shift) for a, b in second.highlights]
    )


DEPUTY_SHARE = 0.5
# A role held in someone's stead: "co-director", "vice chair", "deputy head", "stellvertretende Leiterin".
_DEPUTY_ROLE = LazyPattern(
    r"(?i:\b(?:co|vice|deputy|stellvertretend\w*|stellv\.)[\s-]*)$",
)


def _names_a_deputy_only(heading: str, text: str) -> bool:
    """Whether every word of leading in a passage (its heading first) names a deputy's role."""
    found = False
    for part in (heading, text):
        for match in ROLE_WORDS.finditer(part):
            if not _DEPUTY_ROLE.search(part[max(0, match.start() - 20) : match.start()]):
                return False
            found = True
    return found


def _covers_enough(query: ParsedQuery, weights: list[float], ranked: list[Candidate]) -> bool:
    """Whether some passage matches enough of the question to answer it: most of its weight, or a little
    less when two of its words or more make that, each weighing something. A paraphrase ("Neustart" for
    "Re-launch") leaves one word unmatched that weighs much, being rare; a question the site does not
    answer matches one word of it at most (its town, a platform it names), and the site's own name."""
    floor = WORD_SHARE * sum(weights)
    telling = [t for t, w in zip(query.terms, weights, strict=True) if w >= floor]
    for c in ranked:
        if c.coverage >= MIN_COVERAGE:
            return True
        if c.coverage >= LOW_COVERAGE and sum(1 for t in telling if c.matched.intersection(t.variants)) >= 2:
            return True
    return False


def _page_order(passage: Passage) -> int:
    """Where a passage stands on its page: the number its id ends in (ids count a page's passages)."""
    tail = passage.id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else passage.line or 0


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


def heading_question(heading: str, lang: str) -> str:
    """A heading as a question a visitor can ask; a heading that is a question already stays as it is."""
    heading = " ".join(heading.split())
    if heading.endswith("?"):
        return heading
    return DID_YOU_MEAN_PATTERN.get(lang, DID_YOU_MEAN_PATTERN["en"]).format(heading)


def best_of(question: str, hits: list[Hit], analyzer: Analyzer | None = None) -> Best | None:
    """The hit and the sentence of its quote that answer the question.

    The sentence holding the most distinct matched words wins ("founded" and "founding" are
    one word, given the analyzer); one shaped like the answer asked for ("When ...?" and a
    year) counts one word more, and a hit further down the ranking counts a little less, so
    ties go to the higher one. A list answers as a whole.
    """

    def word(text: str, lang: str) -> str:
        terms = analyzer.tokens(text, lang) if analyzer else []
        return terms[0].term if terms else text.casefold()

    if not hits:
        return None
    shape = answer_shape(question)
    role = asked_role(question)
    top = max(hits[0].score, 1e-9)
    best, best_value = Best(0, (0, len(hits[0].quote.text))), -1.0
    for i, hit in enumerate(hits):
        text = hit.quote.text
        spans = [] if hit.passage.is_list else _whole_sentences(text)
        for a, b in spans or [(0, len(text))]:
            words = {word(text[s:e], hit.passage.lang) for s, e in hit.quote.highlights if a <= s and e <= b}
            value = len(words) + (SHAPE_CREDIT if shape is not None and shape.fits(text[a:b]) else 0.0)
            value *= (max(hit.score, 0.0) / top) ** RANK_WEIGHT
            if role and _names_a_deputy_only("", text[a:b]):
                value *= DEPUTY_SHARE  # "Who leads …?": the one who stands in answers after the one who leads
            if value > best_value + 1e-9:
                best, best_value = Best(i, (a, b)), value
    return best


_ORDINAL_END = LazyPattern(r"(?<![\w.])\d{1,2}\.$")


def _whole_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, where "am 27. Juni" (a German ordinal) does not end a sentence."""
    spans: list[tuple[int, int]] = []
    for a, b in _sentence_spans(text):
        if spans and _ORDINAL_END.search(text[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def answer_to_json(answer: Answer) -> dict:
    """The HTTP API's answer object."""
    best = answer.best or (None if answer.abstained else best_of(answer.question, answer.hits))
    return {
        "question": answer.question,
        "lang": answer.lang,
        "abstained": answer.abstained,
        "answer": answer.message,
        "best": {"passage": best.hit, "sentence": list(best.sentence)} if best else None,
        "did_you_mean": list(answer.did_you_mean),
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
                "lang": hit.passage.lang,
                "translations": dict(hit.passage.translations or {}),
            }
            for hit in answer.hits
        ],
    }


def format_explanation(explanation: Explanation, top: int = 5) -> str:
    """What `assistant ask --explain` prints: each word's variants by the step that added them, then the ranking."""
    u = explanation.understanding
    lines = [f"language: {u.lang}" + (f"; answer shape: {u.shape.name}" if u.shape else "")]
    if u.earlier:
        lines.append(f"follow-up of: {u.earlier!r}")
    for term, weight in zip(u.query.terms, explanation.weights, strict=True):
        status = "" if term.known else " (not on the site)"
        lines.append(f"word {term.word!r}: weight {weight:.2f}{status}")
        by_step: dict[str, list[str]] = {}
        for variant, w in sorted(term.variants.items(), key=lambda kv: -kv[1]):
            step, reason = term.why.get(variant, ("own", "as typed"))
            by_step.setdefault(step, []).append(f"{variant} {w:.2f} ({reason})")
        for step, variants in by_step.items():
            lines.append(f"  {step}: " + "; ".join(variants))
    lines.append("")
    if not explanation.candidates:
        if not u.query.terms:
            why = "no words to look up"
        elif u.shape is not None and u.shape.required:
            why = f"no passage holds what is asked for ({u.shape.name}), or the question is out of scope"
        else:
            why = "out of scope (scope.yml) or nothing found"
        lines.append("no candidates: " + why)
    for n, c in enumerate(explanation.candidates[:top], 1):
        where = c.passage.title + (f" — {c.passage.heading}" if c.passage.heading else "")
        lines.append(f"{n}. {where} [{c.passage.url}]")
        lines.append(
            f"   score {c.score:.3f} = bm25 {c.bm25:.3f} x (0.25 + coverage {c.coverage:.2f})^{COVERAGE_POWER}"
            + "".join(f"; {r}" for r in c.reasons)
        )
        lines.append(f"   matched: {', '.join(sorted(c.matched)) or 'nothing'}")
    best = max((c.coverage for c in explanation.candidates), default=0.0)
    verdict = "declined" if explanation.answer.abstained else "answered"
    lines.append(
        f"{verdict}: best coverage {best:.2f} (abstains below {MIN_COVERAGE}, or below {LOW_COVERAGE} when"
        " fewer than two of the question's words make it)"
    )
    return "\n".join(lines)
