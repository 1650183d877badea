"""Markdown to HTML the way Jekyll's default converter (kramdown, GFM input) does it.

markdown-it-py follows CommonMark, which differs from kramdown where it matters
for a site's text:

* a raw HTML block runs to its matching end tag, blank lines and indented
  lines included, and the Markdown inside it stays raw unless the opening tag
  says ``markdown="1"``;
* headings get GitHub-style ids (``## Über uns`` -> ``über-uns``), repeated
  ones ``-1``, ``-2``; ``{#id}`` after a heading wins;
* ``{: ...}`` attribute lists, ``{:toc}`` markers and ``{::comment}`` blocks
  are markup, never text;
* ``--``, ``---`` and ``...`` become dashes and an ellipsis, quotes curl.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

__all__ = ["markdown_to_html", "heading_id"]

# kramdown renders these inline even at the start of a line (HTML_SPAN_ELEMENTS).
SPAN_ELEMENTS = frozenset(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark option "
    "q rb rbc rp rt rtc ruby samp select small span strike strong sub sup textarea tt u var".split()
)
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track wbr".split())

# A tag name ends at a space, "/" or ">": "<https://host>" is an autolink, not a tag.
_TAG_START = re.compile(r"<(/?)([A-Za-z][\w-]*(?::[\w-]+)?)(?=[\s/>]|$)")
_COMMENT_EXT = re.compile(r"\{::comment\}.*?\{:/comment\}|\{::comment\s*/\}|\{::options[^}]*/\}", re.S)
# {::nomarkdown}...{:/nomarkdown} passes raw HTML through; its markers never show.
_NOMARKDOWN = re.compile(r"\{::nomarkdown(?:\s[^}]*)?\}|\{:/(?:nomarkdown)?\}")
_IAL_LINE = re.compile(r"^[ \t]*\{:(?!:)([^}\n]*)\}[ \t]*$")
_SPAN_IAL = re.compile(r"\{:(?!:)[^}\n]*\}")
_HEADER_ID = re.compile(r"[ \t]+\{#([A-Za-z][\w:-]*)\}[ \t]*$")
_NON_WORD = re.compile(r"[^\w\- \t]")


def heading_id(text: str, seen: Counter | None = None) -> str:
    """The id kramdown's GFM parser gives a heading with this text."""
    base = _NON_WORD.sub("", text.lower()).replace(" ", "-").replace("\t", "-")
    if seen is None:
        return base
    count = seen[base]
    seen[base] += 1
    return f"{base}-{count}" if count else base


# -- raw HTML blocks -----------------------------------------------------------------------


def _line_of(state: StateBlock, pos: int, start: int, end: int) -> int | None:
    for line in range(start, end):
        if state.bMarks[line] <= pos <= state.eMarks[line]:
            return line
    return None


def _find_block_end(src: str, pos: int, name: str) -> int | None:
    """Position just after the end tag that closes the element opened at ``pos``."""
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*?(/?)>", re.I)
    depth = 0
    for match in pattern.finditer(src, pos):
        closing, self_closing = match.group(1), match.group(2)
        if closing:
            depth -= 1
        elif not self_closing:
            depth += 1
        elif depth == 0:
            return match.end()
        if depth <= 0:
            return match.end()
    return None


def _html_block_rule(parse_block_html: bool):
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        return _html_block(state, start, end, silent, parse_block_html)

    return rule


def _html_block(state: StateBlock, start: int, end: int, silent: bool, parse_block_html: bool = False) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    src = state.src
    if src.startswith("<!--", pos):
        close = src.find("-->", pos + 4)
        stop = close + 3 if close >= 0 else None
        name = None
    else:
        match = _TAG_START.match(src, pos)
        if not match:
            return False
        name = match.group(2).lower()
        if name in SPAN_ELEMENTS:
            return False
        tag_end = src.find(">", pos)
        if tag_end < 0:
            return False
        if match.group(1) or name in VOID_ELEMENTS or src[tag_end - 1] == "/":
            stop = tag_end + 1
        else:
            stop = _find_block_end(src, pos, name)
    if silent:
        return True

    last = _line_of(state, stop, start, end) if stop is not None else None
    if last is None:
        # Unclosed: fall back to the next blank line, as CommonMark does.
        last = start
        while last + 1 < end and not state.isEmpty(last + 1):
            last += 1
    content = src[pos : state.eMarks[last]]
    if name and stop is not None and last is not None:
        content = _markdown_inside(content, name, stop - pos, parse_block_html)

    token = state.push("html_block", "", 0)
    token.map = [start, last + 1]
    token.content = content + "\n"
    state.line = last + 1
    return True


