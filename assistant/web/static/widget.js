/*! Regelrett widget: cited answers to regulatory questions. Plain JavaScript, no dependencies.
 * Embed: <script src="https://HOST/widget.js" data-key="KEY" data-lang="nb" defer></script>
 * Optional: data-api="https://HOST" (default: where this script comes from);
 * data-as-of="YYYY-MM-DD": answer by the rules in force on that date (default: today; the
 * reader can change it under "Dato for regelverket").
 * Safety: answer and source text only ever enter the page as text (textContent), never as HTML.
 */
(() => {
  "use strict";

  const T = {
    nb: {
      launcher: "Spør om regelverk",
      title: "Regelrett – spør om regelverk",
      close: "Lukk",
      newChat: "Ny samtale",
      disclosure:
        "Svarene kommer fra en KI-assistent, er ikke juridisk rådgivning, og viser til kildene sine.",
      intro:
        "Still et spørsmål om personvern, innsyn, arkiv, anskaffelser, KI-forordningen eller " +
        "annet regelverk for kommunen. Hvert svar viser til paragrafen det bygger på.",
      conversation: "Samtale",
      label: "Ditt spørsmål",
      placeholder: "F.eks. Kan vi nekte innsyn i et internt notat?",
      hint: "Enter sender, Shift+Enter gir ny linje.",
      send: "Send",
      you: "Du spurte:",
      searching: "Søker i kildene …",
      ready: "Svaret er klart.",
      readyN: "Svaret er klart, med {n} kildehenvisninger.",
      refusedStatus: "Kildene svarer ikke på spørsmålet.",
      sources: "Kilder",
      source: "Kilde {n}",
      page: "s. {p}",
      view: "Vis utdraget",
      newTab: "(åpnes i ny fane)",
      official: "Offisiell kilde",
      refusal: "Kildene svarer ikke på dette",
      closest: "Nærmeste kilder",
      note: "Merk",
      error: "Noe gikk galt",
      network:
        "Fikk ikke kontakt med tjenesten. Sjekk nettverket, eller om denne siden har lov til å " +
        "bruke assistenten.",
      busy: "For mange spørsmål på kort tid. Prøv igjen om {s} sekunder.",
      helpful: "Var svaret nyttig?",
      up: "Ja, nyttig",
      down: "Nei, ikke nyttig",
      thanks: "Takk for tilbakemeldingen.",
      feedbackFailed: "Tilbakemeldingen kunne ikke sendes.",
      copy: "Kopier svaret",
      copied: "Svaret er kopiert.",
      copyFailed: "Kunne ikke kopiere svaret.",
      empty: "Skriv et spørsmål først.",
      cleared: "Ny samtale startet.",
      options: "Dato for regelverket",
      asOf: "Regler som gjelder per",
      asOfHint: "Tomt: dagens regler.",
    },
    nn: {
      launcher: "Spør om regelverk",
      title: "Regelrett – spør om regelverk",
      close: "Lukk",
      newChat: "Ny samtale",
      disclosure:
        "Svara kjem frå ein KI-assistent, er ikkje juridisk rådgiving, og viser til kjeldene sine.",
      intro:
        "Still eit spørsmål om personvern, innsyn, arkiv, anskaffingar, KI-forordninga eller " +
        "anna regelverk for kommunen. Kvart svar viser til paragrafen det byggjer på.",
      conversation: "Samtale",
      label: "Spørsmålet ditt",
      placeholder: "Til dømes: Kan vi nekte innsyn i eit internt notat?",
      hint: "Enter sender, Shift+Enter gir ny linje.",
      send: "Send",
      you: "Du spurde:",
      searching: "Søkjer i kjeldene …",
      ready: "Svaret er klart.",
      readyN: "Svaret er klart, med {n} kjeldetilvisingar.",
      refusedStatus: "Kjeldene svarar ikkje på spørsmålet.",
      sources: "Kjelder",
      source: "Kjelde {n}",
      page: "s. {p}",
      view: "Vis utdraget",
      newTab: "(opnar i ny fane)",
      official: "Offisiell kjelde",
      refusal: "Kjeldene svarar ikkje på dette",
      closest: "Næraste kjelder",
      note: "Merk",
      error: "Noko gjekk gale",
      network:
        "Fekk ikkje kontakt med tenesta. Sjekk nettverket, eller om denne sida har lov til å " +
        "bruke assistenten.",
      busy: "For mange spørsmål på kort tid. Prøv igjen om {s} sekund.",
      helpful: "Var svaret nyttig?",
      up: "Ja, nyttig",
      down: "Nei, ikkje nyttig",
      thanks: "Takk for tilbakemeldinga.",
      feedbackFailed: "Tilbakemeldinga kunne ikkje sendast.",
      copy: "Kopier svaret",
      copied: "Svaret er kopiert.",
      copyFailed: "Kunne ikkje kopiere svaret.",
      empty: "Skriv eit spørsmål først.",
      cleared: "Ny samtale starta.",
      options: "Dato for regelverket",
      asOf: "Reglar som gjeld per",
      asOfHint: "Tomt: dagens reglar.",
    },
    en: {
      launcher: "Ask about regulations",
      title: "Regelrett – ask about regulations",
      close: "Close",
      newChat: "New conversation",
      disclosure: "Answers come from an AI assistant, are not legal advice, and cite their sources.",
      intro:
        "Ask about data protection, access to documents, archives, procurement, the AI Act or " +
        "other rules for the municipality. Every answer cites the section it rests on.",
      conversation: "Conversation",
      label: "Your question",
      placeholder: "E.g. Can we refuse access to an internal memo?",
      hint: "Enter sends, Shift+Enter adds a new line.",
      send: "Send",
      you: "You asked:",
      searching: "Searching the sources …",
      ready: "The answer is ready.",
      readyN: "The answer is ready, with {n} citations.",
      refusedStatus: "The sources do not answer the question.",
      sources: "Sources",
      source: "Source {n}",
      page: "p. {p}",
      view: "Show the passage",
      newTab: "(opens in a new tab)",
      official: "Official source",
      refusal: "The sources do not answer this",
      closest: "Closest sources",
      note: "Note",
      error: "Something went wrong",
      network:
        "Could not reach the service. Check the network, or whether this page may use the " +
        "assistant.",
      busy: "Too many questions in a short time. Try again in {s} seconds.",
      helpful: "Was the answer helpful?",
      up: "Yes, helpful",
      down: "No, not helpful",
      thanks: "Thank you for the feedback.",
      feedbackFailed: "The feedback could not be sent.",
      copy: "Copy the answer",
      copied: "The answer has been copied.",
      copyFailed: "Could not copy the answer.",
      empty: "Write a question first.",
      cleared: "New conversation started.",
      options: "Date of the rules",
      asOf: "Rules in force on",
      asOfHint: "Empty: today's rules.",
    },
  };

  const CSS = `
:host{all:initial}
.rr{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 font-size:max(1rem,16px);line-height:1.5;color:#1b1b1b}
.rr *,.rr *::before,.rr *::after{box-sizing:border-box}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;
 clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,textarea{font:inherit;color:inherit}
a{color:#0b4f8a;text-decoration:underline}
a:hover{color:#06325a}
:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}
.launcher{position:fixed;right:1em;bottom:1em;z-index:2147483000;display:inline-flex;
 align-items:center;gap:.5em;padding:.7em 1.1em;border:2px solid #fff;border-radius:2em;
 background:#0b4f8a;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 .25em .9em rgba(0,0,0,.3)}
.launcher:hover{background:#06325a}
.launcher svg{width:1.3em;height:1.3em;flex:none}
.panel{position:fixed;right:1em;bottom:4.8em;z-index:2147483001;display:flex;flex-direction:column;
 width:27em;max-width:calc(100vw - 2em);height:min(46em,calc(100vh - 6em));background:#fff;
 border:1px solid #767676;border-radius:.75em;box-shadow:0 .75em 2.5em rgba(0,0,0,.3);
 overflow:hidden;animation:rr-in .18s ease-out}
.panel[hidden]{display:none}
@keyframes rr-in{from{opacity:0;transform:translateY(.5em)}}
@media (max-width:34em),(max-height:34em){
 .panel{inset:0;width:auto;max-width:none;height:auto;border:0;border-radius:0}}
@media (max-height:30em){
 .field .help{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 textarea{min-height:2.6em}form{padding-top:.5em;padding-bottom:.5em}}
.head{display:flex;align-items:center;gap:.5em;padding:.6em .6em .6em 1em;
 border-bottom:3px solid #0b4f8a}
h2{flex:1;margin:0;font-size:1.05em;line-height:1.3;color:#06325a}
.tool{display:inline-flex;align-items:center;gap:.35em;min-height:2.5em;min-width:2.5em;
 justify-content:center;padding:.3em .6em;border:1px solid #767676;border-radius:.4em;
 background:#fff;cursor:pointer;font-size:.9em}
.tool:hover{background:#eef3f8}
.tool svg{width:1.1em;height:1.1em;flex:none}
.tool[aria-pressed="true"]{background:#0b4f8a;border-color:#0b4f8a;color:#fff}
.disclosure{margin:0;padding:.5em 1em;background:#f1f4f7;color:#3d3d3d;font-size:.85em;
 border-bottom:1px solid #d0d7de}
.log{position:relative;flex:1 1 auto;min-height:0;overflow-y:auto;padding:1em;
 overscroll-behavior:contain}
.intro{margin:0 0 1em;color:#3d3d3d}
.turn{margin:0 0 1.5em;padding:0 0 1em;border-bottom:1px solid #d0d7de}
.turn:last-child{border-bottom:0}
.q{margin:0 0 .6em;padding:.5em .75em;background:#eef3f8;border-radius:.5em;
 white-space:pre-wrap;overflow-wrap:anywhere;font-weight:600}
.answer p{margin:0 0 .75em;overflow-wrap:anywhere}
.answer:empty{display:none}
.ref{font-size:.8em;vertical-align:super;line-height:0;padding:0 .1em;font-weight:600}
.notice{margin:.5em 0;padding:.75em 1em;border-left:.3em solid #0b4f8a;background:#eef3f8;
 border-radius:.3em}
.notice.refused .answer p:last-child{margin-bottom:0}
.notice h3,.sources h3,.notes h3{margin:0 0 .4em;font-size:1em}
.notes{margin:.5em 0;padding:.6em 1em;border-left:.3em solid #8a5a00;background:#fff6e0}
.notes ul,.closest ul{margin:0;padding-left:1.2em}
.err{margin:.5em 0;padding:.75em 1em;border-left:.3em solid #a4161a;background:#fdeced;color:#5c0a0d}
.err h3{margin:0 0 .3em;font-size:1em}
.err p{margin:0}
.sources{margin-top:.75em}
.sources ol{margin:0;padding-left:1.6em}
.sources li{margin:0 0 .75em;padding:.25em;border-radius:.3em}
.sources li:focus{outline:3px solid #0b4f8a;outline-offset:1px}
.fn-head{margin:0;font-weight:600}
.quote{margin:.3em 0;padding:.2em .75em;border-left:.2em solid #767676;color:#2b2b2b;
 overflow-wrap:anywhere;white-space:pre-wrap}
.fn-links{margin:0;display:flex;flex-wrap:wrap;gap:.2em 1em;font-size:.95em}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.5em;margin-top:.75em}
.rate{display:flex;flex-wrap:wrap;align-items:center;gap:.5em}
.rate .lbl{font-size:.9em;color:#3d3d3d}
.working{display:inline-flex;gap:.25em;margin:.25em 0 .75em}
.working i{width:.5em;height:.5em;border-radius:50%;background:#0b4f8a;animation:rr-dot 1s infinite}
.working i:nth-child(2){animation-delay:.15s}.working i:nth-child(3){animation-delay:.3s}
@keyframes rr-dot{50%{opacity:.25}}
form{display:flex;gap:.5em;align-items:flex-end;padding:.75em 1em 1em;border-top:1px solid #d0d7de}
.field{flex:1;display:flex;flex-direction:column;gap:.2em}
.field label{font-weight:600;font-size:.9em}
.field .help{font-size:.8em;color:#3d3d3d}
.opts{font-size:.85em}
.opts summary{cursor:pointer;padding:.15em 0;color:#0b4f8a}
.opt{display:flex;flex-wrap:wrap;align-items:center;gap:.3em .6em;padding:.3em 0}
.opt input{font:inherit;padding:.25em .4em;border:1px solid #767676;border-radius:.3em;
 background:#fff;color:inherit}
.fn-kind{font-weight:400;color:#3d3d3d}
textarea{width:100%;min-height:3em;max-height:9em;resize:vertical;padding:.5em .6em;
 border:1px solid #767676;border-radius:.4em;background:#fff}
textarea::placeholder{color:#636363}
.send{padding:.6em 1em;border:2px solid #0b4f8a;border-radius:.4em;background:#0b4f8a;color:#fff;
 font-weight:600;cursor:pointer}
.send:hover{background:#06325a}
.send[aria-disabled="true"]{opacity:.7;cursor:progress}
@media (prefers-reduced-motion:reduce){
 .rr *,.rr *::before,.rr *::after{animation:none!important;transition:none!important;
  scroll-behavior:auto!important}}
@media (forced-colors:active){.launcher,.send,.tool[aria-pressed="true"]{border:2px solid ButtonText}}
`;

  // Icons: simple paths drawn with createElementNS (thumb path after Material Icons, Apache-2.0).
  const ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 3v2h7v-2H7z",
    close: "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z",
    up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    copy: "M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11v14z",
  };

  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"][data-key]');
  if (!script || window.__regelrettWidget) return;
  window.__regelrettWidget = true;

  const pickLang = (value) => {
    const v = String(value || "").toLowerCase();
    if (v.startsWith("nn")) return "nn";
    if (v.startsWith("en")) return "en";
    return "nb";
  };
  const lang = pickLang(script.dataset.lang || document.documentElement.lang);
  const t = (key, values) =>
    T[lang][key].replace(/\{(\w+)\}/g, (_, name) => String((values || {})[name]));
  const key = script.dataset.key || "";
  const isoDate = (value) => (/^\d{4}-\d{2}-\d{2}$/.test(String(value || "")) ? String(value) : "");
  const asOfAttr = isoDate(script.dataset.asOf);
  const api = (script.dataset.api || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let uid = 0;
  const nextId = (prefix) => `rr-${prefix}-${++uid}`;

  // -- tiny DOM helpers: text only, never HTML ------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function icon(name, flip) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    if (flip) svg.setAttribute("transform", "rotate(180)");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    svg.append(path);
    return svg;
  }

  /** Only http(s) links from the service or the sources are ever made clickable. */
  function safeUrl(value) {
    try {
      const url = new URL(String(value), api + "/");
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  function passageUrl(sourceId, section, chunkId) {
    const q = new URLSearchParams({ source: sourceId, lang });
    if (section) q.set("section", section);
    if (chunkId) q.set("chunk", chunkId);
    return `${api}/sources/view?${q}${chunkId ? `#chunk-${chunkId}` : ""}`;
  }

  function displayName(item) {
    const name = item.short_title || item.title || item.source_id || "";
    const extra = [];
    const abbr = item.abbreviation;
    if (abbr && !name.toLowerCase().includes(String(abbr).toLowerCase())) extra.push(abbr);
    if (item.version && !name.includes(String(item.version))) extra.push(item.version);
    return extra.length ? `${name} (${extra.join(", ")})` : name;
  }

  function pages(start, end) {
    if (start === null || start === undefined) return "";
    return t("page", { p: end && end !== start ? `${start}–${end}` : start });
  }

  // -- the shell --------------------------------------------------------------------------------

  const host = el("div", { id: "regelrett-widget", "data-regelrett": "" });
  const shadow = host.attachShadow({ mode: "open" });
  const titleId = nextId("title");
  const panelId = nextId("panel");
  const inputId = nextId("q");
  const helpId = nextId("help");

  const launcher = el(
    "button",
    {
      type: "button",
      class: "launcher",
      "aria-haspopup": "dialog",
      "aria-expanded": "false",
      "aria-controls": panelId,
    },
    icon("chat"),
    el("span", { text: t("launcher") }),
  );
  const closeBtn = el(
    "button",
    { type: "button", class: "tool", "aria-label": t("close"), title: t("close") },
    icon("close"),
  );
  const newBtn = el("button", { type: "button", class: "tool", text: t("newChat") });
  const log = el("div", { class: "log", role: "region", "aria-label": t("conversation"), tabindex: "0" });
  const intro = el("p", { class: "intro", text: t("intro") });
  const status = el("div", { class: "sr", role: "status", "aria-live": "polite" });
  const input = el("textarea", {
    id: inputId,
    rows: "2",
    placeholder: t("placeholder"),
    "aria-describedby": helpId,
    autocomplete: "off",
  });
  const sendBtn = el("button", { type: "submit", class: "send", text: t("send") });
  // the date the rules are read for: empty means today (the service's default)
  const dateId = nextId("date");
  const dateHelpId = nextId("date-help");
  const dateInput = el("input", {
    type: "date",
    id: dateId,
    value: asOfAttr,
    "aria-describedby": dateHelpId,
  });
  const options = el(
    "details",
    { class: "opts", open: asOfAttr ? true : null },
    el("summary", { text: t("options") }),
    el(
      "div",
      { class: "opt" },
      el("label", { for: dateId, text: t("asOf") }),
      dateInput,
      el("span", { id: dateHelpId, class: "help", text: t("asOfHint") }),
    ),
  );
  const form = el(
    "form",
    { novalidate: true },
    el(
      "div",
      { class: "field" },
      el("label", { for: inputId, text: t("label") }),
      input,
      el("span", { id: helpId, class: "help", text: t("hint") }),
      options,
    ),
    sendBtn,
  );
  const panel = el(
    "div",
    {
      id: panelId,
      class: "panel",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": titleId,
      hidden: true,
      lang,
    },
    el("div", { class: "head" }, el("h2", { id: titleId, text: t("title") }), newBtn, closeBtn),
    el("p", { class: "disclosure", text: t("disclosure") }),
    log,
    form,
    status,
  );
  log.append(intro);
  // a constructed stylesheet where supported: it also works under a strict style-src CSP
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch (_) {
    shadow.append(el("style", { text: CSS }));
  }
  shadow.append(el("div", { class: "rr", lang }, launcher, panel));

  // -- open, close, focus -----------------------------------------------------------------------

  const isOpen = () => !panel.hidden;

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function focusables() {
    const nodes = panel.querySelectorAll(
      'a[href], button:not([disabled]), textarea, input, summary, [tabindex]:not([tabindex="-1"])',
    );
    return Array.from(nodes).filter((n) => n.getClientRects().length > 0);
  }

  launcher.addEventListener("click", () => (isOpen() ? close() : open()));
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") return;
    // keep focus inside the open dialog
    const items = focusables();
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = shadow.activeElement;
    if (event.shiftKey && (active === first || !panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  });

  function announce(message) {
    status.textContent = "";
    // a fresh text node after a tick so that repeated messages are read again
    setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  // -- one question and its answer ---------------------------------------------------------------

  let current = null; // the turn being answered
  let turnCount = 0;

  class Turn {
    constructor(question) {
      this.n = ++turnCount;
      this.text = "";
      this.passages = new Map();
      this.citations = new Map();
      this.answer = null;
      this.controller = new AbortController();
      this.answerEl = el("div", { class: "answer", "aria-live": "polite", "aria-busy": "true" });
      this.body = el("div", {}, this.answerEl);
      this.working = el("div", { class: "working", "aria-hidden": "true" }, el("i"), el("i"), el("i"));
      this.list = el("ol");
      this.sourcesId = nextId("sources");
      this.sources = el(
        "section",
        { class: "sources", "aria-labelledby": this.sourcesId, hidden: true },
        el("h3", { id: this.sourcesId, text: t("sources") }),
        this.list,
      );
      this.extra = el("div");
      this.actions = el("div", { class: "actions", hidden: true });
      this.root = el(
        "article",
        { class: "turn" },
        el("p", { class: "q" }, el("span", { class: "sr", text: t("you") + " " }), question),
        this.working,
        this.body,
        this.sources,
        this.extra,
        this.actions,
      );
    }

    // the answer text: paragraphs, with [n] markers as links to footnote n
    renderText() {
      const paragraphs = this.text.split(/\n{2,}/).filter((p) => p.trim());
      const existing = this.answerEl.children;
      // finished paragraphs are kept (the live region reads additions); the last one is redrawn
      while (existing.length > paragraphs.length) existing[existing.length - 1].remove();
      paragraphs.forEach((paragraph, i) => {
        if (i < existing.length - 1 && existing[i].dataset.text === paragraph) return;
        const p = this.paragraph(paragraph);
        if (i < existing.length) existing[i].replaceWith(p);
        else this.answerEl.append(p);
      });
    }

    paragraph(value) {
      const p = el("p");
      p.dataset.text = value;
      const parts = value.split(/\[(\d+)\]/);
      parts.forEach((part, i) => {
        if (i % 2 === 0) {
          if (part) p.append(document.createTextNode(part));
          return;
        }
        const n = Number(part);
        const link = el("a", {
          class: "ref",
          href: `#${this.footnoteId(n)}`,
          "aria-label": t("source", { n }),
          text: `[${n}]`,
          onclick: (event) => {
            event.preventDefault();
            const target = shadow.getElementById(this.footnoteId(n));
            if (target) {
              target.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
              target.focus();
            }
          },
        });
        p.append(link);
      });
      return p;
    }

    footnoteId(n) {
      return `rr-t${this.n}-fn-${n}`;
    }

    // several quotes from one passage share a number: one footnote, each quote once
    addCitation(c) {
      if (!c || typeof c.n !== "number") return;
      const group = this.citations.get(c.n) || [];
      if (!group.some((g) => g.quote === c.quote)) group.push(c);
      this.citations.set(c.n, group);
      const numbers = Array.from(this.citations.keys()).sort((a, b) => a - b);
      this.list.replaceChildren(...numbers.map((n) => this.footnote(this.citations.get(n))));
      this.sources.hidden = false;
    }

    describe(c) {
      const passage = this.passages.get(c.chunk_id) || {};
      const name = displayName({ ...passage, ...c, short_title: passage.short_title });
      const where = [c.section, pages(c.page, passage.page_end)].filter(Boolean).join(", ");
      return { passage, name, where };
    }

    footnote(group) {
      const c = group[0];
      const { passage, name, where } = this.describe(c);
      const head = el(
        "p",
        { class: "fn-head" },
        name,
        where ? ` ${where}` : "",
        c.authority ? el("span", { class: "fn-kind" }, ` · ${c.authority}`) : null,
      );
      const quotes = group
        .filter((g) => g.quote)
        .map((g) => el("blockquote", { class: "quote", lang: passage.language || null }, `«${g.quote}»`));
      const links = el("p", { class: "fn-links" });
      links.append(
        el(
          "a",
          { href: passageUrl(c.source_id, c.section, c.chunk_id), target: "_blank", rel: "noopener" },
          t("view"),
          el("span", { class: "sr", text: ` – ${name} ${c.section || ""} ${t("newTab")}` }),
        ),
      );
      const official = c.url && safeUrl(c.url);
      if (official) {
        links.append(
          el(
            "a",
            { href: official, target: "_blank", rel: "noopener noreferrer" },
            t("official"),
            el("span", { class: "sr", text: ` – ${name} ${t("newTab")}` }),
          ),
        );
      }
      return el(
        "li",
        { id: this.footnoteId(c.n), value: String(c.n), tabindex: "-1" },
        head,
        ...quotes,
        links,
      );
    }

    reset() {
      this.text = "";
      this.citations.clear();
      this.answerEl.replaceChildren();
      this.list.replaceChildren();
      this.sources.hidden = true;
    }

    finish(answer) {
      this.answer = answer;
      this.working.remove();
      for (const p of answer.sources || []) this.passages.set(p.chunk_id, p);
      if (typeof answer.answer === "string" && answer.answer !== this.text) {
        this.text = answer.answer;
        this.renderText();
      }
      this.citations.clear();
      this.list.replaceChildren();
      for (const c of answer.citations || []) this.addCitation(c);
      if (answer.refused) this.showRefusal(answer);
      if (answer.verified) this.showVerified(answer.verified);
      if (answer.warnings && answer.warnings.length) {
        const ul = el("ul");
        for (const w of answer.warnings) ul.append(el("li", { text: String(w) }));
        const id = nextId("notes");
        this.extra.append(
          el("div", { class: "notes", role: "note", "aria-labelledby": id }, el("h3", { id, text: t("note") }), ul),
        );
      }
      this.answerEl.setAttribute("aria-busy", "false");
      this.showActions();
      const n = this.citations.size;
      announce(answer.refused ? t("refusedStatus") : n ? t("readyN", { n }) : t("ready"));
    }

    // a legal adviser's reviewed answer to the same question goes first, above the generated one
    showVerified(v) {
      const id = nextId("verified");
      const list = el("ol");
      for (const c of Array.isArray(v.citations) ? v.citations : []) {
        const link = el("a", { href: passageUrl(c.source_id, c.section, c.chunk_id), target: "_blank", rel: "noopener" });
        link.textContent = `${c.title || ""} ${c.section || ""}`.trim();
        list.append(el("li", {}, link));
      }
      const box = el(
        "section",
        { class: "verified", "aria-labelledby": id },
        el("h3", { id, text: String(v.label || "Kvalitetssikret svar") }),
        el("p", { class: "by", text: `${v.reviewer || ""}, ${v.reviewed || ""}` }),
        el("p", { text: String(v.answer || "") }),
        list,
      );
      this.root.insertBefore(box, this.body);
    }

    // a refusal is a neutral notice with the closest sources, not an error
    showRefusal(answer) {
      const id = nextId("refusal");
      const box = el(
        "div",
        { class: "notice refused", role: "note", "aria-labelledby": id },
        el("h3", { id, text: t("refusal") }),
        this.answerEl,
      );
      const seen = new Set();
      const ul = el("ul");
      for (const p of answer.sources || []) {
        const label = `${displayName(p)} ${p.section || ""}`.trim();
        if (seen.has(label) || seen.size >= 3) continue;
        seen.add(label);
        ul.append(
          el(
            "li",
            {},
            el(
              "a",
              { href: passageUrl(p.source_id, p.section, p.chunk_id), target: "_blank", rel: "noopener" },
              label,
              el("span", { class: "sr", text: ` ${t("newTab")}` }),
            ),
          ),
        );
      }
      if (seen.size) {
        box.append(el("div", { class: "closest" }, el("h3", { text: t("closest") }), ul));
      }
      this.body.replaceChildren(box);
    }

    showError(detail, title) {
      this.working.remove();
      this.answerEl.setAttribute("aria-busy", "false");
      this.extra.append(
        el(
          "div",
          { class: "err", role: "alert" },
          el("h3", { text: title || t("error") }),
          el("p", { text: detail || t("network") }),
        ),
      );
    }

    showActions() {
      if (!this.answer || !this.answer.id) return;
      const up = el("button", { type: "button", class: "tool", "aria-pressed": "false", title: t("up") });
      const down = el("button", { type: "button", class: "tool", "aria-pressed": "false", title: t("down") });
      up.append(icon("up"), el("span", { class: "sr", text: t("up") }));
      down.append(icon("up", true), el("span", { class: "sr", text: t("down") }));
      const rate = (rating, button, other) => {
        button.setAttribute("aria-pressed", "true");
        other.setAttribute("aria-pressed", "false");
        sendFeedback(this.answer.id, rating);
      };
      up.addEventListener("click", () => rate("up", up, down));
      down.addEventListener("click", () => rate("down", down, up));
      const groupLabel = nextId("rate");
      const copy = el("button", { type: "button", class: "tool" }, icon("copy"), el("span", { text: t("copy") }));
      copy.addEventListener("click", () => copyText(this.plainText()));
      this.actions.append(
        el(
          "div",
          { role: "group", "aria-labelledby": groupLabel, class: "rate" },
          el("span", { id: groupLabel, class: "lbl", text: t("helpful") }),
          up,
          down,
        ),
        copy,
      );
      this.actions.hidden = false;
    }

    plainText() {
      const lines = [this.text.trim()];
      if (this.citations.size) {
        lines.push("", `${t("sources")}:`);
        for (const n of Array.from(this.citations.keys()).sort((a, b) => a - b)) {
          const group = this.citations.get(n);
          const { name, where } = this.describe(group[0]);
          lines.push(`[${n}] ${name} ${where}`.trim());
          for (const c of group) if (c.quote) lines.push(`    «${c.quote}»`);
          lines.push(`    ${passageUrl(group[0].source_id, group[0].section, group[0].chunk_id)}`);
        }
      }
      return lines.join("\n");
    }
  }

  // -- talking to the service ---------------------------------------------------------------------

  function headers(extra) {
    const h = { "Accept-Language": lang, ...extra };
    if (key) h["X-API-Key"] = key;
    return h;
  }

  async function problemOf(response) {
    let detail = "";
    let title = "";
    try {
      const body = await response.json();
      detail = body && (body.detail || body.title);
      title = body && body.title;
    } catch (_) {
      /* not JSON */
    }
    if (response.status === 429) {
      const wait = Number(response.headers.get("Retry-After")) || 30;
      detail = detail || t("busy", { s: wait });
    }
    return { detail: typeof detail === "string" && detail ? detail : `HTTP ${response.status}`, title };
  }

  function handle(turn, kind, data) {
    if (kind === "sources") {
      for (const p of Array.isArray(data) ? data : []) turn.passages.set(p.chunk_id, p);
    } else if (kind === "delta") {
      turn.text += data && typeof data.text === "string" ? data.text : "";
      turn.renderText();
    } else if (kind === "citation") {
      turn.addCitation(data);
    } else if (kind === "reset") {
      turn.reset();
    } else if (kind === "done") {
      turn.finish(data || {});
      return true;
    } else if (kind === "error") {
      turn.showError(data && (data.detail || data.title));
      return true;
    }
    return false;
  }

  /** Read a text/event-stream body: blocks of `event:` and `data:` lines, blank-line separated. */
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const dispatch = (block) => {
      let kind = "message";
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") kind = value;
        else if (field === "data") data.push(value);
      }
      if (!data.length) return false;
      let parsed = null;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch (_) {
        parsed = null;
      }
      return onEvent(kind, parsed);
    };
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop();
      for (const block of blocks) {
        if (dispatch(block)) {
          reader.cancel().catch(() => {});
          return true;
        }
      }
      if (done) return buffer.trim() ? dispatch(buffer) : false;
    }
  }

  function requestBody(question) {
    const body = { question, lang };
    const asOf = isoDate(dateInput.value);
    if (asOf) body.as_of = asOf;
    return body;
  }

  async function ask(question) {
    if (current) current.controller.abort();
    intro.remove();
    const turn = new Turn(question);
    current = turn;
    log.append(turn.root);
    log.scrollTo({ top: turn.root.offsetTop - 8, behavior: reducedMotion() ? "auto" : "smooth" });
    sendBtn.setAttribute("aria-disabled", "true");
    announce(t("searching"));
    try {
      const response = await fetch(`${api}/v1/ask/stream`, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
        body: JSON.stringify(requestBody(question)),
        signal: turn.controller.signal,
      });
      if (!response.ok) {
        const problem = await problemOf(response);
        turn.showError(problem.detail, problem.title);
      } else if (!(await readEvents(response, (kind, data) => handle(turn, kind, data)))) {
        turn.showError(t("network"));
      }
    } catch (error) {
      if (error && error.name === "AbortError") {
        turn.working.remove();
        turn.answerEl.setAttribute("aria-busy", "false");
        return;
      }
      turn.showError(t("network"));
    } finally {
      if (current === turn) {
        current = null;
        sendBtn.removeAttribute("aria-disabled");
      }
    }
  }

  async function sendFeedback(answerId, rating) {
    try {
      const response = await fetch(`${api}/v1/feedback`, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ answer_id: answerId, rating }),
      });
      announce(response.ok ? t("thanks") : t("feedbackFailed"));
    } catch (_) {
      announce(t("feedbackFailed"));
    }
  }

  async function copyText(value) {
    try {
      await navigator.clipboard.writeText(value);
      announce(t("copied"));
      return;
    } catch (_) {
      /* no clipboard API here (plain http, or denied): fall back to a hidden selection */
    }
    const area = el("textarea", { class: "sr", "aria-hidden": "true", tabindex: "-1" });
    area.value = value;
    const back = shadow.activeElement;
    panel.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (_) {
      ok = false;
    }
    area.remove();
    if (back) back.focus();
    announce(ok ? t("copied") : t("copyFailed"));
  }

  // -- the form -------------------------------------------------------------------------------

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sendBtn.getAttribute("aria-disabled") === "true") return;
    const question = input.value.trim();
    if (!question) {
      announce(t("empty"));
      input.focus();
      return;
    }
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : sendBtn.click();
    }
  });
  newBtn.addEventListener("click", () => {
    if (current) current.controller.abort();
    current = null;
    sendBtn.removeAttribute("aria-disabled");
    log.replaceChildren(intro);
    input.value = "";
    announce(t("cleared"));
    input.focus();
  });

  const mount = () => document.body.append(host);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
