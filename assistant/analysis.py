"""English/German text analysis shared by the index and the question parser.

Passages are analysed in their own language: words are lowercased, stemmed
with that language's Snowball stemmer, and folded (accents stripped, ß -> ss).
A question is analysed in *both* languages so that a German question finds an
English passage and vice versa; a bilingual glossary adds translations, the
index vocabulary corrects typos, and German compounds are split into parts.

Only ``re``, ``unicodedata`` and ``Stemmer`` are imported at module load; the
glossary (YAML) is read on the first question.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import Stemmer

from .text import LazyPattern, fold

if TYPE_CHECKING:
    from .glossary import Glossary
    from .question import QuestionParser

__all__ = [
    "Analyzer",
    "ParsedQuery",
    "QueryTerm",
    "Token",
    "MAX_WORD_LETTERS",
    "Vocabulary",
    "damerau_levenshtein",
    "detect_language",
    "fold",
]

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.yml")  # the institute vocabulary
LEXICON = Path(__file__).with_name("lexicon.yml")  # the everyday words of university websites around it

STEMMER_NAMES = {"en": "english", "de": "german"}
LANGS = tuple(STEMMER_NAMES)
# Words whose analysis each cache keeps before it starts afresh. Words repeat, so a few tens of
# thousands catch nearly every repeat; a large site's every rare name kept (three caches, in every
# process of a build) would cost more memory than the time it saves.
CACHED_WORDS = 50_000
QUOTED_TEXTS_KEPT = 2048  # texts (passages, sentences) whose tokens the answer stage keeps (some 10 MB)

# ---------------------------------------------------------------------------
# Stop words. Question words are stop words: they say what kind of answer is
# wanted, never what it is about.

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """
        a about above after again against all also am an and any are aren't as at be because been before
        being below between both but by can cannot could did didn't do does doesn't doing don't down during
        each either else ever every few for from further get gets got had has hasn't have haven't having he
        her here hers herself him himself his how however i if in into is isn't it it's its itself just
        let me more most much must my myself no nor not now of off often on once one only or other our ours
        ourselves out over own please same shall she should so some such tell than that that's the their
        theirs them themselves then there there's these they this those through thus to too under until up
        upon us very via was wasn't we were weren't what what's when where where's whether which while who
        who's whom whose why will with within without would yet you your yours yourself yourselves
        anyone anything anybody someone something find know show give list name named
        """.split()
    ),
    "de": frozenset(
        """
        ab aber alle allem allen aller alles als also am an ander andere anderen anderem anderer anderes auch auf
        aus bei beim bin bis bist bitte da dabei dadurch dafür dagegen daher damit dann daran darauf darf
        darin darüber das dass dein deine dem den denn der deren des dessen dich die dies diese diesem diesen
        dieser dieses dir doch dort du durch ein eine einem einen einer eines einige einiger er es etwas euch
        euer eure für gegen gibt gab habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre ihrem
        ihren ihrer ihres im in ist ja jede jedem jeden jeder jedes jemand jetzt kann kannst kein keine
        keinem keinen keiner können könnte man manche mein meine mich mir mit muss müssen nach nein nicht
        nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner sich sie sind so solche soll
        sollen sondern sowie über um und uns unser unsere unter viel vom von vor war waren warum was weil
        welche welchem welchen welcher welches wem wen wenn wer werde werden wie wieso weshalb wieviel
        wieviele wievielen wie viele wir wird wo woher wohin worden wurde wurden zu zum zur zwischen
        irgendwer jemanden etwas nenne nennen zeige zeigen sag sagen
        """.split()
    ),
}

# Function words that tell the languages apart in short questions. Words that
# are common in both ("die", "was", "in", "an", "am") are left out.
_DE_MARKERS = frozenset(
    """
    der das und ist sind wer wo wie macht machen wann warum welche welcher welches welchen wieso weshalb woher wohin
    gibt es ein eine einen einem dem den des im ich mit für fuer von zu zum zur auf bei beim nach über
    ueber unter nicht auch sich sie er wir ihr kann können koennen muss hat haben wird werden wurde
    man mein meine kein keine oder aber sowie gegen durch ohne um vom seit bitte leitet sitzt arbeitet
    gehört gehoert forscht liegt heißt heisst befindet erreiche erreichen
    """.split()
)
_EN_MARKERS = frozenset(
    """
    the is are who what where when why how which does do did of for and to a at on with by from there
    this that these those can could i you my about has have been be it its whom whose work works
    working located leads head find contact any does much many
    """.split()
)
_DE_SUFFIXES = ("ung", "keit", "heit", "schaft", "lich", "isch", "chen", "ungen", "tät")


# ---------------------------------------------------------------------------
# Tokenising and folding

_URL = r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
EMAIL_TERM = "email"  # indexed beside every e-mail address
ADDRESS_TERMS = ("address", "street")  # indexed beside every German street name
_STREET_ENDINGS = ("str", "straße", "strasse")
_WORD = r"\w+(?:['’.\-‐‑]\w+)*"
TOKEN_RE = LazyPattern(f"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<word>{_WORD})")
_WORD_RE = LazyPattern(_WORD)  # TOKEN_RE's tokens in a text with no "@", "://" or "www."
_PART_RE = LazyPattern(r"[^\W_]+")
TRAILING = ".,;:!?)]}'\""  # punctuation that ends a sentence, not a URL
UMLAUT_DIGRAPHS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
DIGRAPH_RE = LazyPattern(r"(?<=[a-z])(ae|oe|ue)")  # "ue" that may stand for "ü"


def split_token(raw: str) -> list[tuple[str, int, int]]:
    """Alphanumeric parts of a compound token with their offsets inside it."""
    return [(m.group(), m.start(), m.end()) for m in _PART_RE.finditer(raw)]


def detect_language(text: str, default: str = "en") -> str:
    """Guess "en" or "de" from function words, umlauts and typical endings.

    Works on a handful of words ("Wer leitet ...?", "Where is ..."), which is
    what visitors type; ties go to ``default``.
    """
    de = en = 0.0
    lowered = text.casefold()
    if _UMLAUT_RE.search(lowered):
        de += 1.5
    words = _LETTERS_RE.findall(lowered)
    last = len(words) - 1
    for i, word in enumerate(words):
        if word == "die" or word == "was":
            if i == 0 or (word == "die" and i < last):
                de += 1 if i == 0 else 0.5
            continue
        score = _WORD_SCORES.get(word)
        if score is None:
            score = _word_score(word)
            if len(_WORD_SCORES) > 100_000:
                _WORD_SCORES.clear()
            _WORD_SCORES[word] = score
        de += score[0]
        en += score[1]
    if de > en:
        return "de"
    if en > de:
        return "en"
    return default if default in LANGS else "en"


_UMLAUT_RE = LazyPattern(r"[äöüß]")
_LETTERS_RE = LazyPattern(r"[^\W\d_]+")
_DE_LETTERS_RE = LazyPattern(r"sch|cht|tz|pf|ei")
_EN_LETTERS_RE = LazyPattern(r"^th|^wh|ght|ou")
_WORD_SCORES: dict[str, tuple[float, float]] = {}  # words repeat: score each once


def _word_score(word: str) -> tuple[float, float]:
    """What one word (other than "die" and "was", which depend on where they stand) adds to (de, en)."""
    if word in _DE_MARKERS:
        return 1, 0
    if word in _EN_MARKERS:
        return 0, 1
    if len(word) > 5 and word.endswith(_DE_SUFFIXES):
        return 0.5, 0
    if len(word) > 5 and word.endswith(("ing", "ness", "ship", "ed")):
        return 0, 0.5
    if _DE_LETTERS_RE.search(word):
        return 0.25, 0
    if _EN_LETTERS_RE.search(word):
        return 0, 0.25
    return 0, 0


def _letter_bits(word: str, bits: dict[tuple[str, int], int], grow: bool) -> tuple[int, int]:
    """A word's letters as a multiset of bits (the k-th "e" is its own bit), and how many of its letters
    have no bit. Two words differ by popcount(a ^ b) letters, counts compared: a lower bound on twice
    their edit distance, told by one integer operation instead of a loop over letters. Only the
    vocabulary's letters get bits (``grow``); a question's unknown letters are counted instead, so a
    question cannot make the table grow."""
    seen: dict[str, int] = {}
    mask = unknown = 0
    for c in word:
        k = seen[c] = seen.get(c, 0) + 1
        bit = bits.get((c, k))
        if bit is None:
            if not grow:
                unknown += 1
                continue
            bit = bits[(c, k)] = 1 << len(bits)
        mask |= bit
    return mask, unknown


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment).

    With ``limit``, stops as soon as the distance must exceed it and returns ``limit + 1``:
    a typo is at most two edits off, and two long words unlike each other are told apart
    after a few letters instead of all of them.
    """
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and i > 1 and min(cur) > limit and min(prev) > limit:
            return limit + 1  # every later row is at least as large (a swap reaches back one row)
        prev2, prev = prev, cur
    return prev[-1] if limit is None else min(prev[-1], limit + 1)


