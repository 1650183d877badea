"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from conftest import LONG_PATIENCE, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True, timeout=LONG_PATIENCE
    )


def test_index_then_ask(tiny_site, tmp_path):
    out = tmp_path / "idx"
    done = run("index", str(tiny_site), "--out", str(out), "--url", "https://www.example.net")
    assert done.returncode == 0, done.stderr
    assert "passages" in done.stdout
    asked = run("ask", "Who sits on the board?", "--index", str(out), "--json")
    result = json.loads(asked.stdout)
    assert result["passages"][0]["url"].startswith("https://www.example.net/")
    assert "Ada Lovelace" in result["passages"][0]["quote"]
    text = run("ask", "Who sits on the board?", "--index", str(out)).stdout
    assert "> " in text and "https://www.example.net/" in text


def test_strict_index_fails_on_a_broken_page_but_indexes_the_rest(tiny_site, tmp_path):
    (tiny_site / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    out = tmp_path / "idx"
    lenient = run("index", str(tiny_site), "--out", str(out))
    assert lenient.returncode == 0 and "broken.md" in lenient.stderr
    strict = run("index", str(tiny_site), "--out", str(tmp_path / "idx2"), "--strict")
    assert strict.returncode == 1 and "broken.md" in strict.stderr
    asked = json.loads(run("ask", "Where is the office?", "--index", str(out), "--json").stdout)
    assert "Building 5" in asked["passages"][0]["quote"]


def test_ask_on_a_missing_index_says_what_to_do(tmp_path):
    done = run("ask", "Who?", "--index", str(tmp_path / "nothing"))
    assert done.returncode == 2
    assert "assistant index" in done.stderr and "Traceback" not in done.stderr


def test_a_folder_of_published_html_is_indexed_as_it_is(tmp_path):
    site = tmp_path / "_site"
    (site / "team").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html lang='en'><head><title>Lab</title></head><body><nav>Home Team</nav>"
        "<main><h1>Coastal Lab</h1><p>The lab measures sea level rise along the coast.</p>"
        "</main><footer>Imprint</footer></body></html>",
        encoding="utf-8",
    )
    (site / "team" / "index.html").write_text(
        "<main><h1>Team</h1><p>Dr. Mara Quill leads the lab.</p></main>", encoding="utf-8"
    )
    out = tmp_path / "idx"
    done = run("index", str(site), "--out", str(out), "--url", "https://lab.example.org")
    assert done.returncode == 0, done.stderr
    result = json.loads(run("ask", "Who leads the lab?", "--index", str(out), "--json").stdout)
    assert "Mara Quill" in result["passages"][0]["quote"]
    assert result["passages"][0]["url"].startswith("https://lab.example.org/team/")
    assert "Imprint" not in json.dumps(result)


def test_missing_theme_includes_are_noted_not_counted_as_problems(tiny_site, tmp_path):
    layout = tiny_site / "_layouts" / "default.html"
    layout.write_text("{% include head.html %}" + layout.read_text(encoding="utf-8"), encoding="utf-8")
    done = run("index", str(tiny_site), "--out", str(tmp_path / "idx"), "--strict")
    assert done.returncode == 0, done.stderr
    assert "note: includes not found" in done.stderr and "head.html" in done.stderr


def test_explain_shows_the_words_matched_through_each_step_and_why_the_top_passage_won(tiny_site, tmp_path):
    out = tmp_path / "idx"
    assert run("index", str(tiny_site), "--out", str(out)).returncode == 0
    done = run("ask", "Wer ist im Vorstand?", "--index", str(out), "--explain")
    assert done.returncode == 0, done.stderr
    assert "word 'Vorstand'" in done.stdout
    assert "glossary: board" in done.stdout  # the step that bridged the languages, and what it added
    assert "1. " in done.stdout and "coverage" in done.stdout and "matched: board" in done.stdout


