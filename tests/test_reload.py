"""`assistant serve` picks up a rebuilt index, and keeps answering from the old one when the new one is broken."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    LONG_PATIENCE,
    PATIENCE,
    ROOT,
    TINY_SITE,
    answers_health,
    free_port,
    request,
    wait_until,
    write_site,
)

QUESTION = {"question": "Where is the office?"}


def moved_site() -> dict[str, str]:
    site = dict(TINY_SITE)
    site["contact.md"] = TINY_SITE["contact.md"].replace("Building 5", "Building 9")
    return site


@pytest.fixture
def indexes(tmp_path):
    """The served index (office in Building 5) and a staged rebuild (office in Building 9)."""
    from assistant.build import index_site

    index_site(write_site(tmp_path / "site-a", TINY_SITE), tmp_path / "index")
    index_site(write_site(tmp_path / "site-b", moved_site()), tmp_path / "staged")
    return tmp_path / "index", tmp_path / "staged"


class Server:
    """A real `assistant serve` whose log we can read."""

    def __init__(self, index: Path, log: Path, reload_seconds: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "ASSISTANT_RATE_LIMIT": "off",
            "ASSISTANT_RELOAD_SECONDS": reload_seconds,
            "ASSISTANT_FEEDBACK_LOG": str(log.with_suffix(".events")),
        }
        self._err = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._err,
        )

        def started() -> bool:
            assert self.proc.poll() is None, log.read_text()
            return answers_health(self.base)

        wait_until(started, "the server to start")

    def office(self) -> str:
        status, _, body = request(self.base, "/api/ask", QUESTION)
        assert status == 200, body
        return body["passages"][0]["quote"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._err.close()


@pytest.fixture
def server_factory(tmp_path):
    started: list[Server] = []

    def start(index: Path, reload_seconds: str = "0.2") -> Server:
        started.append(Server(index, tmp_path / f"server{len(started)}.log", reload_seconds))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def swap(new: Path, live: Path, graveyard: Path) -> None:
    """Put `new` where `live` is with two renames, as a deploy script would, and delete the old files."""
    graveyard.mkdir(exist_ok=True)
    old = graveyard / f"old-{time.monotonic_ns()}"
    os.replace(live, old)
    os.replace(new, live)
    shutil.rmtree(old)


def refusals(server: Server) -> int:
    return server.log.read_text().count("still answering from the previous one")


def refuses_and_keeps_answering(server: Server, expected: str, refused_before: int) -> None:
    """Ask until the server has checked the new folder and logged that it refused it; the old answer stays."""

    def refused() -> bool:
        assert expected in server.office()
        return refusals(server) > refused_before

    wait_until(refused, "the server to check the new index and refuse it")
    assert expected in server.office()


def keeps_answering(server: Server, expected: str, requests: int = 10) -> None:
    for _ in range(requests):
        assert expected in server.office()


def eventually(server: Server, expected: str) -> None:
    wait_until(lambda: expected in server.office(), f"the server to answer {expected!r}")


def test_broken_new_indexes_are_refused_and_a_good_one_is_taken(indexes, server_factory, tmp_path):
    live, staged = indexes
    server = server_factory(live)
    assert "Building 5" in server.office()
    built_at = request(server.base, "/api/health")[2]["content_hash"]

    # 1. A rebuild whose biggest file got truncated on the way (a full disk, an interrupted copy).
    broken = tmp_path / "broken"
    shutil.copytree(staged, broken)
    files = json.loads((broken / "manifest.json").read_text())["files"]
    victim = broken / max(files, key=lambda name: files[name]["size"])
    victim.write_bytes(victim.read_bytes()[: files[victim.relative_to(broken).as_posix()]["size"] // 2])
    swap(broken, live, tmp_path / "graveyard")
    refuses_and_keeps_answering(server, "Building 5", refused_before=0)

    # 2. A manifest that is not JSON at all.
    garbage = tmp_path / "garbage"
    shutil.copytree(staged, garbage)
    (garbage / "manifest.json").write_text("{ this is not an index")
    swap(garbage, live, tmp_path / "graveyard")
    refuses_and_keeps_answering(server, "Building 5", refused_before=1)

    # 3. No index at all.
    shutil.rmtree(live)
    refuses_and_keeps_answering(server, "Building 5", refused_before=2)
    assert request(server.base, "/api/health")[2]["content_hash"] == built_at

    # 4. A good index: answered from within a few checks.
    os.replace(staged, live)
    eventually(server, "Building 9")
    assert request(server.base, "/api/health")[2]["content_hash"] != built_at

    log = server.log.read_text()
    assert "still answering from the previous one" in log
    assert victim.name in log and "manifest.json" in log
    assert "Traceback" not in log
    assert log.count("index reloaded") == 1


def test_sighup_reloads_at_once_when_periodic_checks_are_off(indexes, server_factory, tmp_path):
    if not hasattr(signal, "SIGHUP"):
        pytest.skip("no SIGHUP on this platform")
    live, staged = indexes
    server = server_factory(live, reload_seconds="0")
    assert "Building 5" in server.office()
    swap(staged, live, tmp_path / "graveyard")
    keeps_answering(server, "Building 5")  # nothing checks on its own
    server.proc.send_signal(signal.SIGHUP)
    eventually(server, "Building 9")
    assert server.proc.poll() is None


def test_an_index_rebuilt_in_place_by_assistant_index_is_picked_up(indexes, server_factory, tmp_path):
    live, _ = indexes
    server = server_factory(live)
    assert "Building 5" in server.office()
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(tmp_path / "site-b"), "--out", str(live)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    eventually(server, "Building 9")
