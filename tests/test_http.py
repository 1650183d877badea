"""The HTTP contract, against a real `assistant serve` on a loopback port."""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import pytest
from conftest import PATIENCE, ROOT, answers_health, free_port, request, serving, wait_until

STATIC = ROOT / "assistant" / "static"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import TINY_SITE, write_site

    from assistant.build import index_site

    root = tmp_path_factory.mktemp("http")
    site = write_site(root / "site", TINY_SITE)
    index_site(site, root / "index")
    with serving(root / "index", env={"ASSISTANT_FEEDBACK_LOG": str(root / "events.log")}) as base:
        yield Base(base, site)


class Base(str):
    """The server's URL, knowing the site folder it was indexed from."""

    def __new__(cls, url: str, site: Path) -> Base:
        self = super().__new__(cls, url)
        self.site = site
        return self


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


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_health_names_the_site_but_no_path_of_the_machine_that_built_it(server):
    status, _, body = request(server, "/api/health")
    assert status == 200
    assert body["site_name"] == "Institute of Examples"
    assert body["site_url"] == "https://example.org"
    site_folder = str(Path(server.site).resolve())
    for text in _strings(body):
        assert site_folder not in text, body
        assert not text.startswith(("/", "~")) and ":\\" not in text, f"{text!r} looks like a local path"


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


def _fetch(base: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """A raw HTTP GET that neither asks for nor undoes any compression by itself."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=PATIENCE)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _served(name: str) -> bytes:
    """What the server sends for a widget file: widget.js carries widget.css in its style slot."""
    from assistant.web import widget_script

    return widget_script() if name == "widget.js" else (STATIC / name).read_bytes()


@pytest.mark.parametrize("name, mimetype", [("widget.js", "text/javascript"), ("widget.css", "text/css")])
def test_widget_files_are_gzipped_for_clients_that_accept_it(server, name, mimetype):
    original = _served(name)
    status, headers, body = _fetch(server, f"/{name}", {"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == original
    assert len(body) < len(original) / 2
    assert headers["content-type"].startswith(mimetype)
    assert "accept-encoding" in headers["vary"].lower()
    assert "public" in headers["cache-control"] and "max-age=" in headers["cache-control"]
    assert headers["etag"].startswith('"')

    status, headers, body = _fetch(server, f"/{name}", {})
    assert status == 200 and "content-encoding" not in headers and body == original
    status, _, body = _fetch(server, f"/{name}", {"Accept-Encoding": "gzip;q=0, identity"})
    assert status == 200 and body == original


@pytest.mark.parametrize("name", ["widget.js", "widget.css"])
def test_a_cached_widget_file_is_revalidated_with_304(server, name):
    for encoding in ("gzip", "identity"):
        _, first, _ = _fetch(server, f"/{name}", {"Accept-Encoding": encoding})
        status, headers, body = _fetch(
            server, f"/{name}", {"Accept-Encoding": encoding, "If-None-Match": first["etag"]}
        )
        assert status == 304 and body == b""
        assert headers["etag"] == first["etag"] and "max-age=" in headers["cache-control"]
    status, _, body = _fetch(server, f"/{name}", {"If-None-Match": '"an-older-version"'})
    assert status == 200 and body == _served(name)


def test_several_serving_processes_answer_on_one_port_and_stop_together(tiny_index):
    """`assistant serve --workers 2`: two processes share the socket; stopping the server stops both."""
    port = free_port()
    cmd = _serve_with_two_processes(tiny_index, port)
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: answers_health(base), "two serving processes to answer")
            children = wait_until(lambda: _children(proc.pid) if len(_children(proc.pid)) == 2 else None, "2 workers")
            statuses = {request(base, "/api/ask", {"question": "Where is the office?"})[0] for _ in range(6)}
            assert statuses == {200}
        finally:
            proc.terminate()
            proc.wait(timeout=PATIENCE)
        err.seek(0)
        assert "2 processes" in err.read()
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), "the serving processes to end")


def _serve_with_two_processes(index, port: int) -> list[str]:
    """The command line of `assistant serve --workers 2` on ``index`` and ``port``."""
    return [sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port", str(port), "--workers", "2"]


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_keep_alive_connections_are_shared_between_the_serving_processes(tiny_index):
    """Eight clients that keep their connections open land on both of two processes, not all on one."""
    port = free_port()
    cmd = _serve_with_two_processes(tiny_index, port)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clients: list[http.client.HTTPConnection] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers_health(base), "two serving processes to answer")
        children = wait_until(lambda: _children(proc.pid) if len(_children(proc.pid)) == 2 else None, "2 workers")
        before = {pid: _sockets(pid) for pid in children}
        for _ in range(8):
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
            client.request("GET", "/api/ask?q=" + urllib.parse.quote("Where is the office?"))
            response = client.getresponse()
            response.read()
            assert response.status == 200 and response.getheader("Connection", "").lower() != "close"
            clients.append(client)

        def held_by_each() -> list[int] | None:
            counts = [_sockets(pid) - before[pid] for pid in children]
            return counts if sum(counts) == 8 else None

        held = wait_until(held_by_each, "every connection to be held by a serving process")
        assert min(held) >= 3, held
    finally:
        for client in clients:
            client.close()
        proc.terminate()
        proc.wait(timeout=PATIENCE)


def _sockets(pid: int) -> int:
    """How many sockets a process holds open."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += fd.readlink().name.startswith("socket:")
        except OSError:
            continue
    return count
