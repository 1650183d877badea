"""The bundled demo site is a valid Jekyll source tree and is written in its own words."""

from __future__ import annotations

import os
import re
from pathlib import Path

import frontmatter
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = Path(os.environ.get("ASSISTANT_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SEEDS = SHARED / "seeds"

PAGE_SUFFIXES = {".md", ".markdown", ".html"}
POST_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
SHINGLE = 8  # this many consecutive words shared with a seed count as copying


def _pages() -> list[Path]:
    """Source files Jekyll publishes as pages or posts (not layouts, includes or data)."""
    pages = []
    for path in sorted(CORPUS.rglob("*")):
        folders = path.relative_to(CORPUS).parts[:-1]
        if path.suffix in PAGE_SUFFIXES and all(f == "_posts" or not f.startswith("_") for f in folders):
            pages.append(path)
    return pages


def _posts() -> list[Path]:
    return sorted(CORPUS.glob("**/_posts/*"))


def test_corpus_has_the_parts_of_a_jekyll_site():
    for part in ("_config.yml", "_data/groups.yml", "_layouts/default.html", "_includes", "_bibliography"):
        assert (CORPUS / part).exists(), f"corpus/{part} is missing"
    config = yaml.safe_load((CORPUS / "_config.yml").read_text(encoding="utf-8"))
    assert config["url"] == "https://www.ikim.uk-essen.de"
    assert config["title"]
    assert 10 <= len(_pages()) <= 20


def test_every_page_has_front_matter_with_a_title():
    for path in _pages():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(CORPUS)
        assert text.startswith("---\n"), f"corpus/{rel}:1: no front matter"
        post = frontmatter.loads(text)
        assert str(post.get("title", "")).strip(), f"corpus/{rel}:1: front matter has no title"


def test_every_data_file_parses():
    files = sorted((CORPUS / "_data").rglob("*.yml"))
    assert len(files) >= 3
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"corpus/{path.relative_to(CORPUS)}: {exc}")
        assert data, f"corpus/{path.relative_to(CORPUS)} is empty"


def test_people_files_match_groups_and_carry_roles():
    groups = yaml.safe_load((CORPUS / "_data/groups.yml").read_text(encoding="utf-8"))
    people_dir = CORPUS / "_data/people"
    for group in groups:
        people = yaml.safe_load((people_dir / f"{group['name']}.yml").read_text(encoding="utf-8"))
        assert any("head" in p["roles"] for p in people), f"group {group['name']} has no head"
    everyone = [p for f in people_dir.glob("*.yml") for p in yaml.safe_load(f.read_text(encoding="utf-8"))]
    assert any("board" in p["roles"] and p["name"] == "Michael Forsting" for p in everyone)


def test_post_file_names_carry_a_date_and_a_slug():
    posts = _posts()
    assert len(posts) >= 3
    for path in posts:
        assert POST_NAME.match(path.name), f"corpus/{path.relative_to(CORPUS)}: not YYYY-MM-DD-slug.md"
    langs = {frontmatter.loads(p.read_text(encoding="utf-8")).get("lang", "en") for p in posts}
    assert langs == {"en", "de"}


def _config_default_layouts() -> set[str]:
    config = yaml.safe_load((CORPUS / "_config.yml").read_text(encoding="utf-8"))
    return {d["values"]["layout"] for d in config.get("defaults", []) if "layout" in d.get("values", {})}


def test_every_referenced_layout_and_include_exists():
    layouts = {p.stem for p in (CORPUS / "_layouts").glob("*.html")}
    referenced = set(_config_default_layouts())
    for path in _pages() + sorted((CORPUS / "_layouts").glob("*.html")):
        layout = frontmatter.loads(path.read_text(encoding="utf-8")).get("layout")
        if layout:
            referenced.add(layout)
    assert referenced, "no layout is referenced anywhere"
    missing = referenced - layouts
    assert not missing, f"layouts referenced but absent from corpus/_layouts: {sorted(missing)}"

    include_tag = re.compile(r"{%-?\s*include\s+([\w./-]+)")
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.suffix in PAGE_SUFFIXES:
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for name in include_tag.findall(line):
                    assert (CORPUS / "_includes" / name).is_file(), (
                        f"corpus/{path.relative_to(CORPUS)}:{lineno}: include {name} does not exist"
                    )


# --- the corpus renders (needs the site/render stages) -------------------------------------


@pytest.fixture(scope="module")
def rendered():
    """(documents, problems) of the corpus, as the indexer sees them."""
    site_mod = pytest.importorskip("assistant.site")
    render_mod = pytest.importorskip("assistant.render")
    site = site_mod.load_site(CORPUS)
    documents, problems = render_mod.render_site(site)
    return list(documents), list(site.problems) + [p for p in problems if p not in site.problems]


def test_corpus_loads_without_problems():
    site_mod = pytest.importorskip("assistant.site")
    site = site_mod.load_site(CORPUS)
    assert not site.problems, "\n".join(str(p) for p in site.problems)
    urls = {f.url for f in site.published()}
    assert {
        "/institute.html",
        "/groups/mml.html",
        "/impressum.html",
        "/news/2024/07/01/ccce-symposium-ki-krebsmedizin.html",
    } <= urls
    assert site.data["people"]["institute"][0]["name"] == "Michael Forsting"


def test_corpus_renders_without_problems(rendered):
    documents, problems = rendered
    assert not problems, "\n".join(str(p) for p in problems)
    urls = {d.url for d in documents}
    assert "https://www.ikim.uk-essen.de/groups/mml.html" in urls
    assert any(d.kind == "post" and d.lang == "de" for d in documents)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_institute_page_lists_its_board_from_data(rendered):
    documents, _ = rendered
    institute = next(d for d in documents if d.source == "institute.md")
    text = _text(institute.html)
    assert "Prof. Dr. Michael Forsting, Speaker" in text
    assert "Jens Kleesiek" in text
    assert "{%" not in institute.html and "{{" not in institute.html


def test_group_page_shows_head_contact_and_team_from_data(rendered):
    documents, _ = rendered
    mml = next(d for d in documents if d.source == "groups/mml.md")
    text = _text(mml.html)
    assert "Medical Machine Learning" in text
    assert "jens.kleesiek@uk-essen.de" in text
    assert "Girardetstr. 2" in text
    assert "Digital Tumor Signatures" in text


# --- written in its own words ----------------------------------------------------------------


# A name ("Institute for Artificial Intelligence in Medicine (IKIM)", "Girardetstr. 2") must be
# written as it is, so a run of capitalised words, with the small words that join them, counts as
# one word. Titles of works in quotes are names too. Web addresses are left out.
_CAP = r"(?:[A-ZÄÖÜ][\w’'.-]*|\d[\d.]*)"
_JOIN = r"(?:for|of|in|and|the|&|für|in|der|des|die|und|am|an)"
_NAME = re.compile(rf"{_CAP}(?:[ \t]+(?:{_JOIN}[ \t]+){{0,2}}{_CAP})*(?:[ \t]*\([A-Z][\w]*\))?")
_URL = re.compile(r"\(?https?://[^\s)>]+\)?|www\.[^\s)>]+")
QUOTED = re.compile(r"[*„\"“']+([^*„\"“”']{1,200})[*“”\"']+")
TITLE_WORDS = 20


def _words(text: str) -> list[str]:
    """Lowercase words of text, each name joined into a single word."""
    text = _URL.sub(" ", text)
    text = _NAME.sub(lambda m: "_".join(re.findall(r"\w+", m.group(0))), text)
    return re.findall(r"\w+", text.lower())


def _seed_sentences(text: str) -> list[list[str]]:
    text = QUOTED.sub(lambda m: " | " if len(m.group(1).split()) <= TITLE_WORDS else m.group(0), text)
    pieces = re.split(r"[.!?;:|]\s|\n", text)
    return [w for w in (_words(p) for p in pieces) if len(w) >= SHINGLE]


def _corpus_text(root: Path) -> str:
    """Every file's words, with Liquid and HTML tags taken out."""
    chunks = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"{%.*?%}|{{.*?}}|<[^>]+>", " ", text, flags=re.S)
            chunks.append(" ".join(_words(text)))
    return " \n ".join(chunks)


