"""How faithful the index is to what Jekyll publishes, site by site.

    python benchmarks/faithfulness.py                      # the sites in ../shared/sites
    python benchmarks/faithfulness.py path/to/site ...     # other site sources
    python benchmarks/faithfulness.py --json out.json --verbose

Each site is built with Debian's ``jekyll`` into ``--builds/NAME`` (reused
when its source has not changed; see ``jekyll_builds.py`` for what is left out
of the build when a plugin is not installed), and once more without any plugin,
so pages that only plugins made are told apart. A site folder with a
``built/`` folder beside its ``source/`` is compared with that build instead
(a site's own published output, made with plugins that are not installed here).

Reported per site: the share of passages whose words stand, in their order, on
their page as Jekyll built it; published pages only Jekyll has (split into
plain pages and pages made by plugins) and pages only the index has. Passages
cut from the output of a plugin that the build could not run (a bibliography
when jekyll-scholar is not installed) cannot be checked and are counted apart;
other plugins the build could not run are left out of the rendering as well.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from jekyll_builds import build  # noqa: E402

from assistant.build import site_passages  # noqa: E402
from assistant.faithfulness import check_passages  # noqa: E402

SITES = HERE.parent.parent / "shared" / "sites"
BUILDS = Path("/work/jekyll-builds")
SCHOLAR = frozenset({"jekyll-scholar", "jekyll/scholar"})


def site_source(folder: Path) -> tuple[Path, Path | None]:
    """The source folder of a site and its own published build, when it comes with one."""
    if (folder / "source").is_dir():
        return folder / "source", (folder / "built") if (folder / "built").is_dir() else None
    return folder, None


def measure(folder: Path, builds: Path, verbose: bool = False) -> dict:
    name = folder.name
    source, oracle = site_source(folder)
    row: dict = {"site": name}
    if oracle is not None:
        built, build_info = oracle, {"ok": True, "stubbed_tags": [], "removed_plugins": []}
    else:
        result = build(source, builds / name)
        built, build_info = Path(result.dest), result.__dict__
        if not result.ok:
            row["error"] = "jekyll build failed: " + result.log.strip().splitlines()[-1] if result.log else "failed"
            return row
    plain = build(source, Path("/tmp/jekyll-plain") / name, plain=True)
    started = time.perf_counter()
    # Plugins the build could not run are left out of the rendering too, so both sides are made the
    # same way; jekyll-scholar stays: its passages are counted apart as not checkable instead.
    left_out = [p for p in build_info.get("removed_plugins", []) if p not in SCHOLAR]
    ours = site_passages(source, without_plugins=left_out)
    row["seconds"] = round(time.perf_counter() - started, 2)
    unverifiable = set()
    if any(tag in ("bibliography", "bibliography_count", "cite") for tag in build_info.get("stubbed_tags", [])):
        unverifiable = {id(p) for p in ours.passages if p.kind == "publication"}
    checked = [p for p in ours.passages if id(p) not in unverifiable]
    check = check_passages(checked, built, ours.base_url, pages=ours.page_urls)
    plain_files = set()
    if plain.ok:
        plain_files = {p.relative_to(plain.dest).as_posix() for p in Path(plain.dest).rglob("*.htm*")}
    by_plugins = [f for f in check.only_built if plain.ok and f not in plain_files and oracle is None]
    row.update(
        {
            "passages": check.passages,
            "found": check.found,
            "share": round(100 * check.share, 2),
            "unverifiable": len(unverifiable),
            "pages_jekyll": len([f for f in (built.rglob("*.htm*"))]),
            "pages_ours": len(set(ours.page_urls)),
            "only_jekyll": [f for f in check.only_built if f not in by_plugins],
            "only_jekyll_plugins": by_plugins,
            "only_ours": check.only_ours,
            "notes": ours.notes,
            "removed_plugins": build_info.get("removed_plugins", []),
            "rendered_without": left_out,
        }
    )
    if verbose:
        row["missing"] = {p.file: list(zip(p.missing, p.why, strict=True)) for p in check.pages if p.missing}
    return row


def _print(row: dict, verbose: bool) -> None:
    if "error" in row:
        print(f"{row['site']}: {row['error']}")
        return
    print(
        f"{row['site']}: {row['found']}/{row['passages']} passages stand on their page ({row['share']:.1f} %)"
        + (f", {row['unverifiable']} from plugins not run" if row["unverifiable"] else "")
        + f"; pages Jekyll {row['pages_jekyll']}, ours {row['pages_ours']};"
        f" only Jekyll {len(row['only_jekyll'])} (+{len(row['only_jekyll_plugins'])} made by plugins),"
        f" only ours {len(row['only_ours'])}"
    )
    if verbose:
        for key in ("only_jekyll", "only_jekyll_plugins", "only_ours"):
            if row[key]:
                print(f"  {key}: {', '.join(row[key][:30])}" + (" ..." if len(row[key]) > 30 else ""))
        for note in row["notes"]:
            print(f"  note: {note}")
        for file, texts in row.get("missing", {}).items():
            print(f"  {file}:")
            for text, why in texts[:8]:
                print("    - " + text.replace("\n", " / ")[:160])
                print("      " + why)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="*", help="site folders (default: every site in ../shared/sites)")
    parser.add_argument("--builds", default=str(BUILDS), help="where Jekyll's builds go (default: %(default)s)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="list the pages and passages that differ")
    args = parser.parse_args()
    folders = [Path(s) for s in args.sites] or sorted(p for p in SITES.iterdir() if p.is_dir())
    rows = []
    for folder in folders:
        row = measure(folder, Path(args.builds), args.verbose)
        _print(row, args.verbose)
        rows.append(row)
    total = sum(r.get("passages", 0) for r in rows)
    found = sum(r.get("found", 0) for r in rows)
    if total:
        print(f"all: {found}/{total} ({100 * found / total:.2f} %)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
