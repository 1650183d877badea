"""Pages that Jekyll's generator plugins add to a site, made as the plugins make them.

Jekyll runs generators after reading the site and before rendering it. The
ones research sites use most are known here: ``jekyll-paginate`` and
``jekyll-paginate-v2`` (listing pages ``/page2/``, ``/blog/page/2/``), and the data
page generator (``page_gen:``), which makes a page per record of a data file, such as
a profile page per person of ``_data/team.yml``, whether the site names the gem or
carries the plugin in ``_plugins``. A
generator plugin named in ``_config.yml`` that is not known here is reported
(:func:`unknown_generators`), so a site's editors know which published pages
the index lacks.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass, replace

from .documents import Problem
from .site import Site, SourceFile, _clean_url, _page_url, _read_text, _split, config_folder, head_of, plugins

__all__ = ["Pager", "generate", "unknown_generators"]

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
KNOWN = frozenset({"jekyll-paginate", "jekyll-paginate-v2", "jekyll-datapage-generator", "jekyll-datapage_gen"})


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


def unknown_generators(site: Site) -> list[str]:
    """Generator plugins the site names whose pages are not made here."""
    named = plugins(site.config)
    return [p for p in named if p in GENERATOR_PLUGINS and p not in KNOWN]


def generate(site: Site) -> None:
    """Add the pages of the generator plugins known here to ``site.pages``."""
    named = plugins(site.config)
    if "jekyll-paginate" in named and site.config.get("paginate"):
        _paginate_v1(site)
    pagination = site.config.get("pagination")
    if "jekyll-paginate-v2" in named and isinstance(pagination, dict) and pagination.get("enabled"):
        _paginate_v2(site, pagination)
    if isinstance(site.config.get("page_gen"), list):
        _data_pages(site)


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


# -- the data page generator (jekyll-datapage_gen) -------------------------------------------


def datapage_name(value: object) -> str:
    """A record's file name as the generator makes it: accents dropped, lower case, "-" for spaces.

    Only ASCII letters, digits, "_", "." and "-" stay (Ruby's ``\\w`` is ASCII).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = unicodedata.normalize("NFKD", "" if value is None else str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().strip().replace(" ", "-")
    return re.sub(r"[^A-Za-z0-9_.-]", "", text)


# ``record['field'] == 'value'`` (or !=): the one form of a Ruby filter condition read here
_CONDITION = re.compile(r"""\s*record\[\s*(['"])(\w+)\1\s*\]\s*(==|!=)\s*(['"])(.*?)\4\s*""")


def _data_records(site: Site, spec: dict) -> list | None:
    records: object = site.data
    for level in str(spec.get("data") or "").split("."):
        records = records.get(level) if isinstance(records, dict) else None
    if isinstance(records, dict):
        records = list(records.values())
    if not isinstance(records, list):
        return None
    records = [r for r in records if isinstance(r, dict)]
    if spec.get("filter"):
        records = [r for r in records if r.get(str(spec["filter"])) not in (None, False)]
    return records


def _data_pages(site: Site) -> None:
    """``page_gen:``: one page per record, its body and front matter the template layout's, its
    fields merged into ``page``, published at ``dir/name.html`` (``dir/name/`` with index files)."""
    layouts_dir = config_folder(site, "layouts_dir", default="_layouts")
    index_files = site.config.get("page_gen-dirs") is True
    for n, spec in enumerate(site.config["page_gen"], 1):
        if not isinstance(spec, dict) or not spec.get("data"):
            continue
        where = f"_config.yml (page_gen, entry {n})"
        if spec.get("name_expr"):
            site.problems.append(Problem(where, "name_expr is Ruby code, which is not run here: no pages made"))
            continue
        condition = spec.get("filter_condition")
        matched = _CONDITION.fullmatch(str(condition)) if condition else None
        if condition and not matched:
            site.problems.append(Problem(where, "filter_condition is Ruby code, which is not run here: no pages made"))
            continue
        template = str(spec.get("template") or spec["data"])
        layout_rel = f"{layouts_dir}/{template}.html"
        text = _read_text(site.root, layout_rel, site.problems)
        split = _split(text, layout_rel, site.problems) if text is not None else None
        records = _data_records(site, spec)
        if split is None or records is None:
            if records is None:
                site.problems.append(Problem(where, f"no list of records in site.data.{spec['data']}"))
            continue
        if matched:
            _, key, op, _, value = matched.groups()
            records = [r for r in records if (str(r.get(key)) == value) == (op == "==")]
        layout_data, body, body_line = split
        name_key, title_key = spec.get("name"), spec.get("title")
        extension = spec.get("extension", "html")
        folder = str(spec.get("dir") or spec["data"]).strip("/")
        own_index = spec.get("index_files")
        as_index = index_files if own_index is None else bool(own_index)
        for record in records:
            raw_name = record.get(str(name_key)) if name_key else None
            if raw_name is None:
                continue
            filename = datapage_name(raw_name)
            name = "index" if as_index else filename
            if extension:
                name += f".{extension}"
            rel = "/".join(part for part in (folder, filename if as_index else "", name) if part)
            data = dict(layout_data)
            title = record.get(str(title_key)) if title_key else None
            data["title"] = raw_name if title is None else title
            prefix = spec.get("page_data_prefix")
            if prefix:
                data[str(prefix)] = record
            else:
                data.update(record)
                if "name" in record:
                    data["_name"] = record["name"]
            # its source is the template (as the generator's page.path says); its address is its own
            url = _page_url(rel, data, str(site.config.get("permalink") or "date"))
            head = head_of(text, body) if text else None
            page = SourceFile(layout_rel, data, body, body_line, "page", url, head=head, slug=filename)
            site.pages.append(page)
