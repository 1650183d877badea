"""What `make test` prints: progress, then the question sets' scores in the summary, nothing in between."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

from conftest import LONG_PATIENCE, ROOT

TESTS = ROOT / "tests"

A_SCORED_TEST = """
from conftest import SCORES


def test_scores(pytestconfig):
    pytestconfig.stash[SCORES] += ["example.yaml score: 1/2 (floor 1)", "  missed ex-002 'Who?': no passage"]


def test_other():
    assert True
"""


def test_scores_come_in_the_summary_after_the_progress_not_amid_it(tmp_path):
    (tmp_path / "test_scored.py").write_text(textwrap.dedent(A_SCORED_TEST))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", str(tmp_path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(TESTS), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("..") and "score" not in lines[0], lines
    separator = next(n for n, line in enumerate(lines) if "question sets" in line)
    assert lines[separator + 1 : separator + 3] == [
        "example.yaml score: 1/2 (floor 1)",
        "  missed ex-002 'Who?': no passage",
    ]
    assert "2 passed" in lines[-1]


def test_no_test_writes_past_pytests_capture():
    """``capsys.disabled()`` (or capfd's) prints amid the progress dots of `make test -q`."""
    found = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "disabled"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"capsys", "capfd", "capsysbinary", "capfdbinary"}
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], f"put such lines into pytest's terminal summary (conftest.SCORES): {found}"
