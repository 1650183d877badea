"""Question understanding: a pipeline of small named steps, in the manner of lunr's token pipeline.

A question becomes a :class:`ParsedQuery`: its language and, for each content word, a
:class:`QueryTerm` whose variants are the index terms to look up. Each step adds variants
with a weight and says why (``QueryTerm.why``), so ``assistant ask --explain`` can show
which words were matched through which step.

Question steps run once per question (language, words, glossary phrases, stop words);
term steps run once per content word, in order:

    own forms -> ordinal -> glossary -> compound -> family -> agent -> cognate -> typo -> translation

A later step may look at what earlier ones found: a cognate is only tried for a word the
site does not use and the glossary does not know, a typo only when no cognate was found.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .analysis import (
    DIGRAPH_RE,
    MAX_WORD_LETTERS,
    STOP_WORDS,
    TOKEN_RE,
    TRAILING,
    UMLAUT_DIGRAPHS,
    Analyzer,
    ParsedQuery,
    QueryTerm,
    Vocabulary,
    detect_language,
    fold,
    split_token,
)
from .morphology import (
    SEPARABLE_PARTICLES,
    english_family,
    feminine_forms,
    german_family,
    infinitive,
    is_verb_form,
    joined_verb,
)
from .text import LazyPattern

# Weights of query variants relative to the word as typed.
OWN_WEIGHT = 1.0
UMLAUT_WEIGHT = 1.0
TYPO_WEIGHT = 0.8
GLOSSARY_WEIGHT = 0.7
COMPOUND_WEIGHT = 0.6
COGNATE_WEIGHT = 0.75
# The name an acronym stands for covers the question word as the acronym does; in BM25 it adds to the acronym
# where a passage has both (where the site spells it out), so it weighs little there.
ACRONYM_WEIGHT = 0.3
DERIVED_WEIGHT = 0.6
FAMILY_WEIGHT = 0.7
FEMININE_WEIGHT = 0.95  # a Professorin is a professor
PARTICLE_WEIGHT = 0.3  # the particle of a separable verb written apart ("statt"), beside the verb's family
HEAD_WEIGHT = 0.6  # a "Netzwerktreffen" is a "Treffen", but not every one is the one asked about
MODIFIER_WEIGHT = 0.5  # a "Störungsprävention" is about "Störungen", but it is another thing
MODIFIER_LOOKS = 40  # words of the site starting with the word that are looked at ...
MAX_MODIFIED = 6  # ... and the compounds among them that are kept
MAX_HEADS = 12  # compounds per word found by their head

# Words of asking, in either language: they say how a question is put, never what it is about, and
# are dropped from questions (not from the index): modal verbs, fillers, greetings, "since", "often".
ASKING_WORDS = frozenset(
    """
    since often usually ever actually anyway would could should might can want wants wanted like need needs
    please hello hi thanks thank dear kindly possibly possible somebody someone anybody anyone whatever
    i'm i'd i've we're we'd i'll exactly currently
    will willst wollen wollte möchte möchten möchtest mochte mochten würde würden wurde könnte könnten kann
    könnt muss müsste sollte sollten darf dürfen durfen dürfte gerne gern eigentlich denn mal schon seit oft
    bitte hallo danke ungefähr ungefahr etwa wohl überhaupt uberhaupt vielleicht jemand irgendwo irgendwann
    genau derzeit aktuell momentan gerade per by mittels hoch many much viele vieler vielen
    danach anschließend anschliessend daraufhin zuvor davor vorher nachher afterwards subsequently
    when where who whom whose why which what how wann wo wer wem wen wessen was wie welche welcher welches
    welchen welchem warum wieso weshalb woher wohin womit wofür wofur worüber woruber worum woran worauf
    wodurch wovon wozu woraus worin
    """.split()
)

_VOWELS = frozenset("aeiouy")

# Bounds that keep the cost of any question small, whatever its script or length.
MAX_WORDS = 48  # words of a question looked at; the rest are dropped
MAX_VARIANTS = 400  # index terms of one question, over all its words
MAX_TYPOS = 3  # words of one question looked up as typos: each is a fuzzy search of the whole vocabulary
# words of one question split as German compounds: each split looks up every tail of the word in the
# vocabulary (a 40-letter word, about 140 lookups), which 24 such words made most of a question's cost
MAX_COMPOUNDS = 6
TERMS_KEPT = 4096  # content words whose term steps' result a parser keeps per site (a few MB at most)
FITS_KEPT = 8192  # (answer shape, passage text) pairs whose fit is kept (the texts are those of kept passages)


_POSSESSIVE = LazyPattern(r"^([^\W\d_]{2,})['’]s$")


@dataclass
class Word:
    """One token of the question, as typed and as the index would spell it."""

    raw: str
    folded: str
    stems: dict[str, str]
    groups: dict[int, float] = field(default_factory=dict)  # glossary groups of phrases it stands in
    phrase: tuple[int, int] | None = None  # (first, last) position of a glossary phrase it ends
    joined: str | None = None  # a separable verb written apart that the word is part of ("gibt … heraus")
    # the capitalised word before it, folded (not the question's first word, capitalised as any first word
    # is): where that is a name the site knows ("Mandy Klat"), this one stands in a family name's place
    after_capital: str | None = None

    @property
    def alpha(self) -> bool:
        return self.folded.isalpha()


@dataclass
class Context:
    """What every step may read: the analyzer, the question's language and the site's words."""

    analyzer: Analyzer
    lang: str
    vocabulary: Vocabulary | None
    typos_left: int = MAX_TYPOS
    compounds_left: int = MAX_COMPOUNDS

    def known(self, term: str) -> bool:
        return self.vocabulary is None or term in self.vocabulary

    def stems(self, word: str) -> dict[str, str]:
        return self.analyzer.stems(word)


@dataclass
class Draft:
    """A content word on its way through the term steps."""

    word: Word
    term: QueryTerm
    groups: dict[int, float] = field(default_factory=dict)  # glossary groups reached, with their weight scale
    guessed: set[int] | None = None  # a split at an unknown head, and the groups only it reached

    def reach(self, groups: set[int], scale: float, replace: bool = False) -> None:
        for group in groups:
            if replace:
                self.groups[group] = scale
            else:
                self.groups.setdefault(group, scale)


TermStep = Callable[[Context, Draft], None]


# ---------------------------------------------------------------------------
# Term steps


def word_forms(analyzer: Analyzer, word: str) -> dict[str, float]:
    """A word's own forms: folded spelling, both languages' stems, the other umlaut spelling."""
    lower = word.lower()
    folded = fold(lower)
    variants = {folded: OWN_WEIGHT}
    if not folded.isalpha():
        return variants
    for stem in analyzer.stems(lower).values():
        variants.setdefault(stem, OWN_WEIGHT)
    alt = None
    if any(c in lower for c in "äöü"):
        alt = lower.translate(UMLAUT_DIGRAPHS)
    elif DIGRAPH_RE.search(folded):
        alt = DIGRAPH_RE.sub(lambda m: m.group()[0], folded)
    if alt:
        variants.setdefault(alt, UMLAUT_WEIGHT)
        for stem in analyzer.stems(alt).values():
            variants.setdefault(stem, UMLAUT_WEIGHT)
    return variants


def own_forms(ctx: Context, draft: Draft) -> None:
    """The word as typed: its spelling and stems; an e-mail, URL or hyphenated name whole and in parts."""
    raw, term = draft.word.raw, draft.term
    parts = split_token(raw)
    if len(parts) <= 1:
        for variant, weight in word_forms(ctx.analyzer, raw).items():
            term.add(variant, weight, "own", "as typed")
        return
    term.add(draft.word.folded, OWN_WEIGHT, "own", "as typed")
    if plain_word(raw) and "." in raw:
        term.add(fold(raw.replace(".", "")), OWN_WEIGHT, "own", "without its dots")
    stops = STOP_WORDS.get(ctx.lang, STOP_WORDS["en"])
    for part, _, _ in parts:
        if part.lower() in stops or (len(part) < 2 and not part.isdigit()):
            continue
        for variant, weight in word_forms(ctx.analyzer, part).items():
            term.add(variant, weight, "own", f"part {part!r}")


# Ordinals written out, as a page writes them in figures ("7. Community-Treffen", "the 7th meeting");
# "first" and "erste" are left out: "the first time" is seldom a count.
_ORDINALS = {
    **{w: n for n, w in enumerate("zweit dritt viert fünft sechst siebt acht neunt zehnt elft zwölft".split(), 2)},
    **{
        w: n
        for n, w in enumerate("second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), 2)
    },
}
_ORDINAL_ENDING = LazyPattern(r"(e|en|er|es|em)$")
_EN_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def ordinal(ctx: Context, draft: Draft) -> None:
    """An ordinal in words ("siebten", "seventh") is the figure a page writes: 7, 7th."""
    lower = draft.word.raw.lower()
    n = _ORDINALS.get(lower) or _ORDINALS.get(_ORDINAL_ENDING.sub("", lower))
    if n is None or any(ctx.known(v) for v in draft.term.variants):
        return  # a site that writes the word ("achten" as a verb) means what it writes
    for figure in (str(n), f"{n}{_EN_SUFFIX.get(n, 'th')}"):
        draft.term.add(figure, OWN_WEIGHT, "ordinal", f"{draft.word.raw!r} = {figure}")


def glossary_words(ctx: Context, draft: Draft) -> None:
    """Glossary groups the word belongs to, alone or inside a phrase of the question."""
    draft.reach(set(draft.word.groups), 1.0, replace=True)
    glossary, folded = ctx.analyzer.glossary, draft.word.folded
    groups = glossary.groups_of_word(folded, draft.word.stems)
    if not groups and len(folded) >= 4 and folded[-2:-1] in _VOWELS and folded.endswith("s"):
        groups = glossary.groups_of_word(
            folded[:-1], ctx.stems(folded[:-1])
        )  # "Autos", "Kitas": the stemmer keeps the s
    draft.reach(groups, 1.0, replace=True)
    draft.term.known = any(ctx.known(v) for v in draft.term.variants)


def acronym(ctx: Context, draft: Draft) -> None:
    """An acronym the site spells out ("NHGRI"): the name it stands for, as a phrase of its words, since a
    page may say "National Human Genome Research Institute" where the visitor writes the short form."""
    word = draft.word
    if ctx.vocabulary is None or sum(c.isupper() for c in word.raw) < 2:
        return
    found = ctx.vocabulary.long_form(word.raw)
    if found is None:
        return
    name, lang = found
    stems = [terms[0] for w in name.split() if (terms := ctx.analyzer.index_terms(w, lang))]
    if len(stems) >= 2:
        draft.term.add(" ".join(stems), ACRONYM_WEIGHT, "acronym", f"{word.raw!r} = {name!r}")


def compound(ctx: Context, draft: Draft) -> None:
    """A German compound's parts ("Nachwuchsgruppe" -> Nachwuchs, Gruppe), and their glossary groups."""
    word = draft.word
    if not word.alpha or not (ctx.lang == "de" or not draft.term.known):
        return
    if not word.raw[:1].isupper() and (draft.term.known or len(word.folded) < 10 or is_verb_form(word.folded)):
        return  # German compounds are nouns, written with a capital; "erreichen", "ausgeschrieben" are none
    if len(word.folded) < 8 or ctx.compounds_left <= 0:  # compound_parts splits no shorter word
        return
    ctx.compounds_left -= 1
    parts = ctx.analyzer.compound_parts(word.folded, ctx.vocabulary)
    if not parts and not draft.term.known:  # a site in the other language: a part the glossary knows ("Faser")
        parts = ctx.analyzer.compound_parts(word.folded, _Known(ctx))
        if parts and len(parts[0]) < 5 and not _known_part(ctx, parts[0], site_only=True):
            parts = []  # a short modifier only the glossary knows: "Hautkrebs" is not asked as "Haut" + "Krebs"
    for part in parts:
        for variant in (part, ctx.analyzer.stem(part, "de"), ctx.analyzer.stem(part, "en")):
            draft.term.add(variant, COMPOUND_WEIGHT, "compound", f"part {part!r} of {word.raw!r}")
        groups = ctx.analyzer.glossary.groups_of_word(part, ctx.stems(part))
        draft.reach(groups, COMPOUND_WEIGHT)
    if parts and not draft.term.known and not _known_part(ctx, parts[0]):
        draft.guessed = set(draft.groups) - set(draft.word.groups)  # "Mitarbieter" is no "Mitar" + "Bieter"


