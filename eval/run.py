#!/usr/bin/env python3
"""Index every site of eval/sites.yaml, serve it, score its questions, report per site and class.

    python eval/run.py                       # every site
    python eval/run.py --sites bam-digimatchem luecken-lab-helmholtz --verbose
    python eval/run.py --reuse               # keep indexes built by an earlier run

Each site is indexed with `assistant index`, served with `assistant serve` on a free port,
and scored over HTTP by ../shared/eval/evaluate.py's own rules, so the figures are those
the service gets when it is judged. Sites come from ../shared/sites (``source: shared``)
or from a fetched repository exported to ../eval-sites/NAME (``repository:`` and ``commit:``;
the folder is set by ASSISTANT_EVAL_SITES). A site whose copy is missing is skipped with
a note saying where to put it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED") or ROOT.parent / "shared")
EVAL_SITES = Path(os.environ.get("ASSISTANT_EVAL_SITES") or ROOT.parent / "eval-sites")
SITES_FILE = ROOT / "eval" / "sites.yaml"


@dataclass
class Site:
    name: str
    lang: str
    questions: Path
    source: Path
    developed_on: bool = False


@dataclass
class Verdict:
    site: str
    item: dict[str, Any]
    ok: bool
    why: str
    cross_language: bool
    classes: list[str] = field(default_factory=list)


def load_sites(path: Path = SITES_FILE) -> list[Site]:
    """The sites of the evaluation with where their copies are on this machine."""
    sites = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        name = entry["name"]
        subdir = entry.get("subdir") or ""
        if entry.get("source") == "shared":
            base = SHARED / "sites" / name
        elif entry.get("source") == "project":
            base = ROOT
        else:
            base = EVAL_SITES / name
        sites.append(
            Site(
                name=name,
                lang=entry["lang"],
                questions=ROOT / entry["questions"],
                source=base / subdir if subdir else base,
                developed_on=bool(entry.get("developed_on")),
            )
        )
    return sites


def _evaluate_module() -> ModuleType:
    """../shared/eval/evaluate.py, whose judge() decides what counts."""
    path = SHARED / "eval" / "evaluate.py"
    spec = importlib.util.spec_from_file_location("shared_evaluate", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot load the evaluation script")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _assistant() -> list[str]:
    return [sys.executable, "-m", "assistant"]


def build_index(site: Site, out: Path, reuse: bool) -> str | None:
    """Index the site into ``out``; the error text when indexing failed."""
    if reuse and (out / "manifest.json").is_file():
        return None
    proc = subprocess.run(
        [*_assistant(), "index", str(site.source), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode not in (0, 1) or not (out / "manifest.json").is_file():
        return (proc.stderr or proc.stdout).strip()[-2000:]
    return None


class Server:
    """`assistant serve` on a free port of this machine, stopped on exit."""

    def __init__(self, index: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [*_assistant(), "serve", "--index", str(index), "--port", str(self.port)],
            stdout=self.log,
            stderr=self.log,
            cwd=ROOT,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start within 120 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def score_site(site: Site, url: str, evaluate: ModuleType) -> list[Verdict]:
    items = yaml.safe_load(site.questions.read_text(encoding="utf-8")) or []
    verdicts = []
    for item in items:
        status, data, _ = evaluate.ask(url, item["question"], item.get("history") or [], 30.0)
        judged = evaluate.judge(item, status, data)
        cross = item.get("lang") != site.lang
        classes = [f"kind {item.get('kind')}", "cross-language" if cross else "same language"]
        if item.get("history"):
            classes.append("with history")
        verdicts.append(Verdict(site.name, item, bool(judged["ok"]), judged.get("why", ""), cross, classes))
    return verdicts


def _rate(rows: list[Verdict]) -> str:
    ok = sum(v.ok for v in rows)
    return f"{ok}/{len(rows)} ({100 * ok / len(rows):.0f} %)" if rows else "-"


def report(verdicts: list[Verdict], sites: list[Site]) -> str:
    lines = []
    developed = {s.name for s in sites if s.developed_on}
    by_site: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        by_site[v.site].append(v)
    width = max((len(n) for n in by_site), default=4)
    lines.append(f"{'site':{width}}  score           cross-language  follow-ups     out of scope")
    for name, rows in by_site.items():
        mark = " *" if name in developed else ""
        lines.append(
            f"{name:{width}}  {_rate(rows):15} {_rate([v for v in rows if v.cross_language]):15} "
            f"{_rate([v for v in rows if v.item.get('history')]):14} "
            f"{_rate([v for v in rows if v.item.get('kind') == 'out_of_scope'])}{mark}"
        )
    fresh = [v for v in verdicts if v.site not in developed]
    for label, rows in (("all sites", verdicts), ("sites not developed on", fresh)):
        if not rows:
            continue
        lines.append("")
        lines.append(f"{label}: {_rate(rows)}")
        classes: dict[str, list[Verdict]] = defaultdict(list)
        for v in rows:
            for c in v.classes:
                classes[c].append(v)
        for c in sorted(classes):
            lines.append(f"  {c:20} {_rate(classes[c])}")
    if developed:
        lines.append("")
        lines.append("* the engine was developed on this set")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sites", nargs="+", help="only these sites (names from eval/sites.yaml)")
    ap.add_argument("--reuse", action="store_true", help="keep indexes an earlier run built")
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "assistant-eval"), help="where indexes go")
    ap.add_argument("--verbose", action="store_true", help="print each miss")
    ap.add_argument("--json", help="write every verdict to this file")
    args = ap.parse_args(argv)

    evaluate = _evaluate_module()
    sites = [s for s in load_sites() if not args.sites or s.name in args.sites]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    verdicts: list[Verdict] = []
    for site in sites:
        if not site.source.is_dir():
            print(f"skipped {site.name}: no copy at {site.source}", file=sys.stderr)
            continue
        index = work / site.name
        error = build_index(site, index, args.reuse)
        if error:
            print(f"skipped {site.name}: indexing failed: {error}", file=sys.stderr)
            continue
        with Server(index) as server:
            found = score_site(site, server.url, evaluate)
        verdicts.extend(found)
        if args.verbose:
            for v in found:
                if not v.ok:
                    item = v.item
                    history = f" (after {item['history']!r})" if item.get("history") else ""
                    print(
                        f"MISS {item.get('id')} [{item.get('lang')}/{item.get('kind')}] "
                        f"{item['question']!r}{history}: {v.why}",
                        file=sys.stderr,
                    )
        print(f"{site.name}: {_rate(found)}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [{"site": v.site, "id": v.item.get("id"), "ok": v.ok, "why": v.why} for v in verdicts],
                indent=1,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    print(report(verdicts, sites))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
