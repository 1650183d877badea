"""German word families beyond what a stemmer does: strong verbs, separable verbs, feminine forms.

A Snowball stemmer keeps the inflections of a word together (Gründung, Gründungen) but not
its family: the participle of a strong verb (ausgeschrieben) shares no stem with its noun
(Ausschreibung), a separable verb stands in two places of a sentence ("Wer gibt es heraus?"
asks for the Herausgeber), and a feminine noun (Professorin) is another stem than the
masculine one. This module finds the infinitive behind such forms, so that the question
parser can build the family from it and keep the forms the site uses.

The strong and irregular verbs below are written for this project: the common verbs of
university and institute websites with their present, past and participle, and the noun
roots that a prefix turns into a noun (nehmen: Teilnahme, Aufnahme). Pure tables, no I/O:
they cost a dictionary lookup at question time.
"""

from __future__ import annotations

from functools import lru_cache

from .text import LazyPattern, fold

__all__ = [
    "SEPARABLE_PARTICLES",
    "feminine_forms",
    "german_family",
    "english_family",
    "infinitive",
    "is_verb_form",
    "joined_verb",
]

# infinitive, 3rd person present, past, participle, then noun roots a prefix makes a noun of
_STRONG = """
beginnen beginnt begann begonnen beginn
bergen birgt barg geborgen
biegen biegt bog gebogen
bieten bietet bot geboten bot
binden bindet band gebunden band bund
bitten bittet bat gebeten
bleiben bleibt blieb geblieben verbleib
brechen bricht brach gebrochen bruch
brennen brennt brannte gebrannt brand
bringen bringt brachte gebracht
denken denkt dachte gedacht
dringen dringt drang gedrungen drang
empfehlen empfiehlt empfahl empfohlen
essen isst aß gegessen
fahren fährt fuhr gefahren fahrt
fallen fällt fiel gefallen fall
fangen fängt fing gefangen fang
finden findet fand gefunden fund
fliegen fliegt flog geflogen flug
fließen fließt floss geflossen fluss
geben gibt gab gegeben gabe
gehen geht ging gegangen gang
gelingen gelingt gelang gelungen
gelten gilt galt gegolten
genießen genießt genoss genossen
geschehen geschieht geschah geschehen
gewinnen gewinnt gewann gewonnen gewinn
gleichen gleicht glich geglichen gleich
graben gräbt grub gegraben grab
greifen greift griff gegriffen griff
halten hält hielt gehalten halt
hängen hängt hing gehangen hang
heben hebt hob gehoben hub
heißen heißt hieß geheißen
helfen hilft half geholfen hilfe
kennen kennt kannte gekannt
klingen klingt klang geklungen klang
kommen kommt kam gekommen kunft
laden lädt lud geladen
lassen lässt ließ gelassen lass
laufen läuft lief gelaufen lauf
leiden leidet litt gelitten
leihen leiht lieh geliehen leih
lesen liest las gelesen lese
liegen liegt lag gelegen lage
messen misst maß gemessen mess
nehmen nimmt nahm genommen nahme
nennen nennt nannte genannt
raten rät riet geraten rat
reißen reißt riss gerissen riss
rennen rennt rannte gerannt
rufen ruft rief gerufen ruf
schaffen schafft schuf geschaffen
scheiden scheidet schied geschieden schied
scheinen scheint schien geschienen schein
schieben schiebt schob geschoben schub
schlafen schläft schlief geschlafen
schlagen schlägt schlug geschlagen schlag
schließen schließt schloss geschlossen schluss
schneiden schneidet schnitt geschnitten schnitt
schreiben schreibt schrieb geschrieben schrift
schwimmen schwimmt schwamm geschwommen
sehen sieht sah gesehen sicht
sein ist war gewesen
senden sendet sandte gesandt sand
singen singt sang gesungen
sitzen sitzt saß gesessen sitz
sprechen spricht sprach gesprochen sprache spruch
springen springt sprang gesprungen sprung
stehen steht stand gestanden stand
steigen steigt stieg gestiegen stieg
sterben stirbt starb gestorben
stoßen stößt stieß gestoßen stoß
streichen streicht strich gestrichen strich
streiten streitet stritt gestritten streit
tragen trägt trug getragen trag
treffen trifft traf getroffen treff
treiben treibt trieb getrieben trieb
treten tritt trat getreten tritt
trinken trinkt trank getrunken
tun tut tat getan
vergessen vergisst vergaß vergessen
verlieren verliert verlor verloren verlust
wachsen wächst wuchs gewachsen wuchs
weichen weicht wich gewichen
weisen weist wies gewiesen weis
wenden wendet wandte gewandt
werben wirbt warb geworben werb
werden wird wurde geworden
werfen wirft warf geworfen wurf
wissen weiß wusste gewusst
ziehen zieht zog gezogen zug
zwingen zwingt zwang gezwungen zwang
"""