class _Known:
    """Words a compound's part may be: the site's, and on a site without them the glossary's ("Faser")."""

    def __init__(self, ctx: Context) -> None:
        self.site = ctx.vocabulary
        self.glossary = ctx.analyzer.glossary.words()

    def __contains__(self, term: object) -> bool:
        return (self.site is not None and term in self.site) or term in self.glossary


def _known_part(ctx: Context, part: str, site_only: bool = False) -> bool:
    """A compound's head that is a word of its own: one of the site's, or a form of a glossary word."""
    stems = ctx.stems(part)
    if ctx.vocabulary is not None and (part in ctx.vocabulary or stems["de"] in ctx.vocabulary):
        return True
    return not site_only and bool(ctx.analyzer.glossary.groups_of_word(part, stems))


_HEAD_ENDINGS = ("e", "en", "n", "s", "es", "er", "ern")  # how a German noun's plural and cases end


def compound_head(ctx: Context, draft: Draft) -> None:
    """German compounds of the site whose head is the word asked for: "Treffen" ~ Netzwerktreffen, Jahrestreffen."""
    word = draft.word
    if ctx.vocabulary is None or not word.alpha or len(word.folded) < 5:
        return
    if (ctx.lang != "de" and draft.term.known) or not word.raw[:1].isupper():
        return  # German nouns are written with a capital; a verb ("lautet") heads no compound
    stem = word.stems["de"]
    # the head inflected as the site may write it: "Berufen" heads "Erprobungsberufe" as well
    inflected = [stem + ending for ending in _HEAD_ENDINGS] if len(stem) >= 4 else []
    for tail in dict.fromkeys((word.folded, stem, *inflected)):
        if len(tail) < 4:
            continue
        for compound in ctx.vocabulary.ending_with(tail, MAX_HEADS):
            if len(compound) >= len(tail) + 3:
                draft.term.add(compound, HEAD_WEIGHT, "compound", f"{compound!r} ends in {word.raw!r}")
                draft.term.add(
                    ctx.analyzer.stem(compound, "de"), HEAD_WEIGHT, "compound", f"{compound!r} ends in {word.raw!r}"
                )


def compound_modifier(ctx: Context, draft: Draft) -> None:
    """German compounds of the site that start with the word asked for, joined to a word of their own:
    "Störungen" ~ Störungsprävention, "Montage" ~ Montageplanung. Such a compound is about the word."""
    word = draft.word
    if ctx.vocabulary is None or not word.alpha or len(word.folded) < 5:
        return
    if (ctx.lang != "de" and draft.term.known) or not word.raw[:1].isupper():
        return
    added = 0
    for first in dict.fromkeys((word.folded, word.stems["de"])):
        if len(first) < 5:
            continue
        for compound in ctx.vocabulary.starting_with(first, MODIFIER_LOOKS):
            rest = compound[len(first) :]
            rest = next((rest[len(link) :] for link in ("es", "s", "n", "") if rest.startswith(link)), rest)
            if len(rest) < 4 or compound in draft.term.variants or not _known_part(ctx, rest, site_only=True):
                continue
            draft.term.add(compound, MODIFIER_WEIGHT, "compound", f"{compound!r} starts with {word.raw!r}")
            added += 1
            if added >= MAX_MODIFIED:
                return


def family(ctx: Context, draft: Draft) -> None:
    """Other members of the word's family the site uses: gegründet ~ Gründung, betreut ~ Betreuung, kooperiert ~
    Kooperation; founded ~ foundation. The stemmers keep inflections together, not derivations."""
    word = draft.word
    if not word.alpha or (len(word.folded) < 5 and not word.joined):
        return
    own = set(draft.term.variants)
    german = german_family(word.folded) if len(word.folded) >= 5 else []
    if word.joined:  # "Wer gibt es heraus?" asks for the Herausgeber
        german = [word.joined, *german_family(word.joined), *german]
        if word.folded in _FOLDED_PARTICLES:  # alone, "heraus" says little
            for variant in own:
                draft.term.variants[variant] = PARTICLE_WEIGHT
    for lang, forms in (("de", german), ("en", english_family(word.folded))):
        for form in forms:
            stem = ctx.analyzer.stem(form, lang)
            groups = ctx.analyzer.glossary.groups_of_word(form, {lang: stem})
            if stem in own or form in own:
                continue
            if ctx.vocabulary is not None and (stem in ctx.vocabulary or form in ctx.vocabulary):
                draft.term.add(stem, FAMILY_WEIGHT, "family", f"{word.raw!r} ~ {form!r}")
            draft.reach(groups, FAMILY_WEIGHT)


def feminine(ctx: Context, draft: Draft) -> None:
    """A German noun of a person in its other gender: Professorin ~ Professor, Leiter ~ Leiterin."""
    word = draft.word
    if ctx.vocabulary is None or not word.alpha:
        return
    for form in feminine_forms(word.folded):
        for variant in dict.fromkeys((form, ctx.analyzer.stem(form, "de"))):
            if variant in ctx.vocabulary:
                draft.term.add(variant, FEMININE_WEIGHT, "family", f"{word.raw!r} ~ {form!r}")


def agent(ctx: Context, draft: Draft) -> None:
    """The doer of a verb and the verb of a doer: "leads" ~ "leader", "supervisor" ~ "supervise"."""
    word = draft.word
    if ctx.vocabulary is None or not word.alpha or len(word.folded) < 4:
        return
    for other in agent_forms(ctx.analyzer.stem(word.raw.lower(), "en")):
        if other in ctx.vocabulary:
            draft.term.add(other, DERIVED_WEIGHT, "agent", f"{word.raw!r} ~ {other!r}")


def cognate(ctx: Context, draft: Draft) -> None:
    """A word the site does not use, in the other language's spelling: Realität ~ reality."""
    word, term = draft.word, draft.term
    if term.known or draft.groups or not word.alpha or ctx.vocabulary is None:
        return
    for other in cognates(word.raw):
        if other in ctx.vocabulary:
            for variant in word_forms(ctx.analyzer, other):
                term.add(variant, COGNATE_WEIGHT, "cognate", f"{word.raw!r} ~ {other!r}")
            draft.reach(ctx.analyzer.glossary.groups_of_word(other, ctx.stems(other)), COGNATE_WEIGHT)
            return


