"""The API description is valid, complete, and the live server keeps every promise it makes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LONG_PATIENCE, PATIENCE, TINY_SITE, request, serving, write_site
from openapi_spec_validator import validate

# Refusing an invalid request with 413 (too large) is a rejection like 400 is.
SCHEMATHESIS_CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [400, 404, 405, 413, 415, 422, 429]
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from assistant.build import index_site

    root = tmp_path_factory.mktemp("openapi")
    index_site(write_site(root / "site", TINY_SITE), root / "index")
    env = {"ASSISTANT_FEEDBACK_LOG": str(root / "events.log"), "ASSISTANT_RATE_LIMIT": "off"}
    with serving(root / "index", env=env) as base:
        yield base, root


def test_document_is_valid_openapi_and_describes_every_api_route(served):
    from assistant.http import create_app

    base, root = served
    status, headers, doc = request(base, "/api/openapi.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    validate(doc)
    routes = {rule.rule for rule in create_app(root / "index").url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == set(doc["paths"])
    post = doc["paths"]["/api/ask"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert post["properties"]["question"]["maxLength"] == 1000
    assert post["properties"]["history"]["maxItems"] == 20


def test_a_documented_answer_matches_the_answer_schema(served):
    from openapi_schema_validator import OAS30Validator

    base, _ = served
    _, _, doc = request(base, "/api/openapi.json")
    _, _, answer = request(base, "/api/ask", {"question": "Where is the office?"})
    schema = {**doc["components"]["schemas"]["Answer"], "components": doc["components"]}
    OAS30Validator(schema).validate(answer)
    assert answer["passages"], "the tiny site answers this"


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_broken_promise(served, tmp_path):
    base, _ = served
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if not exe:
        pytest.skip("schemathesis is not installed")
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG)
    report = tmp_path / "report.json"
    cmd = [
        exe,
        "--config-file",
        str(config),
        "run",
        f"{base}/api/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        "40",
        "--request-timeout",
        str(PATIENCE),
        "--seed",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    done = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, timeout=LONG_PATIENCE, env={**os.environ, "NO_COLOR": "1"}
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    summary = json.loads(report.read_text())
    cases = summary["test_cases"]
    print(f"schemathesis: {cases['generated']} generated requests, {cases['with_failures']} with failures")
    assert cases["generated"] >= 100 and cases["with_failures"] == 0 and cases["errored"] == 0
    assert not summary["failures"] and not summary["errors"]
