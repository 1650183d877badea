"""A visitor's chat message as the questions it asks.

A message in a chat box is often more than a question: a greeting, a sentence on who writes and why,
the question, a second one, thanks. Asked as one question, the words around the question outweigh
it ("came", "across", "thesis", "supervisor", "write") and the answer abstains, or quotes a page about
theses. So a message is cut into sentences, and after a lead-in that ends in a colon ("so I would
like to know: What is …?"). Greetings and thanks are left out; the sentences that ask are the
questions, asked in turn, each later one with the earlier ones as its conversation (so "Is there
anyone I could write to about it?" is about what the first asked); the sentences that tell are
context, which a question that names too little to stand alone draws on as it would on an earlier
question. A message of one sentence is the question as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import LazyPattern, split_sentences

MAX_QUESTIONS = 3  # questions of one message that are answered; a longer list is a form, not a message

# A greeting, a salutation or thanks: on its own, or before a comma at the start of a sentence.
_COURTESY = (
    r"(?:hi|hello|hey|dear\s+\w+(?:\s+\w+)?|good\s+(?:morning|afternoon|evening|day)|greetings|"
    r"hallo|moin|servus|guten\s+(?:tag|morgen|abend)|liebes?\s+\w+(?:\s+\w+)?|"
    r"sehr\s+geehrte[rn]?\s+[\w\s]+?|"
    r"thanks?(?:\s+you)?(?:\s+(?:a\s+lot|so\s+much|very\s+much|in\s+advance|for\s+your\s+help))*|"
    r"many\s+thanks|(?:best|kind)\s+regards|cheers|"
    r"(?:vielen\s+|herzlichen\s+|besten\s+)?dank(?:e)?(?:\s+(?:schön|sehr|im\s+voraus|für\s+ihre\s+hilfe))*|"
    r"(?:viele|beste|liebe|freundliche)\s+grüße|mit\s+freundlichen\s+grüßen)"
)
_ONLY_COURTESY = LazyPattern(rf"^\W*{_COURTESY}(?:\s+{_COURTESY})*\W*$", re.I)
_COURTESY_FIRST = LazyPattern(rf"^\W*{_COURTESY}\s*[,!]\s*(?=\w)", re.I)

# How a sentence that asks begins: a question word, a verb put first, or a request ("Tell me about …").
_ASKS = LazyPattern(
    r"^\W*(?:(?:and|also|but|so|und|auch|aber|also)\W+)?"
    r"(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|"
    r"should|may|might|must|has|have|had|shall|tell|show|explain|describe|list|name|give|"
    r"wer|wen|wem|wessen|was|welche[rsnm]?|wann|wo|woher|wohin|warum|weshalb|wieso|wie|wozu|wof[uü]r|womit|"
    r"worum|woran|wor[uü]ber|worauf|ist|sind|war|waren|gibt|gab|kann|kannst|k[oö]nnen|k[oö]nnte|k[oö]nnten|"
    r"darf|d[uü]rfen|muss|m[uü]ssen|soll|sollte|hat|haben|hatte|bietet|bieten|erz[aä]hle?n?|sagen|nennen|"
    r"zeigen|erkl[aä]ren|"
    r"i\s+(?:would\s+like|want|wanted|need)\s+to\s+(?:know|find\s+out|ask)|"
    r"i(?:'m|\s+am)\s+(?:looking|searching)\s+for|"
    r"ich\s+(?:m[oö]chte|w[uü]rde|will)\s+(?:gerne?\s+)?wissen|ich\s+suche)\b",
    re.I,
)
_PUNCTUATION = "?!.,;:()\"'«»„“”‘’"
_PRONOUNS = frozenset({"I", "I'm", "I've", "I'd", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres", "Sie", "Ihnen"})
# A colon that ends a lead-in ("…, so I would like to know: What is X?"), not one inside a title.
_LEAD_IN_COLON = LazyPattern(r":\s+(?=\S)")


@dataclass
class Message:
    """The message as written, the questions it asks (in order), and the sentences before the first that
    tell (who writes, and why)."""

    text: str
    questions: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)

    @property
    def as_written(self) -> bool:
        """Whether the message is one question, to be asked as it stands."""
        return self.questions == [self.text]

    @property
    def named(self) -> str:
        """What the context names: its words written with a capital that do not begin a sentence ("I read
        about the Genomics group." names "Genomics"), the rest of it being about the visitor."""
        words = [w.strip(_PUNCTUATION) for sentence in self.context for w in sentence.split()[1:]]
        return " ".join(w for w in words if w[:1].isupper() and w not in _PRONOUNS)

    def conversation(self, i: int, history: list[str]) -> list[str]:
        """What question ``i`` follows: the visitor's earlier questions and the questions of this message
        before it."""
        return [*history, *self.questions[:i]]


def asks(sentence: str) -> bool:
    """Whether a sentence asks something: it ends in a question mark, or begins as a question or a request."""
    return sentence.rstrip().endswith("?") or bool(_ASKS.match(sentence))


def courtesy(sentence: str) -> bool:
    """Whether a sentence is only a greeting or thanks ("Hi!", "Vielen Dank im Voraus.")."""
    return bool(_ONLY_COURTESY.match(sentence))


def read_message(text: str) -> Message:
    """The questions and context of a message; one that is a single question is that question as written."""
    sentences = [s for part in split_sentences(text) for s in _after_lead_in(part)]
    kept = [s for s in (_COURTESY_FIRST.sub("", s) for s in sentences if not courtesy(s)) if s]
    asking = [s for s in kept if asks(s)]
    if len(kept) <= 1 or not asking:
        # one sentence, or several that ask nothing outright: the message is asked as it stands
        return Message(text, [text if not kept or kept == sentences else " ".join(kept)])
    first = kept.index(asking[0])
    return Message(text, asking[:MAX_QUESTIONS], kept[:first])


def _after_lead_in(sentence: str) -> list[str]:
    """A sentence cut after a lead-in ending in a colon, when what follows asks and what precedes does not."""
    found = _LEAD_IN_COLON.search(sentence)
    if found is None:
        return [sentence]
    before, after = sentence[: found.start() + 1].strip(), sentence[found.end() :].strip()
    if asks(before) or not asks(after):
        return [sentence]
    return [before, after]