def typo(ctx: Context, draft: Draft) -> None:
    """A word neither the site, the glossary nor a cognate knows: the nearest word the site uses, else the
    nearest everyday word of the glossary ("contcat" -> contact -> Kontakt on a German site)."""
    word, term = draft.word, draft.term
    if not word.alpha and (part := _lettered_part(word.raw)) is not None:
        word = Word(part, fold(part), ctx.stems(part))  # "Y-Chromoson": the slip is in the word after the letter
    if term.known or set(draft.groups) - (draft.guessed or set()) or not word.alpha or ctx.vocabulary is None:
        return
    if term.came_through("cognate") or term.came_through("family") or infinitive(word.folded) or ctx.typos_left <= 0:
        return  # a form of a verb ("tragen", "hieß") is a word, not a slip
    ctx.typos_left -= 1
    fixes = ctx.vocabulary.suggest(word.folded)
    if not fixes and word.folded.endswith("s") and len(word.folded) >= 6:
        fixes = ctx.vocabulary.suggest(word.folded[:-1])  # a slip in a plural: "mastres" -> master(s)
    source = "the site"
    if not fixes and word.raw[:1].isupper() and 5 <= len(word.folded) <= 7:
        # a name is spelt by ear ("Hyder" for "Haider"): two edits, when one name of the site is that near
        near = [t for t in ctx.vocabulary.suggest(word.folded, limit=3, distance=2) if t[:1] == word.folded[:1]]
        # a verb of the site ("bringt") is no name, however near ("Brandt")
        fixes = near if len(near) == 1 and not is_verb_form(near[0]) else []
    if not fixes and word.raw[:1].isupper() and len(word.folded) == 4 and _a_name_of_the_site(ctx, word.after_capital):
        # a short family name after a given name the site knows, or spells alike ("Mandy Klat", "Viktoria Bats"):
        # one edit, if one name is that near
        near = ctx.vocabulary.suggest(word.folded, limit=2, distance=1, same_start=True)
        fixes = near if len(near) == 1 else []
    if not fixes:
        fixes, source = ctx.analyzer.glossary.words().suggest(word.folded, same_start=True), "the glossary"
    # a slip of the finger rarely hits the first letter: "Leute" is no typo of "heute"
    fixes = [fix for fix in fixes if fix[:1] == word.folded[:1]]
    if fixes and draft.guessed is not None:  # a slip is likelier than a compound of an unknown word
        _drop_guessed(draft)
    for fix in fixes:
        term.corrected = True
        for variant in word_forms(ctx.analyzer, fix):
            term.add(variant, TYPO_WEIGHT, "typo", f"{word.raw!r} -> {fix!r} (a word of {source})")
        draft.reach(ctx.analyzer.glossary.groups_of_word(fix, ctx.stems(fix)), TYPO_WEIGHT)
        # the corrected word's family, as the word's own would have had it ("gepüft" -> geprüft ~ Prüfung)
        for lang, forms in (("de", german_family(fix) if len(fix) >= 5 else []), ("en", english_family(fix))):
            for form in forms:
                stem = ctx.analyzer.stem(form, lang)
                if stem not in term.variants and (stem in ctx.vocabulary or form in ctx.vocabulary):
                    term.add(stem, TYPO_WEIGHT * FAMILY_WEIGHT, "typo", f"{word.raw!r} -> {fix!r} ~ {form!r}")


def _lettered_part(raw: str) -> str | None:
    """The word of a compound led by a single letter ("Y-Chromosom", "T-Zellen"), which _hyphen_parts keeps
    whole: the one part that may be misspelt."""
    parts = _HYPHENS.split(raw)
    if len(parts) == 2 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1].isalpha() and len(parts[1]) >= 5:
        return parts[1]
    return None


def _a_name_of_the_site(ctx: Context, given: str | None) -> bool:
    """A given name the site has, as written or one letter off ("Viktoria" for "Victoria")."""
    if not given or ctx.vocabulary is None:
        return False
    return given in ctx.vocabulary or len(ctx.vocabulary.suggest(given, limit=2, distance=1, same_start=True)) == 1


def _drop_guessed(draft: Draft) -> None:
    """Forget a compound split at an unknown head, and the groups it reached."""
    for group in draft.guessed or ():
        draft.groups.pop(group, None)
    term = draft.term
    for variant in [v for v, (step, _) in term.why.items() if step == "compound"]:
        del term.variants[variant], term.why[variant]
    draft.guessed = None


def translation(ctx: Context, draft: Draft) -> None:
    """Every member of the glossary groups reached: translations and synonyms, weighing less than the word."""
    glossary = ctx.analyzer.glossary
    for group, scale in sorted(draft.groups.items()):
        members = glossary.members(group)
        for member in members:
            weight = GLOSSARY_WEIGHT * scale
            for variant in member.lookups():
                draft.term.add_best(variant, weight, "glossary", f"{draft.word.raw!r} ~ {member.text()!r}")


def translated_compound(ctx: Context, draft: Draft) -> None:
    """German compounds of the site whose head translates an English word: "decisions" ~ Entscheidungen ~
    Automatisierungsentscheidungen. A German site says in one word what English says in two."""
    if ctx.lang == "de" or ctx.vocabulary is None or not draft.groups:
        return
    glossary, found = ctx.analyzer.glossary, 0
    for group, scale in sorted(draft.groups.items()):
        if scale < 1.0:
            continue  # the word's own translations, not those of a part or of a corrected spelling
        for member in glossary.members(group):
            word = member.words[0]
            if member.lang != "de" or len(member.words) != 1 or len(word) < 6 or is_verb_form(word):
                continue  # a noun of its own heads a compound: "Teil" heads "Vorteil", "wenden" "verwendet"
            for tail in dict.fromkeys((word, member.stems[0])):
                for compound in ctx.vocabulary.ending_with(tail, MAX_HEADS):
                    if len(compound) < len(tail) + 3 or compound in draft.term.variants:
                        continue
                    weight = GLOSSARY_WEIGHT * scale * HEAD_WEIGHT
                    why = f"{compound!r} ends in {member.text()!r} ~ {draft.word.raw!r}"
                    draft.term.add(compound, weight, "compound", why)
                    draft.term.add(ctx.analyzer.stem(compound, "de"), weight, "compound", why)
                    found += 1
                    if found >= MAX_HEADS:
                        return


# Steps past a word's own forms (compound parts and heads, family, agent, cognate, typo) look only at words
# of at most MAX_WORD_LETTERS letters: the vocabulary holds no longer one, and their cost grows with the
# length (splitting a run of 1,000 Hangul letters into compound parts took half a second). A longer word
# is looked up as typed and in the glossary, and nothing else.
WHOLE_WORD_STEPS = frozenset({own_forms, ordinal, glossary_words, translation})

TERM_STEPS: tuple[TermStep, ...] = (
    own_forms,
    ordinal,
    glossary_words,
    acronym,
    compound,
    compound_head,
    compound_modifier,
    family,
    feminine,
    agent,
    cognate,
    typo,
    translation,
    translated_compound,
)


# ---------------------------------------------------------------------------
# The pipeline


class QuestionParser:
    """Runs the question steps, then the term steps for each content word."""

    def __init__(self, analyzer: Analyzer, steps: Sequence[TermStep] = TERM_STEPS) -> None:
        self.analyzer = analyzer
        self.steps = tuple(steps)
        # what the term steps found, per site vocabulary (an opened index's never changes)
        self._kept: weakref.WeakKeyDictionary[Vocabulary, dict[tuple, tuple]] = weakref.WeakKeyDictionary()
        self._kept_without: dict[tuple, tuple] = {}

    def parse(self, question: str, lang: str | None = None, vocabulary: Vocabulary | None = None) -> ParsedQuery:
        lang = lang or detect_language(question)
        ctx = Context(self.analyzer, lang, vocabulary)
        words = self.words(question, ctx)
        self.phrases(words)
        if lang == "de":
            separable(words)
        terms: list[QueryTerm] = []
        budget = MAX_VARIANTS
        for word in self.content_words(words, lang):
            term = self.term(ctx, word)
            if term.variants and budget > 0:
                term.trim(budget)
                budget -= len(term.variants)
                terms.append(term)
        return ParsedQuery(lang=lang, terms=terms)

    def term(self, ctx: Context, word: Word) -> QueryTerm:
        """A content word through the term steps, kept for the site's vocabulary.

        The same words come back question after question, and the steps read nothing but the word
        (as typed, its glossary phrase, the verb it joins, the capitalised word before it), the
        question's language, the site's words, the glossary and whether a typo or a compound look-up
        is still allowed: what they found for one question holds for the next.
        """
        key = (
            ctx.lang,
            word.raw,
            tuple(word.groups.items()),
            word.joined,
            word.after_capital,
            ctx.typos_left > 0,
            ctx.compounds_left > 0,
        )
        vocabulary = ctx.vocabulary
        kept = self._kept_without if vocabulary is None else self._kept.get(vocabulary)
        if kept is None and vocabulary is not None:
            kept = self._kept.setdefault(vocabulary, {})
        assert kept is not None
        found = kept.get(key)
        if found is None:
            typos, compounds = ctx.typos_left, ctx.compounds_left
            draft = Draft(word, QueryTerm(word=word.raw))
            whole_only = len(word.folded) > MAX_WORD_LETTERS
            for step in self.steps:
                if whole_only and step not in WHOLE_WORD_STEPS:
                    continue
                step(ctx, draft)
            t = draft.term
            used = (typos - ctx.typos_left, compounds - ctx.compounds_left)
            found = (dict(t.variants), dict(t.why), t.known, t.corrected, *used)
            if len(kept) >= TERMS_KEPT:
                kept.clear()
            kept[key] = found
            return t
        variants, why, known, corrected, typos_used, compounds_used = found
        ctx.typos_left -= typos_used
        ctx.compounds_left -= compounds_used
        return QueryTerm(word=word.raw, variants=dict(variants), known=known, corrected=corrected, why=dict(why))

    def words(self, question: str, ctx: Context) -> list[Word]:
        """The question's tokens, at most MAX_WORDS of them."""
        words: list[Word] = []
        for m in TOKEN_RE.finditer(question):
            raw = m.group()
            if m.lastgroup == "url":
                raw = raw.rstrip(TRAILING)
            for part in _hyphen_parts(raw) if m.lastgroup == "word" else [raw]:
                owner = _POSSESSIVE.match(part)
                if owner:  # "Cutillo's cats" asks about Cutillo: a misspelt name is then corrected as a name
                    part = owner.group(1)
                word = Word(part, fold(part), ctx.stems(part))
                before = words[-1] if len(words) > 1 else None
                if before is not None and before.raw[:1].isupper() and before.alpha:
                    word.after_capital = before.folded
                words.append(word)
            if len(words) >= MAX_WORDS:
                break
        return words[:MAX_WORDS]

    def phrases(self, words: list[Word]) -> None:
        """Mark glossary phrases: every word of "wissenschaftlicher Beirat" reaches "scientific advisory board"."""
        found = self.analyzer.glossary.phrases_in([w.folded for w in words], [w.stems for w in words])
        for (first, last), groups in found.items():
            for word in words[first : last + 1]:
                word.groups.update(dict.fromkeys(groups, 1.0))
            words[last].phrase = (first, last)

    @staticmethod
    def content_words(words: list[Word], lang: str) -> list[Word]:
        """Words that say what the question is about: no stop words, no single letters. A phrase's groups
        reach its content words; a phrase of stop words only ("how to get there") keeps its last word."""
        stops = STOP_WORDS.get(lang, STOP_WORDS["en"]) | ASKING_WORDS

        def stop(word: Word) -> bool:
            return word.raw.lower() in stops or word.folded in stops

        kept = []
        seen: set[str] = set()
        for word in words:
            if word.raw in seen:
                continue  # a word said twice is looked up once
            seen.add(word.raw)
            if stop(word) and not (word.phrase and all(stop(w) for w in words[word.phrase[0] : word.phrase[1] + 1])):
                continue
            if len(word.folded) < 2 and not word.folded.isdigit():
                continue
            kept.append(word)
        return kept


