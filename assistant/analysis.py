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
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import Stemmer

__all__ = [
    "Analyzer",
    "GlossaryError",
    "ParsedQuery",
    "QueryTerm",
    "Token",
    "Vocabulary",
    "damerau_levenshtein",
    "detect_language",
    "fold",
]

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.yml")

# Weights of query variants relative to the word as typed.
OWN_WEIGHT = 1.0
UMLAUT_WEIGHT = 1.0
TYPO_WEIGHT = 0.8
GLOSSARY_WEIGHT = 0.7
COMPOUND_WEIGHT = 0.6
COGNATE_WEIGHT = 0.75
DERIVED_WEIGHT = 0.6

STEMMER_NAMES = {"en": "english", "de": "german"}
LANGS = tuple(STEMMER_NAMES)

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
        aber alle allem allen aller alles als also am an ander andere anderen anderem anderer anderes auch auf
        aus bei beim bin bis bist bitte da dabei dadurch dafür dagegen daher damit dann daran darauf darf
        darin darüber das dass dein deine dem den denn der deren des dessen dich die dies diese diesem diesen
        dieser dieses dir doch dort du durch ein eine einem einen einer eines einige einiger er es etwas euch
        euer eure für gegen gibt gab habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre ihrem
        ihren ihrer ihres im in ist ja jede jedem jeden jeder jedes jemand jetzt kann kannst kein keine
        keinem keinen keiner können könnte man manche mein meine mich mir mit muss müssen nach nein nicht
        nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner sich sie sind so solche soll
        sollen sondern sowie über um und uns unser unsere unter viel vom von vor war waren warum was weil
        welche welchem welchen welcher welches wem wen wenn wer werde werden wie wieso weshalb wieviel
        wie viele wir wird wo woher wohin worden wurde wurden zu zum zur zwischen
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
TOKEN_RE = re.compile(f"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<word>{_WORD})")
_PART_RE = re.compile(r"[^\W_]+")
_TRAILING = ".,;:!?)]}'\""
_UMLAUT_DIGRAPHS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_DIGRAPH_RE = re.compile(r"(?<=[a-z])(ae|oe|ue)")


