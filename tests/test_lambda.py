"""The AWS Lambda package, built with the real `zappa package` from a clean checkout and run offline.

The package is built as a Zappa user builds it: `zappa package production` in a copy of the
project's files with no index built beforehand, from this virtualenv (which also holds the test
and indexing tools; the package must hold only what serving needs). It is unpacked, and its
handler is called in a fresh interpreter that sees only the package and the standard library,
as Lambda's runtime does, on a read-only copy of the code where the machine allows one, with
API Gateway events of both payload formats (REST API v1, HTTP API v2). A second test runs it
under the AWS Lambda Runtime Interface Client against a Runtime API served on loopback.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import LONG_PATIENCE, PATIENCE

tomllib = pytest.importorskip("tomllib")
pytestmark = [pytest.mark.lambda_package, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
STAGE = "production"
RUNTIME = "python3.11"
# Lambda's python3.11 runs on Amazon Linux 2: glibc 2.26.
MAX_GLIBC = (2, 26)
INDEXING_ONLY = ("liquid", "frontmatter", "bibtexparser", "markdown_it", "mdit_py_plugins", "selectolax", "rank_bm25")
LEGACY_GLIBC = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def _base_python() -> str:
    """The interpreter without the virtualenv: its standard library and nothing else."""
    return getattr(sys, "_base_executable", sys.executable)


def _checkout(dest: Path) -> Path:
    """The project's files as a fresh clone has them: tracked and new files, nothing ignored (no index/, no build/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """`zappa package production` on a clean checkout, then the zip unpacked."""
    if sys.version_info[:2] != (3, 11):
        pytest.skip(f"zappa packages the virtualenv it runs in, and the stage runs {RUNTIME}")
    zappa = Path(sys.prefix) / "bin" / "zappa"
    if not zappa.exists() or shutil.which("git") is None:
        pytest.skip("packaging needs zappa in this virtualenv and git to list the project's files")
    root = tmp_path_factory.mktemp("lambda")
    project = _checkout(root / "clone")
    assert not (project / "index" / "corpus").exists()
    # An index built earlier for another site: packaging must ship only the one served.
    stale = project / "index" / "old-site"
    stale.mkdir(parents=True)
    (stale / "manifest.json").write_text("{}")
    (stale / "segment.idx").write_bytes(b"stale" * 100)
    (project / "tests" / "test_nothing.py").write_text("# must not be shipped\n")

    out = project / "build" / "assistant-production.zip"  # the path the README and docs/deploy.md name
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ASSISTANT_", "VIRTUAL_ENV"))}
    env.update(
        VIRTUAL_ENV=sys.prefix,
        PATH=f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        AWS_DEFAULT_REGION="eu-central-1",
    )
    done = subprocess.run(
        [str(zappa), "package", STAGE, "-o", str(out.relative_to(project))],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    unpacked = root / "pkg"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(unpacked)
    settings = json.loads((REPO / "zappa_settings.json").read_text())[STAGE]
    origin = settings["environment_variables"]["ASSISTANT_ALLOWED_ORIGINS"].split(",")[0]
    return {"zip": out, "dir": unpacked, "root": root, "origin": origin, "log": done.stdout + done.stderr}


def _requirement_name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)[0]).lower()


def _shipped_distributions(names: list[str]) -> set[str]:
    tops = {n.split("/")[0] for n in names}
    return {_requirement_name(t.removesuffix(".dist-info").rsplit("-", 1)[0]) for t in tops if t.endswith(".dist-info")}


def test_zappa_package_builds_the_served_index_itself_and_ships_only_that_one(built):
    assert "Index to ship: index/corpus/" in built["log"], built["log"][-3000:]
    names = zipfile.ZipFile(built["zip"]).namelist()
    assert "index/corpus/manifest.json" in names
    shipped = {n.split("/")[1] for n in names if n.startswith("index/")}
    assert shipped == {"corpus"}, f"index/ in the zip holds {sorted(shipped)}"


def test_zappa_package_warns_of_no_missing_manylinux_wheel(built):
    """Zappa looks for a manylinux wheel of every distribution; pure-Python ones need none."""
    assert "No manylinux wheel found" not in built["log"], built["log"][-3000:]


