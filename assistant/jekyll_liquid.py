"""Liquid rendered the way Jekyll renders it.

Jekyll runs Ruby's Liquid 4 in its forgiving default mode and adds its own tags
and filters.  Real sites lean on that forgiveness (plugin tags the indexer does
not have, filters written without a colon, ``||`` in conditions), so this module
wraps python-liquid with the same leniency: what Jekyll would quietly accept
renders, and only templates Jekyll itself would refuse raise :class:`RenderError`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

from liquid import Environment, Mode
from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import BooleanExpression, FilteredExpression, TernaryFilteredExpression, tokenize
from liquid.builtin.expressions import logical as _logical
from liquid.context import RenderContext
from liquid.exceptions import (
    BlockNestingError,
    ContextDepthError,
    LiquidError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
)
from liquid.filter import with_context, with_environment
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.template import BoundTemplate
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT, TOKEN_TAG, Token
from liquid.undefined import Undefined

from .site_files import SiteFolder
from .theme import site_theme

__all__ = ["JekyllLiquid", "RenderError", "LiquidLimits"]


class LiquidLimits:
    """What the Liquid of one render (a page's body, or one of its layouts) may cost.

    A template that would loop, include or grow without end (nested loops of 100,000, an
    include that includes itself, a string doubled in a loop) stops at the first bound it
    passes, and the page becomes a problem naming the file and line; the rest of the site
    goes on. Work is counted, not timed, so where a page stops does not depend on the
    machine: a loop iteration costs 1, an include :attr:`include_cost`, a filter 1 plus the
    size of what it reads and makes. ``seconds`` is only a backstop for work the count misses.
    The costliest page of the real sites the project is measured on takes a 48th of :attr:`work`.
    """

    loops = 1_000_000  # iterations of nested loops, multiplied (python-liquid's loop_iteration_limit)
    work = 2_000_000  # units of work
    include_cost = 100
    output = 32_000_000  # characters a render writes (python-liquid's output_stream_limit)
    locals = 32_000_000  # characters of one variable, or 8 a list's item (python-liquid's local_namespace_limit)
    depth = 60  # scopes deep: about 25 includes within includes (python-liquid's context_depth_limit)
    seconds = 60.0


class WorkLimitError(ResourceLimitError):
    """More work (or, as a backstop, time) than one render may take."""


class _Budget:
    """The work one render has left; every loop, include and filter spends from it."""

    __slots__ = ("left", "next_check", "started", "clock", "seconds", "work")
    CHECK_EVERY = 1 << 16  # units between looks at the clock

    def __init__(self, work: int, seconds: float, clock: Callable[[], float]):
        self.work, self.left, self.seconds, self.clock = work, work, seconds, clock
        self.next_check = work - self.CHECK_EVERY
        self.started = clock()

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < self.next_check:
            self.check()

    def check(self) -> None:
        """Every :attr:`CHECK_EVERY` units (callers that spend often test ``left < next_check`` themselves)."""
        if self.left < 0:
            raise WorkLimitError(f"more than {self.work:,} steps of work (loops, includes, filters)", token=None)
        self.next_check = self.left - self.CHECK_EVERY
        if self.clock() - self.started > self.seconds:
            raise WorkLimitError(f"still running after {self.seconds:.0f} s", token=None)


# What a filter's input and result weigh: a unit of work per 256 characters, per 16 items (others are free).
_SIZED: dict[type, int] = {str: 8, list: 4, tuple: 4, dict: 4, range: 4}


class RenderError(Exception):
    """A template Jekyll itself would refuse, located by file and line."""

    def __init__(self, path: str, line: int | None, reason: str):
        super().__init__(path, line, reason)
        self.path = path
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


class LimitReached(RenderError):
    """A render stopped at one of :class:`LiquidLimits` (the file and line where it stood)."""


# --------------------------------------------------------------------------
# Lenient syntax: rewrite what Ruby's lax parser accepts into what python-liquid
# parses, keeping every character offset so error lines stay right.

_STRING = r"\"[^\"]*\"|'[^']*'"
_SPLIT_PIPES = re.compile(rf"({_STRING})|(\|\|?)")
_PAREN_CALL = re.compile(r"^(\s*[\w-]+\??)\s*\((.*)\)(\s*)$", re.S)
_NO_COLON = re.compile(r"^(\s*[\w-]+\??)(\s+)(?=[^\s:|])")
_KWARG_EQ = re.compile(rf"({_STRING})|(\b[\w-]+)\s*=(?!=)")
_CONDITION_TAGS = frozenset({"if", "elsif", "unless"})
_FILTER_TAGS = frozenset({"assign", "echo", TOKEN_OUTPUT})


def _split_pipes(text: str) -> list[str]:
    """Split an expression at single ``|`` outside string literals."""
    parts, start = [], 0
    for match in _SPLIT_PIPES.finditer(text):
        if match.group(2) == "|":
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


# ``default: empty``: Ruby's Liquid takes ``empty`` and ``blank`` for an argument, a value that prints as
# nothing and has no size; python-liquid does not parse them there, so they are given as "".
_EMPTY_ARGUMENT = re.compile(rf"({_STRING})|(?<=[:,])(\s*)(?:empty|blank)\b(?![\w.?-])")


def _fix_filter(segment: str) -> str:
    segment = _EMPTY_ARGUMENT.sub(lambda m: m.group(1) or f'{m.group(2)}""   ', segment)
    return _fix_filter_call(segment)


def _fix_filter_call(segment: str) -> str:
    """``join " "`` -> ``join: " "``; ``unique(attribute="x")`` -> ``unique: attribute: "x"``."""
    call = _PAREN_CALL.match(segment)
    if call:
        args = _KWARG_EQ.sub(lambda m: m.group(1) or f"{m.group(2)}:", call.group(2))
        return (
            f"{call.group(1)}: {args}{call.group(3)}"
            if args.strip()
            else call.group(1) + " " * (len(segment) - len(call.group(1)))
        )
    return _NO_COLON.sub(
        lambda m: m.group(1) + ":" + m.group(2)[1:] if len(m.group(2)) > 1 else m.group(1) + ": ", segment, count=1
    )


# A key named like a Liquid word (``publication.in``, ``item.for``) is a key to Ruby's Liquid; this
# parser takes the word for the operator, so such a key is asked for in brackets.
_WORD_KEY = re.compile(
    rf"({_STRING})|(?<=[\w\]])\.(in|and|or|contains|not|true|false|nil|null|empty|blank|with|for|as|limit|offset"
    r"|reversed|cols|if|else)\b(?![?\w-])"
)


def lenient_expression(tag: str, text: str) -> str:
    """Rewrite Ruby-Liquid-only syntax in a tag or output expression."""
    if "." in text:
        text = _WORD_KEY.sub(lambda m: m.group(1) or f'["{m.group(2)}"]', text)
    if tag in _CONDITION_TAGS:
        pieces = re.split(rf"({_STRING})", text)
        return "".join(p if i % 2 else p.replace("||", "or").replace("&&", "and") for i, p in enumerate(pieces))
    if tag in _FILTER_TAGS or tag == "filter":
        parts = _split_pipes(text)
        if len(parts) > 1:
            return "|".join([parts[0]] + [_fix_filter(p) for p in parts[1:]])
    return text


def _lenient_lt(token: Token, left: object, right: object) -> bool:
    """Order mixed values the way a reader expects instead of failing the page."""
    if hasattr(left, "__liquid__"):
        left = left.__liquid__()
    if hasattr(right, "__liquid__"):
        right = right.__liquid__()
    if left is None or right is None or isinstance(left, Undefined) or isinstance(right, Undefined):
        return False
    numbers = (int, float, Decimal)
    if isinstance(left, numbers) and isinstance(right, numbers):
        return left < right
    if isinstance(left, str) and isinstance(right, str):
        return left < right
    try:
        return float(left) < float(right)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(left) < str(right)


# Ruby's Liquid compares "2020" < 2021 without failing the whole page; so do we.
_logical._lt = _lenient_lt


# --------------------------------------------------------------------------
# Values


def _plain(value: object) -> Any:
    """Undefined -> None, drops -> their Liquid value."""
    if isinstance(value, Undefined):
        return None
    if hasattr(value, "__liquid__"):
        return value.__liquid__()
    return value


def _prop(item: object, name: object) -> Any:
    """Read ``a.b.c`` from a mapping (or object), None when absent."""
    value: Any = _plain(item)
    for key in str(name).split("."):
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, (list, tuple)) and key.lstrip("-").isdigit():
            idx = int(key)
            value = value[idx] if -len(value) <= idx < len(value) else None
        elif isinstance(value, (list, tuple)) and key in ("size", "first", "last"):
            value = len(value) if key == "size" else (value[0] if key == "first" else value[-1]) if value else None
        elif value is not None and not isinstance(value, (str, int, float)) and hasattr(value, key):
            value = getattr(value, key)
        else:
            return None
    return _plain(value)


def _seq(value: object) -> list[Any]:
    value = _plain(value)
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (str, bytes)):
        return [value]
    try:
        return list(value)  # type: ignore[call-overload]
    except TypeError:
        return [value]


def _to_s(value: object) -> str:
    """Ruby's to_s for the values templates compare."""
    value = _plain(value)
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _to_datetime(value: object) -> dt.datetime | None:
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if text in ("now", "today"):
            return dt.datetime.now()
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        for fmt in (
            "%Y-%m-%d %H:%M:%S %z",
            "%Y-%m-%d %H:%M:%S",
            "%d %B %Y",
            "%d %b %Y",
            "%B %d, %Y",
            "%b %d, %Y",
            "%Y/%m/%d",
        ):
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
    return None


# --------------------------------------------------------------------------
# Jekyll's filters (https://jekyllrb.com/docs/liquid/filters/)


def _where(items: object, prop: object, value: object = None) -> list[Any]:
    target = _plain(value)
    if prop is None or isinstance(target, (list, dict)):
        return _seq(items)
    out = []
    for item in _seq(items):
        have = _prop(item, prop)
        if target is None:
            if have is None:
                out.append(item)
            continue
        want = _to_s(target)
        if isinstance(have, str):
            if have == want:
                out.append(item)
        elif any(_to_s(v) == want for v in (have if isinstance(have, (list, tuple)) else [have])):
            out.append(item)
    return out


def _find(items: object, prop: object, value: object = None) -> Any:
    found = _where(items, prop, value)
    return found[0] if found else None


class _ExpressionCache:
    """Parsed ``where_exp``/``group_by_exp`` expressions, keyed by their text."""

    def __init__(self, env: Environment):
        self.env = env
        self.conditions: dict[str, BooleanExpression] = {}
        self.values: dict[str, FilteredExpression | TernaryFilteredExpression] = {}

    def _stream(self, text: str, tag: str) -> TokenStream:
        text = lenient_expression(tag, text)
        token = Token(TOKEN_EXPRESSION, text, 0, text)
        return TokenStream(tokenize(text, token))

    def condition(self, text: str) -> BooleanExpression:
        if text not in self.conditions:
            self.conditions[text] = BooleanExpression.parse(self.env, self._stream(text, "if"))
        return self.conditions[text]

    def value(self, text: str) -> FilteredExpression | TernaryFilteredExpression:
        if text not in self.values:
            self.values[text] = FilteredExpression.parse(self.env, self._stream(text, TOKEN_OUTPUT))
        return self.values[text]


def _select_exp(items: object, variable: object, expression: object, context: Any) -> Iterator[Any]:
    expr = context.env.expressions.condition(str(expression))
    name = str(variable)
    for item in _seq(items):
        with context.extend({name: item}):
            if expr.evaluate(context):
                yield item


@with_context
def _where_exp(items: object, variable: object, expression: object, *, context: Any) -> list[Any]:
    return list(_select_exp(items, variable, expression, context))


@with_context
def _find_exp(items: object, variable: object, expression: object, *, context: Any) -> Any:
    return next(_select_exp(items, variable, expression, context), None)


def _grouped(pairs: Iterable[tuple[Any, Any]]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    index: dict[str, dict[str, Any]] = {}
    for name, item in pairs:
        key = json.dumps(name, sort_keys=True, default=str)
        if key not in index:
            index[key] = {"name": name, "items": [], "size": 0}
            groups.append(index[key])
        index[key]["items"].append(item)
        index[key]["size"] += 1
    return groups


def _group_by(items: object, prop: object) -> list[dict[str, Any]]:
    return _grouped((_to_s(_prop(item, prop)), item) for item in _seq(items))


@with_context
def _group_by_exp(items: object, variable: object, expression: object, *, context: Any) -> list[dict[str, Any]]:
    expr = context.env.expressions.value(str(expression))
    name = str(variable)

    def pairs() -> Iterator[tuple[Any, Any]]:
        for item in _seq(items):
            with context.extend({name: item}):
                yield _plain(expr.evaluate(context)), item

    return _grouped(pairs())


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (1, str(value))
    if isinstance(value, (int, float, Decimal)):
        return (0, value)
    if isinstance(value, (dt.date, dt.datetime)):
        return (2, _to_datetime(value).replace(tzinfo=None))  # type: ignore[union-attr]
    return (3, _to_s(value))


def _sort(items: object, prop: object = None, nils: object = "first") -> list[Any]:
    """Jekyll's sort: nils first unless told ``"last"``."""
    values = _seq(items)
    prop = _plain(prop)
    if prop is None:
        present = [v for v in values if _plain(v) is not None]
        return sorted(present, key=lambda v: _sort_key(_plain(v)))
    have = [v for v in values if _prop(v, prop) is not None]
    missing = [v for v in values if _prop(v, prop) is None]
    have.sort(key=lambda v: _sort_key(_prop(v, prop)))
    return have + missing if _to_s(nils) == "last" else missing + have


def _uniq(items: object, attribute: object = None, **kwargs: Any) -> list[Any]:
    attribute = _plain(kwargs.get("attribute", attribute))
    seen: set[str] = set()
    out = []
    for item in _seq(items):
        key = json.dumps(_prop(item, attribute) if attribute else _plain(item), sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _concat(items: object, other: object = None) -> list[Any]:
    return _seq(items) + _seq(other)


def _push(items: object, value: object = None) -> list[Any]:
    return _seq(items) + [_plain(value)]


def _unshift(items: object, value: object = None) -> list[Any]:
    return [_plain(value)] + _seq(items)


def _pop(items: object, count: object = 1) -> list[Any]:
    values = _seq(items)
    n = max(_int(count, 1), 0)
    return values[: len(values) - n] if n else values


def _shift(items: object, count: object = 1) -> list[Any]:
    return _seq(items)[max(_int(count, 1), 0) :]


def _sample(items: object, count: object = None) -> Any:
    """Deterministic stand-in for Jekyll's random sample: the first item(s)."""
    values = _seq(items)
    if _plain(count) is None:
        return values[0] if values else None
    return values[: _int(count, 1)]


def _int(value: object, default: int = 0) -> int:
    try:
        return int(float(_plain(value)))
    except (TypeError, ValueError):
        return default


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def _leading_slash(text: str) -> str:
    return text if not text or text.startswith("/") else "/" + text


def _url(value: object) -> str | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, dict) and "url" in value:
        value = value["url"]
    return _to_s(value)


@with_context
def _relative_url(value: object, *, context: Any) -> str | None:
    text = _url(value)
    if text is None or _ABSOLUTE.match(text):
        return text
    base = _to_s(context.env.jekyll.config.get("baseurl")).rstrip("/")
    return quote(_leading_slash(base) + _leading_slash(text), safe=_URL_SAFE)


@with_context
def _absolute_url(value: object, *, context: Any) -> str | None:
    text = _url(value)
    if text is None or _ABSOLUTE.match(text):
        return text
    relative = _relative_url(text, context=context)
    site_url = _to_s(context.env.jekyll.config.get("url"))
    if not site_url:
        site = _plain(context.resolve("site"))
        site_url = _to_s(site.get("url")) if isinstance(site, dict) else ""
    return site_url.rstrip("/") + (relative or "") if site_url else relative


_SLUG_MODES = {
    "raw": re.compile(r"\s+"),
    "default": re.compile(r"[^\w]+|_+"),
    "pretty": re.compile(r"[^\w._~!$&'()+,;=@]+|_(?=_)"),
    "ascii": re.compile(r"[^a-zA-Z0-9]+"),
}


def _slugify(value: object, mode: object = "default", cased: object = False) -> str:
    """Jekyll's slugify; 'latin' drops accents before the ascii rules."""
    text = _to_s(value)
    mode = _to_s(mode) or "default"
    if mode not in _SLUG_MODES and mode != "latin":  # "none" and unknown modes: the text, lower-cased
        return text if _plain(cased) else text.lower()
    if mode == "latin":
        text = _transliterate(text)
        mode = "ascii"
    pattern = _SLUG_MODES[mode]
    slug = re.sub(r"^-+|-+$", "", pattern.sub("-", text))
    return slug if _plain(cased) else slug.lower()


# I18n.transliterate's Latin letters that are not an ASCII letter with accents
_TRANSLITERATION = str.maketrans(
    {
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "TH",
        "þ": "th",
        "Ð": "D",
        "ð": "d",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "ı": "i",
        "Ŋ": "NG",
        "ŋ": "ng",
        "ĸ": "k",
    }
)


def _transliterate(text: str) -> str:
    """Latin letters to ASCII as Jekyll's "latin" slugs do (ä -> a, ß -> ss); other letters become "?"."""
    out = []
    for char in unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION)):
        if char.isascii():
            out.append(char)
        elif not unicodedata.combining(char):
            out.append("?")
    return "".join(out)


