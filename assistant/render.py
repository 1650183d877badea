"""Render every published page of a site as a visitor reads it.

Jekyll's order of work is kept: posts first (their excerpts and content are
what listing pages show), then collection documents, then pages. Each body goes
through Liquid, then Markdown, then its chain of layouts. What stays is the
page's own content: the inside of ``<main>`` when the layouts have one,
otherwise the page without its site-wide header, navigation and footer.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from . import chrome
from .documents import OMITTED, Document, Problem
from .jekyll_liquid import JekyllLiquid, LiquidLimits, RenderError
from .kramdown import markdown_to_html
from .passages import blocks_of, page_facts
from .site import (
    HTML_EXTS,
    OUTSIDE_FILE,
    Site,
    SourceFile,
    StoredText,
    _split,
    _to_datetime,
    config_folder,
    plugins,
    site_folder,
)
from .site_files import OutsideSite
from .theme import Theme

__all__ = ["SiteRendering", "render_site", "main_content", "content_root", "for_readers"]

INVISIBLE = frozenset(("script", "style", "head", "noscript", "template"))
# Chrome that is never a page's own content.
CHROME = ("header", "nav", "footer", "script", "style", "head", "noscript", "template")
KEPT_HTML = 512  # shorter rendered HTML stays a string: its record in the store would cost about as much
INSIDE_MAIN_NOISE = ("script", "style", "noscript", "template")


@dataclass
class _Layout:
    name: str
    path: str
    front_matter: dict
    body: str
    body_line: int


def _load_layouts(site: Site, problems: list[Problem], theme: Theme | None = None) -> dict[str, _Layout]:
    """The site's layouts, then those of its theme that the site does not override."""
    layouts_dir = config_folder(site, "layouts_dir", default="_layouts")
    folder = site_folder(site.root)
    base = site.root / layouts_dir
    layouts: dict[str, _Layout] = {}
    if folder.is_dir(layouts_dir):
        _read_site_layouts(site, folder, base, layouts, problems)
    if theme is not None and theme.layouts is not None and theme.layouts.is_dir():
        for file in sorted(theme.layouts.rglob("*.htm*")):
            rel = f"{theme.name}:" + file.relative_to(theme.root or theme.layouts).as_posix()
            name = file.relative_to(theme.layouts).with_suffix("").as_posix()
            if name in layouts:
                continue
            try:
                text = file.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(Problem(rel, f"cannot read layout: {exc}"))
                continue
            layout = _parse_layout(name, rel, text, problems)
            if layout is not None:
                layouts[name] = layout
    return layouts


def _parse_layout(name: str, rel: str, text: str, problems: list[Problem]) -> _Layout | None:
    """A layout file's front matter and body (None, reported, when its front matter is broken)."""
    if not re.match(r"---[ \t]*\r?\n", text):
        return _Layout(name, rel, {}, text, 1)
    split = _split(text, rel, problems)
    return None if split is None else _Layout(name, rel, *split)


def _read_site_layouts(site: Site, folder, base, layouts: dict[str, _Layout], problems: list[Problem]) -> None:
    for file in sorted(base.rglob("*")):
        if not file.is_file() or file.name.startswith("."):
            continue
        rel = file.relative_to(site.root).as_posix()
        try:
            text = folder.read_text(file, encoding="utf-8-sig")
        except OutsideSite:
            problems.append(Problem(rel, OUTSIDE_FILE))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, f"cannot read layout: {exc}"))
            continue
        name = file.relative_to(base).with_suffix("").as_posix()
        layout = _parse_layout(name, rel, text, problems)
        if layout is not None:
            layouts.setdefault(name, layout)


# -- the dictionaries Liquid sees ----------------------------------------------------------


class _Deferred:
    """The HTML of a Markdown body (its Liquid rendered, if it has any) or of its excerpt, converted when first read.

    Converting it reads nothing of the site, so it becomes the same whenever and wherever it is
    converted: a page that no listing shows is converted by the process that lays it out, and the
    builder does not hold its HTML. What a listing reads is kept for the next reader; a body that
    cannot be converted reads as ``fallback`` (what Jekyll's listing would show: its source), and
    the page itself is reported when it is laid out. A page's body is read from its source file
    object when needed, not held here, as the site keeps it (see :class:`TextStore`).
    """

    __slots__ = ("source", "config", "fallback", "html")

    def __init__(self, source: str | StoredText | _Source, config: dict, fallback: str | _Source) -> None:
        self.source, self.config, self.fallback = source, config, fallback
        self.html: str | StoredText | None = None  # kept by a listing's reader, or converted ahead (keep_html)

    def convert(self) -> str:
        """The HTML, converted again unless a reader kept it: the page's own layout needs it once."""
        html = self.html
        return markdown_to_html(str(self.source), self.config) if html is None else str(html)

    def value(self) -> str:
        if self.html is None:
            try:
                self.html = self.convert()
            except Exception:  # noqa: BLE001 - the page is reported when it is laid out
                return str(self.fallback)
        return str(self.html)

    __str__ = __liquid__ = value


