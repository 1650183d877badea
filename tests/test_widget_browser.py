"""The chat widget in a real Chromium, against a real `assistant serve` on loopback.

A tiny Jekyll site is written, indexed with `assistant index` and served with
`assistant serve`; the browser uses the demo page exactly as a visitor would.
Requests to the fixture site's host are answered by a small page; any other
host is refused, so a request to a third party fails the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The indexed site's address. Its pages are served by a route in the browser, never
# by the network. It is a loopback name because Chromium lets only loopback pages
# load the widget from the loopback test server (Local Network Access); in
# production both are public hosts.
SITE_URL = f"http://localhost:{free_port()}"
CONTACT_URL = SITE_URL + "/contact/"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PROJECT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]

SITE = {
    "_config.yml": f'title: Institute for Tidal Studies\nurl: "{SITE_URL}"\n',
    "index.md": "---\ntitle: Welcome\n---\n"
    "The Institute for Tidal Studies researches coastal tides and the ecology of mudflats.\n",
    "about/index.md": "---\ntitle: About us\n---\n"
    "## Board\n\n"
    "The board of the institute consists of Ada Lovelace (chair), Grace Hopper and Emmy Noether.\n\n"
    "## Meetings\n\n"
    "The board meets twice a year, in spring and in autumn, at the harbour office.\n\n"
    "## Funding\n\n"
    "The institute is funded by the federal state and by research grants.\n",
    "notes.md": "---\ntitle: Sanitizer notes\n---\n"
    "The sanitizer sample `<img src=x onerror=alert(1)>` must always appear as plain text.\n",
}


class Server:
    """`assistant serve` in a subprocess; can be stopped and started again on the same port."""

    def __init__(self, index: Path, log: Path) -> None:
        self.index, self.log, self.port = index, log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(
            os.environ, ASSISTANT_FEEDBACK_LOG=str(self.log), ASSISTANT_CONTACT_URL=CONTACT_URL, PYTHONUNBUFFERED="1"
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assistant",
                "serve",
                "--index",
                str(self.index),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"assistant serve exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("assistant serve did not answer /api/health within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    for name, text in SITE.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("index")
    subprocess.run(
        [sys.executable, "-m", "assistant", "index", str(site), "--out", str(out), "--url", SITE_URL],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    srv = Server(index_dir, tmp_path_factory.mktemp("logs") / "events.jsonl")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A fresh browser context: what was asked, what left loopback, what dialogs popped up."""

    def __init__(self, browser, server: Server, **context_args) -> None:
        self.context = browser.new_context(permissions=["local-network-access"], **context_args)
        self.asked: list[dict] = []
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console_errors: list[str] = []  # e.g. a Content-Security-Policy violation
        self.context.route("**/*", self._route)
        self.page = self.new_page()
        self.server = server

    def new_page(self):
        page = self.context.new_page()
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("request", self._record)
        return page

    def _record(self, request) -> None:
        if request.url.split("?")[0].endswith("/api/ask") and request.method == "POST":
            self.asked.append(json.loads(request.post_data or "{}"))

    def _route(self, route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname == "127.0.0.1":
            route.continue_()
        elif f"{url.scheme}://{url.netloc}" == SITE_URL:
            # The indexed site: a small page that embeds the widget from the assistant's origin.
            route.fulfill(
                content_type="text/html",
                body=(
                    f'<!doctype html><html lang="en"><head><title>Site page</title></head><body>'
                    f"<h1>A page of the institute site</h1><p>{url.path}</p>"
                    f'<script src="{self.server.url}/widget.js" data-api="{self.server.url}" defer></script>'
                    f"</body></html>"
                ),
            )
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server):
    v = Visit(browser, server, viewport={"width": 1280, "height": 800})
    yield v
    assert not v.foreign, f"the widget contacted third parties: {v.foreign}"
    assert not v.errors, f"script errors: {v.errors}"
    assert not v.console_errors, f"console errors: {v.console_errors}"
    v.close()


def focused(page) -> str:
    """Class (or tag) of the focused element, looking into the widget's shadow root."""
    return page.evaluate("""() => {
        const a = document.activeElement;
        if (a && a.shadowRoot) { const f = a.shadowRoot.activeElement; return f ? (f.className || f.tagName) : 'host'; }
        return a ? a.tagName : '';
    }""")


def open_by_keyboard(page) -> None:
    page.locator(".ia-launcher").wait_for()
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page) == "ia-launcher":
            break
    else:
        raise AssertionError("Tab never reached the launcher")
    page.keyboard.press("Enter")


