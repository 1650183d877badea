"""The site's own contact and questions to start with, found when it is indexed (see guide.py)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from .analysis import detect_language
from .documents import Problem
from .guide import ANY, LANGS, Guide
from .site import Site, _language_code, site_folder

DATA_FILE = "assistant"  # _data/assistant.yml, shared with other settings editors make for the assistant
MAX_HEADINGS = 12  # question-shaped headings kept per language at index time ...
MAX_QUESTION_CHARS = 120

_CONTACT_NAME = re.compile(r"^(contact|kontakt)([-_ ]?(us|uns|me|form|formular))?$", re.I)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_ATX = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def site_guide(site: Site) -> Guide:
    """The contact and the suggested questions of a site; what is malformed is added to site.problems."""
    data = site.data.get(DATA_FILE)
    data = data if isinstance(data, dict) else {}
    where = _data_path(site)
    contact = Problem(where, "contact: ", _line_of(site.root, where, "contact"))
    suggestions = Problem(where, "suggestions: ", _line_of(site.root, where, "suggestions"))
    return Guide(
        contacts=_contacts(data.get("contact"), contact, site.problems) or _contact_pages(site) or _config_email(site),
        suggestions=_suggestions(data.get("suggestions"), suggestions, site.problems),
        headings=_question_headings(site),
    )


def data_file(site: Site) -> str:
    """Where the site's assistant settings are (or would be), relative to the site: _data/assistant.yml."""
    return _data_path(site)


def _data_path(site: Site) -> str:
    folder = str(site.config.get("data_dir") or "_data").strip("/")
    for ext in (".yml", ".yaml", ".json"):
        if site_folder(site.root).is_file(f"{folder}/{DATA_FILE}{ext}"):
            return f"{folder}/{DATA_FILE}{ext}"
    return f"{folder}/{DATA_FILE}.yml"


def _line_of(site_root: Path, rel: str, key: str) -> int | None:
    try:
        text = site_folder(site_root).read_text(rel)
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text[: match.start()].count("\n") + 1 if match else None


def _as_link(value: object) -> str | None:
    """An https/http URL as it is, an e-mail address as a mailto: link; anything else is no contact."""
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if _EMAIL.match(text.removeprefix("mailto:")):
        return "mailto:" + text.removeprefix("mailto:")
    return text if re.match(r"https?://[^\s@/]+(/\S*)?$", text) else None


def _problem(at: Problem, reason: str) -> Problem:
    return Problem(at.path, at.reason + reason, at.line)


def _contacts(value: object, at: Problem, problems: list[Problem]) -> dict[str, str]:
    if value is None:
        return {}
    pairs = value.items() if isinstance(value, dict) else [(ANY, value)]
    out = {}
    for lang, link in pairs:
        url = _as_link(link)
        if url and (lang == ANY or lang in LANGS):
            out[str(lang)] = url
        else:
            problems.append(_problem(at, f"{link!r} is not an http(s) URL or an e-mail address"))
    return out


def _suggestions(value: object, at: Problem, problems: list[Problem]) -> dict[str, list[str]]:
    if value is None:
        return {}
    groups = value.items() if isinstance(value, dict) else [(ANY, value)]
    out: dict[str, list[str]] = {}
    for lang, questions in groups:
        if (lang != ANY and lang not in LANGS) or not isinstance(questions, list):
            problems.append(_problem(at, "give a list of questions, or one list per language (en, de)"))
            continue
        kept = [" ".join(q.split()) for q in questions if isinstance(q, str) and q.strip()]
        if len(kept) != len(questions):
            problems.append(_problem(at, f"every entry must be a question as text ({lang or 'all'})"))
        out[str(lang)] = [q[:MAX_QUESTION_CHARS] for q in kept]
    return out


def _contact_pages(site: Site) -> dict[str, str]:
    """The site's contact page, in each language it has one."""
    out: dict[str, str] = {}
    for sf in site.published():
        name = sf.url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        title = str(sf.front_matter.get("title") or "").strip()
        if not (_CONTACT_NAME.match(name) or _CONTACT_NAME.match(title)):
            continue
        lang = _language_code(sf.front_matter.get("lang")) or _language_code(site.config.get("lang")) or "en"
        out.setdefault(lang, site.base_url + sf.url)
        for other, url in sf.translations.items():
            out.setdefault(other, url)
    return out


# A theme's sample address left in _config.yml ("your-email@domain.com", "test@example.com") reaches no one.
_PLACEHOLDER_EMAIL = re.compile(
    r"^(?:your[\w.+-]*|you|name)@|@(?:example|domain|your-?domain|yoursite|mydomain)\.[a-z]+$", re.I
)


def _config_email(site: Site) -> dict[str, str]:
    author = site.config.get("author")
    for value in (site.config.get("email"), author.get("email") if isinstance(author, dict) else None):
        url = _as_link(value) if value else None
        if url and url.startswith("mailto:") and not _PLACEHOLDER_EMAIL.search(url.removeprefix("mailto:")):
            return {ANY: url}
    return {}


def _question_headings(site: Site) -> dict[str, list[str]]:
    """Headings written as questions in the pages' sources, in the language each is written in."""
    out: dict[str, list[str]] = {}
    for sf in site.published():
        body = sf.body  # read once: a kept body is decoded on every read
        found = _ATX.findall(body) if sf.is_markdown else []
        found += [_TAG.sub("", h) for h in _HTML_HEADING.findall(body)]
        for heading in found:
            text = " ".join(unescape(heading).replace("*", "").replace("`", "").split())
            if not text.endswith("?") or "{" in text or "[" in text or len(text) > MAX_QUESTION_CHARS:
                continue
            listed = out.setdefault(detect_language(text, default="en"), [])
            if text not in listed and len(listed) < MAX_HEADINGS:
                listed.append(text)
    return out
