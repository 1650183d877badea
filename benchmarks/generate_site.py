"""Write a synthetic Jekyll site of a given size, and questions about it.

The site looks like an institute's (or a whole university's) site: pages,
group pages with a group layout that reads ``_data``, news posts, people
files and BibTeX. English text follows the word distribution of the real
sites found beside the project at generation time (their sentences are
sampled and mixed, never stored in the project) with a Zipf long tail of
coined words; about 30 % of pages are German (``lang: de``).

    python benchmarks/generate_site.py --passages 100000 --out /tmp/site-100k

writes the site to --out and ``queries.yaml`` next to its ``_config.yml``
(excluded from the build). The same seed gives the same site byte for byte.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vocabulary as voc  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
GERMAN_SHARE = 0.3
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß\-]*[A-Za-zÄÖÜäöüß]|[A-Za-z]")
STOP = set(
    "the of and to in a for is on with that as by are we our from this at an be "
    "or it its can has have was were which their also not into more".split()
)


# ---------------------------------------------------------------- real text


def text_roots() -> list[Path]:
    """Folders whose pages lend the generator its English words and sentences."""
    roots = [PROJECT / "corpus"]
    shared = os.environ.get("ASSISTANT_SHARED")
    shared_dir = Path(shared) if shared else PROJECT.parent / "shared"
    roots += sorted((shared_dir / "sites").glob("*")) if (shared_dir / "sites").is_dir() else []
    return [r for r in roots if r.is_dir()]


def _plain(source: str) -> str:
    """Markdown/HTML/Liquid source reduced to the words a reader sees."""
    source = re.sub(r"\A---\n.*?\n---\n", "", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<[^>]+>", " ", source)
    source = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", source)
    source = re.sub(r"https?://\S+", " ", source)
    source = re.sub(r"[*_#`>|]+", " ", source)
    return source


def read_real_text(roots: list[Path]) -> tuple[list[str], Counter]:
    """Sentences and word counts from the Markdown and HTML pages under roots."""
    sentences: list[str] = []
    counts: Counter = Counter()
    for root in roots:
        for path in sorted(root.rglob("*")):
            parts = path.relative_to(root).parts
            if (
                path.suffix not in (".md", ".markdown", ".html")
                or path.name.isupper()
                or path.stem in ("README", "SOURCE")
                or any(p.startswith(("_", ".")) or p in ("built", "node_modules") for p in parts[:-1])
            ):
                continue
            try:
                text = _plain(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            for para in re.split(r"\n\s*\n", text):
                para = " ".join(para.split())
                for sentence in SENTENCE_END.split(para):
                    if any(c in sentence for c in "{}@=\\"):
                        continue
                    words = [w for w in WORD.findall(sentence) if len(w) > 1 or w in "aAI"]
                    counts.update(words)
                    if 6 <= len(words) <= 40 and sentence[-1:] in ".!?":
                        sentences.append(sentence)
    return sorted(set(sentences)), counts


# ---------------------------------------------------------------- sampling


class ZipfWords:
    """Draws words so that the word of rank r turns up with probability ~ 1/r^s."""

    def __init__(self, words: list[str], rng: np.random.Generator, s: float = 1.05):
        ranks = np.arange(1, len(words) + 1, dtype=np.float64)
        cdf = np.cumsum(ranks**-s)
        self.cdf = cdf / cdf[-1]
        self.words = words
        self.rng = rng
        self._buf = np.empty(0, dtype=np.int64)
        self._pos = 0

    def take(self, k: int) -> list[str]:
        if self._pos + k > len(self._buf):
            self._buf = np.searchsorted(self.cdf, self.rng.random(1 << 18))
            self._pos = 0
        ids = self._buf[self._pos : self._pos + k]
        self._pos += k
        words = self.words
        return [words[i] for i in ids]


class Coiner:
    """Invents pronounceable words no other page uses: names of projects and tools."""

    def __init__(self, rnd: random.Random):
        self.rnd = rnd
        self.used: set[str] = set()

    def word(self, syllables: tuple[int, int] = (2, 4)) -> str:
        r = self.rnd
        while True:
            n = r.randint(*syllables)
            w = "".join(r.choice(voc.ONSETS) + r.choice(voc.NUCLEI) for _ in range(n)) + r.choice(voc.CODAS)
            if w not in self.used and len(w) >= 5:
                self.used.add(w)
                return w


# ---------------------------------------------------------------- the site


@dataclass
class Fact:
    kind: str
    lang: str
    url: str
    question: str
    answer_any: list[str] = field(default_factory=list)


EN_FACTS = (
    ("{T} is the name of our {a} for {b} and {c}.", ("What is {T}?", "Tell me about {T}.", "What is {T} used for?")),
    ("The {T} study looks at {a} and {b} in {c}.", ("What does the {T} study look at?", "Which study is called {T}?")),
    ("We developed {T} to support {a} of {b}.", ("Why was {T} developed?", "What does {T} support?")),
)
DE_FACTS = (
    ("{T} ist unser Verfahren für {a} und {b}.", ("Was ist {T}?", "Wofür ist {T} gedacht?")),
    ("Mit {T} untersuchen wir {a} in der {b}.", ("Was untersucht ihr mit {T}?", "Was ist {T}?")),
    ("Das Projekt {T} verbindet {a} mit {b}.", ("Was verbindet das Projekt {T}?", "Worum geht es bei {T}?")),
)
EN_TOPIC_Q = ("What does the site say about {a} and {b}?", "{a} {b} {c}", "How is {a} used for {b}?")


class SiteWriter:
    def __init__(self, out: Path, passages: int, seed: int):
        self.out = out
        self.target = passages
        self.rnd = random.Random(seed)
        rng = np.random.default_rng(seed)
        self.coin = Coiner(random.Random(seed + 1))
        sentences, counts = read_real_text(text_roots())
        self.real_sentences = sentences
        real_words = [w for w, c in counts.most_common() if c >= 1] or list(voc.ENGLISH_FALLBACK)
        # Heaps' law: bigger sites bring more distinct words.
        tail = [self.coin.word() for _ in range(int(20 * passages**0.6))]
        self.en_words = real_words + tail
        self.en = ZipfWords(self.en_words, rng)
        content = [w for w in real_words[:4000] if w.lower() not in STOP and len(w) >= 5 and w.isalpha()]
        self.en_content = content or list(voc.ENGLISH_FALLBACK)
        self.common = set(self.en_content[:3000])
        self.en_topic = ZipfWords(self.en_content, np.random.default_rng(seed + 2), s=0.9)
        compounds = [s + h for s in voc.GERMAN_STEMS for h in voc.GERMAN_HEADS]
        random.Random(seed + 3).shuffle(compounds)
        de_tail = [self.coin.word().capitalize() for _ in range(int(6 * passages**0.6))]
        self.de = ZipfWords(
            voc.GERMAN_FUNCTION + voc.GERMAN_CONTENT + compounds + de_tail, np.random.default_rng(seed + 4)
        )
        self.de_content = ZipfWords(voc.GERMAN_CONTENT + compounds, np.random.default_rng(seed + 5), s=0.8)
        self.written = 0  # blocks (paragraphs, lists, entries) that should become passages
        self.facts: list[Fact] = []
        self.fact_rate = min(0.5, 3000 / max(1, passages))  # chance a paragraph carries a coined term

    # --- text

    def sentence(self, lang: str) -> str:
        r = self.rnd
        if lang == "en" and self.real_sentences and r.random() < 0.35:
            words = r.choice(self.real_sentences).split(" ")
            words[r.randrange(len(words))] = self.en.take(1)[0]
            return " ".join(words)
        words = (self.en if lang == "en" else self.de).take(r.randint(7, 18))
        text = " ".join(words)
        return text[0].upper() + text[1:] + r.choice("....?!"[:4])

    def paragraph(self, lang: str) -> str:
        return " ".join(self.sentence(lang) for _ in range(self.rnd.randint(2, 5)))

    def topic(self, lang: str, k: int) -> list[str]:
        return (self.en_topic if lang == "en" else self.de_content).take(k)

    def heading(self, lang: str) -> str:
        return (
            " ".join(self.topic(lang, self.rnd.randint(1, 3))).title()
            if lang == "en"
            else " ".join(self.topic(lang, self.rnd.randint(1, 2)))
        )

    def fact(self, lang: str, url: str) -> str:
        r = self.rnd
        term = self.coin.word((3, 4)).capitalize()
        a, b, c = self.topic(lang, 3)
        sentence, questions = r.choice(EN_FACTS if lang == "en" else DE_FACTS)
        q = r.choice(questions).format(T=term)
        kind = "rare" if lang == "en" else "german"
        self.facts.append(Fact(kind, lang, url, q, [term]))
        if lang == "en" and len(term) >= 7:
            i = r.randrange(1, len(term) - 2)
            typo = term[:i] + term[i + 1] + term[i] + term[i + 2 :]
            self.facts.append(Fact("typo", lang, url, r.choice(questions).format(T=typo), [term]))
        return sentence.format(T=term, a=a, b=b, c=c)

    def body(self, lang: str, blocks: int, url: str) -> str:
        """Markdown for a page body of about `blocks` passages."""
        r = self.rnd
        parts: list[str] = []
        for i in range(blocks):
            if i and i % r.randint(3, 5) == 0:
                parts.append("## " + self.heading(lang))
            if r.random() < 0.12:
                parts.append(
                    "\n".join("- " + " ".join(self.topic(lang, r.randint(2, 5))) for _ in range(r.randint(3, 6)))
                )
            else:
                text = self.paragraph(lang)
                if r.random() < self.fact_rate:
                    text = text + " " + self.fact(lang, url)
                    if lang == "en":
                        words = [w for w in WORD.findall(text) if w in self.common]
                        if len(words) >= 3:
                            a, b, c = r.sample(words, 3)
                            self.facts.append(Fact("frequent", lang, url, r.choice(EN_TOPIC_Q).format(a=a, b=b, c=c)))
                if r.random() < 0.05:  # a little Markdown emphasis, as real pages have
                    first, rest = text.split(" ", 1)
                    text = f"**{first}** {rest}"
                parts.append(text)
            self.written += 1
        return "\n\n".join(parts) + "\n"

    def write(self, rel: str, text: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    # --- structure

    def person(self) -> dict:
        r = self.rnd
        first, last = r.choice(voc.FIRST_NAMES), r.choice(voc.LAST_NAMES)
        if r.random() < 0.3:
            last = last + "-" + self.coin.word((2, 2)).capitalize()  # keeps many names distinct
        return {
            "name": f"{first} {last}",
            "title": r.choice(voc.TITLES),
            "mail": f"{first}.{last}@example.org".lower().replace(" ", ""),
            "roles": [r.choice(voc.ROLES)],
        }

    def generate(self) -> dict:
        r = self.rnd
        n = self.target
        n_groups = max(3, round(n / 400))
        n_posts = max(5, n // 24)
        groups = []
        people: dict[str, list[dict]] = {}
        for g in range(n_groups):
            slug = f"{self.coin.word((1, 2))}{g}"
            label = " ".join(self.topic("en", r.randint(2, 4))).title()
            groups.append(
                {
                    "name": slug,
                    "type": r.choice(("rg", "rg", "jrg", "core")),
                    "label": label,
                    "address": {
                        "name": f"Building {r.randint(1, 40)}",
                        "street": f"{r.choice(voc.STREETS)} {r.randint(1, 90)}",
                        "additional": f"House {r.randint(1, 20)}, floor {r.randint(0, 6)}",
                        "zip": str(45000 + r.randint(0, 999)),
                        "city": r.choice(voc.CITIES),
                    },
                }
            )
            team = [self.person() for _ in range(r.randint(4, 14))]
            team[0]["roles"] = ["head"]
            team[0]["title"] = "Prof. Dr."
            people[slug] = team
        self.write_scaffold(groups, people)
        for g in groups:
            self.write_group(g, people[g["name"]])
        start = np.datetime64("2015-01-01")
        for i in range(n_posts):
            day = start + np.timedelta64(r.randrange(365 * 11), "D")
            self.write_post(i, str(day), r.choice(groups))
            if self.written >= n * 0.45:
                break
        i = 0
        while self.written < n:
            self.write_page(i, groups)
            i += 1
        return {"groups": len(groups), "people": sum(map(len, people.values())), "posts": n_posts, "pages": i}

    def write_scaffold(self, groups: list[dict], people: dict[str, list[dict]]) -> None:
        config = {
            "title": "Synthetic Institute",
            "description": "A generated site for measuring the assistant",
            "url": "https://bench.example.org",
            "baseurl": "",
            "plugins": ["jekyll/scholar"],
            "scholar": {"source": "/_bibliography", "style": "apa"},
            "exclude": ["queries.yaml"],
            "lang": "en",
        }
        self.write("_config.yml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
        self.write("_data/groups.yml", yaml.safe_dump(groups, sort_keys=False, allow_unicode=True))
        for slug, team in people.items():
            self.write(f"_data/people/{slug}.yml", yaml.safe_dump(team, sort_keys=False, allow_unicode=True))
        for name, text in LAYOUTS.items():
            self.write(name, text)
        self.write(
            "index.md",
            "---\nlayout: page\ntitle: Welcome\n---\n"
            "{{ site.description }}. Here you find {{ site.data.groups | size }} research groups.\n\n"
            + self.body("en", 3, "/index.html")
            + "\n## Latest news\n\n{% for post in site.posts limit:5 %}- [{{ post.title }}]({{ post.url }})\n{% endfor %}\n",
        )
        self.write(
            "groups/index.md",
            "---\nlayout: page\ntitle: Research Groups\n---\n"
            "{% for g in site.data.groups %}- [{{ g.label }}](/groups/{{ g.name }}.html)\n{% endfor %}\n",
        )
        self.write(
            "people.md",
            "---\nlayout: page\ntitle: People\n---\n"
            "Heads of our groups:\n\n{% for g in site.data.groups %}{% assign team = site.data.people[g.name] %}"
            "{% for p in team %}{% if p.roles contains 'head' %}- {{ p.title }} {{ p.name }}, {{ g.label }}\n"
            "{% endif %}{% endfor %}{% endfor %}\n",
        )
        self.written += 3

    def write_group(self, g: dict, team: list[dict]) -> None:
        r = self.rnd
        slug = g["name"]
        lang = "de" if r.random() < GERMAN_SHARE else "en"
        url = f"/groups/{slug}.html"
        front = (
            f'---\nlayout: group\ngroup: {slug}\ntitle: "{g["label"]}"\n'
            + ("lang: de\n" if lang == "de" else "")
            + "---\n"
        )
        self.write(f"groups/{slug}.md", front + self.body(lang, r.randint(4, 12), url))
        self.written += 2  # contact and team
        head = team[0]
        for p in team[: r.randint(1, 3)]:
            q = r.choice(("Who is {n}?", "How can I reach {n}?", "Which group does {n} work in?")).format(n=p["name"])
            self.facts.append(Fact("person", "en", url, q, [p["name"].split(" ")[-1]]))
        if lang == "de":
            self.facts.append(
                Fact("german", "de", url, f"Wer leitet die Gruppe {g['label']}?", [head["name"].split(" ")[-1]])
            )
        entries = []
        for k in range(r.randint(2, 10)):
            authors = " and ".join(
                f"{p['name'].split(' ')[-1]}, {p['name'][0]}." for p in r.sample(team, min(3, len(team)))
            )
            title = " ".join(self.topic("en", r.randint(4, 9))).capitalize()
            entries.append(
                f"@article{{{slug}{k},\n  author = {{{authors}}},\n  title = {{{title}}},\n"
                f"  journal = {{{' '.join(self.topic('en', 2)).title()} Journal}},\n  year = {{{r.randint(2012, 2026)}}},\n"
                f"  volume = {{{r.randint(1, 80)}}},\n  pages = {{{r.randint(1, 400)}--{r.randint(401, 900)}}}\n}}\n"
            )
        self.write(f"_bibliography/{slug}.bib", "\n".join(entries))
        self.write(
            f"publications/{slug}.md",
            f"---\nlayout: page\ntitle: Publications of {g['label']}\ngroup: {slug}\n---\n\n"
            f"{{% bibliography --file {slug} %}}\n",
        )
        self.written += len(entries)

    def write_post(self, i: int, day: str, g: dict) -> None:
        r = self.rnd
        lang = "de" if r.random() < GERMAN_SHARE else "en"
        category = r.choice(("news", "news", "projects"))
        slug = f"{self.coin.word((1, 2))}-{i}"
        title = " ".join(self.topic(lang, r.randint(2, 5))).title()
        url = f"/{category}/{day.replace('-', '/')}/{slug}.html"
        front = (
            f'---\nlayout: post\ntitle: "{title}"\ncategories: [{category}]\ntags: [{g["name"]}]\n'
            + ("lang: de\n" if lang == "de" else "")
            + "---\n"
        )
        self.write(f"_posts/{day}-{slug}.md", front + self.body(lang, r.randint(2, 7), url))

    def write_page(self, i: int, groups: list[dict]) -> None:
        r = self.rnd
        lang = "de" if r.random() < GERMAN_SHARE else "en"
        area = f"{'forschung' if lang == 'de' else 'research'}/{self.en_topic.take(1)[0].lower()}"
        rel = f"{'de/' if lang == 'de' else ''}{area}/{self.coin.word((2, 3))}-{i}.md"
        url = "/" + rel[:-3] + ".html"
        title = " ".join(self.topic(lang, r.randint(2, 5))).title()
        front = f'---\nlayout: page\ntitle: "{title}"\n' + ("lang: de\n" if lang == "de" else "") + "---\n"
        body = self.body(lang, r.randint(4, 20), url)
        if r.random() < 0.1:  # some pages read site data through Liquid
            g = r.choice(groups)
            body += (
                f'\n{{% assign g = site.data.groups | where: "name", "{g["name"]}" | first %}}'
                "This work is carried out by {{ g.label }} at {{ site.title }}.\n"
            )
            self.written += 1
        self.write(rel, front + body)

    def queries(self, seed: int) -> list[dict]:
        rnd = random.Random(seed)
        want = {"rare": 70, "frequent": 40, "person": 30, "typo": 30, "german": 40}
        chosen: list[Fact] = []
        for kind, k in want.items():
            pool = [f for f in self.facts if f.kind == kind]
            chosen += rnd.sample(pool, min(k, len(pool)))
        return [
            {
                "id": f"q-{i:03d}",
                "lang": f.lang,
                "kind": f.kind,
                "question": f.question,
                "history": [],
                "expected_urls": [f.url],
                "answer_any": f.answer_any,
                "answer_all": [],
            }
            for i, f in enumerate(chosen)
        ]


LAYOUTS = {
    "_layouts/default.html": """<!DOCTYPE html>