_POSTAL = LazyPattern(
    r"\b(?:[A-Z]{1,2}-)?\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+"  # "10099 Berlin", "D-45147 Essen"
    r"|(?:^|(?<=[,\n]))[ \t]*(?:[A-Z]{1,2}-)?(?!(?:19|20)\d\d\b)\d{4}\s+[A-ZÄÖÜ][a-zäöüß]+",  # a line "3001 Leuven"
    re.M,
)


_POSTAL_HINT = LazyPattern(r"\d{4}\s+[A-ZÄÖÜ]")  # what both of _POSTAL's forms hold: most texts have none


def _postal_codes(text: str) -> list[tuple[str, int, int]]:
    """A postcode and town make a postal address although no word of it says so."""
    if not _POSTAL_HINT.search(text):
        return []
    return [(term, m.start(), m.end()) for m in _POSTAL.finditer(text) for term in ADDRESS_TERMS]


# The vocabulary holds words of 4-40 letters: a longer word can be no typo of one, and a run of letters
# without spaces (CJK, Hangul, Arabic, a pasted blob) of any length must cost no more than a word.
MAX_WORD_LETTERS = 40


def typo_distance(word: str) -> int:
    """How many edits a word of this length may be off by: 0 below 5 letters, 1 up to 7, else 2;
    0 above MAX_WORD_LETTERS (an edit automaton grows with the word: 1,000 letters took gigabytes)."""
    n = len(word)
    if n > MAX_WORD_LETTERS:
        return 0
    return 0 if n < 5 else 1 if n <= 7 else 2  # "rain", "best", "came" are words, not typos of "train"