class _Source:
    """A page's body as its file gives it, read from the site's store each time (see :class:`TextStore`)."""

    __slots__ = ("sf",)

    def __init__(self, sf: SourceFile) -> None:
        self.sf = sf

    def value(self) -> str:
        return self.sf.body

    convert = __str__ = __liquid__ = value


def _read(value: Any) -> Any:
    kind = type(value)
    if kind is _Deferred or kind is _Source or kind is _Neighbour:
        return value.value()
    return str(value) if kind is StoredText else value


class _PageDict(dict):
    """A page's fields as Liquid sees them: a field whose HTML is deferred reads as that HTML."""

    def __getitem__(self, key: Any) -> Any:
        return _read(dict.__getitem__(self, key))

    def get(self, key: Any, default: Any = None) -> Any:
        return _read(dict.get(self, key, default))

    def items(self):
        return [(key, _read(value)) for key, value in dict.items(self)]

    def values(self):
        return [_read(value) for value in dict.values(self)]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __str__(self) -> str:
        return repr(self)


class _DocumentDict(_PageDict):
    """A post or collection document as Liquid sees it. Printed whole (``{{ person }}``, ``{{ person |
    markdownify }}``) it is its content, as Jekyll's DocumentDrop#to_s gives its output, not its fields."""

    def __str__(self) -> str:
        return str(self.get("output") or self.get("content") or "NO CONTENT")


def _page_dict(sf: SourceFile) -> dict:
    name = os.path.basename(sf.path)
    data = dict(sf.front_matter)
    data.update(
        {
            "url": sf.url,
            "path": sf.path,
            "relative_path": sf.path,
            "dir": sf.url if sf.url.endswith("/") else sf.url.rsplit("/", 1)[0] + "/",
            "content": _Source(sf),  # until the first pass renders it, as in Jekyll
        }
    )
    if sf.kind == "page":  # a page's file name wins over front matter; a document's front matter wins
        data["name"] = name
    else:
        data.setdefault("name", name)
    if sf.kind != "page":
        date = sf.date or _to_datetime(sf.front_matter.get("date"))
        data.update(
            {
                "id": re.sub(r"(\.[^./]+|/)$", "", sf.url) or sf.url,
                "date": date,
                "categories": sf.categories,
                "tags": sf.tags,
                "slug": sf.slug,
                "collection": sf.collection,
                "excerpt": sf.front_matter.get("excerpt"),
                "output": None,
            }
        )
        data.setdefault("title", sf.slug)
        return _DocumentDict(data)
    return _PageDict(data)


def _site_dict(site: Site, pages: list[dict], posts: list[dict], docs: dict[str, list[dict]]) -> dict:
    config = site.config
    data = dict(config)
    categories: dict[str, list[dict]] = {}
    tags: dict[str, list[dict]] = {}
    for post in posts:
        for category in post["categories"]:
            categories.setdefault(category, []).append(post)
        for tag in post["tags"]:
            tags.setdefault(tag, []).append(post)
    collections = [{"label": "posts", "docs": posts, "output": True, "relative_directory": "_posts"}]
    for name, items in docs.items():
        options = (config.get("collections") or {}) if isinstance(config.get("collections"), dict) else {}
        found = options.get(name)
        meta: dict = found if isinstance(found, dict) else {}
        collections.append(
            {**meta, "label": name, "docs": items, "output": bool(meta.get("output")), "relative_directory": f"_{name}"}
        )
    collections.sort(key=lambda c: str(c["label"]))  # Jekyll lists them by label, posts among them
    host = str(config.get("url") or "")
    if not host:
        baseurl = str(config.get("baseurl") or "").strip("/")
        host = (
            site.base_url[: -len(baseurl) - 1] if baseurl and site.base_url.endswith("/" + baseurl) else site.base_url
        )
    data.update(
        {
            "data": site.data,
            "posts": posts,
            "pages": pages,
            "html_pages": [p for p in pages if p["url"].endswith(("/", ".html", ".htm"))],
            "collections": collections,
            "documents": posts + [d for items in docs.values() for d in items],
            "categories": categories,
            "tags": tags,
            "static_files": _static_files(site),
            "url": host,
            "baseurl": config.get("baseurl") or "",
            "time": dt.datetime.now(),
        }
    )
    for name, items in docs.items():
        data[name] = items
    return data