<html lang="{{ page.lang | default: site.lang }}">
<head><meta charset="utf-8"><title>{{ page.title }} | {{ site.title }}</title></head>
<body>
{%- include header.html -%}
<main class="page-content">
{{ content }}
</main>
{%- include footer.html -%}
</body>
</html>
""",
    "_layouts/page.html": """---
layout: default
---
<h1>{{ page.title }}</h1>
{{ content }}
""",
    "_layouts/post.html": """---
layout: default
---
<article>
<h1>{{ page.title }}</h1>
<p class="post-meta">{{ page.date | date: "%B %-d, %Y" }}</p>
{{ content }}
</article>
""",
    "_layouts/group.html": """---
layout: default
---
{% assign group = site.data.groups | where: "name", page.group | first %}
{% assign members = site.data.people[page.group] %}
<h1>{% if group.type == "jrg" %}Junior Research Group {% endif %}{{ group.label }}</h1>
{% for person in members %}{% if person.roles contains "head" %}<h2 id="head">{{ person.title }} {{ person.name }}</h2>{% endif %}{% endfor %}
{{ content }}
<h2>Contact</h2>
{%- include contact.html -%}
<h2>Team</h2>
{%- include team.html -%}
<p><a href="/publications/{{ page.group }}.html">Publications</a></p>
""",
    "_includes/header.html": """<header class="site-header"><a href="/">{{ site.title }}</a>
