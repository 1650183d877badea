"""The editors' HTML report, from the event log a real `assistant serve` wrote, opened in a real Chromium.

Questions and votes go to the server over HTTP as the widget sends them; the log it writes is
the report's input. The numbers on the page are checked against the log's own lines and the
server's answers, and the browser records every request the page makes: the file itself only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LONG_PATIENCE, ROOT, request, serving, write_site

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = ROOT / "docs" / "screenshots" / "report.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]

SITE = {
    "_config.yml": "title: Institute of Tidal Examples\nurl: https://tides.example.org\n",
    "index.md": """
        ---
        title: Welcome
        ---
        The Institute of Tidal Examples studies tides, mudflats and the birds that feed on them.

        ## Founding

        The institute was founded in 1987 by three marine biologists.
        """,
    "team.md": """
        ---
        title: Team
        ---
        ## Board

        The board consists of Ada Lovelace (chair) and Grace Hopper.
        """,
    "research/birds.md": """
        ---
        title: Birds on the mudflats
        ---
        Our bird group counts waders on the mudflats every spring and autumn.
        """,
}
ANSWERED = [
    "When was the institute founded?",
    "Who sits on the board?",
    "Wer ist im Vorstand?",
    "Who sits on the board?",
    "Which birds does the institute count?",
]
# What the site does not say, asked in both languages; each pair must fall into one group.
UNANSWERED = [
    "Sprechzeiten?",
    "What are the office hours of the secretariat?",
    "Where can I park my car?",
    "Gibt es Parkplätze?",
    "Where can I park my car?",
]
UNHELPFUL = "Who sits on the board?"


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("report")
    site = write_site(root / "site", SITE)
    index = root / "index"
    subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(site), "--out", str(index)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=LONG_PATIENCE,
    )
    log = root / "events.jsonl"
    answers = {}
    with serving(index, env={"ASSISTANT_FEEDBACK_LOG": str(log)}) as base:
        for question in ANSWERED + UNANSWERED:
            status, _, body = request(base, "/api/ask", {"question": question})
            assert status == 200
            answers[question] = body
        board = answers[UNHELPFUL]
        vote = {"question": UNHELPFUL, "urls": [p["url"] for p in board["passages"][:3]], "helpful": False}
        assert request(base, "/api/feedback", vote)[0] in (200, 204)
        vote = {"question": ANSWERED[0], "urls": [answers[ANSWERED[0]]["passages"][0]["url"]], "helpful": True}
        assert request(base, "/api/feedback", vote)[0] in (200, 204)
    for question in ANSWERED:
        assert not answers[question]["abstained"], question
    for question in UNANSWERED:
        assert answers[question]["abstained"], question
    out = root / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "report", str(log), "--html", str(out), "--index", str(index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return {"log": lines, "html": out, "answers": answers, "site": site}


@pytest.fixture(scope="module")
def page(logged):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        requested: list[str] = []
        context.on("request", lambda r: requested.append(r.url))
        tab = context.new_page()
        tab.goto(logged["html"].as_uri())
        tab.wait_for_load_state("load")
        yield tab, requested
        browser.close()


def test_the_page_makes_no_request_but_for_itself(logged, page):
    _, requested = page
    assert requested == [logged["html"].as_uri()]
    assert "<script" not in logged["html"].read_text(encoding="utf-8")


def test_the_shares_are_the_logs(logged, page):
    tab, _ = page
    asks = [e for e in logged["log"] if e["event"] == "ask"]
    votes = [e for e in logged["log"] if e["event"] == "feedback"]
    shown = {
        k: int(tab.locator(f"[data-count={k}]").inner_text()) for k in ("asked", "answered", "abstained", "unhelpful")
    }
    assert shown == {
        "asked": len(asks),
        "answered": sum(not e["abstained"] for e in asks),
        "abstained": sum(e["abstained"] for e in asks),
        "unhelpful": sum(e["helpful"] is False for e in votes),
    }
    assert shown == {"asked": 10, "answered": 5, "abstained": 5, "unhelpful": 1}
    assert "answered (50 %)" in tab.locator(".tile.answered").inner_text()


def test_the_chart_shows_each_days_questions(logged, page):
    tab, _ = page
    day = logged["log"][0]["ts"][:10]
    svg = tab.locator("figure.chart svg")
    assert svg.is_visible()
    assert day in svg.text_content()
    assert svg.locator(".serie-0").count() and svg.locator(".serie-1").count()  # answered and abstained, stacked
    assert not svg.locator(".serie-2").count()
    assert [t for t in svg.locator(".legend text").all_text_contents()] == ["answered", "abstained"]


def test_unanswered_questions_in_both_languages_fall_together(logged, page):
    tab, _ = page
    groups = [sorted(row.locator(".q").all_inner_texts()) for row in tab.locator("#groups tbody tr").all()]
    assert sorted(["Sprechzeiten?", "What are the office hours of the secretariat?"]) in groups
    assert sorted(["Where can I park my car?", "Gibt es Parkplätze?"]) in groups
    parking = tab.locator("#groups tbody tr", has_text="Gibt es Parkplätze?")
    assert parking.locator("td.n").inner_text() == "3"  # asked three times, none answered


def _rows(tab, table: str) -> dict[str, dict]:
    out = {}
    for row in tab.locator(f"#{table} tbody tr").all():
        cells = row.locator("td")
        source = cells.nth(1).locator("a")
        out[cells.nth(0).locator("a").get_attribute("href")] = {
            "title": cells.nth(0).inner_text(),
            "source": source.inner_text(),
            "link": source.get_attribute("href"),
            "count": int(cells.last.inner_text()),
        }
    return out


def test_pages_quoted_link_to_their_source_file_and_line(logged, page):
    tab, _ = page
    quoted = _rows(tab, "quoted-pages")
    expected: dict[str, int] = {}
    for e in logged["log"]:
        if e["event"] == "ask" and not e["abstained"]:
            for url in e["urls"]:
                expected[url.split("#")[0]] = expected.get(url.split("#")[0], 0) + 1
    assert {url: row["count"] for url, row in quoted.items()} == expected
    board = logged["answers"]["Who sits on the board?"]["passages"][0]
    row = quoted[board["url"].split("#")[0]]
    assert row["title"] == "Team"
    assert row["source"] == f"{board['path']}:{board['line']}"
    assert row["link"] == (logged["site"] / board["path"]).resolve().as_uri()
    written = (logged["site"] / board["path"]).read_text(encoding="utf-8").splitlines()
    assert "Board" in written[board["line"] - 1] or "board" in written[board["line"] - 1]


def test_pages_of_unhelpful_answers_are_listed_with_the_question(logged, page):
    tab, _ = page
    unhelpful = _rows(tab, "unhelpful-pages")
    vote = next(e for e in logged["log"] if e["event"] == "feedback" and e["helpful"] is False)
    assert set(unhelpful) == {u.split("#")[0] for u in vote["urls"]}
    assert UNHELPFUL in tab.locator("#unhelpful-pages").inner_text()


def test_screenshot_for_the_readme(page):
    tab, _ = page
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
