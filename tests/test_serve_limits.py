"""What one client can do to `assistant serve` and what it cannot: hold connections, send huge or ambiguous
bodies, crash the engine. Raw sockets against a real server on loopback; no test measures time."""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading

import pytest
from conftest import PATIENCE, TINY_SITE, request, serving, wait_until, write_site

SLOW_CLIENTS = 100


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from assistant.build import index_site

    root = tmp_path_factory.mktemp("limits")
    index_site(write_site(root / "site", TINY_SITE), root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def server(index):
    env = {"ASSISTANT_FEEDBACK_LOG": str(index.parent / "events.log"), "ASSISTANT_RATE_LIMIT": "off"}
    with serving(index, env=env) as base:
        yield base


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def exchange(base: str, data: bytes, then: bytes = b"") -> bytes:
    """Send ``data`` (and ``then``, if the server has not closed), read until the server closes."""
    with socket.create_connection(_address(base), timeout=PATIENCE) as sock:
        sock.sendall(data)
        with contextlib.suppress(OSError):
            if then:
                sock.sendall(then)
        out = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                out += chunk
        return out


def responses(raw: bytes) -> list[tuple[int, dict, bytes]]:
    """The HTTP responses in a raw byte stream (each with a Content-Length, as the server sends them)."""
    out = []
    while raw.startswith(b"HTTP/"):
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        out.append((int(lines[0].split()[1]), headers, rest[:length]))
        raw = rest[length:]
    return out


def json_error(response: tuple[int, dict, bytes]) -> str:
    status, headers, body = response
    assert headers["content-type"].startswith("application/json"), response
    assert headers["x-content-type-options"] == "nosniff"
    return json.loads(body)["error"]["code"]


def test_content_length_with_chunked_is_refused_and_the_request_behind_it_is_not_served(server):
    smuggled = (
        b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    got = responses(exchange(server, smuggled))
    assert len(got) == 1, got  # one refusal, and the connection closed: the pipelined GET never ran
    assert got[0][0] == 400 and json_error(got[0]) == "bad_request"
    assert got[0][1]["connection"] == "close"


def test_a_huge_content_length_is_refused_before_the_body_is_read(server):
    head = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 314572800\r\n\r\n"
    got = responses(exchange(server, head))  # no byte of the 300 MiB is sent: the answer comes without them
    assert got and got[0][0] == 413 and json_error(got[0]) == "body_too_large"


def test_a_chunked_body_over_the_limit_is_refused_while_it_arrives(server):
    head = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    got = responses(exchange(server, head + chunk))  # 64 KiB, no last chunk: the body never ends
    assert got and got[0][0] == 413 and json_error(got[0]) == "body_too_large"


def test_a_malformed_request_gets_a_json_error(server):
    got = responses(exchange(server, b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"))
    assert got and got[0][0] == 400 and json_error(got[0]) == "bad_request"


def test_an_ordinary_body_under_the_limit_is_still_answered(server):
    status, _, body = request(server, "/api/ask", {"question": "Where is the office?", "history": ["x" * 900] * 20})
    assert status == 200 and body["passages"]


def test_slow_clients_holding_connections_do_not_lock_out_a_normal_client(server):
    """100 connections each holding half a request header (the connection limit used to be 100, and each new
    header line reset the idle timeout): a normal client is still answered."""
    held = []
    try:
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(_address(server), timeout=PATIENCE)
            sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
            held.append(sock)
        status, _, body = request(server, "/api/ask?q=office")
        assert status == 200 and body["passages"]
    finally:
        for sock in held:
            sock.close()


# ---------------------------------------------------------------------------
# The request timeout, with the clock given


@pytest.fixture
def in_process(index):
    """The server of `assistant serve` on a free port in this process, run on a thread."""
    from assistant.http import create_app
    from assistant.server import create

    server = create(create_app(index, config={"RATE_LIMIT": "off"}), "127.0.0.1", 0, max_body=32 * 1024)
    # The test is the clock: the server's own checks (against the wall clock, once a second) are off,
    # so a machine too busy to reach the next line within the timeout cannot close the connection early.
    server.adj.cleanup_interval = math.inf
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
        server.task_dispatcher.shutdown()


def test_a_request_still_arriving_after_the_request_timeout_is_closed(in_process):
    from assistant.server import REQUEST_SECONDS

    with socket.create_connection(("127.0.0.1", in_process.effective_port), timeout=PATIENCE) as slow:
        slow.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\n")
        channel = wait_until(lambda: next(iter(in_process.active_channels.values()), None), "the connection")
        wait_until(lambda: channel.request is not None, "the request to begin")
        began = channel.request.started
        in_process.maintenance(began + REQUEST_SECONDS / 2)
        assert not channel.will_close  # half the time: still allowed to finish its request
        in_process.maintenance(began + REQUEST_SECONDS + 1)
        assert slow.recv(1) == b""  # closed although it sent a header line moments ago


def test_the_request_timeout_runs_from_the_first_byte_not_the_last():
    from types import SimpleNamespace

    from assistant.server import too_slow

    arriving = SimpleNamespace(completed=False, started=1000.0)
    assert not too_slow(arriving, now=1009.0, request_seconds=10)
    assert too_slow(arriving, now=1011.0, request_seconds=10)
    assert not too_slow(SimpleNamespace(completed=True, started=1000.0), now=5000.0, request_seconds=10)
    assert not too_slow(None, now=5000.0)


# ---------------------------------------------------------------------------
# Requests the app answers as JSON


@pytest.fixture(scope="module")
def client(index):
    from assistant.http import create_app

    return create_app(index, config={"RATE_LIMIT": "off", "FEEDBACK_LOG": str(index.parent / "app.log")}).test_client()


def test_head_ask_answers_like_get_without_a_body(client):
    get, head = client.get("/api/ask?q=office"), client.head("/api/ask?q=office")
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"] and head.data == b""


def test_a_doubled_slash_is_a_json_404_not_a_redirect(client):
    response = client.get("/api//ask?q=office")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_query_string_longer_than_a_body_may_be_is_refused(client):
    from assistant.http import MAX_QUERY_BYTES

    history = "&".join(["history=" + "%E4%B8%80" * 1000] * 20)  # 20 earlier questions of 1,000 CJK letters
    assert len(history) > MAX_QUERY_BYTES
    response = client.get("/api/ask?q=office&" + history)
    assert response.status_code == 414 and response.get_json()["error"]["code"] == "query_too_long"


class Panicking:
    """An assistant whose search engine panics on every question: tantivy asserts that a search asks
    for at least one hit, and pyo3 raises its PanicException, a BaseException, not an Exception."""

    def __init__(self, real) -> None:
        self.index = real.index

    def respond(self, *args, **kwargs):
        import tantivy

        self.index._searcher.search(tantivy.Query.all_query(), limit=0)


def test_an_engine_panic_is_a_json_500_and_the_app_keeps_serving(index, caplog):
    from assistant.answer import Assistant
    from assistant.http import create_app

    app = create_app(index, assistant=Panicking(Assistant.open(index)), config={"RATE_LIMIT": "off"})
    client = app.test_client()
    response = client.get("/api/ask?q=office")
    assert response.status_code == 500 and response.is_json
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "Limit must be greater" not in response.get_data(as_text=True)
    assert "PanicException" in caplog.text  # the log says what happened
    assert client.get("/api/health").status_code == 200


def test_ctrl_c_still_stops_the_server(index):
    from assistant.answer import Assistant
    from assistant.http import create_app

    class Interrupted(Panicking):
        def respond(self, *args, **kwargs):
            raise KeyboardInterrupt

    app = create_app(index, assistant=Interrupted(Assistant.open(index)), config={"RATE_LIMIT": "off"})
    with pytest.raises(KeyboardInterrupt):
        app.test_client().get("/api/ask?q=office")


def test_a_serving_process_holding_more_connections_than_another_leaves_new_ones_to_it(index):
    """Of several processes on one socket, only one holding no more connections than any other accepts."""
    from assistant.http import MAX_BODY_BYTES, _bind, create_app
    from assistant.server import Balance, create

    balance = Balance(2)
    listening = _bind("127.0.0.1", 0)
    server = create(create_app(index), sock=listening, max_body=MAX_BODY_BYTES, balance=(balance, 0))
    try:
        balance.count(1, 0)
        assert server.readable()  # both hold none
        client = socket.create_connection(listening.getsockname(), timeout=PATIENCE)
        wait_until(lambda: server.handle_accept() or server.active_channels, "the connection to be accepted")
        assert not server.readable()  # one against none: the other process takes the next
        balance.count(1, 3)
        assert server.readable()
        balance.count(1, Balance.GONE)  # the other process ended; its replacement has not counted yet
        assert server.readable()
        client.close()
    finally:
        server.close()
        listening.close()
