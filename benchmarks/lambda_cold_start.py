"""Cold start of the Lambda package, beside a bare Flask app packaged the same way.

    python benchmarks/lambda_cold_start.py [--site SITE] [--runs 5] [--question TEXT]

Indexes SITE with `assistant index`, builds both zips with deploy/package.sh,
unpacks them and, in fresh `python -I -S` processes that see only the package
and the standard library (each with an empty temporary folder, as a new Lambda
sandbox has), measures the median time to import zappa's handler, to set up the
app (for the assistant: open the index), and to answer the first question.
Prints the figures and the zip and unpacked sizes.
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


def package(project: Path, out: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VIRTUAL_ENV"))}
    if not (project / "index").exists():
        env["PACKAGE_WITHOUT_INDEX"] = "1"
    done = subprocess.run(
        ["bash", str(REPO / "deploy" / "package.sh"), "dev", str(out)],
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
    args = parser.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    app, bare = args.work / "app", args.work / "bare"
    shutil.copytree(REPO / "assistant", app / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
    for project in (app, bare):
        project.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "zappa_settings.json", project)
    settings = json.loads((bare / "zappa_settings.json").read_text())
    settings["dev"]["app_function"] = "bare_app.app"
    (bare / "zappa_settings.json").write_text(json.dumps(settings, indent=2))
    (bare / "bare_app.py").write_text(BARE_APP)

    if args.index:
        shutil.copytree(args.index, app / "index")
    else:
        print(f"indexing {args.site} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "assistant", "index", str(args.site), "--out", str(app / "index")],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    index_mb = sum(p.stat().st_size for p in (app / "index").rglob("*") if p.is_file()) / 2**20

    rows = []
    for name, project in (("bare Flask", bare), ("assistant", app)):
        print(f"packaging {name} ...", file=sys.stderr)
        zip_path = args.work / f"{project.name}.zip"
        pkg = package(project, zip_path)
        runs = [cold_start(pkg, args.question) for _ in range(args.runs)]
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
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
        "(target <= 1.5x, and under 500 ms: "
        f"{'met' if app_total <= 1.5 * bare_total and app_total < 500 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
