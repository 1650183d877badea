"""Cold start of the Lambda package, beside a bare Flask app packaged the same way.

    python benchmarks/lambda_cold_start.py [--site SITE | --index DIR] [--runs 5] [--question TEXT]

Builds both zips with `zappa package dev`, as a user does (the project's hooks index SITE,
leave out what serving does not need and compile the bytecode), from the virtualenv this
runs in, which must be the runtime's Python (3.11). Unpacks them and, in fresh `python -I -S`
processes that see only the package and the standard library (each with an empty temporary
folder, as a new Lambda sandbox has), measures the median time to import Zappa's handler, to
set up the app (for the assistant: open the index), and to answer the first question.
Prints the figures, the zip and unpacked sizes, and the assistant's total as a ratio to the
bare app's. Then the largest index one package holds: Lambda's 250 MiB unpacked limit less
the package without its index, divided by the bytes per passage measured on each site of
--capacity-site (indexed here) and each index of --capacity-index.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED") or REPO.parent / "shared")
LAMBDA_UNPACKED_MIB = 250  # AWS Lambda: a zip package's unpacked size, layers included
CAPACITY_SITES = ("ikim-website", "uni-leipzig-grammatik", "o2r-muenster", "bam-digimatchem")

BARE_APP = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/api/health")
def health():
    return jsonify(status="ok")


@app.route("/api/ask", methods=["GET", "POST"])
def ask():
    question = request.args.get("q") or (request.get_json(silent=True) or {}).get("question", "")
    return jsonify(question=question, abstained=True, passages=[])
"""


def ask_event(question: str) -> dict:
    headers = {"Host": "abc123.execute-api.eu-central-1.amazonaws.com", "X-Forwarded-Proto": "https"}
    return {
        "resource": "/{proxy+}",
        "path": "/api/ask",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {"q": question},
        "multiValueQueryStringParameters": {"q": [question]},
        "pathParameters": {"proxy": "api/ask"},
        "stageVariables": None,
        "requestContext": {"stage": "dev", "identity": {}},
        "body": None,
        "isBase64Encoded": False,
    }


