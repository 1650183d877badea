"""The code checks' own settings: ceilings stay tight, so they can only go down."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def _complexity_ceiling() -> int:
    match = re.search(r"^max-complexity\s*=\s*(\d+)", (PROJECT / "pyproject.toml").read_text(), re.M)
    assert match, "pyproject.toml sets no [tool.ruff.lint.mccabe] max-complexity"
    return int(match.group(1))


@pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="ruff is not installed (pip install -e '.[check]')"
)
def test_the_complexity_ceiling_is_what_the_most_complex_function_needs():
    ceiling = _complexity_ceiling()
    one_lower = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "C901",
            "--config",
            f"lint.mccabe.max-complexity={ceiling - 1}",
            "--output-format",
            "concise",
            ".",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "C901" in one_lower.stdout, (
        f"no function needs a complexity of {ceiling} any more: lower max-complexity in pyproject.toml"
    )


# The indexing side: the project's modules and the libraries only they need.
INDEXING = (
    "assistant.site",
    "assistant.render",
    "assistant.jekyll_liquid",
    "assistant.bibliography",
    "assistant.kramdown",
    "assistant.passages",
    "assistant.build",
    "assistant.naive",
    "frontmatter",
    "liquid",
    "bibtexparser",
    "pylatexenc",
    "markdown_it",
    "mdit_py_plugins",
    "selectolax",
    "rank_bm25",
)

SERVE_WITHOUT_INDEXING = """
import sys
for name in {indexing!r}:
    sys.modules[name] = None  # importing it now raises ImportError
from assistant.http import create_app
from assistant.settings import Settings
client = create_app({index!r}, settings=Settings()).test_client()
print(client.get("/api/ask?q=Where+is+the+office").get_json()["passages"][0]["quote"])
print(client.get("/widget.js").status_code, client.get("/api/openapi.json").status_code)
"""


def test_a_server_answers_with_the_indexing_code_and_libraries_out_of_reach(tiny_index):
    script = SERVE_WITHOUT_INDEXING.format(indexing=INDEXING, index=str(tiny_index))
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    quote, statuses = done.stdout.splitlines()
    assert "Building 5" in quote
    assert statuses == "200 200"


def test_the_import_contract_names_the_same_indexing_side():
    contract = (PROJECT / "pyproject.toml").read_text().split("[tool.importlinter]", 1)[1]
    forbidden = re.search(r"forbidden_modules = \[(.*?)\]", contract, re.S)
    assert forbidden and re.findall(r'"([\w.]+)"', forbidden.group(1)) == list(INDEXING)


# ---------------------------------------------------------------------------
# What CI runs: the README's test command checks the code before it tests it


def _make(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    """The project's Makefile run with this virtualenv, taken as installed: nothing is installed again.

    A copy of the project must never reinstall itself into this virtualenv (its `assistant` would
    then point into the copy's temporary folder), even where pyproject.toml is newer than the stamps.
    """
    installed = [f"--old-file={sys.prefix}/{stamp}" for stamp in (".installed", ".installed-dev")]
    return subprocess.run(
        ["make", "--no-print-directory", f"VENV={sys.prefix}", *installed, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_test_runs_every_check_before_the_tests():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    bin_ = f"{sys.prefix}/bin/"
    steps = [line.removeprefix(bin_) for line in _make("-n", "test").stdout.splitlines() if line.startswith(bin_)]
    order = ["ruff check", "ruff format --check", "mypy", "lint-imports", "python -m pytest"]
    at = [next((n for n, step in enumerate(steps) if step.startswith(command)), None) for command in order]
    assert None not in at and at == sorted(at), f"`make test` runs {steps}, not {order} in this order"
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M), "CI runs the README's test command"


def test_ruff_selects_the_promised_rule_set_and_mypy_checks_untyped_functions():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"E", "F", "W", "B", "I", "UP", "C901"} <= set(config["tool"]["ruff"]["lint"]["select"])
    assert config["tool"]["mypy"]["check_untyped_defs"] is True
    overridden = [o for o in config["tool"]["mypy"].get("overrides", []) if o.get("check_untyped_defs") is False]
    assert not overridden, f"modules whose untyped functions mypy skips: {overridden}"


# One mistake of each kind: the file, the line replaced (None: the text is appended), the text put there,
# the step of `make check` that must stop on it, and what its message must name.
VIOLATIONS = {
    "an unused import": (
        "assistant/http.py",
        "import logging\n",
        "import fnmatch\nimport logging\n",
        "ruff check",
        "assistant/http.py",
    ),
    "an unformatted line": (
        "assistant/ratelimit.py",
        '"s": 1.0,',
        "'s': 1.0,",
        "ruff format --check",
        "assistant/ratelimit.py",
    ),
    "a wrong return type": (
        "assistant/settings.py",
        None,
        '\n\ndef port() -> int:\n    return "8000"\n',
        "mypy",
        "assistant/settings.py",
    ),
    "serving importing indexing code": (
        "assistant/answer.py",
        None,
        "\n\ndef _renderer() -> object:\n    from . import render\n\n    return render\n",
        "lint-imports",
        "assistant.answer -> assistant.render",
    ),
}


def _copy_of_the_project(dest: Path) -> Path:
    """The project's files as a clone has them (tracked and new files, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        if (PROJECT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / rel, dest / rel)  # pyproject.toml keeps its date: the virtualenv counts as installed
    return dest


@pytest.mark.slow
@pytest.mark.parametrize("mistake", VIOLATIONS)
def test_make_check_stops_at_the_step_that_finds_the_mistake(mistake, tmp_path):
    """A copy of the project with one mistake: `make check` (and so `make test`, which CI runs) fails there."""
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("needs make, and git to list the project's files")
    if not (Path(sys.prefix) / ".installed-dev").exists():
        pytest.skip("this virtualenv was not made by `make install-dev`, which installs the checkers")
    copy = _copy_of_the_project(tmp_path / "project")
    rel, old, new, step, named = VIOLATIONS[mistake]
    source = (copy / rel).read_text(encoding="utf-8")
    assert old is None or source.count(old) == 1, f"{rel} no longer holds {old!r} once: pick another line"
    (copy / rel).write_text(source.replace(old, new) if old else source + new, encoding="utf-8")
    done = _make("check", cwd=copy)
    assert done.returncode != 0, done.stdout[-3000:]
    ran = [line.removeprefix(f"{sys.prefix}/bin/") for line in done.stdout.splitlines() if line.startswith(sys.prefix)]
    assert ran and ran[-1].startswith(step), done.stdout[-3000:] + done.stderr[-2000:]
    assert named in done.stdout + done.stderr, done.stdout[-3000:] + done.stderr[-2000:]