_MARKDOWN_ATTR = re.compile(r"""\s+markdown\s*=\s*(["']?)(1|block|span)\1""", re.I)


# kramdown's content model of HTML elements, for parse_block_html: true
BLOCK_CONTENT = frozenset(
    "address applet article aside blockquote body dd details div dl fieldset figure figcaption footer form "
    "header hgroup iframe li main map menu nav noscript ol section summary table tbody td tfoot th thead tr ul "
    "video".split()
)
RAW_CONTENT = frozenset("script style math option textarea pre code kbd samp var".split())
_NO_MARKDOWN_ATTR = re.compile(r"""\s+markdown\s*=\s*(["']?)0\1""", re.I)


def _markdown_inside(content: str, name: str, stop: int, parse_block_html: bool = False) -> str:
    """Render the inside of ``<tag markdown="1">`` as Markdown, as kramdown does.

    With the site's ``kramdown: parse_block_html: true`` every HTML block is read so,
    its content as blocks or as a line by the element's kind, unless it says ``markdown="0"``.
    """
    open_end = content.find(">") + 1
    opening = content[:open_end]
    attr = _MARKDOWN_ATTR.search(opening)
    if not attr:
        off = _NO_MARKDOWN_ATTR.search(opening)
        if off or not parse_block_html or name in RAW_CONTENT:
            return content if not off else opening[: off.start()] + opening[off.end() :] + content[open_end:]
        mode = "block" if name in BLOCK_CONTENT else "span"
    else:
        mode = "span" if attr.group(2).lower() == "span" else "block"
        opening = opening[: attr.start()] + opening[attr.end() :]
    close_start = content.lower().rfind(f"</{name}", 0, stop)
    if close_start < open_end:
        return opening + content[open_end:]
    inner = content[open_end:close_start]
    md = _parser(parse_block_html)
    if mode == "span":
        rendered = md.renderInline(inner.strip())
    else:
        rendered = "\n" + md.render(_dedent(inner))
    return opening + rendered + content[close_start:]


def _dedent(text: str) -> str:
    lines = text.split("\n")
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(widths) if widths else 0
    return "\n".join(line[cut:] for line in lines)


# -- attribute lists, ids, typography ------------------------------------------------------


