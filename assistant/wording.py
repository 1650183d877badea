"""What a question says: its content words, each with the index terms it stands for in either language.

Two phrasings say the same when their words share terms: the word itself, its spellings and
stems, and its translations and synonyms from the glossary ("Sprechzeiten" and "office hours").
Question words and framing ("wann", "tell me") say nothing about what is asked. Pinned answers
match questions to an editor's phrasings with it, and the editors' report groups unanswered
questions by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .text import fold

if TYPE_CHECKING:
    from .analysis import ParsedQuery, QueryTerm

# A variant counts as the same word when the question parser gives it at least this weight
# (the word itself, its spellings and its glossary translations; not the weaker guesses).
SAME_WORD = 0.7
# Words that ask, not say what is asked about ("wann" stays in the German questions the index reads).
QUESTION_WORDS = frozenset(
    "wann warum wieso weshalb wie wo woher wohin wer wen wem when where who whom why how".split()
)

Senses = frozenset[str]


def content_terms(query: ParsedQuery) -> list[QueryTerm]:
    """The words that say what is asked: no question words, stop words or framing."""
    from .analysis import STOP_WORDS
    from .question import ASKING_WORDS, FRAME_WORDS

    skip = QUESTION_WORDS | FRAME_WORDS | ASKING_WORDS | STOP_WORDS["en"] | STOP_WORDS["de"]
    return [t for t in query.terms if t.word.casefold() not in skip and fold(t.word) not in skip]


def senses(term: QueryTerm) -> Senses:
    """The terms a word stands for, a glossary phrase also by each of its words ("secretary office")."""
    strong = [v for v, w in term.variants.items() if w >= SAME_WORD]
    return frozenset(strong) | {part for v in strong for part in v.split()}


def words(query: ParsedQuery) -> tuple[Senses, ...]:
    """The content words of a parsed question, each as its senses."""
    return tuple(senses(t) for t in content_terms(query))


def closeness(asked: tuple[Senses, ...], other: tuple[Senses, ...]) -> float:
    """The smaller of: the share of the question's words found in the other phrasing, and the other way round."""
    if not asked or not other:
        return 0.0
    found = sum(any(a & p for p in other) for a in asked) / len(asked)
    back = sum(any(p & a for a in asked) for p in other) / len(other)
    return min(found, back)