@with_environment
def _markdownify(value: object, *, environment: Any) -> str:
    """Jekyll converts with the site's Markdown converter: kramdown, so raw HTML blocks stay whole."""
    from assistant.kramdown import markdown_to_html

    return markdown_to_html(_to_s(value), environment.jekyll.config)


_SMART = [
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"(^|[\s(\[{\u2014\u2013-])\"(?=\S)"), "\\1\u201c"),
    (re.compile(r"\""), "\u201d"),
    (re.compile(r"(^|[\s(\[{\u2014\u2013-])'(?=\S)"), "\\1\u2018"),
    (re.compile(r"'"), "\u2019"),
]


def _smartify(value: object) -> str:
    text = _to_s(value)
    for pattern, repl in _SMART:
        text = pattern.sub(repl, text)
    return text


def _date_to(fmt_day: str) -> Callable[..., str]:
    def date_filter(value: object, style: object = None, usa: object = None) -> str:
        when = _to_datetime(value)
        if when is None:
            return _to_s(value)
        month = when.strftime("%b" if fmt_day == "short" else "%B")
        if _to_s(style) == "ordinal":
            day = when.day
            suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
            if _to_s(usa) == "US":
                return f"{month} {day}{suffix}, {when.year}"
            return f"{day}{suffix} {month} {when.year}"
        if _to_s(usa) == "US":
            return f"{month} {when.day}, {when.year}"
        return f"{when.day:02d} {month} {when.year}"

    return date_filter


