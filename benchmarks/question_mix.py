"""Questions as visitors ask them, for latency figures: not only questions the site answers.

Built from a generated site's ``queries.yaml`` (whose questions all hit a planted fact):
each planted question as asked, the same fact asked the other way round and in the other
language, inside a long rambling question, and as the earlier question of a follow-up;
then coined names the site never uses (misses), everyday questions it cannot answer
(off-topic) and extra misspellings, in English and German. The mix is deterministic for
a seed, and every question is distinct, so no cache makes a repeated question cheap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = ("hit", "cross", "long", "followup", "typo", "miss", "offtopic")

ASK_AGAIN = {
    "en": ("Tell me about {T}.", "What is {T}?", "Who works on {T}?", "Where can I read more about {T}?"),
    "de": ("Was ist {T}?", "Worum geht es bei {T}?", "Wer arbeitet an {T}?", "Wo erfahre ich mehr über {T}?"),
}
LONG = {
    "en": (
        "Hello, I came across your website while looking for a place to do my thesis next year, "
        "and my supervisor mentioned your work only briefly, so I would like to know: {Q} "
        "Also, is there anyone I could write to about it?"
    ),
    "de": (
        "Guten Tag, ich habe Ihre Website bei der Suche nach einer Stelle für meine Abschlussarbeit "
        "im nächsten Jahr gefunden, und meine Betreuerin hat Ihre Arbeit nur kurz erwähnt, daher meine "
        "Frage: {Q} Gibt es außerdem jemanden, an den ich mich dazu wenden kann?"
    ),
}
FOLLOW_UPS = {
    "en": ("Who leads it?", "And where is that?", "Is there a paper about it?", "How can I contact them?"),
    "de": ("Wer leitet das?", "Und wo ist das?", "Gibt es dazu eine Veröffentlichung?", "Wie erreiche ich sie?"),
}
MISSES = {
    "en": ("What is {T}?", "Does the institute work on {T}?", "Tell me about the {T} project."),
    "de": ("Was ist {T}?", "Arbeitet das Institut an {T}?", "Was macht das Projekt {T}?"),
}
OFF_TOPIC = {
    "en": (
        "What will the weather be like tomorrow?",
        "Can you recommend a good pizza place nearby?",
        "How much is a train ticket to the airport?",
        "Which medicine should I take for a headache?",
        "Who won the football match yesterday?",
        "Can I book a hotel room through you?",
        "What is the best laptop to buy this year?",
        "How do I cook rice without a rice cooker?",
        "Is it going to rain at the weekend?",
        "What time does the supermarket close on Saturday?",
    ),
    "de": (
        "Wie wird das Wetter morgen?",
        "Können Sie mir eine gute Pizzeria in der Nähe empfehlen?",
        "Was kostet eine Fahrkarte zum Flughafen?",
        "Welches Medikament hilft gegen Kopfschmerzen?",
        "Wer hat gestern das Fußballspiel gewonnen?",
        "Kann ich bei Ihnen ein Hotelzimmer buchen?",
        "Welchen Laptop sollte ich dieses Jahr kaufen?",
        "Wie koche ich Reis ohne Reiskocher?",
        "Regnet es am Wochenende?",
        "Wann schließt der Supermarkt am Samstag?",
    ),
}
OFF_TOPIC_TAILS = {
    "en": ("", " Thanks!", " Please answer briefly.", " I am new in town."),
    "de": ("", " Danke!", " Bitte kurz antworten.", " Ich bin neu in der Stadt."),
}
SYLLABLES = ("zor", "bul", "quen", "dri", "vat", "plo", "mek", "sna", "thy", "gor", "wix", "lum", "fra", "tesk")


@dataclass(frozen=True)
class Asked:
    """One question with what came before it, its language and its kind in the mix."""

    question: str
    lang: str
    kind: str
    history: tuple[str, ...] = field(default_factory=tuple)


def _other(lang: str) -> str:
    return "de" if lang == "en" else "en"


def _swap(word: str, rnd: random.Random) -> str:
    i = rnd.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _coined(rnd: random.Random, taken: set[str]) -> str:
    while True:
        word = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(3, 4))).capitalize()
        if word.lower() not in taken:
            taken.add(word.lower())
            return word


def question_mix(queries: list[dict], seed: int = 0, at_least: int = 1000) -> list[Asked]:
    """At least ``at_least`` distinct questions of every kind in KINDS, both languages."""
    rnd = random.Random(seed)
    facts = [q for q in queries if q.get("answer_any")]
    if not facts:
        raise ValueError("queries.yaml has no question with an answer to build the mix from")
    taken = {w.lower() for q in facts for w in q["question"].split()}
    out: list[Asked] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()

    def add(question: str, lang: str, kind: str, history: tuple[str, ...] = ()) -> None:
        if (question, history) not in seen:
            seen.add((question, history))
            out.append(Asked(question, lang, kind, history))

    rounds = 0
    while len(out) < at_least:
        for q in facts:
            lang, term = q["lang"], q["answer_any"][0]
            if rounds == 0:
                add(q["question"], lang, "typo" if q["kind"] == "typo" else "hit")
                add(LONG[lang].format(Q=q["question"]), lang, "long")
                add(rnd.choice(FOLLOW_UPS[lang]), lang, "followup", (q["question"],))
            other = rnd.choice((lang, _other(lang)))
            add(rnd.choice(ASK_AGAIN[other]).format(T=term), other, "cross" if other != lang else "hit")
            if len(term) >= 7 and rnd.random() < 0.3:
                add(rnd.choice(ASK_AGAIN[lang]).format(T=_swap(term, rnd)), lang, "typo")
            miss_lang = rnd.choice(("en", "de"))
            add(rnd.choice(MISSES[miss_lang]).format(T=_coined(rnd, taken)), miss_lang, "miss")
            if rnd.random() < 0.15:
                off_lang = rnd.choice(("en", "de"))
                base = rnd.choice(OFF_TOPIC[off_lang]) + rnd.choice(OFF_TOPIC_TAILS[off_lang])
                add(base, off_lang, "offtopic")
        rounds += 1
        if rounds > 50:
            break
    rnd.shuffle(out)
    return out