# Particles that a separable verb leaves at the end of a clause ("Wann findet es statt?"), longest first
SEPARABLE_PARTICLES = tuple(
    sorted(
        """
        ab an auf aus bei dar durch ein entgegen fest fort her heran heraus herein hin hinaus hinzu los mit nach
        statt teil um vor voran vorbei vorher weg weiter wieder zu zurück zusammen zuruck kennen frei bekannt
        """.split(),
        key=lambda p: (-len(p), p),
    )
)
_FOLDED_PARTICLES = tuple(dict.fromkeys(fold(p) for p in SEPARABLE_PARTICLES))
_INSEPARABLE = ("be", "emp", "ent", "er", "ge", "miss", "ver", "zer", "uber", "unter", "wider", "hinter")


def _table() -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """Form -> infinitive, infinitive -> its forms, and participle without ge- -> infinitive (folded)."""
    forms: dict[str, str] = {}
    family: dict[str, tuple[str, ...]] = {}
    bare: dict[str, str] = {}
    for line in _STRONG.strip().splitlines():
        inf, third, past, participle, *nouns = (fold(w) for w in line.split())
        root = inf[:-2] if inf.endswith("en") else inf[:-1]
        plural = past + ("n" if past.endswith("e") else "en")
        own = (inf, third, past, plural, participle, root + "e", root + "t", root + "st", root + "end")
        for form in own:
            forms.setdefault(form, inf)
        if participle.startswith("ge"):
            bare.setdefault(participle[2:], inf)
        family[inf] = tuple(dict.fromkeys(own + tuple(nouns)))
    return forms, family, bare


_FORMS, _FAMILY, _BARE_PARTICIPLES = _table()


def _split_prefix(word: str) -> list[tuple[str, str]]:
    """(prefix, rest) for each separable or inseparable prefix the word may start with, and ("", word)."""
    out = [("", word)]
    for prefix in _FOLDED_PARTICLES + _INSEPARABLE:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            out.append((prefix, word[len(prefix) :]))
    return out


@lru_cache(maxsize=4096)  # a word is looked up by several steps; the cache is bounded
def infinitive(word: str) -> str | None:
    """The infinitive of a form of a strong or irregular verb: "ausgeschrieben" -> ausschreiben,
    "erschienen" -> erscheinen, "gibt" -> geben; None for any other word."""
    word = fold(word)
    for prefix, rest in _split_prefix(word):
        if prefix and rest.startswith("zu") and rest[2:] in _FORMS:  # "auszuschreiben"
            return prefix + _FORMS[rest[2:]]
        if rest in _FORMS:
            return prefix + _FORMS[rest]
        if prefix in _INSEPARABLE and rest in _BARE_PARTICIPLES:  # "erschienen": no ge- after er-
            return prefix + _BARE_PARTICIPLES[rest]
    return None


_WEAK_PARTICIPLE = LazyPattern(rf"^({'|'.join(_FOLDED_PARTICLES)})?ge[a-z]{{3,}}(et|t)$")
_INSEPARABLE_PARTICIPLE = LazyPattern(rf"^({'|'.join(_INSEPARABLE)})[a-z]{{3,}}(iert|et|t)$")


def is_verb_form(word: str) -> bool:
    """A participle or a form of a strong verb ("stattgefunden", "gegründet", "veröffentlicht"): no compound."""
    folded = fold(word)
    if infinitive(folded):
        return True
    return bool(_WEAK_PARTICIPLE.match(folded) or _INSEPARABLE_PARTICIPLE.match(folded) or folded.endswith("iert"))


def strong_family(inf: str) -> list[str]:
    """Forms of a strong verb with its prefix: "herausgeben" -> herausgibt, herausgab, herausgegeben, Herausgabe."""
    for prefix, rest in _split_prefix(inf):
        forms = _FAMILY.get(rest)
        if forms is None:
            continue
        if prefix in _INSEPARABLE:  # "erscheinen": its participle has no ge-
            forms = tuple(f[2:] if f.startswith("ge") and not rest.startswith("ge") else f for f in forms)
        out = [prefix + f for f in forms]
        return [f for f in dict.fromkeys(out) if len(f) >= 4]
    return []


