"""The command line: `assistant index`, `assistant ask`, `assistant serve`, `assistant report`.

With no site or index given, the commands use the bundled `corpus/` and
`index/`, building the index when it is missing or older than the corpus, so a
fresh clone answers with one command.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from .settings import Settings, SettingsError

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"
INDEX = PROJECT / "index" / "corpus"
INDEXING_MODULES = (
    "site",
    "render",
    "jekyll_liquid",
    "bibliography",
    "kramdown",
    "passages",
    "text",
    "analysis",
    "search_index",
    "build",
    "site_guide",
)


def _newest_mtime(folder: Path) -> float:
    newest = 0.0
    for path in folder.rglob("*"):
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_bundled_index(quiet: bool = False) -> Path:
    """Build index/ from corpus/ when it is missing or older than the corpus."""
    if _is_current(INDEX / "manifest.json"):
        return INDEX
    if not quiet:
        print(
            f"Building the index of {CORPUS.relative_to(PROJECT)}/ into {INDEX.relative_to(PROJECT)}/ ...",
            file=sys.stderr,
        )
    report = _index(CORPUS, INDEX, None, quiet=quiet)
    if report.problems and not quiet:
        for problem in report.problems:
            print(f"  problem: {problem}", file=sys.stderr)
    return INDEX


def _is_current(manifest: Path) -> bool:
    """Built by this version of the program, after the last change to the corpus or the indexing code."""
    from .analysis import Analyzer
    from .search_index import FORMAT_VERSION

    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if data.get("format") != FORMAT_VERSION or data.get("analyzer") != Analyzer.version:
        return False
    indexing_code = max((PROJECT / "assistant" / f"{name}.py").stat().st_mtime for name in INDEXING_MODULES)
    return manifest.stat().st_mtime >= max(_newest_mtime(CORPUS), indexing_code)


class _Progress:
    """A one-line progress display, shown only on a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if done != total and done % max(1, total // 100):
            return
        line = f"\r{stage}: {done}/{total} ({100 * done // total}%)"
        if line != self.last:
            sys.stderr.write(line)
            sys.stderr.flush()
            self.last = line
        if done == total:
            sys.stderr.write("\n")


def _index(site: Path, out: Path, url: str | None, quiet: bool = False, glossaries=(), workers: int | None = None):
    from .build import index_site

    return index_site(
        site, out, url=url, glossaries=glossaries, workers=workers, progress=None if quiet else _Progress()
    )


def cmd_index(args: argparse.Namespace) -> int:
    site = Path(args.site) if args.site else CORPUS
    out = Path(args.out) if args.out else (INDEX if not args.site else INDEX.parent / site.resolve().name)
    if not site.is_dir():
        print(f"error: {site} is not a folder", file=sys.stderr)
        return 2
    report = _index(site, out, args.url, glossaries=[Path(g) for g in args.glossary or []], workers=args.workers)
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    stats = report.manifest.get("counts", {})
    print(
        f"Indexed {report.documents} pages into {report.passages} passages in {report.seconds:.2f} s -> {out}"
        f" ({len(report.problems)} problem{'s' if len(report.problems) != 1 else ''})"
    )
    if stats:
        print("  " + ", ".join(f"{k}: {v}" for k, v in stats.items()))
    if not report.passages:
        print(f"error: {site} gave no passages to index; is it a Jekyll site's source folder?", file=sys.stderr)
        return 1
    return 1 if (args.strict and report.problems) else 0


def _index_folder(args: argparse.Namespace, quiet: bool = False) -> Path:
    """--index, else ASSISTANT_INDEX, else the bundled corpus's index (built when needed)."""
    if args.index:
        return Path(args.index)
    return args.settings.index or ensure_bundled_index(quiet=quiet)


def _open_assistant(args: argparse.Namespace):
    from .answer import Assistant
    from .search_index import IndexLoadError

    folder = _index_folder(args)
    try:
        return Assistant.open(folder)
    except IndexLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer import answer_to_json

    assistant = _open_assistant(args)
    if args.explain:
        from .answer import format_explanation

        print(format_explanation(assistant.explain(args.question, args.history or [], args.lang)))
        return 0
    result = answer_to_json(assistant.respond(args.question, args.history or [], args.lang))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(result["answer"])
    passages = result["passages"]
    best = result["best"]
    if best is not None:
        # the passage that answers first, its answering sentence between ** **; the rest below
        lead = passages[best["passage"]]
        print()
        _print_passage(lead, best["sentence"])
        more = [p for i, p in enumerate(passages) if i != best["passage"]]
        if more:
            print()
            print(("Mehr von der Website" if result["lang"] == "de" else "More from the site") + f" ({len(more)}):")
            for passage in more:
                print()
                _print_passage(passage, None)
    if result["did_you_mean"]:
        print()
        print("Meinten Sie:" if result["lang"] == "de" else "Did you mean:")
        for question in result["did_you_mean"]:
            print(f"  - {question}")
    return 0


def _print_passage(passage: dict, sentence: list[int] | None) -> None:
    """Source as "Page title › Section", the quote, its link, and its page in other languages."""
    quote = passage["quote"]
    if sentence and sentence != [0, len(quote)]:
        a, b = sentence
        quote = f"{quote[:a]}**{quote[a:b]}**{quote[b:]}"
    print(" › ".join(part for part in (passage["title"], passage.get("heading")) if part))
    print(textwrap.indent(quote, "    > ", lambda line: True))
    print(f"    {passage['url']}")
    for lang, url in sorted((passage.get("translations") or {}).items()):
        print(f"    ({lang}) {url}")


def cmd_serve(args: argparse.Namespace) -> int:
    from .http import create_app, run
    from .search_index import IndexLoadError

    folder = _index_folder(args)
    try:
        app = create_app(folder, settings=args.settings)
    except IndexLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Serving {folder} on http://{args.host}:{args.port}/ (demo page at /, API at /api/ask)", file=sys.stderr)
    run(app, host=args.host, port=args.port)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .feedback import format_report, report

    print(format_report(report(args.logs)))
    return 0


def parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The command line; `settings` (from the environment) give the defaults of --host and --port."""
    settings = settings or Settings()
    p = argparse.ArgumentParser(
        prog="assistant", description="Answer questions about a Jekyll website with quotes from it."
    )
    sub = p.add_subparsers(dest="command", required=True)

    i = sub.add_parser("index", help="render a Jekyll site and build its index")
    i.add_argument("site", nargs="?", help="the site's source folder (default: the bundled corpus/)")
    i.add_argument("--out", help="where the index goes (default: index/corpus, or index/NAME for a site folder NAME)")
    i.add_argument("--url", help="the site's public URL (default: url in _config.yml, else CNAME)")
    i.add_argument("--glossary", action="append", help="an extra glossary YAML file (repeatable)")
    i.add_argument("--strict", action="store_true", help="exit 1 when any page had a problem (for the site's CI)")
    i.add_argument("--workers", type=int, help="processes that render and analyse pages (default: 2 for large sites)")
    i.set_defaults(func=cmd_index)

    a = sub.add_parser("ask", help="answer one question")
    a.add_argument("question")
    a.add_argument("--index", help="index folder (default: index/corpus, built from corpus/ when needed)")
    a.add_argument("--history", action="append", help="an earlier question, for follow-ups (repeatable)")
    a.add_argument("--lang", choices=["en", "de"], help="the question's language (default: detected)")
    a.add_argument("--json", action="store_true", help="print the API's JSON")
    a.add_argument(
        "--explain", action="store_true", help="show which words were matched through which step, and the ranking"
    )
    a.set_defaults(func=cmd_ask)

    s = sub.add_parser("serve", help="serve the API, the widget and a demo page")
    s.add_argument("--index", help="index folder (default: index/corpus, built from corpus/ when needed)")
    s.add_argument(
        "--host", default=settings.host, help=f"address to listen on (default: {settings.host}; ASSISTANT_HOST)"
    )
    s.add_argument(
        "--port", type=int, default=settings.port, help=f"port to listen on (default: {settings.port}; ASSISTANT_PORT)"
    )
    s.set_defaults(func=cmd_serve)

    r = sub.add_parser("report", help="questions that went unanswered or were marked unhelpful")
    r.add_argument("logs", nargs="+", help="event log files written by the server")
    r.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args = parser(settings).parse_args(argv)
    args.settings = settings
    try:
        return args.func(args)
    except BrokenPipeError:  # `assistant ask ... | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
