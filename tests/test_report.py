"""The editors' report's figures, from event lines written here (the browser test reads a server's log)."""

from __future__ import annotations

import json

from assistant.analysis import Analyzer
from assistant.report import build, group_questions, per_day, totals


def test_days_without_questions_are_in_the_chart_as_zero():
    records = [
        {"ts": "2026-03-30T23:59:00+00:00", "event": "ask", "abstained": False},
        {"ts": "2026-04-02T08:00:00+00:00", "event": "ask", "abstained": True},
        {"ts": "2026-04-02T09:00:00+00:00", "event": "ask", "abstained": False},
        {"ts": "2026-04-02T09:00:01+00:00", "event": "feedback", "helpful": False},
    ]
    assert per_day(records) == [
        ("2026-03-30", 1, 0),
        ("2026-03-31", 0, 0),
        ("2026-04-01", 0, 0),
        ("2026-04-02", 1, 1),
    ]
    t = totals(records)
    assert (t.asked, t.answered, t.abstained, t.unhelpful) == (3, 2, 1, 1)


def test_questions_group_by_shared_words_across_languages_and_not_otherwise():
    rows = [
        {"question": q, "abstained": n, "unhelpful": 0}
        for q, n in [
            ("Sprechzeiten?", 2),
            ("office hours of the secretariat", 1),
            ("Where can I park?", 1),
            ("Parkplätze am Institut?", 1),
            ("Is there a canteen?", 1),
        ]
    ]
    groups = group_questions(rows, Analyzer())
    found = [sorted(r["question"] for r in g.rows) for g in groups]
    assert found[0] == ["Sprechzeiten?", "office hours of the secretariat"]  # the most misses first
    assert ["Parkplätze am Institut?", "Where can I park?"] in found
    assert ["Is there a canteen?"] in found and len(found) == 3


def test_a_report_without_an_index_still_lists_pages_by_url(tmp_path):
    log = tmp_path / "events.log"
    lines = [
        {
            "ts": "2026-04-02T08:00:00+00:00",
            "event": "ask",
            "question": "Who?",
            "abstained": False,
            "urls": ["https://example.org/team.html#board"],
        },
    ]
    log.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    page = build([log])
    assert 'href="https://example.org/team.html"' in page and "<script" not in page
