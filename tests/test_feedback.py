"""Feedback endpoint, event log lines, the editors' report, and the widget's assets and demo page."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pytest
from flask import Flask

from assistant.feedback import format_report, log_event, report
from assistant.web import blueprint

STATIC = Path(__file__).resolve().parents[1] / "assistant" / "static"


def make_app(log: Path | None, **config) -> Flask:
    app = Flask("feedback-test")
    app.config.update(SITE_URL="https://www.institute.test", FEEDBACK_LOG=str(log) if log else None, **config)
    app.register_blueprint(blueprint)
    return app


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "events.jsonl"


@pytest.fixture
def client(log: Path):
    return make_app(log).test_client()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_feedback_is_one_json_line_without_anything_about_the_visitor(client, log):
    response = client.post(
        "/api/feedback",
        json={
            "question": "Who leads the lab?",
            "urls": ["https://www.institute.test/people/#lead"],
            "helpful": False,
            "lang": "en",
        },
        headers={"Cookie": "session=abc", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert response.status_code == 204
    [record] = lines(log)
    assert record["event"] == "feedback"
    assert record["question"] == "Who leads the lab?"
    assert record["urls"] == ["https://www.institute.test/people/#lead"]
    assert record["helpful"] is False
    assert record["lang"] == "en"
    assert record["ts"].endswith("+00:00")
    raw = log.read_text()
    assert "198.51.100.7" not in raw and "203.0.113.9" not in raw and "abc" not in raw


@pytest.mark.parametrize(
    "body, complaint",
    [
        ([1, 2], "JSON object"),
        ({"urls": [], "helpful": True}, "question"),
        ({"question": "x" * 1001, "urls": [], "helpful": True}, "1000"),
        ({"question": "q", "urls": ["u"] * 11, "helpful": True}, "urls"),
        ({"question": "q", "urls": [3], "helpful": True}, "urls"),
        ({"question": "q", "urls": "https://x", "helpful": True}, "urls"),
        ({"question": "q", "urls": [], "helpful": "yes"}, "helpful"),
        ({"question": "q", "urls": []}, "helpful"),
    ],
)
def test_bad_feedback_is_refused_with_a_json_error_and_not_logged(client, log, body, complaint):
    response = client.post("/api/feedback", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert complaint in error["message"]
    assert not log.exists()


def test_feedback_that_is_not_json_is_refused(client, log):
    response = client.post("/api/feedback", data="helpful=true", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "JSON" in response.get_json()["error"]["message"]
    too_big = client.post("/api/feedback", data="x" * 20000, content_type="application/json")
    assert too_big.status_code == 413
    assert not log.exists()


@pytest.fixture
def log_level():
    """Set the "assistant" logger's level (what ASSISTANT_LOG_LEVEL sets) for one test."""
    logger, root = logging.getLogger("assistant"), logging.getLogger()
    saved = logger.level, root.level
    root.setLevel(logging.WARNING)  # as waitress's basicConfig() leaves it
    yield logger.setLevel
    logger.setLevel(saved[0])
    root.setLevel(saved[1])


def test_without_a_log_file_events_are_json_lines_on_standard_error(capsys, monkeypatch, log_level):
    monkeypatch.setenv("ASSISTANT_FEEDBACK_LOG", "/nonexistent/ignored.log")  # read by Settings only, never here
    log_level(logging.INFO)
    client = make_app(None).test_client()
    response = client.post("/api/feedback", json={"question": "Wo ist das Büro?", "urls": [], "helpful": True})
    assert response.status_code == 204
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["question"] == "Wo ist das Büro?"
    assert "Büro" in line  # readable, not \u-escaped


def test_log_event_outside_a_request_writes_to_standard_error(capsys, log_level):
    log_level(logging.INFO)
    log_event("ask", question="When is the open day?", abstained=True, lang="en")
    log_event("ask", question="Who is on the board?", abstained=False, lang="en")
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [r["question"] for r in records] == ["When is the open day?", "Who is on the board?"]
    assert records[0]["event"] == "ask"


def test_the_assistant_log_level_can_leave_the_event_lines_out(capsys, log_level):
    log_level(logging.WARNING)
    log_event("ask", question="When is the open day?", abstained=True, lang="en")
    assert capsys.readouterr().err == ""