def _copied(seed_texts: dict[str, str], corpus_text: str) -> list[str]:
    haystack = f" {corpus_text} "
    copied = set()
    for name, text in seed_texts.items():
        for words in _seed_sentences(text):
            for i in range(len(words) - SHINGLE + 1):
                run = " ".join(words[i : i + SHINGLE])
                if f" {run} " in haystack:
                    copied.add(f"{name}: {run}")
    return sorted(copied)


def _seed_texts() -> dict[str, str]:
    seeds = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    if not seeds:
        pytest.skip(f"no seed files at {SEEDS}")
    return seeds


def test_no_seed_sentence_is_copied_into_the_corpus():
    copied = _copied(_seed_texts(), _corpus_text(CORPUS))
    assert not copied, "copied from the seeds:\n" + "\n".join(copied)


def test_copy_check_catches_a_lightly_edited_copy(tmp_path):
    """The check must be able to fail: a seed sentence pasted into a page, markup around it, is caught."""
    seeds = _seed_texts()
    name, text = next(iter(seeds.items()))
    sentence = max(_seed_sentences(text), key=len)
    page = tmp_path / "page.md"
    page.write_text(f"---\ntitle: T\n---\n<p>**{' '.join(sentence).capitalize()}.**</p>\n", encoding="utf-8")
    copied = _copied(seeds, _corpus_text(tmp_path))
    assert any(c.startswith(f"{name}: ") for c in copied)