# ---------------------------------------------------------------------------
# German compounds, split without a dictionary: a word is cut where its tail
# is a known part and its head (less a linking -s-/-es-/-en-/-n-/-e-) is long
# enough or known. The parts below are frequent in institutional German; at
# question time the index vocabulary is consulted as well.

_COMPOUND_PARTS = frozenset(  # folded, as the words they are matched against: "forderung", "gerat"
    fold(part)
    for part in """
    abteilung adresse akademie aktivität amt analyse angebot anlage ansatz anschrift antrag arbeit arbeiter
    arbeitsgruppe art arzt ausbildung ausschuss austausch auszeichnung bank beirat bereich bericht beruf
    betreuung bild bildung bio biologie chemie daten datenbank datenschutz dienst dienstleistung doktor
    doktorand druck einheit einrichtung entwicklung ergebnis erkrankung fach fakultät feld forschung
    forscher förderung frage frau freiheit führung gebäude geld genom gerät gesellschaft gesetz gesundheit
    gruppe haus hilfe hochschule informatik information institut jahr kammer karriere klinik klinikum
    kommission kompetenz konferenz kontakt kooperation kosten kraft krankheit krebs kurs labor land
    lehre lehrstuhl leiter leitung leistung lernen licht liste mann medizin mensch methode ministerium
    mittel modell nachricht nachwuchs name netz netzwerk nummer ort partner patient person plan plattform
    politik position praxis preis professor professur programm projekt prozess prüfung rat raum recht
    rechner rechnung referat reihe sache schrift schule schutz schwerpunkt seite sicherheit sitz sprecher
    stadt standort stelle stelle stellen stiftung stipendium stoff strategie struktur studie studium
    stufe stunde system tag tagung team technik technologie teil telefon thema theorie training träger
    universität verbund verfahren verwaltung vertrag verein vorstand wahl weg welt werk wert wissen
    wissenschaft wissenschaftler woche wochen zeit zeitschrift zentrum ziel zweck
    vorschlag beitrag ausschreibung veranstaltung vortrag workshop seminar vorlesung treffen reise aufenthalt
    kolloquium ausstellung sammlung archiv edition ausgabe verlag buch artikel aufsatz quelle sprache kultur
    geschichte literatur kunst musik medien karte sensor messung saal zimmer büro ergänzung
    verbesserung änderung beratung anmeldung bewerbung klausur schein nachweis bescheinigung urkunde gewinner
    mitglied kreis verband termin frist monat semester übersicht
    """.split()
)
_LINKS = ("s", "es", "en", "n", "e", "er")
_INFLECTIONS = ("", "e", "en", "n", "s", "er", "es", "ern", "in", "innen")  # -in: Leiterin ~ Leiter


