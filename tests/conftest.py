"""Fixtures that build real sites in temporary folders and serve them for real."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lines for pytest's terminal summary (question-set scores), written after the test run.
SCORES = pytest.StashKey[list[str]]()
SHARED = Path(os.environ.get("ASSISTANT_SHARED") or ROOT.parent / "shared")
SITES = SHARED / "sites"


@pytest.fixture(scope="session", autouse=True)
def suite_temporary_folder(tmp_path_factory):
    """What the program puts in the system's temporary folder (an opened index's verification stamp, the
    link folders of read-only indexes, compiled glossary copies) goes under pytest's own base folder for
    the run, in this process and in every program a test starts: pytest keeps the last few runs' folders
    only, where a thousand stamps a run would pile up in /tmp."""
    folder = tmp_path_factory.getbasetemp() / "system-tmp"
    folder.mkdir(exist_ok=True)
    saved_env, saved_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = str(folder), str(folder)
    yield folder
    tempfile.tempdir = saved_dir
    if saved_env is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved_env


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write a site from {relative path: text}; text is dedented."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


NEWS = {
    "en": "---\ntitle: News {n}\n---\nThe group published dataset {n}.\n",
    "de": "---\ntitle: Neuigkeit {n}\nlang: de\n---\nDie Gruppe hat Datensatz {n} veröffentlicht.\n",
}


def open_site_with_news(root: Path, files: dict[str, str], news: int = 12, lang: str = "en"):
    """Index a site of `files` and `news` short news pages that say nothing of them, and open it: the
    pages a test is about are then few among many, as on a real site, so a word's rarity means something."""
    from assistant.answer import Assistant
    from assistant.build import index_site

    site = dict(files)
    for n in range(news):
        site[f"news-{n}.md"] = NEWS[lang].format(n=n)
    index_site(write_site(root / "site", site), root / "index")
    return Assistant.open(root / "index")


TINY_SITE = {
    "_config.yml": """
        title: Institute of Examples
        url: https://example.org
        """,
    "_data/people.yml": """
        - name: Ada Lovelace
          title: Prof. Dr.
          roles: [board, head]
          group: ml
        - name: Alan Turing
          title: Dr.
          roles: [board]
          group: theory
        - name: Grace Hopper
          title: Dr.
          roles: [staff]
          group: ml
        """,
    "_layouts/default.html": """
        <html><body><header><nav>Home | Groups | Contact</nav></header>
        <main>{{ content }}</main>
        <footer>Imprint and privacy</footer></body></html>
        """,
    "index.md": """
        ---
        layout: default
        title: Institute of Examples
        ---
        The Institute of Examples studies machine learning for medicine and is part of the University of Somewhere.

        ## Board

        {% assign board = site.data.people | where_exp: "p", "p.roles contains 'board'" %}
        {% for p in board %}- {{ p.title }} {{ p.name }}
        {% endfor %}
        """,
    "contact.md": """
        ---
        layout: default
        title: Contact
        ---
        # Contact

        Our office is in Building 5, 3rd floor, Example Street 12, 45131 Essen.
        Write to office@example.org for appointments.
        """,
    "impressum.md": """
        ---
        layout: default
        title: Impressum
        lang: de
        ---
        # Impressum

        Anbieter dieser Website ist das Institut der Beispiele. Die Umsatzsteuer-Identifikationsnummer lautet DE 123 456 789.
        """,
    "_posts/2024-06-27-symposium.md": """
        ---
        layout: default
        title: Symposium on medical imaging
        ---
        The institute hosted a symposium on medical imaging on 27 June 2024 with two hundred guests.
        """,
}


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", TINY_SITE)


@pytest.fixture
def tiny_index(tiny_site: Path, tmp_path: Path) -> Path:
    from assistant.build import index_site

    out = tmp_path / "index"
    report = index_site(tiny_site, out)
    assert not report.problems, report.problems
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# How long a test waits for something that normally takes a moment (a server to start, a line
# to appear). Generous on purpose: a busy machine is slow, not broken; a test only waits this
# long when it is failing anyway.
PATIENCE = 120.0
# The same for a subprocess that builds an index or runs a whole tool (schemathesis, zappa).
LONG_PATIENCE = 900.0


def wait_until(condition, what: str, timeout: float = PATIENCE, poll: float = 0.05):
    """Poll `condition()` until it returns something true, and return that; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(poll)


def answers_health(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/api/health", timeout=PATIENCE) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serving(index_dir: Path, env: dict | None = None, port: int | None = None, stderr: Path | None = None):
    """Run `assistant serve` for real on a loopback port; yields its base URL.

    The server's standard error goes to the file `stderr` (a temporary one when not given).
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "assistant", "serve", "--index", str(index_dir), "--port", str(port)]
    with contextlib.ExitStack() as stack:
        err = stack.enter_context(open(stderr, "w+") if stderr else tempfile.TemporaryFile("w+"))
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=err, text=True
        )
        base = f"http://127.0.0.1:{port}"

        def started() -> bool:
            if proc.poll() is not None:
                err.seek(0)
                raise RuntimeError(f"server exited: {err.read()}")
            return answers_health(base)

        try:
            wait_until(started, f"`assistant serve` to answer on {base}")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                proc.kill()


def request(
    base: str, path: str, body: bytes | str | dict | None = None, method: str | None = None, headers: dict | None = None
) -> tuple[int, dict, dict]:
    """One HTTP request; returns status, headers and the parsed JSON body (or {"_text": ...})."""
    data = None
    hdrs = dict(headers or {})
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        data = body.encode()
    elif body is not None:
        data = body
    req = urllib.request.Request(base + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=PATIENCE) as r:
            status, resp_headers, raw = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        status, resp_headers, raw = err.code, dict(err.headers), err.read()
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {"_text": raw.decode("utf-8", "replace")}
    return status, resp_headers, parsed


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SCORES] = []


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Scores of the question sets, reported once at the end instead of amid the progress dots."""
    lines = config.stash.get(SCORES, [])
    if lines:
        terminalreporter.write_sep("-", "question sets")
        for line in lines:
            terminalreporter.write_line(line)