def fold(text: str) -> str:
    """Lowercase and strip accents so that "Müller" and "Muller" compare equal."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _split_token(raw: str) -> list[tuple[str, int, int]]:
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


_UMLAUT_RE = re.compile(r"[äöüß]")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_DE_LETTERS_RE = re.compile(r"sch|cht|tz|pf|ei")
_EN_LETTERS_RE = re.compile(r"^th|^wh|ght|ou")
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


def damerau_levenshtein(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def typo_distance(word: str) -> int:
    """How many edits a word of this length may be off by: 0 below 5 letters, 1 up to 7, else 2."""
    n = len(word)
    return 0 if n < 5 else 1 if n <= 7 else 2  # "rain", "best", "came" are words, not typos of "train"


# ---------------------------------------------------------------------------
# Cognates: the Latin and Greek words that German and English share are spelt
# by regular rules (Realität ~ reality, virtuell ~ virtual, Onkologie ~
# oncology, Sequenzierung ~ sequencing). A word the site does not use is tried
# in the other language's spelling before it is taken for a typo.

_DE_ENDINGS = ("eren", "ern", "en", "er", "es", "em", "e", "n", "s")  # inflections to strip first
_DE_TO_EN = (
    ("ierungen", "ing"),
    ("ierung", "ing"),
    ("ieren", "e"),
    ("ieren", "ate"),
    ("ieren", ""),
    ("itaten", "ities"),
    ("itat", "ity"),
    ("ien", "ia"),
    ("ationen", "ations"),
    ("ation", "ation"),
    ("ionen", "ions"),
    ("ell", "al"),
    ("iell", "ial"),
    ("isch", "ic"),
    ("isch", "ical"),
    ("ik", "ic"),
    ("ik", "ics"),
    ("ie", "y"),
    ("ien", "ies"),
    ("ismus", "ism"),
    ("ist", "ist"),
    ("or", "or"),
    ("ur", "ure"),
    ("om", "ome"),
    ("ode", "od"),
    ("e", ""),
    ("", "e"),
    ("", ""),
)
_EN_TO_DE = (
    ("ing", "ierung"),
    ("ity", "itat"),
    ("ities", "itaten"),
    ("ia", "ien"),
    ("ation", "ation"),
    ("al", "ell"),
    ("ial", "iell"),
    ("ical", "isch"),
    ("ic", "isch"),
    ("ics", "ik"),
    ("y", "ie"),
    ("ies", "ien"),
    ("ism", "ismus"),
    ("ure", "ur"),
    ("ome", "om"),
    ("", "e"),
    ("", ""),
)
_DE_LETTERS = (("k", "c"), ("z", "c"), ("ph", "f"))


def _plain_word(raw: str) -> bool:
    """A plain word token (not an e-mail address or URL)."""
    return "@" not in raw and "://" not in raw and not raw.lower().startswith("www.")


def _agent_forms(stem: str) -> list[str]:
    """The English doer noun of a verb stem and the verb of a doer noun (speak ~ speaker)."""
    if stem.endswith(("er", "or")) and len(stem) > 5:
        return [stem[:-2], stem[:-1]]
    return [stem + "er", stem + "or", stem + "r"]


def cognates(word: str) -> list[str]:
    """Spellings of a word in the other language by the regular German/English rules, best first."""
    word = fold(word.lower()).replace("ß", "ss")
    if not word.isalpha() or len(word) < 5:
        return []
    out: list[str] = []
    stems = [word] + [word[: -len(e)] for e in _DE_ENDINGS if word.endswith(e) and len(word) - len(e) >= 4]
    for stem in stems:
        for de, en in _DE_TO_EN:
            if stem.endswith(de):
                base = stem[: len(stem) - len(de)] + en
                out.append(base)
                for a, b in _DE_LETTERS:
                    if a in base:
                        out.append(base.replace(a, b))
    for en, de in _EN_TO_DE:
        if word.endswith(en):
            base = fold(word[: len(word) - len(en)] + de)
            out.append(base)
            out.append(base.replace("c", "k"))
            out.append(base.replace("c", "z"))
    return [w for w in dict.fromkeys(out) if w != word and len(w) >= 4]


# ---------------------------------------------------------------------------
# German compounds, split without a dictionary: a word is cut where its tail
# is a known part and its head (less a linking -s-/-es-/-en-/-n-/-e-) is long
# enough or known. The parts below are frequent in institutional German; at
# question time the index vocabulary is consulted as well.

_COMPOUND_PARTS = frozenset(
    """
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
    word: str  # as typed
    # index term -> weight; a variant with spaces is a phrase of index terms
    # (a multi-word glossary translation) to be matched as a phrase
    variants: dict[str, float] = field(default_factory=dict)
    known: bool = True  # the word itself (or its stem) occurs in the index
    corrected: bool = False  # variants include spellings the index uses for a word it does not know


@dataclass
class ParsedQuery:
    lang: str
    terms: list[QueryTerm] = field(default_factory=list)

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

    def __contains__(self, term: object) -> bool:
        return self.doc_freq(term) > 0 if isinstance(term, str) else False

    def __len__(self) -> int:
        return len(self._counts)

    def doc_freq(self, term: str) -> int:
        return self._counts.get(term, 0)

    def candidates(self, word: str, distance: int) -> Iterable[str]:
        """Terms that may lie within ``distance`` edits of ``word`` (a superset is fine)."""
        if self._buckets is None:
            self._buckets = {}
            for term in self._counts:
                if term.isalpha():
                    self._buckets.setdefault(len(term), []).append(term)
        for n in range(len(word) - distance, len(word) + distance + 1):
            yield from self._buckets.get(n, ())

    def suggest(self, word: str, limit: int = 2) -> list[str]:
        """Nearest known terms to a misspelt word, closest first, then most frequent."""
        word = fold(word)
        max_distance = typo_distance(word)
        if not max_distance:
            return []
        scored = []
        for term in self.candidates(word, max_distance):
            if term == word:
                continue
            d = damerau_levenshtein(word, term)
            if d <= max_distance:
                scored.append((d, -self.doc_freq(term), term))
        scored.sort()
        if not scored:
            return []
        best = scored[0][0]
        return [term for d, _, term in scored if d == best][:limit]


class GlossaryError(ValueError):
    """A glossary file that cannot be read; the message names the file and line."""


@dataclass
class _Member:
    lang: str
    words: tuple[str, ...]  # folded surface words
    stems: tuple[str, ...]  # stems in the member's own language


