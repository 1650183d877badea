"""Pinned answers from the site's own _data/assistant.yml: first for their questions, quoted whole, checked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import LONG_PATIENCE, ROOT, write_site

from assistant.answer import Assistant, answer_to_json

SITE = {
    "_config.yml": "title: Institute of Examples\nurl: https://example.org\n",
    "contact.md": """
        ---
        title: Contact
        ---
        # Contact

        Our office is in Building 5, Example Street 12.

        ## Office hours

        The secretariat is open Monday to Thursday from 9 to 12 o'clock.

        On Fridays the secretariat answers e-mail only.

        ## Directions

        Take tram 107 to the stop Example Square.
        """,
    "people.md": """
        ---
        title: People
        ---
        ## Secretariat

        Mia Muster runs the secretariat and the office of the director; she is there every morning.
        """,
}
PINS = """
    suggestions:
      - When is the office open?
    pins:
      - page: contact.md
        section: office-hours
        questions:
          en:
            - "Where do I find the secretariat?"
          de:
            - "Wann ist das Sekretariat geöffnet?"
    """
SECTION = "Office hours\nThe secretariat is open Monday to Thursday from 9 to 12 o’clock.\n\nOn Fridays the secretariat answers e-mail only."


def index(site, out) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(site), "--out", str(out), "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """The same site indexed without pins and with them."""
    root = tmp_path_factory.mktemp("pins")
    plain = write_site(root / "plain", SITE)
    pinned = write_site(root / "pinned", {**SITE, "_data/assistant.yml": PINS})
    out = {}
    for name, site in (("plain", plain), ("pinned", pinned)):
        done = index(site, root / f"{name}-index")
        assert done.returncode == 0, done.stderr
        out[name] = Assistant.open(root / f"{name}-index")
    return out


def top(assistant: Assistant, question: str) -> dict:
    return answer_to_json(assistant.respond(question))


@pytest.mark.parametrize(
    "question",
    [
        "Where do I find the secretariat?",  # as pinned, English
        "Where can I find the secretariat?",  # a close paraphrase
        "Wann ist das Sekretariat geöffnet?",  # as pinned, German
        "Wann hat das Sekretariat geöffnet?",  # a close paraphrase
        "When is the secretariat open?",  # the German phrasing asked in English, through the glossary
    ],
)
def test_a_pinned_section_answers_first_quoted_whole(indexes, question):
    found = top(indexes["pinned"], question)
    assert not found["abstained"]
    first = found["passages"][0]
    assert first["url"] == "https://example.org/contact.html#office-hours"
    assert first["quote"] == SECTION  # the section verbatim, both its paragraphs
    assert first["path"] == "contact.md" and first["line"]
    assert found["best"] == {"passage": 0, "sentence": [0, len(SECTION)]}
    assert [p["url"] for p in found["passages"]].count(first["url"]) == 1


def test_the_pin_changes_what_comes_first(indexes):
    """Without the pin the people page answers "where do I find the secretariat": the pin is what moves it."""
    assert top(indexes["plain"], "Where do I find the secretariat?")["passages"][0]["url"].endswith(
        "people.html#secretariat"
    )
    assert top(indexes["pinned"], "Where do I find the secretariat?")["passages"][0]["url"].endswith("#office-hours")


@pytest.mark.parametrize(
    "question", ["Who runs the secretariat?", "Where is the office building?", "How do I get there by tram?"]
)
def test_other_questions_are_answered_as_without_pins(indexes, question):
    assert top(indexes["pinned"], question) == top(indexes["plain"], question)


def test_suggestions_and_contact_stay_in_the_same_file(indexes):
    guide = indexes["pinned"].index.manifest["meta"]["guide"]
    assert guide["suggestions"] == {"": ["When is the office open?"]}


def test_a_pin_to_a_missing_page_or_anchor_fails_strict_indexing_with_file_and_line(tmp_path):
    broken = (
        PINS
        + """
      - page: contact.md
        section: parking
        questions: ["Where can I park?"]
      - page: /nowhere/
        questions: ["Where is nowhere?"]
    """
    )
    site = write_site(tmp_path / "site", {**SITE, "_data/assistant.yml": broken})
    done = index(site, tmp_path / "index")
    assert done.returncode == 1
    lines = (site / "_data/assistant.yml").read_text().splitlines()
    parking = next(n for n, line in enumerate(lines, 1) if "section: parking" in line) - 1
    nowhere = next(n for n, line in enumerate(lines, 1) if "/nowhere/" in line)
    assert f"_data/assistant.yml:{parking}: pins: contact.md has no section #parking" in done.stderr
    assert "office-hours" in done.stderr  # the anchors the page does have
    assert f"_data/assistant.yml:{nowhere}: pins: no page '/nowhere/'" in done.stderr
    # without --strict the site is indexed, and the pins that resolve still work
    lenient = subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(site), "--out", str(tmp_path / "lenient")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert lenient.returncode == 0, lenient.stderr
    manifest = json.loads((tmp_path / "lenient" / "manifest.json").read_text())
    assert len(manifest["meta"]["pins"]) == 1


def test_a_malformed_pin_is_named_with_its_line(tmp_path):
    site = write_site(
        tmp_path / "site", {**SITE, "_data/assistant.yml": "pins:\n  - page: contact.md\n    questions: 3\n"}
    )
    done = index(site, tmp_path / "index")
    assert done.returncode == 1
    assert "_data/assistant.yml:2: pins: questions:" in done.stderr


def test_the_readmes_example_pin_is_one_the_indexer_reads(tmp_path):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if b.startswith("pins:"))
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Examples\nurl: https://example.org\n",
            "contact.md": "---\ntitle: Contact\n---\n## Office hours\n\nThe office is open from nine to noon.\n",
            "_data/assistant.yml": example,
        },
    )
    done = index(site, tmp_path / "index")
    assert done.returncode == 0, done.stderr
    assistant = Assistant.open(tmp_path / "index")
    for question in ("When is the office open?", "Wann ist das Sekretariat geöffnet?"):
        assert top(assistant, question)["passages"][0]["url"] == "https://example.org/contact.html#office-hours"


def test_a_pin_by_url_path_to_the_top_of_a_page(tmp_path):
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Examples\nurl: https://example.org\n",
            "visit/index.md": "---\ntitle: Visiting us\n---\nVisitors sign in at the gate house.\n\n## Parking\n\nThere is none.\n",
            "_data/assistant.yml": 'pins:\n  - page: /visit/\n    questions:\n      - "Where do visitors sign in?"\n',
        },
    )
    done = index(site, tmp_path / "index")
    assert done.returncode == 0, done.stderr
    found = top(Assistant.open(tmp_path / "index"), "Where do guests sign in?")
    assert found["passages"][0]["quote"] == "Visitors sign in at the gate house."
    assert found["passages"][0]["url"].startswith("https://example.org/visit/#:~:text=Visitors")