def test_the_zip_holds_the_app_the_index_and_only_serving_dependencies(built):
    names = zipfile.ZipFile(built["zip"]).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {"handler.py", "zappa_settings.py", "assistant", "index", "flask", "tantivy", "yaml"} <= tops
    assert "assistant/lambda_app.py" in names
    for unwanted in (
        *INDEXING_ONLY,
        "tests",
        "corpus",
        "docs",
        "benchmarks",
        "deploy",
        "eval",
        "pip",
        "setuptools",
        "troposphere",
        "playwright",
        "_pytest",
        "hypothesis",
        "numpy",
        ".git",
        ".venv",
        "build",
        "Makefile",
        "README.md",
        "zappa_settings.json",
        "pyproject.toml",
    ):
        assert unwanted not in tops, f"{unwanted} should not be shipped"

    size = built["zip"].stat().st_size
    unpacked = sum(i.file_size for i in zipfile.ZipFile(built["zip"]).infolist())
    assert size < 50 * 2**20, f"zip is {size / 2**20:.1f} MiB"
    assert unpacked < 250 * 2**20, f"unpacked package is {unpacked / 2**20:.1f} MiB"


def test_what_the_function_runs_is_pyprojects_dependency_set(built):
    """The Lambda requirements are pyproject.toml's dependencies, not a list typed again by hand."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    serving = {_requirement_name(r) for r in project["dependencies"]}
    extras_only = {_requirement_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    shipped = _shipped_distributions(zipfile.ZipFile(built["zip"]).namelist())
    assert serving <= shipped, f"serving dependencies missing from the package: {sorted(serving - shipped)}"
    leaked = (extras_only - serving - {"zappa"}) & shipped
    assert not leaked, f"shipped, though only an extra needs them: {sorted(leaked)}"


def _wheel_platforms(wheel_file: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in wheel_file.splitlines() if line.startswith("Tag:")]


def _glibc(platform: str) -> tuple[int, int] | None:
    for legacy, glibc in LEGACY_GLIBC.items():
        if platform.startswith(legacy + "_"):
            return glibc
    m = re.match(r"manylinux_(\d+)_(\d+)_", platform)
    return (int(m[1]), int(m[2])) if m else None


def test_every_extension_is_built_for_the_lambda_runtime(built):
    pkg: Path = built["dir"]
    extensions = sorted(pkg.rglob("*.so"))
    assert extensions, "tantivy and PyStemmer ship compiled extensions"
    for so in extensions:
        assert re.search(r"\.(cpython-311-x86_64-linux-gnu|abi3)\.so$", so.name), f"{so.relative_to(pkg)}"

    # Every distribution that ships an extension came from a wheel Lambda's glibc can load.
    owners = {}
    for record in pkg.glob("*.dist-info/RECORD"):
        for line in record.read_text().splitlines():
            path = line.split(",")[0]
            if path.endswith(".so"):
                owners[path] = record.parent
    for so in extensions:
        rel = so.relative_to(pkg).as_posix()
        assert rel in owners, f"{rel} belongs to no .dist-info"
        tags = _wheel_platforms((owners[rel] / "WHEEL").read_text())
        assert tags, f"{owners[rel].name}/WHEEL has no tags"
        ok = []
        for tag in tags:
            python, abi, platform = tag.split("-")
            glibc = _glibc(platform)
            ok.append(
                glibc is not None
                and glibc <= MAX_GLIBC
                and platform.endswith("_x86_64")
                and (python, abi)
                in {("cp311", "cp311"), ("cp311", "abi3")} | {(f"cp3{m}", "abi3") for m in range(2, 11)}
            )
        assert any(ok), f"{owners[rel].name}: {tags} cannot run on Lambda's {RUNTIME}"


def test_bytecode_is_valid_without_looking_at_the_sources(built):
    """Zappa dates files 1980; timestamp .pyc files would be stale and recompiled on every cold start."""
    pkg: Path = built["dir"]
    for module in ("handler", "assistant/lambda_app", "assistant/http", "flask/app", "werkzeug/routing/map"):
        source = pkg / f"{module}.py"
        pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-311.pyc"
        assert pyc.exists(), f"{pyc.relative_to(pkg)} missing"
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        assert flags == 0b01, f"{pyc.relative_to(pkg)} is not an unchecked-hash .pyc (flags {flags})"


HOST = "abc123.execute-api.eu-central-1.amazonaws.com"
JSON = {"Content-Type": "application/json"}


def _body(body: str | None, encoded: bool) -> str | None:
    return base64.b64encode(body.encode()).decode() if encoded and body is not None else body


def _event(
    method: str,
    path: str,
    *,
    query: dict | None = None,
    body: str | None = None,
    headers: dict | None = None,
    base64_body: bool = False,
) -> dict:
    """An API Gateway REST API (payload format 1.0) proxy event as Lambda hands it to the function."""
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
        "User-Agent": "pytest",
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "stage": STAGE,
            "identity": {"sourceIp": "203.0.113.9"},
            "path": f"/{STAGE}{path}",
        },
        "body": _body(body, base64_body),
        "isBase64Encoded": base64_body,
    }


def _event_v2(
    method: str,
    path: str,
    *,
    query: dict | None = None,
    body: str | None = None,
    headers: dict | None = None,
    base64_body: bool = False,
    stage: str = "$default",
) -> dict:
    """An API Gateway HTTP API (payload format 2.0) event: lower-case headers, raw path and query, cookies apart."""
    headers = {"host": HOST, "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9", "user-agent": "pytest"} | {
        k.lower(): v for k, v in (headers or {}).items()
    }
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": urlencode(query or {}),
        "cookies": ["visited=1"],
        "headers": headers,
        "queryStringParameters": query,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "abc123",
            "domainName": HOST,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "pytest",
            },
            "requestId": "req",
            "routeKey": "$default",
            "stage": stage,
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 1767225600000,
        },
        "body": _body(body, base64_body),
        "isBase64Encoded": base64_body,
    }


KEEP_WARM = {
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "time": "2026-01-01T00:00:00Z",
    "resources": [
        "arn:aws:events:eu-central-1:000000000000:rule/"
        f"institute-assistant-{STAGE}-zappa-keep-warm-handler.keep_warm_callback"
    ],
}


def _read_only(pkg: Path, cmd: list[str]) -> list[str]:
    """Run ``cmd`` with ``pkg`` mounted read-only, like /var/task, when this machine allows it."""
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True) if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        return cmd
    script = f'mount --bind "{pkg}" "{pkg}" && mount -o remount,bind,ro "{pkg}" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", *cmd]


def _leak(output: str) -> str:
    """Name the chain of imports by which serving code reached an indexing-only library, if it did."""
    missing = re.findall(r"No module named '([\w.]+)'", output)
    leaked = [m for m in missing if m.split(".")[0] in INDEXING_ONLY]
    if not leaked:
        return ""
    frames = re.findall(r'File "[^"]*?/(assistant/\w+\.py)", line (\d+)', output)
    chain = " -> ".join(f"{f}:{n}" for f, n in frames)
    return f"serving imports indexing-only {leaked[0]} ({chain}); the package leaves it out"


def _tree(folder: Path) -> dict[str, tuple[int, float]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime) for p in folder.rglob("*")}


BOARD = "Who sits on the board?"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def _events(origin: str) -> dict[str, dict]:
    asked = json.dumps({"question": BOARD})
    cors = {"Origin": origin}
    return {
        "health": _event("GET", "/api/health"),
        "get": _event("GET", "/api/ask", query={"q": BOARD}, headers=cors),
        "post": _event("POST", "/api/ask", body=asked, headers=JSON | cors),
        "post base64": _event("POST", "/api/ask", body=asked, headers=JSON | cors, base64_body=True),
        "preflight": _event("OPTIONS", "/api/ask", headers=cors | PREFLIGHT),
        "malformed": _event("POST", "/api/ask", body='{"question": ', headers=JSON),
        "widget": _event("GET", "/widget.js", headers={"Accept-Encoding": "gzip, deflate, br"}),
        "v2 get": _event_v2("GET", "/api/ask", query={"q": BOARD}, headers=cors),
        "v2 get on a named stage": _event_v2("GET", "/api/ask", query={"q": BOARD}, stage=STAGE),
        "v2 post": _event_v2("POST", "/api/ask", body=asked, headers=JSON | cors),
        "v2 post base64": _event_v2("POST", "/api/ask", body=asked, headers=JSON | cors, base64_body=True),
        "v2 health": _event_v2("GET", "/api/health"),
        "v2 preflight": _event_v2("OPTIONS", "/api/ask", headers=cors | PREFLIGHT),
        "v2 malformed": _event_v2("POST", "/api/ask", body="not json", headers=JSON, base64_body=True),
        "v2 widget": _event_v2("GET", "/widget.css", headers={"Accept-Encoding": "gzip"}),
        "keep warm": KEEP_WARM,
    }


@pytest.fixture(scope="module")
def invoked(built, tmp_path_factory) -> dict:
    """Every event through the package's handler, in one cold process that sees only the package."""
    pkg: Path = built["dir"]
    events = _events(built["origin"])
    # Revalidation: what a browser sends once it holds the widget. Its ETag comes from a first answer.
    first = _invoke(pkg, [events["widget"], events["v2 widget"]], tmp_path_factory.mktemp("warmup"))
    tags = [_headers(r["result"])["etag"] for r in first["results"]]
    events["widget again"] = _event("GET", "/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": tags[0]})
    events["v2 widget again"] = _event_v2("GET", "/widget.css", headers={"If-None-Match": tags[1]})

    before = _tree(pkg)
    done = _invoke(pkg, list(events.values()), tmp_path_factory.mktemp("sandbox"))
    assert _tree(pkg) == before, "the function wrote into its code folder"
    return done | {"results": dict(zip(events, [r["result"] for r in done["results"]], strict=True))}