# ---------------------------------------------------------------------------
# Word relations the steps use

_FOLDED_PARTICLES = frozenset(fold(p) for p in SEPARABLE_PARTICLES)


def separable(words: list[Word]) -> None:
    """A separable verb written apart, its particle last ("Wann findet es statt?", "Wer gibt es heraus?"):
    the particle and the verbs it may belong to reach the verb's family (stattfinden, Herausgeber)."""
    if len(words) < 2 or words[-1].folded not in _FOLDED_PARTICLES:
        return
    particle, best = words[-1], 3
    for i, word in enumerate(words[:-1]):
        if not word.alpha or (i and word.raw[:1].isupper()):
            continue  # a verb is written in lower case but at the start
        joined = joined_verb(particle.folded, word.folded)
        if joined:
            word.joined = joined
            rank = 0 if infinitive(word.folded) else 1 if word.folded.endswith("t") else 2
            if rank < best:  # "stellt" rather than "welche" in "Welche Themen stellt sie vor?"
                particle.joined, best = joined, rank


_HYPHENS = LazyPattern(r"[-‐‑]")


def _hyphen_parts(raw: str) -> list[str]:
    """The words of a hyphenated compound ("Proteomik-Gruppe", "Data-Science-Labor"), each asked for on its
    own; a token with digits or dots ("SARS-CoV-2", "Ph.D.") stays whole."""
    parts = _HYPHENS.split(raw)
    if len(parts) < 2 or not all(p.isalpha() and len(p) >= 2 for p in parts):
        return [raw]
    return parts


def plain_word(raw: str) -> bool:
    """A plain word token (not an e-mail address or URL)."""
    return "@" not in raw and "://" not in raw and not raw.lower().startswith("www.")


def agent_forms(stem: str) -> list[str]:
    """The English doer noun of a verb stem and the verb of a doer noun (speak ~ speaker)."""
    if stem.endswith(("er", "or")) and len(stem) > 5:
        return [stem[:-2], stem[:-1]]
    return [stem + "er", stem + "or", stem + "r"]


# Cognates: the Latin and Greek words that German and English share are spelt by regular
# rules (Realität ~ reality, virtuell ~ virtual, Onkologie ~ oncology, Sequenzierung ~
# sequencing). A word the site does not use is tried in the other language's spelling
# before it is taken for a typo.

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
                out.extend(base.replace(a, b) for a, b in _DE_LETTERS if a in base)
    for en, de in _EN_TO_DE:
        if word.endswith(en):
            base = fold(word[: len(word) - len(en)] + de)
            out.extend((base, base.replace("c", "k"), base.replace("c", "z")))
    return [w for w in dict.fromkeys(out) if w != word and len(w) >= 4]


# ---------------------------------------------------------------------------
# Follow-ups: a question that points back ("Who leads it?") takes its subject from the
# previous question of the conversation.

HISTORY_WEIGHT = 0.5  # weight of terms carried over from the previous question

ANAPHORA = {
    "en": {"it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those", "he",
           "she", "his", "her", "him", "there", "same", "group's", "project's"},
    "de": {"es", "sie", "ihr", "ihre", "ihren", "ihrem", "ihrer", "ihres", "deren", "dessen", "er",
           "ihn", "ihm", "sein", "seine", "seinen", "seinem", "seiner", "dort", "dies", "diese",
           "dieser", "dieses", "diesem", "diesen", "denen", "dafür", "daran", "darin", "davon", "dazu",
           "dorthin", "dahin", "dorther", "daher", "damit", "dabei", "darüber", "darum", "daraus", "dafur",
           "daruber", "hierzu", "hierfür", "hierfur"},
}  # fmt: skip
_WORDS = LazyPattern(r"[\w'’]+", re.UNICODE)

# Words that frame a question rather than name its subject ("what does X stand for",
# "wie lautet X"). They count little when judging whether a passage answers.
FRAME_WORDS = frozenset(
    """
    stand stands sit sits sitting seated belong belongs mean means meaning called name named list listed lists
    tell know find give show describe explain say says said mentioned currently current exactly please anything
    something kind sort type steht stehen bedeutet bedeuten heißt heisst lautet lauten gibt nennen genannt sagen
    sagt zeigen erklären erklaeren beschreiben aktuell derzeit momentan genau bitte angegeben aufgeführt
    aufgefuehrt erwähnt erwaehnt abkürzung abkuerzung abkurzung abbreviation acronym wofür wofur wofuer womit
    worum woran worüber worueber geht gehen ging gingen gehört gehoert gehören gehoeren frau herr herrn mr mrs ms like
    also auch look looks looking deal deals dealing beschäftigt beschaeftigt beschäftigen befasst befassen kümmert
    kuemmert hieß hiess hießen hiessen heißen heissen ergibt ergeben ergab
    """.split()
)


_DO_AUX = frozenset("do does did can could will would should may might must".split())
_BE_AUX = frozenset("is are was were be been being has have had get gets got".split())
_RUN_ENDS = frozenset("in on at to for from with by of about into during after before since than as and or".split())
_PARTICIPLE = LazyPattern(r"\w+(ed|en|wn|ght|ung|uilt|eld|ade|ent|ound)$")


# Words for the kind of body a site belongs to; "the group" on a group's site is the site's owner.
_SITE_OWNER_NOUNS = (
    r"group|lab|laboratory|team|institute|chair|department|centre|center|gruppe|arbeitsgruppe|forschungsgruppe|"
    r"labor|institut|lehrstuhl|abteilung|zentrum|professur|arbeitsbereich"
)
_SITE_OWNER = LazyPattern(
    r"\b(?:the|this|your|der|die|das|dem|den|des|diese[mnrs]?|ihr(?:e|em|en|er|es)?|eure[mnrs]?)\s+"
    rf"(?P<word>{_SITE_OWNER_NOUNS})(?:'s|’s|s)?"
    # the noun ends the phrase: a compound ("the lab director", "the group meeting") names something else
    r"(?=\s*(?:$|[?!.,;:)]|\s(?:is|are|was|were|has|have|had|do|does|did|located|based|situated|founded|"
    r"established|started|work|works|ist|sind|war|wurde|wird|hat|liegt|sitzt|befindet|gegründet|arbeitet|"
    r"forscht|and|und|or|oder|now|today|heute|derzeit|currently)\b))",
    re.I,
)


def owner_words(question: str) -> frozenset[str]:
    """The words of "the group", "the lab", "das Institut" where they stand alone for the body the site
    belongs to: a site rarely names itself so, so they count like the site's own name ("Who leads the
    group?" on a site whose head is its "Lab director")."""
    return frozenset(m.group("word").lower() for m in _SITE_OWNER.finditer(question))


def question_verbs(question: str) -> frozenset[str]:
    """English words where a question puts its verb: "did Taylor Swift <play> in Hamburg", "was it <offered>",
    "who <gave> the talk".

    A site that never uses such a word still answers the question when it names the rest ("the concert
    in the stadium"), so an unknown verb counts little, as a lower-case German word does.
    """
    words = _WORDS.findall(question)
    found: set[str] = set()
    for i, word in enumerate(words):
        low = word.lower()
        if i == 0 and low not in _DO_AUX | _BE_AUX:
            continue
        if i == 1 and words[0].lower() == "who" and word.islower() and low not in _DO_AUX | _BE_AUX:
            found.add(low)  # "Who gave the keynote?": the word after "who" is its verb
            continue
        if low in _DO_AUX:
            run = []
            for later in words[i + 1 :]:
                if later.lower() in _RUN_ENDS:
                    break
                run.append(later)
            if len(run) >= 2 and run[-1].islower():
                found.add(run[-1].lower())
        elif low in _BE_AUX:
            for later in words[i + 1 : i + 4]:
                if later.islower() and _PARTICIPLE.match(later):
                    found.add(later.lower())
                    break
    return frozenset(found)


def question_words(question: str) -> set[str]:
    return {w.lower() for w in _WORDS.findall(question)}


_CONTINUES = LazyPattern(r"^\W*(and|also|what about|how about|und|auch|und was ist mit|was ist mit)\b", re.I)


def is_follow_up(question: str, query: ParsedQuery) -> bool:
    """A question that points back ("it", "dort"), goes on from the last one ("And ...?", "Und ...?"),
    or names too little to stand alone (one word, or in German no noun)."""
    if _CONTINUES.match(question) or len(query.terms) <= 1 or _names_nothing(question, query):
        return True
    return bool(question_words(question) & (ANAPHORA["en"] | ANAPHORA["de"]))


def _names_nothing(question: str, query: ParsedQuery) -> bool:
    """A German question with no noun ("An wen wende ich mich, wenn ich teilnehmen will?") asks about
    what was asked before: German writes every noun with a capital, and the first word has one anyway."""
    return query.lang == "de" and not capitalised_words(question)


def capitalised_words(question: str) -> list[str]:
    """The words of a question written with a capital, but its first (capitalised as any first word is):
    in German, its nouns."""
    return [w for w in question.split()[1:] if w[:1].isupper()]


def earlier_question(question: str, query: ParsedQuery, history: Sequence[object] | None) -> str | None:
    """The previous question, when this one refers back to it."""
    previous = [h for h in (history or []) if isinstance(h, str) and h.strip()]
    return previous[-1] if previous and is_follow_up(question, query) else None


