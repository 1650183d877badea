"""The code checks' own settings: ceilings stay tight, so they can only go down."""

from __future__ import annotations

import importlib.util
import re
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
