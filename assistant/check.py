"""Answer tests for a site's CI: `assistant check QUESTIONS.yaml`.

A question file lists questions with the pages and words their answers must show, in the
format of the project's evaluation (``id``, ``lang``, ``kind``, ``question``, ``history``,
``expected_urls``, ``answer_any``, ``answer_all``). Each question is answered in-process from an
index and judged by the evaluation's rules:

- in scope: one of ``expected_urls`` is among the top three passages (only the path is
  compared: scheme, host, ``#anchor``, ``.html``, ``index.html`` and a trailing ``/`` are
  ignored), the answer strings stand in the top three quotes (``answer_any``: one of them,
  ``answer_all``: every one; case-insensitive), and the answer is no abstention;
- ``kind: out_of_scope``: the assistant abstained or gave no passage.

The results go to the terminal (each miss with its reason) and, for CI servers, to a JUnit XML
file, one test case per question.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .answer import Assistant

TOP = 3  # passages looked at, as in the evaluation


class QuestionFileError(ValueError):
    """A question file that cannot be used; the message names the file and the line."""


@dataclass
class Verdict:
    """How one question fared."""

    item: dict[str, Any]
    ok: bool
    why: str
    urls: list[str] = field(default_factory=list)  # the top passages' URLs
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return str(self.item.get("id") or self.item["question"])


def norm_path(url: str | None) -> str:
    """A URL's path as the evaluation compares it."""
    path = urlsplit(url or "").path.lower()
    for suffix in ("index.html", ".html", "/"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path or "/"


def judge(item: dict[str, Any], data: dict[str, Any]) -> tuple[bool, str]:
    """Whether an API answer (`answer_to_json`) passes a question, and why not."""
    passages = data.get("passages") or []
    abstained = bool(data.get("abstained"))
    if item.get("kind") == "out_of_scope":
        declined = abstained or not passages
        return declined, "" if declined else "answered an out-of-scope question"
    top = passages[:TOP]
    want = {norm_path(u) for u in item.get("expected_urls") or []}
    urls = [norm_path(p.get("url")) for p in top]
    url_found = any(u in want for u in urls) if want else True
    text = " ".join(str(p.get("quote", "")) for p in top).lower()
    any_ = [str(a).lower() for a in item.get("answer_any") or []]
    all_ = [str(a).lower() for a in item.get("answer_all") or []]
    words_found = (not any_ or any(a in text for a in any_)) and all(a in text for a in all_)
    why = []
    if abstained:
        why.append("abstained")
    if not url_found:
        why.append(f"urls {urls} not in {sorted(want)}")
    if not words_found:
        why.append("answer text missing from top quotes")
    return url_found and words_found and not abstained, "; ".join(why)


def load_questions(path: Path) -> list[dict[str, Any]]:
    """The questions of a file; a malformed one stops with the file and line."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise QuestionFileError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise QuestionFileError(f"{path}:{root.start_mark.line + 1}: expected a list of questions")
    items = []
    for node in root.value:
        item = yaml.safe_load(yaml.serialize(node))
        line = node.start_mark.line + 1
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
            raise QuestionFileError(f"{path}:{line}: each entry needs question: (and expected_urls, answer_any …)")
        history = item.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise QuestionFileError(f"{path}:{line}: history: must be a list of earlier questions")
        items.append({**item, "_where": f"{path}:{line}"})
    return items


def run(assistant: Assistant, items: list[dict[str, Any]], clock=time.perf_counter) -> list[Verdict]:
    """Answer and judge every question, in order."""
    from .answer import answer_to_json

    verdicts = []
    for item in items:
        started = clock()
        data = answer_to_json(assistant.respond(item["question"], list(item.get("history") or []), None))
        ok, why = judge(item, data)
        urls = [p["url"] for p in data["passages"][:TOP]]
        verdicts.append(Verdict(item, ok, why, urls, clock() - started))
    return verdicts


def format_misses(verdicts: list[Verdict]) -> str:
    """One block per miss (where it is written, the question, the reason, what came first), then the score."""
    lines = []
    for v in verdicts:
        if v.ok:
            continue
        item = v.item
        tags = "/".join(str(item[k]) for k in ("lang", "kind") if item.get(k))
        lines.append(f"MISS {v.name}{f' [{tags}]' if tags else ''} {item['question']!r}: {v.why}")
        lines.append(f"     at {item.get('_where', '?')}")
        for url in v.urls:
            lines.append(f"     got {url}")
    passed = sum(v.ok for v in verdicts)
    lines.append(f"score: {passed}/{len(verdicts)}")
    return "\n".join(lines) + "\n"


def junit_xml(verdicts: list[Verdict], suite: str) -> bytes:
    """JUnit XML as GitHub Actions, GitLab CI and Jenkins read it: one test case per question."""
    failures = sum(not v.ok for v in verdicts)
    seconds = sum(v.seconds for v in verdicts)
    root = ET.Element("testsuites", name="assistant check", tests=str(len(verdicts)), failures=str(failures))
    root.set("time", f"{seconds:.3f}")
    node = ET.SubElement(
        root, "testsuite", name=suite, tests=str(len(verdicts)), failures=str(failures), errors="0", skipped="0"
    )
    node.set("time", f"{seconds:.3f}")
    for v in verdicts:
        item = v.item
        case = ET.SubElement(node, "testcase", name=f"{v.name}: {item['question']}", classname=suite)
        case.set("time", f"{v.seconds:.3f}")
        if not v.ok:
            failure = ET.SubElement(case, "failure", message=v.why, type="miss")
            failure.text = "\n".join(
                [f"question: {item['question']}", f"at: {item.get('_where', '?')}", f"reason: {v.why}"]
                + [f"got: {u}" for u in v.urls]
            )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