class _Neighbour:
    """A post's ``page.next`` or ``page.previous``: the other post's fields but its own neighbours,
    copied when read. Kept as copies, a large site's posts were each held twice while it was built."""

    __slots__ = ("page",)

    def __init__(self, page: dict) -> None:
        self.page = page

    def value(self) -> _PageDict:
        # copied as they stand (dict.items): deferred HTML stays deferred, and is shared with the page
        return _PageDict((k, v) for k, v in dict.items(self.page) if k not in ("next", "previous"))


def _link_neighbours(pages: list[dict], newest_first: bool) -> None:
    """``page.next`` and ``page.previous`` of posts and documents: the newer and the older one."""
    for i, page in enumerate(pages):
        before = _Neighbour(pages[i - 1]) if i > 0 else None
        after = _Neighbour(pages[i + 1]) if i + 1 < len(pages) else None
        page["next"], page["previous"] = (before, after) if newest_first else (after, before)


def _modified(site: Site, sf: SourceFile) -> dt.datetime | None:
    """When the file last changed, as jekyll-last-modified-at gives it outside a git checkout."""
    try:
        return dt.datetime.fromtimestamp((site.root / sf.path).stat().st_mtime)
    except OSError:
        return None


def _sort_value(value) -> tuple:
    if isinstance(value, (dt.date, dt.datetime)):
        return (0, value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day))
    return (1, str(value))


def _static_files(site: Site) -> list[dict]:
    """``site.static_files`` as Jekyll lists them: path from the root, name, extension, time of change."""
    out = []
    for rel in site.static_files:
        name = rel.rsplit("/", 1)[-1]
        basename, extname = os.path.splitext(name)
        try:
            modified = dt.datetime.fromtimestamp((site.root / rel).stat().st_mtime)
        except OSError:
            modified = None
        out.append(
            {"path": "/" + rel, "name": name, "basename": basename, "extname": extname, "modified_time": modified}
        )
    return out


# -- rendering -----------------------------------------------------------------------------


