/* Question widget for a Jekyll site: answers are quotations from the site, linked to their source.
   Embed with <script src="https://ASSISTANT/widget.js" data-api="https://ASSISTANT" defer></script>.
   Optional: data-contact (URL shown when there is no answer), data-lang (en|de), data-title.
   Everything from the API is inserted as text, never as markup. No cookies, no third parties. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src*='widget.js'][data-api]");
  if (!script || window.__instituteAssistant) return;
  window.__instituteAssistant = true;

  var scriptUrl = new URL(script.src, location.href);
  var api = (script.getAttribute("data-api") || scriptUrl.origin).replace(/\/+$/, "");
  var TIMEOUT = 15000;
  var STRINGS = {
    en: {
      title: "Ask the website", open: "Ask a question", close: "Close", send: "Send", clear: "New conversation",
      placeholder: "Your question", intro: "Ask about the institute. Answers are quoted from this website, with a link to each source.",
      typing: "Looking it up", down: "The assistant cannot be reached right now.", slow: "The assistant took too long to answer.",
      retry: "Retry", contact: "Ask us directly", helpful: "Helpful", unhelpful: "Not helpful", thanks: "Thank you for the feedback.",
      source: "Source", you: "You", was: "Was this helpful?"
    },
    de: {
      title: "Fragen an die Website", open: "Frage stellen", close: "Schließen", send: "Senden", clear: "Neues Gespräch",
      placeholder: "Ihre Frage", intro: "Fragen Sie zum Institut. Die Antworten sind Zitate dieser Website, jeweils mit Link zur Quelle.",
      typing: "Wird gesucht", down: "Der Assistent ist gerade nicht erreichbar.", slow: "Der Assistent hat zu lange für die Antwort gebraucht.",
      retry: "Erneut versuchen", contact: "Fragen Sie uns direkt", helpful: "Hilfreich", unhelpful: "Nicht hilfreich", thanks: "Danke für die Rückmeldung.",
      source: "Quelle", you: "Sie", was: "War das hilfreich?"
    }
  };
  var lang = pickLang(script.getAttribute("data-lang") || document.documentElement.lang || navigator.language);
  var T = STRINGS[lang];
  var contact = script.getAttribute("data-contact") || "";
  var storeKey = "institute-assistant:" + api;
  var origins = [location.origin];
  var healthLoaded = null;
  var state = load();
  var busy = false;

  function pickLang(value) {
    return /^de\b/i.test(String(value || "").trim()) ? "de" : "en";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.appendChild(document.createTextNode(String(text)));
    return node;
  }

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storeKey) || "null");
      if (saved && Array.isArray(saved.turns)) return saved;
    } catch (e) { /* storage disabled or corrupt: start afresh */ }
    return { turns: [] };
  }

  function save() {
    try { sessionStorage.setItem(storeKey, JSON.stringify({ turns: state.turns.slice(-30) })); } catch (e) { /* private mode */ }
  }

  function health() {
    if (!healthLoaded) {
      healthLoaded = fetch(api + "/api/health", { credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (info) {
          try { if (info && info.site_url) origins.push(new URL(info.site_url).origin); } catch (e) { /* not a URL */ }
          if (!contact && info && typeof info.contact_url === "string") contact = info.contact_url;
        })
        .catch(function () { healthLoaded = null; });
    }
    return healthLoaded;
  }

  // A link is a link only if it is http(s) on the indexed site (or this page's site); otherwise it is text.
  function safeUrl(value, anyOrigin) {
    try {
      var u = new URL(String(value), location.href);
      if (u.protocol === "mailto:" && anyOrigin) return u.href;
      if (u.protocol !== "http:" && u.protocol !== "https:") return null;
      if (!anyOrigin && origins.indexOf(u.origin) < 0) return null;
      return u.href;
    } catch (e) { return null; }
  }

  function linkOrText(url, text, anyOrigin) {
    var href = safeUrl(url, anyOrigin);
    if (!href) return el("span", "ia-nolink", text);
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  // Build quote text with <mark> around highlight ranges, from text nodes only.
  function quoted(text, highlights) {
    var frag = document.createDocumentFragment();
    var ranges = (Array.isArray(highlights) ? highlights : []).filter(function (h) {
      return Array.isArray(h) && h.length === 2 && h[0] < h[1];
    }).sort(function (a, b) { return a[0] - b[0]; });
    var at = 0;
    ranges.forEach(function (h) {
      var start = Math.max(at, Math.min(h[0], text.length)), end = Math.min(h[1], text.length);
      if (end <= start) return;
      if (start > at) frag.appendChild(document.createTextNode(text.slice(at, start)));
      frag.appendChild(el("mark", null, text.slice(start, end)));
      at = end;
    });
    if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  if (!document.body) {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    // ---- DOM (inside a shadow root, so the host page's CSS cannot reach it) ----
    var host = el("div");
    host.id = "institute-assistant";
    host.hidden = true;
    document.body.appendChild(host);
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var css = el("link");
    css.rel = "stylesheet";
    css.href = new URL("widget.css", scriptUrl).href;
    css.onload = css.onerror = function () { host.hidden = false; };
    root.appendChild(css);

    var wrap = el("div", "ia");
    wrap.lang = lang;
    var launcher = el("button", "ia-launcher", T.open);
    launcher.type = "button";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");

    var panel = el("div", "ia-panel");
    panel.id = "ia-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true");
    var title = script.getAttribute("data-title") || T.title;
    panel.setAttribute("aria-label", title);
    launcher.setAttribute("aria-controls", panel.id);

    var head = el("div", "ia-head");
    head.appendChild(el("h2", "ia-title", title));
    var clearBtn = el("button", "ia-clear", T.clear);
    clearBtn.type = "button";
    var closeBtn = el("button", "ia-close", "\u00d7");
    closeBtn.type = "button";
    closeBtn.setAttribute("aria-label", T.close);
    head.appendChild(clearBtn);
    head.appendChild(closeBtn);

    var log = el("div", "ia-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.tabIndex = 0;
    log.setAttribute("aria-label", title);

    var form = el("form", "ia-form");
    var input = el("input", "ia-input");
    input.type = "text";
    input.maxLength = 500;
    input.autocomplete = "off";
    input.placeholder = T.placeholder;
    input.setAttribute("aria-label", T.placeholder);
    input.setAttribute("enterkeyhint", "send");
    var sendBtn = el("button", "ia-send", T.send);
    sendBtn.type = "submit";
    form.appendChild(input);
    form.appendChild(sendBtn);

    panel.appendChild(head);
    panel.appendChild(log);
    panel.appendChild(form);
    wrap.appendChild(panel);
    wrap.appendChild(launcher);
    root.appendChild(wrap);

    // ---- conversation ----
    function renderUser(text) {
      var msg = el("div", "ia-msg ia-user");
      msg.appendChild(el("span", "ia-sr", T.you + ": "));
      msg.appendChild(document.createTextNode(text));
      log.appendChild(msg);
    }

    function renderAnswer(turn) {
      var data = turn.answer || {};
      var msg = el("div", "ia-msg ia-bot" + (data.abstained ? " ia-abstain" : ""));
      if (data.answer) msg.appendChild(el("p", "ia-lead", data.answer));
      (Array.isArray(data.passages) ? data.passages : []).forEach(function (p) {
        if (!p || typeof p.quote !== "string") return;
        var fig = el("figure", "ia-passage");
        var bq = el("blockquote");
        var href = safeUrl(p.url);
        if (href) bq.cite = href;
        bq.appendChild(quoted(p.quote, p.highlights));
        var cap = el("figcaption", null, T.source + ": ");
        cap.appendChild(linkOrText(p.url, p.title || p.url || "", false));
        fig.appendChild(bq);
        fig.appendChild(cap);
        msg.appendChild(fig);
      });
      if (data.abstained && contact) {
        var p = el("p", "ia-contact");
        p.appendChild(linkOrText(contact, T.contact, true));
        msg.appendChild(p);
      }
      msg.appendChild(feedbackControl(turn));
      log.appendChild(msg);
    }

    function feedbackControl(turn) {
      var box = el("div", "ia-feedback");
      if (typeof turn.helpful === "boolean") {
        box.appendChild(el("span", "ia-thanks", T.thanks));
        return box;
      }
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", T.was);
      [[true, T.helpful], [false, T.unhelpful]].forEach(function (choice) {
        var b = el("button", "ia-vote", choice[1]);
        b.type = "button";
        b.addEventListener("click", function () {
          turn.helpful = choice[0];
          save();
          var data = turn.answer || {};
          fetch(api + "/api/feedback", {
            method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
              question: turn.question, helpful: choice[0], lang: data.lang || lang,
              urls: (data.passages || []).map(function (p) { return String(p.url); }).slice(0, 10)
            })
          }).catch(function () { /* feedback is best effort */ });
          var thanks = el("span", "ia-thanks", T.thanks);
          thanks.tabIndex = -1;
          box.replaceWith(thanks);
          thanks.focus();
        });
        box.appendChild(b);
      });
      return box;
    }

    function renderAll() {
      log.textContent = "";
      log.appendChild(el("p", "ia-intro", T.intro));
      state.turns.forEach(function (turn) {
        renderUser(turn.question);
        if (turn.answer) renderAnswer(turn);
      });
      scrollDown();
    }

    function scrollDown() { log.scrollTop = log.scrollHeight; }

    function setBusy(on) {
      busy = on;
      sendBtn.disabled = on;
      log.setAttribute("aria-busy", on ? "true" : "false");
    }

    function ask(turn) {
      var history = state.turns.slice(0, state.turns.indexOf(turn)).map(function (t) { return t.question; }).slice(-10);
      var typing = el("div", "ia-msg ia-bot ia-typing");
      typing.appendChild(el("span", "ia-dots"));
      typing.appendChild(document.createTextNode(T.typing + "\u2026"));
      log.appendChild(typing);
      scrollDown();
      setBusy(true);
      var ctrl = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT);
      var body = { question: turn.question, history: history };
      if (script.getAttribute("data-lang")) body.lang = lang;
      health().then(function () {
        return fetch(api + "/api/ask", {
          method: "POST", credentials: "omit", signal: ctrl && ctrl.signal,
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
        });
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) {
          if (!r.ok || !json || json.error) throw new Error((json && json.error && json.error.message) || T.down);
          return json;
        });
      }).then(function (json) {
        turn.answer = json;
        save();
        typing.remove();
        renderAnswer(turn);
        scrollDown();
      }).catch(function (err) {
        typing.remove();
        var msg = el("div", "ia-msg ia-bot ia-error");
        msg.setAttribute("role", "alert");
        var aborted = err && err.name === "AbortError";
        var text = aborted ? T.slow : (err instanceof TypeError || !err || !err.message ? T.down : err.message);
        msg.appendChild(el("p", null, text));
        var retry = el("button", "ia-retry", T.retry);
        retry.type = "button";
        retry.addEventListener("click", function () { msg.remove(); ask(turn); input.focus(); });
        msg.appendChild(retry);
        log.appendChild(msg);
        scrollDown();
      }).then(function () {
        clearTimeout(timer);
        setBusy(false);
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.trim();
      if (!q || busy) return;
      var stale = log.querySelector(".ia-error");
      if (stale) stale.remove();
      var turn = { question: q };
      state.turns = state.turns.filter(function (t) { return t.answer; });
      state.turns.push(turn);
      save();
      input.value = "";
      renderUser(q);
      ask(turn);
    });

    clearBtn.addEventListener("click", function () {
      state.turns = [];
      save();
      renderAll();
      input.focus();
    });

    // ---- open, close, focus ----
    function open() {
      panel.hidden = false;
      wrap.classList.add("ia-open");
      launcher.setAttribute("aria-expanded", "true");
      health();
      scrollDown();
      input.focus();
    }

    function close() {
      panel.hidden = true;
      wrap.classList.remove("ia-open");
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    function focusables() {
      return Array.prototype.filter.call(
        panel.querySelectorAll("button, a[href], input, [tabindex]"),
        function (n) { return !n.disabled && n.tabIndex >= 0 && n.getClientRects().length; }
      );
    }

    launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
    closeBtn.addEventListener("click", close);
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); close(); return; }
      if (e.key !== "Tab") return;
      var items = focusables();
      if (!items.length) return;
      var active = root.activeElement || document.activeElement;
      var first = items[0], last = items[items.length - 1];
      if (e.shiftKey && (active === first || items.indexOf(active) < 0)) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && (active === last || items.indexOf(active) < 0)) { e.preventDefault(); first.focus(); }
    });

    renderAll();
    if (state.turns.length) health().then(renderAll);
  }
})();