def ask(page, question: str):
    """Type a question, press Enter, return the newest answer once it is there."""
    before = page.locator(".ia-bot:not(.ia-typing)").count()
    page.locator(".ia-input").fill(question)
    page.locator(".ia-input").press("Enter")
    answer = page.locator(".ia-bot:not(.ia-typing)").nth(before)
    answer.wait_for(timeout=20000)
    return answer


def test_keyboard_question_quotes_highlights_follow_up_and_source_link(visit, server):
    page = visit.page
    page.goto(server.url + "/")
    launcher = page.locator(".ia-launcher")
    open_by_keyboard(page)
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible()
    assert dialog.get_attribute("aria-modal") == "true" and dialog.get_attribute("aria-label")
    assert launcher.get_attribute("aria-expanded") == "true"
    assert focused(page) == "ia-input"
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"

    answer = ask(page, "Who sits on the board?")
    quote = answer.locator("blockquote").first
    assert "Ada Lovelace" in quote.inner_text()
    marks = quote.locator("mark")
    assert marks.count() >= 1
    assert any(m.lower().startswith("board") for m in marks.all_inner_texts())
    link = answer.locator("figcaption a").first
    href = link.get_attribute("href")
    assert href.startswith(SITE_URL + "/about/")
    assert link.inner_text() == "About us"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))

    ask(page, "When does it meet?")
    assert visit.asked[0]["history"] == []
    assert visit.asked[1]["question"] == "When does it meet?"
    assert visit.asked[1]["history"] == ["Who sits on the board?"]

    # Tab and Shift+Tab stay inside the open dialog.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate("() => !!document.activeElement.shadowRoot?.activeElement?.closest('[role=dialog]')")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert focused(page) == "ia-launcher"
    assert launcher.get_attribute("aria-expanded") == "false"

    # The conversation survives a page load on the same site.
    page.reload()
    launcher.click()
    assert page.locator(".ia-user").all_text_contents()[-2:] == [
        "You: Who sits on the board?",
        "You: When does it meet?",
    ]
    assert page.locator("blockquote mark").count() >= 1

    # The source link leads to the quoted place on the site, where the widget also works.
    href = page.locator("figcaption a").first.get_attribute("href")
    page.locator("figcaption a").first.click()
    page.wait_for_url(href)
    assert page.get_by_role("heading", name="A page of the institute site").is_visible()
    page.locator(".ia-launcher").click()
    answer = ask(page, "How is the institute funded?")
    assert "federal state" in answer.locator("blockquote").first.inner_text()
    assert answer.locator("figcaption a").first.get_attribute("href").startswith(SITE_URL)
    answer.get_by_role("button", name="Helpful", exact=True).click()
    assert wait_for_votes(server, "How is the institute funded?", helpful=True)