<nav><a href="/groups/">Groups</a> <a href="/people.html">People</a></nav></header>
""",
    "_includes/footer.html": """<footer class="site-footer">{{ site.description }}</footer>
""",
    "_includes/contact.html": """<p class="contact">{{ group.address.name }}, {{ group.address.street }}, {{ group.address.additional }}, {{ group.address.zip }} {{ group.address.city }}</p>
""",
    "_includes/team.html": """<ul class="team">
{% for person in members %}<li>{{ person.title }} {{ person.name }}{% if person.mail %}, <a href="mailto:{{ person.mail }}">{{ person.mail }}</a>{% endif %}</li>
{% endfor %}</ul>
""",
}


def parse_size(text: str) -> int:
    """'1k' -> 1000, '1m' -> 1000000, '300' -> 300."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def generate(passages: int, out: Path, seed: int = 0) -> dict:
    """Write the site and its queries.yaml into out (emptied first); return counts."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    writer = SiteWriter(out, passages, seed)
    stats = writer.generate()
    queries = writer.queries(seed)
    (out / "queries.yaml").write_text(yaml.safe_dump(queries, sort_keys=False, allow_unicode=True), encoding="utf-8")
    stats.update(blocks=writer.written, queries=len(queries), seconds=round(time.perf_counter() - started, 2))
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", required=True, type=parse_size, help="about how many passages: 1000, 10k, 1m")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    stats = generate(args.passages, args.out, args.seed)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
