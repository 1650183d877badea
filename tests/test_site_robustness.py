"""Sites with broken files in them: every good page is still indexed, every bad file is named.

A property test: hypothesis builds sites from good pages (English and German,
pages in folders, posts, one large page) mixed with the ways files go wrong
in real repositories, indexes each for real, and checks what an editor would
see. `assistant index` itself is run on one such site at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import LONG_PATIENCE, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CONSONANTS = "bcdfghjklmnpqrstvwxz"
BROKEN_KINDS = ("yaml", "unclosed", "liquid", "utf8", "binary", "loop")
FILLER = (
    "The institute publishes reports on data, models and clinical studies every year. "
    "Researchers meet weekly to discuss methods, results and open questions. "
)


def unique_word(n: int, salt: str) -> str:
    """A made-up word no dictionary, stemmer or other page shares."""
    return "qv" + salt + "".join(CONSONANTS[int(d)] for d in str(n)) + "ox"


@st.composite
def sites(draw):
    salt = draw(st.text(alphabet=CONSONANTS, min_size=2, max_size=4))
    n_good = draw(st.integers(min_value=1, max_value=4))
    good = []
    for n in range(n_good):
        where = draw(st.sampled_from(["", "about/", "groups/team/", "_posts/"]))
        lang = draw(st.sampled_from(["en", "de"]))
        name = f"{where}{f'2024-05-0{n + 1}-' if where == '_posts/' else ''}page-{salt}-{n}.md"
        good.append((name, lang, unique_word(n, salt)))
    large = draw(st.sampled_from([False] * 7 + [True]))  # a few MB: indexed in seconds, so drawn rarely
    broken = draw(st.lists(st.sampled_from(BROKEN_KINDS), min_size=1, max_size=len(BROKEN_KINDS), unique=True))
    noise = draw(st.binary(min_size=16, max_size=64))
    return salt, good, large, broken, noise


def write(root: Path, salt: str, good, large: bool, broken, noise: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """Write the site; return {good page: its word} and {broken kind: the path a report must name}."""
    root.mkdir(parents=True)
    (root / "_config.yml").write_text("title: Robust\nurl: https://robust.example\n")
    words = {}
    for name, lang, word in good:
        text = "Das Institut erwähnt {w} auf dieser Seite." if lang == "de" else "The institute mentions {w} here."
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: Page {word}\nlang: {lang}\n---\n{FILLER}\n\n{text.format(w=word)}\n")
        words[name] = word
    if large:  # about 2.5 MB of ordinary prose with one sentence that matters in the middle
        word = unique_word(999, salt)
        paragraphs = [FILLER * 4] * 4000
        paragraphs.insert(2000, f"The archive keeps {word} for later.")
        (root / f"archive-{salt}.md").write_text("---\ntitle: Archive\n---\n" + "\n\n".join(paragraphs))
        words[f"archive-{salt}.md"] = word
    bad: dict[str, str] = {}
    for kind in broken:
        rel = f"broken-{kind}-{salt}.md"
        path = root / rel
        if kind == "yaml":
            path.write_text("---\ntitle: [unclosed\nlayout: : :\n---\nBody.\n")
        elif kind == "unclosed":
            path.write_text("---\ntitle: Never closed\n\nThe body never starts.\n")
        elif kind == "liquid":
            path.write_text("---\ntitle: Loops\n---\n{% for p in site.pages %}\n{{ p.title }\n")
        elif kind == "utf8":
            path.write_bytes(b"---\ntitle: Latin-1\n---\nM\xfcnchen und K\xf6ln\n" + noise.replace(b"\x00", b""))
        elif kind == "binary":
            path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + noise)
        elif kind == "loop":
            rel = f"loop-{salt}"
            (root / rel).mkdir()
            (root / rel / "again").symlink_to("..", target_is_directory=True)
        bad[kind] = rel
    return words, bad


def check_site(root: Path, out: Path, words: dict[str, str], bad: dict[str, str]) -> None:
    from assistant.answer import Assistant
    from assistant.build import index_site

    report = index_site(root, out)
    named = [p.path for p in report.problems]
    for kind, rel in bad.items():
        assert any(path == rel or path.startswith(rel + "/") for path in named), (kind, rel, report.problems)
    for problem in report.problems:
        assert problem.path not in words, f"a good page was reported: {problem}"
    index = Assistant.open(out).index
    for page, word in words.items():
        hits = index.search(index.parse(word), limit=3)
        assert hits and hits[0][0].source == page, (page, word, [(p.source, p.text[:60]) for p, _ in hits])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sites())
def test_good_pages_survive_broken_neighbours(tmp_path_factory, case):
    salt, good, large, broken, noise = case
    root = tmp_path_factory.mktemp("site")
    words, bad = write(root / "site", salt, good, large, broken, noise)
    check_site(root / "site", root / "index", words, bad)


def test_index_command_is_strict_only_when_asked(tmp_path):
    words, bad = write(
        tmp_path / "site", "zz", [("ok.md", "en", unique_word(1, "zz"))], False, list(BROKEN_KINDS), b"\x00\x01\x02"
    )
    cmd = [sys.executable, "-m", "assistant", "index", str(tmp_path / "site"), "--out", str(tmp_path / "index")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    plain = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=LONG_PATIENCE, env=env)
    strict = subprocess.run(
        cmd + ["--strict"], cwd=ROOT, capture_output=True, text=True, timeout=LONG_PATIENCE, env=env
    )
    assert plain.returncode == 0, plain.stderr
    assert strict.returncode != 0
    for rel in bad.values():
        assert rel in plain.stderr and rel in strict.stderr
    # like Jekyll, broken front matter is reported and the page is still published
    published = 1 + sum(kind in ("yaml", "unclosed") for kind in BROKEN_KINDS)
    assert f"Indexed {published} pages" in plain.stdout
