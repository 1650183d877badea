"""The command line: `assistant index`, `ask`, `serve`, `report` and `check`.

With no site or index given, the commands use the bundled `corpus/` and
`index/`, building the index when it is missing or older than the corpus, so a
fresh clone answers with one command.
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from .settings import Settings, SettingsError, terminal_columns

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"
INDEX = PROJECT / "index" / "corpus"
# What `assistant index` imports beyond the serving set: the 'index' extra (module -> package).
INDEXING_LIBRARIES = {
    "frontmatter": "python-frontmatter",
    "liquid": "python-liquid",
    "bibtexparser": "bibtexparser",
    "pylatexenc": "pylatexenc",
    "markdown_it": "markdown-it-py",
    "mdit_py_plugins": "mdit-py-plugins",
    "selectolax": "selectolax",
}
# A site folder with one of these names is named after the folder it stands in (…/lab-site/source).
GENERIC_FOLDERS = {"source", "src", "site", "_site", "docs", "public", "www", "web", "website"}
# How many top-level entries of a folder are looked at to tell whether it is a site.
LOOK_AT_ENTRIES = 2000
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
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
    "pins",
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
    _require_indexing()
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


class Progress:
    """How far a build is, on standard error.

    On a terminal one line updates in place. In a log (a pipe, a CI job) a line
    is written every `every` seconds, and when a stage that was shown ends, so a
    long build shows it is alive without flooding the log of a short one.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 5.0,
        terminal: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.clock = clock
        self.every = every
        self.last = ""
        self.due: dict[str, float] = {}  # stage -> when its next log line is due
        self.shown: set[str] = set()  # stages with a line in the log

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total <= 0:
            return
        line = f"{stage}: {done}/{total} ({100 * done // total}%)"
        if self.terminal:
            self._update(line, done, total)
            return
        now = self.clock()
        due = self.due.setdefault(stage, now + self.every)
        if now >= due or (done >= total and stage in self.shown):
            self.stream.write(line + "\n")
            self.stream.flush()
            self.due[stage] = now + self.every
            self.shown.add(stage)

    def _update(self, line: str, done: int, total: int) -> None:
        if done != total and done % max(1, total // 100):
            return
        if line != self.last:
            self.stream.write("\r" + line)
            self.stream.flush()
            self.last = line
        if done == total:
            self.stream.write("\n")


def _index(site: Path, out: Path, url: str | None, quiet: bool = False, glossaries=(), workers: int | None = None):
    from .build import index_site

    return index_site(
        site, out, url=url, glossaries=glossaries, workers=workers, progress=None if quiet else Progress()
    )


def default_index_name(site: Path) -> str:
    """The site folder's name, or its parent's when the folder has a generic name such as `source`."""
    folder = site.resolve()
    if folder.name.lower() in GENERIC_FOLDERS and folder.parent.name:
        folder = folder.parent
    return folder.name or "site"


def site_kind(folder: Path) -> str | None:
    """ "source" (a Jekyll site's source), "built" (a folder of published HTML), or None.

    Only the folder's top level is looked at, and only so many entries of it,
    so the answer is quick on any folder (a home folder, /tmp).
    """
    from .site_files import SiteFolder

    pages: list[Path] = []
    has_index_html = False
    site = SiteFolder(folder)
    with os.scandir(folder) as entries:
        for n, entry in enumerate(entries):
            if n >= LOOK_AT_ENTRIES:
                break
            if not site.entry_inside(entry):  # a link out of the folder says nothing about it
                continue
            name = entry.name.lower()
            if name in ("_config.yml", "_config.yaml", "_config.toml") and entry.is_file():
                return "source"
            if name.endswith((".md", ".markdown", ".html", ".htm")) and entry.is_file():
                pages.append(Path(entry.path))
                has_index_html = has_index_html or name in ("index.html", "index.htm")
    for page in pages[:200]:
        try:
            with open(page, "rb") as fh:
                if fh.read(4).lstrip(b"\xef\xbb\xbf").startswith(b"---"):
                    return "source"
        except OSError:
            continue
    return "built" if has_index_html else None


def _missing_indexing_libraries() -> list[str]:
    import importlib.util

    return [package for module, package in INDEXING_LIBRARIES.items() if importlib.util.find_spec(module) is None]


def _require_indexing() -> None:
    """Stop with a message naming the extra to install when the indexing libraries are missing."""
    missing = _missing_indexing_libraries()
    if missing:
        raise CommandError(
            f"indexing needs the 'index' extra, which is not installed (missing: {', '.join(missing)}); "
            "install it with: pip install 'institute-assistant[index]' (in a clone: pip install -e '.[index]')",
            status=1,
        )


def _points_to_this_machine(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def cmd_index(args: argparse.Namespace) -> int:
    site = Path(args.site) if args.site else CORPUS
    out = Path(args.out) if args.out else (INDEX if not args.site else INDEX.parent / default_index_name(site))
    if not site.is_dir():
        raise CommandError(f"{site} is not a folder")
    if not args.force and site_kind(site) is None:
        raise CommandError(
            f"{site} looks like neither a Jekyll site's source (no _config.yml, no page with front matter) "
            "nor a built site (no index.html); give the site's folder, or add --force to index it anyway"
        )
    _require_indexing()
    from .build import SiteUrlError

    try:
        report = _index(site, out, args.url, glossaries=[Path(g) for g in args.glossary or []], workers=args.workers)
    except SiteUrlError as err:
        raise CommandError(str(err)) from None
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if not report.written:
        kept = f"{out} is left as it was" if out.exists() else f"nothing was written to {out}"
        raise CommandError(
            f"{site} gave no passages to index ({report.documents} pages read), so no index was built and {kept}; "
            "is it a Jekyll site's source folder or a built site?",
            status=1,
        )
    stats = report.manifest.get("counts", {})
    print(
        f"Indexed {report.documents} pages into {report.passages} passages in {report.seconds:.2f} s -> {out}"
        f" ({len(report.problems)} problem{'s' if len(report.problems) != 1 else ''})"
    )
    if stats:
        print("  " + ", ".join(f"{k}: {v}" for k, v in stats.items()))
    site_url = str((report.manifest.get("meta") or {}).get("site_url") or "")
    if not args.url and _points_to_this_machine(site_url):
        print(
            f"warning: links in answers will point to {site_url}/…, which visitors cannot open: the site names "
            "no public URL (no `url:` in _config.yml, no CNAME); give it with --url https://www.example.org "
            "or `url:` in _config.yml",
            file=sys.stderr,
        )
    differs = False
    if args.check_against:
        differs = _check_against(site, Path(args.check_against), args.url)
    return 1 if (args.strict and (report.problems or differs)) else 0


def _check_against(site: Path, built: Path, url: str | None) -> bool:
    """List the pages and quotes that differ from a site Jekyll built; True when any does."""
    from .build import site_passages
    from .faithfulness import check_passages

    if not built.is_dir():
        print(f"error: {built} is not a folder (build the site with `jekyll build` first)", file=sys.stderr)
        return True
    ours = site_passages(site, url)
    check = check_passages(ours.passages, built, ours.base_url, pages=ours.page_urls)
    for name in check.only_built:
        print(f"differs: {name}: published by Jekyll, not indexed")
    for name in check.only_ours:
        print(f"differs: {name}: indexed, but not in {built}")
    for page in check.pages:
        for text in page.missing:
            print(f"differs: {page.file}: quote not on the built page: {' / '.join(text.splitlines())[:200]}")
    print(
        f"Checked against {built}: {check.found} of {check.passages} passages stand word for word on their page"
        f" ({100 * check.share:.1f} %); {len(check.only_built)} pages only in the build,"
        f" {len(check.only_ours)} only in the index"
    )
    return bool(check.only_built or check.only_ours or check.found < check.passages)


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
        raise CommandError(str(err)) from None


def cmd_ask(args: argparse.Namespace) -> int:
    # One question, then the process ends: what it builds lives until then, and walking it for cycles
    # to collect would be time spent on nothing.
    gc.disable()
    from .answer import answer_to_json

    if not args.question.strip():
        raise CommandError('the question is empty; ask it in words, e.g. assistant ask "Who leads the institute?"')
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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    from .http import create_app, listen
    from .search_index import IndexLoadError

    folder = _index_folder(args)
    try:
        app = create_app(folder, settings=args.settings)
    except IndexLoadError as err:
        raise CommandError(str(err)) from None
    try:
        workers = args.workers or 1
        server = listen(app, host=args.host, port=args.port, workers=workers)
    except OSError as err:
        reason = "the port is in use (choose another with --port)" if err.errno == errno.EADDRINUSE else err.strerror
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {reason}", status=1) from None
    port = getattr(server, "effective_port", args.port)
    import logging

    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    processes = f", {workers} processes" if workers > 1 else ""
    print(
        f"Serving {folder} on http://{args.host}:{port}/ (demo page at /, API at /api/ask{processes})", file=sys.stderr
    )
    server.run()
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .feedback import format_report, report

    for log in args.logs:
        if not Path(log).is_file():
            raise CommandError(f"{log}: no such file (give the event log the server wrote)")
    if not args.html:
        print(format_report(report(args.logs)))
        return 0
    import importlib.util

    if importlib.util.find_spec("pygal") is None:
        raise CommandError(
            "the HTML report needs the 'report' extra (pygal), which is not installed; install it with: "
            "pip install 'institute-assistant[report]' (in a clone: pip install -e '.[report]')",
            status=1,
        )
    from .report import build

    assistant = _open_assistant(args) if (args.index or args.settings.index) else None
    page = build(
        args.logs,
        index=assistant.index if assistant else None,
        analyzer=assistant.analyzer if assistant else None,
        source_url=args.source_url,
    )
    out = Path(args.html)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"Wrote {out}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import QuestionFileError, format_misses, junit_xml, load_questions, run

    items = []
    for file in args.questions:
        try:
            items += load_questions(Path(file))
        except QuestionFileError as err:
            raise CommandError(str(err)) from None
    if not items:
        raise CommandError(f"{', '.join(args.questions)}: no questions to check")
    assistant = _open_assistant(args)
    verdicts = run(assistant, items)
    print(format_misses(verdicts), end="")
    if args.junit:
        junit = Path(args.junit)
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_bytes(junit_xml(verdicts, Path(args.questions[0]).stem))
    return 0 if all(v.ok for v in verdicts) else 1


def _version() -> str:
    from importlib import metadata  # read when asked: it scans every installed distribution

    try:
        return metadata.version("institute-assistant")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, sized to the terminal the way argparse sizes it but without importing shutil.

    argparse makes a formatter for every argument it adds, and its own looks the width up with
    shutil, whose import (with the compression modules it brings) is a few milliseconds of every
    `assistant ask`.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _help_width() if width is None else width)


def _help_width() -> int:
    """The terminal's width less 2, as argparse does."""
    return terminal_columns() - 2


class _Version(argparse.Action):
    """--version, whose number is looked up only when it is asked for, not on every command."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=kwargs.get("help"))

    def __call__(self, parser: argparse.ArgumentParser, namespace, values, option_string=None) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The command line; `settings` (from the environment) give the defaults of --index, --host and --port."""
    settings = settings or Settings()
    index_default = (
        f"{settings.index} (ASSISTANT_INDEX)" if settings.index else "index/corpus, built from corpus/ when needed"
    )
    p = argparse.ArgumentParser(
        prog="assistant",
        description="Answer questions about a Jekyll website with passages quoted from it.",
        epilog="Settings for the server come from ASSISTANT_* variables: see README.md, Configuration.",
        formatter_class=_HelpFormatter,
    )
    p.add_argument("--version", action=_Version, help="show the program's version number and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    i = sub.add_parser(
        "index",
        formatter_class=_HelpFormatter,
        help="render a Jekyll site and build its index",
        description="Render a Jekyll site as Jekyll publishes it (or read a built site's HTML) and build its index.",
    )
    i.add_argument(
        "site",
        nargs="?",
        help="the site's source folder (with _config.yml), or a built site (with index.html) (default: corpus/)",
    )
    i.add_argument(
        "--out",
        help="where the index goes (default: index/corpus for corpus/, else index/NAME, NAME being the site "
        "folder's name, or its parent folder's when it has a generic name such as source, src, site or docs)",
    )
    i.add_argument(
        "--url", help="the site's public URL, for the links in answers (default: url in _config.yml, else CNAME)"
    )
    i.add_argument("--glossary", action="append", help="an extra glossary YAML file, repeatable (default: none)")
    i.add_argument(
        "--strict", action="store_true", help="exit 1 when any page had a problem, for the site's CI (default: off)"
    )
    i.add_argument(
        "--check-against",
        metavar="BUILT",
        help="compare with the site as Jekyll built it (its _site/ folder) and list the pages and quotes that "
        "differ (default: off)",
    )
    i.add_argument(
        "--workers", type=int, help="processes that render and analyse pages (default: 2 for 400 pages or more, else 1)"
    )
    i.add_argument(
        "--force",
        action="store_true",
        help="index a folder that looks like neither a Jekyll source nor a built site (default: off)",
    )
    i.set_defaults(func=cmd_index)

    a = sub.add_parser(
        "ask",
        formatter_class=_HelpFormatter,
        help="answer one question",
        description="Answer one question from the index.",
    )
    a.add_argument("question", help='the question, in quotes: "Who leads the institute?"')
    a.add_argument("--index", help=f"index folder (default: {index_default})")
    a.add_argument("--history", action="append", help="an earlier question, for follow-ups; repeatable (default: none)")
    a.add_argument("--lang", choices=["en", "de"], help="the question's language (default: detected)")
    a.add_argument("--json", action="store_true", help="print the API's JSON (default: off)")
    a.add_argument(
        "--explain",
        action="store_true",
        help="show which words were matched through which step, and the ranking (default: off)",
    )
    a.set_defaults(func=cmd_ask)

    s = sub.add_parser(
        "serve",
        formatter_class=_HelpFormatter,
        help="serve the API, the widget and a demo page",
        description="Serve the API, the widget and a demo page.",
    )
    s.add_argument("--index", help=f"index folder (default: {index_default})")
    s.add_argument("--host", default=settings.host, help="address to listen on (default: %(default)s; ASSISTANT_HOST)")
    s.add_argument(
        "--port", type=int, default=settings.port, help="port to listen on (default: %(default)s; ASSISTANT_PORT)"
    )
    s.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="serving processes sharing the index, e.g. one per CPU; each counts the rate limit on its own "
        "(default: 1, in this process)",
    )
    s.set_defaults(func=cmd_serve)

    r = sub.add_parser(
        "report",
        formatter_class=_HelpFormatter,
        help="questions that went unanswered or were marked unhelpful",
        description="List the questions that went unanswered or were marked unhelpful, most frequent first.",
    )
    r.add_argument(
        "logs", nargs="+", help="event logs the server wrote (ASSISTANT_FEEDBACK_LOG, or its standard error)"
    )
    r.add_argument(
        "--html",
        metavar="FILE",
        help="write one self-contained HTML page instead: questions per day, shares, unanswered questions "
        "grouped, pages quoted, with their source files and lines (default: a table on the terminal)",
    )
    r.add_argument(
        "--index",
        help="the index the server answered from, for page titles and source files and lines "
        "(default: ASSISTANT_INDEX, else none)",
    )
    r.add_argument(
        "--source-url",
        metavar="URL",
        help="where the site's source files are browsed, e.g. https://github.com/ORG/SITE/blob/main/ "
        "links become URL/FILE#LLINE (default: links to the files on this machine)",
    )
    r.set_defaults(func=cmd_report)

    c = sub.add_parser(
        "check",
        formatter_class=_HelpFormatter,
        help="answer a question file and report each miss, for the site's CI",
        description="Answer the questions of a file (the evaluation's format: question, expected_urls, answer_any, "
        "answer_all, kind) from an index, print each miss with its reason, and exit 1 when any question misses.",
    )
    c.add_argument("questions", nargs="+", help="question files (YAML)")
    c.add_argument("--index", help=f"index folder (default: {index_default})")
    c.add_argument("--junit", metavar="FILE", help="also write the results as JUnit XML to FILE (default: none)")
    c.set_defaults(func=cmd_check)
    return p


class CommandError(Exception):
    """A mistake in what the command was asked to do: printed as one line, with the exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def main(argv: list[str] | None = None) -> int:
    """Run a command; a user's mistake ends in one line on standard error and a non-zero status, not a traceback."""
    try:
        settings = Settings.from_env()
        args = parser(settings).parse_args(argv)
        args.settings = settings
        return args.func(args)
    except (SettingsError, CommandError) as err:
        print(f"error: {err}", file=sys.stderr)
        return getattr(err, "status", 2)
    except BrokenPipeError:  # `assistant ask ... | head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as err:  # a file that cannot be read or written, a full disk
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
