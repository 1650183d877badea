"""The HTTP contract, against a real `assistant serve` on a loopback port."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from conftest import request, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import TINY_SITE, write_site

    from assistant.build import index_site

    root = tmp_path_factory.mktemp("http")
    site = write_site(root / "site", TINY_SITE)
    index_site(site, root / "index")
    with serving(root / "index", env={"ASSISTANT_FEEDBACK_LOG": str(root / "events.log")}) as base:
        yield base


def test_post_ask_returns_quoted_passages_with_links(server):
    status, headers, body = request(server, "/api/ask", {"question": "Who sits on the board?"})
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert set(body) >= {"question", "lang", "abstained", "answer", "passages"}
    assert body["abstained"] is False and body["lang"] == "en"
    top = body["passages"][0]
    assert set(top) >= {"quote", "highlights", "title", "url", "path", "score", "kind"}
    assert "Ada Lovelace" in top["quote"] and "Alan Turing" in top["quote"]
    assert top["url"].startswith("https://example.org/")
    for start, end in top["highlights"]:
        assert top["quote"][start:end].lower().startswith("board")


def test_get_ask_with_q(server):
    status, _, body = request(server, "/api/ask?" + urllib.parse.urlencode({"q": "Where is the office?"}))
    assert status == 200
    assert "Building 5" in body["passages"][0]["quote"]
    assert body["passages"][0]["url"].startswith("https://example.org/contact")


def test_german_question_gets_german_answer(server):
    status, _, body = request(server, "/api/ask", {"question": "Wie lautet die Umsatzsteuer-Identifikationsnummer?"})
    assert status == 200 and body["lang"] == "de" and not body["abstained"]
    assert "DE 123 456 789" in body["passages"][0]["quote"]


def test_out_of_scope_abstains_in_the_questions_language(server):
    _, _, en = request(server, "/api/ask", {"question": "What is the exchange rate of the euro to the dollar?"})
    _, _, de = request(server, "/api/ask", {"question": "Wann fährt der nächste Bus zum Hauptbahnhof?"})
    assert en["abstained"] is True and en["answer"]
    assert de["abstained"] is True and de["lang"] == "de" and de["answer"] != en["answer"]


def test_health_reports_index_statistics(server):
    status, _, body = request(server, "/api/health")
    assert status == 200
    assert body["passages"] > 0 and body["pages"] >= 4
    assert body.get("content_hash") and body.get("built_at")


@pytest.mark.parametrize(
    "payload, status, code",
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_request"),
        (json.dumps({"question": ""}).encode(), 400, "empty_question"),
        (json.dumps({"question": "   "}).encode(), 400, "empty_question"),
        (json.dumps({"question": 42}).encode(), 400, "missing_question"),
        (json.dumps({"question": "x" * 5000}).encode(), 413, "question_too_long"),
        (json.dumps({"question": "board?", "history": "nope"}).encode(), 400, "invalid_history"),
        (json.dumps({"question": "board?", "lang": "fr"}).encode(), 400, "invalid_lang"),
    ],
)
def test_bad_requests_get_json_errors(server, payload, status, code):
    got, headers, body = request(server, "/api/ask", payload, headers={"Content-Type": "application/json"})
    assert got == status
    assert headers["Content-Type"].startswith("application/json")
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in json.dumps(body) and "/work" not in json.dumps(body)


def test_oversize_body_is_refused(server):
    got, _, body = request(
        server, "/api/ask", b'{"question": "' + b"a" * 100_000 + b'"}', headers={"Content-Type": "application/json"}
    )
    assert got == 413 and body["error"]["code"] == "body_too_large"


def test_wrong_content_type_and_method_and_path(server):
    assert request(server, "/api/ask", b"question=board", headers={"Content-Type": "text/plain"})[0] == 415
    assert request(server, "/api/ask", method="DELETE")[2]["error"]["code"] == "method_not_allowed"
    status, _, body = request(server, "/api/nothing-here")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_cors_only_for_the_sites_origin(server):
    _, headers, _ = request(server, "/api/ask?q=board", headers={"Origin": "https://example.org"})
    assert headers.get("Access-Control-Allow-Origin") == "https://example.org"
    _, headers, _ = request(server, "/api/ask?q=board", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = request(
        server,
        "/api/ask",
        method="OPTIONS",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status in (200, 204) and headers.get("Access-Control-Allow-Origin") == "https://example.org"


def test_security_headers_on_every_response(server):
    for path in ("/api/health", "/api/ask?q=board", "/api/missing"):
        _, headers, _ = request(server, path)
        assert headers.get("X-Content-Type-Options") == "nosniff"
        assert headers.get("Referrer-Policy")