class _Renderer:
    def __init__(self, site: Site, liquid: JekyllLiquid, layouts: dict[str, _Layout]):
        self.site = site
        self.liquid = liquid
        self.layouts = layouts
        self.site_dict: dict = {}

    def context(self, sf: SourceFile, page: dict, layout: dict, content: str) -> dict:
        context = {"site": self.site_dict, "page": page, "layout": layout, "content": content}
        if sf.pager is not None:
            context["paginator"] = self.paginator(sf.pager)
        return context

    def paginator(self, pager) -> dict:
        """Liquid's ``paginator`` for one listing page of jekyll-paginate (v1 or v2)."""
        if pager.collection == "posts":
            docs = [p for p in self.site_dict["posts"] if not (pager.v2 is False and p.get("hidden"))]
        else:
            docs = list(self.site_dict.get(pager.collection) or [])
        if pager.v2:
            present = [d for d in docs if d.get(pager.sort_field) is not None]
            present.sort(key=lambda d: _sort_value(d.get(pager.sort_field)), reverse=pager.sort_reverse)
            docs = present + [d for d in docs if d.get(pager.sort_field) is None]
        n, last = pager.page, pager.total_pages
        start = (n - 1) * pager.per_page
        data = {
            "page": n,
            "per_page": pager.per_page,
            "posts": docs[start : start + pager.per_page],
            "total_posts": len(docs),
            "total_pages": last,
            "previous_page": n - 1 if n > 1 else None,
            "previous_page_path": pager.paths[n - 2] if n > 1 else None,
            "next_page": n + 1 if n < last else None,
            "next_page_path": pager.paths[n] if n < last else None,
        }
        if pager.v2:
            data.update(
                {
                    "first_page": 1,
                    "first_page_path": pager.paths[0],
                    "last_page": last,
                    "last_page_path": pager.paths[-1],
                    "page_trail": [{"num": i + 1, "path": path, "title": ""} for i, path in enumerate(pager.paths)],
                }
            )
        return data

    def render_liquid(self, sf: SourceFile, page: dict) -> str:
        """The body with its Liquid rendered, before Markdown: the part that may read other pages."""
        if sf.kind == "static":  # copied as it is
            return sf.body
        layout = self.layouts.get(sf.layout or "")
        context = self.context(sf, page, layout.front_matter if layout is not None else {}, "")
        body = sf.body
        if sf.front_matter.get("render_with_liquid") is not False:
            body = self.liquid.render(body, context, sf.path, sf.body_line)
        return body

    def excerpt_source(self, sf: SourceFile) -> str:
        """What Jekyll's excerpt is made of: the body up to the first separator."""
        separator = str(sf.front_matter.get("excerpt_separator") or self.site.config.get("excerpt_separator") or "\n\n")
        return sf.body.lstrip("\r\n").split(separator, 1)[0]

    def excerpt_liquid(self, sf: SourceFile, page: dict) -> str:
        """Jekyll's excerpt of the body, the body up to the first separator, with its Liquid rendered
        on its own ("" if that fails); its Markdown is converted when it is read (see _Deferred)."""
        head = self.excerpt_source(sf)
        if not head.strip():
            return ""
        context = self.context(sf, page, {}, "")
        body = sf.body  # read once: a kept body is decoded on every read
        try:
            return self.liquid.render(head, context, sf.path, sf.body_line + len(body) - len(body.lstrip("\r\n")))
        except RenderError:
            return ""

    def layout(self, sf: SourceFile, page: dict, content: str) -> str:
        name = sf.layout
        seen: set[str] = set()
        while name and name not in seen:
            seen.add(name)
            layout = self.layouts.get(name)
            if layout is None:  # a theme's layout we do not have: content passes through
                break
            context = self.context(sf, page, layout.front_matter, content)
            content = self.liquid.render(layout.body, context, layout.path, layout.body_line)
            parent = layout.front_matter.get("layout")
            name = str(parent) if parent not in (None, "", "none", "null") else None
        return content


def markdown_settings(site: Site) -> dict:
    """What a body's Markdown conversion reads of the site: ``kramdown:`` in _config.yml, and nothing else."""
    return {"kramdown": site.config.get("kramdown")}


def bodies_converted_alone(site: Site) -> Iterator[tuple[int, SourceFile]]:
    """The pages whose Markdown body the first pass defers as it stands (no Liquid in it), the site's last
    first, each with its place in :attr:`SiteRendering.ordered`.

    Their HTML depends on the page alone, so another process may convert them while the first
    pass runs, and get what this one would (see :meth:`SiteRendering.keep_html`).
    """
    pages = [*site.posts, *(doc for items in site.collections.values() for doc in items), *site.pages]
    for position in range(len(pages) - 1, -1, -1):
        sf = pages[position]
        if sf.output and sf.is_markdown and _plain(sf):
            yield position, sf


def convert_alone(sf: SourceFile, settings: dict) -> str:
    """The HTML of a page of :func:`bodies_converted_alone`, as the first pass would convert it."""
    return markdown_to_html(sf.body, settings)


def _plain(sf: SourceFile) -> bool:
    """Whether Liquid would give ``sf``'s body back as it is (no tag or output in it), and its excerpt's too."""
    body = sf.body
    return sf.kind != "static" and "{{" not in body and "{%" not in body and len(body) < LiquidLimits.output


# A page that sends its reader on (a meta refresh, as jekyll-redirect-from writes) or asks search
# engines to leave it out (robots "noindex") says it is not a page of the site to be found.
_WITHHELD_META = re.compile(
    r"<meta\b(?=[^>]*\bhttp-equiv\s*=\s*[\"']?refresh\b)(?=[^>]*\burl\s*=)[^>]*>|<meta\b[^>]*\bnoindex\b[^>]*>", re.I
)
# The page a server shows for an address the site does not have (GitHub Pages serves /404.html).
_NOT_FOUND_URL = re.compile(r"(?:^|/)404(?:\.html?|/)?$", re.I)


def for_readers(html: str, url: str) -> bool:
    """Whether a rendered page is one a visitor finds by its address and reads: not a redirect, not a
    page withheld from search engines, not the site's "page not found"."""
    return not _NOT_FOUND_URL.search(url.split("?")[0]) and not _WITHHELD_META.search(html)