@dataclass
class Token:
    term: str
    start: int  # offsets into the analysed text, for highlighting
    end: int


@dataclass
class QueryTerm:
    """A question word and the index terms that stand for it, each with a weight and the step that added it."""

    word: str  # as typed
    # index term -> weight; a variant with spaces is a phrase of index terms
    # (a multi-word glossary translation) to be matched as a phrase
    variants: dict[str, float] = field(default_factory=dict)
    known: bool = True  # the word itself (or its stem) occurs in the index
    corrected: bool = False  # variants include spellings the index uses for a word it does not know
    why: dict[str, tuple[str, str]] = field(default_factory=dict)  # variant -> (step, reason)

    def add(self, variant: str, weight: float, step: str, reason: str) -> None:
        """Add a variant unless an earlier step already did."""
        if variant not in self.variants:
            self.variants[variant] = weight
            self.why[variant] = (step, reason)

    def add_best(self, variant: str, weight: float, step: str, reason: str) -> None:
        """Add a variant, or raise its weight when this step rates it higher."""
        if weight > self.variants.get(variant, 0.0):
            self.variants[variant] = weight
            self.why[variant] = (step, reason)

    def came_through(self, step: str) -> bool:
        return any(s == step for s, _ in self.why.values())

    def trim(self, limit: int) -> None:
        """Keep the ``limit`` heaviest variants (the question's budget)."""
        if len(self.variants) > limit:
            keep = sorted(self.variants, key=lambda v: -self.variants[v])[:limit]
            self.variants = {v: self.variants[v] for v in keep}
            self.why = {v: self.why[v] for v in keep if v in self.why}


@dataclass
class ParsedQuery:
    lang: str
    terms: list[QueryTerm] = field(default_factory=list)
    verbs: frozenset[str] = frozenset()  # question words standing where English puts the verb (lower case)
    owner: frozenset[str] = frozenset()  # words for the site's own body ("the group"), lower case

    def all_variants(self) -> dict[str, float]:
        """Every index term of the question with its best weight, for highlighting.

        Phrases are broken into their terms here, so the result can be
        compared with :meth:`Analyzer.tokens` one token at a time.
        """
        merged: dict[str, float] = {}
        for term in self.terms:
            for variant, weight in term.variants.items():
                for part in variant.split():
                    merged[part] = max(weight, merged.get(part, 0.0))
        return merged


