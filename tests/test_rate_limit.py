"""Per-client rate limiting: a token bucket per remote address, 429 with Retry-After, bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PATIENCE, ROOT, free_port, request, serving


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "spec, count, seconds",
    [
        ("60/minute", 60, 60),
        ("10/s", 10, 1),
        ("1000 per hour", 1000, 3600),
        ("5/10s", 5, 10),
        ("2/minutes", 2, 60),
    ],
)
def test_rates_are_read_as_people_write_them(spec, count, seconds):
    from assistant.ratelimit import parse_rate

    rate = parse_rate(spec)
    assert (rate.count, rate.seconds) == (count, seconds)


def test_off_and_bad_rates():
    from assistant.ratelimit import parse_rate

    assert parse_rate("off") is None and parse_rate(None) is None
    for bad in ("fast", "0/minute", "10/fortnight", "-1/s"):
        with pytest.raises(ValueError, match="60/minute"):
            parse_rate(bad)


def test_a_bucket_allows_a_burst_then_refills_at_the_rate():
    from assistant.ratelimit import RateLimiter, parse_rate

    clock = Clock()
    limiter = RateLimiter(parse_rate("3/minute"), clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0, 0, 0]
    wait = limiter.acquire("a")
    assert 19 < wait <= 20  # one token every 20 s
    assert limiter.acquire("b") == 0  # another client has its own bucket
    clock.now += 20
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") > 0


def test_idle_clients_are_forgotten_and_memory_is_bounded():
    from assistant.ratelimit import RateLimiter, parse_rate

    clock = Clock()
    limiter = RateLimiter(parse_rate("5/minute"), max_clients=100, clock=clock)
    for n in range(1000):
        limiter.acquire(f"10.0.{n // 256}.{n % 256}")
        assert len(limiter) <= 101
    clock.now += 61
    limiter.acquire("late")
    assert len(limiter) == 1


def test_clients_are_told_apart_by_remote_address(tiny_index):
    from assistant.http import create_app, set_rate_limit

    app = create_app(tiny_index)
    set_rate_limit(app, "2/minute", clock=Clock())  # time stands still: the third request finds no token
    one = app.test_client()
    two = app.test_client()
    one.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    two.environ_base["REMOTE_ADDR"] = "192.0.2.2"
    assert [one.get("/api/ask?q=office").status_code for _ in range(3)] == [200, 200, 429]
    assert two.get("/api/ask?q=office").status_code == 200
    assert one.get("/api/health").status_code == 200  # monitoring is never limited


def test_live_server_answers_429_json_with_retry_after(tiny_index, tmp_path):
    events = tmp_path / "events.log"
    # One token every 20 minutes: a real server reads the wall clock, and no machine is that slow.
    with serving(tiny_index, env={"ASSISTANT_RATE_LIMIT": "3/hour", "ASSISTANT_FEEDBACK_LOG": str(events)}) as base:
        statuses = [request(base, "/api/ask", {"question": "Where is the office?"})[0] for _ in range(3)]
        status, headers, body = request(base, "/api/ask", {"question": "Where is the office?"})
        feedback = request(base, "/api/feedback", {"question": "office?", "helpful": True})[0]
        health = request(base, "/api/health")[0]
    assert statuses == [200, 200, 200]
    assert status == 429 and body["error"]["code"] == "too_many_requests" and "3/hour" in body["error"]["message"]
    assert 1 <= int(headers["Retry-After"]) <= 20 * 60
    assert headers["Content-Type"].startswith("application/json")
    assert feedback == 429 and health == 200
    assert "127.0.0.1" not in events.read_text()


def test_assistant_serve_limits_visitors_by_default_but_spares_this_machine(tiny_index):
    from assistant.http import DEFAULT_RATE_LIMIT, create_app, use_default_rate_limit
    from assistant.ratelimit import parse_rate

    allowed = parse_rate(DEFAULT_RATE_LIMIT).count
    with serving(tiny_index, env={"ASSISTANT_RATE_LIMIT": ""}) as base:
        statuses = [request(base, "/api/ask?q=office")[0] for _ in range(allowed + 1)]
    assert statuses == [200] * (allowed + 1)  # a tool on loopback, such as an evaluation run

    app = create_app(tiny_index)
    use_default_rate_limit(app, clock=Clock())  # time stands still: no token refills however slow the machine
    visitor = app.test_client()
    visitor.environ_base["REMOTE_ADDR"] = "203.0.113.7"  # a documentation address; nothing is sent
    statuses = [visitor.get("/api/ask?q=office").status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed and statuses[-1] == 429


def test_a_bad_limit_stops_the_server_with_a_message_naming_the_setting(tiny_index):
    cmd = [sys.executable, "-m", "assistant", "serve", "--index", str(tiny_index), "--port", str(free_port())]
    done = subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        env={**os.environ, "ASSISTANT_RATE_LIMIT": "lots"},
    )
    assert done.returncode != 0
    assert "ASSISTANT_RATE_LIMIT" in done.stderr and "/minute" in done.stderr
