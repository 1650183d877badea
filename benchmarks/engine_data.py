"""The passages and tokens the engine indexes, handed to the other BM25 libraries.

So the comparison is like for like: bm25s and rank-bm25 rank the very
passages the assistant indexed, tokenized by the assistant's own Analyzer.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from assistant.analysis import Analyzer, detect_language
from assistant.documents import Passage


@lru_cache(maxsize=1)
def _analyzer() -> Analyzer:
    return Analyzer()


def query_tokens(question: str) -> list[str]:
    """A question's index terms, as the alternatives receive it."""
    return _analyzer().index_terms(question, detect_language(question))


def passage_tokens(analyzer: Analyzer, passage: Passage) -> list[str]:
    """What a passage contributes to an index: its title, heading and text."""
    return analyzer.index_terms(f"{passage.title}\n{passage.heading}\n{passage.text}", passage.lang)


def all_passages(assistant) -> list[Passage]:
    """Every passage in an opened index, read back from the records it stores."""
    import tantivy

    index = assistant.index
    searcher = index._searcher
    hits = searcher.search(tantivy.Query.all_query(), limit=max(1, len(index)), count=False).hits
    fields = set(Passage.__dataclass_fields__)
    out = []
    for _, address in sorted(hits, key=lambda h: (h[1].segment_ord, h[1].doc)):
        record = json.loads(bytes(searcher.doc(address)["passage"][0]))
        out.append(Passage(**{k: v for k, v in record.items() if k in fields}))
    return out


def rebuild_passages(site_root: Path | None) -> list[Passage]:
    from assistant.passages import passages_from_document
    from assistant.render import render_site
    from assistant.site import load_site

    if site_root is None:
        raise RuntimeError("the index keeps neither its passages nor the site it came from")
    documents, _ = render_site(load_site(site_root))
    return [p for doc in documents for p in passages_from_document(doc)]


def _path(url: str) -> str:
    """URL reduced the way the evaluation compares pages: path only, no .html, index.html or slash."""
    path = unquote(re.sub(r"^[a-z]+://[^/]+", "", url).split("#")[0].split("?")[0])
    path = re.sub(r"(/index)?\.html$", "", path).rstrip("/")
    return path or "/"


def same_page(url: str, expected: str) -> bool:
    return _path(url) == _path(expected)


class PlainTantivy:
    """The engine floor: the same index folder opened with tantivy alone, asked a flat OR of a
    question's terms over the passage text, the top hits fetched with their stored documents."""

    def __init__(self, index_dir: Path | str) -> None:
        import tantivy

        self._tantivy = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(self, tokens: list[str], k: int) -> list[bytes]:
        tv = self._tantivy
        clauses = [(tv.Occur.Should, tv.Query.term_query(self.schema, "body", t)) for t in dict.fromkeys(tokens)]
        if not clauses:
            return []
        hits = self.searcher.search(tv.Query.boolean_query(clauses), limit=k, count=False).hits
        return [self.searcher.doc(address)["passage"][0] for _, address in hits]
