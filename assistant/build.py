"""Site folder -> index folder: the indexing pipeline end to end.

Loading, rendering and cutting into passages are imported here, not at the
top of the serving modules, so a server that only opens an index never loads
Liquid, Markdown or BibTeX code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .documents import Problem


@dataclass
class BuildReport:
    manifest: dict
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0


def index_site(site_root: Path | str, out_dir: Path | str, url: str | None = None, *,
               workers: int | None = None, glossaries: list[Path] | tuple = (),
               progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
    """Render every page of a Jekyll site as it is published and index its passages."""
    from .analysis import Analyzer
    from .passages import passages_from_document
    from .render import render_site
    from .search_index import build_index
    from .site import load_site

    started = time.perf_counter()
    site = load_site(site_root, url=url)
    documents, problems = render_site(site)
    problems = list(site.problems) + [p for p in problems if p not in site.problems]
    passages = []
    for n, doc in enumerate(documents, 1):
        try:
            passages.extend(passages_from_document(doc))
        except Exception as err:  # one odd page must not stop the site
            problems.append(Problem(doc.source, f"could not cut into passages: {err}"))
        if progress:
            progress("passages", n, len(documents))
    analyzer = Analyzer(extra_glossaries=list(glossaries))
    meta = {"site_url": site.base_url, "source": str(Path(site_root).resolve()), "documents": len(documents)}
    total = len(passages)
    manifest = build_index(passages, out_dir, analyzer, meta=meta,
                           progress=(lambda n: progress("index", n, total)) if progress else None)
    return BuildReport(manifest, problems, len(documents), total, time.perf_counter() - started)
