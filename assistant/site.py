"""Read a Jekyll source tree the way Jekyll reads it: which files publish, and at which URL.

Only what a visitor can open matters here: pages, posts and documents of
collections with ``output: true``, each with the URL Jekyll gives it. Files
that cannot be read are reported as :class:`Problem` and skipped, so one broken
page never hides the rest of the site.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import functools
import io
import json
import mmap
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import yaml

from .documents import Problem
from .site_files import OutsideSite, SiteFolder, config_line, load_yaml

MARKDOWN_EXTS = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd")
HTML_EXTS = (".html", ".htm", ".xhtml")

# Jekyll adds these to whatever the site excludes itself.
DEFAULT_EXCLUDES = [
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
]

PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_POST_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.*)(\.[^.]+)$")
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Why a file is not read: it is a link to one outside the site.
OUTSIDE_FILE = "symbolic link to a file outside the site; not read, as Jekyll does not"
OUTSIDE_FOLDER = "symbolic link to a folder outside the site; not read, as Jekyll does not"
# Set in the front matter read from a file whose YAML is broken (a post then keeps no date of its own).
BROKEN_FRONT_MATTER = "__broken_front_matter__"


class StoredText:
    """Where a text stands in a :class:`TextStore`: read, it is decoded afresh."""

    __slots__ = ("block", "start", "size")

    def __init__(self, block: bytearray | mmap.mmap, start: int, size: int) -> None:
        self.block, self.start, self.size = block, start, size

    def __str__(self) -> str:
        return str(memoryview(self.block)[self.start : self.start + self.size], "utf-8", "surrogatepass")

    def __reduce__(self) -> tuple:  # sent elsewhere as the text, not as its block
        return (str, (str(self),))


class TextStore:
    """The texts of a site's pages, kept as UTF-8 in a few large blocks instead of a string each.

    A large site's pages are held while it is built, and a forked worker of the build shares
    that memory with the builder only as long as neither writes to it. Reading a string writes
    its reference count, which copies the memory page it stands on into the reader, so in the
    end both would hold every page. A block's bytes are only ever read: they stay shared.
    """

    FIRST_BLOCK = 1 << 16  # blocks double up to LARGEST_BLOCK: a small site holds little unused room
    LARGEST_BLOCK = 1 << 24
    SMALLEST = 64  # a shorter text is kept as a string: its record would be as large

    def __init__(self) -> None:
        self._block = bytearray()
        self._used = 0

    def add(self, text: str) -> StoredText:
        data = text.encode("utf-8", "surrogatepass")
        if self._used + len(data) > len(self._block):
            grown = min(max(2 * len(self._block), self.FIRST_BLOCK), self.LARGEST_BLOCK)
            self._block, self._used = bytearray(max(grown, len(data))), 0  # filled blocks are never resized
        start, self._used = self._used, self._used + len(data)
        self._block[start : self._used] = data
        return StoredText(self._block, start, len(data))

    def keep(self, sf: SourceFile) -> SourceFile:
        """Move ``sf``'s body and front matter text into the store; they read the same after."""
        for name in ("_body", "_head"):
            value = sf.__dict__.get(name)
            if type(value) is str and len(value) >= self.SMALLEST:
                sf.__dict__[name] = self.add(value)
        return sf


class _PageText:
    """A field of :class:`SourceFile` holding text: a string, or where a :class:`TextStore` keeps it."""

    def __init__(self, default: str | None | type[AttributeError] = AttributeError) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:  # what dataclass takes for the field's default; none without one
            if self.default is AttributeError:
                raise AttributeError(self.key[1:])
            return self.default
        value = obj.__dict__[self.key]
        return value if value is None or type(value) is str else str(value)

    def __set__(self, obj: Any, value: str | None) -> None:
        obj.__dict__[self.key] = value


@dataclass
class SourceFile:
    """One page, post or collection document as Jekyll reads it.

    Its ``body`` and ``head`` may be kept in the site's :class:`TextStore`; they read as strings.
    """

    path: str  # relative to the site root, with "/" separators
    front_matter: dict
    if TYPE_CHECKING:
        body: str
    else:
        body: str = _PageText()
    body_line: int  # 1-based line where the body starts
    kind: str  # "page" | "post" | "collection" | "static" (an HTML file without front matter, copied as it is)
    url: str  # site-relative URL as Jekyll publishes it
    date: dt.datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    slug: str = ""
    collection: str | None = None
    # the file's text before the body (its front matter); None for a page with no file of its own. The
    # whole text is not kept beside the body: a site's every page would be held twice while it is built
    if TYPE_CHECKING:
        head: str | None = None
    else:
        head: str | None = _PageText(None)
    output: bool = True  # False for documents of collections that are not published
    translations: dict[str, str] = field(default_factory=dict)  # language -> absolute URL of this page in it
    pager: Any = None  # for a listing page a pagination plugin makes: which slice of the posts it shows
    # a post with broken front matter is dated when the site is built, but Jekyll orders it by its path,
    # which for a dated file name is the date the name gives
    ordered_as: dt.datetime | None = None

    @property
    def text(self) -> str:
        """The file as read, front matter and body, to find the line a quote came from ("" without a file)."""
        return "" if self.head is None else self.head + self.body

    @property
    def ext(self) -> str:
        return os.path.splitext(self.path)[1].lower()

    @property
    def is_markdown(self) -> bool:
        return self.ext in MARKDOWN_EXTS

    @property
    def layout(self) -> str | None:
        layout = self.front_matter.get("layout")
        return str(layout) if layout not in (None, "", "none", "null") else None


