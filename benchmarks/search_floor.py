"""How much of an answer is tantivy's own work: the searches `answer()` makes, replayed alone.

    python benchmarks/search_floor.py --index /tmp/assistant-bench/index-100k --site /tmp/assistant-bench/site-100k

For each question of the site's mix (benchmarks/question_mix.py), in turn: the anchor (plain tantivy's
top 10 with documents, as in benchmarks/run.py), `answer()` with every tantivy search it makes recorded
(the passage index's and the vocabulary's typo look-ups), then those same query objects searched again
with nothing around them. The replay is the floor of the project's retrieval as it is designed: the
expanded queries (glossary variants, translations, four fields, phrases) cost what they cost whatever
the Python around them does. Prints p50 / p99 of each, and the ratios to the anchor, overall and by kind.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from engine_data import PlainTantivy, query_tokens  # noqa: E402
from question_mix import KINDS, question_mix  # noqa: E402
from stats import machine, markdown_table, percentile  # noqa: E402

from assistant.answer import Assistant  # noqa: E402


@dataclass
class Search:
    searcher: Any
    query: Any
    limit: int
    options: dict
    what: str  # which of the assistant's searches it is (see TAGS)


TAGS = ("all variants", "own words", "typo look-up")


@dataclass
class Recording:
    """The searches of the answer being made."""

    searches: list[Search] = field(default_factory=list)
    on: bool = False
    what: str = TAGS[0]


class RecordingSearcher:
    """A tantivy searcher that notes each search while recording is on, and otherwise only passes it on."""

    def __init__(self, searcher: Any, recording: Recording, what: str | None = None) -> None:
        self._searcher = searcher
        self._recording = recording
        self._what = what

    def search(self, query: Any, limit: int = 10, **options: Any) -> Any:
        r = self._recording
        if r.on:
            r.searches.append(Search(self._searcher, query, limit, options, self._what or r.what))
        return self._searcher.search(query, limit=limit, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._searcher, name)


def recorded(assistant: Assistant) -> Recording:
    """Route the opened index's searches, and its vocabulary's, through one recording."""
    recording = Recording()
    index = assistant.index
    index._searcher = RecordingSearcher(index._searcher, recording)  # type: ignore[assignment]
    vocabulary = index.vocabulary()
    schema, words = vocabulary._fuzzy
    vocabulary._fuzzy = (schema, RecordingSearcher(words, recording, TAGS[2]))  # type: ignore[assignment]
    search = index.search

    def tagged(query: Any, *args: Any, **options: Any) -> Any:
        # the assistant searches the question's own words in the text fields alone (answer._own_words)
        recording.what = TAGS[1] if options.get("fields") else TAGS[0]
        return search(query, *args, **options)

    index.search = tagged  # type: ignore[method-assign]
    return recording


def replay(searches: list[Search]) -> dict[str, float]:
    """Each search again, timed, summed by what it is."""
    clock = time.perf_counter
    took = dict.fromkeys(TAGS, 0.0)
    for s in searches:
        started = clock()
        s.searcher.search(s.query, limit=s.limit, **s.options)
        took[s.what] += clock() - started
    return took


Rows = dict[str, dict[str, list[float]]]


def measure(assistant: Assistant, plain: PlainTantivy, recording: Recording, asked: list) -> Rows:
    """Per question, in turn: the anchor, the answer with its searches recorded, and their replay."""
    rows: Rows = {k: {"anchor": [], "answer": [], "floor": [], "n": [], **{t: [] for t in TAGS}} for k in KINDS}
    clock = time.perf_counter
    for a in asked:
        history = list(a.history)
        t = clock()
        plain.search(query_tokens(" ".join([*history, a.question])), 10)
        anchor = clock() - t
        recording.searches, recording.on = [], True
        t = clock()
        assistant.answer(a.question, history)
        answered = clock() - t
        recording.on = False
        row = rows[a.kind]
        row["anchor"].append(anchor)
        row["answer"].append(answered)
        took = replay(recording.searches)
        row["floor"].append(sum(took.values()))
        row["n"].append(len(recording.searches))
        for what, seconds in took.items():
            row[what].append(seconds)
    return rows


def table(rows: Rows) -> str:
    def figures(kinds: list[str]) -> list[str]:
        got = {name: [v for k in kinds for v in rows[k][name]] for name in rows[kinds[0]]}
        a50, a99 = (percentile(got["anchor"], p) for p in (50, 99))
        out = [f"{len(got['answer'])}", f"{sum(got['n']) / len(got['n']):.2f}"]
        for name in ("answer", "floor"):
            p50, p99 = (percentile(got[name], p) for p in (50, 99))
            out.append(f"{p50 * 1000:.2f} / {p99 * 1000:.2f} ms ({p50 / a50:.1f}× / {p99 / a99:.1f}×)")
        n = len(got["answer"])
        out.append(" / ".join(f"{sum(got[t]) * 1000 / n:.2f}" for t in TAGS) + " ms")
        out.append(f"{a50 * 1000:.2f} / {a99 * 1000:.2f} ms")
        return out

    kinds = [k for k in KINDS if rows[k]["answer"]]
    return markdown_table(
        [
            "kind",
            "questions",
            "tantivy searches per answer",
            "answer() p50 / p99 (× anchor)",
            "its searches replayed alone (× anchor)",
            "replayed, mean per answer: " + " / ".join(TAGS),
            "anchor: plain tantivy top 10 + documents",
        ],
        [["all", *figures(kinds)]] + [[k, *figures([k])] for k in kinds],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True, help="the generated site, for its queries.yaml")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="ask the mix this many times: from the second on, as a process does that was asked it before",
    )
    args = parser.parse_args(argv)

    queries = yaml.safe_load((args.site / "queries.yaml").read_text(encoding="utf-8"))
    asked = question_mix(queries, args.seed, at_least=args.questions)
    assistant = Assistant.open(args.index)
    plain = PlainTantivy(args.index)
    recording = recorded(assistant)
    for a in question_mix(queries, args.seed + 1, at_least=50)[:50]:  # warm-up, another draw
        assistant.answer(a.question, list(a.history))
    print(f"Machine: {machine()}; index {args.index}")
    for n in range(1, args.rounds + 1):
        print(f"\nRound {n}" + (" (the same questions again)" if n > 1 else "") + "\n")
        print(table(measure(assistant, plain, recording, asked)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
