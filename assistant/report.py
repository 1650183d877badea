"""The editors' report as one HTML file: `assistant report LOG --html report.html`.

What visitors asked per day, how many questions were answered, abstained on or marked unhelpful,
the unanswered questions grouped by what they are about (in either language: the glossary makes
"Sprechzeiten?" and "office hours of the secretariat" one group), and the pages quoted most and
quoted in unhelpful answers, each with a link to its source file and line.

The file is self-contained (styles inline, the chart an inline SVG drawn by pygal, no script),
so it opens from disk or a CI artifact and makes no request. Templating is Jinja2's (it comes
with Flask). The event lines are read by assistant.feedback, which also makes the text report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from .feedback import events, report

if TYPE_CHECKING:
    from .analysis import Analyzer
    from .documents import Passage
    from .search_index import SearchIndex

TEMPLATE = "report.html"
TOP_GROUPS = 12
TOP_PAGES = 15
MAX_GROUPED = 500  # unanswered questions looked at for groups (the most frequent first)
FRAGMENT = "#:~:text="


@dataclass
class Totals:
    asked: int = 0
    answered: int = 0
    abstained: int = 0
    unhelpful: int = 0  # answers marked unhelpful
    helpful: int = 0

    def share(self, n: int, of: int | None = None) -> str:
        whole = self.asked if of is None else of
        return f"{100 * n / whole:.0f} %" if whole else "–"


@dataclass
class Group:
    """Unanswered questions that share a word (or its translation)."""

    words: list[str]
    rows: list[dict[str, Any]]

    @property
    def count(self) -> int:
        return sum(r["abstained"] + r["unhelpful"] for r in self.rows)


@dataclass
class PageRow:
    """A page with how often answers quoted it, and where its most quoted passage is written."""

    url: str
    title: str
    count: int
    source: str = ""  # "file.md:12"
    source_link: str = ""
    quoted: list[str] = field(default_factory=list)  # the questions that quoted it (unhelpful answers)


def per_day(records: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(day, answered, abstained) for every day from the first question to the last."""
    days: dict[str, list[int]] = {}
    for r in records:
        if r.get("event") != "ask" or not isinstance(r.get("ts"), str):
            continue
        day = r["ts"][:10]
        slot = days.setdefault(day, [0, 0])
        slot[1 if r.get("abstained") else 0] += 1
    if not days:
        return []
    first = datetime.fromisoformat(min(days)).date()
    last = datetime.fromisoformat(max(days)).date()
    out = []
    for n in range((last - first).days + 1):
        day = first.fromordinal(first.toordinal() + n).isoformat()
        answered, abstained = days.get(day, [0, 0])
        out.append((day, answered, abstained))
    return out


def totals(records: list[dict[str, Any]]) -> Totals:
    t = Totals()
    for r in records:
        if r.get("event") == "ask":
            t.asked += 1
            if r.get("abstained"):
                t.abstained += 1
            else:
                t.answered += 1
        elif r.get("event") == "feedback":
            if r.get("helpful") is False:
                t.unhelpful += 1
            elif r.get("helpful") is True:
                t.helpful += 1
    return t


def group_questions(rows: list[dict[str, Any]], analyzer: Analyzer) -> list[Group]:
    """Groups of questions that share a word or its translation, the largest first; the rest alone.

    Greedy: the word that joins the most failed askings makes a group, its questions leave, and
    so on; a word joins only questions that were asked with it or with a translation of it.
    """
    from .wording import content_terms, senses

    parsed = []
    for row in rows[:MAX_GROUPED]:
        terms = content_terms(analyzer.parse_question(row["question"]))
        parsed.append((row, [(t.word, senses(t)) for t in terms if senses(t)]))
    groups: list[Group] = []
    left = list(range(len(parsed)))
    while left:
        best: tuple[int, list[int], frozenset[str]] | None = None
        for i in left:
            for _, meant in parsed[i][1]:
                members = [j for j in left if any(meant & other for _, other in parsed[j][1])]
                weight = sum(parsed[j][0]["abstained"] + parsed[j][0]["unhelpful"] for j in members)
                if len(members) > 1 and (best is None or weight > best[0]):
                    best = (weight, members, meant)
        if best is None:
            break
        _, members, meant = best
        groups.append(Group(_labels(parsed, members, meant), [parsed[j][0] for j in members]))
        left = [j for j in left if j not in members]
    groups += [Group([], [parsed[j][0]]) for j in left]
    groups.sort(key=lambda g: (-g.count, -len(g.rows), g.rows[0]["question"]))
    return groups


def _labels(parsed, members: list[int], shared: frozenset[str]) -> list[str]:
    """The words, as asked, through which the group's questions meet."""
    out: list[str] = []
    for j in members:
        for word, meant in parsed[j][1]:
            if meant & shared and word.casefold() not in {w.casefold() for w in out}:
                out.append(word)
    return out