class Vocabulary:
    """Terms known to an index with their document frequencies.

    Tells a typo from a word, suggests the nearest known spelling, and lets
    the question parser split German compounds against what the site uses.
    This in-memory form suits small sites and tests; the index provides one
    backed by its term dictionary.
    """

    def __init__(self, counts: Mapping[str, int] | None = None) -> None:
        self._counts = dict(counts or {})
        self._buckets: dict[int, list[str]] | None = None
        self._bits: dict[tuple[str, int], int] = {}  # (letter, its k-th occurrence) -> one bit
        # (length, first letter or "" for any) -> (letter bits, term)
        self._masked: dict[tuple[int, str], list[tuple[int, str]]] = {}

    def __contains__(self, term: object) -> bool:
        return self.doc_freq(term) > 0 if isinstance(term, str) else False

    def long_form(self, short: str) -> tuple[str, str] | None:
        """The name an acronym stands for on the site, and the language it is written in (an index knows them)."""
        return None

    def __len__(self) -> int:
        return len(self._counts)

    def doc_freq(self, term: str) -> int:
        return self._counts.get(term, 0)

    def ending_with(self, tail: str, limit: int = 20) -> list[str]:
        """Words of the site that end with ``tail`` (German compounds whose head it is), most frequent first."""
        found = [t for t in self._counts if t.endswith(tail) and t.isalpha()]
        return sorted(found, key=lambda t: (-self._counts[t], t))[:limit]

    def starting_with(self, head: str, limit: int = 20) -> list[str]:
        """Words of the site that start with ``head`` (German compounds it is the first part of), in order."""
        return sorted(t for t in self._counts if t.startswith(head) and t.isalpha())[:limit]

    def candidates(self, word: str, distance: int) -> Iterable[str]:
        """Terms that may lie within ``distance`` edits of ``word`` (a superset is fine)."""
        buckets = self._by_length()
        for n in range(len(word) - distance, len(word) + distance + 1):
            yield from buckets.get(n, ())

    def _by_length(self) -> dict[int, list[str]]:
        if self._buckets is None:
            self._buckets = {}
            for term in self._counts:
                if term.isalpha():
                    self._buckets.setdefault(len(term), []).append(term)
        return self._buckets

    def _near_in_letters(self, word: str, distance: int, same_start: bool = False) -> list[str]:
        """Candidates whose letter counts differ from the word's by at most two per edit allowed: an
        edit changes them by two at most, so the others need no alignment (``same_start``: only words
        with the word's first letter)."""
        lengths = range(len(word) - distance, len(word) + distance + 1)
        start = word[:1] if same_start else ""
        buckets, masked = self._by_length(), self._masked
        for n in lengths:  # each length's bits when first asked: a fresh process pays for few of them
            if (n, start) not in masked:
                terms = [t for t in buckets.get(n, ()) if t.startswith(start)]
                masked[(n, start)] = [(_letter_bits(t, self._bits, True)[0], t) for t in terms]
        mask, unknown = _letter_bits(word, self._bits, False)
        room = 2 * distance - unknown
        if room < 0:
            return []
        return [term for n in lengths for bits, term in masked[(n, start)] if (bits ^ mask).bit_count() <= room]

    def suggest(self, word: str, limit: int = 2, distance: int | None = None, same_start: bool = False) -> list[str]:
        """Nearest known terms to a misspelt word, closest first, then most frequent (``distance``: the
        edits allowed, else as many as a word of its length may have; ``same_start``: only terms that
        begin with the word's first letter, which a slip of the finger rarely hits)."""
        word = fold(word)
        max_distance = typo_distance(word) if distance is None else distance
        if not max_distance:
            return []
        scored = []
        for term in self._near_in_letters(word, max_distance, same_start):
            if term == word:
                continue
            d = damerau_levenshtein(word, term, max_distance)
            if d <= max_distance:
                scored.append((d, -self.doc_freq(term), term))
        scored.sort()
        if not scored:
            return []
        best = scored[0][0]
        return [term for d, _, term in scored if d == best][:limit]