# -- behaving like a well-kept Unix tool ---------------------------------------------------------


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """The error a command ended with: exactly one line, no traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_version_prints_the_program_and_its_version():
    from importlib.metadata import version

    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"assistant {version('institute-assistant')}"


def test_every_option_says_its_default_and_every_argument_has_help():
    import argparse

    from assistant.cli import parser

    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) == {"index", "ask", "serve", "report", "check"}
    for name, command in commands.items():
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            label = f"{name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{label} has no help"
            if action.option_strings:
                assert "(default: " in action.help, f"{label} does not say its default"
    serve = commands["serve"].format_help()
    assert "(default: 127.0.0.1; ASSISTANT_HOST)" in serve and "(default: 8000; ASSISTANT_PORT)" in serve


def test_report_on_a_missing_log_says_so_in_one_line():
    done = run("report", "/nonexistent.log")
    assert done.returncode == 2
    assert one_line_error(done) == "error: /nonexistent.log: no such file (give the event log the server wrote)"


def test_serve_on_a_busy_port_fails_before_it_says_it_is_serving(tiny_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--index", str(tiny_index), "--port", str(port))
    assert done.returncode == 1
    assert "Serving" not in done.stderr
    assert (
        one_line_error(done)
        == f"error: cannot listen on 127.0.0.1:{port}: the port is in use (choose another with --port)"
    )


def test_ask_with_no_words_exits_2_as_the_api_answers_400(tiny_index):
    for question in ("", "   "):
        done = run("ask", question, "--index", str(tiny_index))
        assert done.returncode == 2 and done.stdout == ""
        assert one_line_error(done).startswith("error: the question is empty")


def test_index_refuses_a_folder_that_is_neither_a_jekyll_source_nor_a_built_site(tmp_path):
    folder = tmp_path / "downloads"
    (folder / "deep" / "er").mkdir(parents=True)
    (folder / "notes.txt").write_text("a shopping list", encoding="utf-8")
    (folder / "readme.md").write_text("# Just a file\n\nNo front matter here.\n", encoding="utf-8")
    (folder / "deep" / "er" / "page.md").write_text("---\ntitle: Far down\n---\nText.\n", encoding="utf-8")
    out = tmp_path / "idx"
    done = run("index", str(folder), "--out", str(out))
    assert done.returncode == 2
    assert "--force" in one_line_error(done) and "_config.yml" in done.stderr
    assert not out.exists()


def test_telling_a_site_folder_from_another_looks_only_at_so_many_entries(tmp_path, monkeypatch):
    import os

    from assistant import cli

    folder = tmp_path / "crowded"
    folder.mkdir()
    for n in range(cli.LOOK_AT_ENTRIES + 500):
        (folder / f"note-{n}.md").write_text("plain text, no front matter\n", encoding="utf-8")
    seen, opened = [], []
    real_scandir, real_open = os.scandir, open

    class Counting:
        def __init__(self, path):
            self.inner = real_scandir(path)

        def __enter__(self):
            return (seen.append(entry) or entry for entry in self.inner)

        def __exit__(self, *exc):
            self.inner.close()

    monkeypatch.setattr(cli.os, "scandir", Counting)
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k))
    assert cli.site_kind(folder) is None
    assert len(seen) <= cli.LOOK_AT_ENTRIES + 1 and len(opened) <= 200


def test_index_force_indexes_a_folder_of_html_pages_without_a_home_page(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "team.html").write_text(
        "<main><h1>Team</h1><p>Dr. Mara Quill leads the lab.</p></main>", encoding="utf-8"
    )
    out = tmp_path / "idx"
    assert run("index", str(folder), "--out", str(out)).returncode == 2
    done = run("index", str(folder), "--out", str(out), "--force", "--url", "https://lab.example.org")
    assert done.returncode == 0, done.stderr
    assert (
        "Mara Quill"
        in json.loads(run("ask", "Who leads the lab?", "--index", str(out), "--json").stdout)["passages"][0]["quote"]
    )


def test_an_empty_site_writes_no_index_and_keeps_the_one_there(tiny_index, tmp_path):
    before = {p.name: p.read_bytes() for p in tiny_index.iterdir() if p.is_file()}
    empty = tmp_path / "empty-site"
    empty.mkdir()
    (empty / "_config.yml").write_text("title: Nothing yet\n", encoding="utf-8")
    done = run("index", str(empty), "--out", str(tiny_index))
    assert done.returncode == 1
    assert "no index was built" in one_line_error(done) and "left as it was" in done.stderr
    assert "Indexed" not in done.stdout
    assert {p.name: p.read_bytes() for p in tiny_index.iterdir() if p.is_file()} == before
    assert [p.name for p in tiny_index.parent.iterdir() if p.name.startswith(".")] == []  # no half-built folder
    fresh = tmp_path / "fresh"
    assert run("index", str(empty), "--out", str(fresh)).returncode == 1
    assert not fresh.exists()


def test_progress_in_a_log_is_a_line_every_few_seconds():
    import io

    from assistant.cli import Progress

    now = [0.0]
    log = io.StringIO()
    progress = Progress(stream=log, clock=lambda: now[0], every=5.0, terminal=False)
    for done in range(0, 13):  # one page a second
        now[0] = float(done)
        progress("passages", done, 12)
    progress("index", 40, 40)  # a stage that ends at once stays out of the log
    assert log.getvalue().splitlines() == ["passages: 5/12 (41%)", "passages: 10/12 (83%)", "passages: 12/12 (100%)"]


def test_a_short_build_in_a_log_prints_no_progress_line():
    import io

    from assistant.cli import Progress

    log = io.StringIO()
    progress = Progress(stream=log, clock=lambda: 0.0, terminal=False)
    for done in range(0, 31):
        progress("passages", done, 30)
    assert log.getvalue() == ""


def test_the_default_index_is_named_after_the_site_not_its_source_folder(tmp_path):
    from assistant.cli import default_index_name

    assert default_index_name(tmp_path / "ikim-website-2023" / "source") == "ikim-website-2023"
    assert default_index_name(tmp_path / "lab-site" / "_site") == "lab-site"
    assert default_index_name(tmp_path / "coastal-lab") == "coastal-lab"


def test_a_site_without_a_url_gets_a_warning_that_says_how_to_set_it(tiny_site, tmp_path):
    config = tiny_site / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("url: https://example.org", ""), encoding="utf-8")
    done = run("index", str(tiny_site), "--out", str(tmp_path / "idx"))
    assert done.returncode == 0, done.stderr
    [warning] = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert "http://localhost" in warning and "--url" in warning and "`url:` in _config.yml" in warning
    told = run("index", str(tiny_site), "--out", str(tmp_path / "idx2"), "--url", "https://www.example.net")
    assert told.returncode == 0 and "warning" not in told.stderr
    (tiny_site / "CNAME").write_text("lab.example.org\n", encoding="utf-8")
    named = run("index", str(tiny_site), "--out", str(tmp_path / "idx3"))
    assert named.returncode == 0 and "warning" not in named.stderr


@pytest.mark.parametrize(
    "url, complaint",
    [
        ("javascript:alert(document.domain)//", "is not an http or https URL"),
        ("https://www.example.org@evil.example", "holds a user name or password before '@'"),
        ("data:text/html,<script>alert(1)</script>", "is not an http or https URL"),
        ('https://www.example.org/"onmouseover="alert(1)', "holds spaces, control characters, quotes"),
    ],
)
def test_a_site_url_that_is_not_plain_http_is_refused_naming_where_it_stands(tiny_site, tmp_path, url, complaint):
    config = tiny_site / "_config.yml"
    text = config.read_text(encoding="utf-8").replace("url: https://example.org", f"url: '{url}'")
    config.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"url: '{url}'") + 1
    done = run("index", str(tiny_site), "--out", str(tmp_path / "idx"))
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(f"error: {config}:{line}: the site's URL {url.rstrip('/')!r} {complaint}"), (
        done.stderr
    )
    assert "Traceback" not in done.stderr and not (tmp_path / "idx").exists()
    given = run("index", str(tiny_site), "--out", str(tmp_path / "idx"), "--url", url)
    assert given.returncode == 2 and f"--url {url!r}: the site's URL" in given.stderr, given.stderr
    fixed = run("index", str(tiny_site), "--out", str(tmp_path / "idx"), "--url", "https://www.example.org")
    assert fixed.returncode == 0, fixed.stderr


BLOCK_INDEXING = """
import sys
sys.modules["frontmatter"] = None  # as if the 'index' extra were not installed
from assistant.cli import main
raise SystemExit(main(["index", {site!r}, "--out", {out!r}]))
"""


def test_index_without_the_index_extra_says_what_to_install(tiny_site, tmp_path):
    script = BLOCK_INDEXING.format(site=str(tiny_site), out=str(tmp_path / "idx"))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=LONG_PATIENCE
    )
    assert done.returncode == 1
    error = one_line_error(done)
    assert "python-frontmatter" in error and "pip install 'institute-assistant[index]'" in error
    assert not (tmp_path / "idx").exists()
