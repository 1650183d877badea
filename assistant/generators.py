"""Pages that Jekyll's generator plugins add to a site, made as the plugins make them.

Jekyll runs generators after reading the site and before rendering it. The
ones research sites use most are known here: ``jekyll-paginate`` and
``jekyll-paginate-v2`` (listing pages ``/page2/``, ``/blog/page/2/``). A
generator plugin named in ``_config.yml`` that is not known here is reported
(:func:`unknown_generators`), so a site's editors know which published pages
the index lacks.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

from .site import Site, SourceFile, _clean_url

__all__ = ["Pager", "generate", "unknown_generators", "plugins"]

# Plugins that add pages of their own; the ones that only add tags, filters or files that are
# not HTML pages (feeds, sitemaps) need no generator here.
GENERATOR_PLUGINS = frozenset(
    {
        "jekyll-paginate",
        "jekyll-paginate-v2",
        "jekyll-archives",
        "jekyll-archives-v2",
        "jekyll-redirect-from",
        "jekyll-datapage-generator",
        "jekyll-datapage_gen",
        "jekyll-scholar",
        "jekyll/scholar",
        "jekyll-tagging",
        "jekyll-category-pages",
        "jekyll-polyglot",
        "jekyll-multiple-languages-plugin",
        "jekyll-jupyter-notebook",
    }
)
KNOWN = frozenset({"jekyll-paginate", "jekyll-paginate-v2"})


@dataclass
class Pager:
    """Which slice of the posts one listing page shows (Liquid's ``paginator``)."""

    page: int
    per_page: int
    total_pages: int
    paths: list[str]  # the URL of every listing page, first one first
    collection: str = "posts"
    v2: bool = False
    sort_field: str = "date"  # v2 sorts its list, oldest first unless sort_reverse
    sort_reverse: bool = False


def plugins(config: dict) -> list[str]:
    names = []
    for key in ("plugins", "gems"):
        value = config.get(key)
        if isinstance(value, list):
            names += [str(v) for v in value]
    return names


def unknown_generators(site: Site) -> list[str]:
    """Generator plugins the site names whose pages are not made here."""
    named = plugins(site.config)
    found = [p for p in named if p in GENERATOR_PLUGINS and p not in KNOWN]
    if site.config.get("page_gen") and not any("datapage" in p for p in found):
        found.append("jekyll-datapage-generator (page_gen)")
    return found


def generate(site: Site) -> None:
    """Add the pages of the generator plugins known here to ``site.pages``."""
    named = plugins(site.config)
    if "jekyll-paginate" in named and site.config.get("paginate"):
        _paginate_v1(site)
    pagination = site.config.get("pagination")
    if "jekyll-paginate-v2" in named and isinstance(pagination, dict) and pagination.get("enabled"):
        _paginate_v2(site, pagination)


def _count(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _visible_posts(site: Site) -> int:
    return sum(1 for post in site.posts if not post.front_matter.get("hidden"))


def _paginate_v1(site: Site) -> None:
    """jekyll-paginate: the ``index.html`` nearest ``paginate_path`` lists the posts, ``paginate`` a page."""
    per_page = _count(site.config.get("paginate"), 10)
    path = "/" + str(site.config.get("paginate_path") or "/page:num/").strip("/")
    if ":num" not in path:
        return
    folder = os.path.dirname(path).strip("/")

    def above_the_listing(page: SourceFile) -> bool:  # in the listing's folder or one of its parents
        where = os.path.dirname(page.path)
        return not where or where == folder or folder.startswith(where + "/")

    candidates = [p for p in site.pages if os.path.basename(p.path) == "index.html" and above_the_listing(p)]
    if not candidates:
        return
    template = max(candidates, key=lambda p: len(p.path))
    total = max(1, math.ceil(_visible_posts(site) / per_page))
    paths = [template.url] + [_clean_url(path.replace(":num", str(n)).strip("/") + "/") for n in range(2, total + 1)]
    _add_pages(site, template, Pager(1, per_page, total, paths))


def _paginate_v2(site: Site, defaults: dict) -> None:
    """jekyll-paginate-v2: each page whose front matter enables ``pagination`` lists a collection."""
    for template in [p for p in site.pages if isinstance(p.front_matter.get("pagination"), dict)]:
        options = {**defaults, **template.front_matter["pagination"]}
        if not options.get("enabled"):
            continue
        per_page = _count(options.get("per_page"), 10)
        collection = str(options.get("collection") or "posts")
        docs = site.posts if collection == "posts" else site.collections.get(collection, [])
        total = max(1, math.ceil(len(docs) / per_page))
        permalink = str(options.get("permalink") or "/page/:num/")
        base = template.url if template.url.endswith("/") else template.url.rsplit("/", 1)[0] + "/"
        paths = [template.url] + [
            _clean_url((base + permalink.replace(":num", str(n))).strip("/") + ("/" if permalink.endswith("/") else ""))
            for n in range(2, total + 1)
        ]
        pager = Pager(1, per_page, total, paths, collection, True, str(options.get("sort_field") or "date"))
        pager.sort_reverse = bool(options.get("sort_reverse"))
        _add_pages(site, template, pager)


def _add_pages(site: Site, template: SourceFile, pager: Pager) -> None:
    template.pager = pager
    at = site.pages.index(template) + 1
    for n in range(2, pager.total_pages + 1):
        page = replace(template, url=pager.paths[n - 1], pager=replace(pager, page=n))
        page.front_matter = dict(template.front_matter)
        site.pages.insert(at, page)
        at += 1