class Analyzer:
    """Turns text into index terms and questions into weighted term variants."""

    # Bump when index-time analysis changes: old indexes must then be rebuilt.
    # The glossary is applied to questions only, so editing it needs no rebuild.
    version = "6"

    def __init__(self, glossary: Path | None = None, extra_glossaries: Iterable[Path] = ()) -> None:
        self.glossary_paths = [Path(glossary) if glossary else DEFAULT_GLOSSARY] + [Path(p) for p in extra_glossaries]
        self._stemmers = {lang: Stemmer.Stemmer(name) for lang, name in STEMMER_NAMES.items()}
        self._word_cache: dict[tuple[str, str], tuple[str, ...]] = {}
        self._token_cache: dict[tuple[str, str], tuple[tuple[str, int, int], ...]] = {}
        self._exact_cache: dict[str, list[str]] = {}
        self._terms_cache: dict[tuple[str, str], list[str]] = {}  # _token_cache without offsets
        self._groups: list[list[_Member]] | None = None
        self._single: dict[tuple[str, str], set[int]] = {}
        self._phrases: dict[tuple[str, tuple[str, ...]], set[int]] = {}

    # -- index time --------------------------------------------------------

    def stem(self, word: str, lang: str) -> str:
        """Stem a lowercased word (umlauts intact) and fold the result."""
        stemmer = self._stemmers.get(lang) or self._stemmers["en"]
        return fold(stemmer.stemWord(word))

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
                out.append(self.stem(lower.translate(_UMLAUT_DIGRAPHS), lang))
            if lang == "de":
                for part in self.compound_parts(folded):
                    out.append(self.stem(part, "de"))
            terms = tuple(dict.fromkeys(out))
        if len(self._word_cache) > 200_000:
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
            parts = _split_token(raw)
            abbreviation = kind == "word" and all(len(p) == 1 for p, _, _ in parts)
            whole = (
                [(fold(raw), 0, len(raw))] if kind != "word" or abbreviation or any(c in raw for c in "-‐‑.@") else []
            )
            if abbreviation:
                parts = []
            out = tuple(whole + [(term, s, e) for part, s, e in parts for term in self._word_terms(part, lang)])
            if kind == "word" and "." in raw and len(parts) > 1:  # "Ph.D." is also written "PhD"
                out += ((fold(raw.replace(".", "")), 0, len(raw)),)
            if kind == "email":  # "what is X's e-mail?" is answered by an address, not by the word
                out += ((EMAIL_TERM, 0, len(raw)),)
        if len(self._token_cache) > 200_000:
            self._token_cache.clear()
        self._token_cache[key] = out
        return out

    def _matches(self, text: str) -> Iterable[tuple[str, str | None, int]]:
        for m in TOKEN_RE.finditer(text):
            kind = m.lastgroup
            raw = m.group()
            if kind == "url":
                raw = raw.rstrip(_TRAILING)
            yield raw, kind, m.start()

    def tokens(self, text: str, lang: str) -> list[Token]:
        """Index terms with their offsets in ``text``, for highlighting quotes."""
        return [
            Token(term, start + s, start + e)
            for raw, kind, start in self._matches(text)
            for term, s, e in self._raw_terms(raw, kind, lang)
        ]

    def index_terms(self, text: str, lang: str) -> list[str]:
        """Stemmed terms of ``text`` (with compound parts), stop words dropped."""
        # the same as the terms of tokens(), without Token objects: this runs over every passage
        out: list[str] = []
        cache = self._terms_cache
        for url, email, word in TOKEN_RE.findall(text):
            if word:
                raw, kind = word, "word"
            elif email:
                raw, kind = email, "email"
            else:
                raw, kind = url.rstrip(_TRAILING), "url"
            key = (raw, lang)
            terms = cache.get(key)
            if terms is None:
                terms = [term for term, _, _ in self._raw_terms(raw, kind, lang)]
                if len(cache) > 200_000:
                    cache.clear()
                cache[key] = terms
            out.extend(terms)
        return out

    def exact_terms(self, text: str) -> list[str]:
        """Folded, unstemmed tokens: names, e-mail addresses, codes, numbers."""
        out: list[str] = []
        cache = self._exact_cache
        for url, email, word in TOKEN_RE.findall(text):
            raw = word or email or url.rstrip(_TRAILING)
            terms = cache.get(raw)
            if terms is None:
                folded = fold(raw)
                parts = [p for p, _, _ in _split_token(folded)]
                terms = ([] if parts == [folded] else [folded]) + parts
                lower = raw.lower()
                if lower.isalpha() and any(c in lower for c in "äöü"):
                    terms.append(lower.translate(_UMLAUT_DIGRAPHS))
                if len(cache) > 200_000:
                    cache.clear()
                cache[raw] = terms
            out.extend(terms)
        return out

    def compound_parts(self, word: str, vocabulary: Vocabulary | None = None) -> list[str]:
        """Parts of a German compound, outermost split first: "nachwuchsgruppe" -> nachwuchs, gruppe."""
        word = fold(word)
        if len(word) < 8 or not word.isalpha():
            return []
        parts: list[str] = []
        self._split(word, vocabulary, parts, depth=0)
        return parts

    def _lemma(self, part: str, vocabulary: Vocabulary | None) -> str | None:
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

    def _split(self, word: str, vocabulary: Vocabulary | None, parts: list[str], depth: int) -> bool:
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

    def _word_variants(self, word: str) -> dict[str, float]:
        """The word's own forms: folded surface and both languages' stems."""
        lower = word.lower()
        folded = fold(lower)
        variants = {folded: OWN_WEIGHT}
        if folded.isalpha():
            for lang in LANGS:
                variants.setdefault(self.stem(lower, lang), OWN_WEIGHT)
            if any(c in lower for c in "äöü"):
                alt = lower.translate(_UMLAUT_DIGRAPHS)
                variants.setdefault(alt, UMLAUT_WEIGHT)
                for lang in LANGS:
                    variants.setdefault(self.stem(alt, lang), UMLAUT_WEIGHT)
            elif _DIGRAPH_RE.search(folded):
                alt = _DIGRAPH_RE.sub(lambda m: m.group()[0], folded)
                variants.setdefault(alt, UMLAUT_WEIGHT)
                for lang in LANGS:
                    variants.setdefault(self.stem(alt, lang), UMLAUT_WEIGHT)
        return variants

    def parse_question(
        self, question: str, lang: str | None = None, vocabulary: Vocabulary | None = None
    ) -> ParsedQuery:
        """Split a question into terms, each with weighted variants to look up."""
        lang = lang or detect_language(question)
        stops = STOP_WORDS.get(lang, STOP_WORDS["en"])
        words: list[tuple[str, str, int]] = []  # (raw, folded, position)
        for m in TOKEN_RE.finditer(question):
            raw = m.group()
            if m.lastgroup == "url":
                raw = raw.rstrip(_TRAILING)
            words.append((raw, fold(raw), m.start()))
        self._load_glossary()
        stems = [{lg: self.stem(raw.lower(), lg) for lg in LANGS} for raw, _, _ in words]
        phrase_ends: set[int] = set()
        phrase_groups = self._match_phrases(words, stems, phrase_ends)

        terms: list[QueryTerm] = []
        for i, (raw, folded, _) in enumerate(words):
            if raw.lower() in stops or folded in stops:
                if i not in phrase_ends:
                    continue
            if len(folded) < 2 and not folded.isdigit():
                continue
            term = QueryTerm(word=raw)
            parts = _split_token(raw)
            if len(parts) > 1:  # e-mail, URL, hyphenated name: whole token, then its parts
                term.variants[folded] = OWN_WEIGHT
                if _plain_word(raw) and "." in raw:
                    term.variants[fold(raw.replace(".", ""))] = OWN_WEIGHT
                for part, _, _ in parts:
                    if part.lower() in stops or (len(part) < 2 and not part.isdigit()):
                        continue
                    for variant, weight in self._word_variants(part).items():
                        term.variants.setdefault(variant, weight)
            else:
                term.variants.update(self._word_variants(raw))
            groups = dict.fromkeys(phrase_groups.get(i, ()), 1.0)
            for g in self._single_groups(folded, stems[i]):
                groups[g] = 1.0
            known = vocabulary is None or any(v in vocabulary for v in term.variants)
            if folded.isalpha() and (lang == "de" or not known):
                for part in self.compound_parts(folded, vocabulary):
                    for variant in (part, self.stem(part, "de"), self.stem(part, "en")):
                        term.variants.setdefault(variant, COMPOUND_WEIGHT)
                    for g in self._single_groups(part, {lg: self.stem(part, lg) for lg in LANGS}):
                        groups.setdefault(g, COMPOUND_WEIGHT)
            term.known = known
            if vocabulary is not None and folded.isalpha() and len(folded) >= 4:
                for other in _agent_forms(self.stem(raw.lower(), "en")):
                    if other in vocabulary:  # "speaks" ~ "speaker", "leads" ~ "leader", "supervisor" ~ "supervise"
                        term.variants.setdefault(other, DERIVED_WEIGHT)
            if not known and not groups and folded.isalpha() and vocabulary is not None:
                for other in cognates(raw):
                    if other in vocabulary:
                        for variant in self._word_variants(other):
                            term.variants.setdefault(variant, COGNATE_WEIGHT)
                        for g in self._single_groups(other, {lg: self.stem(other, lg) for lg in LANGS}):
                            groups.setdefault(g, COGNATE_WEIGHT)
                        break
            if (
                not known
                and not groups
                and folded.isalpha()
                and vocabulary is not None
                and not any(w == COGNATE_WEIGHT for w in term.variants.values())
            ):
                for fix in vocabulary.suggest(folded):
                    term.corrected = True
                    for variant in self._word_variants(fix):
                        term.variants.setdefault(variant, TYPO_WEIGHT)
                    for g in self._single_groups(fix, {lg: self.stem(fix, lg) for lg in LANGS}):
                        groups.setdefault(g, TYPO_WEIGHT)
            for group, scale in sorted(groups.items()):
                for member in self._groups[group]:
                    weight = GLOSSARY_WEIGHT * scale
                    content = [
                        s for w, s in zip(member.words, member.stems, strict=True) if w not in STOP_WORDS[member.lang]
                    ]
                    if len(content) > 1:
                        # a translated phrase is looked up as a phrase: its stems joined by spaces
                        found = [" ".join(content)]
                    else:
                        found = content + [w for w in member.words if w not in STOP_WORDS[member.lang]]
                    for variant in found:
                        if weight > term.variants.get(variant, 0.0):
                            term.variants[variant] = weight
            if term.variants:
                terms.append(term)
        return ParsedQuery(lang=lang, terms=terms)

    # -- glossary ----------------------------------------------------------

    def _single_groups(self, folded: str, stems: Mapping[str, str]) -> set[int]:
        found = set(self._single.get(("w", folded), ()))
        for lg, s in stems.items():
            found |= self._single.get((lg, s), set())
        return found

    def _match_phrases(
        self, words: list[tuple[str, str, int]], stems: list[dict[str, str]], last: set[int]
    ) -> dict[int, set[int]]:
        """Glossary phrases found in the question, keyed by the position of each of their words.

        Positions that end a phrase are added to ``last``: a stop word there (rare) still counts.
        """
        found: dict[int, set[int]] = {}
        if not self._phrases:
            return found
        for n in (4, 3, 2):
            for i in range(len(words) - n + 1):
                surface = tuple(w[1] for w in words[i : i + n])
                hits = set(self._phrases.get(("w", surface), ()))
                for lg in LANGS:
                    hits |= self._phrases.get((lg, tuple(s[lg] for s in stems[i : i + n])), set())
                if hits:
                    # every word of the phrase is covered by its translation ("wissenschaftlicher
                    # Beirat" ~ "scientific advisory board"), not only the last one
                    for j in range(i, i + n):
                        found.setdefault(j, set()).update(hits)
                    last.add(i + n - 1)
        return found

    def _load_glossary(self) -> None:
        if self._groups is not None:
            return
        self._groups = []
        for path in self.glossary_paths:
            for _line, group in _read_glossary(path):
                members = []
                for lang, phrase in group:
                    words = tuple(fold(w) for w in phrase.split())
                    stems = tuple(self.stem(w.lower(), lang) for w in phrase.split())
                    members.append(_Member(lang, words, stems))
                gid = len(self._groups)
                self._groups.append(members)
                for member in members:
                    if len(member.words) == 1:
                        self._single.setdefault(("w", member.words[0]), set()).add(gid)
                        self._single.setdefault((member.lang, member.stems[0]), set()).add(gid)
                    else:
                        self._phrases.setdefault(("w", member.words), set()).add(gid)
                        self._phrases.setdefault((member.lang, member.stems), set()).add(gid)


def _read_glossary(path: Path) -> list[tuple[int, list[tuple[str, str]]]]:
    """Groups of (lang, phrase) from a glossary file, each with its line number."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read glossary: {exc.strerror or exc}") from exc
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise GlossaryError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise GlossaryError(f"{path}:{root.start_mark.line + 1}: expected a list of groups")
    groups = []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise GlossaryError(f"{path}:{line}: a group maps languages (en, de) to words")
        members: list[tuple[str, str]] = []
        for key, value in node.value:
            lang = key.value
            if lang not in LANGS:
                raise GlossaryError(f"{path}:{key.start_mark.line + 1}: unknown language {lang!r} (use en or de)")
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in items:
                if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                    raise GlossaryError(f"{path}:{item.start_mark.line + 1}: expected a word or phrase")
                members.append((lang, str(item.value).strip()))
        if len(members) < 2:
            raise GlossaryError(f"{path}:{line}: a group needs at least two words or phrases")
        groups.append((line, members))
    return groups