def test_phone_width_full_screen_panel(browser, server):
    v = Visit(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = v.page
        page.goto(server.url + "/")
        page.locator(".ia-launcher").click()
        ask(page, "Who sits on the board?")
        dialog = page.get_by_role("dialog")
        dialog.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
        box = dialog.bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
        assert not v.foreign and not v.errors
    finally:
        v.close()


def test_german_page_gets_the_german_interface(visit, server):
    page = visit.page
    page.goto(server.url + "/de")
    assert page.locator(".ia-launcher").inner_text() == "Frage stellen"
    page.locator(".ia-launcher").click()
    assert page.get_by_role("dialog").get_attribute("aria-label") == "Fragen an die Website"
    assert page.locator(".ia-input").get_attribute("placeholder") == "Ihre Frage"
    assert page.locator(".ia-send").inner_text() == "Senden"
    page.keyboard.press("Escape")
    page.goto(server.url + "/?lang=de")
    assert page.locator(".ia-launcher").inner_text() == "Frage stellen"
    page.goto(server.url + "/")
    assert page.locator(".ia-launcher").inner_text() == "Ask a question"


def test_markup_in_site_text_is_shown_as_text_and_runs_nothing(visit, server):
    page = visit.page
    page.goto(server.url + "/")
    page.locator(".ia-launcher").click()
    answer = ask(page, "How must the sanitizer sample appear?")
    assert "<img src=x onerror=alert(1)>" in answer.locator("blockquote").first.inner_text()
    page.wait_for_timeout(300)  # give a smuggled image time to fail and fire its handler
    assert page.locator(".ia img").count() == 0
    assert page.evaluate("() => document.querySelectorAll('img').length") == 0
    assert visit.dialogs == []


def test_abstention_shows_the_message_and_the_contact_link(visit, server):
    page = visit.page
    page.goto(server.url + "/")
    page.locator(".ia-launcher").click()
    answer = ask(page, "What does a pizza margherita cost in Naples?")
    assert "ia-abstain" in answer.get_attribute("class")
    assert answer.locator("blockquote").count() == 0
    assert answer.locator(".ia-lead").inner_text().strip()
    assert answer.get_by_role("link", name="Ask us directly").get_attribute("href") == CONTACT_URL


def test_widget_reports_a_dead_api_and_recovers_after_retry(browser, index_dir, tmp_path):
    own = Server(index_dir, tmp_path / "events.jsonl")
    own.start()
    v = Visit(browser, own, viewport={"width": 1280, "height": 800})
    try:
        page = v.page
        page.goto(own.url + "/")
        page.locator(".ia-launcher").click()
        own.stop()
        page.locator(".ia-input").fill("Who sits on the board?")
        page.locator(".ia-input").press("Enter")
        error = page.get_by_role("alert")
        error.wait_for(timeout=20000)
        assert "cannot be reached" in error.inner_text()
        assert page.locator("blockquote").count() == 0
        own.start()
        page.get_by_role("button", name="Retry").click()
        page.locator("blockquote mark").first.wait_for(timeout=20000)
        assert page.get_by_role("alert").count() == 0
        assert page.locator(".ia-user").count() == 1
        assert not v.foreign and not v.errors
    finally:
        v.close()
        own.stop()


def wait_for_votes(server: Server, question: str, helpful: bool) -> list[dict]:
    """Feedback lines for a question in the server's log, waiting up to 10 s for the first."""
    deadline = time.monotonic() + 10
    while True:
        lines = server.log.read_text().splitlines() if server.log.exists() else []
        votes = [
            r
            for r in map(json.loads, lines)
            if r["event"] == "feedback" and r["question"] == question and r["helpful"] is helpful
        ]
        if votes or time.monotonic() > deadline:
            return votes
        time.sleep(0.05)


def test_feedback_click_reaches_the_log(visit, server):
    page = visit.page
    page.goto(server.url + "/")
    page.locator(".ia-launcher").click()
    answer = ask(page, "How is the institute funded?")
    urls = [a.get_attribute("href") for a in answer.locator("figcaption a").all()]
    answer.get_by_role("button", name="Not helpful").click()
    assert answer.get_by_text("Thank you for the feedback.").is_visible()
    votes = wait_for_votes(server, "How is the institute funded?", helpful=False)
    assert votes, "no feedback line was written"
    assert votes[0]["urls"] == urls
    assert "ip" not in votes[0] and "cookie" not in json.dumps(votes[0]).lower()


CONTRAST = """root => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = el => {
        for (let n = el; n && n.nodeType === 1; n = n.parentNode || n.host) {
            const c = rgb(getComputedStyle(n).backgroundColor);
            if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
            if (!n.parentNode && n.getRootNode().host) n = n.getRootNode();
        }
        return [255, 255, 255];
    };
    const low = [];
    for (const el of root.querySelectorAll('*')) {
        const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('').trim();
        if (!text || !el.getClientRects().length || el.classList.contains('ia-sr')) continue;
        const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) low.push(`${el.tagName}.${el.className} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return low;
}"""


def test_text_colours_meet_wcag_aa(visit, server):
    page = visit.page
    page.goto(server.url + "/")
    host = page.locator("#institute-assistant")
    assert host.evaluate("h => (" + CONTRAST + ")(h.shadowRoot)") == []  # the closed launcher
    page.locator(".ia-launcher").click()
    answer = ask(page, "Who sits on the board?")
    answer.locator("blockquote mark").first.wait_for()
    ask(page, "What does a pizza margherita cost in Naples?")
    assert host.evaluate("h => (" + CONTRAST + ")(h.shadowRoot)") == []


def test_reduced_motion_turns_animation_off(visit, server):
    page = visit.page
    page.emulate_media(reduced_motion="reduce")
    page.goto(server.url + "/")
    page.locator(".ia-launcher").click()
    assert page.locator(".ia-panel").evaluate("el => getComputedStyle(el).animationName") == "none"
    page.emulate_media(reduced_motion="no-preference")
    page.keyboard.press("Escape")
    page.locator(".ia-launcher").click()
    assert page.locator(".ia-panel").evaluate("el => getComputedStyle(el).animationName") == "ia-in"