PERSON_PRONOUNS = frozenset(
    "he she him his her hers himself herself er sie ihn ihm ihr ihre ihren ihrem ihrer sein seine seinen "
    "seinem seiner seines".split()
)
# A person's name as sites write it: two or more capitalised words, a middle initial allowed.
PERSON_NAME = LazyPattern(
    r"\b[A-ZÄÖÜ][a-zäöüßéèáàíóúñç]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?(?:\s+[A-ZÄÖÜ]\.)?"
    r"(?:\s+(?:van |da |del |di |von |von der |de |du |van der )?[A-ZÄÖÜ][a-zäöüßéèáàíóúñç]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)+"
)


def refers_to_a_person(question: str) -> bool:
    """ "Where is he now?", "Was macht sie sonst?": the question goes on about someone named before."""
    return bool(question_words(question) & PERSON_PRONOUNS)


# Words that make a run of capitalised words the name of a place or body, not of a person.
_BODY_WORDS = frozenset(
    "institut institute university universität universitaet museum zentrum center centre department school "
    "hochschule akademie academy gesellschaft society stiftung foundation ministerium ministry verband verein "
    "labor lab laboratory gruppe group projekt project konsortium consortium netzwerk network bibliothek library "
    "archiv archive amt office".split()
)


# words of a job title written in capitals ("Postdoctoral Fellow", "Staff Scientist"): no one is called by them
_JOB_WORDS = frozenset(
    "fellow fellows postdoctoral postdoc scientist scientists researcher researchers student students professor "
    "lecturer engineer engineers manager coordinator assistant associate candidate alumni alumnus alumna staff "
    "visiting senior junior research graduate undergraduate doctoral predoctoral postbaccalaureate intern principal "
    "investigator head director "
    "wissenschaftlicher wissenschaftliche mitarbeiter mitarbeiterin doktorand doktorandin".split()
)


def names_in(text: str, leave_out: set[str]) -> list[str]:
    """Person names in a text, leaving out those made only of words the question already had, names of
    bodies ("Deutschen Archäologischen Institut") and job titles ("Staff Scientist"): words a person is not
    called by."""
    found = []
    for match in PERSON_NAME.finditer(text):
        for name in _between_job_words(match.group()):
            words = [w.lower() for w in _WORDS.findall(name)]
            if set(words) <= leave_out or _BODY_WORDS.intersection(words):
                continue
            first = name.split()[0]
            if first.lower() in _NOT_A_GIVEN_NAME or _NOUN_ENDINGS.search(first) or _ADJECTIVE_ENDING.search(first):
                continue
            found.append(name)
    return found


def _between_job_words(match: str) -> list[str]:
    """The names a run of capitalised words holds around job titles: "Principal Investigator Can Cenik
    Associate Professor" holds Can Cenik; "Postdoctoral Fellow" holds no one."""
    if not any(part.lower() in _JOB_WORDS for part in match.split()):
        return [match]
    runs: list[list[str]] = [[]]
    for part in match.split():
        if part.lower() in _JOB_WORDS:
            runs.append([])
        else:
            runs[-1].append(part)
    return [" ".join(run) for run in runs if len(run) >= 2]


def with_person(query: ParsedQuery, person: ParsedQuery, source: str) -> ParsedQuery:
    """Add the words of the person a pronoun stands for, at full weight: they are what is asked about."""
    own = {v for t in query.terms for v in t.variants}
    for term in person.terms:
        if own.intersection(term.variants):
            continue
        carried = QueryTerm(term.word)
        for variant, weight in term.variants.items():
            carried.add(variant, weight, "person", f"the person of {source}")
        query.terms.append(carried)
    return query


def with_subject_of(
    query: ParsedQuery, earlier: ParsedQuery, question: str, on_site: Callable[[str], bool] | None = None
) -> ParsedQuery:
    """Add the earlier question's subject words, at HISTORY_WEIGHT, that this one lacks.

    A word the site knows only through a translation ("Glasfaser" on an English site that says "fiber")
    is carried too, when ``on_site`` tells that one of its variants is in the index.
    """
    own = {v for t in query.terms for v in t.variants}
    for term in earlier.terms:
        known = term.known or (on_site is not None and any(on_site(v) for v in term.variants))
        if term.word.lower() in FRAME_WORDS or not known:
            continue  # "what", "worum geht es": the earlier question's frame is not its subject
        if own.intersection(term.variants):
            continue
        carried = QueryTerm(term.word)
        for variant, weight in term.variants.items():
            step, reason = term.why.get(variant, ("own", "as typed"))
            carried.add(variant, weight * HISTORY_WEIGHT, "history", f"from {question!r} ({step}: {reason})")
        query.terms.append(carried)
    return query


# ---------------------------------------------------------------------------
# Answer shapes: what kind of answer a question asks for, and what such an answer looks
# like in text. A passage that has the shape of the answer ranks a little higher.


@dataclass(frozen=True)
class AnswerShape:
    name: str  # price, date, frequency, person, place, number, definition
    looks_like: re.Pattern[str] | LazyPattern | _PersonLooks | _NamedThen
    required: bool = False  # a passage without this shape does not answer at all (a price without an amount)
    counted: str = ""  # for "how many X": the word (or two words) X, which a number in the answer must stand by
    # words of the question that name what is asked for ("e-mail", "reach"): a passage of this shape answers them
    names: re.Pattern[str] | LazyPattern | None = None
    # what a passage must hold to answer at all, where that is wider than what marks the best answer
    # (a weekday or a semester answers "when", a date answers it best)
    holds_like: re.Pattern[str] | LazyPattern | None = None

    def holds(self, text: str) -> bool:
        return bool((self.holds_like or self.looks_like).search(text))

    def answers_word(self, word: str, text: str) -> bool:
        return self.names is not None and bool(self.names.fullmatch(word)) and self.fits(text)

    def fits(self, text: str) -> bool:
        """Whether the text has this shape, kept per pattern and text: the same passages are ranked
        question after question, and an address or a name is looked for in each of some forty."""
        looks = self.looks_like
        if isinstance(looks, _NamedThen):  # made for one question's subject
            return bool(looks.search(text))
        key = (type(looks), looks.pattern, getattr(looks, "flags", 0), text)
        known = _FITS.get(key)
        if known is None:
            known = bool(looks.search(text))
            if len(_FITS) >= FITS_KEPT:
                _FITS.clear()
            _FITS[key] = known
        return known


_FITS: dict[tuple[type, str, int, str], bool] = {}  # see AnswerShape.fits


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "januar|februar|märz|maerz|mai|juni|juli|oktober|dezember"
)
_PRICE_ASKED = LazyPattern(
    r"\b(cost|costs|price|prices|fee|fees|rent|charge|charged|tuition|expensive|cheap|pay|paid|"
    r"kostet|kosten|preis|preise|gebühr|gebühren|gebuhr|gebuhren|miete|teuer|günstig|bezahlen|zahlen|"
    r"eintritt|teilnahmegebühr)\b|\bhow much money\b|\bwie ?viel geld\b",
    re.I,
)
_PRICE_LOOKS = LazyPattern(
    r"\d[\d.,]*\s?((million|millionen|mio\.?|billion|milliarden|mrd\.?|thousand|tausend|k)\s?)?"
    r"(€|euro|eur|\$|usd|chf|£|gbp)(?!\w)|(€|\$|£)\s?\d|\b(free of charge|kostenlos|kostenfrei|"
    r"gebührenfrei|gebuhrenfrei|unentgeltlich|no fee|free admission|free of cost|eintritt frei)\b",
    re.I,
)
NUMBER = LazyPattern(
    r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|dozen|dozens|eins|ein|eine|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|"
    r"zwölf|zwanzig|dreißig|vierzig|fünfzig|hundert|tausend|dutzend)\b",
    re.I,
)
DATE_LOOKS = LazyPattern(
    rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS})\b|\b\d{{1,2}}\.\s?\d{{1,2}}\.(\d{{2}}|\d{{4}})?\b|\b\d{{4}}-\d\d-\d\d\b",
    re.I,
)
# A day of the calendar: "April 19", "19. April", "19.4.", "2024-04-19", a weekday. "Which day …?" is
# answered by one of them, not by "Spring 2024".
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    "samstag|sonnabend|sonntag"
)
DAY_LOOKS = LazyPattern(
    rf"\b\d{{1,2}}(st|nd|rd|th)?\.?\s+({_MONTHS})\b|\b({_MONTHS})\s+\d{{1,2}}\b|\b\d{{1,2}}\.\s?\d{{1,2}}\.(\d{{2}}|\d{{4}})?"
    rf"|\b\d{{4}}-\d\d-\d\d\b|\b({_WEEKDAYS})\b",
    re.I,
)
# Whatever tells a time: a date, a month, a weekday, an hour, a season, a semester, a rhythm. A "when"
# question is answered by a passage with one of them, and by no passage without any.
WHEN_LOOKS = LazyPattern(
    DATE_LOOKS.pattern + r"|\b(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|okt|dez)\b\.?"
    r"|\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b(montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonnabend|sonntag)s?\b|\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s?(am|pm|uhr)\b|\b(spring|summer|autumn|fall|winter|"
    r"frühjahr|frühling|sommer|herbst)\b|semester|\b(term|trimester|quarter|ss|ws|sose|wise)\b|\b(daily|weekly|monthly|"
    r"yearly|annually|every|each|today|tomorrow|tonight|täglich|wöchentlich|monatlich|jährlich|heute|morgen|"
    r"abends|morgens|nachmittags|vormittags|ganztägig|jeden|jede|jedes)\b|\b\d{1,2}(st|nd|rd|th)\b",
    re.I,
)
_TITLE = LazyPattern(r"\b(Prof|Dr|PD|Professor|Professorin|Mr|Mrs|Ms)\b\.?")
_NAME_PAIR = LazyPattern(r"\b([A-ZÄÖÜ][a-zäöüß]+) ([A-ZÄÖÜ][a-zäöüß]+)(-[A-ZÄÖÜ][a-zäöüß]+)?\b")
# a double given name ("Paul-Olivier Dehaye", "Hans-Peter Müller"): two short capitalised parts and a surname
_DOUBLE_GIVEN_NAME = LazyPattern(r"\b[A-ZÄÖÜ][a-zäöüß]{1,7}-[A-ZÄÖÜ][a-zäöüß]{1,7} [A-ZÄÖÜ][a-zäöüß]+\b")
# Capitalised words that start a German sentence or name a thing, so a pair with them is no one's name
# ("Die Fahrten", "Anzahl Fahrten", "Berliner Verwaltung").
_NOT_A_GIVEN_NAME = frozenset(
    "der die das den dem des ein eine einen einem einer im in am an auf aus bei beim für mit von vom zum zur "
    "nach über unter vor seit bis wir sie es er ihr unser unsere diese dieser dieses alle viele jede jeder "
    "the a an this these our their in on at for with from by of".split()
)
_NOUN_ENDINGS = LazyPattern(
    r"(ung|ungen|heit|keit|schaft|tion|tionen|tät|ismus|nis|tum|ik|ie|ien|enz|anz|ment|chen|daten|zahl|er|ern)$"
)