def main_content(html: str, keep_sidebar: bool = False) -> str:
    """The part of a rendered page that is the page's own, as HTML (see :func:`content_root`)."""
    return content_root(html, keep_sidebar)[1]


def content_root(html: str, keep_sidebar: bool = False, mark_sidebars: bool = False):
    """The part of a rendered page that is the page's own: ``<main>``, or the page minus chrome.

    Returns the element (in the one parse of the page) and its HTML.
    ``role="main"`` marks the main part as ``<main>`` does. A header or footer
    inside an article or section is the article's own (its title, date,
    authors) and stays; the site's banner and footer go. Sidebars and share
    buttons repeat on every page, so they go too, except where ``keep_sidebar``
    (the home page, where a sidebar usually introduces the site's owner). With ``mark_sidebars``
    they stay, marked, for the site's rendering to tell what they show on this page alone.
    """
    tree = HTMLParser(html)
    main = tree.css_first("main") or tree.css_first('[role="main"]')
    if main is not None:
        for node in main.css(", ".join(INSIDE_MAIN_NOISE)):
            node.decompose()
        _drop_repeated_widgets(main, keep_sidebar, mark_sidebars)
        _drop_hidden_widgets(main)
        _unwrap_article_headers(main)
        _drop_heading_anchors(main)
        return main, main.inner_html or ""
    for node in tree.css(", ".join(CHROME)):
        if node.tag in ("header", "footer") and _inside_content(node):
            continue
        _omit(node)
    body = tree.body
    if body is None:
        return tree.root, tree.html or ""
    _drop_repeated_widgets(body, keep_sidebar, mark_sidebars)
    _drop_hidden_widgets(body)
    _unwrap_article_headers(body)
    _drop_heading_anchors(body)
    return body, body.inner_html or ""


_SIDEBAR_CLASS = re.compile(r"^(?:sidebar|side-bar)(?:$|[-_])", re.I)
_SHARE_CLASS = re.compile(r"(?:^|[-_])(?:share|sharing|social-share|share-buttons)(?:$|[-_])", re.I)
# "You may also enjoy": teasers of other posts that a layout appends to every post.
_RELATED_CLASS = re.compile(r"(?:^|[-_])related(?:[-_]?(?:posts?|articles?|pages?|items?))?$", re.I)


def _omit(node) -> None:
    """Take out a part a visitor sees but that is not the page's own; where it had text, mark the gap.

    The mark (an empty ``<omitted-text>``) keeps text on either side of it from being quoted as one run.
    """
    if node.tag not in INVISIBLE and re.search(r"\w", node.text() or ""):
        node.replace_with(_omitted_mark())
    else:
        node.decompose()


def _omitted_mark():
    body = HTMLParser(f"<{OMITTED}></{OMITTED}>").body
    assert body is not None and body.child is not None
    return body.child


def _inside_content(node) -> bool:
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html", "-undef"):
        if parent.tag in ("article", "section", "main") or parent.attributes.get("role") == "main":
            return True
        parent = parent.parent
    return False


def _drop_heading_anchors(root) -> None:
    """A heading's permalink marker (``#``, a pilcrow, an icon) is not part of its text.

    Heading-anchor plugins and includes put a link to the heading's own
    fragment inside it; a link there with no word in it is only that marker.
    """
    for link in root.css(
        "h1 a[href^='#'], h2 a[href^='#'], h3 a[href^='#'], h4 a[href^='#'], h5 a[href^='#'], h6 a[href^='#']"
    ):
        if not re.search(r"\w", link.text() or ""):
            link.decompose()


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.I)


def _drop_hidden_widgets(root) -> None:
    """A hidden box with a text field (a search or command palette, shown by a key press) is the site's
    tool, not the page's text: its key hints ("↑ ↓ to navigate, esc to close") are no answer."""
    for node in root.css("[style], [hidden]"):
        if node.parent is None or node.tag in ("input", "textarea"):
            continue
        hidden = node.attributes.get("hidden") is not None or _HIDDEN_STYLE.search(node.attributes.get("style") or "")
        if hidden and node.css_first("input, textarea") is not None:
            _omit(node)


def _unwrap_article_headers(root) -> None:
    """An article's ``<header>`` holds its title, date, venue or authors: text, not chrome."""
    for node in root.css("header"):
        if _inside_content(node):
            node.unwrap()