def test_report_lists_unanswered_and_unhelpful_questions_most_frequent_first(tmp_path):
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    ask = lambda q, abstained: json.dumps({"ts": "t", "event": "ask", "question": q, "abstained": abstained})  # noqa: E731
    vote = lambda q, helpful, urls=(): json.dumps(  # noqa: E731
        {"ts": "t", "event": "feedback", "question": q, "helpful": helpful, "urls": list(urls)}
    )
    first.write_text(
        "\n".join(
            [
                ask("When is the open day?", True),
                ask("when is the open day", True),
                ask("Who is on the board?", False),
                vote("Who is on the board?", True),
                ask("Where do I park?", False),
                "this line is not JSON",
                "{broken json",
            ]
        )
        + "\n"
    )
    # a logger's prefix before the JSON, as in CloudWatch exports
    second.write_text(
        "\n".join(
            [
                "2026-01-01T00:00:00Z INFO " + ask("When is the open day?", True),
                vote("Where do I park?", False, ["https://www.institute.test/contact/"]),
                ask("What is the budget?", True),
            ]
        )
        + "\n"
    )
    rows = report([first, second])
    assert [r["question"] for r in rows] == ["When is the open day?", "What is the budget?", "Where do I park?"]
    assert rows[0]["abstained"] == 3 and rows[0]["asked"] == 3
    assert rows[2]["unhelpful"] == 1 and rows[2]["urls"] == ["https://www.institute.test/contact/"]
    text = format_report(rows)
    assert text.index("When is the open day?") < text.index("Where do I park?")
    assert "https://www.institute.test/contact/" in text
    assert "Who is on the board?" not in text
    assert "No question" in format_report([])


def test_widget_assets_are_served_with_types_and_cache_headers(client):
    js = client.get("/widget.js")
    assert js.status_code == 200
    assert js.mimetype == "text/javascript"
    assert "max-age=" in js.headers["Cache-Control"] and "public" in js.headers["Cache-Control"]
    css = client.get("/widget.css")
    assert css.mimetype == "text/css"
    assert js.headers.get("Set-Cookie") is None and css.headers.get("Set-Cookie") is None
    assert client.get("/widget.js", headers={"If-None-Match": js.headers["ETag"]}).status_code == 304
    assert b".ia-launcher" in js.data  # the stylesheet comes inside the script: one request, not two
    size = len(gzip.compress(js.data, 9))
    print(f"\nwidget.js as served, its stylesheet inside, gzipped: {size} bytes")
    assert size < 10 * 1024


def test_widget_never_parses_api_text_as_markup():
    source = (STATIC / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source
    assert "document.cookie" not in source


def test_demo_page_embeds_the_widget_with_one_script_tag_under_a_strict_policy(client):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="en">' in html
    assert html.count("<script") == 1  # the snippet shown on the page is escaped text
    assert '<script src="/widget.js"' in html
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith(
        "default-src 'self'; script-src 'self' http://localhost; style-src 'self' http://localhost;"
    )
    assert "unsafe" not in policy and "nonce" not in policy  # no inline script or style anywhere
    assert "https://www.institute.test" in html


@pytest.mark.parametrize("path", ["/de", "/?lang=de"])
def test_german_demo_page(client, path):
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Website" in html


def test_demo_page_passes_the_contact_url_to_the_widget(log):
    client = make_app(log, CONTACT_URL="https://www.institute.test/contact/").test_client()
    assert 'data-contact="https://www.institute.test/contact/"' in client.get("/").get_data(as_text=True)


VOTE = {"question": "Who leads the lab?", "urls": ["https://www.institute.test/people/"], "helpful": False}


def test_feedback_sent_as_text_plain_is_refused_a_cross_origin_form_needs_no_preflight(client, log):
    """Any web page can post text/plain to another origin without asking; JSON needs a CORS preflight."""
    response = client.post("/api/feedback", data=json.dumps(VOTE), content_type="text/plain")
    assert response.status_code == 415 and response.get_json()["error"]["code"] == "unsupported_media_type"
    assert not log.exists()


def test_feedback_questions_are_cleaned_like_questions(client, log):
    question = "Who\x1b[31m leads\x07 the\x00 lab\u202e?\nsecond line"
    assert client.post("/api/feedback", json=VOTE | {"question": question}).status_code == 204
    [record] = lines(log)
    assert record["question"] == "Who [31m leads the lab ? second line"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.institute.test/people/\n    0          1      1  forged row",
        "https://www.institute.test/\x1b]8;;https://evil.example\x07link",
        "https://evil.example/people/",
        "https://www.institute.test@evil.example/",
        "javascript:alert(1)//www.institute.test/",
        "https://www.institute.test/a b",
    ],
)
def test_feedback_urls_must_be_the_sites_own_pages(client, log, url):
    response = client.post("/api/feedback", json=VOTE | {"urls": [url]})
    assert response.status_code == 400 and "site" in response.get_json()["error"]["message"]
    assert not log.exists()


def test_the_report_prints_no_forged_row_and_no_raw_escape(tmp_path):
    """Lines written before feedback was checked (or by hand) are shown escaped, one row each."""
    events = tmp_path / "old.log"
    forged = {"ts": "t", "event": "feedback", "helpful": False, "question": "Where\x1b[2J is it?\u202e",
              "urls": ["https://www.institute.test/x\n       99         99     99  fake question"]}  # fmt: skip
    events.write_text(json.dumps(forged) + "\n", encoding="utf-8")
    text = format_report(report([events]))
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text and "\\n" in text
    assert len(text.splitlines()) == 3  # the header, the row, its one url
