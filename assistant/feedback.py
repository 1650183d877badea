"""Event log lines and the report that turns them into a to-do list for editors.

Every question the API answers and every helpful/not-helpful click becomes one
JSON line. Nothing that identifies a visitor is written: no IP address, no
cookie, no user id. The report lists the questions the site failed to answer,
so whoever maintains the site knows which pages to write or fix.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .text import INVISIBLE, visible

events_logger = logging.getLogger("assistant.events")

MAX_QUESTION = 1000
MAX_URLS = 10
MAX_URL = 2000

_write_lock = threading.Lock()


class _StandardError(logging.StreamHandler):
    """Writes to the sys.stderr of the moment (test runners and Lambda's runtime replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _events_to_standard_error() -> logging.Logger:
    """The events logger with a stderr handler of its own, set up once.

    Event lines must not depend on how the root logger is set up: waitress's
    `basicConfig()` leaves it at WARNING, which dropped every INFO event, and on
    Lambda the runtime's own handler would prefix each line. So the events logger
    does not propagate; its level is the "assistant" logger's (ASSISTANT_LOG_LEVEL).
    """
    with _write_lock:
        if not any(isinstance(h, _StandardError) for h in events_logger.handlers):
            handler = _StandardError()
            handler.setFormatter(logging.Formatter("%(message)s"))
            events_logger.addHandler(handler)
            events_logger.propagate = False
    return events_logger


class FeedbackError(ValueError):
    """A feedback body that cannot be stored; the message is shown to the client."""


def log_path() -> str | None:
    """Where event lines go: the serving app's FEEDBACK_LOG (from its settings), else None for stderr."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("FEEDBACK_LOG"):
        return str(current_app.config["FEEDBACK_LOG"])
    return None


def log_event(kind: str, **fields: Any) -> dict[str, Any]:
    """Write one JSON line for an event and return the record written.

    The line goes to the FEEDBACK_LOG file when one is configured, otherwise to
    standard error through the ``assistant.events`` logger (on Lambda, CloudWatch
    keeps what the function writes there).
    """
    record: dict[str, Any] = {
        "ts": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "event": kind,
        **fields,
    }
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    path = log_path()
    if path:
        with _write_lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    else:
        _events_to_standard_error().info(line)
    return record


def _site_url(url: str, site_url: str | None) -> bool:
    """An address of the site's answers: http(s), no user info, on the site's origin when it is known."""
    if url != visible(url) or " " in url:
        return False  # a line break or an escape in a URL is a forged row of the report, not a link
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return False
    if not site_url:
        return True
    site = urlsplit(site_url)
    return (parts.scheme, parts.netloc.lower()) == (site.scheme, site.netloc.lower())


def validate_feedback(body: Any, site_url: str | None = None) -> dict[str, Any]:
    """Check a feedback body and return the fields to log, cleaned as questions are; raise FeedbackError if it is
    wrong. The urls must be the site's own (``site_url``), since the report prints them as links to fix."""
    if not isinstance(body, dict):
        raise FeedbackError("expected a JSON object")
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise FeedbackError("'question' must be a non-empty string")
    if len(question) > MAX_QUESTION:
        raise FeedbackError(f"'question' is longer than {MAX_QUESTION} characters")
    urls = body.get("urls", [])
    if not isinstance(urls, list) or len(urls) > MAX_URLS:
        raise FeedbackError(f"'urls' must be a list of at most {MAX_URLS} strings")
    if not all(isinstance(u, str) and len(u) <= MAX_URL for u in urls):
        raise FeedbackError(f"'urls' must contain strings of at most {MAX_URL} characters")
    if not all(_site_url(u, site_url) for u in urls):
        raise FeedbackError("'urls' must be addresses of the site's pages")
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise FeedbackError("'helpful' must be true or false")
    lang = body.get("lang")
    if lang is not None and (
        not isinstance(lang, str) or not all(c.isascii() and (c.isalpha() or c == "-") for c in lang) or len(lang) > 10
    ):
        raise FeedbackError("'lang' must be a short language code")
    return {
        "question": visible(question),
        "urls": urls,
        "helpful": helpful,
        "lang": lang,
    }


def _records(path: Path) -> Iterable[dict[str, Any]]:
    """JSON objects in a log file; tolerates prefixes such as a logger's timestamp."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            start = line.find("{")
            if start < 0:
                continue
            try:
                record = json.loads(line[start:])
            except json.JSONDecodeError as exc:
                events_logger.warning("%s:%d: not a JSON log line (%s)", path, lineno, exc.msg)
                continue
            if isinstance(record, dict):
                yield record


def events(log_paths: Iterable[str | os.PathLike[str]]) -> Iterable[dict[str, Any]]:
    """Every event record of the logs, in order."""
    for log in log_paths:
        yield from _records(Path(log))


def _key(question: str) -> str:
    return " ".join(question.casefold().split()).rstrip("?!. ")


def report(log_paths: Iterable[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Questions that were abstained on or marked unhelpful, most frequent first.

    Each row: question (as first asked), asked, abstained, unhelpful, helpful,
    and the urls of answers marked unhelpful. Questions are grouped ignoring
    case, spacing and trailing punctuation.
    """
    rows: dict[str, dict[str, Any]] = {}
    for log in log_paths:
        for record in _records(Path(log)):
            question = record.get("question")
            if not isinstance(question, str) or not question.strip():
                continue
            row = rows.setdefault(
                _key(question),
                {
                    "question": " ".join(question.split()),
                    "asked": 0,
                    "abstained": 0,
                    "unhelpful": 0,
                    "helpful": 0,
                    "urls": [],
                },
            )
            event = record.get("event")
            if event == "ask":
                row["asked"] += 1
                if record.get("abstained"):
                    row["abstained"] += 1
            elif event == "feedback":
                if record.get("helpful") is True:
                    row["helpful"] += 1
                elif record.get("helpful") is False:
                    row["unhelpful"] += 1
                    for url in record.get("urls") or []:
                        if isinstance(url, str) and url not in row["urls"]:
                            row["urls"].append(url)
    failing = [r for r in rows.values() if r["abstained"] or r["unhelpful"]]
    failing.sort(key=lambda r: (-(r["abstained"] + r["unhelpful"]), -r["asked"], r["question"]))
    return failing


_UNSHOWN = re.compile(f"{INVISIBLE.pattern}|[\\t\\n\\r]")  # and the line breaks and tabs a table cell must not hold


def shown(text: str) -> str:
    """Logged text as the report prints it: one line, every control or invisible character escaped as
    ``\\x1b``, ``\\u202e``, so a log line written before the checks (or by hand) forges no row and sends no
    escape sequence to the terminal."""
    return _UNSHOWN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text.replace("\\", "\\\\"))


def format_report(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of report() rows, for a terminal or an e-mail."""
    if not rows:
        return "No question was abstained on or marked unhelpful.\n"
    lines = [f"{'abstained':>9}  {'unhelpful':>9}  {'asked':>5}  question"]
    for r in rows:
        lines.append(f"{r['abstained']:>9}  {r['unhelpful']:>9}  {r['asked']:>5}  {shown(r['question'])}")
        for url in r["urls"]:
            lines.append(f"{'':>32}  unhelpful answer: {shown(url)}")
    return "\n".join(lines) + "\n"
