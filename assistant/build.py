"""Site folder -> index folder: the indexing pipeline end to end.

Loading, rendering and cutting into passages are imported here, not at the
top of the serving modules, so a server that only opens an index never loads
Liquid, Markdown or BibTeX code.

A large site is built by several processes, this one among them. In the first
rendering pass (which every listing page depends on) this process renders the
bodies with Liquid in the site's order; the Markdown of bodies without Liquid,
which depends on nothing else, waits until something reads it (or, when workers
will share the build, a forked process converts some of it meanwhile). Then forked
workers and this one take chunks of pages through Markdown, layouts, passages and
text analysis, and this process feeds the results, in the site's order, to the
single index writer. The index is the same as with one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .documents import Problem
from .text import site_url_problem
from .theme import site_theme

if TYPE_CHECKING:
    from .render import SiteRendering
    from .search_index import PassagePreparer, PreparedPassage
    from .site import StoredText

# Below this many pages, starting processes costs more than it saves.
PARALLEL_MIN_PAGES = 400
# Pages handed to a worker at a time: small enough to keep both busy, large enough to amortise the hand-over.
CHUNK_PAGES = 24


class SiteUrlError(ValueError):
    """A site address no link may start with; the message names where it was given."""


def check_site_url(site, site_root: Path | str, url: str | None) -> None:
    """Refuse a site URL (``url``/``baseurl`` in _config.yml, CNAME or --url) that is not plain http(s):
    every passage's link and the demo page start with it."""
    problem = site_url_problem(site.base_url)
    if problem is None:
        return
    if url:
        where = f"--url {url!r}"
    else:
        host = site.config.get("url")
        key = "url" if host and site_url_problem(str(host).strip()) else "baseurl" if site.config.get("baseurl") else ""
        where = _config_line(Path(site_root), key) if key else str(Path(site_root) / "CNAME")
    raise SiteUrlError(
        f"{where}: the site's URL {site.base_url!r} {problem}; links in answers start with it. "
        "Give the site's public address, e.g. url: https://www.example.org"
    )


def _config_line(root: Path, key: str) -> str:
    """Where ``key:`` stands in the site's configuration, as file:line."""
    from .site_files import SiteFolder

    for name in ("_config.yml", "_config.yaml"):
        try:
            lines = SiteFolder(root).read_text(name).splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            if re.match(rf"{key}\s*:", line):
                return f"{root / name}:{number}"
        return f"{root / name}: {key}"
    return str(root / "_config.yml")


@dataclass
class BuildReport:
    manifest: dict
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # worth knowing, but no page is wrong for it
    written: bool = True  # False: no passage at all, so no index was written and the old one is kept


@dataclass
class _Chunk:
    """What one chunk of pages gave: analysed passages and what went wrong, in page order."""

    passages: list[PreparedPassage] = field(default_factory=list)
    documents: int = 0
    render_problems: list[Problem] = field(default_factory=list)
    passage_problems: list[Problem] = field(default_factory=list)
    missing_includes: set[str] = field(default_factory=set)  # so far, in the process that rendered the chunk
    unknown_tags: set[str] = field(default_factory=set)
    unknown_filters: set[str] = field(default_factory=set)


def default_workers(pages: int) -> int:
    """Two processes (or as many cores as there are, if fewer) for a large site, one for a small one."""
    return min(2, os.cpu_count() or 1) if pages >= PARALLEL_MIN_PAGES else 1