@dataclass
class Site:
    root: Path
    config: dict
    base_url: str  # absolute URL of the site including baseurl, no trailing slash
    data: dict = field(default_factory=dict)
    pages: list[SourceFile] = field(default_factory=list)
    posts: list[SourceFile] = field(default_factory=list)  # newest first
    collections: dict[str, list[SourceFile]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    static_files: list[str] = field(default_factory=list)  # files copied as they are, relative to the root
    static_pages: list[SourceFile] = field(default_factory=list)  # the HTML files among them
    config_root: Path | None = None  # the folder _config.yml is in (``source:`` may move the site below it)
    texts: TextStore = field(default_factory=TextStore, repr=False, compare=False)  # its pages' bodies

    def published(self) -> list[SourceFile]:
        """Everything that becomes an HTML page a visitor can open."""
        docs = [d for docs in self.collections.values() for d in docs if d.output]
        return self.posts + docs + self.pages + self.static_pages


# -- configuration -------------------------------------------------------------------------


def _read_config(root: Path, problems: list[Problem]) -> dict:
    config: dict = {}
    folder = site_folder(root)
    for name in ("_config.yml", "_config.yaml", "_config.toml"):
        path = root / name
        if not path.is_file() or name.endswith(".toml"):
            continue
        try:
            loaded = load_yaml(folder.read_text(name))
        except OutsideSite:
            problems.append(Problem(name, OUTSIDE_FILE))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else None
            problems.append(Problem(name, f"invalid YAML in configuration: {exc}", line))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, f"cannot read configuration: {exc}"))
            continue
        if isinstance(loaded, dict):
            config = loaded
        elif loaded is not None:
            problems.append(Problem(name, "configuration is not a mapping", 1))
        break
    return config


def _base_url(root: Path, config: dict, url: str | None) -> str:
    if url:
        return url.rstrip("/")
    baseurl = str(config.get("baseurl") or "").strip()
    if baseurl.startswith(("//", "http://", "https://")):
        return _with_scheme(baseurl).rstrip("/")  # links of the built site start with this address, whatever url says
    baseurl = baseurl.strip("/")
    host = _with_scheme(str(config.get("url") or "").strip()).rstrip("/")
    if not host:
        folder = site_folder(root)
        try:
            name = folder.read_text("CNAME").strip().splitlines()[0].strip() if folder.is_file("CNAME") else ""
        except (OSError, UnicodeDecodeError, IndexError):
            name = ""
        host = ("https://" + name.rstrip("/")) if name else "http://localhost"
    return host + ("/" + baseurl if baseurl else "")


def _with_scheme(address: str) -> str:
    """A protocol-relative address ("//lab.example.org"), as a browser opens it from an https page."""
    return "https:" + address if address.startswith("//") else address


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


# -- which files Jekyll reads --------------------------------------------------------------


