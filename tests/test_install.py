"""What installing the project puts in place: `make run` serves without the test tools, and the
package's metadata builds without a warning."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import LONG_PATIENCE, ROOT

tomllib = pytest.importorskip("tomllib")

# Tools only the tests, the benchmarks and the code checks use: a demo server needs none of them.
TEST_TOOLS = {"pytest", "playwright", "hypothesis", "schemathesis", "zappa", "awslambdaric", "ruff", "mypy"}
TEST_TOOLS |= {"import-linter", "rank-bm25", "bm25s", "numba", "junitparser", "openapi-spec-validator"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def _what_extras_bring(project: dict, extras: set[str]) -> set[str]:
    """The distributions the base set and ``extras`` name, following extras that name the project's own."""
    names = {_name(r) for r in project["dependencies"]}
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in project["optional-dependencies"][extra]:
            own = re.fullmatch(rf"{re.escape(project['name'])}\[([\w,\s-]+)\]", requirement)
            if own:
                todo += [e.strip() for e in own.group(1).split(",")]
            else:
                names.add(_name(requirement))
    return names


def test_make_run_installs_the_server_and_the_indexer_but_no_test_tool(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installs = re.findall(r"pip install -q -e '\.\[([\w,]+)\]'", planned)
    assert installs, planned
    extras = {e for found in installs for e in found.split(",")}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    brought = _what_extras_bring(project, extras)
    assert {"flask", "tantivy", "python-liquid"} <= brought  # it serves, and indexes the bundled corpus
    assert not brought & TEST_TOOLS, f"`make run` installs {sorted(brought & TEST_TOOLS)}"
    everything = _what_extras_bring(project, set(project["optional-dependencies"]))
    assert TEST_TOOLS <= everything, "a test tool this test looks for is no longer in any extra: update TEST_TOOLS"


@pytest.mark.slow
def test_the_package_builds_without_a_setuptools_warning_and_says_its_licence(tmp_path):
    """`pip install` builds the project's metadata; an old-style licence table made setuptools warn three times."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "--wheel-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
        check=False,
    )
    if done.returncode != 0 and "No matching distribution found for setuptools" in done.stdout + done.stderr:
        pytest.skip("pip cannot fetch the build backend (no package index reachable)")
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    warned = [
        line.strip()
        for line in output.splitlines()
        if re.search(r"(Deprecation|BuildBackend)Warning|licen[cs]e", line, re.I)
    ]
    assert warned == [], "\n".join(warned)
    [wheel] = Path(tmp_path).glob("institute_assistant-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        [metadata] = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        assert "License-Expression: MIT" in zf.read(metadata).decode()
