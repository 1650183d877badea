"""Event lines of a real `assistant serve`: on standard error by default, in the file when one is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PATIENCE, ROOT, request, serving, wait_until

ABSTAINED = "What is the price of a bus ticket?"
ANSWERED = "Where is the office?"


def event_lines(path: Path) -> list[dict]:
    """The JSON event lines in a file, skipping the server's other log lines."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def wait_for_events(path: Path, count: int) -> list[dict]:
    def written() -> list[dict] | None:
        events = event_lines(path)
        return events if len(events) >= count else None

    return wait_until(written, f"{count} event lines in {path.name}")


def ask_both(base: str) -> None:
    for question in (ANSWERED, ABSTAINED):
        assert request(base, "/api/ask", {"question": question})[0] == 200
    vote = {"question": ANSWERED, "urls": ["https://example.org/contact.html"], "helpful": False}
    assert request(base, "/api/feedback", vote)[0] == 204


def test_assistant_serve_writes_its_events_to_standard_error_by_default(tiny_index, tmp_path):
    stderr = tmp_path / "serve.err"
    env = {"ASSISTANT_FEEDBACK_LOG": "", "ASSISTANT_LOG_LEVEL": "", "ASSISTANT_RATE_LIMIT": "off"}
    with serving(tiny_index, env=env, stderr=stderr) as base:
        ask_both(base)
        events = wait_for_events(stderr, 3)
    assert [e["event"] for e in events] == ["ask", "ask", "feedback"]
    assert [e["question"] for e in events[:2]] == [ANSWERED, ABSTAINED]
    assert events[0]["abstained"] is False and events[1]["abstained"] is True
    assert "Serving" in stderr.read_text()  # the server's own lines stay beside them

    # the editors' report reads the captured standard error as it is
    report = subprocess.run(
        [sys.executable, "-m", "assistant", "report", str(stderr)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert report.returncode == 0, report.stderr
    assert ABSTAINED in report.stdout and ANSWERED in report.stdout


def test_with_a_feedback_log_the_events_go_to_that_file_only(tiny_index, tmp_path):
    stderr, events_file = tmp_path / "serve.err", tmp_path / "events.log"
    env = {"ASSISTANT_FEEDBACK_LOG": str(events_file), "ASSISTANT_RATE_LIMIT": "off"}
    with serving(tiny_index, env=env, stderr=stderr) as base:
        ask_both(base)
        events = wait_for_events(events_file, 3)
    assert [e["event"] for e in events] == ["ask", "ask", "feedback"]
    assert event_lines(stderr) == []


def test_a_bad_setting_stops_the_cli_before_anything_is_served(tiny_index):
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--index", str(tiny_index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "ASSISTANT_PORT": "eighty"},
        timeout=PATIENCE,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: ASSISTANT_PORT: 'eighty' is not a port number (1-65535)"