_ADJECTIVE_ENDING = LazyPattern(r"(ischen|ische|lichen|liche|schen)$")


class _PersonLooks:
    """A title (Prof., Dr.), a double given name, or two capitalised words that can be a given name and a
    surname.

    German capitalises every noun, so "Anzahl Fahrten" is two capitalised words but no name: a pair
    whose first word starts a sentence or ends like a German noun is left out, unless the pair is a
    line of its own, as a name stands on a card.
    """

    pattern = "person"

    def search(self, text: str) -> re.Match[str] | None:
        title = _TITLE.search(text) or _DOUBLE_GIVEN_NAME.search(text)
        if title:
            return title
        for found in _NAME_PAIR.finditer(text):
            first = found.group(1)
            if first.lower() in _NOT_A_GIVEN_NAME:
                continue
            if not _NOUN_ENDINGS.search(first) or _on_a_line_of_its_own(text, found):
                return found  # a card's name line is a name, whatever its ending ("Jochen Klar", "Peter Lang")
        return None


def _on_a_line_of_its_own(text: str, found: re.Match[str]) -> bool:
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    return not text[start : found.start()].strip() and not text[found.end() : None if end < 0 else end].strip()


_PERSON_LOOKS = _PersonLooks()
_PAYS = (
    r"(paid|pays|pay|paying|funds|funded|fund|funding|finances|financed|finance|financing|sponsors|sponsored|"
    r"sponsor|sponsoring|fördert|förderte|"
    r"gefördert|finanziert|finanzierte|bezahlt|bezahlte|sponsert|trägt|getragen)"
)
_FUNDER_ASKED = LazyPattern(
    r"^\W*(who|wer|which (organisation|organization|agency|foundation|institution|body|funder)|welche \w+)\b.{0,60}?\b"
    + _PAYS
    + r"\b",
    re.I,
)
_FUNDER_LOOKS = LazyPattern(
    r"\b(funded|financed|sponsored|supported|paid) by\b|\b(gefördert|finanziert|unterstützt|getragen) (von|durch)\b"
    r"|\b(foundation|\w*stiftung|\w*forschungsgemeinschaft|DFG|BMBF|ERC|NSF|NIH|ministry|\w*ministerium|council|"
    r"european union|european commission|horizon 2020|horizon europe|förderung|fördert|funds|funding|grant)\b",
    re.I,
)
_SHAPES: list[tuple[str, re.Pattern[str] | LazyPattern, re.Pattern[str] | LazyPattern | _PersonLooks]] = [
    (
        "frequency",
        LazyPattern(
            r"^\W*(how often|how frequently|wie oft|wie häufig|wie haufig|in welchem (rhythmus|turnus))\b", re.I
        ),
        LazyPattern(
            r"\b(daily|weekly|monthly|annually|yearly|biannual\w*|every|each|once|twice|times a|per (year|month|week)|"
            r"täglich|wöchentlich|monatlich|jährlich|halbjährlich|vierteljährlich|alle \w+ (tage|wochen|monate|jahre)|"
            r"einmal|zweimal|pro (jahr|monat|woche)|regelmäßig|regelmässig)\b",
            re.I,
        ),
    ),
    (
        "since",  # "Since when …?" is answered by "since 1997", not by any date
        LazyPattern(r"^\W*(since when|seit wann|how long (has|have|had)|wie lange (schon|gibt es|besteht))\b", re.I),
        # "since 1997", or the founding with its year ("founded in 2012", "im Sommer 2012 … gegründet")
        LazyPattern(
            r"\b(since|seit|from|ab|von)\s+(\w+\s+){0,2}(\d{1,2}[./]\s?)?(1[89]\d\d|20\d\d)\b"
            r"|\b(founded|established|set up|launched|gegründet|gründete|gründeten|ins leben gerufen)\b"
            r"[^.!?]{0,40}\b(1[89]\d\d|20\d\d)\b|\b(1[89]\d\d|20\d\d)\b[^.!?]{0,90}"
            r"\b(founded|established|set up|launched|gegründet|ins leben gerufen)\b",
            re.I,
        ),
    ),
    (
        "duration",  # "How long does it take by bike?" is answered by "in about 9 minutes"
        LazyPattern(
            r"^\W*(how long (does|do|did|will|would|is|are|was|were|takes?)|wie lange (dauert|dauern|dauerte|braucht|"
            r"brauche|brauchen|benötigt|benötige|ist|sind|war|läuft|laufen|geht|gehen|fährt|fahre))\b",
            re.I,
        ),
        LazyPattern(
            r"\b(\d+([.,]\d+)?|one|two|three|four|five|six|ten|a few|half an?|an?|eine[nrm]?|zwei|drei|vier|fünf|"
            r"sechs|zehn|einige[nr]?|wenige[nr]?|halbe[nr]?)\s*(-|–|bis|to)?\s*(\d+\s*)?(min\.?|minutes?|minuten|"
            r"std\.?|stunden?|hours?|days?|tage?n?|weeks?|wochen|woche|months?|monate?n?|years?|jahre?n?|semesters?)\b",
            re.I,
        ),
    ),
    (
        "date",
        LazyPattern(
            r"^\W*((on |an )?(what|which|welche[mnrs]?) (day|date|datum|tag)|what day|an welchem tag|welches datum)\b",
            re.I,
        ),
        DAY_LOOKS,
    ),
    (
        "date",
        LazyPattern(
            r"^\W*(when|since when|until when|from when|by when|(in |from |during |for )?(what|which) "
            r"(year|years|period|date|dates|decade)|wann|seit wann|von wann|ab wann|bis wann"
            r"|(in |an |aus |seit |von )?welche[mnrs]? (jahr|jahre|jahren|zeitraum|datum|tag))\b",
            re.I,
        ),
        DATE_LOOKS,
    ),
    ("funder", _FUNDER_ASKED, _FUNDER_LOOKS),  # "Who paid for it?" asks for a funder, not a person
    ("person", LazyPattern(r"^\W*(who|whom|whose|wer|wem|wen|wessen)\b", re.I), _PERSON_LOOKS),
    (
        "place",
        LazyPattern(r"^\W*(where|wo|wohin|woher)\b", re.I),
        LazyPattern(
            r"\b\d{5}\b|str(\.|aße|asse)\b|\b(street|road|avenue|floor|building|room|etage|stock|gebäude|raum|haus|house)\b",
            re.I,
        ),
    ),
    ("number", LazyPattern(r"^\W*(how many|how much|wie viele|wie viel)\b", re.I), NUMBER),
]
# Words of a shaped question that name what is asked for: "Which years does it cover?" is answered
# by a passage that gives years, whether or not it says "year".
_SHAPE_NAMES = {
    "date": LazyPattern(r"years?|dates?|period|decade|jahre?|jahren|zeitraum|datum|jahrzehnt", re.I),
    "since": LazyPattern(r"long|lange|years?|jahre?|jahren", re.I),
    "duration": LazyPattern(r"long|lange|take|takes|took|dauert|dauern|dauerte|braucht|brauche|brauchen", re.I),
    "funder": LazyPattern(_PAYS, re.I),
    "place": LazyPattern(
        r"held|located|location|situated|venue|stattfinden|stattfindet|stattfand|stattgefunden|befindet|liegt|"
        r"ort|veranstaltungsort|standort",
        re.I,
    ),
}
_TOPIC_VERBS = (
    r"\b(deals? with|dealing with|works? on|working on|focus(es|ses)? on|is concerned with|concentrates? on|"
    r"addresses|studies|investigates|researches|explores|befasst sich|beschäftigt sich|arbeitet an|arbeiten an|"
    r"widmet sich|erforscht|untersucht|konzentriert sich|forscht zu|forscht an)\b"
)
_TOPIC_ASKED = LazyPattern(
    r"^\W*(?:what|which \w+)\s+(?:does|do|did|is|are)\s+(?:the\s+)?(?P<subject>[\w][\w .&+-]{1,50}?)\s+"
    r"(?:work on|working on|deal with|dealing with|focus on|research|study|investigate|do|concerned with)\W*$"
    r"|^\W*(?:woran|womit|worüber|woruber|was)\s+(?:arbeitet|arbeiten|beschäftigt|beschäftigen|befasst|befassen|"
    r"erforscht|erforschen|untersucht|untersuchen|forscht|forschen|macht|machen)\s+(?:sich\s+)?"
    r"(?:der\s+|die\s+|das\s+)?(?P<subject2>[\w][\w .&+-]{1,50}?)(?:\s+sich)?\W*$",
    re.I,
)
_WHO_ARE_THE = LazyPattern(
    r"^\W*(who|wer)\s+(are|were|is|was|sind|waren|ist|war)\s+(the|der|die|das|den|our|unsere|unser)\b", re.I
)
# "Which X …?", "Welchen X …?": X is what the answer names
WHICH_ASKED = LazyPattern(r"^\W*(?:which|welche[rsnm]?)\s+(\w+)", re.I)
_DEFINITION = LazyPattern(
    r"^\W*(?:what|who|was|wer)\s+(?:is|are|ist|sind)\s+(?:the |a |an |der |die |das |ein |eine )?"
    r"(?P<subject>[\w][\w .&+-]{1,60}?)\W*$",
    re.I,
)