def _invoke(pkg: Path, events: list[dict], scratch: Path) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "AWS_LAMBDA_FUNCTION_NAME": f"institute-assistant-{STAGE}",
    }
    cmd = [_base_python(), "-I", "-S", str(REPO / "deploy" / "invoke_local.py"), str(pkg)]
    done = subprocess.run(
        _read_only(pkg, cmd),
        input="\n".join(json.dumps(e) for e in events),
        env=env,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    assert done.returncode == 0, _leak(done.stderr) + done.stderr[-4000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(events) + 2, done.stdout[-2000:] + done.stderr[-2000:]
    last = lines[-1]
    return {"timing": lines[0], "results": lines[1:-1], "modules": last["modules"], "stderr": done.stderr} | {
        "patterns_compiled": last["patterns_compiled"]
    }


def _headers(result: dict) -> dict[str, str]:
    return {k.lower(): v for k, v in (result.get("headers") or {}).items()}


def _payload(result: dict) -> bytes:
    body = result.get("body") or ""
    return base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()


def _board_answer(result: dict, origin: str | None) -> None:
    assert result["statusCode"] == 200, result
    if origin:
        assert _headers(result)["access-control-allow-origin"] == origin
    answer = json.loads(_payload(result))
    assert answer["abstained"] is False and answer["passages"], answer
    assert any(p["url"].endswith("#board") for p in answer["passages"]), answer


@pytest.mark.parametrize("name", ["get", "post", "v2 get", "v2 get on a named stage", "v2 post"])
def test_a_question_is_answered_with_passages_through_rest_and_http_api_events(invoked, built, name):
    _board_answer(invoked["results"][name], None if "stage" in name else built["origin"])


@pytest.mark.parametrize("name", ["post base64", "v2 post base64"])
def test_a_base64_encoded_body_is_decoded_not_refused(invoked, built, name):
    _board_answer(invoked["results"][name], built["origin"])


@pytest.mark.parametrize("name", ["malformed", "v2 malformed"])
def test_a_malformed_body_gets_a_json_error(invoked, name):
    result = invoked["results"][name]
    assert result["statusCode"] == 400
    error = json.loads(_payload(result))["error"]
    assert error["code"] == "invalid_json" and error["message"]


@pytest.mark.parametrize("name", ["preflight", "v2 preflight"])
def test_cors_preflight_is_answered_for_the_sites_origin(invoked, built, name):
    result = invoked["results"][name]
    assert result["statusCode"] in (200, 204)
    assert _headers(result)["access-control-allow-origin"] == built["origin"]
    assert "POST" in _headers(result)["access-control-allow-methods"]


@pytest.mark.parametrize("name", ["health", "v2 health"])
def test_health_on_lambda_names_the_site_and_no_path(invoked, name):
    result = invoked["results"][name]
    assert result["statusCode"] == 200
    body = json.loads(_payload(result))
    assert body["status"] == "ok" and body["passages"] > 0 and body["site_name"]
    assert "meta" not in body and "/tmp" not in json.dumps(body) and "/work" not in json.dumps(body)


@pytest.mark.parametrize("name, file", [("widget", "widget.js"), ("v2 widget", "widget.css")])
def test_widget_files_leave_lambda_gzipped_as_base64_with_a_content_etag(invoked, name, file):
    result = invoked["results"][name]
    headers = _headers(result)
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is True, "API Gateway needs a compressed body base64-encoded"
    assert headers["content-encoding"] == "gzip"
    from assistant.web import widget_script  # widget.js is served with widget.css in it

    static = REPO / "assistant" / "static" / file
    assert gzip.decompress(_payload(result)) == (widget_script() if file == "widget.js" else static.read_bytes())
    assert "max-age=" in headers["cache-control"] and headers["etag"]


@pytest.mark.parametrize("name", ["widget again", "v2 widget again"])
def test_a_widget_file_the_browser_holds_is_answered_304(invoked, name):
    result = invoked["results"][name]
    assert result["statusCode"] == 304 and not result.get("body")
    assert _headers(result)["etag"]


def test_keep_warm_events_and_logs_of_a_cold_start(invoked):
    assert invoked["timing"]["import_ms"] > 0
    assert invoked["results"]["keep warm"] is None

    # One structured line per question, without the visitor's address.
    asked = [
        json.loads(line[line.index("{") :])
        for line in invoked["stderr"].splitlines()
        if '"event":"ask"' in line.replace(" ", "")
    ]
    assert len(asked) == 7, invoked["stderr"][-3000:]
    assert {"lang", "abstained", "urls", "latency_ms"} <= set(asked[0])
    assert any(url.endswith("#board") for url in asked[0]["urls"])
    assert "203.0.113.9" not in invoked["stderr"]

    leaked = sorted({m.split(".")[0] for m in invoked["modules"]} & set(INDEXING_ONLY))
    assert not leaked, f"serving imported indexing-only modules: {leaked}"
    # The glossary and scope come from the compiled copies the package ships: no YAML parser on a cold start.
    assert "yaml" not in invoked["modules"], "a cold start parsed YAML instead of reading the shipped copies"
    # and its regular expressions from the programs shipped beside the code
    assert invoked["patterns_compiled"] == 0


class _RuntimeAPI(BaseHTTPRequestHandler):
    """Lambda's Runtime API: hands out queued events and collects what the function answers."""

    def do_GET(self):  # noqa: N802
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self._send(404, b"{}")
        event = self.server.events.get()
        if event is None:  # no more work: leave the client waiting until it is stopped
            self.server.done.wait(PATIENCE)
            return
        request_id, payload = event
        self.send_response(200)
        for name, value in {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": "9999999999999",
            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-central-1:000000000000:function:institute-assistant-dev",
            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
            "Content-Type": "application/json",
        }.items():
            self.send_header(name, value)
        body = json.dumps(payload).encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.posts.append((self.path, body))
        self._send(202, b'{"status":"OK"}')
        if self.path.endswith(("/response", "/error")):
            self.server.answered.set()

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _runtime_folder(root: Path, dist: str) -> Path:
    """What Lambda keeps outside the function's code: the runtime client and what it needs."""
    folder = root / "runtime"
    folder.mkdir()
    todo, seen = [dist], set()
    while todo:
        name = todo.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        found = metadata.distribution(name)
        for file in found.files or ():
            source = Path(found.locate_file(file))
            target = folder / file
            if source.is_file() and ".dist-info" not in file.as_posix() and "__pycache__" not in file.parts:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source)
        for requirement in found.requires or ():
            if "extra ==" not in requirement:
                todo.append(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0])
    return folder