def _aware(value: object) -> dt.datetime | None:
    """A date with its time zone (the local one when it has none), as Jekyll's date formats want."""
    when = _to_datetime(value)
    return when.astimezone() if when is not None and when.tzinfo is None else when


def _date_to_xmlschema(value: object) -> str:
    when = _aware(value)
    return _to_s(value) if when is None else when.isoformat()


def _date_to_rfc822(value: object) -> str:
    when = _aware(value)
    return _to_s(value) if when is None else when.strftime("%a, %d %b %Y %H:%M:%S %z")


def _date(value: object, fmt: object = None) -> str:
    when = _to_datetime(value)
    fmt = _plain(fmt)
    if when is None or not fmt:
        return _to_s(value)
    fmt = str(fmt).replace("%-d", str(when.day)).replace("%-m", str(when.month)).replace("%e", f"{when.day:2d}")
    fmt = (
        fmt.replace("%-H", str(when.hour))
        .replace("%-I", str(int(when.strftime("%I"))))
        .replace("%P", when.strftime("%p").lower())
    )
    try:
        return when.strftime(fmt)
    except ValueError:
        return _to_s(value)


def _json_default(value: object) -> Any:
    value = _plain(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    return None if value is None else str(value)


def _jsonify(value: object) -> str:
    return json.dumps(_plain(value), default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _inspect(value: object) -> str:
    return json.dumps(_plain(value), default=_json_default, ensure_ascii=False)


def _xml_escape(value: object) -> str:
    return html.escape(_to_s(value), quote=True).replace("&#x27;", "&#39;")


def _cgi_escape(value: object) -> str:
    """Ruby's CGI.escape: only letters, digits and ``_.-~`` stay; a space is ``+``."""
    return quote_plus(_to_s(value), safe="")


def _uri_escape(value: object) -> str:
    return quote(_to_s(value), safe=_URL_SAFE)


def _number_of_words(value: object, mode: object = None) -> int:
    text = _to_s(value)
    if _to_s(mode) in ("cjk", "auto"):
        cjk = re.findall(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]", text)
        rest = re.sub(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]", " ", text)
        return len(cjk) + len(rest.split())
    return len(text.split())


def _array_to_sentence_string(items: object, connector: object = "and") -> str:
    values = [_to_s(v) for v in _seq(items)]
    word = _to_s(connector) or "and"
    if len(values) < 2:
        return values[0] if values else ""
    if len(values) == 2:
        return f"{values[0]} {word} {values[1]}"
    return f"{', '.join(values[:-1])}, {word} {values[-1]}"


def _normalize_whitespace(value: object) -> str:
    return re.sub(r"\s+", " ", _to_s(value)).strip()


def _strip_html(value: object) -> str:
    text = re.sub(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", "", _to_s(value), flags=re.S | re.I)
    return re.sub(r"<.*?>", "", text, flags=re.S)


def _newline_to_br(value: object) -> str:
    return re.sub(r"\r?\n", "<br />\n", _to_s(value))


def _to_integer(value: object) -> int:
    value = _plain(value)
    if value is True:
        return 1
    if value is False:
        return 0
    return _int(value)


def _join(items: object, separator: object = " ") -> str:
    value = _plain(items)
    if isinstance(value, str):
        return value
    glue = _to_s(separator if _plain(separator) is not None else " ")
    return glue.join(_to_s(v) for v in _flat(_seq(value)))


def _flat(items: list[Any]) -> Iterator[Any]:
    """Ruby's Array#join goes into nested arrays: [[a, b], [c]] joins as a, b, c."""
    for item in items:
        inner = _plain(item)
        if isinstance(inner, (list, tuple)):
            yield from _flat(list(inner))
        else:
            yield item


def _map(items: object, prop: object) -> list[Any]:
    return [_prop(item, prop) for item in _seq(items)]


def _size(value: object) -> int:
    value = _plain(value)
    try:
        return len(value)  # type: ignore[arg-type]
    except TypeError:
        return 0


def _first(value: object) -> Any:
    value = _plain(value)
    if isinstance(value, str):
        return value[:1] or None
    values = _seq(value)
    return values[0] if values else None


def _last(value: object) -> Any:
    value = _plain(value)
    if isinstance(value, str):
        return value[-1:] or None
    values = _seq(value)
    return values[-1] if values else None


def _reverse(value: object) -> list[Any]:
    return list(reversed(_seq(value)))


def _sort_natural(items: object, prop: object = None) -> list[Any]:
    values = _seq(items)
    prop = _plain(prop)
    key = (lambda v: _to_s(_prop(v, prop)).casefold()) if prop else (lambda v: _to_s(v).casefold())
    have = [v for v in values if (_prop(v, prop) if prop else _plain(v)) is not None]
    return sorted(have, key=key) + [v for v in values if v not in have]


def _compact(items: object, prop: object = None) -> list[Any]:
    if _plain(prop) is None:
        return [v for v in _seq(items) if _plain(v) is not None]
    return [v for v in _seq(items) if _prop(v, prop) is not None]


def _ruby_replacement(replacement: str) -> str:
    """Ruby's ``\\1`` and ``\\k<name>`` back-references in Python's ``re`` syntax."""
    return re.sub(r"\\k<(\w+)>", r"\\g<\1>", replacement)


def _regex_replace(value: object, pattern: object = "", replacement: object = "", count: int = 0) -> str:
    """jekyll-regex-replace: every match of a regular expression replaced (``\\1`` back-references work)."""
    return re.sub(_to_s(pattern), _ruby_replacement(_to_s(replacement)), _to_s(value), count=count)


def _regex_replace_once(value: object, pattern: object = "", replacement: object = "") -> str:
    return _regex_replace(value, pattern, replacement, count=1)


def _remove_accents(value: object) -> str:
    """``Schrödinger`` -> ``Schrodinger``: themes match names against data files keyed without accents."""
    decomposed = unicodedata.normalize("NFKD", _to_s(value))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- filters sites define in their own _plugins/*.rb ---------------------------------
# Site plugins cannot run here; these few are defined, under the same names and
# with the same meaning, by many sites built from the same popular starter
# templates, and without them a template's output goes wrong rather than blank
# (a filter Liquid does not know returns its input unchanged).


def _ruby_regex(pattern: object, multiline: bool = False) -> re.Pattern[str]:
    """Ruby's ``/pattern/`` (``^`` and ``$`` match at every line) or ``/pattern/m`` (``.`` matches newlines)."""
    return re.compile(_to_s(pattern), re.M | (re.S if multiline else 0))


def _regex_scan(value: object, pattern: object = "", multiline: object = False, every: object = False) -> Any:
    """First capture of the first match (every capture with a true fourth argument); nil when nothing matches."""
    found: list[Any] = []
    for match in _ruby_regex(pattern, bool(_plain(multiline))).finditer(_to_s(value)):
        found.extend(match.groups() if match.re.groups else [match.group(0)])
    if _plain(every):
        return found
    return found[0] if found else None


def _regex_strip(value: object) -> str:
    """Letters, digits and ``.,;:-`` kept, everything else folded into single spaces."""
    return " ".join(re.sub(r"[^\w.,;:-]|_", " ", _to_s(value)).split())


def _array_filter(value: object) -> list[Any]:
    """Blank entries dropped, strings stripped."""
    items = [v.strip() if isinstance(v, str) else v for v in (_plain(x) for x in _seq(value))]
    return [v for v in items if v is not None and v is not False and v != ""]


def _array_carve(value: object, length: object = 3) -> list[Any]:
    """A long list shortened to its first and last ``length`` items around ``...``."""
    items, n = _seq(value), int(_plain(length) or 3)
    return items if len(items) <= n * 2 else [*items[:n], "...", *items[-n:]]


def _keys_or_items(value: object) -> Any:
    value = _plain(value)
    return list(value.keys()) if isinstance(value, dict) else value


def _object_items(value: object) -> list[Any]:
    value = _plain(value)
    if isinstance(value, dict):
        return list(value.keys())
    return list(value) if isinstance(value, (list, tuple)) else []


def _hash_keys(value: object) -> list[Any]:
    value = _plain(value)
    return list(value.keys()) if isinstance(value, dict) else []


def _hash_default(value: object, defaults: object) -> Any:
    """Keys missing from ``value`` taken from ``defaults``; a default holding ``$VALUE`` wraps the given string."""
    given, fallback = _plain(value), _plain(defaults)
    if not isinstance(fallback, dict) or not (isinstance(given, dict) or hasattr(given, "items")):
        return given
    merged = {k: _plain(v) for k, v in given.items()}
    for key, default in fallback.items():
        if isinstance(default, str) and "$VALUE" in default:
            if isinstance(merged.get(key), str):
                merged[key] = default.replace("$VALUE", merged[key], 1)
        elif merged.get(key) is None:
            merged[key] = default
    return merged


def _is_nil(value: object, fallback: object = None) -> Any:
    """``value`` unless it is nil (``false`` stays ``false``, unlike ``default``)."""
    value = _plain(value)
    return _plain(fallback) if value is None else value


def _data_filter(value: object, filters: object = None) -> Any:
    """Items whose ``key`` matches a regular expression, for each ``key: regex`` in a comma list;
    ``key:`` alone keeps items without that key. Later versions of the template take a condition
    on the item's fields instead ("role == 'pi' and group != 'alum'"), evaluated by ``_Condition``."""
    items, spec = _plain(value), _plain(filters)
    if not isinstance(items, (list, tuple)) or not isinstance(spec, str):
        return items
    if _CONDITION_SIGN.search(spec):
        try:
            condition = _Condition(spec)
        except ValueError:
            return items  # a condition this reader cannot follow filters nothing out
        return [d for d in items if condition.holds(d)]
    kept = list(items)
    for part in _array_filter(spec.split(",")):
        key, *rest = _array_filter(part.split(":"))
        if not rest:
            kept = [d for d in kept if _prop(d, key) is None]
        else:
            regex = _ruby_regex(rest[0], multiline=True)
            kept = [d for d in kept if regex.search(_to_s(_prop(d, key)))]
    return kept


_CONDITION_SIGN = re.compile(r"==|!=|&&|\|\||\b(and|or|not)\b|^\s*!")
_CONDITION_TOKEN = re.compile(
    r"\s*(?:(?P<string>'[^']*'|\"[^\"]*\")|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\))"
    r"|(?P<name>[A-Za-z_][\w.]*))"
)
MAX_CONDITION_CHARS = 500


class _Condition:
    """A condition on an item's fields, as the template's Ruby writes it: fields by name (an absent one
    is nil), quoted strings, numbers, nil/true/false, ``== != < > <= >=``, ``and or not && || !`` and
    brackets. It is read, never run: anything else makes it refuse (ValueError)."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_CONDITION_CHARS:
            raise ValueError("condition too long")
        self.tokens: list[tuple[str, str]] = []
        at = 0
        while text[at:].strip():
            found = _CONDITION_TOKEN.match(text, at)
            if found is None:
                raise ValueError(f"cannot read {text[at:]!r}")
            kind = found.lastgroup or ""
            self.tokens.append((kind, found.group(kind)))
            at = found.end()
        self.tree = self._parse(0)
        if self.tree[1] != len(self.tokens):
            raise ValueError("condition does not end where it should")

    # parsing: each step returns (node, position after it); nodes are nested tuples
    def _parse(self, at: int, depth: int = 0) -> tuple[Any, int]:
        if depth > 30:
            raise ValueError("condition nested too deep")
        return self._binary(at, depth, ("or", "||"), self._conjunction)

    def _conjunction(self, at: int, depth: int) -> tuple[Any, int]:
        return self._binary(at, depth, ("and", "&&"), self._negation)

    def _binary(self, at: int, depth: int, ops: tuple[str, ...], operand: Any) -> tuple[Any, int]:
        node, at = operand(at, depth)
        while at < len(self.tokens) and self.tokens[at][1] in ops:
            right, at = operand(at + 1, depth)
            node = (ops[0], node, right)
        return node, at

    def _negation(self, at: int, depth: int) -> tuple[Any, int]:
        if at < len(self.tokens) and self.tokens[at][1] in ("not", "!"):
            node, at = self._negation(at + 1, depth + 1)
            return ("not", node), at
        left, at = self._atom(at, depth)
        if at < len(self.tokens) and self.tokens[at][1] in ("==", "!=", "<", ">", "<=", ">="):
            right, end = self._atom(at + 1, depth)
            return (self.tokens[at][1], left, right), end
        return left, at

    def _atom(self, at: int, depth: int) -> tuple[Any, int]:
        if at >= len(self.tokens):
            raise ValueError("condition ends too soon")
        kind, text = self.tokens[at]
        if text == "(":
            node, at = self._parse(at + 1, depth + 1)
            if at >= len(self.tokens) or self.tokens[at][1] != ")":
                raise ValueError("unclosed bracket")
            return node, at + 1
        if kind == "string":
            return ("value", text[1:-1]), at + 1
        if kind == "number":
            return ("value", float(text) if "." in text else int(text)), at + 1
        if kind == "name" and text in ("nil", "true", "false"):
            return ("value", {"nil": None, "true": True, "false": False}[text]), at + 1
        if kind == "name" and text not in ("and", "or", "not"):
            return ("field", text), at + 1
        raise ValueError(f"unexpected {text!r}")

    def holds(self, item: object) -> bool:
        return self._truth(self.tree[0], item)

    def _value(self, node: Any, item: object) -> Any:
        op = node[0]
        if op == "value":
            return node[1]
        if op == "field":
            return _prop(item, node[1])
        if op == "not":
            return not self._truth(node[1], item)
        if op == "or":
            return self._truth(node[1], item) or self._truth(node[2], item)
        if op == "and":
            return self._truth(node[1], item) and self._truth(node[2], item)
        left, right = self._value(node[1], item), self._value(node[2], item)
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        try:
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        except TypeError:
            return False  # Ruby would raise; the item is left out

    def _truth(self, node: Any, item: object) -> bool:
        value = self._value(node, item)
        return value is not None and value is not False  # Ruby: only nil and false are false


def _site_file(path: object, environment: Any) -> Path | None:
    target = environment.jekyll.folder.real_path(_to_s(path).lstrip("/"))
    return target if target is not None and target.is_file() else None


@with_environment
def _file_exists(value: object, *, environment: Any) -> Any:
    return _plain(value) if _site_file(value, environment) else None


@with_environment
def _file_read(value: object, *, environment: Any) -> Any:
    path = _site_file(value, environment)
    return path.read_text(encoding="utf-8", errors="replace") if path else None


SITE_PLUGIN_FILTERS: dict[str, Callable[..., Any]] = {
    "regex_scan": _regex_scan,
    "regex_strip": _regex_strip,
    "array_filter": _array_filter,
    "array_carve": _array_carve,
    "array_hash": _keys_or_items,
    "object_items": _object_items,
    "hash_keys": _hash_keys,
    "hash_default": _hash_default,
    "is_nil": _is_nil,
    "data_filter": _data_filter,
    "file_exists": _file_exists,
    "file_read": _file_read,
}


JEKYLL_FILTERS: dict[str, Callable[..., Any]] = {
    "regex_replace": _regex_replace,
    "regex_replace_once": _regex_replace_once,
    "remove_accents": _remove_accents,
    "where": _where,
    "where_exp": _where_exp,
    "find": _find,
    "find_exp": _find_exp,
    "group_by": _group_by,
    "group_by_exp": _group_by_exp,
    "sort": _sort,
    "sort_natural": _sort_natural,
    "concat": _concat,
    "push": _push,
    "pop": _pop,
    "shift": _shift,
    "unshift": _unshift,
    "uniq": _uniq,
    "unique": _uniq,
    "sample": _sample,
    "compact": _compact,
    "map": _map,
    "join": _join,
    "size": _size,
    "first": _first,
    "last": _last,
    "reverse": _reverse,
    "list": lambda value: _seq(value),
    "relative_url": _relative_url,
    "absolute_url": _absolute_url,
    "slugify": _slugify,
    "markdownify": _markdownify,
    "smartify": _smartify,
    "date_to_string": _date_to("short"),
    "date_to_long_string": _date_to("long"),
    "date_to_xmlschema": _date_to_xmlschema,
    "date_to_rfc822": _date_to_rfc822,
    "date": _date,
    "jsonify": _jsonify,
    "xml_escape": _xml_escape,
    "cgi_escape": _cgi_escape,
    "uri_escape": _uri_escape,
    "number_of_words": _number_of_words,
    "array_to_sentence_string": _array_to_sentence_string,
    "normalize_whitespace": _normalize_whitespace,
    "strip_html": _strip_html,
    "newline_to_br": _newline_to_br,
    "inspect": _inspect,
    "to_integer": _to_integer,
}


def _forgiving(name: str, func: Callable[..., Any], jekyll: JekyllLiquid) -> Callable[..., Any]:
    """Return the input unchanged when a filter fails, noting why, as Jekyll's lax mode would not crash.

    Each call spends from the render's budget what its input and result weigh; a limit reached
    inside a filter is never taken for a failed filter.
    """

    def wrapper(value: object, *args: Any, **kwargs: Any) -> Any:
        try:
            result = func(value, *args, **kwargs)
            units = 1  # and what the input and the result weigh (as _cost, inline: filters run often)
            shift = _SIZED.get(type(value))
            if shift:
                units += len(value) >> shift  # type: ignore[arg-type]
            shift = _SIZED.get(type(result))
            if shift:
                units += len(result) >> shift
            budget = jekyll.budget
            budget.left -= units
            if budget.left < budget.next_check:
                budget.check()
            return result
        except ResourceLimitError:
            raise
        except (
            LiquidError,
            TypeError,
            ValueError,
            AttributeError,
            KeyError,
            IndexError,
            ZeroDivisionError,
            re.error,
        ) as err:
            env = kwargs.get("environment") or getattr(kwargs.get("context"), "env", None)
            if env is not None:
                env.jekyll._note(None, f"filter '{name}' failed: {err}")
            return value

    for flag in ("with_context", "with_environment"):
        if getattr(func, flag, False):
            setattr(wrapper, flag, True)
    wrapper.__name__ = getattr(func, "__name__", name)
    return wrapper


# --------------------------------------------------------------------------
# Jekyll's tags


def _line_of(token: Token | None) -> int | None:
    if token is None or token.start_index < 0:
        return None
    return token.source.count("\n", 0, token.start_index) + 1


class _MarkupNode(Node):
    """A tag whose raw markup is interpreted at render time."""

    __slots__ = ("markup", "render_markup")

    def __init__(self, token: Token, markup: str, render_markup: Callable[[Any, str, Token, TextIO], str]):
        super().__init__(token)
        self.markup = markup
        self.render_markup = render_markup
        self.blank = False

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        return buffer.write(self.render_markup(context, self.markup, self.token, buffer) or "")


class _MarkupTag(Tag):
    """Base for inline tags that take their markup verbatim."""

    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        markup = ""
        if stream.peek.kind == TOKEN_EXPRESSION:
            markup = next(stream) and stream.current.value
        return _MarkupNode(token, markup, self.render_markup)

    def render_markup(self, context: Any, markup: str, token: Token, buffer: TextIO | None = None) -> str:
        raise NotImplementedError


_INCLUDE_PARAM = re.compile(
    r"([\w-]+)\s*=\s*(?:\"([^\"\\]*(?:\\.[^\"\\]*)*)\"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.\-\[\]\"']+))"
)


class _IncludeTag(_MarkupTag):
    """``{% include file.html key=value %}`` from ``_includes``; a missing file renders nothing."""

    name = "include"
    relative = False

    def render_markup(self, context: Any, markup: str, token: Token, buffer: TextIO | None = None) -> str:
        jekyll: JekyllLiquid = self.env.jekyll  # type: ignore[attr-defined]
        jekyll.budget.spend(LiquidLimits.include_cost)
        name, rest = _split_include_markup(markup)
        if "{{" in name:
            name = jekyll._render_snippet(name, context).strip()
        params: dict[str, Any] = {}
        for match in _INCLUDE_PARAM.finditer(rest):
            key, dq, sq, var = match.groups()
            if dq is not None:
                params[key] = dq.replace('\\"', '"')
            elif sq is not None:
                params[key] = sq.replace("\\'", "'")
            else:
                params[key] = _plain(jekyll._evaluate(var, context))
        template, shown = jekyll._include_template(name, self.relative)
        if shown is None:
            jekyll._refuse(_line_of(token), f"include {name} is outside the site; not read, as Jekyll does not")
            return ""
        if template is None:
            jekyll._missing(shown, _line_of(token))
            return ""
        out = context.get_buffer(buffer)  # what the page has written so far counts against its output bound
        jekyll._stack.append((shown, 1))
        try:
            with context.extend({"include": params}, template=template):
                template.render_with_context(context, out, partial=True)
        finally:
            jekyll._stack.pop()
        return out.getvalue()


class _IncludeCachedTag(_IncludeTag):
    name = "include_cached"


class _IncludeRelativeTag(_IncludeTag):
    name = "include_relative"
    relative = True


_INCLUDE_NAME = re.compile(r"(?:\{\{.*?\}\}|[^\s{])+")


def _split_include_markup(markup: str) -> tuple[str, str]:
    """The file name (which may mix text and ``{{ }}``: ``icons/{{ x }}.svg``) and the parameters."""
    markup = markup.strip()
    # Any whitespace outside {{ }} ends the name: themes write one parameter a line.
    match = _INCLUDE_NAME.match(markup)
    if not match:
        return "", markup
    return match.group(0).strip("\"'"), markup[match.end() :]


def _link_target(tag: _MarkupTag, context: Any, markup: str) -> tuple[JekyllLiquid, str, Any]:
    """What a link tag points at (Liquid in it rendered first), and the site to look in."""
    jekyll: JekyllLiquid = tag.env.jekyll  # type: ignore[attr-defined]
    target = markup.strip()
    if "{{" in target:
        target = jekyll._render_snippet(target, context).strip()
    return jekyll, target, _plain(context.resolve("site")) or {}


class _LinkTag(_MarkupTag):
    """``{% link path/to/file.md %}``: the URL of a page, post or document."""

    name = "link"

    def render_markup(self, context: Any, markup: str, token: Token, buffer: TextIO | None = None) -> str:
        jekyll, target, site = _link_target(self, context, markup)
        target = target.lstrip("/")
        for doc in _site_documents(site):
            if (
                _to_s(_prop(doc, "path")).lstrip("/") == target
                or _to_s(_prop(doc, "relative_path")).lstrip("/") == target
            ):
                return _relative_url(_prop(doc, "url"), context=context) or ""
        jekyll._note(_line_of(token), f"link target not found: {target}")
        guess = re.sub(r"\.(md|markdown|html)$", ".html", "/" + target)
        return _relative_url(guess, context=context) or ""


class _PostUrlTag(_MarkupTag):
    """``{% post_url 2020-01-01-title %}``: the URL of a post."""

    name = "post_url"

    def render_markup(self, context: Any, markup: str, token: Token, buffer: TextIO | None = None) -> str:
        jekyll, target, site = _link_target(self, context, markup)
        wanted = target.rsplit("/", 1)[-1]
        for post in _seq(site.get("posts") if isinstance(site, dict) else None):
            path = _to_s(_prop(post, "path"))
            stem = re.sub(r"\.[^./]+$", "", path.rsplit("/", 1)[-1])
            if stem == wanted or path.endswith(target) or _to_s(_prop(post, "slug")) == wanted:
                return _relative_url(_prop(post, "url"), context=context) or ""
        jekyll._note(_line_of(token), f"post not found: {target}")
        return ""


def _site_documents(site: Any) -> Iterator[Any]:
    if not isinstance(site, dict):
        return
    yield from _seq(site.get("pages"))
    yield from _seq(site.get("posts"))
    collections = site.get("collections")
    for collection in _seq(collections):
        yield from _seq(_prop(collection, "docs"))


class _BodyNode(Node):
    """A block whose rendered body is post-processed."""

    __slots__ = ("body", "finish")

    def __init__(self, token: Token, body: BlockNode, finish: Callable[[str], str]):
        super().__init__(token)
        self.body = body
        self.finish = finish
        self.blank = False

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        inner = StringIO()
        self.body.render(context, inner)
        return buffer.write(self.finish(inner.getvalue()))

    def children(self, static_context: Any, *, include_partials: bool = True) -> Iterable[Node]:
        yield self.body


class _HighlightTag(Tag):
    """``{% highlight lang %}...{% endhighlight %}`` as Jekyll's escaped code block."""

    name = "highlight"
    end = "endhighlight"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        markup = stream.current.value if stream.current.kind == TOKEN_EXPRESSION else ""
        if stream.current.kind == TOKEN_EXPRESSION:
            next(stream)
        words = markup.split() or ["text"]
        lang = words[0]
        numbered = any(w == "linenos" or w.startswith("linenos=") for w in words[1:])
        body = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)

        def finish(code: str) -> str:
            code = html.escape(code.strip(), quote=False)
            if numbered:  # Rouge's table: the line numbers stand before the code on the page
                gutter = "".join(f"{n}\n" for n in range(1, code.count("\n") + 2))
                code = (
                    '<table class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">'
                    f'{gutter}</pre></td><td class="code"><pre>{code}\n</pre></td></tr></tbody></table>'
                )
            return (
                f'<figure class="highlight"><pre><code class="language-{html.escape(lang)}" '
                f'data-lang="{html.escape(lang)}">{code}</code></pre></figure>'
            )

        return _BodyNode(token, body, finish)


def _blank_as_a_whole(tag_class: type[Tag]) -> type[Tag]:
    """An ``if``/``unless`` whose ``elsif`` branches are blank only when the whole tag is.

    Liquid drops the whitespace of a conditional only when every branch is
    whitespace: ``{% if many %}, {% elsif two %} {% endif %}`` keeps its space.
    python-liquid decides per ``elsif`` branch, which glues words together.
    """

    class Tag(tag_class):  # type: ignore[valid-type, misc]
        def parse(self, stream: TokenStream) -> Node:
            node = super().parse(stream)
            for alternative in getattr(node, "alternatives", ()):
                alternative.block.blank = node.blank
            return node

    Tag.__name__ = tag_class.__name__
    return Tag


class _UnknownTag(Tag):
    """A tag from a plugin we do not run: its block body renders, the tag itself renders nothing."""

    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        name = token.value
        self.env.jekyll.unknown_tags.add(name)  # type: ignore[attr-defined]
        has_markup = stream.peek.kind == TOKEN_EXPRESSION
        if not name.startswith("end") and _has_end(stream, name):
            next(stream)
            if has_markup:
                next(stream)
            body = get_parser(self.env).parse_block(stream, ("end" + name,))
            stream.expect(TOKEN_TAG, value="end" + name)
            return _BodyNode(token, body, lambda text: text)
        if has_markup:
            next(stream)
        return _MarkupNode(token, "", lambda *_: "")


def _has_end(stream: TokenStream, name: str) -> bool:
    depth = 0
    for token in stream.tokens[stream.pos + 1 :]:
        if token.kind != TOKEN_TAG:
            continue
        if token.value == name:
            depth += 1
        elif token.value == "end" + name:
            if depth == 0:
                return True
            depth -= 1
    return False


class _Filters(dict):
    """The filter register; a name it lacks is noted (Liquid then passes the value through unchanged)."""

    def __init__(self, filters: dict, unknown: set[str]):
        super().__init__(filters)
        self.unknown = unknown

    def __missing__(self, key: Any) -> Any:
        self.unknown.add(str(key))
        raise KeyError(key)


class _Tags(dict):
    """Tag register where unknown tag names fall back to a do-nothing tag."""

    def __init__(self, unknown: Tag):
        super().__init__()
        self.unknown = unknown

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        if isinstance(key, str) and re.fullmatch(r"\w+", key) and key not in _BUILTIN_ENDS:
            return self.unknown
        return default


# End/inner tags of built-in blocks: out of place, they are real syntax errors.
_BUILTIN_ENDS = frozenset(
    "endfor endif endunless endcase endcapture endcomment endtablerow endraw endhighlight "
    "else elsif when break continue endblock endifchanged enddoc".split()
)

# Block tags with their end tag, for the structural check run before parsing.
_BLOCKS = {
    "for": "endfor",
    "if": "endif",
    "unless": "endunless",
    "case": "endcase",
    "capture": "endcapture",
    "tablerow": "endtablerow",
    "highlight": "endhighlight",
    "ifchanged": "endifchanged",
}
_INNER = {"else": {"for", "if", "unless", "case"}, "elsif": {"if", "unless"}, "when": {"case"}}


class _BudgetedContext(RenderContext):
    """A render context whose loops spend from the render's work budget, and whose variables have a size bound.

    python-liquid measures the local namespace by summing ``sys.getsizeof`` over every variable at each
    ``assign``; here only the value assigned is measured (a string by its length, a list by 8 bytes an
    item), which bounds what grows (a string doubled in a loop) at a fraction of the cost.
    """

    def raise_for_loop_limit(self, length: int = 1) -> None:
        self.env.jekyll.budget.spend(length)  # type: ignore[attr-defined]
        super().raise_for_loop_limit(length)

    def get_buffer(self, buf: TextIO | None = None) -> StringIO:
        """A buffer for a capture or an include: what the page has written so far counts against the bound."""
        return _Output(LiquidLimits.output - (buf.size if isinstance(buf, _Output) else 0))

    def assign(self, key: str, val: Any) -> None:
        self.locals[key] = val
        kind = type(val)
        size = len(val) if kind is str else 8 * len(val) if kind in (list, tuple, dict) else 0
        if size > LiquidLimits.locals:
            raise LocalNamespaceLimitError("local namespace limit reached", token=None)


class _BudgetedTemplate(BoundTemplate):
    context_class = _BudgetedContext

    def _get_buffer(self) -> StringIO:
        return _Output(LiquidLimits.output)


class _Output(StringIO):
    """python-liquid's ``LimitedStringIO``, counting characters (not UTF-8 bytes: no encoding at every write)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        if self.size > self.limit:
            raise OutputStreamLimitError("output stream limit reached", token=None)
        return super().write(text)


_STOPPED = {
    ContextDepthError: "includes nested too deep (an include that includes itself?)",
    LoopIterationLimitError: "nested loops of more than {loops:,} iterations",
    OutputStreamLimitError: "output longer than {output:,} characters",
    LocalNamespaceLimitError: "a variable larger than {locals:,} characters",
    BlockNestingError: "blocks nested too deep",
}


class _JekyllEnvironment(Environment):
    """python-liquid configured for Jekyll's lenient Liquid 4, within :class:`LiquidLimits`."""

    loop_iteration_limit = LiquidLimits.loops
    output_stream_limit = LiquidLimits.output
    local_namespace_limit = LiquidLimits.locals
    context_depth_limit = LiquidLimits.depth
    template_class = _BudgetedTemplate

    def __init__(self, jekyll: JekyllLiquid):
        self.jekyll = jekyll
        super().__init__(tolerance=Mode.LAX, strict_filters=False)
        self.expressions = _ExpressionCache(self)

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        tags = _Tags(_UnknownTag(self))
        tags.update(self.tags)
        self.tags = tags
        own_tags: tuple[type[Tag], ...] = (
            _IncludeTag,
            _IncludeCachedTag,
            _IncludeRelativeTag,
            _LinkTag,
            _PostUrlTag,
            _HighlightTag,
        )
        for tag in own_tags:
            self.add_tag(tag)
        for name in ("if", "unless"):
            if name in self.tags:
                self.add_tag(_blank_as_a_whole(type(self.tags[name])))
        from assistant import bibliography

        for tag in bibliography.TAGS:
            self.add_tag(tag)
        for name, func in {**self.filters, **SITE_PLUGIN_FILTERS, **JEKYLL_FILTERS}.items():
            self.filters[name] = _forgiving(name, func, self.jekyll)
        self.filters = _Filters(self.filters, self.jekyll.unknown_filters)

    def tokenizer(self) -> Callable[[str], Iterator[Token]]:
        lex = super().tokenizer()

        def lenient(source: str) -> Iterator[Token]:
            previous = ""
            for token in lex(source):
                if token.kind == TOKEN_EXPRESSION:
                    fixed = lenient_expression(previous, token.value)
                    if fixed != token.value:
                        token = token._replace(value=fixed)
                elif token.kind in (TOKEN_TAG, TOKEN_OUTPUT):
                    previous = token.value if token.kind == TOKEN_TAG else TOKEN_OUTPUT
                yield token

        return lenient

    def error(self, exc: Any, msg: str | None = None, token: Token | None = None) -> None:
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        elif not exc.token:
            exc.token = token
        line = _line_of(exc.token) if exc.token is not None else None
        if isinstance(exc, ResourceLimitError):  # lax mode would skip the node and go on: stop the page instead
            raise self.jekyll._stop(exc, line) from exc
        self.jekyll._note(line, str(exc.message))


def _check_structure(source: str, tokens: list[Token]) -> tuple[int | None, str] | None:
    """Find an unclosed block or a stray end tag, which Jekyll refuses to build."""
    stack: list[Token] = []
    for token in tokens:
        if token.kind != TOKEN_TAG:
            continue
        name = token.value
        if name in _BLOCKS:
            stack.append(token)
        elif name in _BLOCKS.values():
            if not stack or _BLOCKS[stack[-1].value] != name:
                expected = f" (expected {{% {_BLOCKS[stack[-1].value]} %}})" if stack else ""
                return _line_of(token), f"unexpected {{% {name} %}}{expected}"
            stack.pop()
        elif name in _INNER and (not stack or stack[-1].value not in _INNER[name]):
            return _line_of(token), f"unexpected {{% {name} %}} outside a block"
    if stack:
        opener = stack[-1]
        return _line_of(opener), f"{{% {opener.value} %}} is never closed (missing {{% {_BLOCKS[opener.value]} %}})"
    return None


# Parsed templates (and tag arguments) kept per renderer, started afresh past this many: a large
# site has a body of its own on every page, and keeping each parse would hold the whole site twice.
PARSED_KEPT = 1024


class JekyllLiquid:
    """Renders a site's Liquid as Jekyll would, with its includes, filters and plugins' tags.

    ``missing_includes`` lists includes that were asked for but not found (a theme
    usually supplies them); ``warnings`` lists what was skipped because Jekyll's
    lenient Liquid would have skipped it too.
    """

    def __init__(self, root: Path, config: dict | None = None, clock: Callable[[], float] = time.monotonic):
        self.root = Path(root)
        self.folder = SiteFolder(self.root)
        self.config: dict[str, Any] = dict(config or {})
        # What the published site is built with (GitHub Pages and most CI set JEKYLL_ENV=production)
        self.environment = "production"
        self.includes_dir = self.root / self.folder.folder(self.config.get("includes_dir"), "_includes")[0]
        self.theme = site_theme(self.config, self.root)
        self.missing_includes: list[str] = []
        self.warnings: list[RenderError] = []
        # files a page asked for that are outside the site (not read), for the caller to report
        self.refused: list[RenderError] = []
        self.clock = clock
        self.budget = _Budget(LiquidLimits.work, LiquidLimits.seconds, clock)
        self._stopped: dict[str, LimitReached] = {}
        self.unknown_tags: set[str] = set()
        self.unknown_filters: set[str] = set()
        self.env = _JekyllEnvironment(self)
        self._templates: dict[str, Any] = {}
        self._includes: dict[Path, tuple[float, Any]] = {}
        self._snippets: dict[str, Any] = {}
        self._stack: list[tuple[str, int]] = []
        self._bibliography: Any = None

    # -- public -----------------------------------------------------------

    def render(self, source: str, context: dict, path: str, line_offset: int = 0) -> str:
        """Render ``source`` (from site file ``path``, starting at line ``line_offset``) in ``context``."""
        stopped = self._stopped.get(source)
        if stopped is not None:  # a layout that passed a bound on one page is not rendered again for the next
            raise LimitReached(stopped.path, stopped.line, stopped.reason)
        template = self._parse(source, path, line_offset)
        data = {"jekyll": {"environment": self.environment, "version": "4.3.1"}, **context}
        top = not self._stack
        if top:
            self.budget = _Budget(LiquidLimits.work, LiquidLimits.seconds, self.clock)
        self._stack.append((path, line_offset))
        try:
            return template.render(**data)
        except LimitReached as err:
            if top:
                self._stopped[source] = err
            raise
        except RenderError:
            raise
        except LiquidError as err:
            raise RenderError(path, self._file_line(_line_of(err.token)), str(err.message)) from err
        finally:
            self._stack.pop()

    @property
    def bibliography(self) -> Any:
        """The site's jekyll-scholar bibliography, loaded on first use."""
        if self._bibliography is None:
            from assistant.bibliography import Bibliography

            self._bibliography = Bibliography(self.root, self.config)
        return self._bibliography

    # -- parsing ----------------------------------------------------------

    def _parse(self, source: str, path: str, line_offset: int = 0) -> Any:
        cached = self._templates.get(source)
        if cached is not None:
            return cached
        offset = max(line_offset - 1, 0)
        try:
            tokens = list(self.env.tokenizer()(source))
        except LiquidError as err:
            raise RenderError(path, _shift_line(_line_of(err.token), offset), str(err.message)) from err
        problem = _check_structure(source, tokens)
        if problem:
            raise RenderError(path, _shift_line(problem[0], offset), problem[1])
        self._stack.append((path, line_offset))
        try:
            template = self.env.from_string(source, path=path)
        except LiquidError as err:
            raise RenderError(path, _shift_line(_line_of(err.token), offset), str(err.message)) from err
        finally:
            self._stack.pop()
        if len(self._templates) > PARSED_KEPT:
            self._templates.clear()
        self._templates[source] = template
        return template

    def _include_template(self, name: str, relative: bool) -> tuple[Any, str | None]:
        """The parsed include (cached by file and mtime) and its site-relative name (None: outside the site)."""
        if relative and self._stack:
            base = (self.root / self._stack[0][0]).parent
        else:
            base = self.includes_dir
        file = self.folder.real_path(base / name.lstrip("/"))  # Jekyll joins "/x.html" to its folder too
        if file is None:
            return None, None
        shown = file.relative_to(self.folder.real).as_posix()
        if name and not file.is_file() and not relative:
            file, shown = self._theme_include(name, file, shown)
        if not name or not file.is_file():
            return None, shown
        mtime = file.stat().st_mtime
        cached = self._includes.get(file)
        if cached and cached[0] == mtime:
            return cached[1], shown
        text = file.read_text(encoding="utf-8", errors="replace")
        template = self._parse(text, shown, 1)
        self._includes[file] = (mtime, template)
        return template, shown

    def _theme_include(self, name: str, file: Path, shown: str) -> tuple[Path, str]:
        """The theme's include of that name, when the site has none (the site's own file wins, as in Jekyll)."""
        folder = self.theme.includes if self.theme is not None else None
        if folder is None or self.theme is None:
            return file, shown
        candidate = (folder / name.lstrip("/")).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate, f"{self.theme.name}:_includes/{name.lstrip('/')}"
        return file, shown

    def _evaluate(self, expression: str, context: Any) -> Any:
        return self.env.expressions.value(expression).evaluate(context)

    def _render_snippet(self, text: str, context: Any) -> str:
        template = self._snippets.get(text)
        if template is None:
            if len(self._snippets) > PARSED_KEPT:  # a tag's argument may differ on every page of a large site
                self._snippets.clear()
            template = self._snippets[text] = self.env.from_string(text)
        buffer = StringIO()
        template.render_with_context(context, buffer, partial=True)
        return buffer.getvalue()

    # -- bookkeeping ------------------------------------------------------

    def _file_line(self, line: int | None) -> int | None:
        offset = self._stack[-1][1] if self._stack else 0
        return _shift_line(line, max(offset - 1, 0))

    def _note(self, line: int | None, reason: str) -> None:
        path = self._stack[-1][0] if self._stack else "?"
        self.warnings.append(RenderError(path, self._file_line(line), reason))

    def _refuse(self, line: int | None, reason: str) -> None:
        path = self._stack[-1][0] if self._stack else "?"
        error = RenderError(path, self._file_line(line), reason)
        if all(str(error) != str(seen) for seen in self.refused):
            self.refused.append(error)

    def take_refused(self) -> list[RenderError]:
        """What was refused since the last call (each page's, when called after each page)."""
        refused, self.refused = self.refused, []
        return refused

    def _stop(self, exc: ResourceLimitError, line: int | None) -> LimitReached:
        """The problem a limit makes: the file and line where the render stood, and which bound it passed."""
        template = _STOPPED.get(type(exc))
        limits = LiquidLimits
        what = (
            template.format(loops=limits.loops, output=limits.output, locals=limits.locals)
            if template
            else str(exc.message)
        )
        path = self._stack[-1][0] if self._stack else "?"
        return LimitReached(path, self._file_line(line), f"Liquid stopped: {what}; page not indexed")

    def _missing(self, name: str, line: int | None) -> None:
        if name not in self.missing_includes:
            self.missing_includes.append(name)
        self._note(line, f"include not found: {name}")


def _shift_line(line: int | None, offset: int) -> int | None:
    return None if line is None else line + offset