class Sources:
    """Finds, for a URL an answer linked, the passage it quoted: its page title, source file and line."""

    def __init__(self, index: SearchIndex | None, source_url: str | None = None) -> None:
        self.by_url: dict[str, list[Passage]] = {}
        self.root = ""
        if index is not None:
            for p in index.passages():
                self.by_url.setdefault(p.url, []).append(p)
            for found in self.by_url.values():
                found.sort(key=lambda p: p.line or 0)
            self.root = str(((index.manifest or {}).get("meta") or {}).get("source") or "")
        self.source_url = source_url

    def passage(self, url: str) -> Passage | None:
        base, _, fragment = url.partition(FRAGMENT)
        found = self.by_url.get(base) or self.by_url.get(url)
        if not found:
            return None
        if fragment:
            start = unquote(fragment.split(",")[0].replace("%2D", "-"))
            for p in found:
                if start in p.text:
                    return p
        return found[0]

    def link(self, passage: Passage) -> tuple[str, str]:
        """("file.md:12", a link to it): to the editor's repository with --source-url, else to the file here."""
        where = passage.source + (f":{passage.line}" if passage.line else "")
        if self.source_url:
            return where, self.source_url.rstrip("/") + "/" + quote(passage.source) + (
                f"#L{passage.line}" if passage.line else ""
            )
        if self.root:
            return where, Path(self.root, passage.source).as_uri()
        return where, ""


def page_of(url: str) -> str:
    """The page a linked URL is on: no anchor, no text fragment."""
    return url.split("#", 1)[0]


def pages(counts: Counter, sources: Sources, questions: dict[str, list[str]] | None = None) -> list[PageRow]:
    """Pages by how often they were quoted, each with its most quoted passage's source."""
    by_page: dict[str, Counter] = {}
    for url, n in counts.items():
        by_page.setdefault(page_of(url), Counter())[url] += n
    rows = []
    for page, urls in by_page.items():
        top_url = urls.most_common(1)[0][0]
        passage = sources.passage(top_url)
        row = PageRow(page, passage.title if passage else urlsplit(page).path, sum(urls.values()))
        if passage is not None:
            row.source, row.source_link = sources.link(passage)
        row.quoted = sorted({q for u in urls for q in (questions or {}).get(u, [])})
        rows.append(row)
    rows.sort(key=lambda r: (-r.count, r.url))
    return rows[:TOP_PAGES]


def chart_svg(days: list[tuple[str, int, int]]) -> str:
    """Questions per day, answered and abstained stacked, as an inline SVG without script."""
    import pygal
    from pygal.etree import etree
    from pygal.style import Style

    style = Style(
        background="transparent",
        plot_background="transparent",
        foreground="#222",
        foreground_strong="#111",
        foreground_subtle="#666",
        colors=("#2a6f97", "#c8553d"),
        font_family="system-ui, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=11,
    )
    chart = pygal.StackedBar(
        js=[],  # pygal's tooltips are a script from the web: none, the file makes no request
        disable_xml_declaration=True,
        style=style,
        width=900,
        height=300,
        explicit_size=False,
        legend_at_bottom=True,
        print_values=False,
        show_y_guides=True,
        x_label_rotation=0 if len(days) <= 10 else 45,
        show_minor_x_labels=len(days) <= 31,
        x_labels_major_every=max(1, len(days) // 10),
        truncate_label=-1,
        title=None,
        margin=8,
    )
    top = max((a + b for _, a, b in days), default=1)
    step = max(1, -(-top // 6))
    chart.y_labels = list(range(0, top + step, step))  # whole questions, not 0.8 of one
    chart.x_labels = [d for d, _, _ in days]
    chart.add("answered", [a for _, a, _ in days])
    chart.add("abstained", [b for _, _, b in days])
    # pygal writes its settings into the SVG as a script for its tooltips even with js=[]; the page
    # allows no script (its Content-Security-Policy says so), so the tree is written without it
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return str(etree.tostring(tree, encoding="unicode"))


def build(
    logs: list[str | Path],
    index: SearchIndex | None = None,
    analyzer: Analyzer | None = None,
    source_url: str | None = None,
    now: datetime | None = None,
) -> str:
    """The report's HTML, from event logs and (for titles, sources and lines) the index the server answered from."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .analysis import Analyzer

    records = list(events(logs))
    failing = report(logs)
    sources = Sources(index, source_url)
    quoted: Counter = Counter()
    unhelpful: Counter = Counter()
    unhelpful_questions: dict[str, list[str]] = {}
    for r in records:
        urls = [u for u in r.get("urls") or [] if isinstance(u, str)]
        if r.get("event") == "ask" and not r.get("abstained"):
            quoted.update(urls)
        elif r.get("event") == "feedback" and r.get("helpful") is False:
            unhelpful.update(urls)
            for u in urls:
                unhelpful_questions.setdefault(u, []).append(str(r.get("question") or ""))
    days = per_day(records)
    env = Environment(loader=PackageLoader("assistant", "templates"), autoescape=select_autoescape(["html"]))
    meta = ((index.manifest or {}).get("meta") or {}) if index is not None else {}
    return env.get_template(TEMPLATE).render(
        site=meta.get("site_name") or meta.get("site_url") or "",
        made=(now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"),
        logs=[Path(p).name for p in logs],
        totals=totals(records),
        days=days,
        chart=chart_svg(days) if days else "",
        groups=group_questions(failing, analyzer or Analyzer())[:TOP_GROUPS],
        failing=len(failing),
        quoted=pages(quoted, sources),
        unhelpful=pages(unhelpful, sources, unhelpful_questions),
    )