class _Filter:
    """Jekyll's EntryFilter: special, backup and excluded entries are skipped."""

    def __init__(self, config: dict):
        include = [str(p) for p in _as_list_raw(config.get("include"))] + [".htaccess"]
        exclude = [str(p) for p in _as_list_raw(config.get("exclude"))] + DEFAULT_EXCLUDES
        # every file and folder of the site is checked against every pattern: one expression each
        # list, not a glob translation per pattern per path
        self._included = _patterns(include)
        self._excluded = _patterns([p for p in exclude if p not in include])

    def included(self, rel: str) -> bool:
        return bool(self._included(rel) or self._included(rel.rsplit("/", 1)[-1]))

    def skip(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        special = name[:1] in (".", "_", "#") or name.endswith("~")
        if special and not self.included(rel):
            return True
        return bool(self._excluded(rel))


def _patterns(patterns: list[str]) -> Callable[[str], object]:
    """One matcher for a list of include or exclude entries, as Jekyll reads them.

    An entry matches a path as a glob (with or without its trailing slash), as the path
    itself, or as a folder the path lies in.
    """
    parts = []
    for pattern in patterns:
        pattern = pattern.strip().lstrip("/")
        if not pattern:
            continue
        bare = pattern.rstrip("/")
        if pattern != bare:  # "drafts/" is tried as written and as "drafts"
            parts.append(fnmatch.translate(pattern))
        parts += [fnmatch.translate(bare), re.escape(bare) + r"(?:/.*)?\Z"]
    if not parts:
        return lambda rel: None
    return re.compile("|".join(f"(?s:{part})" for part in parts)).match


def _as_list_raw(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _walk(root: Path, start: str, filt: _Filter, problems: list[Problem]):
    """Yield relative paths of files under ``start``, skipping what Jekyll skips.

    ``start`` itself is walked even when its name starts with "_" (``_posts``).
    """
    seen: set[tuple[int, int]] = set()
    folder = site_folder(root)
    stack = [start]
    while stack:
        rel_dir = stack.pop()
        directory = root / rel_dir if rel_dir else root
        if rel_dir and not folder.inside(rel_dir):
            problems.append(Problem(rel_dir, OUTSIDE_FOLDER))
            continue
        try:
            stat = directory.stat()
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", f"cannot read directory: {exc.strerror or exc}"))
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            problems.append(Problem(rel_dir, "symbolic link loop; directory skipped"))
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", f"cannot read directory: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                problems.append(Problem(rel, f"cannot read: {exc.strerror or exc}"))
                continue
            if is_dir:
                if not filt.skip(rel):
                    subdirs.append(rel)
                continue
            if filt.skip(rel):
                continue
            if not folder.entry_inside(entry):
                problems.append(Problem(rel, OUTSIDE_FILE))
                continue
            yield rel
        stack.extend(reversed(subdirs))


@functools.lru_cache(maxsize=64)
def site_folder(root: Path) -> SiteFolder:
    """The site's folder, resolved once: what every read of its files is checked against."""
    return SiteFolder(root)


def _read_text(root: Path, rel: str, problems: list[Problem]) -> str | None:
    try:
        raw = site_folder(root).read_bytes(rel)
    except OutsideSite:
        problems.append(Problem(rel, OUTSIDE_FILE))
        return None
    except OSError as exc:
        problems.append(Problem(rel, f"cannot read file: {exc.strerror or exc}"))
        return None
    if b"\x00" in raw[:8192]:
        problems.append(Problem(rel, "binary file where a text page was expected"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(rel, f"not valid UTF-8 (byte {exc.start})", line))
        return None
    return text


def head_of(text: str, body: str) -> str:
    """What stands in a file's ``text`` before its ``body``, which is always the text's end."""
    if not text.endswith(body):
        raise ValueError("a page's body is not the end of its file's text")
    return text[: len(text) - len(body)]


def _has_front_matter(text: str) -> bool:
    return bool(re.match(r"---[ \t]*\r?\n", text))


def _split(text: str, rel: str, problems: list[Problem]) -> tuple[dict, str, int] | None:
    """Front matter, body and the body's first line, read as Jekyll reads them.

    Broken front matter YAML is reported, and the file is still published without
    it (Jekyll warns and goes on); front matter that is never closed is no front
    matter (its lines are text). Only front matter that is not a mapping, which
    stops Jekyll's build, gives None.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        problems.append(Problem(rel, "front matter starts with --- but is never closed: published as text", 1))
        return {}, text, 1
    raw = match.group(1) or ""
    body = text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    try:
        data = load_yaml(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(rel, f"invalid YAML front matter: {reason}; published without it", line))
        return {BROKEN_FRONT_MATTER: True}, body, body_line
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(rel, "front matter is not a mapping of keys to values", 2))
        return None
    return _shared_words(data), body, body_line


SHARED_WORD = 64  # a longer front matter string (a title, a summary) is rarely another page's too


def _shared_words(data: dict) -> dict:
    """``data`` with its keys and short strings made one object per spelling, in place.

    Each page's YAML gives it its own "layout", "title", "post" and tag strings: a large site holds
    hundreds of thousands of copies while it is built, and a forked worker of the build copies the
    memory each one stands on when it reads it. The walk visits each list and mapping once, so
    aliases and deep nesting cost no more than the file's own values.
    """
    seen: set[int] = set()
    stack: list = [data]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is dict:
            items = list(node.items())
            node.clear()
            for key, value in items:
                node[_word(key)] = _word(value)
                if type(value) is dict or type(value) is list:
                    stack.append(value)
        elif type(node) is list:
            for place, value in enumerate(node):
                node[place] = _word(value)
                if type(value) is dict or type(value) is list:
                    stack.append(value)
    return data


def _word(value: Any) -> Any:
    return sys.intern(value) if type(value) is str and len(value) <= SHARED_WORD else value


# -- defaults and URLs ---------------------------------------------------------------------


def _apply_defaults(config: dict, rel: str, kind: str, collection: str | None, data: dict) -> dict:
    """Front matter defaults from _config.yml, most specific scope last, file wins."""
    type_name = {"page": "pages", "post": "posts"}.get(kind, collection or "")
    merged: dict = {}
    matches = []
    for entry in config.get("defaults") or []:
        if not isinstance(entry, dict):
            continue
        scope = entry.get("scope") or {}
        values = entry.get("values") or {}
        if not isinstance(scope, dict) or not isinstance(values, dict):
            continue
        scope_type = scope.get("type")
        if scope_type and scope_type != type_name:
            continue
        scope_path = str(scope.get("path") or "").strip("/")
        if scope_path:
            if "*" in scope_path or "?" in scope_path:
                if not (fnmatch.fnmatchcase(rel, scope_path) or fnmatch.fnmatchcase(rel, scope_path + "/*")):
                    continue
            elif not (rel == scope_path or rel.startswith(scope_path + "/")):
                continue
        rank = (len(scope_path.split("/")) if scope_path else 0, bool(scope_type))
        matches.append((rank, values))
    for _, values in sorted(matches, key=lambda m: m[0]):
        merged.update(values)
    merged.update(data)
    return merged


def _slugify(text: str, cased: bool = False) -> str:
    """Jekyll's "pretty" slug: keeps most URL-safe punctuation, collapses the rest to -."""
    slug = re.sub(r"[^\w._~!$&'()+,;=@]+", "-", text).strip("-")
    return slug if cased else slug.lower()


def _fill(template: str, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        key = match.group(1)
        # longest known placeholder that prefixes the match (":title:output_ext" etc.)
        for end in range(len(key), 0, -1):
            if key[:end] in values:
                return values[key[:end]] + key[end:]
        return match.group(0)

    url = _PLACEHOLDER.sub(replace, template)
    return _clean_url(url)


def _clean_url(url: str) -> str:
    url = "/" + url.replace("..", "/").replace("./", "")
    url = re.sub(r"/{2,}", "/", url)
    return quote(url, safe="/-._~!$&'()*+,;=:@")


def _permalink_suffix(template: str, style: str) -> str:
    if style == "pretty":
        return template + "/"
    if style in ("date", "ordinal", "none", "weekdate"):
        return template + ":output_ext"
    if style.endswith("/"):
        return template + "/"
    if style.endswith(":output_ext"):
        return template + ":output_ext"
    return template


def _output_ext(rel: str) -> str:
    ext = os.path.splitext(rel)[1].lower()
    return ".html" if ext in MARKDOWN_EXTS else ext


def _page_url(rel: str, data: dict, style: str) -> str:
    directory, name = os.path.split(rel)
    basename = os.path.splitext(name)[0].rstrip(".")  # Jekyll drops a page name's trailing dots
    out = _output_ext(rel)
    values = {"path": "/" + directory if directory else "", "basename": basename, "output_ext": out}
    permalink = data.get("permalink")
    if permalink:
        return _fill(str(permalink), values)
    if out not in HTML_EXTS:
        template = "/:path/:basename:output_ext"
    elif basename == "index":
        template = "/:path/"
    else:
        template = _permalink_suffix("/:path/:basename", style)
    return _fill(template, values)


def _date_values(date: dt.datetime) -> dict[str, str]:
    return {
        "year": date.strftime("%Y"),
        "short_year": date.strftime("%y"),
        "month": date.strftime("%m"),
        "i_month": str(date.month),
        "short_month": date.strftime("%b"),
        "long_month": date.strftime("%B"),
        "day": date.strftime("%d"),
        "i_day": str(date.day),
        "y_day": date.strftime("%j"),
        "w_year": str(date.isocalendar()[0]),
        "week": f"{date.isocalendar()[1]:02d}",
        "w_day": str(date.isocalendar()[2]),
        "short_day": date.strftime("%a"),
        "long_day": date.strftime("%A"),
        "hour": date.strftime("%H"),
        "minute": date.strftime("%M"),
        "second": date.strftime("%S"),
    }


def _document_url(sf: SourceFile, template: str, rel_in_collection: str) -> str:
    stem = os.path.splitext(rel_in_collection)[0]
    name = os.path.basename(stem)
    slug_source = str(sf.front_matter.get("slug") or sf.slug or name)
    values = {
        "collection": sf.collection or "posts",
        "path": stem,
        "name": _slugify(name),
        "title": _slugify(slug_source, cased=True),
        "slug": _slugify(slug_source),
        "categories": "/".join(dict.fromkeys(c.lower() for c in sf.categories)),
        "output_ext": _output_ext(sf.path),
    }
    if sf.date:
        values.update(_date_values(sf.date))
    permalink = sf.front_matter.get("permalink")
    return _fill(str(permalink) if permalink else template, values)


def site_timezone(config: dict) -> dt.tzinfo | None:
    """The zone of ``timezone:`` in _config.yml; None for the machine's own (what Jekyll uses without one)."""
    name = config.get("timezone")
    if not name:
        return None
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(str(name))
    except (ImportError, ValueError, KeyError, OSError):
        return None


def _local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """A time with an offset as the site's clock reads it (the post's URL and date follow that clock)."""
    return value.astimezone(tz).replace(tzinfo=None)


def _to_datetime(value, tz: dt.tzinfo | None = None) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return _local(value, tz) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return dt.datetime(value, 1, 1)  # "date: 2023" dates a paper by its year
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}", text):
            return dt.datetime(int(text), 1, 1)
        for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                parsed = dt.datetime.strptime(text, fmt)
                return _local(parsed, tz) if parsed.tzinfo else parsed
            except ValueError:
                continue
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        return _local(parsed, tz) if parsed.tzinfo else parsed
    return None


def _titleize(slug: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in slug.split("-"))


# -- data ----------------------------------------------------------------------------------


def _read_data(root: Path, data_dir: str, problems: list[Problem]) -> dict:
    base = root / data_dir
    data: dict = {}
    if not base.is_dir():
        return data
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = os.path.relpath(dirpath, base)
        target = data
        if rel_dir != ".":
            for part in rel_dir.split(os.sep):
                nxt = target.get(part)
                if not isinstance(nxt, dict):
                    nxt = target[part] = {}
                target = nxt
        for name in sorted(filenames):
            stem, ext = os.path.splitext(name)
            ext = ext.lower()
            if ext not in (".yml", ".yaml", ".json", ".csv", ".tsv") or name.startswith("."):
                continue
            rel = f"{data_dir}/{name}" if rel_dir == "." else f"{data_dir}/{rel_dir.replace(os.sep, '/')}/{name}"
            text = _read_text(root, rel, problems)
            if text is None:
                continue
            try:
                if ext in (".yml", ".yaml"):
                    value = load_yaml(text)
                elif ext == ".json":
                    value = json.loads(text)
                else:
                    delimiter = "\t" if ext == ".tsv" else ","
                    value = [dict(row) for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                problems.append(
                    Problem(rel, f"invalid YAML data: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None)
                )
                continue
            except json.JSONDecodeError as exc:
                problems.append(Problem(rel, f"invalid JSON data: {exc.msg}", exc.lineno))
                continue
            except csv.Error as exc:
                problems.append(Problem(rel, f"invalid CSV data: {exc}"))
                continue
            target[stem] = value
    return data


# -- loading -------------------------------------------------------------------------------


def _collections_config(config: dict) -> dict[str, dict]:
    raw = config.get("collections") or {}
    if isinstance(raw, list):
        raw = {str(name): {} for name in raw}
    if not isinstance(raw, dict):
        return {}
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in raw.items() if str(k) != "posts"}


def _read_document(
    root: Path,
    rel: str,
    config: dict,
    kind: str,
    collection: str | None,
    problems: list[Problem],
    text: str | None = None,
    bare: bool = False,
) -> tuple[str, dict, str, int] | None:
    """A published file's text, front matter (with defaults), body and body line; None to skip it.

    Pages and collection documents need front matter (without it they are static
    files); a post does not: Jekyll reads every dated file in ``_posts``. Nor does a
    ``bare`` file: a Markdown page where GitHub Pages builds the site.
    """
    if text is None:
        text = _read_text(root, rel, problems)
    if text is None:
        return None
    if _has_front_matter(text):
        split = _split(text, rel, problems)
        if split is None:
            return None
        data, body, body_line = split
    elif kind == "post" or bare:
        data, body, body_line = {}, text, 1
    else:
        return None
    if kind != "post":
        data.pop(BROKEN_FRONT_MATTER, None)
    data = _apply_defaults(config, rel, kind, collection, data)
    if data.get("published", True) is False and not config.get("unpublished", False):
        return None
    return text, data, body, body_line


def load_site(root: Path | str, url: str | None = None) -> Site:
    """Read a Jekyll site's source: configuration, data, pages, posts and collections.

    Never raises for a bad file: what cannot be read is listed in ``site.problems``.
    """
    root = Path(root)
    site_folder.cache_clear()  # folders are resolved afresh for each reading of a site
    problems: list[Problem] = []
    config = _read_config(root, problems)
    config_root = root
    root = _source_folder(root, config, problems)
    site = Site(root=root, config=config, base_url=_base_url(root, config, url), problems=problems)
    site.config_root = config_root
    site.data = _read_data(root, config_folder(site, "data_dir", default="_data"), problems)
    reader = _Reader(site)
    post_dirs = reader.pages()
    for post_dir in post_dirs:
        reader.posts(post_dir)
    site.posts.sort(key=lambda p: (p.ordered_as or p.date, p.path), reverse=True)
    _limit_posts(site)
    for name, options in reader.collections.items():
        site.collections[name] = reader.collection(name, options)
    _link_translations(site)
    from .generators import generate

    generate(site)
    return site


def _name_date(text: str) -> dt.datetime | None:
    """The date a post's file name gives ("2019-06-05"); None when it is no date."""
    try:
        year, month, day = (int(x) for x in text.split("-"))
        return dt.datetime(year, month, day)
    except ValueError:
        return None


def _limit_posts(site: Site) -> None:
    """``limit_posts: N`` publishes only the N newest posts, as Jekyll does (0 or none: all)."""
    limit = site.config.get("limit_posts")
    if limit in (None, 0, False):
        return
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        site.problems.append(Problem("_config.yml", f"limit_posts must be a non-negative number, not {limit!r}", 1))
        return
    del site.posts[limit:]


def _source_folder(root: Path, config: dict, problems: list[Problem]) -> Path:
    """The folder Jekyll reads pages from: ``source:`` in _config.yml moves it, within the site.

    Jekyll takes _config.yml from the folder it is started in and then reads the site from
    ``source``; a site built from its repository's root keeps its pages in a subfolder.
    """
    source = config.get("source")
    if not isinstance(source, str) or source.strip() in ("", "."):
        return root
    folder = site_folder(root).real_path(source.strip())
    if folder is None or not folder.is_dir():
        reason = f"source: {source!r} is not a folder inside the site; the site is read from its root"
        problems.append(Problem("_config.yml", reason, config_line(root, "source")))
        return root
    return folder


def config_folder(site: Site, *keys: str, default: str) -> str:
    """A folder ``_config.yml`` names (``layouts_dir``, ``scholar.source``), relative to the site; the default
    when it leads outside the site, which is reported on the setting's line."""
    value: object = site.config
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    name, refused = site_folder(site.root).folder(value, default)
    if refused:
        problem = Problem(
            "_config.yml", f"{'.'.join(keys)}: {refused}", config_line(site.config_root or site.root, *keys)
        )
        if problem not in site.problems:
            site.problems.append(problem)
    return name


# GitHub Pages builds a site with jekyll-optional-front-matter on: a Markdown file without front matter is
# a page, except the repository's own files (the plugin's list).
_REPOSITORY_FILES = frozenset(
    "readme license licence copying code_of_conduct contributing issue_template pull_request_template changelog".split()
)
_GITHUB_PAGES_THEME = re.compile(r"jekyll-theme-[\w-]+|minima")


def plugins(config: dict) -> list[str]:
    """The gems a site's _config.yml names as plugins (``gems`` is the key's old name). Jekyll takes only
    a list there and refuses to build with anything else, so a string names no plugin."""
    names = []
    for key in ("plugins", "gems"):
        value = config.get(key)
        if isinstance(value, list):
            names += [str(v) for v in value if v is not None]
    return names


def _github_pages_plugin(config: dict, folder, plugin: str) -> bool:
    """Whether a plugin GitHub Pages always runs runs here: the site names it, or the site is one GitHub
    Pages builds with its own gems (no Gemfile of the site's, a GitHub Pages theme or a remote theme)."""
    if plugin in plugins(config):
        return True
    theme = str(config.get("theme") or "")
    github_theme = bool(_GITHUB_PAGES_THEME.fullmatch(theme)) or bool(config.get("remote_theme"))
    return github_theme and not folder.is_file("Gemfile")


def _optional_front_matter(config: dict, folder) -> bool:
    """Whether Markdown files without front matter are pages (jekyll-optional-front-matter)."""
    return _github_pages_plugin(config, folder, "jekyll-optional-front-matter")


def _readme_index(rel: str, folder, enabled: bool) -> bool:
    """Whether a README is its folder's index page (jekyll-readme-index): the folder has no index of its own."""
    directory, name = os.path.split(rel)
    stem, ext = os.path.splitext(name)
    if not enabled or stem.lower() != "readme" or ext.lower() not in MARKDOWN_EXTS:
        return False
    prefix = directory + "/" if directory else ""
    return not any(folder.is_file(f"{prefix}index{e}") for e in (*MARKDOWN_EXTS, *HTML_EXTS))


def _publishes_without_front_matter(rel: str) -> bool:
    stem = os.path.splitext(os.path.basename(rel))[0].lower()
    return os.path.splitext(rel)[1].lower() in MARKDOWN_EXTS and stem not in _REPOSITORY_FILES


class _Reader:
    """The steps of Jekyll's reader, in its order: pages (finding the _posts folders), posts, collections."""

    def __init__(self, site: Site) -> None:
        self.site, self.root, self.config, self.problems = site, site.root, site.config, site.problems
        self.filt = _Filter(self.config)
        self.style = str(self.config.get("permalink") or "date")
        self.show_future = bool(self.config.get("future", False))
        self.tz = site_timezone(self.config)
        self.now = dt.datetime.now()
        self.coll_dir = config_folder(site, "collections_dir", default="")
        self.collections = _collections_config(self.config)
        self.special_dirs = {f"{self.coll_dir}/_{name}" if self.coll_dir else f"_{name}" for name in self.collections}
        self.folder = site_folder(self.root)
        self.optional_front_matter = _optional_front_matter(self.config, self.folder)
        self.readme_index = _github_pages_plugin(self.config, self.folder, "jekyll-readme-index")

    def pages(self) -> list[str]:
        """Read pages and static files; return the _posts folders found anywhere in the tree."""
        post_dirs: list[str] = []
        for rel in _walk_with_posts(self.root, self.filt, self.problems, post_dirs):
            if rel in self.special_dirs or any(rel.startswith(d + "/") for d in self.special_dirs):
                continue
            self.page(rel)
        return post_dirs

    def page(self, rel: str) -> None:
        site = self.site
        ext = os.path.splitext(rel)[1].lower()
        if ext not in MARKDOWN_EXTS + HTML_EXTS:
            site.static_files.append(rel)
            return
        text = _read_text(self.root, rel, self.problems)
        if text is None:
            return
        readme = _readme_index(rel, self.folder, self.readme_index)
        bare = readme or (self.optional_front_matter and _publishes_without_front_matter(rel))
        if not bare and not _has_front_matter(text):
            site.static_files.append(rel)
            if ext in HTML_EXTS:  # copied as it is, and a visitor can open it
                page = SourceFile(rel, {}, text, 1, "static", _clean_url(rel), head="", slug=os.path.splitext(rel)[0])
                site.static_pages.append(site.texts.keep(page))
            return
        read = _read_document(self.root, rel, self.config, "page", None, self.problems, text, bare=bare)
        if read is None:
            return
        text, data, body, body_line = read
        if readme and not data.get("permalink"):  # the folder's address, as its index would have
            directory = os.path.dirname(rel)
            data["permalink"] = f"/{directory}/" if directory else "/"
        url = _page_url(rel, data, self.style)
        head = head_of(text, body)
        sf = SourceFile(path=rel, front_matter=data, body=body, body_line=body_line, kind="page", url=url, head=head)
        sf.slug = os.path.splitext(os.path.basename(rel))[0]
        site.pages.append(site.texts.keep(sf))

    def posts(self, post_dir: str) -> None:
        parent = post_dir.rsplit("/", 1)[0] if "/" in post_dir else ""
        if self.coll_dir and parent == self.coll_dir:  # <collections_dir>/_posts names no category
            parent = ""
        path_categories = [p for p in parent.split("/") if p]
        template = PERMALINK_STYLES.get(self.style, self.style)
        for rel in _walk(self.root, post_dir, self.filt, self.problems):
            sf = self.post(rel, path_categories)
            if sf is not None:
                sf.url = _document_url(sf, template, rel[len(post_dir) + 1 :])
                self.site.posts.append(sf)

    def post(self, rel: str, path_categories: list[str]) -> SourceFile | None:
        name = rel.rsplit("/", 1)[-1]
        match = _POST_NAME.match(name)
        if not match or match.group(3).lower() in (".yml", ".yaml"):  # a data file there is no post
            return None
        read = _read_document(self.root, rel, self.config, "post", None, self.problems)
        if read is None:
            return None
        text, data, body, body_line = read
        date = _to_datetime(data.get("date"), self.tz)
        ordered_as = None
        if data.pop(BROKEN_FRONT_MATTER, False):
            # Jekyll stops reading such a post before its file name gives it a date and a title
            ordered_as = _name_date(match.group(1))
            date, match = self.now, _POST_NAME.match("0000-00-00-" + name)
            assert match is not None
        if date is None:
            date = _name_date(match.group(1))
            if date is None:
                self.problems.append(Problem(rel, f"invalid date in post file name: {match.group(1)}", 1))
                return None
        if date > self.now and not self.show_future:
            return None
        slug = match.group(2)
        categories = path_categories + _as_list(data.get("category")) + _as_list(data.get("categories"))
        sf = SourceFile(
            path=rel,
            front_matter=data,
            body=body,
            body_line=body_line,
            kind="post",
            url="",
            date=date,
            categories=list(dict.fromkeys(categories)),
            tags=list(dict.fromkeys(_as_list(data.get("tag")) + _as_list(data.get("tags")))),
            slug=str(data.get("slug") or slug),
            collection="posts",
            head=head_of(text, body),
            ordered_as=ordered_as,
        )
        sf.front_matter.setdefault("title", _titleize(slug))
        return self.site.texts.keep(sf)

    def collection(self, name: str, options: dict) -> list[SourceFile]:
        base = f"{self.coll_dir}/_{name}" if self.coll_dir else f"_{name}"
        docs: list[SourceFile] = []
        if (self.root / base).is_dir():
            output = bool(options.get("output", False))
            # without a permalink of its own a collection follows the site's style: "/" or the extension
            template = str(options.get("permalink") or _permalink_suffix("/:collection/:path", self.style))
            template = PERMALINK_STYLES.get(template, template)
            for rel in _walk(self.root, base, self.filt, self.problems):
                if os.path.splitext(rel)[1].lower() not in MARKDOWN_EXTS + HTML_EXTS:
                    continue
                read = _read_document(self.root, rel, self.config, "collection", name, self.problems)
                if read is None:
                    continue
                text, data, body, body_line = read
                stem = os.path.splitext(os.path.basename(rel))[0]
                sf = SourceFile(
                    path=rel,
                    front_matter=data,
                    body=body,
                    body_line=body_line,
                    kind="collection",
                    url="",
                    date=_to_datetime(data.get("date"), self.tz),
                    categories=_as_list(data.get("categories")),
                    tags=_as_list(data.get("tags")),
                    slug=str(data.get("slug") or stem),
                    collection=name,
                    head=head_of(text, body),
                    output=output,
                )
                sf.url = _document_url(sf, template, rel[len(base) + 1 :])
                docs.append(self.site.texts.keep(sf))
        sort_by = options.get("sort_by")
        if sort_by:
            docs.sort(key=lambda d: (d.front_matter.get(sort_by) is None, str(d.front_matter.get(sort_by, ""))))
        return docs


def _walk_with_posts(root: Path, filt: _Filter, problems: list[Problem], post_dirs: list[str]):
    """Walk the site for pages, noting every ``_posts`` folder on the way (Jekyll reads them all)."""
    yield from _walk(root, "", _PostsAware(filt, post_dirs), problems)


class _PostsAware(_Filter):
    def __init__(self, inner: _Filter, post_dirs: list[str]):
        self.inner = inner
        self.post_dirs = post_dirs

    def skip(self, rel: str) -> bool:
        if rel.rsplit("/", 1)[-1] == "_posts":
            if rel not in self.post_dirs:
                self.post_dirs.append(rel)
            return True
        return self.inner.skip(rel)


# -- one page in several languages ---------------------------------------------------------

_LANGUAGE = re.compile(r"^([a-z]{2})(?:[-_][A-Za-z]{2})?$")
_REF_KEYS = ("ref", "lang_ref", "lang-ref", "translation_key")


def _language_code(value) -> str | None:
    match = _LANGUAGE.match(str(value).strip()) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def _link_translations(site: Site) -> None:
    """Find the pages that are one page in other languages, and note each one's twins' URLs.

    Twins share a ``ref`` (or ``lang_ref``, ``translation_key``) in front matter, name each
    other in ``translations``, stand at one path in language trees (``/de/x/`` and ``/en/x/``
    or ``/x/``), or, with jekyll-polyglot, share a permalink; polyglot publishes the pages of
    languages other than ``default_lang`` under ``/<lang>/``, and their URLs say so here too.
    """
    config = site.config
    default = _language_code(config.get("default_lang")) or _language_code(config.get("lang")) or "en"
    declared = [c for c in map(_language_code, _as_list_raw(config.get("languages"))) if c]
    plugins = [str(p) for p in _as_list_raw(config.get("plugins")) + _as_list_raw(config.get("gems"))]
    polyglot = bool(declared) and ("jekyll-polyglot" in plugins or "default_lang" in config)
    trees = set(declared) | {"en", "de"}
    files = site.published()
    langs: dict[int, str] = {}
    for sf in files:
        head = sf.url.strip("/").split("/", 1)[0]
        own = _language_code(sf.front_matter.get("lang") or sf.front_matter.get("language"))
        langs[id(sf)] = own or (head if head in trees else default)
    groups: dict[tuple[str, str], list[SourceFile]] = {}
    for sf in files:
        lang = langs[id(sf)]
        ref = next((sf.front_matter[k] for k in _REF_KEYS if isinstance(sf.front_matter.get(k), (str, int))), None)
        keys = [("ref", str(ref))] if ref is not None and not isinstance(ref, bool) else []
        keys.append(("tree", _tree_path(sf.url, trees)))
        if polyglot:
            keys.append(("permalink", sf.url))
            if lang != default:
                sf.url = f"/{lang}{sf.url}"
        for key in keys:
            groups.setdefault(key, []).append(sf)
    for members in groups.values():
        for sf in members:
            for twin in members:
                other = langs[id(twin)]
                if other != langs[id(sf)]:
                    sf.translations.setdefault(other, site.base_url + twin.url)
    for sf in files:
        _named_translations(sf, site.base_url, langs[id(sf)])


def _tree_path(url: str, trees: set[str]) -> str:
    """A URL without its language folder: /de/team/ and /team/ are one place in two trees."""
    head, _, rest = url.strip("/").partition("/")
    return "/" + (rest if head in trees else url.strip("/"))


def _named_translations(sf: SourceFile, base_url: str, lang: str) -> None:
    """``translations:`` in front matter, as {lang: url} or [{lang, url}]; a URL on the site may be relative."""
    named = sf.front_matter.get("translations")
    pairs = named.items() if isinstance(named, dict) else []
    if isinstance(named, list):
        pairs = [(i.get("lang"), i.get("url")) for i in named if isinstance(i, dict)]
    for key, url in pairs:
        code = _language_code(key)
        if not code or code == lang or not isinstance(url, str) or not url.strip():
            continue
        url = url.strip()
        if url.startswith("/"):
            url = base_url + url
        if re.match(r"https?://", url):
            sf.translations[code] = url
