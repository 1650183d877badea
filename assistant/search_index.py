"""The on-disk BM25 index: tantivy over terms produced by our own analyzer.

Text is analysed in Python (assistant.analysis) and handed to tantivy as
space-separated terms, indexed with tantivy's whitespace tokenizer, so the
index and the question parser can never disagree about what a term is.

An index folder holds tantivy's files, a ``vocab/`` index of surface words
(for typo correction) and ``manifest.json`` describing how and from what it
was built, with the size and sha256 of every file. Opening an index checks
every file against it and opens both tantivy indexes at once, so an index
swapped in later is never read half by an index opened before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import orjson
import tantivy

from .acronyms import Acronym, acronyms_in, site_acronyms
from .analysis import MAX_WORD_LETTERS, Analyzer, ParsedQuery, Vocabulary, damerau_levenshtein, typo_distance
from .documents import Passage
from .text import fold

__all__ = [
    "FIELD_BOOSTS",
    "FORMAT_VERSION",
    "IndexBuildError",
    "IndexLoadError",
    "IndexVocabulary",
    "PassagePreparer",
    "PreparedPassage",
    "SearchIndex",
    "build_index",
]

FORMAT_VERSION = 5
MANIFEST = "manifest.json"
MARKER = "institute-assistant index"
VOCAB_DIR = "vocab"
UNINDEXED = "unindexed-terms.txt"  # see _write_unindexed
ACRONYMS = "acronyms.json"  # short form -> [the name it stands for, its language]; see assistant.acronyms

# How much a match in each field counts (times the variant's weight).
FIELD_BOOSTS = {"title": 2.0, "heading": 1.5, "body": 1.0, "exact": 1.0}
# Gap allowed inside a glossary phrase (compound parts sit between words).
PHRASE_SLOP = 2
_FIELD_NAMES = tuple(FIELD_BOOSTS)
_STORED_TERM_FIELDS = ("title", "heading", "body")  # the fields whose terms are a passage's stored terms
# A glossary phrase whose rarest word is in more than this share of passages
# is matched as a bag of words (each at weight / n), which is much cheaper.
PHRASE_MAX_DF_SHARE = 0.02
AFFIXED_KEPT = 20_000  # compound look-ups kept per opened index (a few MB at most)
HASHED_SIDE_BY_SIDE_FROM = 16 * 2**20  # bytes of index files; below, one thread hashes them all
DOC_FREQS_KEPT = 200_000  # (field, term) document frequencies kept per opened index (some 20 MB at most)
PLANS_KEPT = 20_000  # variants' plans, and clauses, an opened index keeps (a few MB at most)
PASSAGES_KEPT = 4096  # decoded passages an opened index keeps for the questions that follow (some 15 MB)
HASH_BLOCK = 1 << 20  # files are hashed in blocks of this size, never read whole
# One indexing thread with a 256 MB budget: the build's processes already keep both cores busy, so a
# second thread wins little, and each would keep a budget of its own until the commit (at 1M passages
# the builder held 0.1 GiB more). A million passages still end in two segments.
WRITER_HEAP = 256_000_000
WRITER_THREADS = 1
_LOCK_FILES = (".tantivy-meta.lock", ".tantivy-writer.lock")
_PASSAGE_FIELDS = [f.name for f in fields(Passage)]
# The files tantivy reads: meta.json and the segments' (a segment's id, 32 hex digits, then its part).
_TANTIVY_FILE = re.compile(r"meta\.json|[0-9a-f]{32}\..+")
_SHA256 = re.compile(r"[0-9a-f]{64}")
REQUIRED_FILES = ("meta.json", f"{VOCAB_DIR}/meta.json")


class IndexLoadError(Exception):
    """An index folder that cannot be used; the message names the file and the fix."""


class EmptyIndexError(Exception):
    """No passage to index: nothing is written, and an index already there stays as it was."""


class IndexBuildError(Exception):
    """An index that could not be written; any previous index is left as it was."""


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in FIELD_BOOSTS:
        # positions for glossary phrases; the exact field is matched term by term
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq" if name == "exact" else "position")
    sb.add_bytes_field("passage", stored=True)
    sb.add_text_field("source", stored=False, tokenizer_name="raw", index_option="basic")
    return sb.build()


def _vocab_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("term", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("tail", stored=False, tokenizer_name="raw", index_option="basic")  # the term reversed
    sb.add_unsigned_field("df", stored=True, fast=True)
    return sb.build()


def _sha256(path: Path) -> str:
    """The file's sha256, read in blocks: a segment of a large index may hold hundreds of MB."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(HASH_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def _file_table(root: Path) -> dict[str, dict]:
    table = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in _LOCK_FILES and path.name != MANIFEST:
            table[path.relative_to(root).as_posix()] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    return table


