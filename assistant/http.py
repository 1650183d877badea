"""The HTTP API: `create_app()` returns a Flask app that answers from an opened index.

    POST /api/ask      {"question": "...", "history": ["earlier question", ...], "lang": "de"}
    GET  /api/ask?q=...
    GET  /api/health   index statistics
    GET  /api/openapi.json

Every error is JSON, {"error": {"code": ..., "message": ...}}, in the right 4xx
status, and never carries a stack trace or a path of this machine. The served
index is swapped for a new one when its folder changes (checked on request at
most every RELOAD_SECONDS, or at once on SIGHUP); an index that fails to open
is logged and the old one keeps answering.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from .answer import Assistant, answer_to_json
from .feedback import log_event
from .guide import offers
from .openapi import openapi_document
from .ratelimit import RateLimiter, parse_rate
from .settings import DEFAULT_RATE_LIMIT, RELOAD_SECONDS, Settings
from .text import site_url_problem, visible

MAX_QUESTION_CHARS = 1000
MAX_HISTORY_ITEMS = 20
MAX_BODY_BYTES = 32 * 1024
MAX_QUERY_BYTES = MAX_BODY_BYTES  # a GET carries no more than a POST may
LANGS = ("en", "de")
LOOPBACK = ("127.", "::1", "::ffff:127.")
UNLIMITED_PATHS = ("/api/health", "/api/openapi.json")

log = logging.getLogger("assistant.http")


class EngineFailure(Exception):
    """The search engine failed in a way Python does not call an error: a Rust panic in tantivy is raised
    as pyo3's PanicException, a BaseException, which Flask's handlers (and so the JSON 500) never see."""


class App(Flask):
    """Flask, with an engine panic while answering turned into an error its handlers answer as JSON."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            return super().dispatch_request()
        except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as panic:  # the connection used to drop with no answer (HTTP 000)
            raise EngineFailure(f"{type(panic).__name__}: {panic}") from panic