def _drop_repeated_widgets(root, keep_sidebar: bool, mark_sidebars: bool = False) -> None:
    """Remove sidebars (``<aside>``, ``role=complementary``, ``class="sidebar"``), share buttons and related posts.

    A share or related-posts block is named by its class or, in some themes, only by its id.
    """
    for node in root.css('aside, [role="complementary"], [class], [id]'):
        if node.tag == "-undef" or node.parent is None:
            continue
        classes = (node.attributes.get("class") or "").split()
        names = classes + (node.attributes.get("id") or "").split()
        if any(_SHARE_CLASS.search(c) or _RELATED_CLASS.search(c) for c in names):
            _omit(node)
        elif not keep_sidebar and (
            node.tag == "aside"
            or node.attributes.get("role") == "complementary"
            or any(_SIDEBAR_CLASS.match(c) for c in classes)
        ):
            if mark_sidebars:
                _set_aside(node)
            else:
                _omit(node)


ASIDE = "data-assistant-aside"
HOME_URLS = ("/", "/index.html")


def _set_aside(node) -> None:
    """Keep a sidebar, marked, between gaps: what it shows on this page alone (a person's office hours,
    room and address, from the page's front matter) is the page's own; what it shows on other pages
    too is the site's, and goes with the chrome (:meth:`SiteRendering._find_chrome`)."""
    if node.attributes.get(ASIDE) is not None or any(p.attributes.get(ASIDE) is not None for p in _parents(node)):
        return
    for nav in node.css("nav"):
        nav.decompose()
    node.attrs[ASIDE] = "1"
    node.insert_before(_omitted_mark())
    node.insert_after(_omitted_mark())