# a place or a verb after "is": "Who is in the team?", "Who is paying for it?" define nothing
_NOT_A_SUBJECT = LazyPattern(
    r"(in|im|on|at|for|für|fur|bei|beim|zu|zum|zur|an|am|auf|there|da|dort)\b|(?-i:[a-z]+ing\s+(for|on|in|at|the|to))\b",
    re.I,
)


# "call" asks for a number as a verb ("Who can I call?", "Call the office"), not as the noun of "a grant call"
_PHONE_ASKED = LazyPattern(
    r"\b(phone|telephone|phone number|fax|telefon\w*|rufnummer|durchwahl|anrufen|faxnummer)\b"
    r"|^\W*call\b|\b(to|can|could|should|may|do|shall|will|i|we|you)\s+(i\s+|we\s+|you\s+)?call\b",
    re.I,
)
# an international or national number ("+49 201 …", "0201 …"), or one written the North American way
# without its country code ("512-232-2874", "(512) 232-2874")
_PHONE_LOOKS = LazyPattern(r"(\+|\b0)\d[\d\s/()\-–.]{5,}\d|(?<![\d/.-])\(?\b\d{3}\)?[\s.-]\d{3}[.-]\d{4}\b(?![\d-])")
_EMAIL_ASKED = LazyPattern(r"\b(e-?mail|mail address|e-mail-adresse|mailadresse|emailadresse)\b", re.I)
_EMAIL_LOOKS = LazyPattern(r"[\w.+-]+\s?(@|\(at\)|\[at\]|\{at\})\s?[\w-]+(\.|\(dot\)|\[dot\])[\w.]+", re.I)
PEOPLE_WORDS = frozenset({"people", "persons", "leute", "personen", "menschen"})
_HOW_HIGH = LazyPattern(r"^\W*wie\s+hoch\s+(ist|sind|war|waren|liegt|liegen)\b", re.I)
_COUNT_ASKED = LazyPattern(
    r"^\W*(how many|wie viele|wie viel|wieviele)\s+(?P<what>[^\W\d_]{3,})(?:\s+(?P<then>[^\W\d_]{3,}))?", re.I
)
# Words after "how many X" that end what is counted: "How many written requests were sent" counts requests.
# A word qualifying the noun after it: "written requests", "neue Mitglieder" (a German noun is capitalised).
_ADJECTIVE = LazyPattern(
    r"[a-zäöüß]+(ed|en|al|ive|ic|ous|ful|able|ible|ary|ish|less|ant|ent|ern|ige|ische|liche|lichen|ischen|igen|e)"
    r"|new|old|young|former|current|other|full|small|large|big",
)
_COUNT_ENDS = frozenset(
    "are were was have has had will can could did does there the and for from with "
    "sind waren ist war gibt gab hat haben hatte hatten werden wurden wird kann können konnten der die das "
    "den dem des und von für mit bei".split()
)
_WHO = LazyPattern(
    r"^\W*(who|whom|whose|wer|wem|wen|wessen|which (organisation|organization|agency|foundation))\b", re.I
)
_CONTACT_WORDS = LazyPattern(
    rf"({_PHONE_ASKED.pattern}|{_EMAIL_ASKED.pattern}|reach|contact|write|erreichen|erreiche|erreichbar|kontakt"
    r"|kontaktieren|schreiben|mail|number|nummer|address|adresse)",
    re.I,
)
_DEADLINE_ASKED = LazyPattern(
    r"\b(deadline|deadlines|due date|closing date|frist|fristen|bewerbungsfrist|anmeldeschluss|anmeldefrist|"
    r"einsendeschluss|abgabefrist|bewerbungsschluss|until when|bis wann)\b",
    re.I,
)
_ADDRESS_ASKED = LazyPattern(
    r"\b(postal address|mailing address|post address|street address|address|addresses|anschrift|postanschrift|"
    r"adresse|postadresse|besucheranschrift|hausanschrift)\b",
    re.I,
)
_ADDRESS_WORDS = LazyPattern(
    r"(postal|mailing|post|street|address|addresses|anschrift|postanschrift|adresse|postadresse|"
    r"besucheranschrift|hausanschrift|lautet)",
    re.I,
)
_ADDRESS_LOOKS = LazyPattern(
    r"(?:^|[,\n]\s*|\b[A-Z]{1,2}-|\b\d{1,4}[a-zA-Z]?\s+)\d{4,5}\s+[A-ZÄÖÜ][a-zäöüß]+|\b[A-Z]{2}\s\d{5}\b|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b"
    r"|(?i:\w(str\.|straße|strasse|weg|platz|allee|gasse|ring|laan|straat)\s*\d+)"
    r"|(?i:\b\d+\w?\s+(\w+\s+)?(street|road|avenue|lane|drive|boulevard|st\.|rd\.|ave\.)(?!\w))"
    r"|(?i:\b(p\.?\s?o\.?\s?box|postfach)\b)"
)
_ATTRIBUTES = [  # what is asked for, wherever it stands in the question; the passage must hold it
    ("phone", _PHONE_ASKED, _PHONE_LOOKS, _CONTACT_WORDS),
    ("email", _EMAIL_ASKED, _EMAIL_LOOKS, _CONTACT_WORDS),
    ("deadline", _DEADLINE_ASKED, DATE_LOOKS, _DEADLINE_ASKED),
    ("address", _ADDRESS_ASKED, _ADDRESS_LOOKS, _ADDRESS_WORDS),
]


_PRIZE_OR_PRICE = frozenset({"preis", "preise", "price", "prices"})
_PRIZE_CONTEXT = LazyPattern(
    r"\b(welche[nmrs]?\s+preis\w*|gewonnen|gewinnt|gewann|bekommen|bekam|erhalten|erhielt|verliehen|vergeben|"
    r"ausgezeichnet|won|win|wins|received|receive|awarded)\b",
    re.I,
)


# Sums of money that are asked for as an amount ("How high is the stipend?", "What is the annual budget?"),
# but not when asked about otherwise ("Which stipends are there?").
_MONEY_WORDS = LazyPattern(
    r"\b(stipend|stipends|stipendium|stipendien|salary|salaries|gehalt|gehälter|vergütung|verguetung|budget|"
    r"budgets|etat|honorar|lohn|wage|wages|funding amount|fördersumme|foerdersumme|fördervolumen)\b",
    re.I,
)
_AMOUNT_ASKED = LazyPattern(
    r"^\W*(wie hoch|how high|how much|how large|how big|wie groß|wie gross|what is|what's|was ist|what was|"
    r"was war)\b|\b(amount|betrag|höhe)\b",
    re.I,
)


def _asks_a_price(question: str) -> bool:
    """A price is asked for, unless the only price word is a German "Preis" that was won ("Welchen Preis
    hat sie gewonnen?" asks for a prize); a stipend, salary or budget when its amount is asked."""
    words = {m.group().lower() for m in _PRICE_ASKED.finditer(question)}
    if not words:
        return bool(_MONEY_WORDS.search(question) and _AMOUNT_ASKED.search(question))
    return not (words <= _PRIZE_OR_PRICE and _PRIZE_CONTEXT.search(question))


_LEADING_AND = LazyPattern(r"^\W*(and|also|but|und|auch|aber|sowie)\s+", re.I)


# "X is …", and the verbs a page defines a field or an acronym with ("X stands at the intersection of …")
_DEFINING_VERBS = (
    r"(is|are|was|were|means|refers to|stands for|stands at|denotes|ist|sind|war|waren|wurde|bedeutet|bezeichnet|"
    r"steht für)"
)

# what follows a subject in a sentence saying what it does ("… deals with") or is ("… is")
_TOPIC_THEN = LazyPattern(rf".{{0,80}}?{_TOPIC_VERBS}", re.I | re.S)
_DEFINING_THEN = LazyPattern(rf"\W+{_DEFINING_VERBS}\b", re.I)


class _NamedThen:
    """The question's subject named, then within reach the words that say what it does or is.

    One pattern of the subject and those words' alternation took half a millisecond or more to
    compile, once for every question of this shape; the words are compiled once, and tried where
    each mention of the subject ends (a mention's end is fixed by where it starts, so this finds
    what the one pattern found).
    """

    def __init__(self, subject: str, then: LazyPattern) -> None:
        self._subject = re.compile(rf"\b{subject}", re.I)
        self._then = then
        self.pattern = f"{subject} then {then.pattern}"

    def search(self, text: str) -> re.Match[str] | None:
        found = self._subject.search(text)
        while found is not None:
            if self._then.match(text, found.end()):
                return found
            found = self._subject.search(text, found.start() + 1)
        return None


# "What is X doing now?", "Wo arbeitet X inzwischen?": where someone went, not what they are or were
_NOW_WORDS = (
    r"(now|today|these days|nowadays|currently|at present|inzwischen|mittlerweile|heute|jetzt|derzeit|zurzeit|"
    r"aktuell|beruflich)"
)
_DOING = r"(doing|do|does|work|works|working|macht|machen|arbeitet|arbeiten|tätig)"
_NOW_ASKED = LazyPattern(
    rf"^\W*(what|where|wo|was)\b.{{0,60}}?\b({_DOING}\b.{{0,30}}?\b{_NOW_WORDS}|{_NOW_WORDS}\b.{{0,30}}?\b{_DOING})\b",
    re.I,
)
_NOW_LOOKS = LazyPattern(
    r"\b(now|currently|today|nowadays|became|has become|went on to|moved (on )?to|is now|heute|inzwischen|"
    r"mittlerweile|jetzt|derzeit|zurzeit|wurde|wechselte|ging (sie|er) (an|nach|zu))\b"
    r"|\b(since|seit) (\w+ )?(1[89]|20)\d\d\b",
    re.I,
)