def joined_verb(particle: str, verb: str) -> str | None:
    """The infinitive of a separable verb written apart: ("heraus", "gibt") -> herausgeben,
    ("statt", "findet") -> stattfinden, ("vor", "stellt") -> vorstellen."""
    particle, verb = fold(particle), fold(verb)
    if particle not in _FOLDED_PARTICLES or not verb.isalpha() or len(verb) < 3:
        return None
    strong = _FORMS.get(verb)
    if strong:
        return particle + strong
    for ending in ("est", "et", "st", "t", "e"):  # a weak verb: "stellt" -> stellen
        if verb.endswith(ending) and len(verb) - len(ending) >= 3:
            root = verb[: -len(ending)]
            return particle + root + ("n" if root.endswith(("el", "er")) else "en")
    return None


def feminine_forms(folded: str) -> list[str]:
    """The feminine and masculine of a German noun of a person: professor <-> professorin, professorinnen."""
    if folded.endswith("innen") and len(folded) >= 9:
        return [folded[:-5], folded[:-3]]
    if folded.endswith("in") and len(folded) >= 7 and folded[-3] not in "aeiou":
        return [folded[:-2], folded + "nen"]
    if folded.endswith(("er", "or", "ent", "ist", "eur", "ant", "loge", "ot")) and len(folded) >= 5:
        base = folded[:-1] if folded.endswith("e") else folded
        return [base + "in", base + "innen"]
    return []


# Word families. A root is cut off by the endings of participles, verbal nouns and doers,
# then the family's other forms are built from it; only forms the site (or the glossary)
# knows are used, so the rules may overgenerate.

_DE_SEPARABLE = "an|auf|aus|ab|bei|ein|mit|nach|vor|zu|zuruck|weg|her|hin|fest|dar|uber|um|unter|wieder"
_DE_PARTICIPLE = LazyPattern(rf"^({_DE_SEPARABLE})?ge([a-z]{{3,}}?)(et|t|en)$")
_DE_ENDINGS_FAMILY = (
    "ierungen", "ierung", "ationen", "ation", "ierten", "ierte", "iert", "ieren", "ungen", "ung",
    "erinnen", "erin", "eten", "ete", "et", "ten", "te", "en", "ern", "er", "t", "e",
)  # fmt: skip
_DE_INSEPARABLE = ("be", "ver", "er", "ent", "zer", "ge", "miss", "emp")
_DE_FORMS = ("ung", "ungen", "en", "n", "t", "et", "er", "ation", "ieren", "iert", "ierung")
_EN_ENDINGS_FAMILY = ("ations", "ation", "itions", "ition", "ions", "ion", "ments", "ment", "ances", "ance",
                      "ences", "ence", "ers", "er", "ors", "or", "ed", "ing", "es", "s", "e")  # fmt: skip
_EN_FORMS = ("", "e", "ed", "ing", "ation", "ion", "er", "or", "ment", "ance")


def german_family(folded: str) -> list[str]:
    """Forms of the German word family of a folded word (gegrundet -> grundung, grunden, grunder ...);
    a strong verb's through its infinitive (ausgeschrieben -> ausschreibung, ausschreiben)."""
    roots = []
    strong = infinitive(folded)
    m = _DE_PARTICIPLE.match(folded)
    if strong:
        roots.append(strong[:-2] if strong.endswith("en") else strong[:-1])
    elif m and len(folded) >= 6:
        roots.append((m.group(1) or "") + m.group(2))
    else:
        for ending in _DE_ENDINGS_FAMILY:
            if folded.endswith(ending) and len(folded) - len(ending) >= 4:
                roots.append(folded[: -len(ending)])
                break
    forms = [root + end for root in roots for end in _DE_FORMS]
    forms += ["ge" + root + end for root in roots if not root.startswith(_DE_INSEPARABLE) for end in ("t", "et")]
    if strong:
        forms += strong_family(strong)
    return [f for f in dict.fromkeys(forms) if f != folded]


def english_family(folded: str) -> list[str]:
    """Forms of the English word family of a folded word (founded -> foundation, founder ...)."""
    if folded.endswith(("or", "ors")):
        return []  # a doer (professor, director) is no profession or direction: the agent step links its verb
    for ending in _EN_ENDINGS_FAMILY:
        if folded.endswith(ending) and len(folded) - len(ending) >= 4:
            root = folded[: -len(ending)]
            return [f for f in dict.fromkeys(root + end for end in _EN_FORMS) if f != folded]
    return []