def index_site(
    site_root: Path | str,
    out_dir: Path | str,
    url: str | None = None,
    *,
    workers: int | None = None,
    glossaries: list[Path] | tuple = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> BuildReport:
    """Render every page of a Jekyll site as it is published and index its passages.

    ``workers`` processes cut and analyse pages (default: :func:`default_workers`);
    the index does not depend on how many.
    """
    from .analysis import Analyzer
    from .pins import Collector, read_specs
    from .search_index import EmptyIndexError, build_index
    from .site import load_site, site_folder
    from .site_guide import data_file

    started = time.perf_counter()
    site = load_site(site_root, url=url)
    check_site_url(site, site_root, url)
    if not (site.pages or site.posts or any(site.collections.values())):
        # no page with front matter: a folder of published HTML (Jekyll's _site, say) is read as it is
        documents = published_documents(Path(site_root), site.base_url, site.problems)
        if documents:
            return _index_documents(documents, out_dir, site, site_root, glossaries, started)
    rendering, guide = _first_pass(site, default_workers(_pages_out(site)) if workers is None else int(workers))
    analyzer = Analyzer(extra_glossaries=list(glossaries))
    pending = rendering.pending
    workers = default_workers(len(pending)) if workers is None else max(1, int(workers))
    chunks = [pending[i : i + CHUNK_PAGES] for i in range(0, len(pending), CHUNK_PAGES)]
    tally = _Chunk()
    pin_file = data_file(site)
    # a link to a file outside the site is refused by the site reader, and gives no pins either
    pin_path = site_folder(site.root).real_path(pin_file)
    specs, pin_problems = read_specs(pin_path, pin_file) if pin_path else ([], [])
    pinned = Collector(specs)

    def passages(results: Iterator[_Chunk]) -> Iterator[PreparedPassage]:
        done = 0
        for chunk, result in zip(chunks, results, strict=True):
            tally.documents += result.documents
            tally.render_problems += result.render_problems
            tally.passage_problems += result.passage_problems
            tally.missing_includes |= result.missing_includes
            tally.unknown_tags |= result.unknown_tags
            tally.unknown_filters |= result.unknown_filters
            if specs:  # the passages of pinned pages are kept for the manifest
                for entry in result.passages:
                    pinned(_stored_passage(entry.blob))
            yield from result.passages
            done += len(chunk)
            if progress:
                progress("passages", done, len(pending))

    def meta() -> dict:  # asked for once every page went through
        pins, unresolved = pinned.resolve(pin_file)
        pin_problems.extend(unresolved)
        return _meta(site, site_root, tally.documents) | {"guide": guide, "pins": [p.to_meta() for p in pins]}

    written = True
    with _Workers(rendering, analyzer, min(workers, len(chunks) or 1)) as results:
        produced = results(chunks)
        try:
            manifest = build_index(passages(produced), out_dir, analyzer, meta=meta)
        except EmptyIndexError:
            manifest, written = {"counts": {"passages": 0}}, False
    if progress and written:
        progress("index", manifest["counts"]["passages"], manifest["counts"]["passages"])
    render_problems = rendering.problems + tally.render_problems
    problems = list(site.problems) + [p for p in render_problems if p not in site.problems]
    problems += tally.passage_problems + pin_problems
    notes = _notes(tally.missing_includes, tally.unknown_tags, site, tally.unknown_filters)
    return BuildReport(
        manifest,
        problems,
        tally.documents,
        manifest["counts"]["passages"],
        time.perf_counter() - started,
        notes,
        written,
    )


def _first_pass(site, workers: int) -> tuple[SiteRendering, dict]:
    """The first rendering pass and the site's guide, made in this process before any worker forks:
    both read every page, and a page read after the fork is copied into both processes.

    When workers will share the build, a forked process meanwhile converts the Markdown of bodies
    without Liquid (:class:`_ConvertedAhead`), which no page of the first pass depends on: the
    second core would otherwise wait for the pass to end.
    """
    from .render import SiteRendering
    from .site_guide import site_guide

    ahead = _ConvertedAhead(site) if workers > 1 and "fork" in multiprocessing.get_all_start_methods() else None
    try:
        rendering = SiteRendering(site)
        guide = site_guide(site).to_meta()
        if ahead is not None:
            rendering.keep_html(ahead.collect())
    finally:
        if ahead is not None:
            ahead.close()
    return rendering, guide


def _pages_out(site) -> int:
    """How many pages the site publishes, as far as the site alone tells (before rendering)."""
    return len(site.pages) + len(site.posts) + sum(len(items) for items in site.collections.values())


# HTML (UTF-8) the forked process converts ahead at most, held in memory the builder and its workers share
# until the build ends. At 100k passages the first pass leaves time for 6.6 MB.
AHEAD_BYTES = 16 << 20


class _ConvertedAhead:
    """A forked process converting the Markdown of bodies without Liquid while this one makes the first pass.

    It takes the site's last pages first (a listing of the first pass reads the newest, which come
    first) and stops when :meth:`collect` asks, or when :data:`AHEAD_BYTES` are full. It writes the
    HTML, as UTF-8, into memory both processes share, and this one reads it from there as the site's
    text store keeps texts: nothing is copied, and the workers forked later share it too. A body
    it cannot convert is left to the process that lays its page out, which reports it as before.
    The HTML is what the worker would make, so the index does not change.
    """

    def __init__(self, site) -> None:
        import mmap

        context = multiprocessing.get_context("fork")
        self.site = site
        self._room = mmap.mmap(-1, AHEAD_BYTES)  # anonymous and shared: a page costs memory once written
        self._stop = context.Value("b", 0, lock=False)
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=self._convert, args=(writer,), daemon=True)
        self._process.start()
        writer.close()  # the forked process holds the only writing end: its end is this one's EOFError

    def _convert(self, writer) -> None:  # in the forked process
        from .render import bodies_converted_alone, convert_alone, markdown_settings

        settings = markdown_settings(self.site)
        done: list[tuple[int, str, int, int]] = []  # (place, source path, start, size)
        used = 0
        for position, sf in bodies_converted_alone(self.site):
            if self._stop.value:
                break
            try:
                data = convert_alone(sf, settings).encode("utf-8", "surrogatepass")
            except Exception:  # noqa: BLE001 - converted again, and reported, when its page is laid out
                continue
            if used + len(data) > AHEAD_BYTES:
                break
            self._room[used : used + len(data)] = data
            done.append((position, sf.path, used, len(data)))
            used += len(data)
        writer.send_bytes(pickle.dumps(done, pickle.HIGHEST_PROTOCOL))

    def collect(self, finish: bool = False) -> list[tuple[int, str, StoredText]]:
        """What was converted so far (with ``finish``, once it converted all it may), as (place in the
        rendering's order, source path, HTML); nothing if the process failed."""
        from .site import StoredText

        if not finish:
            self._stop.value = 1
        try:
            done = pickle.loads(self._reader.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            return []
        return [(position, path, StoredText(self._room, start, size)) for position, path, start, size in done]

    def close(self) -> None:
        """Stop the process (it may be converting still, after a failed first pass); the shared memory
        lives on in the texts :meth:`collect` gave."""
        self._stop.value = 1
        self._reader.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _stored_passage(blob: bytes):
    """A passage as the index stores it."""
    import json

    from .documents import Passage

    record = json.loads(blob)
    return Passage(**{k: record[k] for k in Passage.__dataclass_fields__ if k in record})


def _meta(site, site_root: Path | str, documents: int) -> dict:
    """What the manifest records about the site: its name and URL for the API, its folder for this machine."""
    name = site.config.get("title")
    return {
        "site_name": " ".join(str(name).split()) if name else None,
        "site_url": site.base_url,
        "source": str(Path(site_root).resolve()),
        "documents": documents,
    }


@dataclass
class SitePassages:
    """A site's pages and passages as the index would hold them, without building an index."""

    base_url: str
    page_urls: list[str]
    passages: list
    problems: list[Problem]
    notes: list[str]


def site_passages(site_root: Path | str, url: str | None = None, without_plugins: Iterable[str] = ()) -> SitePassages:
    """Render a site and cut its pages into passages, as :func:`index_site` does, in this process.

    ``without_plugins`` renders as a build that could not run those plugins does, so a page is
    compared with a build made the same way (a reference build without jekyll-last-modified-at
    shows no change date).
    """
    from .render import SiteRendering
    from .site import load_site

    site = load_site(site_root, url=url)
    check_site_url(site, site_root, url)
    left_out = set(without_plugins)
    for key in ("plugins", "gems"):
        if isinstance(site.config.get(key), list):
            site.config[key] = [p for p in site.config[key] if str(p) not in left_out]
    problems = list(site.problems)
    if not (site.pages or site.posts or any(site.collections.values())):
        documents = published_documents(Path(site_root), site.base_url, problems)
        cut = [p for doc in documents for p in _cut(doc, problems)]
        return SitePassages(site.base_url, [d.url for d in documents], cut, problems, [])
    rendering = SiteRendering(site)
    urls: list[str] = []
    passages: list = []
    render_problems: list[Problem] = []
    for index in rendering.pending:
        doc = rendering.document(index, render_problems)
        if doc is None:
            continue
        urls.append(doc.url)
        passages.extend(_cut(doc, problems))
    problems += [p for p in rendering.problems + render_problems if p not in problems]
    liquid = rendering.renderer.liquid
    return SitePassages(
        site.base_url,
        urls,
        passages,
        problems,
        _notes(set(liquid.missing_includes), set(liquid.unknown_tags), site, set(liquid.unknown_filters)),
    )


def _notes(
    missing_includes: set[str], unknown_tags: set[str], site=None, unknown_filters: set[str] | None = None
) -> list[str]:
    notes = []
    if unknown_filters:
        notes.append(
            "filters this program does not know, which passed their input through unchanged: "
            + ", ".join(sorted(unknown_filters))
        )
    if site is not None:
        from .generators import unknown_generators

        generators = unknown_generators(site)
        if generators:
            notes.append(
                "plugins that make pages this program does not make (their pages are not indexed): "
                + ", ".join(generators)
            )
    if site is not None:
        theme = site_theme(site.config, site.root)
        if theme is not None and theme.describe():
            notes.append(theme.describe())
    if missing_includes:
        notes.append("includes not found, rendered as nothing: " + ", ".join(sorted(missing_includes)))
    if unknown_tags:
        notes.append(
            "tags of plugins this program does not know, rendered as nothing: " + ", ".join(sorted(unknown_tags))
        )
    return notes


def published_documents(root: Path, base_url: str, problems: list[Problem]) -> list:
    """The pages of an already built site: every .html file, its main content, its title."""
    from selectolax.lexbor import LexborHTMLParser

    from .documents import Document
    from .render import for_readers, main_content
    from .site import OUTSIDE_FILE
    from .site_files import OutsideSite, SiteFolder

    documents = []
    folder = SiteFolder(root)
    for path in sorted(root.rglob("*.htm*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix.lower() not in (".html", ".htm") or any(part.startswith((".", "_")) for part in rel.split("/")):
            continue
        try:
            html = folder.read_text(path)
        except OutsideSite:
            refused = Problem(rel, OUTSIDE_FILE)
            if refused not in problems:  # the site reader names it too
                problems.append(refused)
            continue
        except (OSError, UnicodeDecodeError) as err:
            problems.append(Problem(rel, f"cannot read: {err}"))
            continue
        url = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        if not for_readers(html, url):
            continue
        tree = LexborHTMLParser(html)
        heading = tree.css_first("h1")
        title_node = tree.css_first("title")
        named = heading or title_node
        title = " ".join((named.text() if named is not None else path.stem).split())
        html_node = tree.css_first("html")
        lang = ((html_node.attributes.get("lang") if html_node is not None else None) or "en")[:2]
        documents.append(
            Document(
                url=base_url.rstrip("/") + url,
                title=title or path.stem,
                html=main_content(html),
                source=rel,
                kind="post" if re.search(r"/\d{4}/\d{2}/", url) else "page",
                lang=lang.lower(),
                source_text="",
            )
        )
    return documents


def _index_documents(documents: list, out_dir, site, site_root, glossaries, started: float) -> BuildReport:
    from .analysis import Analyzer
    from .search_index import build_index

    problems = list(site.problems)
    passages = [passage for doc in documents for passage in _cut(doc, problems)]
    if not passages:
        return BuildReport({}, problems, len(documents), 0, time.perf_counter() - started, written=False)
    meta = _meta(site, site_root, len(documents))
    manifest = build_index(passages, out_dir, Analyzer(extra_glossaries=list(glossaries)), meta=meta)
    return BuildReport(manifest, problems, len(documents), len(passages), time.perf_counter() - started)


# -- the work on a chunk of pages -------------------------------------------------------------

_rendering: SiteRendering | None = None  # what a forked worker inherits
_prepare: PassagePreparer | None = None


def _cut(doc, problems: list[Problem]) -> list:
    """A page's passages; a page that cannot be cut is reported and gives none, and the site goes on."""
    from .passages import passages_from_document

    try:
        return passages_from_document(doc)
    except Exception as err:
        problems.append(Problem(doc.source, f"could not cut into passages: {err}"))
        return []


def _work(chunk: list[int]) -> _Chunk:
    """Second rendering pass, passages and analysis for some pages."""
    assert _rendering is not None and _prepare is not None
    result = _Chunk()
    for index in chunk:
        doc = _rendering.document(index, result.render_problems)
        if doc is None:
            continue
        result.documents += 1
        result.passages.extend(_prepare(p) for p in _cut(doc, result.passage_problems))
    liquid = _rendering.renderer.liquid
    result.missing_includes = set(liquid.missing_includes)
    result.unknown_tags = set(liquid.unknown_tags)
    result.unknown_filters = set(liquid.unknown_filters)
    return result


# What a pipe between the processes may hold unread: a chunk's results are some 350 KB at 24 pages.
PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int, size: int = PIPE_BYTES) -> None:
    """Let the pipe hold a whole chunk's results, so a worker hands them over in one write and goes on.

    With the 64 KB a pipe holds by default, a worker waited on every piece the receiving thread took,
    and that thread waits for the builder's interpreter lock between pieces: about 5 ms per chunk,
    a twentieth of the worker's time. Best effort: Linux only, and capped by /proc/sys/fs/pipe-max-size.
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is None:
        return
    for wanted in (size, 256 << 10):
        try:
            fcntl.fcntl(fd, setting, wanted)
            return
        except OSError:
            continue


class _Shared:
    """``func`` over ``items``, the results in order, computed by forked processes and by this one.

    Each process takes the next item nobody has taken; this one does so whenever the result it
    wants next is not there yet, and otherwise feeds on. The forked processes inherit the items
    and whatever ``func`` reads; only results travel, read by a thread as they come, so no process
    waits on another to send. ``workers`` counts this process too.
    """

    def __init__(self, func: Callable, items: list, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.func, self.items = func, items
        self._next = context.Value("q", 0)
        self._reader, self._writer = context.Pipe(duplex=False)
        _widen_pipe(self._writer.fileno())
        self._sending = context.Lock()
        self._done: dict[int, tuple] = {}
        self._arrived = threading.Condition()
        self._stop = threading.Event()
        self._processes = [context.Process(target=self._serve, daemon=True) for _ in range(workers - 1)]
        for process in self._processes:
            process.start()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _claim(self) -> int:
        with self._next.get_lock():
            item = self._next.value
            self._next.value = item + 1
        return item

    def _serve(self) -> None:  # in a forked process
        while (item := self._claim()) < len(self.items):
            try:
                data = pickle.dumps((item, self.func(self.items[item]), None), pickle.HIGHEST_PROTOCOL)
            except BaseException as err:  # noqa: BLE001 - raised in the process that wants the result
                try:
                    data = pickle.dumps((item, None, err))
                except Exception:  # noqa: BLE001
                    data = pickle.dumps((item, None, RuntimeError(f"{type(err).__name__}: {err}")))
            with self._sending:
                self._writer.send_bytes(data)

    def _receive(self) -> None:  # a thread of this process
        while not self._stop.is_set():
            if self._reader.poll(0.05):
                item, result, error = pickle.loads(self._reader.recv_bytes())
                with self._arrived:
                    self._done[item] = (result, error)
                    self._arrived.notify()

    def __iter__(self) -> Iterator:
        for item in range(len(self.items)):
            while True:
                with self._arrived:
                    if item in self._done:
                        result, error = self._done.pop(item)
                        break
                mine = self._claim()
                if mine < len(self.items):
                    result = self.func(self.items[mine])
                    with self._arrived:
                        self._done[mine] = (result, None)
                    continue
                with self._arrived:
                    if item not in self._done:
                        self._arrived.wait(0.5)
                    if item not in self._done and any(p.exitcode not in (None, 0) for p in self._processes):
                        raise RuntimeError("a worker process of the build ended unexpectedly")
            if error is not None:
                raise error
            yield result

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join()
        self._reader.close()
        self._writer.close()


class _Workers:
    """Runs :func:`_work` over chunks of pages, in this process and in forked ones, results in order.

    The processes are forked before the index writer starts its threads, and
    inherit the first rendering pass instead of redoing it.
    """

    def __init__(self, rendering: SiteRendering, analyzer, workers: int) -> None:
        self.rendering, self.analyzer, self.workers = rendering, analyzer, workers
        self.shared: _Shared | None = None

    def __enter__(self) -> Callable[[list[list[int]]], Iterator[_Chunk]]:
        global _rendering, _prepare
        from .search_index import PassagePreparer

        _rendering, _prepare = self.rendering, PassagePreparer(self.analyzer)
        # the first rendering pass made a large heap that lives until the build ends: the garbage
        # collector walking it over and over would cost more than the build, and in forked workers
        # would copy every page of it
        gc.freeze()
        return self.results

    def results(self, chunks: list[list[int]]) -> Iterator[_Chunk]:
        if self.workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
            return map(_work, chunks)
        self.shared = _Shared(_work, chunks, self.workers)
        return iter(self.shared)

    def __exit__(self, *exc) -> None:
        global _rendering, _prepare
        _rendering = _prepare = None
        if self.shared is not None:
            self.shared.close()
        gc.unfreeze()