def package(project: Path, out: Path, site: Path | None) -> Path:
    """`zappa package dev` in ``project``, from this virtualenv; the zip, unpacked beside it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ASSISTANT_"))}
    env.update(
        VIRTUAL_ENV=sys.prefix,
        PATH=f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        AWS_DEFAULT_REGION="eu-central-1",
    )
    if site:
        env["ASSISTANT_SITE"] = str(site)
    done = subprocess.run(
        [str(Path(sys.prefix) / "bin" / "zappa"), "package", "dev", "-o", str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"packaging {project} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    unpacked = out.with_suffix("")
    shutil.rmtree(unpacked, ignore_errors=True)
    with zipfile.ZipFile(out) as zf:
        zf.extractall(unpacked)
    return unpacked


def cold_start(pkg: Path, question: str) -> dict:
    python = getattr(sys, "_base_executable", sys.executable)
    with tempfile.TemporaryDirectory(prefix="sandbox-") as scratch:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": scratch, "LANG": "C.UTF-8"}
        done = subprocess.run(
            [python, "-I", "-S", str(REPO / "deploy" / "invoke_local.py"), str(pkg)],
            input=json.dumps(ask_event(question)),
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode:
        sys.exit(f"{pkg}: the handler failed\n{done.stderr[-3000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    result = lines[1]["result"]
    if result["statusCode"] != 200:
        sys.exit(f"{pkg}: status {result['statusCode']}: {result.get('body', '')[:500]}")
    return {"import": lines[0]["import_ms"], "setup": lines[0]["setup_ms"], "first": lines[1]["ms"]}


def sizes(zip_path: Path) -> tuple[float, float]:
    with zipfile.ZipFile(zip_path) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    return zip_path.stat().st_size / 2**20, unpacked / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SHARED / "sites" / "ikim-website")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="Who leads the institute?")
    parser.add_argument("--index", type=Path, help="a built index to ship instead of indexing --site")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "lambda" / "bench")
    parser.add_argument(
        "--capacity-site",
        type=Path,
        action="append",
        help=f"a site to measure bytes per passage on, repeatable (default: {', '.join(CAPACITY_SITES)})",
    )
    parser.add_argument("--capacity-index", type=Path, action="append", default=[], help="a built index, repeatable")
    args = parser.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    app, bare = args.work / "app", args.work / "bare"
    for name in ("assistant", "deploy"):
        shutil.copytree(REPO / name, app / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "deploy", bare / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("zappa_settings.json", "pyproject.toml"):
        shutil.copy(REPO / name, app)
    settings = json.loads((REPO / "zappa_settings.json").read_text())
    settings["dev"]["app_function"] = "bare_app.app"
    del settings["dev"]["prebuild_script"]  # it has no index to build
    (bare / "zappa_settings.json").write_text(json.dumps(settings, indent=2))
    (bare / "pyproject.toml").write_text('[project]\nname = "bare"\nversion = "0"\ndependencies = ["flask"]\n')
    (bare / "bare_app.py").write_text(BARE_APP)

    site = None
    if args.index:
        shutil.copytree(args.index, app / "index" / "site")
    else:
        site = args.site
    packages = {}
    for name, project in (("bare Flask", bare), ("assistant", app)):
        print(f"packaging {name} ...", file=sys.stderr)
        zip_path = args.work / f"{project.name}.zip"
        packages[name] = (zip_path, package(project, zip_path, site if project is app else None))
    index_mb = sum(p.stat().st_size for p in (app / "index" / "site").rglob("*") if p.is_file()) / 2**20

    # Interleaved, so that both packages see the same load on a shared machine.
    runs: dict[str, list[dict]] = {name: [] for name in packages}
    for _ in range(args.runs):
        for name, (_, pkg) in packages.items():
            runs[name].append(cold_start(pkg, args.question))
    rows = []
    for name, (zip_path, _) in packages.items():
        median = {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]}
        rows.append((name, median, *sizes(zip_path)))

    print(f"\nLambda cold start, median of {args.runs} fresh processes (python -I -S, package + stdlib only)")
    print(f"site: {args.index or args.site}  index: {index_mb:.1f} MiB  question: {args.question!r}\n")
    print(
        f"{'package':<12} {'import handler':>15} {'set up app':>11} {'first answer':>13} {'total':>8}"
        f" {'zip':>9} {'unpacked':>10}"
    )
    for name, m, zip_mb, unpacked_mb in rows:
        total = m["import"] + m["setup"] + m["first"]
        print(
            f"{name:<12} {m['import']:>12.1f} ms {m['setup']:>8.1f} ms {m['first']:>10.1f} ms"
            f" {total:>5.0f} ms {zip_mb:>5.1f} MiB {unpacked_mb:>6.1f} MiB"
        )
    (_, bare_m, *_), (_, app_m, *_) = rows
    bare_total, app_total = (sum(m.values()) for m in (bare_m, app_m))
    print(
        f"\nassistant / bare Flask, import to first answer: {app_total / bare_total:.2f}x "
        f"(target <= 1.2x: {'met' if app_total <= 1.2 * bare_total else 'NOT met'})"
    )
    code_mib = rows[1][3] - index_mb
    capacity(
        code_mib, args.capacity_site or [SHARED / "sites" / s for s in CAPACITY_SITES], args.capacity_index, args.work
    )
    return 0


def capacity(code_mib: float, sites: list[Path], indexes: list[Path], work: Path) -> None:
    """Passages one package can hold, from the bytes per passage each kind of site needs."""
    sys.path.insert(0, str(REPO))
    from assistant.build import index_site

    measured = []
    for site in sites:
        if not site.is_dir():
            print(f"(skipped {site}: not here)", file=sys.stderr)
            continue
        out = work / "capacity" / site.name
        index_site(site, out)
        indexes = [*indexes, out]
    for index in indexes:
        manifest = json.loads((index / "manifest.json").read_text())
        size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
        measured.append((index.name, manifest["counts"]["passages"], size))
    room = (LAMBDA_UNPACKED_MIB - code_mib) * 2**20
    print(f"\nLargest index in one package: {LAMBDA_UNPACKED_MIB} MiB unpacked less {code_mib:.1f} MiB of code")
    print(f"{'index':<28} {'passages':>9} {'bytes':>12} {'bytes/passage':>14} {'passages that fit':>18}")
    for name, passages, size in measured:
        per = size / passages
        print(f"{name:<28} {passages:>9,} {size:>12,} {per:>14,.0f} {int(room / per):>18,}")


if __name__ == "__main__":
    sys.exit(main())
