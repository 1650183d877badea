"""A site whose layouts come from a theme gem: what its pages show in them is still indexed.

Team pages of minimal-mistakes sites keep office hours, rooms and addresses in
front matter that the theme's ``single`` layout shows in a sidebar. The theme
is a gem, not part of the site: read it where it is installed, else outline it
with the stand-in this package ships.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import write_site
from jekyll_reference import assert_faithful, compare, needs_jekyll

from assistant import theme as theme_module
from assistant.answer import Assistant
from assistant.build import index_site, site_passages

TEAM_SITE = {
    "_config.yml": """
        title: Grammar Chair
        url: https://chair.example.org
        theme: minimal-mistakes-jekyll
        collections:
          team:
            output: true
        """,
    "_team/erika_example.md": """
        ---
        layout: single
        title: "Dr. Erika Example"
        sidebar:
          - title: "Position"
            text: "Research associate"
          - title: "Office hours"
            text: "Tuesdays 14:00 – 15:00 <br> or by appointment"
          - title: "Address"
            text: "Seminar Building <br> Room 2.17"
        ---
        Erika Example studies word formation and the grammar of names.
        """,
    "index.md": """
        ---
        layout: splash
        title: Welcome
        ---
        The chair teaches German grammar.
        """,
}


@pytest.fixture
def no_installed_gems(monkeypatch):
    """This machine's gems out of sight: the stand-in is what a site without its theme installed gets."""
    monkeypatch.setattr(theme_module, "_gem_folders", lambda site_root: [])


def _texts(site: Path) -> str:
    return "\n".join(p.text for p in site_passages(site).passages)


def test_office_hours_in_a_gem_themes_sidebar_are_answered(tmp_path, no_installed_gems):
    site = write_site(tmp_path / "site", TEAM_SITE)
    index_site(site, tmp_path / "index")
    answer = Assistant.open(tmp_path / "index").answer("When are Erika Example's office hours?")
    assert not answer.abstained
    quote = answer.hits[0].quote.text
    assert "Tuesdays 14:00 – 15:00" in quote
    assert answer.hits[0].passage.url.startswith("https://chair.example.org/team/erika_example")


def test_the_indexer_says_the_theme_is_outlined_by_a_stand_in(tmp_path, no_installed_gems):
    site = write_site(tmp_path / "site", TEAM_SITE)
    notes = site_passages(site).notes
    assert any("minimal-mistakes-jekyll is not installed here" in n and "stand-in" in n for n in notes), notes


def test_the_sites_own_include_comes_before_the_themes(tmp_path, no_installed_gems):
    files = dict(TEAM_SITE)
    files["_includes/sidebar.html"] = """
        <aside class="sidebar">{% for s in page.sidebar %}<p>{{ s.title }} (own): {{ s.text }}</p>{% endfor %}</aside>
        """
    texts = _texts(write_site(tmp_path / "site", files))
    assert "Office hours (own): Tuesdays" in texts


def test_a_theme_without_gem_or_stand_in_is_reported_and_shows_content(tmp_path, no_installed_gems):
    files = dict(TEAM_SITE)
    files["_config.yml"] = TEAM_SITE["_config.yml"].replace("minimal-mistakes-jekyll", "jekyll-theme-unheard-of")
    site = write_site(tmp_path / "site", files)
    result = site_passages(site)
    assert any("jekyll-theme-unheard-of is not installed here" in n for n in result.notes), result.notes
    texts = "\n".join(p.text for p in result.passages)
    assert "word formation" in texts
    assert "Tuesdays" not in texts


def _install_gem(gem_home: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A theme gem laid out as RubyGems installs one: its files, and a specification Ruby can load."""
    folder = write_site(gem_home / "gems" / f"{name}-{version}", files)
    (gem_home / "specifications").mkdir(parents=True, exist_ok=True)
    (gem_home / "specifications" / f"{name}-{version}.gemspec").write_text(
        "Gem::Specification.new do |s|\n"
        f'  s.name = "{name}"\n  s.version = "{version}"\n'
        '  s.summary = "a theme for a test"\n  s.authors = ["Test"]\n  s.files = []\nend\n',
        encoding="utf-8",
    )
    return folder


def test_an_installed_theme_gem_is_read_before_the_stand_in(tmp_path, monkeypatch):
    gems = tmp_path / "gems"
    _install_gem(gems, "minimal-mistakes-jekyll", "4.0.0", {"_layouts/single.html": "<p>Older layout</p>{{ content }}"})
    _install_gem(
        gems,
        "minimal-mistakes-jekyll",
        "4.10.0",
        {"_layouts/single.html": "<main><p>Installed layout for {{ page.title }}</p>{{ content }}</main>"},
    )
    monkeypatch.setenv("GEM_HOME", str(gems))
    texts = _texts(write_site(tmp_path / "site", TEAM_SITE))
    assert "Installed layout for Dr. Erika Example" in texts
    assert "Older layout" not in texts
    assert "Tuesdays" not in texts  # the installed theme shows no sidebar: nor does the index


def _stand_in_files() -> dict[str, str]:
    root = theme_module.STAND_INS_DIR / "minimal-mistakes"
    return {f.relative_to(root).as_posix(): f.read_text(encoding="utf-8") for f in root.rglob("*") if f.is_file()}


@needs_jekyll
def test_the_stand_in_renders_as_jekyll_renders_it_as_the_sites_theme(tmp_path, monkeypatch):
    """Installed as the theme gem, the stand-in is built by Jekyll and rendered by the project alike."""
    gems = tmp_path / "gems"
    _install_gem(gems, "minimal-mistakes-jekyll", "0.0.1", _stand_in_files())
    files = dict(TEAM_SITE)
    files["_posts/2024-03-01-new-grant.md"] = "---\nlayout: single\ntitle: New grant\n---\nThe chair won a grant.\n"
    files["news.md"] = "---\nlayout: posts\ntitle: News\n---\nWhat happened at the chair.\n"
    files["index.md"] = "---\nlayout: home\nauthor_profile: true\n---\nThe chair teaches German grammar.\n"
    files["teaching.md"] = """
        ---
        layout: splash
        title: Teaching
        header:
          overlay_color: "#333"
        excerpt: Courses in grammar for every semester
        feature_row:
          - title: Seminars
            excerpt: Reading groups on **morphology**.
            url: /team/erika_example/
            btn_label: Read more
        ---
        {% include feature_row %}
        """
    files["_config.yml"] = textwrap.dedent(TEAM_SITE["_config.yml"]) + (
        "author:\n  name: Grammar Chair\n  bio: German grammar in research and teaching\n"
    )
    system_gems = subprocess.run(["gem", "env", "gempath"], capture_output=True, text=True).stdout.strip()
    monkeypatch.setenv("GEM_HOME", str(gems))  # where the project looks for the installed theme
    comparison = compare(tmp_path, files, {"GEM_PATH": os.pathsep.join(p for p in (str(gems), system_gems) if p)})
    assert "Tuesdays 14:00" in comparison.page("team/erika_example.html")
    assert not any("not installed" in n for n in comparison.ours.notes), comparison.ours.notes
    assert_faithful(comparison)
    assert any("Tuesdays 14:00 – 15:00" in t for t in comparison.passages("team/erika_example.html"))
    teaching = "\n".join(comparison.passages("teaching.html"))
    assert "Reading groups on morphology" in teaching  # the feature row of a splash page
    assert "New grant" in comparison.page("index.html")  # the home layout lists the posts
