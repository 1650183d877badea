/* Question widget for a Jekyll site: answers are quotations from the site, linked to their source.
   Embed with <script src="https://ASSISTANT/widget.js" data-api="https://ASSISTANT" defer></script>.
   Optional: data-contact (URL shown when there is no answer), data-lang (en|de), data-title,
   data-suggestions (questions to start with, separated by "|").
   Everything from the API is inserted as text, never as markup. No cookies, no third parties,
   no inline styles or handlers and no eval, so it runs under a strict Content-Security-Policy. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src*='widget.js'][data-api]");
  if (!script || window.__instituteAssistant) return;
  window.__instituteAssistant = true;
  var perf = window.performance && performance.mark ? performance : null;
  if (perf) perf.mark("institute-assistant:start");

  var scriptUrl = new URL(script.src, location.href);
  var attr = function (name) { return script.getAttribute("data-" + name) || ""; };
  var api = (attr("api") || scriptUrl.origin).replace(/\/+$/, "");
  // The assistant's server puts widget.css here, so the launcher needs no second request; a copy of
  // this file served elsewhere links widget.css beside it instead. A constructed stylesheet is no
  // inline style: it runs under a strict Content-Security-Policy.
  var STYLE = /* widget.css */ "";
  var TIMEOUT = 15000;
  var STRINGS = {
    en: {
      title: "Ask the website", open: "Ask a question", close: "Close", send: "Send", clear: "New conversation",
      placeholder: "Your question", intro: "Ask about the institute. Answers are quoted from this website, with a link to each source.",
      typing: "Looking it up", down: "The assistant cannot be reached right now.", slow: "The assistant took too long to answer.",
      busy: "Too many questions in a short time. Please wait a moment and try again.", long: "That question is too long. Please ask it more briefly.",
      failed: "The assistant could not answer that. Please try again.",
      retry: "Retry", contact: "Ask us directly", helpful: "Helpful", unhelpful: "Not helpful", thanks: "Thank you for the feedback.",
      source: "Source", you: "You", was: "Was this helpful?", lead: "Here is what the website says:",
      abstain: "I could not find an answer to that on this website. Try asking with other words, or ask us directly.",
      more: "More from the site", mean: "Did you mean:", ask: "You could ask:", twin: "This page is also in English",
      answer: "Answer", conversation: "Conversation"
    },
    de: {
      title: "Fragen an die Website", open: "Frage stellen", close: "Schließen", send: "Senden", clear: "Neues Gespräch",
      placeholder: "Ihre Frage", intro: "Fragen Sie zum Institut. Die Antworten sind Zitate dieser Website, jeweils mit Link zur Quelle.",
      typing: "Wird gesucht", down: "Der Assistent ist gerade nicht erreichbar.", slow: "Der Assistent hat zu lange für die Antwort gebraucht.",
      busy: "Zu viele Fragen in kurzer Zeit. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.", long: "Die Frage ist zu lang. Bitte fragen Sie kürzer.",
      failed: "Der Assistent konnte darauf nicht antworten. Bitte versuchen Sie es erneut.",
      retry: "Erneut versuchen", contact: "Fragen Sie uns direkt", helpful: "Hilfreich", unhelpful: "Nicht hilfreich", thanks: "Danke für die Rückmeldung.",
      source: "Quelle", you: "Sie", was: "War das hilfreich?", lead: "Das steht dazu auf der Website:",
      abstain: "Dazu habe ich auf dieser Website keine Antwort gefunden. Versuchen Sie es mit anderen Worten, oder fragen Sie uns direkt.",
      more: "Mehr von der Website", mean: "Meinten Sie:", ask: "Sie könnten fragen:", twin: "Diese Seite gibt es auch auf Deutsch",
      answer: "Antwort", conversation: "Gespräch"
    }
  };
  var ERRORS = { too_many_requests: "busy", question_too_long: "long", history_too_long: "long", body_too_large: "long" };
  var lang = /^de\b/i.test(String(attr("lang") || document.documentElement.lang || navigator.language || "").trim()) ? "de" : "en";
  var T = STRINGS[lang];
  var contact = attr("contact");
  var suggestions = attr("suggestions").split("|").map(function (q) { return q.trim(); }).filter(Boolean);
  var storeKey = "institute-assistant:" + api;
  var origins = [location.origin];
  var healthLoaded = null;
  var state = load();
  var busy = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.appendChild(document.createTextNode(String(text)));
    return node;
  }

  function button(cls, text, onClick) {
    var b = el("button", cls, text);
    b.type = "button";
    if (onClick) b.addEventListener("click", onClick);
    return b;
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
          info = info || {};
          try { if (info.site_url) origins.push(new URL(info.site_url).origin); } catch (e) { /* not a URL */ }
          var contacts = info.contacts || {};
          if (!contact) contact = String(contacts[lang] || info.contact_url || "");
          var offered = (info.suggestions || {})[lang];
          if (!suggestions.length && Array.isArray(offered)) suggestions = offered.filter(function (q) { return typeof q === "string"; }).slice(0, 4);
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

  // Quote text from text nodes only: <mark> around matched words, <strong> around the answering sentence.
  function quoted(text, highlights, sentence) {
    var frag = document.createDocumentFragment();
    var marks = (Array.isArray(highlights) ? highlights : []).filter(function (h) {
      return Array.isArray(h) && h[0] < h[1];
    });
    var s = Array.isArray(sentence) && sentence[0] < sentence[1] && (sentence[0] > 0 || sentence[1] < text.length) ? sentence : null;
    var cuts = [0, text.length];
    marks.concat(s ? [s] : []).forEach(function (h) { cuts.push(h[0], h[1]); });
    cuts = cuts.map(function (c) { return Math.max(0, Math.min(+c || 0, text.length)); }).sort(function (a, b) { return a - b; });
    var strong = null;
    for (var i = 0; i < cuts.length - 1; i++) {
      var a = cuts[i], b = cuts[i + 1];
      if (a === b) continue;
      var piece = text.slice(a, b);
      var marked = marks.some(function (h) { return h[0] <= a && b <= h[1]; });
      var node = marked ? el("mark", null, piece) : document.createTextNode(piece);
      if (s && s[0] <= a && b <= s[1]) {
        if (!strong) { strong = el("strong", "ia-best"); frag.appendChild(strong); }
        strong.appendChild(node);
      } else {
        frag.appendChild(node);
      }
    }
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
    // Shown once styled and wired up, never as bare buttons or as a launcher that does nothing yet.
    var waiting = 2;
    var shown = function () {
      if (--waiting) return;
      host.hidden = false;
      if (perf) perf.mark("institute-assistant:ready");
    };
    var sheet = null;
    if (STYLE && "adoptedStyleSheets" in root) {
      try {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
      } catch (e) { sheet = null; /* no constructable stylesheets: link the file */ }
    }
    if (sheet) {
      root.adoptedStyleSheets = [sheet];
      shown();
    } else {
      var css = el("link");
      css.rel = "stylesheet";
      css.href = new URL("widget.css", scriptUrl).href;
      css.onload = css.onerror = shown;
      root.appendChild(css);
    }

    var wrap = el("div", "ia");
    wrap.lang = lang;
    var launcher = button("ia-launcher", T.open);
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");

    var panel = el("div", "ia-panel");
    panel.id = "ia-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true");
    var title = attr("title") || T.title;
    panel.setAttribute("aria-label", title);
    launcher.setAttribute("aria-controls", panel.id);

    var head = el("div", "ia-head");
    head.appendChild(el("h2", "ia-title", title));
    var clearBtn = button("ia-clear", T.clear);
    var closeBtn = button("ia-close", "\u00d7");
    closeBtn.setAttribute("aria-label", T.close);
    head.appendChild(clearBtn);
    head.appendChild(closeBtn);

    // The log is read at the reader's pace; the status line below announces each answer briefly.
    var log = el("div", "ia-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "off");
    log.tabIndex = 0;
    log.setAttribute("aria-label", T.conversation);
    var room = el("div", "ia-room");
    room.setAttribute("aria-hidden", "true");
    function add(node) { log.insertBefore(node, room); }
    var status = el("div", "ia-sr");
    status.setAttribute("role", "status");

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
    panel.appendChild(status);
    panel.appendChild(form);
    wrap.appendChild(panel);
    wrap.appendChild(launcher);
    root.appendChild(wrap);

    // ---- conversation ----
    function renderUser(text) {
      var msg = el("div", "ia-msg ia-user");
      msg.appendChild(el("span", "ia-sr", T.you + ": "));
      msg.appendChild(document.createTextNode(text));
      add(msg);
    }

    // Questions to click: suggestions on an empty panel, "did you mean" after no answer.
    function chips(label, questions) {
      var box = el("div", "ia-chips");
      box.appendChild(el("p", "ia-label", label));
      var list = el("ul");
      questions.forEach(function (q) {
        var li = el("li");
        li.appendChild(button("ia-chip", q, function () { input.focus(); submit(q); }));
        list.appendChild(li);
      });
      box.appendChild(list);
      return box;
    }

    function sourceOf(p) {
      return [p.title, p.heading].filter(function (s) { return typeof s === "string" && s; }).join(" \u203a ") || String(p.url || "");
    }

    function passage(p, sentence) {
      var fig = el("figure", "ia-passage");
      var bq = el("blockquote");
      var href = safeUrl(p.url);
      if (href) bq.cite = href;
      if (/^[a-z]{2}$/.test(p.lang)) bq.lang = p.lang;
      bq.appendChild(quoted(p.quote, p.highlights, sentence));
      var cap = el("figcaption", null, T.source + ": ");
      cap.appendChild(linkOrText(p.url, sourceOf(p), false));
      var twin = p.translations && p.lang !== lang && safeUrl(p.translations[lang]);
      if (twin) {
        cap.appendChild(document.createTextNode(" \u00b7 "));
        var a = linkOrText(twin, T.twin, false);
        a.hreflang = lang;
        a.className = "ia-twin";
        cap.appendChild(a);
      }
      fig.appendChild(bq);
      fig.appendChild(cap);
      return fig;
    }

    function renderAnswer(turn) {
      var data = turn.answer || {};
      var list = (Array.isArray(data.passages) ? data.passages : []).filter(function (p) { return p && typeof p.quote === "string"; });
      var best = data.best && list[data.best.passage] ? data.best : { passage: 0 };
      var abstained = data.abstained || !list.length;
      var msg = el("div", "ia-msg ia-bot" + (abstained ? " ia-abstain" : ""));
      msg.appendChild(el("p", "ia-lead", abstained ? T.abstain : T.lead));
      var summary = abstained ? T.abstain : T.lead;
      if (!abstained) {
        var lead = list[best.passage];
        msg.appendChild(passage(lead, best.sentence));
        var s = Array.isArray(best.sentence) ? lead.quote.slice(best.sentence[0], best.sentence[1]) : lead.quote;
        summary += " " + s + " \u2014 " + T.source + ": " + sourceOf(lead) + ".";
        var rest = list.filter(function (p) { return p !== lead; });
        if (rest.length) {
          var more = el("details", "ia-more");
          more.appendChild(el("summary", null, T.more + " (" + rest.length + ")"));
          rest.forEach(function (p) { more.appendChild(passage(p, null)); });
          msg.appendChild(more);
          summary += " " + T.more + " (" + rest.length + ").";
        }
      } else {
        var mean = (Array.isArray(data.did_you_mean) ? data.did_you_mean : []).filter(function (q) { return typeof q === "string"; });
        if (mean.length) msg.appendChild(chips(T.mean, mean.slice(0, 3)));
        if (contact) {
          var p = el("p", "ia-contact");
          p.appendChild(linkOrText(contact, T.contact, true));
          msg.appendChild(p);
        }
      }
      msg.appendChild(feedbackControl(turn));
      add(msg);
      return { node: msg, summary: summary };
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
        box.appendChild(button("ia-vote", choice[1], function () {
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
        }));
      });
      return box;
    }

    function renderAll() {
      log.textContent = "";
      log.appendChild(room);
      add(el("p", "ia-intro", T.intro));
      if (!state.turns.length && suggestions.length) add(chips(T.ask, suggestions));
      newest = null;
      state.turns.forEach(function (turn) {
        renderUser(turn.question);
        if (turn.answer) newest = renderAnswer(turn).node;
      });
      show(newest);
    }

    // The start of the newest answer goes to the top of the log, so the best quote is in view;
    // room is made below a short answer so that it can. (CSSOM, not a style attribute: CSP allows it.)
    var newest = null;
    function show(node) {
      if (panel.hidden) { if (node) newest = node; return; } // measured on opening: no layout while the page loads
      room.style.height = "0";
      if (!node) { log.scrollTop = log.scrollHeight; return; }
      newest = node;
      var origin = log.getBoundingClientRect().top - log.scrollTop;
      var top = node.getBoundingClientRect().top - origin - 8;
      var need = top + log.clientHeight - (room.getBoundingClientRect().top - origin + 14);
      if (need > 0 && log.clientHeight) room.style.height = need + "px";
      log.scrollTop = top;
    }

    function announce(text) {
      status.textContent = "";
      setTimeout(function () { status.textContent = text; }, 50);
    }

    function keepFocus() {
      var active = root.activeElement;
      if (!panel.hidden && (!active || active === sendBtn || active === log)) input.focus();
    }

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
      add(typing);
      show(null);
      setBusy(true);
      var ctrl = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT);
      var body = { question: turn.question, history: history };
      if (attr("lang")) body.lang = lang;
      health().then(function () {
        return fetch(api + "/api/ask", {
          method: "POST", credentials: "omit", signal: ctrl && ctrl.signal,
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
        });
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) {
          if (!r.ok || !json || json.error) {
            var err = new Error(T[ERRORS[json && json.error && json.error.code] || "failed"]);
            err.api = true;
            throw err;
          }
          return json;
        });
      }).then(function (json) {
        turn.answer = json;
        save();
        typing.remove();
        var shown = renderAnswer(turn);
        show(shown.node);
        announce(shown.summary);
        keepFocus();
      }).catch(function (err) {
        typing.remove();
        var msg = el("div", "ia-msg ia-bot ia-error");
        msg.setAttribute("role", "alert");
        var text = err && err.name === "AbortError" ? T.slow : (err && err.api ? err.message : T.down);
        msg.appendChild(el("p", null, text));
        msg.appendChild(button("ia-retry", T.retry, function () { msg.remove(); ask(turn); input.focus(); }));
        if (contact) {
          var p = el("p", "ia-contact");
          p.appendChild(linkOrText(contact, T.contact, true));
          msg.appendChild(p);
        }
        add(msg);
        show(msg);
        keepFocus();
      }).then(function () {
        clearTimeout(timer);
        setBusy(false);
      });
    }

    function submit(q) {
      q = String(q || "").trim();
      if (!q || busy) return;
      var stale = log.querySelector(".ia-error");
      if (stale) stale.remove();
      var chipsShown = log.querySelector(".ia-intro + .ia-chips");
      if (chipsShown) chipsShown.remove();
      var turn = { question: q };
      state.turns = state.turns.filter(function (t) { return t.answer; });
      state.turns.push(turn);
      save();
      input.value = "";
      renderUser(q);
      ask(turn);
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit(input.value);
      input.focus();
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
      input.focus();
      show(newest);
      health().then(function () { if (!state.turns.length) renderAll(); });
    }

    function close() {
      panel.hidden = true;
      wrap.classList.remove("ia-open");
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    function focusables() {
      return Array.prototype.filter.call(
        panel.querySelectorAll("button, a[href], input, summary, [tabindex]"),
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
    shown();
    if (state.turns.length) health().then(renderAll);
  }
})();
