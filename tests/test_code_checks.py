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
