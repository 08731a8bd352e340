/* cs-tui website chat. One tag on the shop's pages:
 *   <script src="https://HOST/public/v1/chat/NAME/widget.js" async></script>
 * It draws itself in a Shadow DOM and talks to nothing but the server it came from.
 * Text from the server or the visitor is only ever set as text, never as HTML. */
(() => {
  "use strict";
  const PATH = /^(.*\/public\/v1\/chat\/([^/]+))\/widget\.js$/;
  const script =
    document.currentScript ||
    [...document.scripts].find((s) => PATH.test(new URL(s.src || "x:", location.href).pathname));
  const src = script && new URL(script.src, location.href);
  const found = src && src.pathname.match(PATH);
  if (!found) return;
  const NAME = decodeURIComponent(found[2]);
  const base = src.origin + found[1];
  const KEY = "cs-tui-chat:" + NAME;
  if (window[KEY]) return;
  window[KEY] = true;

  const saved = {
    get: (key, kind = localStorage) => { try { return kind.getItem(key); } catch { return null; } },
    set(key, value, kind = localStorage) {
      try { value == null ? kind.removeItem(key) : kind.setItem(key, value); } catch { /* storage refused */ }
    },
  };

  const h = (tag, props, ...kids) => {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (typeof value === "boolean") el[key] = value;
      else el.setAttribute(key, value);
    }
    for (const kid of kids) {
      if (kid != null) el.append(typeof kid === "string" ? document.createTextNode(kid) : kid);
    }
    return el;
  };
  const text = (el, value) => { el.textContent = value; return el; };
  const field = (label, props) => h("label", null, label, h("input", props));
  const honeypot = () =>
    h("div", { class: "hp", "aria-hidden": "true" },
      h("label", null, "Company", h("input", { name: "company", tabindex: "-1", autocomplete: "off" })));
  const values = (form) => Object.fromEntries(new FormData(form));
  const size = (n) =>
    n < 1024 ? n + " B"
      : n < 1048576 ? Math.round(n / 1024) + " KB"
      : (n / 1048576).toFixed(1).replace(/\.0$/, "") + " MB";
  const newId = () =>
    crypto.randomUUID ? crypto.randomUUID()
      : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

  const CSS = `
:host{all:initial}
*{box-sizing:border-box;margin:0;font:inherit;color:inherit}
[hidden]{display:none!important}
.w{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;--c:#1d4ed8}
button{cursor:pointer}
:focus-visible{outline:2px solid #f59e0b;outline-offset:2px}
.launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;
border-radius:50%;background:var(--c);color:#fff;display:grid;place-items:center;box-shadow:0 4px 14px #0004}
.launch svg{width:28px;height:28px;fill:currentColor}
.n{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;
background:#dc2626;color:#fff;font-size:12px;font-weight:700;line-height:20px}
.p{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:min(370px,calc(100vw - 24px));
height:min(560px,calc(100vh - 108px));display:flex;flex-direction:column;background:#fff;border-radius:12px;
box-shadow:0 8px 30px #0005;overflow:hidden}
@media (max-width:480px){.p{inset:0;width:auto;height:auto;border-radius:0}}
header{display:flex;align-items:center;gap:6px;padding:11px 12px 11px 16px;background:var(--c);color:#fff}
header div{flex:1;min-width:0}
.t{display:block;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.st{font-size:12px;opacity:.9}
.st::before{content:"";display:inline-block;width:8px;height:8px;margin-right:5px;border-radius:50%;
background:#cbd5e1}
.st.on::before{background:#4ade80}
header button{width:30px;height:30px;border:0;border-radius:6px;background:none;color:#fff;font-size:20px;
line-height:1}
header button:hover{background:#fff3}
.menu{position:absolute;right:12px;top:50px;z-index:1;min-width:220px;padding:4px 0;background:#fff;
border:1px solid #e2e8f0;border-radius:8px;box-shadow:0 4px 14px #0002}
.menu button{display:block;width:100%;padding:8px 14px;border:0;background:none;text-align:left}
.menu button:hover{background:#f1f5f9}
.conn{padding:4px 16px;background:#fef3c7;color:#92400e;font-size:12px}
.note{padding:8px 16px;background:#fef2f2;color:#b91c1c;font-size:13px}
.note.ok{background:#f0fdf4;color:#166534}
.v{flex:1;min-height:0;display:flex;flex-direction:column}
.log{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px}
.m{max-width:82%;display:flex;flex-direction:column;align-self:flex-start}
.m.me{align-self:flex-end;align-items:flex-end}
.b{padding:8px 11px;border-radius:14px 14px 14px 4px;background:#f1f5f9;white-space:pre-wrap;
overflow-wrap:anywhere}
.me .b{border-radius:14px 14px 4px 14px;background:var(--c);color:#fff}
.who{margin:0 4px 2px;font-size:12px;font-weight:600;color:#475569}
.s{margin:2px 4px 0;font-size:11px;color:#64748b}
.s button{padding:0;border:0;background:none;color:#b91c1c;text-decoration:underline}
.wait .b{opacity:.65}
.bad .b{opacity:1;background:#fee2e2;color:#7f1d1d}
.sys{align-self:center;max-width:90%;font-size:12px;color:#64748b;text-align:center}
.files{list-style:none;padding:0;margin-top:4px}
.files a{color:inherit}
.typing{min-height:20px;padding:0 16px;font-size:12px;font-style:italic;color:#64748b}
.end{padding:10px 16px;border-top:1px solid #e2e8f0;background:#f8fafc;text-align:center}
.end button{margin-top:6px}
.c{display:flex;align-items:flex-end;gap:6px;padding:8px 10px;border-top:1px solid #e2e8f0}
.c textarea{flex:1;min-height:38px;max-height:120px;resize:none}
.c span{align-self:center;font-size:11px;color:#64748b}
.c span.over{color:#b91c1c}
.i{padding:6px;border:0;background:none;color:#475569}
.i svg{width:20px;height:20px;fill:currentColor;display:block}
.go{padding:8px 13px;border:0;border-radius:8px;background:var(--c);color:#fff;font-weight:600}
.go:disabled{opacity:.5;cursor:default}
input,textarea{width:100%;padding:8px 9px;border:1px solid #cbd5e1;border-radius:8px;background:#fff}
.f{padding:14px 16px;overflow-y:auto;display:flex;flex-direction:column;gap:10px}
.f label{display:flex;flex-direction:column;gap:3px;font-size:13px;font-weight:600}
.f input,.f textarea{font-weight:400}
.f small{color:#64748b}
.x{display:flex;gap:6px;align-items:center;padding:8px 10px;border-top:1px solid #e2e8f0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}`;

  const icon = (d) => {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
    return svg;
  };

  // -- state
  let config = null;
  let broken = null; // [words, server's detail] when chat cannot be used here
  let token = saved.get(KEY);
  let email = "";
  let stream = null;
  let retryMs = 1000;
  let retryTimer = 0;
  let isOpen = false;
  let ended = false; // set by the server's `ended`, or by the visitor's End chat (kept for this token)
  let holdUntil = 0;
  let typedAt = 0;
  let typingSent = false;
  let typingTimer = 0;
  let readSent = 0;
  let seen = Number(saved.get(KEY + ":seen")) || 0;
  let offlineTo = "";
  const shown = new Set();
  const shownFiles = new Set();
  const agentIds = [];
  const pending = new Map(); // client_id -> {id, body, el, status, failed}
  const pendingFiles = new Map(); // file id -> element

  // -- drawing
  const host = h("cs-tui-chat");
  const root = host.attachShadow({ mode: "open" });
  const badge = h("span", { class: "n", hidden: true });
  const launch = h("button",
    { class: "launch", type: "button", "aria-label": "Chat with us", "aria-expanded": "false",
      onclick: () => (isOpen ? close() : open()) },
    icon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"), badge);
  const title = h("span", { class: "t" }, "Chat");
  const status = h("span", { class: "st" });
  const menuButton = h("button",
    { type: "button", "aria-label": "More", "aria-haspopup": "menu", "aria-expanded": "false", hidden: true,
      onclick: () => menu(menuBox.hidden) },
    "⋯");
  const closeButton = h("button", { type: "button", "aria-label": "Close chat", onclick: () => close() },
    "×");
  const endItem = h("button", { type: "button", role: "menuitem", onclick: endChat }, "End chat");
  const menuBox = h("div", { class: "menu", role: "menu", hidden: true },
    h("button", { type: "button", role: "menuitem", onclick: askTranscript }, "Email me this conversation"),
    endItem);
  const conn = h("div", { class: "conn", role: "status", hidden: true }, "reconnecting…");
  const note = h("div", { class: "note", role: "alert", hidden: true });

  const loading = h("div", { class: "v f" }, "Loading…");
  const unavailable = h("div", { class: "v f" });

  const preGreeting = h("p");
  const preForm = h("form", { class: "v f", onsubmit: startChat }, preGreeting,
    field("Your name", { name: "name", autocomplete: "name", maxlength: "200" }),
    field("Email", { name: "email", type: "email", autocomplete: "email" }),
    field("Phone", { name: "phone", type: "tel", autocomplete: "tel" }),
    h("small", null, "Email or phone, so we can answer if you leave; both optional."),
    honeypot(),
    h("button", { class: "go", type: "submit" }, "Start chat"));

  const awayText = h("p");
  const offlineForm = h("form", { class: "v f", onsubmit: leaveMessage }, awayText,
    field("Your name", { name: "name", autocomplete: "name", required: true }),
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true }),
    h("label", null, "Message", h("textarea", { name: "message", rows: "5", required: true })),
    honeypot(),
    h("button", { class: "go", type: "submit" }, "Send"));
  const offlineDone = h("div", { class: "v f", role: "status" });

  const greeting = h("div", { class: "m", hidden: true }, h("div", { class: "b" }));
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" },
    greeting);
  const typing = h("div", { class: "typing", "aria-live": "polite" });
  const restart = h("button",
    { class: "go", type: "button", onclick: () => { forget(); show(); focusIn(); } },
    "Start a new chat");
  const endBox = h("div", { class: "end", hidden: true }, h("div", null, "This chat has ended"), restart);
  const box = h("textarea", { rows: "1", "aria-label": "Write a message", placeholder: "Write a message…",
    onkeydown: keyInBox, oninput: typed, onblur: stopTyping });
  const counter = h("span", { hidden: true });
  const picker = h("input", { type: "file", hidden: true, onchange: attach });
  const sendButton = h("button", { class: "go", type: "submit" }, "Send");
  const compose = h("form", { class: "c", onsubmit: (e) => { e.preventDefault(); send(); } },
    h("button", { class: "i", type: "button", "aria-label": "Attach a file", onclick: () => picker.click() },
      icon("M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5" +
        "a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z")),
    picker, box, counter, sendButton);
  const transcriptEmail = h("input",
    { type: "email", name: "email", required: true, "aria-label": "Your email", placeholder: "Your email" });
  const transcriptForm = h("form", { class: "x", hidden: true, onsubmit: sendTranscript }, transcriptEmail,
    h("button", { class: "go", type: "submit" }, "Send"),
    h("button",
      { class: "i", type: "button", "aria-label": "Cancel", onclick: () => (transcriptForm.hidden = true) },
      "×"));
  const chat = h("div", { class: "v" }, log, typing, endBox, transcriptForm, compose);

  const views = [loading, unavailable, preForm, offlineForm, offlineDone, chat];
  const panel = h("section",
    { class: "p", role: "dialog", "aria-label": "Chat", hidden: true, onkeydown: escapeKey },
    h("header", null, h("div", null, title, status), menuButton, closeButton), menuBox, conn, note, ...views);
  try {
    // A constructed sheet passes a shop's Content-Security-Policy that forbids inline <style>.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h("style", null, CSS));
  }
  root.append(h("div", { class: "w" }, launch, panel));

  function say(words, ok) {
    text(note, words || "").hidden = !words;
    note.className = ok ? "note ok" : "note";
  }

  function show() {
    const view = broken ? unavailable : !config ? loading : token ? chat : offlineTo ? offlineDone
      : config.online ? preForm : offlineForm;
    for (const v of views) v.hidden = v !== view;
    menuButton.hidden = view !== chat;
    endItem.hidden = ended;
    if (view !== chat) menu(false);
  }

  function applyConfig() {
    const c = config;
    text(title, c.title || "Chat");
    panel.setAttribute("aria-label", c.title || "Chat");
    online(c.online);
    text(preGreeting, c.greeting || "");
    text(greeting.firstChild, c.greeting || "");
    greeting.hidden = !c.greeting;
    text(awayText, c.away || "We are away. Leave a message and we will answer by email.");
    box.maxLength = c.limits.message_chars;
    picker.accept = c.limits.file_types.join(",");
  }

  function online(on) {
    if (config) config.online = on;
    text(status, on ? "online" : "away").className = on ? "st on" : "st";
  }

  function menu(wanted) {
    menuBox.hidden = !wanted;
    menuButton.setAttribute("aria-expanded", String(wanted));
    if (wanted) menuBox.querySelector("button:not([hidden])").focus();
  }

  function focusIn() {
    const view = views.find((v) => !v.hidden);
    const target =
      view === chat ? (ended ? restart : box) : view.querySelector("input:not([tabindex]),textarea");
    (target || closeButton).focus();
  }

  function open(focus = true) {
    isOpen = true;
    panel.hidden = false;
    launch.setAttribute("aria-expanded", "true");
    saved.set(KEY + ":open", "1", sessionStorage);
    if (!config) loadConfig();
    if (focus) focusIn();
    log.scrollTop = log.scrollHeight;
    markRead();
  }

  function close() {
    isOpen = false;
    panel.hidden = true;
    menu(false);
    stopTyping();
    launch.setAttribute("aria-expanded", "false");
    saved.set(KEY + ":open", null, sessionStorage);
    launch.focus();
  }

  function escapeKey(event) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (!menuBox.hidden) { menu(false); menuButton.focus(); } else close();
  }

  // -- talking to the server
  async function api(path, body, withToken = true) {
    const init = { method: body === undefined ? "GET" : "POST", headers: {}, credentials: "omit" };
    const sent = withToken ? token : null;
    if (sent) init.headers.Authorization = "Bearer " + sent;
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let answer;
    try {
      answer = await fetch(base + path, init);
    } catch {
      const words = "The chat cannot be reached just now. Check your connection and try again.";
      throw Object.assign(new Error(words), { status: 0 });
    }
    if (answer.ok) return answer.status === 204 ? null : answer.json().catch(() => null);
    const problem = await answer.json().catch(() => ({}));
    const error = new Error(
      problem.detail || problem.title || `The chat answered with an error (${answer.status}).`);
    error.status = answer.status;
    error.wait = Number(answer.headers.get("Retry-After")) || 10;
    if (answer.status === 401 && sent && sent === token) {
      forget();
      show();
      say(error.message);
    }
    throw error;
  }

  function hold(error, button) {
    say(error.message);
    holdUntil = Date.now() + error.wait * 1000;
    button.disabled = true;
    setTimeout(() => {
      button.disabled = false;
      if (note.textContent === error.message) say("");
    }, error.wait * 1000);
  }

  async function loadConfig() {
    try {
      config = await api("/config", undefined, false);
      broken = null;
      applyConfig();
    } catch (error) {
      const refused = error.status === 403 || error.status === 404;
      broken = refused
        ? "Chat is not available here."
        : "Chat cannot be reached just now. Please try again later.";
      unavailable.replaceChildren(h("p", null, broken), h("p", null, h("small", null, error.message)));
      if (!refused) config = null;
    }
    show();
  }

  async function startChat(event) {
    event.preventDefault();
    const form = values(preForm);
    const button = preForm.querySelector(".go");
    button.disabled = true;
    try {
      const session = await api("/session", form, false);
      token = session.token;
      saved.set(KEY, token);
      email = form.email;
      say("");
      show();
      connect();
      focusIn();
    } catch (error) {
      if (error.status === 429) return hold(error, button);
      if (error.status === 403) refuse(error);
      say(error.message);
    }
    button.disabled = false;
  }

  function refuse(error) {
    broken = "Chat is not available here.";
    unavailable.replaceChildren(h("p", null, broken), h("p", null, h("small", null, error.message)));
    show();
  }

  async function leaveMessage(event) {
    event.preventDefault();
    const form = values(offlineForm);
    const button = offlineForm.querySelector(".go");
    button.disabled = true;
    try {
      await api("/offline", form, false);
      offlineTo = form.email;
      text(offlineDone, `Thanks — we will answer by email at ${form.email}.`);
      say("");
      show();
    } catch (error) {
      if (error.status === 429) return hold(error, button);
      say(error.message);
    }
    button.disabled = false;
  }

  function forget() {
    token = null;
    saved.set(KEY, null);
    if (stream) stream.close();
    stream = null;
    clearTimeout(retryTimer);
    conn.hidden = true;
    ended = false;
    endBox.hidden = true;
    compose.hidden = false;
    transcriptForm.hidden = true;
    text(typing, "");
    shown.clear();
    shownFiles.clear();
    agentIds.length = 0;
    pending.clear();
    pendingFiles.clear();
    readSent = 0;
    seen = 0;
    saved.set(KEY + ":seen", null);
    saved.set(KEY + ":ended", null);
    unread();
    log.replaceChildren(greeting);
  }

  // -- the live stream
  function connect() {
    if (stream || !token || document.hidden) return;
    const source = new EventSource(base + "/events?token=" + encodeURIComponent(token));
    stream = source;
    const on = (kind, handle) =>
      source.addEventListener(kind, (event) => {
        if (stream !== source) return;
        let data;
        try { data = JSON.parse(event.data); } catch { return; }
        if (data) handle(data);
      });
    source.onopen = () => {
      retryMs = 1000;
      conn.hidden = true;
      if (!config) loadConfig();
      for (const item of pending.values()) if (item.failed === 0) deliver(item);
    };
    source.onerror = () => {
      if (stream !== source) return;
      conn.hidden = false;
      if (source.readyState === EventSource.CLOSED) {
        stream = null;
        retryTimer = setTimeout(probe, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      }
    };
    on("message", received);
    on("typing", (d) => {
      clearTimeout(typingTimer);
      const writing = d.typing && d.name;
      text(typing, writing ? `${d.name} is typing…` : "");
      if (writing) typingTimer = setTimeout(() => text(typing, ""), 6000);
    });
    on("ended", finish);
    on("online", (d) => online(!!d.online));
  }

  async function probe() {
    // The browser gave up on the stream (an HTTP error): a 401 means the session is over.
    if (!token || document.hidden) return;
    try {
      await api("/typing", { typing: false });
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 403) return refuse(error);
    }
    connect();
  }

  function received(m) {
    if (typeof m.id !== "number" || shown.has(m.id)) return;
    shown.add(m.id);
    // The visitor's own message, back from the server: by its client_id, or by the id the POST answered.
    const waiting = pending.get(m.client_id) || [...pending.values()].find((item) => item.stored === m.id);
    if (waiting) {
      waiting.el.remove();
      pending.delete(waiting.id);
    }
    const nearEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const el = draw(m);
    const after = [...log.querySelectorAll("[data-id]")].find((other) => Number(other.dataset.id) > m.id);
    log.insertBefore(el, after || log.querySelector(".wait") || null);
    for (const id of [m.id, ...(m.files || []).map((file) => file.id)]) {
      shownFiles.add(id);
      pendingFiles.get(id)?.remove();
      pendingFiles.delete(id);
    }
    if (m.from === "agent") {
      agentIds.push(m.id);
      clearTimeout(typingTimer);
      text(typing, "");
    }
    if (nearEnd || m.from === "visitor") log.scrollTop = log.scrollHeight;
    unread();
    markRead();
  }

  function draw(m) {
    if (m.from === "system") return h("div", { class: "sys", "data-id": m.id }, String(m.body));
    const at = new Date(m.at);
    const files = (m.files || []).map((f) =>
      h("li", null,
        h("a", { href: `${base}/files/${Number(f.id)}?token=${encodeURIComponent(token)}`, download: "" },
          String(f.name)),
        ` (${size(Number(f.size) || 0)})`));
    return h("div", { class: m.from === "visitor" ? "m me" : "m", "data-id": m.id },
      m.from === "agent" ? h("div", { class: "who" }, String(m.name || "")) : null,
      m.body ? h("div", { class: "b" }, String(m.body)) : null,
      files.length ? h("ul", { class: "files" }, ...files) : null,
      isNaN(at) ? null
        : h("time", { class: "s", datetime: String(m.at) },
          at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })));
  }

  function unread() {
    const count = agentIds.filter((id) => id > seen).length;
    text(badge, count > 9 ? "9+" : String(count)).hidden = !count;
  }

  function markRead() {
    if (!isOpen || document.hidden || !token || !agentIds.length) return;
    const last = Math.max(...agentIds);
    if (last > seen) {
      seen = last;
      saved.set(KEY + ":seen", String(seen));
      unread();
    }
    if (last > readSent) {
      readSent = last;
      api("/read", { up_to: last }).catch(() => {});
    }
  }

  // -- writing
  function keyInBox(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  }

  function typed() {
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px";
    const limit = config ? config.limits.message_chars : 0;
    const length = box.value.length;
    text(counter, `${length}/${limit}`).hidden = !limit || length < limit * 0.8;
    counter.className = length >= limit ? "over" : "";
    if (!token || ended || !box.value.trim() || Date.now() - typedAt < 3000) return;
    typedAt = Date.now();
    typingSent = true;
    api("/typing", { typing: true }).catch(() => {});
  }

  function stopTyping() {
    if (!typingSent || !token) return;
    typingSent = false;
    typedAt = 0;
    api("/typing", { typing: false }).catch(() => {});
  }

  function send() {
    const body = box.value.trim();
    if (!body || !token || ended || Date.now() < holdUntil) return;
    box.value = "";
    typed();
    stopTyping();
    const item = { id: newId(), body, status: h("div", { class: "s" }) };
    item.el = h("div", { class: "m me wait" }, h("div", { class: "b" }, body), item.status);
    pending.set(item.id, item);
    log.append(item.el);
    log.scrollTop = log.scrollHeight;
    deliver(item);
  }

  async function deliver(item) {
    item.failed = undefined;
    item.el.className = "m me wait";
    text(item.status, "sending…");
    try {
      const { id } = (await api("/messages", { body: item.body, client_id: item.id })) || {};
      if (shown.has(id)) {
        item.el.remove();
        pending.delete(item.id);
      } else {
        item.stored = id;
        text(item.status, "sent");
      }
    } catch (error) {
      if (!pending.has(item.id)) return;
      if (error.status === 429) {
        pending.delete(item.id);
        item.el.remove();
        box.value = box.value ? item.body + "\n" + box.value : item.body;
        typed();
        return hold(error, sendButton);
      }
      item.failed = error.status;
      item.el.className = "m me wait bad";
      item.status.replaceChildren("not sent — ",
        h("button", { type: "button", onclick: () => deliver(item) }, "retry"),
        h("div", null, error.message));
    }
  }

  function finish() {
    ended = true;
    endBox.hidden = false;
    compose.hidden = true;
    transcriptForm.hidden = true;
    text(typing, "");
    show();
  }

  function allowed(file) {
    const type = (file.type || "").toLowerCase();
    const name = file.name.toLowerCase();
    return config.limits.file_types.some((kind) => {
      kind = kind.toLowerCase();
      return kind === type || (kind.endsWith("/*") && type.startsWith(kind.slice(0, -1))) ||
        (kind.startsWith(".") && name.endsWith(kind));
    });
  }

  async function attach() {
    const file = picker.files[0];
    picker.value = "";
    if (!file || !config || !token) return;
    const limits = config.limits;
    if (file.size > limits.file_bytes) {
      return say(
        `“${file.name}” is ${size(file.size)}; files of at most ${size(limits.file_bytes)} can be sent.`);
    }
    if (limits.file_types.length && !allowed(file)) {
      const kinds = limits.file_types.map((kind) =>
        kind === "text/plain" ? "text" : kind.replace(/^(.*)\/\*$/, "$1").replace(/^.*\//, "").toUpperCase());
      return say(`“${file.name}” cannot be sent: you can send ${kinds.join(", ")} files.`);
    }
    const line = h("div", { class: "m me wait" },
      h("div", { class: "b" }, `${file.name} (${size(file.size)})`),
      h("div", { class: "s" }, "sending…"));
    log.append(line);
    log.scrollTop = log.scrollHeight;
    const form = new FormData();
    form.append("file", file);
    try {
      const { id } = (await api("/files", form)) || {};
      if (shownFiles.has(id)) line.remove();
      else pendingFiles.set(id, line);
      say("");
    } catch (error) {
      line.remove();
      if (error.status === 429) hold(error, sendButton);
      else say(error.message);
    }
  }

  // -- the menu
  function askTranscript() {
    menu(false);
    transcriptForm.hidden = false;
    transcriptEmail.value = transcriptEmail.value || email || "";
    transcriptEmail.focus();
  }

  async function sendTranscript(event) {
    event.preventDefault();
    const address = transcriptEmail.value.trim();
    try {
      await api("/transcript", { email: address });
      transcriptForm.hidden = true;
      say(`We will email this conversation to ${address}.`, true);
    } catch (error) {
      say(error.message);
    }
  }

  async function endChat() {
    menu(false);
    try {
      await api("/end", {});
      saved.set(KEY + ":ended", token);
      finish();
      restart.focus();
    } catch (error) {
      say(error.message);
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      // Browsers allow a few connections per server: a hidden tab gives its one back.
      if (stream) stream.close();
      stream = null;
      clearTimeout(retryTimer);
    } else {
      connect();
      markRead();
    }
  });

  const start = () => {
    document.body.append(host);
    show();
    loadConfig();
    if (token && saved.get(KEY + ":ended") === token) finish();
    connect();
    if (saved.get(KEY + ":open", sessionStorage)) open(false);
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
