"""The visitor-facing part of the service: the chat widget, a demo page, feedback.

Registered by the app factory; the JSON question API itself lives in http.py.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .feedback import FeedbackError, log_event, validate_feedback

STATIC = Path(__file__).parent / "static"
MAX_FEEDBACK_BYTES = 16 * 1024
ASSET_MAX_AGE = 3600  # widget files change on deploy; an hour keeps embedding sites fast
# widget.js is served with widget.css in this slot: the launcher is styled without a second request.
STYLE_SLOT = b'/* widget.css */ ""'
SERVED_WITH = {"widget.js": ("widget.js", "widget.css")}  # a served file and the files it is made of

blueprint = Blueprint("web", __name__, template_folder="templates")

DEMO_TEXT = {
    "en": {
        "title": "Ask the institute website",
        "nav": ["Research", "People", "News", "Contact"],
        "lead": "This page shows the question assistant as visitors of the institute website see it. "
        "Open it with the button in the lower right corner, or press Tab until it has focus and press Enter.",
        "how_title": "How it answers",
        "how": "Every answer consists of passages quoted word for word from the website, each linked to the "
        "page where it stands, so you can read it in context. When the website does not say, "
        "the assistant says so instead of guessing.",
        "embed_title": "Adding it to a page",
        "embed": "One script tag is all a page needs:",
        "site": "Indexed website:",
        "footer": "Answers are quotations from the website; the website is the authority.",
        "other": ("Deutsch", "/de"),
    },
    "de": {
        "title": "Fragen an die Institutswebsite",
        "nav": ["Forschung", "Personen", "Neuigkeiten", "Kontakt"],
        "lead": "Diese Seite zeigt den Fragen-Assistenten so, wie Besucherinnen und Besucher der Institutswebsite "
        "ihn sehen. Öffnen Sie ihn mit der Schaltfläche unten rechts oder mit der Tabulatortaste und Enter.",
        "how_title": "Wie er antwortet",
        "how": "Jede Antwort besteht aus wörtlich zitierten Abschnitten der Website, jeweils mit einem Link auf die "
        "Seite, auf der sie stehen. Wenn die Website keine Auskunft gibt, sagt der Assistent das, statt zu raten.",
        "embed_title": "Einbinden",
        "embed": "Eine Seite braucht dafür nur ein Script-Tag:",
        "site": "Durchsuchte Website:",
        "footer": "Die Antworten sind Zitate der Website; maßgeblich ist die Website selbst.",
        "other": ("English", "/"),
    },
}


@dataclass(frozen=True)
class Asset:
    """A static file as served: its bytes, their gzip form, and a tag naming the content."""

    body: bytes
    gzipped: bytes
    etag: str  # of the content, so every server and every Lambda container gives the same one
    mimetype: str


def widget_script() -> bytes:
    """widget.js as served: widget.css stands in its style slot as a string literal, so one request
    brings the launcher and its look (the file itself, served elsewhere, links widget.css instead)."""
    path = STATIC / "widget.js"
    script = path.read_bytes()
    if script.count(STYLE_SLOT) != 1:
        lines = [n for n, line in enumerate(script.splitlines(), 1) if STYLE_SLOT in line]
        where = f"{path}:{lines[1]}" if len(lines) > 1 else str(path)
        raise RuntimeError(f"{where}: widget.js needs exactly one style slot {STYLE_SLOT.decode()}")
    style = json.dumps((STATIC / "widget.css").read_text(encoding="utf-8")).encode()
    return script.replace(STYLE_SLOT, style)


@functools.lru_cache(maxsize=8)
def _load_asset(name: str, mimetype: str, version: tuple[tuple[int, int], ...]) -> Asset:
    """Read and compress a widget file once per version: every page of the embedding site asks for it."""
    body = widget_script() if name == "widget.js" else (STATIC / name).read_bytes()
    gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(body, gzipped, hashlib.sha256(body).hexdigest()[:32], mimetype)


def _accepts_gzip() -> bool:
    accepted = request.accept_encodings
    return accepted["gzip"] > 0 if "gzip" in accepted else False


def _asset(name: str, mimetype: str) -> Response:
    """The file, gzipped when the client accepts it, with a content ETag that revalidates to 304.

    The two encodings are one content with two tags (``-gz`` marks the compressed one), and
    either tag in If-None-Match matches: a cache that holds one form is as fresh as the other.
    """
    stats = [(STATIC / part).stat() for part in SERVED_WITH.get(name, (name,))]
    version = tuple((stat.st_mtime_ns, stat.st_size) for stat in stats)
    asset = _load_asset(name, mimetype, version)  # an edited file is read again
    gzipped = _accepts_gzip()
    etag = f"{asset.etag}-gz" if gzipped else asset.etag
    if request.if_none_match.contains_weak(asset.etag) or request.if_none_match.contains_weak(f"{asset.etag}-gz"):
        response = Response(status=304)
    else:
        response = Response(asset.gzipped if gzipped else asset.body, mimetype=mimetype)
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    # Embedding sites may isolate themselves (COEP); the widget must still load there.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/widget.js")
def widget_js() -> Response:
    return _asset("widget.js", "text/javascript")


@blueprint.get("/widget.css")
def widget_css() -> Response:
    return _asset("widget.css", "text/css")


@blueprint.get("/demo.css")
def demo_css() -> Response:
    return _asset("demo.css", "text/css")


@blueprint.get("/favicon.svg")
def favicon() -> Response:
    return _asset("favicon.svg", "image/svg+xml")


def _demo(lang: str) -> Response:
    origin = request.host_url.rstrip("/")
    html = render_template(
        "demo.html",
        lang=lang,
        t=DEMO_TEXT[lang],
        site_url=current_app.config.get("SITE_URL") or "",
        contact_url=current_app.config.get("CONTACT_URL") or "",
        snippet=f'<script src="{origin}/widget.js" data-api="{origin}" defer></script>',
    )
    response = Response(html, mimetype="text/html")
    # The policy a careful site sends: the widget must run under it (no inline style, script or handler).
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {origin}; style-src 'self' {origin}; connect-src {origin}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/")
def demo() -> Response:
    lang = "de" if request.args.get("lang", "").lower().startswith("de") else "en"
    return _demo(lang)


@blueprint.get("/de")
def demo_de() -> Response:
    return _demo("de")


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


@blueprint.post("/api/feedback")
def feedback() -> Response | tuple[Response, int]:
    """Store one helpful/not-helpful vote; nothing about the visitor is kept."""
    if (request.content_length or 0) > MAX_FEEDBACK_BYTES:
        return _error(413, "too_large", f"feedback bodies are limited to {MAX_FEEDBACK_BYTES} bytes")
    if request.mimetype != "application/json":  # a form or text/plain post needs no CORS preflight: any site could
        return _error(415, "unsupported_media_type", "send feedback as JSON (Content-Type: application/json)")
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # a body nested thousands deep is no vote
        return _error(400, "bad_request", "expected a JSON object")
    try:
        fields = validate_feedback(body, current_app.config.get("SITE_URL"))
    except FeedbackError as exc:
        return _error(400, "bad_request", str(exc))
    log_event("feedback", **fields)
    return Response(status=204)