class Analyzer:
    """Turns text into index terms and questions into weighted term variants."""

    # Bump when index-time analysis changes: old indexes must then be rebuilt.
    # The glossary is applied to questions only, so editing it needs no rebuild.
    version = "10"

    def __init__(self, glossary: Path | None = None, extra_glossaries: Iterable[Path] = ()) -> None:
        bundled = [Path(glossary)] if glossary else [DEFAULT_GLOSSARY, LEXICON]
        self.glossary_paths = bundled + [Path(p) for p in extra_glossaries]
        self._stemmers = {lang: Stemmer.Stemmer(name) for lang, name in STEMMER_NAMES.items()}
        self._word_cache: dict[tuple[str, str], tuple[str, ...]] = {}
        self._stems_cache: dict[str, dict[str, str]] = {}  # see stems
        self._token_cache: dict[tuple[str, str], tuple[tuple[str, int, int], ...]] = {}
        # per language, each token's index terms (_token_cache without offsets) and exact terms
        self._terms_cache: dict[str, dict[str, tuple[list[str], list[str]]]] = {}
        # per language, each token's terms with their offsets and their text lowercased (for highlighting)
        self._span_cache: dict[str, dict[str, tuple[tuple[str, str, int, int], ...]]] = {}
        self._quoted: dict[tuple[str, str], tuple[tuple[str, str, int, int], ...]] = {}  # see _quoted_tokens
        self._glossary: Glossary | None = None
        self._parser: QuestionParser | None = None

    # -- index time --------------------------------------------------------

    def stem(self, word: str, lang: str) -> str:
        """Stem a lowercased word (umlauts intact) and fold the result."""
        stemmer = self._stemmers.get(lang) or self._stemmers["en"]
        return fold(stemmer.stemWord(word))

    def stems(self, word: str) -> dict[str, str]:
        """The word lowercased and stemmed in each language, kept: a question's words are stemmed both
        ways to meet the glossary, and the same words come back question after question. The dict is
        shared; its readers do not change it."""
        found = self._stems_cache.get(word)
        if found is None:
            lower = word.lower()
            found = {lang: self.stem(lower, lang) for lang in LANGS}
            if len(self._stems_cache) > CACHED_WORDS:
                self._stems_cache.clear()
            self._stems_cache[word] = found
        return found

    def _word_terms(self, word: str, lang: str) -> tuple[str, ...]:
        """Index terms of one plain word: stem, umlaut spelling, compound parts."""
        key = (word, lang)
        cached = self._word_cache.get(key)
        if cached is not None:
            return cached
        lower = word.lower()
        folded = fold(lower)
        if (
            lower in STOP_WORDS.get(lang, ())
            or folded in STOP_WORDS.get(lang, ())
            or (len(folded) < 2 and not folded.isdigit())
        ):
            terms: tuple[str, ...] = ()
        elif not folded.isalpha():
            terms = (folded,)
        else:
            out = [self.stem(lower, lang)]
            if any(c in lower for c in "äöü"):
                out.append(self.stem(lower.translate(UMLAUT_DIGRAPHS), lang))
            if lang == "de":
                for part in self.compound_parts(folded):
                    out.append(self.stem(part, "de"))
            terms = tuple(dict.fromkeys(out))
        if len(self._word_cache) > CACHED_WORDS:
            self._word_cache.clear()
        self._word_cache[key] = terms
        return terms

    def _raw_terms(self, raw: str, kind: str | None, lang: str) -> tuple[tuple[str, int, int], ...]:
        """Index terms of one token with offsets relative to it (cached: words repeat)."""
        key = (raw, lang)
        cached = self._token_cache.get(key)
        if cached is not None:
            return cached
        if raw.isalnum():
            out = tuple((term, 0, len(raw)) for term in self._word_terms(raw, lang))
            if len(raw) > 5 and raw.lower().endswith(_STREET_ENDINGS):
                # "Girardetstr. 2" is an address although no word of it says so
                out += tuple((term, 0, len(raw)) for term in ADDRESS_TERMS)
        else:
            # e-mail, URL, hyphenated name, abbreviation, decimal: whole token, then its parts
            parts = split_token(raw)
            abbreviation = kind == "word" and all(len(p) == 1 for p, _, _ in parts)
            whole = (
                [(fold(raw), 0, len(raw))] if kind != "word" or abbreviation or any(c in raw for c in "-‐‑.@") else []
            )
            if abbreviation:
                parts = []
            out = tuple(whole + [(term, s, e) for part, s, e in parts for term in self._word_terms(part, lang)])
            if kind == "word" and "." in raw and len(parts) > 1:  # "Ph.D." is also written "PhD"
                out += ((fold(raw.replace(".", "")), 0, len(raw)),)
            if kind == "word" and len(parts) == 2 and all(p.isalpha() for p, _, _ in parts):
                # "Post-doc" is also written "postdoc", "E-Mail" "Email": the joined word's terms too
                have = {term for term, _, _ in out}
                joined = self._word_terms(parts[0][0] + parts[1][0], lang)
                out += tuple((term, 0, len(raw)) for term in joined if term not in have)
        if len(self._token_cache) > CACHED_WORDS:
            self._token_cache.clear()
        self._token_cache[key] = out
        return out

    def _matches(self, text: str) -> Iterable[tuple[str, str | None, int]]:
        for m in TOKEN_RE.finditer(text):
            kind = m.lastgroup
            raw = m.group()
            if kind == "url":
                raw = raw.rstrip(TRAILING)
            yield raw, kind, m.start()

    def tokens(self, text: str, lang: str) -> list[Token]:
        """Index terms with their offsets in ``text``, for highlighting quotes."""
        found = [
            Token(term, start + s, start + e)
            for raw, kind, start in self._matches(text)
            for term, s, e in self._raw_terms(raw, kind, lang)
        ]
        return found + [Token(term, s, e) for term, s, e in _postal_codes(text)]

    def token_terms(self, text: str, lang: str) -> set[str]:
        """The terms of :meth:`tokens`, as a set, without making a Token of each (quotes score sentences by it)."""
        return {term for term, _, _, _ in self._quoted_tokens(text, lang)}

    def spans_of(self, text: str, lang: str, wanted: AbstractSet[str]) -> list[tuple[int, int]]:
        """Offsets of the tokens of ``text`` (as :meth:`tokens` finds them) whose term, or whose text
        lowercased, is in ``wanted``: the highlights of a quote."""
        return [
            (s, e) for term, lowered, s, e in self._quoted_tokens(text, lang) if term in wanted or lowered in wanted
        ]

    def _quoted_tokens(self, text: str, lang: str) -> tuple[tuple[str, str, int, int], ...]:
        """Each term of the tokens of ``text`` with the token's text lowercased and its offsets, kept for
        the texts read last: the answer stage quotes and scores the same passages' sentences question
        after question, and tokenising them again was most of its time."""
        key = (text, lang)
        found = self._quoted.get(key)
        if found is not None:
            return found
        cache = self._span_cache.get(lang)
        if cache is None or len(cache) > CACHED_WORDS:
            cache = self._span_cache[lang] = {}
        out: list[tuple[str, str, int, int]] = []
        for m in TOKEN_RE.finditer(text):
            raw = m.group()
            kind = m.lastgroup
            if kind == "url":
                raw = raw.rstrip(TRAILING)
            terms = cache.get(raw)
            if terms is None:  # kept by the token's text, as _raw_terms keeps its terms
                terms = cache[raw] = tuple(
                    (term, raw[s:e].lower(), s, e) for term, s, e in self._raw_terms(raw, kind, lang)
                )
            start = m.start()
            out.extend((term, lowered, start + s, start + e) for term, lowered, s, e in terms)
        out.extend((term, text[s:e].lower(), s, e) for term, s, e in _postal_codes(text))
        if len(self._quoted) >= QUOTED_TEXTS_KEPT:
            self._quoted.clear()
        found = self._quoted[key] = tuple(out)
        return found

    def index_terms(self, text: str, lang: str) -> list[str]:
        """Stemmed terms of ``text`` (with compound parts), stop words dropped."""
        return self.passage_terms(text, lang)[0]

    def exact_terms(self, text: str) -> list[str]:
        """Folded, unstemmed tokens: names, e-mail addresses, codes, numbers."""
        return self.passage_terms(text, "en")[1]

    def passage_terms(self, text: str, lang: str) -> tuple[list[str], list[str]]:
        """The index terms of ``text`` (:meth:`index_terms`) and its exact terms (:meth:`exact_terms`),
        from one pass over its tokens: this runs over every passage, so it makes no Token objects and
        reads each token's terms from a cache (words repeat)."""
        cache = self._terms_cache.get(lang)
        if cache is None or len(cache) > CACHED_WORDS:
            cache = self._terms_cache[lang] = {}
        if "@" in text or "://" in text or "www." in text:
            raws = []
            for url, email, word in TOKEN_RE.findall(text):
                if word:
                    raws.append(word)
                    continue
                raw, kind = (email, "email") if email else (url.rstrip(TRAILING), "url")
                if raw not in cache:
                    cache[raw] = self._token_entry(raw, kind, lang)
                raws.append(raw)
        else:  # no URL and no e-mail address can start anywhere: every token is a word
            raws = _WORD_RE.findall(text)
        terms: list[str] = []
        exact: list[str] = []
        for raw in raws:
            entry = cache.get(raw)
            if entry is None:
                entry = cache[raw] = self._token_entry(raw, "word", lang)
            terms += entry[0]
            exact += entry[1]
        terms.extend(term for term, _, _ in _postal_codes(text))
        return terms, exact

    def _token_entry(self, raw: str, kind: str, lang: str) -> tuple[list[str], list[str]]:
        """One token's index terms and exact terms."""
        folded = fold(raw)
        parts = [p for p, _, _ in split_token(folded)]
        exact = ([] if parts == [folded] else [folded]) + parts
        lower = raw.lower()
        if lower.isalpha() and any(c in lower for c in "äöü"):
            exact.append(lower.translate(UMLAUT_DIGRAPHS))
        return [term for term, _, _ in self._raw_terms(raw, kind, lang)], exact

    def compound_parts(self, word: str, vocabulary: Container[str] | None = None) -> list[str]:
        """Parts of a German compound, outermost split first: "nachwuchsgruppe" -> nachwuchs, gruppe.
        ``vocabulary`` holds the words a part may be besides the built-in ones (the site's, the glossary's)."""
        word = fold(word)
        if len(word) < 8 or not word.isalpha():
            return []
        parts: list[str] = []
        self._split(word, vocabulary, parts, depth=0)
        return parts

    def _lemma(self, part: str, vocabulary: Container[str] | None) -> str | None:
        """The known word ``part`` is a form of, if any."""
        for suffix in _INFLECTIONS:
            if suffix and not part.endswith(suffix):
                continue
            base = part[: len(part) - len(suffix)] if suffix else part
            if len(base) >= 3 and base in _COMPOUND_PARTS:
                return base
        if vocabulary is not None and len(part) >= 4 and (part in vocabulary or self.stem(part, "de") in vocabulary):
            return part
        return None

    def _split(self, word: str, vocabulary: Container[str] | None, parts: list[str], depth: int) -> bool:
        if depth > 3 or len(word) < 7:
            return False
        for i in range(3, len(word) - 3):  # longest tail first
            head, tail = word[:i], word[i:]
            if self._lemma(tail, vocabulary) is None:
                continue
            heads = [head[: -len(link)] for link in _LINKS if head.endswith(link) and len(head) - len(link) >= 3] + [
                head
            ]
            known_head = next((lemma for h in heads if (lemma := self._lemma(h, vocabulary))), None)
            if known_head is None:
                # an unknown head is kept if it is long enough to be a word on its own
                known_head = next((h for h in heads if len(h) >= 4), None)
                if known_head is None:
                    continue
                sub: list[str] = []
                if self._split(known_head, vocabulary, sub, depth + 1):
                    parts.extend([known_head, tail, *sub])
                    return True
                if len(known_head) < 5:
                    continue
            parts.extend([known_head, tail])
            return True
        return False

    # -- question time -----------------------------------------------------

    @property
    def glossary(self) -> Glossary:
        """The bilingual glossary, read on the first question."""
        if self._glossary is None:
            from .glossary import Glossary

            self._glossary = Glossary(self.glossary_paths, self.stem, f"{self.version}/{Stemmer.version()}")
        return self._glossary

    def parse_question(
        self, question: str, lang: str | None = None, vocabulary: Vocabulary | None = None
    ) -> ParsedQuery:
        """Split a question into terms, each with weighted variants to look up (see assistant.question)."""
        if self._parser is None:
            from .question import QuestionParser

            self._parser = QuestionParser(self)
        return self._parser.parse(question, lang, vocabulary)