def _parents(node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def aside_keys(root) -> frozenset[str]:
    """Texts of the blocks that stand in a page's sidebars."""
    return frozenset(key for node in root.css(f"[{ASIDE}]") for key in map(chrome.block_key, blocks_of(node)) if key)


def render_site(site: Site, liquid: JekyllLiquid | None = None) -> tuple[list[Document], list[Problem]]:
    """Render every published page, post and collection document of ``site``.

    A page that cannot be rendered becomes a :class:`Problem` naming the file and
    line; the rest of the site still renders.
    """
    rendering = SiteRendering(site, liquid)
    documents: list[Document] = []
    for index in rendering.pending:
        document = rendering.document(index)
        if document is not None:
            documents.append(document)
    return documents, rendering.problems


class SiteRendering:
    """A site rendered in Jekyll's two passes, the second one page by page.

    The first pass (Liquid and Markdown of every body, in order) runs on
    construction, since listing pages show other pages' content and excerpts;
    a body's Markdown, rendered Liquid or none, is converted when it is first read.
    After it, each page's layouts depend on nothing but that state, so
    :meth:`document` may be called for the ``pending`` pages in any process
    that holds a copy of it (a forked worker) and in any order.
    """

    def __init__(
        self,
        site: Site,
        liquid: JekyllLiquid | None = None,
    ) -> None:
        self.site = site
        self.problems: list[Problem] = []
        for keys, default in ((("includes_dir",), "_includes"), (("scholar", "source"), "_bibliography")):
            config_folder(site, *keys, default=default)  # reported here once; Liquid reads the default then
        liquid = liquid or JekyllLiquid(site.root, site.config)
        self.renderer = renderer = _Renderer(site, liquid, _load_layouts(site, self.problems, liquid.theme))

        posts = [(sf, _page_dict(sf)) for sf in site.posts]
        docs = {name: [(sf, _page_dict(sf)) for sf in items] for name, items in site.collections.items()}
        pages = [(sf, _page_dict(sf)) for sf in site.pages]
        renderer.site_dict = _site_dict(
            site,
            [p for _, p in pages],
            [p for _, p in posts],
            {name: [d for _, d in items] for name, items in docs.items()},
        )

        statics = [(sf, _page_dict(sf)) for sf in site.static_pages]
        if "jekyll-last-modified-at" in plugins(site.config):
            for sf, page in posts + pages + [d for items in docs.values() for d in items]:
                page.setdefault("last_modified_at", _modified(site, sf))
        self.ordered = ordered = posts + [item for items in docs.values() for item in items] + pages + statics
        self.converted: dict[int, str | StoredText | _Deferred | _Source] = {}
        failed: set[int] = set()
        kramdown = markdown_settings(site)

        # First pass: content and excerpts, so listing pages can show them. A body with Liquid is
        # rendered in its turn, after every page before it, as it may show them; the Markdown of a
        # body (its Liquid rendered) reads nothing of the others and is deferred (see _Deferred), so
        # the process that lays a page out converts it. Before its turn, a page's content is its
        # source, as in Jekyll.
        for index, (sf, page) in enumerate(ordered):
            if _plain(sf):
                source = _Source(sf)
                content = _Deferred(source, kramdown, source) if sf.is_markdown else source
                self.converted[index] = page["content"] = content
                if sf.kind != "page":
                    page["excerpt"] = self._excerpt(sf, page, kramdown, liquid=False)
                continue
            try:
                # the Liquid in turn; its Markdown, which reads no other page, when first read (see _Deferred)
                rendered = renderer.render_liquid(sf, page)
            except RenderError as err:
                self.problems.append(_problem(err, sf))
                failed.add(index)
                continue
            except Exception as err:  # noqa: BLE001 - one odd page must not stop the site
                self.problems.append(Problem(sf.path, f"cannot render: {type(err).__name__}: {err}", sf.body_line))
                failed.add(index)
                continue
            finally:
                _take_refused(liquid, sf, self.problems)
            kept = self._kept(rendered)  # a static page is HTML, never Markdown
            self.converted[index] = page["content"] = _Deferred(kept, kramdown, _Source(sf)) if sf.is_markdown else kept
            if sf.kind != "page":
                page["excerpt"] = self._excerpt(sf, page, kramdown, liquid=True)
                _take_refused(liquid, sf, self.problems)
        _link_neighbours([p for _, p in posts], newest_first=True)
        for items in docs.values():
            _link_neighbours([p for _, p in items], newest_first=False)
        # the pages the second pass turns into documents, in Jekyll's order
        self.pending = [i for i, (sf, _) in enumerate(ordered) if i not in failed and sf.output]
        self._sampled: dict[int, tuple[Document | None, list[Problem]]] = {}
        self.chrome = self._find_chrome()

    def keep_html(self, converted: Iterable[tuple[int, str, str | StoredText]]) -> int:
        """Take the HTML of bodies another process converted ahead, as (place in :attr:`ordered`, source path,
        HTML) from :func:`bodies_converted_alone` and :func:`convert_alone`. A body the first pass has
        converted already keeps its own. Returns how many were taken."""
        taken = 0
        for position, path, html in converted:
            if not 0 <= position < len(self.ordered) or self.ordered[position][0].path != path:
                continue  # not the page it was converted for
            deferred = self.converted.get(position)
            if type(deferred) is _Deferred and type(deferred.source) is _Source and deferred.html is None:
                deferred.html = html
                taken += 1
        return taken

    def _kept(self, html: str) -> str | StoredText:
        """Rendered HTML as the site keeps its pages' texts (see :class:`TextStore`): it reads the same."""
        return self.site.texts.add(html) if len(html) >= KEPT_HTML else html

    def _excerpt(self, sf: SourceFile, page: dict, kramdown: dict, liquid: bool) -> str | StoredText | _Deferred:
        """A post's excerpt: the front matter's as it stands, else the body's head, its Liquid (if it
        has any) rendered in turn, as it may show the pages before it, and its Markdown when first read."""
        if sf.front_matter.get("excerpt") is not None:
            return str(sf.front_matter["excerpt"])
        if liquid:
            try:
                head = self.renderer.excerpt_liquid(sf, page)
            except Exception:  # noqa: BLE001 - a listing then shows no excerpt, as when its Liquid fails
                return ""
        else:
            head = self.renderer.excerpt_source(sf)
            head = head if head.strip() else ""
        if not head:
            return ""
        kept = self._kept(head)
        return _Deferred(kept, kramdown, "") if sf.is_markdown else kept

    def _find_chrome(self) -> frozenset[str]:
        """Blocks whose text stands on most pages of the site: its chrome, whatever their markup."""
        pages = []
        by_layout: dict[str, list[list]] = {}
        asides: Counter[str] = Counter()
        for index in chrome.sample(self.pending):
            problems: list[Problem] = []
            doc = self._document(index, problems)
            self._sampled[index] = (doc, problems)
            if doc is not None and doc.blocks is not None:
                pages.append(doc.blocks)
                # headings repeat on the pages of one layout as their sections' names (Team, Contact): not chrome
                own = [b for b in doc.blocks if b.kind != "heading"]
                by_layout.setdefault(self.ordered[index][0].layout or "", []).append(own)
                asides.update(doc.aside)
        # a sidebar's text on two pages is the site's (an author box, a list of posts), not the page's
        self.aside_chrome = frozenset(key for key, count in asides.items() if count >= 2)
        # a layout's own panel (recent posts, tags) stands on the pages of that layout, not on most of the site's
        return chrome.repeated_blocks(pages).union(*(chrome.repeated_blocks(group) for group in by_layout.values()))

    def document(self, index: int, problems: list[Problem] | None = None) -> Document | None:
        """Second pass for one page: layouts, then the page's own content.

        A failure is added to ``problems`` (by default, this rendering's list).
        """
        problems = self.problems if problems is None else problems
        if index in self._sampled:  # rendered already, to find the site's chrome
            doc, seen = self._sampled.pop(index)
            problems.extend(seen)
        else:
            doc = self._document(index, problems)
        if doc is not None:
            sf = self.ordered[index][0]
            # the home page keeps its sidebar, which usually introduces the site's owner
            doc.not_content = self.chrome if sf.url in HOME_URLS else self.chrome | self.aside_chrome
        return doc

    def _document(self, index: int, problems: list[Problem]) -> Document | None:
        site = self.site
        sf, page = self.ordered[index]
        try:
            converted = self.converted[index]
            # a deferred body is converted afresh here, not kept: only a listing's reader keeps its HTML
            content = converted.convert() if isinstance(converted, (_Deferred, _Source)) else str(converted)
            full = self.renderer.layout(sf, page, content)
            if not for_readers(full, sf.url):
                return None
            root, html = content_root(full, mark_sidebars=True)
            blocks = blocks_of(root) if root is not None else []
            aside = aside_keys(root) if root is not None else frozenset()
        except RenderError as err:
            problems.append(_problem(err, sf))
            return None
        except Exception as err:  # noqa: BLE001
            problems.append(Problem(sf.path, f"cannot render: {type(err).__name__}: {err}", sf.body_line))
            return None
        finally:
            _take_refused(self.renderer.liquid, sf, problems)
        if os.path.splitext(sf.url)[1].lower() not in HTML_EXTS + ("",):
            return None
        description = _plain_description(sf.front_matter.get("description") or sf.front_matter.get("excerpt"))
        name = sf.front_matter.get("name")
        facts = page_facts(
            blocks,
            title=str(sf.front_matter.get("title") or "").strip(),
            name=name if isinstance(name, str) else "",
            stem=os.path.splitext(os.path.basename(sf.path))[0],
            source_kind=sf.kind,
            lang=str(sf.front_matter.get("lang") or site.config.get("lang") or "en"),
        )
        return Document(
            url=site.base_url + sf.url,
            title=facts.title,
            html=html,
            source=sf.path,
            kind=facts.kind,
            lang=facts.lang,
            date=sf.date.date().isoformat() if sf.kind == "post" and sf.date else None,
            source_text=sf.text,
            body_line=sf.body_line,
            description=str(description).strip(),
            translations=dict(sf.translations),
            blocks=blocks,
            mixed_languages=facts.mixed_languages,
            lead=facts.lead,
            aside=aside,
        )


def _plain_description(value) -> str:
    """Front matter summaries may hold Markdown or HTML; meta tags show them as plain text."""
    if value in (None, "") or not isinstance(value, (str, int, float)):
        return ""
    text = str(value)
    if re.search(r"[<\[*_`&]", text):
        tree = HTMLParser(markdown_to_html(text))
        root = tree.body or tree.root
        text = root.text(separator=" ") if root is not None else ""
    return " ".join(text.split())


def _take_refused(liquid: JekyllLiquid, sf: SourceFile, problems: list[Problem]) -> None:
    """The files outside the site that rendering ``sf`` asked for (and did not read), as problems."""
    for err in liquid.take_refused():
        problem = _problem(err, sf)
        if problem not in problems:
            problems.append(problem)


def _problem(err: RenderError, sf: SourceFile) -> Problem:
    reason = err.reason if err.path == sf.path else f"{err.reason} (while rendering {sf.path})"
    return Problem(err.path or sf.path, reason, err.line)
