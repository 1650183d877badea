"""Hostile sites: each one is indexed, its bad file named, and nothing from outside the site published.

    python benchmarks/hostile_sites.py            # every site, one after the other
    python benchmarks/hostile_sites.py --only "include bomb" --only "self include"

Each site is a small Jekyll site in a temporary folder with one good page and one trap:
symbolic links and ``_config.yml`` folders that lead to files beside the site (which hold a
secret word), jekyll-scholar's ``--file`` climbing out with ``..``, and Liquid or YAML that
would loop, include or grow without end. The real indexer runs on it; the script prints how
long each took, the problem lines, whether the good page was indexed and whether the secret
reached the index (its passages, its files) or an answer. Target: each site within 60 s, the
trap named in a problem line, the good page indexed, no outside byte published.
tests/test_hostile_sites.py runs the same sites and asserts all of it but the time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SECRET = "zorblaxquint"  # stands in every file outside the site, in no file inside it
GOOD = "plimsovarix"  # stands on the site's good page, which must be indexed whatever the trap
TARGET_SECONDS = 60.0

CONFIG = "title: Hostile\nurl: https://hostile.example\nplugins: [jekyll-scholar]\n"
GOOD_PAGE = f"---\ntitle: Good page\n---\nThe institute keeps {GOOD} in its archive for visitors.\n"
LAYOUT = "<html><body><main>{{ content }}</main></body></html>\n"

# Beside the site (in "outside/"): what a link or a folder setting would reach.
OUTSIDE = {
    "secret.md": f"---\ntitle: Secret\n---\nThe vault code is {SECRET} and nobody may read it.\n",
    "dir/page.md": f"---\ntitle: Folder secret\n---\nThe folder code is {SECRET}.\n",
    "_staff/ada.md": f"---\ntitle: Ada\n---\nAda's vault code is {SECRET}.\n",
    "data.yml": f"- name: {SECRET}\n  role: vault\n",
    "refs.bib": f"@article{{leak2024, title={{The {SECRET} paper}}, author={{Vault, Ada}}, year={{2024}}}}\n",
    "layouts/default.html": f"<html><body><main>{SECRET} {{{{ content }}}}</main></body></html>\n",
    "includes/note.html": f"<p>The note says {SECRET}.</p>\n",
    "data/people.yml": f"- name: {SECRET}\n",
    "source/index.md": f"---\ntitle: Source secret\n---\nThe source code is {SECRET}.\n",
    "bib/references.bib": f"@article{{leak2025, title={{Another {SECRET} paper}}, author={{Vault, Bo}}, year={{2025}}}}"
    "\n",
}


@dataclass
class HostileSite:
    """A site with one trap; a problem line must name ``expect`` (a file, or the page it stops)."""

    name: str
    files: dict[str, str]
    expect: str
    links: dict[str, str] = field(default_factory=dict)  # link in the site -> where it points (relative)
    config: str = ""  # more lines for _config.yml
    expect_line: int | None = None


def _include_bomb(levels: int = 31, copies: int = 10) -> dict[str, str]:
    """``levels`` includes, each including the next ``copies`` times: 31 and 10 make 10^30 renders of the last."""
    files = {f"_includes/b{n}.html": f"{{% include b{n + 1}.html %}}" * copies for n in range(levels - 1)}
    files[f"_includes/b{levels - 1}.html"] = "x"
    files["bomb.md"] = "---\ntitle: Bomb\n---\n{% include b0.html %}\n"
    return files


def _laughs(levels: int = 9) -> str:
    """ "Billion laughs": each level a list of ten aliases of the one before."""
    lines = ['a0: &a0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


SITES = [
    HostileSite("page link", {}, "leak.md", links={"leak.md": "../outside/secret.md"}),
    HostileSite("folder link", {}, "docs", links={"docs": "../outside/dir"}),
    HostileSite(
        "data link",
        {"data.md": "---\ntitle: Data\n---\n{% for p in site.data.leak %}{{ p.name }}{% endfor %}\n"},
        "_data/leak.yml",
        links={"_data/leak.yml": "../../outside/data.yml"},
    ),
    HostileSite(
        "include link",
        {"note.md": "---\ntitle: Note\n---\n{% include note.html %}\n"},
        "note.md",
        links={"_includes/note.html": "../../outside/includes/note.html"},
    ),
    HostileSite(
        "includes folder link",
        {"note.md": "---\ntitle: Note\n---\n{% include note.html %}\n"},
        "note.md",
        links={"_includes": "../outside/includes"},
    ),
    HostileSite(
        "collections_dir",
        {},
        "_config.yml",
        config="collections: {staff: {output: true}}\ncollections_dir: ../outside\n",
        expect_line=5,
    ),
    HostileSite(
        "bibliography --file",
        {
            "pubs.md": "---\ntitle: Publications\n---\n# Papers\n\n{% bibliography --file ../../outside/refs %}\n",
            "_bibliography/references.bib": "@book{own2020, title={Our own book}, author={Keeper, Kim}, year={2020}}\n",
        },
        "pubs.md",
        expect_line=6,
    ),
    HostileSite(
        "layouts_dir",
        {"page.md": "---\ntitle: Laid out\nlayout: default\n---\nA page with a layout.\n"},
        "_config.yml",
        config="layouts_dir: ../outside/layouts\n",
        expect_line=4,
    ),
    HostileSite(
        "includes_dir",
        {"note.md": "---\ntitle: Note\n---\n{% include note.html %}\n"},
        "_config.yml",
        config="includes_dir: ../outside/includes\n",
        expect_line=4,
    ),
    HostileSite(
        "data_dir",
        {"team.md": "---\ntitle: Team\n---\n{% for p in site.data.people %}{{ p.name }}{% endfor %}\n"},
        "_config.yml",
        config="data_dir: ../outside/data\n",
        expect_line=4,
    ),
    HostileSite("source", {}, "_config.yml", config="source: ../outside/source\n", expect_line=4),
    HostileSite(
        "scholar.source",
        {"pubs.md": "---\ntitle: Publications\n---\n{% bibliography %}\n"},
        "_config.yml",
        config="scholar:\n  style: apa\n  source: ../outside/bib\n",
        expect_line=6,
    ),
    HostileSite(
        "nested loops",
        {
            "loops.md": "---\ntitle: Loops\n---\n"
            "{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}\n"
        },
        "loops.md",
    ),
    HostileSite("include bomb", _include_bomb(), "bomb.md"),
    HostileSite("wide include bomb", _include_bomb(levels=6, copies=20), "bomb.md"),
    HostileSite(
        "loop after loop",
        {"many.md": "---\ntitle: Many loops\n---\n" + "{% for i in (1..999999) %}{% endfor %}" * 50 + "\n"},
        "many.md",
    ),
    HostileSite(
        "append doubling",
        {
            "double.md": '---\ntitle: Double\n---\n{% assign s = "ab" %}{% for i in (1..64) %}'
            "{% assign s = s | append: s %}{% endfor %}{{ s | size }}\n"
        },
        "double.md",
    ),
    HostileSite(
        "YAML alias bomb in _data",
        {"_data/lol.yml": _laughs(), "dump.md": "---\ntitle: Dump\n---\n{{ site.data | jsonify }}\n"},
        "_data/lol.yml",
    ),
    HostileSite(
        "YAML alias bomb in front matter",
        {"laughs.md": "---\n" + _laughs() + "title: Laughs\n---\n{{ page | jsonify }}\n"},
        "laughs.md",
    ),
    HostileSite(
        "self include",
        {
            "_includes/again.html": "<p>again</p>{% include again.html %}",
            "recursive.md": "---\ntitle: Recursive\n---\n{% include again.html %}\n",
        },
        "recursive.md",
    ),
]


def build(site: HostileSite, parent: Path) -> Path:
    """Write the site into ``parent/site`` and the files it must not reach into ``parent/outside``."""
    for rel, text in OUTSIDE.items():
        path = parent / "outside" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    root = parent / "site"
    files = {"_config.yml": CONFIG + site.config, "good.md": GOOD_PAGE, "_layouts/default.html": LAYOUT, **site.files}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, target in site.links.items():
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
    return root


@dataclass
class Outcome:
    seconds: float
    problems: list[str]
    good_indexed: bool
    leaks: list[str]  # where the secret was found

    def named(self, site: HostileSite) -> bool:
        """A problem line names the trap: its file (and line, where it has one), or the page it stopped."""
        where = f"{site.expect}:{site.expect_line}:" if site.expect_line else site.expect
        return any(line.startswith(where) or f"while rendering {site.expect})" in line for line in self.problems)


def run(site: HostileSite, parent: Path) -> Outcome:
    """Index the site for real, then look for the good page and for the secret everywhere it could be."""
    from assistant.answer import Assistant, answer_to_json
    from assistant.build import index_site

    root = build(site, parent)
    out = parent / "index"
    started = time.perf_counter()
    report = index_site(root, out)
    seconds = time.perf_counter() - started
    problems = [str(p) for p in report.problems]
    leaks = []
    assistant = Assistant.open(out)
    index = assistant.index
    for passage in index.passages():
        if SECRET in f"{passage.text} {passage.title} {passage.url}".lower():
            leaks.append(f"passage of {passage.source}")
    for path in sorted(out.rglob("*")):
        if path.is_file() and SECRET.encode() in path.read_bytes().lower():
            leaks.append(f"index file {path.name}")
    for question in ("What is the vault code?", "Which paper did Vault write?", "What does the note say?"):
        if SECRET in json.dumps(answer_to_json(assistant.respond(question)), ensure_ascii=False).lower():
            leaks.append(f"answer to {question!r}")
    hits = index.search(index.parse(GOOD), limit=3)
    good = bool(hits) and hits[0][0].source == "good.md"
    return Outcome(seconds, problems, good, leaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", help="run only the site of this name (repeatable)")
    args = parser.parse_args()
    chosen = [s for s in SITES if not args.only or s.name in args.only]
    failed = 0
    print(f"{'site':34} {'seconds':>8}  named  good  leaks")
    for site in chosen:
        with tempfile.TemporaryDirectory(prefix="hostile-site-") as tmp:
            outcome = run(site, Path(tmp))
        ok = outcome.named(site) and outcome.good_indexed and not outcome.leaks and outcome.seconds <= TARGET_SECONDS
        failed += not ok
        print(
            f"{site.name:34} {outcome.seconds:8.2f}  {'yes' if outcome.named(site) else 'NO':5}  "
            f"{'yes' if outcome.good_indexed else 'NO':4}  {', '.join(outcome.leaks) or 'none'}"
        )
        for line in outcome.problems:
            print("    " + textwrap.shorten(line, 150, placeholder=" ..."))
    print(f"{len(chosen) - failed} of {len(chosen)} sites met the target (named, good page indexed, no leak, <= 60 s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