class ApiError(Exception):
    """A request the API refuses, with the status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


BUNDLED_INDEX = Path(__file__).resolve().parent.parent / "index" / "corpus"


class IndexReloader:
    """The Assistant being served, replaced when the index folder holds a new index.

    The manifest is written last and swapped in with the folder, so a change of
    its inode, size or mtime means a new index. A new index that fails to open
    is logged (once per version) and retried on later checks; until one opens,
    the old index keeps answering.
    """

    def __init__(self, index_dir: Path, assistant: Assistant, interval: float = RELOAD_SECONDS) -> None:
        self.index_dir = index_dir
        self.current = assistant
        self.interval = interval
        self.loaded = _manifest_signature(index_dir)
        self.reloads = 0
        self.last_error: str | None = None
        self._next_check = time.monotonic() + interval
        self._requested = threading.Event()
        self._lock = threading.Lock()

    def request_check(self, *_: object) -> None:
        """Check on the next request, whatever the interval (the SIGHUP handler)."""
        self._requested.set()

    def get(self) -> Assistant:
        now = time.monotonic()
        due = self._requested.is_set() or (self.interval > 0 and now >= self._next_check)
        if due and self._lock.acquire(blocking=False):  # one request checks; the others go on answering
            try:
                self._requested.clear()
                self._next_check = now + self.interval
                self._check()
            finally:
                self._lock.release()
        return self.current

    def _check(self) -> None:
        signature = _manifest_signature(self.index_dir)
        if signature == self.loaded:
            return
        try:
            assistant = Assistant.open(self.index_dir)
        except Exception as err:  # IndexLoadError, or anything a half-copied folder provokes
            message = str(err) or type(err).__name__
            if message != self.last_error:
                log.error("new index not loaded, still answering from the previous one: %s", message)
            self.last_error = message
            return
        self.current, self.loaded, self.last_error = assistant, signature, None
        self.reloads += 1
        stats = assistant.index.stats()
        log.warning(
            "index reloaded from %s: %s passages, built %s", self.index_dir, stats["passages"], stats["built_at"]
        )


def _manifest_signature(index_dir: Path) -> tuple | None:
    try:
        st = (index_dir / "manifest.json").stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def create_app(
    index_dir: Path | str | None = None,
    *,
    settings: Settings | None = None,
    config: dict | None = None,
    assistant: Assistant | None = None,
) -> Flask:
    """Open the index once and serve it.

    `settings` defaults to `Settings.from_env()`; `config` overrides single Flask config keys
    (SITE_URL, ALLOWED_ORIGINS, FEEDBACK_LOG, RATE_LIMIT, ...), as tests and embedding apps need.
    """
    settings = settings or Settings.from_env()
    app = App(__name__)
    app.url_map.merge_slashes = False  # "/api//ask" is no address of the API, not a redirect to an HTML page
    index_dir = Path(index_dir) if index_dir else settings.index or BUNDLED_INDEX
    assistant = assistant or Assistant.open(index_dir)
    manifest = assistant.index.manifest or {}
    site_url = (config or {}).get("SITE_URL") or settings.site_url or (manifest.get("meta") or {}).get("site_url") or ""
    if site_url and site_url_problem(str(site_url)):  # an index built before URLs were checked
        log.error("the site URL %r %s; the demo page links to no site", site_url, site_url_problem(str(site_url)))
        site_url = ""
    origins = (config or {}).get("ALLOWED_ORIGINS")
    if origins is None:
        origins = settings.allowed_origins or [o for o in [_origin(site_url)] if o]
    app.config.update(
        INDEX_DIR=str(index_dir),
        SITE_URL=site_url,
        ALLOWED_ORIGINS=list(origins),
        CONTACT_URL=settings.contact_url,
        FEEDBACK_LOG=str(settings.feedback_log) if settings.feedback_log else None,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
        RATE_LIMIT=settings.rate_limit,
        RELOAD_SECONDS=settings.reload_seconds,
    )
    app.config.update(config or {})
    app.extensions["assistant"] = assistant
    app.extensions["assistant_reloader"] = IndexReloader(index_dir, assistant, float(app.config["RELOAD_SECONDS"]))
    set_rate_limit(app, app.config["RATE_LIMIT"])
    logging.getLogger("assistant").setLevel(settings.log_level)

    from .web import blueprint

    app.register_blueprint(blueprint)
    _register_api(app)
    return app


def set_rate_limit(app: Flask, spec: str | None, clock: Callable[[], float] = time.monotonic) -> None:
    """Limit each client (by remote address) to `spec`, e.g. "60/minute"; None or "off" for no limit."""
    try:
        rate = parse_rate(spec)
    except ValueError as err:
        raise ValueError(f"RATE_LIMIT / {Settings.variable('rate_limit')}: {err}") from None
    app.config["RATE_LIMIT"] = spec
    app.extensions["assistant_ratelimit"] = RateLimiter(rate, clock=clock) if rate else None


def _assistant() -> Assistant:
    reloader: IndexReloader = current_app.extensions["assistant_reloader"]
    assistant = reloader.get()
    current_app.extensions["assistant"] = assistant
    return assistant


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _read_request() -> tuple[str, list[str], str | None]:
    question: object
    history: object
    lang: object
    if request.method in ("GET", "HEAD"):
        if len(request.query_string) > MAX_QUERY_BYTES:
            raise ApiError(
                414,
                "query_too_long",
                f"The query string is longer than {MAX_QUERY_BYTES} bytes; send long questions and history by POST.",
            )
        question = request.args.get("q", request.args.get("question", ""))
        history = request.args.getlist("history")
        lang = request.args.get("lang")
    else:
        if request.content_length and request.content_length > MAX_BODY_BYTES:
            raise ApiError(413, "body_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")
        if not (request.mimetype or "").endswith("json"):
            raise ApiError(415, "unsupported_media_type", "Send the question as JSON (Content-Type: application/json).")
        try:  # parsed here, not by get_json: JSON `null` is not "invalid", and deep nesting must not recurse out
            body = json.loads(request.get_data(cache=True))
        except (ValueError, RecursionError):
            raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_request", "The request body must be a JSON object.")
        question = body.get("question", body.get("q"))
        history = body.get("history")
        history = [] if history is None else history
        lang = body.get("lang")
    if not isinstance(question, str):
        raise ApiError(400, "missing_question", 'Give a question as a string in "question".')
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(413, "question_too_long", f"Questions may be at most {MAX_QUESTION_CHARS} characters long.")
    if not question.strip():
        raise ApiError(400, "empty_question", "The question is empty.")
    question = visible(question) or question.strip()
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise ApiError(400, "invalid_history", '"history" must be a list of earlier questions (strings).')
    if len(history) > MAX_HISTORY_ITEMS or any(len(h) > MAX_QUESTION_CHARS for h in history):
        raise ApiError(
            413,
            "history_too_long",
            f"Send at most {MAX_HISTORY_ITEMS} earlier questions of at most {MAX_QUESTION_CHARS} characters.",
        )
    if lang is not None and (not isinstance(lang, str) or lang not in LANGS):
        raise ApiError(400, "invalid_lang", f'"lang" must be one of {", ".join(LANGS)}.')
    history = [visible(h) for h in history]
    return question, [h for h in history if h], lang


def _register_api(app: Flask) -> None:
    @app.route("/api/ask", methods=["GET", "POST"])
    def ask() -> Response:
        question, history, lang = _read_request()
        started = time.perf_counter()
        result = _assistant().respond(question, history, lang)
        payload = answer_to_json(result)
        latency = (time.perf_counter() - started) * 1000.0
        log_event(
            "ask",
            question=question,
            lang=result.lang,
            abstained=result.abstained,
            urls=[p["url"] for p in payload["passages"][:3]],
            latency_ms=round(latency, 2),
            follow_up=bool(history),
        )
        return jsonify(payload)

    @app.get("/api/openapi.json")
    def openapi() -> Response:
        return jsonify(
            openapi_document(
                max_question=MAX_QUESTION_CHARS,
                max_history=MAX_HISTORY_ITEMS,
                max_body=MAX_BODY_BYTES,
                site_url=current_app.config.get("SITE_URL") or "",
            )
        )

    @app.before_request
    def rate_limit() -> Response | None:
        limiter: RateLimiter | None = current_app.extensions.get("assistant_ratelimit")
        if (
            limiter is None
            or not request.path.startswith("/api/")
            or request.path in UNLIMITED_PATHS
            or request.method == "OPTIONS"
        ):
            return None
        client = request.remote_addr or "-"
        if current_app.config.get("RATE_LIMIT_SPARES_LOOPBACK") and client.startswith(LOOPBACK):
            return None  # the default limit is for visitors, not for tools on this machine
        wait = limiter.acquire(client)
        if not wait:
            return None
        response = _error(
            429,
            "too_many_requests",
            f"Too many questions in a short time (limit {current_app.config['RATE_LIMIT']}); "
            f"please wait {limiter.retry_after(wait)} s.",
        )
        response.headers["Retry-After"] = str(limiter.retry_after(wait))
        return response

    @app.get("/api/health")
    def health() -> Response:
        """The index's statistics, the site's name and URL, its contact and suggested questions; no path."""
        assistant = _assistant()
        guide = offers(assistant, current_app.config.get("CONTACT_URL"))
        stats = assistant.index.stats()
        meta = stats.pop("meta", None) or {}
        return jsonify(
            stats
            | {
                "status": "ok",
                "site_name": meta.get("site_name") or None,
                "site_url": current_app.config["SITE_URL"],
                "contact_url": current_app.config.get("CONTACT_URL") or next(iter(guide["contacts"].values()), None),
            }
            | guide
        )

    @app.errorhandler(ApiError)
    def api_error(err: ApiError) -> Response:
        return _error(err.status, err.code, err.message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        codes = {
            400: "bad_request",
            404: "not_found",
            405: "method_not_allowed",
            413: "body_too_large",
            415: "unsupported_media_type",
            429: "too_many_requests",
        }
        messages = {
            404: "There is nothing at this address.",
            405: "This method is not allowed here.",
            413: f"The request body is larger than {MAX_BODY_BYTES} bytes.",
        }
        code = err.code or 500
        response = _error(code, codes.get(code, "error"), messages.get(code, err.description or "Request refused."))
        for name, value in err.get_headers():
            if name.lower() in ("allow", "retry-after"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Response:
        log.exception("unexpected error while answering %s %s", request.method, request.path)
        return _error(500, "internal_error", "Something went wrong on our side; please try again later.")

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        origin = request.headers.get("Origin")
        if origin and request.path.startswith("/api/") and origin in current_app.config["ALLOWED_ORIGINS"]:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        if request.path.startswith("/api/"):
            response.vary.add("Origin")
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def use_default_rate_limit(app: Flask, clock: Callable[[], float] = time.monotonic) -> None:
    """Limit visitors to DEFAULT_RATE_LIMIT unless a limit (or "off") was configured.

    Clients on this machine (evaluation scripts, a reverse proxy's health checks) are spared
    by the default; a limit set explicitly applies to every client.
    """
    if app.config.get("RATE_LIMIT") is None:
        set_rate_limit(app, DEFAULT_RATE_LIMIT, clock)
        app.config["RATE_LIMIT_SPARES_LOOPBACK"] = True


def default_workers() -> int:
    """One serving process per CPU this process may run on: answering holds the GIL, so threads cannot share cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def listen(app: Flask, host: str = "127.0.0.1", port: int = 8000, workers: int = 1):
    """Bind `host:port` for the long-running local server and return it; `.run()` serves.

    Binding comes first, so a port in use is an OSError before anything says it is serving.
    This server limits each client to DEFAULT_RATE_LIMIT unless a limit (or "off") was
    configured, and reloads the index on SIGHUP. With ``workers`` > 1, `.run()` forks that
    many processes after the app and its index are open (they share the memory-mapped index
    and the imported code) and each serves the one listening socket with waitress.
    """
    from .server import create

    use_default_rate_limit(app)
    if workers <= 1:
        server = create(app, host, port, max_body=MAX_BODY_BYTES)
        if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, app.extensions["assistant_reloader"].request_check)
        return server
    return _Workers(app, _bind(host, port), workers)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class _Workers:
    """Several waitress processes on one listening socket; a worker that dies is replaced."""

    def __init__(self, app: Flask, sock: socket.socket, workers: int) -> None:
        from .server import Balance

        self.app, self.socket, self.workers = app, sock, workers
        self.effective_port = sock.getsockname()[1]
        self.children: dict[int, int] = {}  # pid -> its slot in the balance
        self.balance = Balance(workers)
        self._stopping = False

    def _spawn(self, slot: int) -> None:
        self.balance.count(slot, 0)
        pid = os.fork()
        if pid:
            self.children[pid] = slot
            return
        code = 0
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGHUP, self.app.extensions["assistant_reloader"].request_check)
            from .server import create

            create(self.app, sock=self.socket, max_body=MAX_BODY_BYTES, balance=(self.balance, slot)).run()
        except BaseException:  # noqa: B036 - a worker leaves by os._exit, never back into the parent's code
            log.exception("serving process failed")
            code = 1
        finally:
            os._exit(code)

    def _signal_children(self, sig: int) -> None:
        for pid in list(self.children):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                self.children.pop(pid, None)

    def _stop(self, *_: object) -> None:
        self._stopping = True
        self._signal_children(signal.SIGTERM)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGHUP, lambda *_: self._signal_children(signal.SIGHUP))
        for slot in range(self.workers):
            self._spawn(slot)
        try:
            while self.children:
                try:
                    pid, _status = os.wait()
                except ChildProcessError:
                    break
                except KeyboardInterrupt:
                    self._stop()
                    continue
                if pid not in self.children:
                    continue
                slot = self.children.pop(pid)
                self.balance.count(slot, self.balance.GONE)  # its connections went with it
                if not self._stopping:
                    log.error("serving process %s ended; starting another", pid)
                    self._spawn(slot)
        finally:
            self._stop()
            self.socket.close()


def run(app: Flask, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve `app` with waitress until interrupted."""
    listen(app, host, port, workers).run()
