"""What the widget offers beside answers: where to ask a person, and questions to start with.

Found in the site when it is indexed (assistant/site_guide.py) and kept in the index's manifest:

- the contact: ``contact:`` in ``_data/assistant.yml`` (a URL or an e-mail address, or one per
  language), else the site's contact page (a page named or titled Contact or Kontakt, with its
  twins in other languages), else the e-mail address in ``_config.yml``;
- suggested questions: ``suggestions:`` in ``_data/assistant.yml`` (a list, or one list per
  language), else the site's own headings that are questions ("How do I apply?").

When serving, headings are offered only if the site answers them; editors' suggestions are
offered as they wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .answer import Assistant

LANGS = ("en", "de")
ANY = ""  # a suggestion or contact for visitors of every language
SUGGESTIONS = 4  # question-shaped headings offered, once the site is known to answer them


@dataclass
class Guide:
    contacts: dict[str, str] = field(default_factory=dict)  # language (ANY for all) -> https or mailto URL
    suggestions: dict[str, list[str]] = field(default_factory=dict)  # language (ANY for all) -> editors' questions
    headings: dict[str, list[str]] = field(default_factory=dict)  # language -> the site's question-shaped headings

    def to_meta(self) -> dict:
        return {"contacts": self.contacts, "suggestions": self.suggestions, "headings": self.headings}

    @classmethod
    def from_meta(cls, meta: dict | None) -> Guide:
        meta = meta if isinstance(meta, dict) else {}
        return cls(
            dict(meta.get("contacts") or {}), dict(meta.get("suggestions") or {}), dict(meta.get("headings") or {})
        )


# -- when serving -------------------------------------------------------------------------------


def offers(assistant: Assistant, contact_override: str | None = None) -> dict:
    """What the widget shows besides answers, per language: the contact and suggested questions."""
    return _offers(assistant, contact_override or "")


@lru_cache(maxsize=4)  # once per opened index: checking the headings asks a few questions
def _offers(assistant: Assistant, contact_override: str) -> dict:
    guide = Guide.from_meta((assistant.index.manifest or {}).get("meta", {}).get("guide"))
    contacts = {lang: contact_override or guide.contacts.get(lang) or guide.contacts.get(ANY) for lang in LANGS}
    suggestions = {}
    for lang in LANGS:
        chosen = guide.suggestions.get(lang) or guide.suggestions.get(ANY)
        suggestions[lang] = chosen or _answered(guide.headings.get(lang, []), assistant, lang)
    return {
        "contacts": {lang: url for lang, url in contacts.items() if url},
        "suggestions": suggestions,
    }


def _answered(questions: list[str], assistant: Assistant, lang: str) -> list[str]:
    """The first few questions the site answers."""
    out = []
    for question in questions:
        if not assistant.answer(question, lang=lang).abstained:
            out.append(question)
        if len(out) >= SUGGESTIONS:
            break
    return out