def _parse_ial(text: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    classes = []
    for match in re.finditer(r"""#([\w:-]+)|\.([\w-]+)|([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""", text):
        if match.group(1):
            attrs["id"] = match.group(1)
        elif match.group(2):
            classes.append(match.group(2))
        elif match.group(3):
            attrs[match.group(3)] = next(g for g in match.groups()[3:] if g is not None)
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs


def _apply_attrs(token: Token, attrs: dict[str, str]) -> None:
    for key, value in attrs.items():
        if key == "class" and token.attrGet("class"):
            value = f"{token.attrGet('class')} {value}"
        token.attrSet(key, value)


def _drop_range(tokens: list[Token], start: int) -> int:
    """Index after the token that closes ``tokens[start]``."""
    level = 0
    for index in range(start, len(tokens)):
        level += tokens[index].nesting
        if level == 0:
            return index + 1
    return len(tokens)


def _attribute_lists(state: StateCore) -> None:
    """Apply or drop kramdown ``{: ...}`` lists and ``{#id}`` headings before inline parsing."""
    tokens = state.tokens
    drop: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0:
            continue
        opener = tokens[index - 1]
        content = token.content
        if opener.type == "heading_open":
            match = _HEADER_ID.search(content)
            if match:
                opener.attrSet("id", match.group(1))
                content = content[: match.start()]
        kept = []
        for line in content.split("\n"):
            ial = _IAL_LINE.match(line)
            if not ial:
                kept.append(line)
                continue
            body = ial.group(1).strip()
            if body in ("toc", ".toc") or body.startswith("toc"):
                for back in range(index, -1, -1):
                    if tokens[back].type in ("bullet_list_open", "ordered_list_open"):
                        drop.append((back, _drop_range(tokens, back)))
                        break
            elif not re.match(r"^[\w-]+:", body):  # an ALD defines, it does not apply
                _apply_attrs(opener, _parse_ial(body))
        content = "\n".join(kept)
        content = _drop_span_ials(content) if "{:" in content else content
        if opener.type == "heading_open" and content.rstrip().endswith("}"):
            content = content.rstrip()
        token.content = content.strip("\n") if content.strip() else ""
        if not token.content and opener.type == "paragraph_open":
            drop.append((index - 1, index + 2))
    if drop:
        removed: set[int] = set()
        for start, stop in drop:
            removed.update(range(start, stop))
        state.tokens = [t for i, t in enumerate(tokens) if i not in removed]


_CODE_SPAN = re.compile(r"(`+)[\s\S]*?(?<!`)\1(?!`)")


def _drop_span_ials(content: str) -> str:
    """Drop ``{: ...}`` span attribute lists, but not ones a code span shows as text."""
    out, pos = [], 0
    for code in _CODE_SPAN.finditer(content):
        out.append(_SPAN_IAL.sub("", content[pos : code.start()]))
        out.append(code.group(0))
        pos = code.end()
    out.append(_SPAN_IAL.sub("", content[pos:]))
    return "".join(out)


_ABBREVIATION = re.compile(r"^ {0,3}\*\[[^\]\n]+\]:.*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def _drop_abbreviations(text: str) -> str:
    """kramdown's ``*[CSS]: Cascading Style Sheets`` defines a tooltip; the line itself is not shown."""
    lines, fence = [], None
    for line in text.split("\n"):
        marker = _FENCE.match(line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = None if fence else marker.group(1)
        elif fence is None and _ABBREVIATION.match(line):
            continue
        lines.append(line)
    return "\n".join(lines)


def _heading_ids(state: StateCore) -> None:
    seen: Counter = Counter()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text = "".join(child.content for child in (inline.children or []) if child.type in ("text", "code_inline"))
        if token.attrGet("id"):
            continue
        token.attrSet("id", heading_id(text, seen))


_TYPO = [
    (re.compile(r"(?<!-)---(?!-)"), "\u2014"),
    (re.compile(r"(?<!-)--(?!-)"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"<< "), "\u00ab\u00a0"),
    (re.compile(r" >>"), "\u00a0\u00bb"),
]


def _typography(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text" and (
                "--" in child.content or "..." in child.content or "<<" in child.content or ">>" in child.content
            ):
                text = child.content
                for pattern, replacement in _TYPO:
                    text = pattern.sub(replacement, text)
                child.content = text


@lru_cache(maxsize=2)
def _parser(parse_block_html: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True, "typographer": True})
    md.enable(["table", "strikethrough", "smartquotes"])
    md.disable("replacements")
    md.use(footnote_plugin).use(deflist_plugin)
    md.block.ruler.at(
        "html_block", _html_block_rule(parse_block_html), {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.core.ruler.after("block", "kramdown_ial", _attribute_lists)
    md.core.ruler.after("inline", "kramdown_ids", _heading_ids)
    md.core.ruler.after("kramdown_ids", "kramdown_typography", _typography)
    return md


# [text](a destination with spaces): kramdown takes it whole, CommonMark only between <...>
_SPACED_DESTINATION = re.compile(r"(\]\()([^()<>\s\"'][^()<>\"'\n]*\s[^()<>\"'\n]*?)(\))")


def _spaced_destinations(text: str) -> str:
    lines, fence = [], None
    for line in text.split("\n"):
        marker = _FENCE.match(line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = None if fence else marker.group(1)
        elif fence is None and "](" in line:
            line = _SPACED_DESTINATION.sub(lambda m: f"{m.group(1)}<{m.group(2).strip()}>{m.group(3)}", line)
        lines.append(line)
    return "\n".join(lines)


def markdown_to_html(text: str, config: dict | None = None) -> str:
    """Convert a page body (Liquid already rendered) to HTML as kramdown would, with the site's
    ``kramdown:`` settings of ``_config.yml`` (``config``)."""
    if "{::" in text:
        text = _NOMARKDOWN.sub("", _COMMENT_EXT.sub("", text))
    if "*[" in text:
        text = _drop_abbreviations(text)
    if "](" in text:
        text = _spaced_destinations(text)
    options = (config or {}).get("kramdown")
    parse_block_html = bool(options.get("parse_block_html")) if isinstance(options, dict) else False
    return _parser(parse_block_html).render(text)