def test_runtime_interface_client_gets_an_answer_from_the_package(built, tmp_path):
    pytest.importorskip("awslambdaric")
    import queue

    server = ThreadingHTTPServer(("127.0.0.1", 0), _RuntimeAPI)
    server.events, server.posts = queue.Queue(), []
    server.answered, server.done = threading.Event(), threading.Event()
    server.events.put(("req-1", _event("GET", "/api/ask", query={"q": "Wer ist im Vorstand?"})))
    server.events.put(None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    pkg: Path = built["dir"]
    runtime = _runtime_folder(tmp_path, "awslambdaric")
    boot = (
        f"import sys; sys.path[:0] = [{str(pkg)!r}, {str(runtime)!r}]; "
        "from awslambdaric.__main__ import main; main(['awslambdaric', 'handler.lambda_handler'])"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TMPDIR": str(tmp_path),
        "LANG": "C.UTF-8",
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_port}",
        "LAMBDA_TASK_ROOT": str(pkg),
        "_HANDLER": "handler.lambda_handler",
        "AWS_LAMBDA_FUNCTION_NAME": f"institute-assistant-{STAGE}",
    }
    proc = subprocess.Popen(
        [_base_python(), "-I", "-S", "-c", boot],
        cwd=pkg,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answered = server.answered.wait(PATIENCE)
    finally:
        server.done.set()
        proc.kill()
        output = proc.communicate(timeout=PATIENCE)[0]
        server.shutdown()
        server.server_close()
    assert answered, output[-3000:]
    path, body = server.posts[-1]
    assert path == "/2018-06-01/runtime/invocation/req-1/response", (
        _leak(body.decode() + output),
        path,
        body[:2000],
        output[-2000:],
    )
    result = json.loads(body)
    assert result["statusCode"] == 200
    answer = json.loads(result["body"])
    assert answer["abstained"] is False and answer["lang"] == "de"
    assert any(p["url"].endswith("#board") for p in answer["passages"]), answer