def answer_shape(question: str) -> AnswerShape | None:
    """What an answer to the question looks like; for "What is X?" a sentence saying "X is ..."."""
    question = _LEADING_AND.sub("", question)  # "And how many sensors …?" asks as "How many sensors …?" does
    if _asks_a_price(question) and not _WHO.match(question):  # "Who paid for it?" asks for a funder
        return AnswerShape("price", _PRICE_LOOKS, required=True, names=_PRICE_ASKED)
    for name, asks, looks, names in _ATTRIBUTES:
        if asks.search(question):
            return AnswerShape(name, looks, required=True, names=names)
    if _HOW_HIGH.match(question):  # "Wie hoch ist die Miete?" asks for an amount, which must be there
        return AnswerShape("number", NUMBER, required=True)
    count = _COUNT_ASKED.match(question)
    if count and count.group("what").lower() not in ("of", "von", "der", "die", "das", "the"):
        what, then = count.group("what"), count.group("then")
        # "how many people": a count of participants, visitors or members answers it, in any words
        people = re.compile(re.escape(what), re.I) if what.lower() in PEOPLE_WORDS else None
        if then and then.lower() not in _COUNT_ENDS and not people and _ADJECTIVE.fullmatch(what):
            what = f"{what} {then}"  # "how many written requests": the number may stand by either word
        return AnswerShape("number", NUMBER, required=True, counted=what, names=people)
    if _NOW_ASKED.search(question):  # "What is she doing now?" asks where she went, not what she is
        return AnswerShape("now", _NOW_LOOKS)
    topic = _TOPIC_ASKED.match(question)
    if topic:  # "What does Task Area 4 work on?" is answered by "Task Area 4 … deals with …"
        words = re.findall(r"\w+", topic.group("subject") or topic.group("subject2"))
        return AnswerShape("topic", _NamedThen(r"\W+".join(re.escape(w) for w in words) + r"\b", _TOPIC_THEN))
    if _WHO_ARE_THE.match(question):  # "Who are the postdocs?" asks for people, not for a definition
        return AnswerShape("person", _PERSON_LOOKS)
    which = WHICH_ASKED.match(question)
    if which and ROLE_WORDS.fullmatch(which.group(1)):  # "Which professor runs the lab?" asks for a person
        return AnswerShape("person", _PERSON_LOOKS)
    definition = _DEFINITION.match(question)
    if definition and not _NOT_A_SUBJECT.match(definition.group("subject")):
        subject = r"\s+".join(re.escape(w) for w in definition.group("subject").split())
        return AnswerShape("definition", _NamedThen(subject, _DEFINING_THEN))
    for name, asked, form in _SHAPES:
        if asked.search(question):
            if name == "date":
                return AnswerShape(name, form, required=True, names=_SHAPE_NAMES.get(name), holds_like=WHEN_LOOKS)
            return AnswerShape(name, form, names=_SHAPE_NAMES.get(name))
    return None


# What a shaped question is about: "Who leads <the robotics group> of the lab?", "How much does
# <a licence> cost?". A passage that answers the shape for something else (another group's head,
# another thing's price) does not answer the question.
_ARTICLE = r"(?:(?:the|a|an|der|die|das|den|dem|des|ein|eine|einen|einer)\s+)?"
_SUBJECT = r"(?P<subject>[^\W\d_][\w'’+-]*(?:\s+[\w'’+-]+){0,3}?)"
_SUBJECT_END = (
    r"(?=\s+(?:of|for|at|in|on|about|from|by|within|von|vom|für|fur|an|am|im|in|bei|beim|des|der|zu|zur|zum|"
    r"cost|costs|kosten|kostet|take|start|begin|end|stattfinden|statt|beginnen|beginnt|founded|established|held|"
    r"opened|published|released|built|gegründet|eröffnet|veröffentlicht|gebaut|abgehalten)\b|\W*$)"
)
_SUBJECT_CUES = [
    LazyPattern(
        r"^\W*(?:who|wer)\s+(?:leads|heads|runs|directs|manages|coordinates|chairs|supervises|leitet|leiten|führt|"
        r"fuhrt|koordiniert|betreut|is\s+(?:the\s+)?(?:head|leader|director|chair|spokesperson|coordinator)\s+of|"
        r"ist\s+(?:der\s+|die\s+)?(?:leiter|leiterin|sprecher|sprecherin|direktor|direktorin|koordinator|"
        r"koordinatorin)\s+(?:von|der|des))\s+" + _ARTICLE + _SUBJECT + _SUBJECT_END,
        re.I,
    ),
    LazyPattern(r"^\W*how\s+much\s+(?:does|do|did|is|are|was)\s+" + _ARTICLE + _SUBJECT + _SUBJECT_END, re.I),
    LazyPattern(
        r"^\W*(?:wie\s+viel|wieviel|was)\s+(?:kostet|kosten|kostete)\s+" + _ARTICLE + _SUBJECT + _SUBJECT_END,
        re.I,
    ),
    LazyPattern(r"^\W*wie\s+hoch\s+(?:ist|sind|war|waren)\s+" + _ARTICLE + _SUBJECT + _SUBJECT_END, re.I),
    # "When is <the exam> for the course?": a date of the course's start does not answer
    LazyPattern(
        r"^\W*(?:when|wann)\s+(?:is|are|was|were|will|ist|sind|war|waren|wird|findet|finden|fand|beginnt|endet)\s+"
        + r"(?!(?:the\s+|der\s+|die\s+|das\s+|den\s+)?(?:next|first|last|upcoming|nächste|nächsten|erste|ersten"
        + r"|letzte|letzten)\b)"
        + _ARTICLE
        + _SUBJECT
        + _SUBJECT_END,
        re.I,
    ),
]


_ROLE_ASKED = LazyPattern(
    r"^\W*(?:who|wer)\s+(?:is\s+(?:the\s+)?|ist\s+(?:der\s+|die\s+)?)?(?P<role>leads|heads|runs|directs|"
    r"coordinates|chairs|leitet|leiten|koordiniert|head|leader|director|chair|spokesperson|coordinator|leiter|"
    r"leiterin|sprecher|sprecherin|direktor|direktorin|koordinator|koordinatorin)\b",
    re.I,
)


# Words that say someone leads: a passage answering "who leads X?" has one of them, or the word asked.
ROLE_WORDS = LazyPattern(
    r"\b(?:PI|PIs)\b|(?i:\b(?:head|heads|headed|leader|leaders|leads|led|director|directors|chair|chairs|chaired|"
    r"principal investigator\w*|spokesperson|speaker|coordinator|coordinators|coordinated|professor|professors|"
    r"prof|leiter|leiterin|leitung|leitet|geleitet|sprecher|sprecherin|direktor|direktorin|koordinator|"
    r"koordinatorin|koordiniert|vorsitz\w*|vorstand|\w*professor\w*)\b)"
)


def asked_role(question: str) -> str | None:
    """The word of "Who leads/heads …?", "Wer leitet …?", "Which professor …?": the answer names someone in
    that role."""
    found = _ROLE_ASKED.match(question)
    if found:
        return found.group("role")
    which = WHICH_ASKED.match(question)  # "Which professor runs the lab?": the answer names a professor
    return which.group(1) if which and ROLE_WORDS.fullmatch(which.group(1)) else None


def _subject_cue(question: str) -> tuple[str, re.Match[str] | None]:
    """The question without a leading "And", and the first subject cue it matches."""
    question = _LEADING_AND.sub("", question)
    return question, next((m for m in (cue.match(question) for cue in _SUBJECT_CUES) if m), None)


# "How much is the fee <for the summer workshop>?", "Wie hoch ist die Miete <im Gästehaus>?": whose fee
_OWNER = LazyPattern(
    r"\s+(?:of|for|at|in|von|vom|für|fur|im|am|beim|bei|des|der|zur|zum)\s+"
    + _ARTICLE
    + r"(?P<owner>[\w][\w .&'’+-]{0,60}?)(?:\s+(?:cost|costs|kosten|kostet|betragen|beträgt))?\W*$",
    re.I,
)


def asked_owner(question: str, lang: str) -> str | None:
    """The head word of what owns the attribute a shaped question asks for ("workshop" in "How much
    is the fee for the Deep Learning workshop?"): a fee that stands elsewhere on the site is no answer.
    An English noun phrase ends with its head, a German one starts with it ("für den Workshop X")."""
    question, found = _subject_cue(question)
    owner = _OWNER.match(question, found.end("subject")) if found else None
    if owner is None:
        return None
    words = owner.group("owner").split()
    if lang == "de":
        return next((w for w in words if w[:1].isupper()), None)
    return words[-1] if words else None


# "Who leads the working group <on legal questions>?": which of the site's groups is asked for
_TOPIC = LazyPattern(
    r"\s+(?:on|about|for|zu|zum|zur|für|fur)\s+" + _ARTICLE + r"(?P<topic>[\w][\w .&'’+-]{0,60}?)\W*$", re.I
)


def asked_topic(question: str) -> list[str]:
    """The words of what a "who leads" question's group is about ("legal questions"), as written."""
    question = _LEADING_AND.sub("", question)
    found = _SUBJECT_CUES[0].match(question)
    topic = _TOPIC.match(question, found.end("subject")) if found else None
    return topic.group("topic").split() if topic else []


def asked_subject(question: str) -> list[str]:
    """The words naming what a shaped question asks about, as written; empty when there is no such cue."""
    question, found = _subject_cue(question)
    if found:
        return [w for w in re.split(r"[\s-]+", found.group("subject")) if w]
    money = _MONEY_WORDS.search(question)
    if money and _AMOUNT_ASKED.search(question):  # "What is the annual budget?": a turnover is no budget
        return money.group().split()
    return []


# ---------------------------------------------------------------------------
# The whole of it


@dataclass
class Understanding:
    """What the assistant took a question to mean: its terms, the earlier question it follows, the answer shape."""

    question: str
    query: ParsedQuery
    earlier: str | None = None
    earlier_query: ParsedQuery | None = None
    shape: AnswerShape | None = None
    subject: list[str] = field(default_factory=list)  # what a shaped question asks about (asked_subject)
    role: str | None = None  # the role a "who leads" question asks for (asked_role)
    about_earlier: bool = True  # a follow-up about the earlier question's subject (not the person it answered)

    @property
    def lang(self) -> str:
        return self.query.lang
