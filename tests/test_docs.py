"""What the README and docs/ tell people to type is what the code reads."""

from __future__ import annotations

import re

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WIDGET = ROOT / "assistant" / "static" / "widget.js"


def _attributes_the_widget_reads() -> set[str]:
    """``getAttribute("data-x")``, and ``helper("x")`` for a helper that reads ``"data-" + name``."""
    source = WIDGET.read_text(encoding="utf-8")
    read = set(re.findall(r"""getAttribute\(\s*["'](data-[a-z-]+)["']\s*\)""", source))
    helpers = re.findall(
        r"""(?:function\s+(\w+)|(\w+)\s*=\s*function)\s*\(\s*(\w+)\s*\)\s*\{[^}]*"""
        r"""getAttribute\(\s*["']data-["']\s*\+\s*\3\s*\)""",
        source,
    )
    for named, assigned, _ in helpers:
        helper = named or assigned
        read |= {f"data-{n}" for n in re.findall(rf"""\b{helper}\(\s*["']([a-z-]+)["']\s*\)""", source)}
    return read


def test_the_widget_reads_its_settings_from_data_attributes():
    assert {"data-api", "data-lang", "data-contact", "data-title"} <= _attributes_the_widget_reads()


def test_every_widget_snippet_and_attribute_in_the_docs_is_one_the_widget_reads():
    read = _attributes_the_widget_reads()
    snippets = 0
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*widget\.js[^>]*>", text):
            snippets += 1
            named = set(re.findall(r"\b(data-[a-z-]+)=", tag))
            assert "data-api" in named, f"{doc.name}: {tag} does not say where the API is"
            assert named <= read, f"{doc.name}: {tag} sets {sorted(named - read)}, which widget.js never reads"
        for line_no, line in enumerate(text.splitlines(), 1):
            for attribute in re.findall(r"`(data-[a-z-]+)`", line):
                assert attribute in read, f"{doc.name}:{line_no}: `{attribute}` is not an attribute widget.js reads"
    assert snippets, "no widget snippet found in the docs"


def test_the_readme_and_the_deploy_guide_name_the_same_package_zip():
    def zips(name: str) -> set[str]:
        text = (ROOT / name).read_text(encoding="utf-8")
        return set(re.findall(r"(?<![\w/.-])((?:[\w.-]+/)+[\w.-]+\.zip)\b", text))  # a path: build/….zip

    readme, guide = zips("README.md"), zips("docs/deploy.md")
    assert readme, "the README names no package zip"
    assert readme == guide, f"README: {sorted(readme)}, docs/deploy.md: {sorted(guide)}"
