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


def _waits_on_the_clock(node: ast.AST) -> str | None:
    """A sleep, or a timeout written as a number instead of the suite's patience."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name == "sleep":
        return "sleeps"
    numbers = [k.arg for k in node.keywords if k.arg == "timeout" and isinstance(k.value, ast.Constant)]
    if name in {"wait", "join", "communicate", "settimeout"} and node.args and isinstance(node.args[0], ast.Constant):
        numbers.append(name)
    return f"waits a fixed {numbers[0]}" if numbers else None


def test_no_test_sleeps_or_waits_a_fixed_time():
    """Waits are on conditions (conftest.wait_until) with the suite's patience, so a busy machine is slow, not red."""
    found = []
    for path in sorted(TESTS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and path.name == "conftest.py" and f.name == "wait_until"
            for n in ast.walk(f)
        }  # the one poll between two looks at a condition
        for node in ast.walk(tree):
            why = _waits_on_the_clock(node)
            if why and id(node) not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {why}")
    assert found == [], "wait on a condition with conftest.wait_until / PATIENCE instead:\n" + "\n".join(found)
