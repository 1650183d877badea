"""Sites built to attack the indexer: it stays inside the site and stops what would never end.

Every site of benchmarks/hostile_sites.py is indexed for real: symbolic links and
``_config.yml`` folders that lead to files beside the site, jekyll-scholar's ``--file``
climbing out, nested loops of 100,000, include bombs, a string doubled in a loop, YAML
alias bombs, an include that includes itself. Each must name its trap in a problem line,
index the good page beside it, and publish no byte of the files outside. How long each
takes is the benchmark's business; here only what happens is checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LONG_PATIENCE, ROOT, write_site

sys.path.insert(0, str(ROOT / "benchmarks"))

from hostile_sites import GOOD, SECRET, SITES, HostileSite, build, run  # noqa: E402

from assistant.answer import Assistant  # noqa: E402
from assistant.build import index_site  # noqa: E402
from assistant.jekyll_liquid import JekyllLiquid, RenderError  # noqa: E402


@pytest.mark.parametrize("site", SITES, ids=[s.name for s in SITES])
def test_hostile_site_names_its_trap_and_publishes_nothing_from_outside(site, tmp_path):
    outcome = run(site, tmp_path)
    assert outcome.named(site), (site.expect, site.expect_line, outcome.problems)
    assert outcome.good_indexed, outcome.problems
    assert outcome.leaks == []


def test_links_and_folders_that_stay_inside_the_site_are_followed(tmp_path):
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Linked\nurl: https://linked.example\nlayouts_dir: theme/layouts\n",
            "theme/layouts/default.html": "<html><body><main>{{ content }}</main></body></html>",
            "_library/page.md": "---\ntitle: Shared\nlayout: default\n---\nThe shared page mentions quillomarv.\n",
            "_parts/people.yml": "- name: Ada Brightwell\n  word: vostrenik\n",
            "_parts/note.html": "<p>The note mentions trelloquim.</p>",
            "team.md": "---\ntitle: Team\n---\n{% for p in site.data.people %}{{ p.name }} {{ p.word }}{% endfor %}\n",
            "notes.md": "---\ntitle: Notes\n---\n{% include note.html %}\n",
        },
    )
    os.symlink("_library/page.md", root / "alias.md")
    os.symlink("_library", root / "mirror")  # "_library" itself is not published: it starts with "_"
    (root / "_data").mkdir()
    os.symlink("../_parts/people.yml", root / "_data" / "people.yml")
    (root / "_includes").mkdir()
    os.symlink("../_parts/note.html", root / "_includes" / "note.html")

    report = index_site(root, tmp_path / "index")

    assert report.problems == []
    index = Assistant.open(tmp_path / "index").index
    sources = {p.source for p in index.passages()}
    assert {"alias.md", "mirror/page.md", "team.md", "notes.md"} <= sources
    for word, page in (("vostrenik", "team.md"), ("trelloquim", "notes.md")):
        assert index.search(index.parse(word), limit=1)[0][0].source == page


def test_assistant_index_prints_each_trap_and_indexes_the_rest(tmp_path):
    """The command line: one site with several traps, every one of them on standard error, exit 0."""
    traps = {s.name: s for s in SITES}
    site = HostileSite(
        "several traps",
        {**traps["data_dir"].files, **traps["nested loops"].files, **traps["self include"].files},
        "leak.md",
        links=traps["page link"].links,
        config=traps["data_dir"].config,
    )
    root = build(site, tmp_path)
    cmd = [sys.executable, "-m", "assistant", "index", str(root), "--out", str(tmp_path / "index")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=LONG_PATIENCE, env=env)
    assert done.returncode == 0, done.stderr
    for expected in ("leak.md: symbolic link", "_config.yml:4: data_dir", "loops.md:4: Liquid stopped"):
        assert expected in done.stderr
    assert "while rendering recursive.md" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    index = Assistant.open(tmp_path / "index").index
    assert index.search(index.parse(GOOD), limit=1)[0][0].source == "good.md"


def test_a_render_past_its_time_backstop_stops_with_the_file_named(tmp_path):
    """The work count stops bombs; a clock stops what it misses. Here the clock is the test's own."""
    now = [0.0]

    def clock() -> float:
        now[0] += 10.0  # every look at the clock finds ten seconds gone
        return now[0]

    liquid = JekyllLiquid(tmp_path, {}, clock=clock)
    source = "{% for i in (1..500000) %}{{ i | plus: 1 | minus: 1 }}{% endfor %}"
    with pytest.raises(RenderError) as stopped:
        liquid.render(source, {}, "slow.md", 4)
    assert stopped.value.path == "slow.md"
    assert "still running after 60 s" in stopped.value.reason


def test_ordinary_anchors_and_aliases_still_read(tmp_path: Path):
    """Aliases that a site uses for defaults are far from any bound."""
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Anchors\nurl: https://anchors.example\n",
            "_data/groups.yml": "base: &base\n  building: Block Q\n  floor: 3\n"
            + "".join(f"g{n}:\n  <<: *base\n  name: Group {n}\n" for n in range(200)),
            "groups.md": "---\ntitle: Groups\n---\n{% for g in site.data.groups %}{{ g[1].name }} in "
            "{{ g[1].building }}. {% endfor %}\n",
        },
    )
    report = index_site(root, tmp_path / "index")
    assert report.problems == []
    index = Assistant.open(tmp_path / "index").index
    assert "Group 199 in Block Q" in " ".join(p.text for p in index.passages())


def test_a_built_site_indexes_neither_its_redirect_stubs_nor_its_not_found_page(tmp_path):
    root = write_site(
        tmp_path / "built",
        {
            "index.html": f"<html><head><title>Home</title></head><body><main>We keep {GOOD}.</main></body></html>",
            "staff/old/index.html": '<html><title>Redirecting</title><meta http-equiv="refresh" '
            'content="0; url=https://example.org/staff/"><meta name="robots" content="noindex">'
            '<h1>Redirecting</h1><a href="/staff/">Click here if you are not redirected.</a></html>',
            "404.html": "<html><body><main><h1>Not found</h1><p>This address leads nowhere.</p></main></body></html>",
        },
    )

    report = index_site(root, tmp_path / "index")

    assert report.documents == 1
    texts = " ".join(p.text for p in Assistant.open(tmp_path / "index").index.passages())
    assert GOOD in texts and "redirected" not in texts and "nowhere" not in texts


def test_a_built_site_with_a_link_out_names_it_and_publishes_the_rest(tmp_path):
    """A folder of published HTML (Jekyll's _site) is read as it is, and its links are checked the same way."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.html").write_text(f"<html><body><main>The code is {SECRET}.</main></body></html>")
    root = write_site(
        tmp_path / "built",
        {"index.html": f"<html><head><title>Home</title></head><body><main>We keep {GOOD}.</main></body></html>"},
    )
    os.symlink("../outside/secret.html", root / "leak.html")

    report = index_site(root, tmp_path / "index")

    assert [str(p) for p in report.problems] == [
        "leak.html: symbolic link to a file outside the site; not read, as Jekyll does not"
    ]
    texts = " ".join(p.text for p in Assistant.open(tmp_path / "index").index.passages())
    assert GOOD in texts and SECRET not in texts
