"""One settings object, read once from the environment, handed to the app, the CLI and Lambda."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT

from assistant.http import create_app
from assistant.settings import Settings, SettingsError


def test_settings_are_read_from_assistant_variables():
    settings = Settings.from_env(
        {
            "ASSISTANT_INDEX": "/srv/index/site",
            "ASSISTANT_SITE_URL": "https://www.example.org",
            "ASSISTANT_ALLOWED_ORIGINS": "https://www.example.org, http://localhost:4000,",
            "ASSISTANT_CONTACT_URL": "https://www.example.org/contact/",
            "ASSISTANT_FEEDBACK_LOG": "/var/log/assistant/events.log",
            "ASSISTANT_RATE_LIMIT": "60/minute",
            "ASSISTANT_RELOAD_SECONDS": "0",
            "ASSISTANT_LOG_LEVEL": "warning",
            "ASSISTANT_HOST": "0.0.0.0",
            "ASSISTANT_PORT": "8765",
            "PORT": "1",  # not ours
        }
    )
    assert settings == Settings(
        index=Path("/srv/index/site"),
        site_url="https://www.example.org",
        allowed_origins=("https://www.example.org", "http://localhost:4000"),
        contact_url="https://www.example.org/contact/",
        feedback_log=Path("/var/log/assistant/events.log"),
        rate_limit="60/minute",
        reload_seconds=0.0,
        log_level="WARNING",
        host="0.0.0.0",
        port=8765,
    )


def test_unset_and_empty_variables_give_the_defaults():
    assert Settings.from_env({}) == Settings.from_env({"ASSISTANT_PORT": "", "ASSISTANT_FEEDBACK_LOG": " "})
    assert Settings.from_env({}) == Settings()
    assert Settings().port == 8000 and Settings().log_level == "INFO" and Settings().feedback_log is None


@pytest.mark.parametrize(
    "variable, value",
    [
        ("ASSISTANT_PORT", "eighty"),
        ("ASSISTANT_PORT", "70000"),
        ("ASSISTANT_RELOAD_SECONDS", "-1"),
        ("ASSISTANT_RELOAD_SECONDS", "nan"),
        ("ASSISTANT_RATE_LIMIT", "lots"),
        ("ASSISTANT_LOG_LEVEL", "chatty"),
        ("ASSISTANT_SITE_URL", "javascript:alert(document.domain)//"),
        ("ASSISTANT_SITE_URL", "https://www.example.org@evil.example"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_naming_its_variable(variable, value):
    with pytest.raises(SettingsError, match=f"^{variable}: .*{re.escape(value)}"):
        Settings.from_env({variable: value})


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().port = 1  # type: ignore[misc]


def test_the_app_takes_its_settings_from_the_object_it_is_given(tiny_index, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CONTACT_URL", "https://ignored.example/")
    monkeypatch.setenv("ASSISTANT_ALLOWED_ORIGINS", "https://ignored.example")
    settings = Settings(contact_url="https://example.org/write-to-us/", allowed_origins=("https://example.org",))
    client = create_app(tiny_index, settings=settings).test_client()
    assert client.get("/api/health").get_json()["contact_url"] == "https://example.org/write-to-us/"
    response = client.get("/api/ask?q=office", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.org"
    refused = client.get("/api/ask?q=office", headers={"Origin": "https://ignored.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_only_the_settings_module_reads_the_environment():
    readers = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "assistant").glob("*.py"))
        if path.name != "settings.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bos\.environ\b|\bgetenv\(", line)
    ]
    assert readers == []


def test_the_readme_documents_every_setting_as_the_code_describes_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(ASSISTANT_[A-Z_]+)` \|.*\|$", readme, re.M)}
    described = Settings.described()
    assert sorted(rows) == sorted(variable for variable, _, _ in described)
    for variable, meaning, default in described:
        assert rows[variable] == f"| `{variable}` | {meaning} | {default} |"


def test_an_index_built_with_a_script_url_gives_the_demo_page_no_link_to_it(tiny_index, caplog):
    """Indexes built before site URLs were checked may carry one: the demo page must not link it."""
    manifest = json.loads((tiny_index / "manifest.json").read_text())
    manifest["meta"]["site_url"] = "javascript:alert(document.domain)//"
    (tiny_index / "manifest.json").write_text(json.dumps(manifest))
    app = create_app(tiny_index, settings=Settings.from_env({}))
    page = app.test_client().get("/").get_data(as_text=True)
    assert "javascript:" not in page and "alert(" not in page
    assert "is not an http or https URL" in caplog.text
