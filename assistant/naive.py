"""The naive baseline: BM25Okapi over the raw source paragraphs of a site.

No Jekyll rendering, no analyzer, no quoting rules: every text file of the site folder is split
on blank lines and each piece is a "document" for `rank_bm25.BM25Okapi`. It is kept so the real
engine can be compared with what the obvious approach gives on the same questions.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rank_bm25 import BM25Okapi

from .site_files import SiteFolder

SUFFIXES = (".md", ".markdown", ".html", ".yml", ".yaml", ".bib")
_TOKEN = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.M)
_GERMAN = {
    "wer",
    "was",
    "wo",
    "wann",
    "wie",
    "welche",
    "welcher",
    "welches",
    "der",
    "die",
    "das",
    "und",
    "ist",
    "sind",
    "hat",
    "gibt",
    "leitet",
    "für",
    "mit",
    "von",
    "im",
    "zu",
    "den",
    "des",
    "ein",
    "eine",
}


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, the way a first attempt at search does it."""
    return _TOKEN.findall(text.lower())


def guess_lang(text: str) -> str:
    words = set(tokenize(text))
    return "de" if words & _GERMAN or re.search(r"[äöüß]", text.lower()) else "en"


def _kind(rel: str) -> str:
    if rel.endswith(".bib"):
        return "publication"
    if rel.endswith((".yml", ".yaml")):
        return "data"
    if "/_posts/" in f"/{rel}":
        return "post"
    return "page"


def _site_url(root: Path) -> str:
    """The site's public address from _config.yml, else CNAME, else nothing."""
    folder = SiteFolder(root)
    if folder.is_file("_config.yml"):
        try:
            url = (yaml.safe_load(folder.read_text("_config.yml")) or {}).get("url")
        except yaml.YAMLError:
            url = None
        if url:
            return str(url).rstrip("/")
    if folder.is_file("CNAME") and folder.read_text("CNAME").strip():
        return "https://" + folder.read_text("CNAME").strip()
    return ""


class NaiveIndex:
    """Raw paragraphs and the BM25Okapi model built over them."""

    def __init__(self, paragraphs: list[dict], base_url: str = "") -> None:
        self.paragraphs = paragraphs
        self.base_url = base_url
        self.bm25 = BM25Okapi([tokenize(p["text"]) for p in paragraphs]) if paragraphs else None

    @classmethod
    def build(cls, site_root: Path | str, base_url: str | None = None) -> NaiveIndex:
        root = Path(site_root)
        if not root.is_dir():
            raise FileNotFoundError(f"{root}: not a site folder")
        base = (base_url if base_url is not None else _site_url(root)).rstrip("/")
        paragraphs = []
        folder = SiteFolder(root)
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or path.suffix not in SUFFIXES or rel.startswith((".", "_site/")):
                continue
            if not folder.inside(path):  # a link to a file outside the site
                continue
            text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
            title_match = _TITLE.search(text)
            title = title_match.group(1) if title_match else path.stem
            url = f"{base}/{rel[: -len(path.suffix)] + '.html' if path.suffix in ('.md', '.markdown') else rel}"
            offset = 0
            for piece in _BLANK_LINES.split(text):
                start = text.index(piece, offset)
                offset = start + len(piece)
                if tokenize(piece):
                    paragraphs.append(
                        {
                            "text": piece.strip(),
                            "path": rel,
                            "url": url,
                            "title": title,
                            "kind": _kind(rel),
                            "line": text.count("\n", 0, start) + 1,
                        }
                    )
        return cls(paragraphs, base)

    def search(self, question: str, limit: int = 5) -> list[tuple[dict, float]]:
        """The best-scoring paragraphs, best first, whatever their score."""
        if self.bm25 is None:
            return []
        scores = self.bm25.get_scores(tokenize(question))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:limit]
        return [(self.paragraphs[i], float(scores[i])) for i in order]

    def answer_json(self, question: str, history: list[str] | None = None) -> dict:
        """The HTTP answer: top paragraphs as quotes; abstains only when nothing scores above zero.

        The history is accepted and ignored, as a naive service would.
        """
        terms = set(tokenize(question))
        passages = []
        for paragraph, score in self.search(question):
            if score <= 0:
                continue
            text = paragraph["text"]
            highlights = [[m.start(), m.end()] for m in _TOKEN.finditer(text) if m.group().lower() in terms]
            passages.append(
                {
                    "quote": text,
                    "highlights": highlights,
                    "title": paragraph["title"],
                    "heading": "",
                    "url": paragraph["url"],
                    "path": paragraph["path"],
                    "line": paragraph["line"],
                    "score": round(score, 4),
                    "kind": paragraph["kind"],
                }
            )
        abstained = not passages
        return {
            "question": question,
            "lang": guess_lang(question),
            "abstained": abstained,
            "answer": "No paragraph of the site matches the question."
            if abstained
            else "These paragraphs of the site match the question best:",
            "passages": passages,
        }