def build_index(
    passages: Iterable[Passage | PreparedPassage],
    out_dir: Path | str,
    analyzer: Analyzer,
    meta: dict | Callable[[], dict] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Index passages into ``out_dir`` and return the manifest.

    Passages may come already analysed (:class:`PassagePreparer`), e.g. from
    worker processes; the index is the same either way. ``meta`` may be a
    function, called once every passage is written (when counts are known).
    The index is written next to ``out_dir`` and swapped in only when complete,
    so a failed build leaves the previous index untouched.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).exists())):
        raise IndexBuildError(f"{out}: exists and is not an index; refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        counts = _write_passages(passages, tmp, analyzer, progress)
        if not counts["passages"]:
            raise EmptyIndexError(f"no passages to index; {out} is left as it was")
        manifest = {
            "kind": MARKER,
            "format": FORMAT_VERSION,
            "analyzer": analyzer.version,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "build_seconds": round(time.perf_counter() - started, 3),
            "content_hash": counts.pop("content_hash"),
            "counts": counts,
            "meta": dict((meta() if callable(meta) else meta) or {}),
            "files": _file_table(tmp),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _swap_in(new: Path, out: Path) -> None:
    """Replace ``out`` with ``new`` by renames only."""
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


class PreparedPassage(NamedTuple):
    """A passage analysed for the index: plain strings, cheap to send between processes."""

    title: str
    heading: str
    body: str
    exact: str
    blob: bytes  # the passage as stored (JSON)
    page: str
    source: str = ""  # the source file: pages made from one template (a profile per person) share it
    unindexed: str = ""  # stored terms of its context that none of its fields holds, joined by spaces
    acronyms: str = ""  # "short\tname\tlanguage" per acronym its text spells out, one a line


class PassagePreparer:
    """Analyses passages for the index; titles and headings repeat, so their terms are cached."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._cache: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {}

    def _analysed(self, text: str, lang: str) -> tuple[str, list[str], list[str]]:
        """The field's text, its terms as read back from that text, and its exact terms."""
        key = (text, lang)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            terms, exact = self.analyzer.passage_terms(text, lang)
            joined = " ".join(terms)
            found = self._cache[key] = (joined, joined.split(), exact)
        return found

    def __call__(self, passage: Passage) -> PreparedPassage:
        title, title_terms, title_exact = self._analysed(passage.title, passage.lang)
        heading, heading_terms, heading_exact = self._analysed(passage.heading, passage.lang)
        body, body_exact = self.analyzer.passage_terms(passage.text, passage.lang)
        record = {name: getattr(passage, name) for name in _PASSAGE_FIELDS}
        # stored so that answering can tell which question words a passage holds without re-analysing it
        # a context is shared by the passages of a page under the same headings: analysed once, as a title is
        context = self._analysed(passage.context, passage.lang)[1] if passage.context else ()
        fielded = set(body).union(title_terms, heading_terms)
        record["terms"] = sorted(fielded.union(context))
        # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) does, byte for byte, in a tenth
        blob = orjson.dumps(record)
        # the terms of "title heading text" joined by spaces: no token spans a space
        exact = title_exact + heading_exact + body_exact
        return PreparedPassage(
            title,
            heading,
            " ".join(body),
            " ".join(exact),
            blob,
            passage.page_url or passage.url.split("#", 1)[0],
            passage.source,
            " ".join(sorted(set(context) - fielded)),
            "\n".join(f"{a.short}\t{a.long}\t{a.lang}" for a in acronyms_in(passage.text, passage.lang)),
        )


def _write_passages(passages: Iterable[Passage | PreparedPassage], folder: Path, analyzer: Analyzer, progress) -> dict:
    index = tantivy.Index(_schema(), path=str(folder), reuse=False)
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=WRITER_THREADS)
    digest = hashlib.sha256()
    pages: set[str] = set()
    unindexed: set[str] = set()
    acronyms: list[Acronym] = []
    n = 0
    prepare = PassagePreparer(analyzer)
    try:
        for passage in passages:
            entry = passage if isinstance(passage, PreparedPassage) else prepare(passage)
            doc = tantivy.Document()
            doc.add_text("title", entry.title)
            doc.add_text("heading", entry.heading)
            doc.add_text("body", entry.body)
            doc.add_text("exact", entry.exact)
            doc.add_bytes("passage", entry.blob)
            doc.add_text("source", entry.source)
            writer.add_document(doc)
            digest.update(len(entry.blob).to_bytes(8, "big"))
            digest.update(entry.blob)
            pages.add(entry.page)
            if entry.unindexed:
                unindexed.update(entry.unindexed.split(" "))
            if entry.acronyms:
                acronyms.extend(Acronym(*line.split("\t")) for line in entry.acronyms.split("\n"))
            n += 1
            if progress and n % 1000 == 0:
                progress(n)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        writer.wait_merging_threads()
        raise
    if progress:
        progress(n)
    index.reload()
    searcher = index.searcher()
    _write_vocabulary(searcher, folder / VOCAB_DIR)
    _write_unindexed(searcher, unindexed, folder / UNINDEXED)
    (folder / ACRONYMS).write_text(json.dumps(site_acronyms(acronyms), ensure_ascii=False), encoding="utf-8")
    return {"pages": len(pages), "passages": n, "content_hash": digest.hexdigest()}


def _write_unindexed(searcher: tantivy.Searcher, terms: set[str], file: Path) -> None:
    """The terms passages hold (and answers match) that no passage's title, heading or text has: those of
    the contexts alone, a page's description say. With them, an answer can tell that a question's word
    stands nowhere on the site without searching for it."""
    hidden = sorted(t for t in terms if not any(searcher.doc_freq(name, t) for name in _STORED_TERM_FIELDS))
    file.write_text("".join(f"{t}\n" for t in hidden), encoding="utf-8")


def _write_vocabulary(searcher: tantivy.Searcher, folder: Path) -> None:
    """A small index of the site's words, one document each, for fuzzy lookups."""
    folder.mkdir()
    vocab = tantivy.Index(_vocab_schema(), path=str(folder), reuse=False)
    writer = vocab.writer(heap_size=100_000_000, num_threads=1)
    for term, df in searcher.terms_with_prefix("exact", ""):
        if 4 <= len(term) <= MAX_WORD_LETTERS and term.isalpha():
            doc = tantivy.Document()
            doc.add_text("term", term)
            doc.add_text("tail", term[::-1])  # so that words ending alike are found by prefix
            doc.add_unsigned("df", df)
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


class IndexVocabulary(Vocabulary):
    """The words of an index, read from its term dictionaries when asked."""

    def __init__(
        self,
        searcher: tantivy.Searcher,
        words: tantivy.Index,
        acronyms: Callable[[], dict[str, list[str]]] | None = None,
    ) -> None:
        super().__init__()
        self._searcher = searcher
        self._read_acronyms = acronyms
        self._acronyms: dict[str, list[str]] | None = None
        # a question's words and their variants are looked up dozens of times per answer, and the same
        # words come back question after question; an opened index never changes
        self._doc_freqs: dict[str, int] = {}
        # the searcher is taken now: tantivy's own reader follows the folder, which may hold a newer index later
        self._fuzzy = (words.schema, words.searcher())
        # compounds by head and by first part, looked up for every German word and translation asked: the same
        # few thousand words come back question after question
        self._affixed: dict[tuple[str, str, int], list[str]] = {}

    def __len__(self) -> int:
        return self._fuzzy[1].num_docs

    def doc_freq(self, term: str) -> int:
        df = self._doc_freqs.get(term)
        if df is None:
            s = self._searcher
            df = max(s.doc_freq("body", term), s.doc_freq("exact", term))
            if len(self._doc_freqs) >= DOC_FREQS_KEPT:
                self._doc_freqs.clear()
            self._doc_freqs[term] = df
        return df

    def long_form(self, short: str) -> tuple[str, str] | None:
        found = self._acronyms
        if found is None:
            found = self._acronyms = self._read_acronyms() if self._read_acronyms else {}
        entry = found.get(fold(short))
        return (entry[0], entry[1]) if entry else None

    def ending_with(self, tail: str, limit: int = 20) -> list[str]:
        key = ("tail", tail, limit)
        found = self._affixed.get(key)
        if found is None:
            _, searcher = self._fuzzy
            found = [term[::-1] for term, _ in searcher.terms_with_prefix("tail", tail[::-1], limit=limit)]
            self._remember(key, found)
        return found

    def _remember(self, key: tuple[str, str, int], found: list[str]) -> None:
        if len(self._affixed) >= AFFIXED_KEPT:
            self._affixed.clear()
        self._affixed[key] = found

    def starting_with(self, head: str, limit: int = 20) -> list[str]:
        key = ("term", head, limit)
        found = self._affixed.get(key)
        if found is None:
            _, searcher = self._fuzzy
            found = [term for term, _ in searcher.terms_with_prefix("term", head, limit=limit)]
            self._remember(key, found)
        return found

    def candidates(self, word: str, distance: int) -> Iterable[str]:
        if len(word) > MAX_WORD_LETTERS:  # no word of the vocabulary is that long; the automaton would be huge
            return []
        schema, searcher = self._fuzzy
        for d in range(1, distance + 1):
            query = tantivy.Query.fuzzy_term_query(schema, "term", word, distance=d, transposition_cost_one=True)
            result = searcher.search(query, limit=50, count=False, order_by_field="df")
            found = [searcher.doc(addr)["term"][0] for _, addr in result.hits]
            if found:
                return found
        return []

    def suggest(self, word: str, limit: int = 2, distance: int | None = None, same_start: bool = False) -> list[str]:
        word = fold(word)
        max_distance = typo_distance(word) if distance is None else distance
        if not max_distance:
            return []
        scored = sorted(
            (damerau_levenshtein(word, term, max_distance), -self.doc_freq(term), term)
            for term in self.candidates(word, max_distance)
            if term != word and (not same_start or term[:1] == word[:1])
        )
        if not scored:
            return []
        return [t for d, _, t in scored if d == scored[0][0]][:limit]


class _VariantPlan(NamedTuple):
    """How one variant of a question word is searched: its clauses as ((field, term or phrase), the
    number of words its weight is shared among), and a phrase's words (left out when the question
    has them all itself)."""

    words: tuple[str, ...]
    clauses: tuple[tuple[tuple[str, str], int], ...]


class SearchIndex:
    """A built index opened for searching; cheap to open, safe to share."""

    def __init__(
        self, path: Path, manifest: dict, index: tantivy.Index, analyzer: Analyzer | None, words: tantivy.Index
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.analyzer = analyzer or Analyzer()
        self._index = index
        self._schema = index.schema
        self._searcher = index.searcher()
        self._vocabulary = IndexVocabulary(self._searcher, words, self._site_acronyms)
        self._word_doc_freqs_kept: dict[str, dict[str, int]] = {}  # see IndexVocabulary._doc_freqs
        self._passages_kept: dict[tuple[int, int], Passage] = {}  # decoded passages by document address
        self._plans_kept: dict[tuple[str, tuple[str, ...]], _VariantPlan] = {}  # see _plan
        self._clauses_kept: dict[tuple[str, str, float], tuple[tantivy.Occur, tantivy.Query]] = {}  # see _clause

    @classmethod
    def open(cls, path: Path | str, analyzer: Analyzer | None = None) -> SearchIndex:
        """Open an index built by :func:`build_index`, checking that it is whole and current.

        Checked: the manifest and the types of its fields, format and analyzer
        versions, and every file the manifest lists: its size and its sha256,
        streamed in blocks. Each file tantivy would read (meta.json, segment
        files) must be listed. The passages' index and the vocabulary are opened
        together, from the folder just checked.
        """
        path = Path(path)
        manifest = _read_manifest(path)
        wanted = (analyzer or Analyzer).version
        if manifest["analyzer"] != wanted:
            raise IndexLoadError(
                f"{path / MANIFEST}: built with text analysis version {manifest['analyzer']}, this program uses "
                f"version {wanted}; rebuild with `assistant index`"
            )
        if os.access(path, os.W_OK):
            verify_files(path, manifest)
            index, words, _ = _open_tantivy(path, manifest)
        else:  # read-only (a deployed package): checked where it is, opened through a folder tantivy may lock
            verify_files(path, manifest)
            index, words = _open_pair(_lock_room(path, manifest))
        return cls(path, manifest, index, analyzer, words)

    def __len__(self) -> int:
        return self._searcher.num_docs

    def vocabulary(self) -> IndexVocabulary:
        """The index's words, for typo correction and compound splitting."""
        return self._vocabulary

    def parse(self, question: str, lang: str | None = None) -> ParsedQuery:
        """Parse a question against this index's vocabulary."""
        return self.analyzer.parse_question(question, lang, self.vocabulary())

    def query(
        self,
        parsed: ParsedQuery,
        fields: Iterable[str] | None = None,
    ) -> tantivy.Query:
        """One flat OR of boosted term (and glossary phrase) queries.

        Flat, because tantivy prunes a flat disjunction of term queries with
        block-max WAND, while nesting (one group per question word) is several
        times slower. Scores therefore add up over a word's variants; glossary
        and typo variants weigh less than the word as typed, so the word itself
        still wins. Terms absent from a field are left out. Which fields a variant is searched in, and
        each clause, are kept for the questions that follow (see :meth:`_plan` and :meth:`_clause`).
        """
        names = tuple(fields) if fields else _FIELD_NAMES
        own = {v for term in parsed.terms for v, w in term.variants.items() if w >= 1.0}
        wanted: dict[tuple[str, str], float] = {}  # (field, variant) -> weight; a variant counts once
        for term in parsed.terms:
            for variant, weight in term.variants.items():
                if weight <= 0 or not variant:
                    continue
                plan = self._plan(variant, names)
                if plan.words and all(w in own for w in plan.words):
                    continue  # the question has the phrase's words itself
                for key, parts in plan.clauses:
                    share = weight / parts
                    if share > wanted.get(key, 0.0):
                        wanted[key] = share
        clauses = [self._clause(name, variant, weight) for (name, variant), weight in wanted.items()]
        if not clauses:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query(clauses)

    def _plan(self, variant: str, names: tuple[str, ...]) -> _VariantPlan:
        """Which fields a variant is searched in, and as what, kept per opened index: it depends on the
        variant and the index alone, and a question's words and their variants come back question
        after question (working it out again was most of the time spent building a query)."""
        key = (variant, names)
        plan = self._plans_kept.get(key)
        if plan is not None:
            return plan
        if " " not in variant:  # one word: most variants
            dfs = self._word_doc_freqs(variant)
            plan = _VariantPlan((), tuple(((name, variant), 1) for name in names if dfs[name]))
        else:
            words = variant.split()
            several = len(words) > 1
            per_word = [self._word_doc_freqs(w) for w in words]
            clauses: list[tuple[tuple[str, str], int]] = []
            for name in names if words else ():
                if several and name == "exact":
                    continue
                counts = [d[name] for d in per_word]
                if not all(counts):
                    continue
                if several and min(counts) > PHRASE_MAX_DF_SHARE * self._searcher.num_docs:
                    # a phrase of common words costs a long intersection: take it as a bag
                    clauses.extend(((name, w), len(words)) for w in words)
                    continue
                clauses.append(((name, variant), 1))
            plan = _VariantPlan(tuple(words) if several else (), tuple(clauses))
        if len(self._plans_kept) >= PLANS_KEPT:
            self._plans_kept.clear()
        self._plans_kept[key] = plan
        return plan

    def _clause(self, name: str, variant: str, weight: float) -> tuple[tantivy.Occur, tantivy.Query]:
        """One boosted clause of :meth:`query`, made once per opened index: tantivy's queries do not
        change, and a long question's hundreds of clauses cost as much to make as to search."""
        key = (name, variant, weight)
        clause = self._clauses_kept.get(key)
        if clause is None:
            words = variant.split()
            if len(words) == 1:
                q = tantivy.Query.term_query(self._schema, name, variant, index_option="freq")
            else:
                q = tantivy.Query.phrase_query(self._schema, name, list[str | tuple[int, str]](words), slop=PHRASE_SLOP)
            clause = (tantivy.Occur.Should, tantivy.Query.boost_query(q, FIELD_BOOSTS[name] * weight))
            if len(self._clauses_kept) >= PLANS_KEPT:
                self._clauses_kept.clear()
            self._clauses_kept[key] = clause
        return clause

    def may_hold(self, term: str) -> bool:
        """Whether some passage's stored terms (those of its title, heading, text and context, which
        answers match) may hold ``term``; an index built before the context's own terms were listed
        may hold any."""
        unindexed = self._unindexed_terms
        if unindexed is None:
            return True
        dfs = self._word_doc_freqs(term)
        return any(dfs[name] for name in _STORED_TERM_FIELDS) or term in unindexed

    @cached_property
    def _unindexed_terms(self) -> frozenset[str] | None:
        """The terms of :data:`UNINDEXED`, read on first use (the file was checked when the index was
        opened); None where the index has none, or it can no longer be read: then any term may stand."""
        if UNINDEXED not in self.manifest["files"]:
            return None
        try:
            return frozenset((self.path / UNINDEXED).read_text(encoding="utf-8").split())
        except (OSError, UnicodeDecodeError):
            return None

    def _site_acronyms(self) -> dict[str, list[str]]:
        """The acronyms the site spells out (:data:`ACRONYMS`), read when a question first has one; none for an
        index built before they were listed, or whose file can no longer be read."""
        if ACRONYMS not in self.manifest["files"]:
            return {}
        try:
            table = json.loads((self.path / ACRONYMS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(table, dict):
            return {}
        return {
            k: v for k, v in table.items() if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
        }

    def _word_doc_freqs(self, word: str) -> dict[str, int]:
        """A word's document frequency in each field, looked up once per opened index (some 50 per question)."""
        known = self._word_doc_freqs_kept
        dfs = known.get(word)
        if dfs is None:
            dfs = {name: self._searcher.doc_freq(name, word) for name in _FIELD_NAMES}
            if len(known) >= DOC_FREQS_KEPT // len(_FIELD_NAMES):
                known.clear()
            known[word] = dfs
        return dfs

    def search(
        self,
        query: ParsedQuery,
        limit: int = 10,
        fields: Iterable[str] | None = None,
        fetched: dict[tuple[int, int], Passage] | None = None,
        excluding: Iterable[str] = (),
        new: int | None = None,
    ) -> list[tuple[Passage, float]]:
        """Best passages for a parsed question, highest BM25 score first.

        Searches of one question may share ``fetched`` (passages by document address), so a passage both
        find is read and decoded once; with ``new``, only the first ``new`` passages not in ``fetched``
        are read and returned (the others are what an earlier search found). Passages of the source
        files in ``excluding`` are left out.
        """
        if not query.terms or limit <= 0:
            return []
        search = self.query(query, fields)
        left_out = [
            (tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "source", source)) for source in excluding
        ]
        if left_out:
            search = tantivy.Query.boolean_query([(tantivy.Occur.Must, search), *left_out])
        result = self._searcher.search(search, limit=limit, count=False)
        seen = {} if fetched is None else fetched
        out = []
        for score, address in result.hits:
            key = (address.segment_ord, address.doc)
            passage = seen.get(key)
            if passage is None:
                passage = seen[key] = self._passage_at(key, address)
            elif new is not None:
                continue
            out.append((passage, float(score)))
            if new is not None and len(out) >= new:
                break
        return out

    def _passage_at(self, key: tuple[int, int], address: tantivy.DocAddress) -> Passage:
        """The passage stored at an address, read and decoded once while it is asked for often: the same
        passages come back for question after question (a site's pages on its main topics), and reading
        and decoding them was a third of the time spent around tantivy's search."""
        kept = self._passages_kept
        passage = kept.get(key)
        if passage is None:
            passage = self._decode(self._searcher.doc(address)["passage"][0])
            if len(kept) >= PASSAGES_KEPT:
                kept.clear()
            kept[key] = passage
        return passage

    @staticmethod
    def _decode(blob: bytes) -> Passage:
        record = orjson.loads(blob)  # a third of json's time: some 50 passages are read per answer
        try:
            return Passage(**record)
        except TypeError:  # a field this program no longer has
            return Passage(**{k: record[k] for k in _PASSAGE_FIELDS if k in record})

    def passages(self) -> Iterator[Passage]:
        """Every passage of the index (for reports over the whole site, not for answering)."""
        found = self._searcher.search(tantivy.Query.all_query(), limit=max(1, len(self)), count=False)
        for _, address in found.hits:
            record = orjson.loads(self._searcher.doc(address)["passage"][0])
            yield Passage(**{k: record.get(k) for k in _PASSAGE_FIELDS if k in record})

    def stats(self) -> dict:
        """What the index holds and how it was built."""
        m = self.manifest
        return {
            "pages": m["counts"]["pages"],
            "passages": m["counts"]["passages"],
            "built_at": m["built_at"],
            "build_seconds": m.get("build_seconds"),
            "content_hash": m["content_hash"],
            "format": m["format"],
            "analyzer": m["analyzer"],
            "meta": m.get("meta", {}),
            "size_bytes": sum(f["size"] for f in m["files"].values()),
        }


def _read_manifest(path: Path) -> dict:
    file = path / MANIFEST
    if not path.is_dir():
        raise IndexLoadError(f"{path}: no index here; build one with `assistant index`")
    if not file.is_file():
        if any(p for p in path.iterdir() if p.name not in _LOCK_FILES):
            raise IndexLoadError(
                f"{file}: missing, so {path} is not an index built by this program; rebuild with `assistant index`"
            )
        raise IndexLoadError(f"{file}: missing (empty folder); build the index with `assistant index`")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise IndexLoadError(f"{file}: unreadable ({exc}); rebuild with `assistant index`") from exc
    if not isinstance(manifest, dict) or manifest.get("kind") != MARKER:
        raise IndexLoadError(f"{file}: not a manifest written by this program; rebuild with `assistant index`")
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexLoadError(
            f"{file}: index format {manifest.get('format')}, this program reads format {FORMAT_VERSION}; "
            "rebuild with `assistant index`"
        )
    for key in ("analyzer", "files", "counts", "built_at", "content_hash"):
        if key not in manifest:
            raise IndexLoadError(f"{file}: lacks {key!r}; rebuild with `assistant index`")
    _check_types(file, manifest)
    return manifest


def _check_types(file: Path, manifest: dict) -> None:
    """Every field the server reads has the type build_index writes: a hand-edited or foreign
    manifest is refused with its field named, never met later as a traceback."""

    def refuse(what: str) -> IndexLoadError:
        return IndexLoadError(f"{file}: {what}; rebuild with `assistant index`")

    if not isinstance(manifest["analyzer"], str):
        raise refuse(f"'analyzer' is {manifest['analyzer']!r}, not a text analysis version (a string)")
    for key in ("built_at", "content_hash"):
        if not isinstance(manifest[key], str):
            raise refuse(f"{key!r} is {manifest[key]!r}, not a string")
    counts = manifest["counts"]
    if not isinstance(counts, dict) or not all(_is_count(counts.get(k)) for k in ("pages", "passages")):
        raise refuse(f"'counts' is {_short(counts)}, not an object with numbers of 'pages' and 'passages'")
    if not isinstance(manifest.get("meta", {}), dict):
        raise refuse(f"'meta' is {_short(manifest['meta'])}, not an object")
    if manifest.get("build_seconds") is not None and not isinstance(manifest["build_seconds"], (int, float)):
        raise refuse(f"'build_seconds' is {_short(manifest['build_seconds'])}, not a number")
    files = manifest["files"]
    if not isinstance(files, dict) or not files:
        raise refuse(f"'files' is {_short(files)}, not the table of the index's files with their sizes and checksums")
    for name, info in files.items():
        if not _inside(name):
            raise refuse(f"'files' names {name!r}, which is not a file inside the index folder")
        if not (
            isinstance(info, dict)
            and _is_count(info.get("size"))
            and isinstance(info.get("sha256"), str)
            and _SHA256.fullmatch(info["sha256"])
        ):
            raise refuse(f"'files' gives {name!r} {_short(info)}, not a size and a sha256")
    for name in REQUIRED_FILES:
        if name not in files:
            raise refuse(f"'files' lacks {name!r}, so the index cannot be checked")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _inside(name: object) -> bool:
    """A relative path of plain names: no `..`, no root, no backslash, nothing for the folder to escape by."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return False
    parts = PurePosixPath(name).parts
    return (
        not PurePosixPath(name).is_absolute() and all(p not in (".", "..") for p in parts) and "/".join(parts) == name
    )


def verify_files(path: Path, manifest: dict) -> None:
    """Check every file the manifest lists against its size and sha256, and that tantivy reads no file
    it does not list. Files are streamed in blocks; the cost is reading the index once (docs/hardening.md)."""
    files = manifest["files"]
    root = path.resolve()
    for folder in (path, path / VOCAB_DIR):
        try:
            names = sorted(entry.name for entry in os.scandir(folder) if entry.is_file())
        except OSError:
            continue  # a missing vocab/ is named below, by its meta.json
        for name in names:
            rel = name if folder == path else f"{VOCAB_DIR}/{name}"
            if _TANTIVY_FILE.fullmatch(name) and rel not in files:
                raise IndexLoadError(
                    f"{folder / name}: not listed in {path / MANIFEST} (a file from another index?); "
                    "rebuild with `assistant index`"
                )
    for name, info in files.items():
        file = path / name
        try:
            if not file.resolve().is_relative_to(root):
                raise IndexLoadError(f"{file}: leads outside {path}; rebuild with `assistant index`")
            size = file.stat().st_size
        except OSError:
            raise IndexLoadError(f"{file}: missing from the index; rebuild with `assistant index`") from None
        if size != info["size"]:
            raise IndexLoadError(
                f"{file}: {size} bytes, expected {info['size']} (truncated or changed); rebuild with `assistant index`"
            )
    stamp = _stamp_file(path, manifest)
    seen = _file_states(path, files)
    if _stamp_holds(stamp, seen):
        return  # checked before, and no file has been written, replaced or touched since
    names = sorted(files, key=lambda n: -files[n]["size"])
    if sum(files[n]["size"] for n in names) < HASHED_SIDE_BY_SIDE_FROM:
        # a small index (a Lambda package's) is hashed sooner than a thread pool is imported and started
        digests = {name: _digest_or_error(path / name) for name in names}
    else:
        from concurrent.futures import ThreadPoolExecutor  # here: an index checked before needs no threads

        # hashlib lets go of the GIL while it hashes: the segments' files are hashed side by side, largest first
        with ThreadPoolExecutor(max_workers=max(1, min(len(names), os.cpu_count() or 1, 8))) as pool:
            digests = dict(zip(names, pool.map(lambda n: _digest_or_error(path / n), names), strict=True))
    for name in sorted(files):
        file, digest = path / name, digests[name]
        if isinstance(digest, OSError):
            raise IndexLoadError(f"{file}: unreadable ({digest}); rebuild with `assistant index`")
        if digest != files[name]["sha256"]:
            raise IndexLoadError(f"{file}: checksum mismatch (corrupt); rebuild with `assistant index`")
    _write_stamp(stamp, seen)


# A verified index leaves a stamp in the temporary folder: each file's device, inode, size and
# modification and change times as they were when its checksum matched. A later open that finds
# them all the same skips the hash: a write, a replacement or a touch changes the change time,
# which no user can set back. The stamp counts only if this user wrote it and nobody else may.


def _file_states(path: Path, files: dict) -> dict[str, list[int]]:
    states = {}
    for name in files:
        st = (path / name).stat()
        states[name] = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    return states


def _stamp_file(path: Path, manifest: dict) -> Path:
    key = json.dumps([str(path.resolve()), manifest], sort_keys=True).encode()
    return Path(tempfile.gettempdir()) / f"assistant-verified-{os.getuid()}-{hashlib.sha256(key).hexdigest()[:24]}"


def _stamp_holds(stamp: Path, states: dict[str, list[int]]) -> bool:
    try:
        st = stamp.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
        return json.loads(stamp.read_text(encoding="utf-8")) == states
    except (OSError, ValueError):
        return False


def _write_stamp(stamp: Path, states: dict[str, list[int]]) -> None:
    """Best effort: without a stamp the next open hashes again."""
    try:
        fd, name = tempfile.mkstemp(prefix=stamp.name + ".", dir=stamp.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(states, out)
        os.replace(name, stamp)
    except OSError:
        Path(name).unlink(missing_ok=True)


def _digest_or_error(file: Path) -> str | OSError:
    try:
        return _sha256(file)
    except OSError as exc:
        return exc


def _read_only(exc: BaseException) -> bool:
    """tantivy reports a lock file it cannot create as ValueError("... Read-only file system ..."),
    or OSError; either way the folder is read-only for this process."""
    text = str(exc).lower()
    return isinstance(exc, (OSError, ValueError)) and any(
        sign in text for sign in ("read-only", "readonlyfilesystem", "permission denied", "permissiondenied")
    )


def _open_pair(folder: Path) -> tuple[tantivy.Index, tantivy.Index]:
    return tantivy.Index.open(str(folder)), tantivy.Index.open(str(folder / VOCAB_DIR))


def _open_tantivy(path: Path, manifest: dict) -> tuple[tantivy.Index, tantivy.Index, Path]:
    """The passages' index and the vocabulary, opened together, and the folder they were opened from.

    tantivy takes a lock file even to read, so an index on read-only media (a deployed
    package, a read-only mount) is opened through a folder of links to its files in the
    temporary folder (`_lock_room`).
    """
    try:
        return (*_open_pair(path), path)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # an error, or a Rust panic (pyo3's PanicException is a BaseException)
        if not _read_only(exc):
            raise _engine_refused(path, exc) from exc
    room = _lock_room(path, manifest)
    try:
        return (*_open_pair(room), room)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        raise _engine_refused(room, exc) from exc


def _engine_refused(path: Path, exc: BaseException) -> IndexLoadError:
    return IndexLoadError(
        f"{path / 'meta.json'}: tantivy cannot open the index ({exc}); rebuild with `assistant index`"
    )


def _lock_room(path: Path, manifest: dict) -> Path:
    """A folder of this user's holding a link to each of the index's files, where tantivy may put its lock file.

    The files stay where they are (read once, by the check before), so a read-only index costs a few
    links instead of a copy of itself; the folder is named after this user and the manifest's checksum,
    and one left by an earlier process is used when every link in it still leads where it should.
    """
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    tmp = Path(tempfile.gettempdir())
    room = tmp / f"assistant-index-{os.getuid()}-{digest}"
    origin = path.resolve()
    if _own_folder(room) and _own_folder(room / VOCAB_DIR) and _links_hold(room, origin, manifest):
        return room
    staging = Path(tempfile.mkdtemp(prefix="assistant-index-", dir=tmp))
    try:
        (staging / VOCAB_DIR).mkdir(mode=0o700)
        for name in manifest["files"]:
            os.symlink(origin / name, staging / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        if room.is_symlink() or room.is_file():
            room.unlink()
        elif room.exists():
            shutil.rmtree(room)
        os.replace(staging, room)
    except OSError:  # another process made it meanwhile, or it is not ours to replace: use this one
        return staging
    return room


def _links_hold(room: Path, origin: Path, manifest: dict) -> bool:
    """Every file of the manifest linked in `room` to the same name in `origin`, and nothing else tantivy reads."""
    files = manifest["files"]
    seen: set[str] = set()
    try:
        for folder, prefix in ((room, ""), (room / VOCAB_DIR, f"{VOCAB_DIR}/")):
            for entry in os.scandir(folder):
                name = prefix + entry.name
                if entry.name in _LOCK_FILES or (not prefix and entry.name == VOCAB_DIR):
                    continue
                if name not in files or not entry.is_symlink() or os.readlink(entry.path) != str(origin / name):
                    return False
                seen.add(name)
    except OSError:
        return False
    return seen == files.keys()


def _own_folder(folder: Path) -> bool:
    """A folder that this user owns and that nobody else may write to."""
    try:
        st = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022
