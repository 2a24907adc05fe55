#include "device/web_page.h"

namespace sipreg::device {
namespace {

constexpr std::string_view kLoginHtml = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sipreg-device: log in</title>
<link rel="stylesheet" href="/app.css">
</head>
<body class="login">
<header class="top"><h1>sipreg-device</h1></header>
<main>
<form class="login-form" method="post" action="/login">
  <h2>Log in</h2>
  <p class="error" role="alert">{{MESSAGE}}</p>
  <label for="username">User</label>
  <input id="username" name="username" value="admin" autocomplete="username" readonly>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" autofocus required>
  <button type="submit">Log in</button>
</form>
</main>
</body>
</html>
)html";

constexpr std::string_view kPageHtml = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{CSRF}}">
<title>sipreg-device</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>sipreg-device</h1>
  <form method="post" action="/logout" class="logout">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <button type="submit">Log out</button>
  </form>
</header>

<nav class="tabs" role="tablist" aria-label="Sections">
  <button type="button" role="tab" data-tab="status">Status</button>
  <button type="button" role="tab" data-tab="basic">Basic Settings</button>
  <button type="button" role="tab" data-tab="advanced">Advanced Settings</button>
  <button type="button" role="tab" data-tab="features">Additional Features</button>
  <button type="button" role="tab" data-tab="system">System</button>
</nav>
<nav class="subtabs" role="tablist" data-for="basic" aria-label="Basic Settings" hidden>
  <button type="button" role="tab" data-panel="basic-sip">SIP</button>
</nav>
<nav class="subtabs" role="tablist" data-for="advanced" aria-label="Advanced Settings" hidden>
  <button type="button" role="tab" data-panel="advanced-sip">Advanced SIP</button>
</nav>
<nav class="subtabs" role="tablist" data-for="features" aria-label="Additional Features" hidden>
  <button type="button" role="tab" data-panel="features-page">More Page Extensions</button>
  <button type="button" role="tab" data-panel="features-ring">More Ring Extensions</button>
  <button type="button" role="tab" data-panel="features-alerts">Emergency Alerts</button>
</nav>
<nav class="subtabs" role="tablist" data-for="system" aria-label="System" hidden>
  <button type="button" role="tab" data-panel="system-log">System Log</button>
</nav>

<main>
<p id="load-error" class="banner bad" role="alert" hidden></p>

<section id="status" class="panel" role="tabpanel" aria-label="Status" hidden>
  <h2>SIP Registration</h2>
  <div class="scroll">
  <table class="grid" id="status-table">
    <thead><tr><th>Type</th><th>Extension</th><th>Auth ID</th><th>Status</th>
      <th>Code/Reason</th><th>Detail</th><th>Expires in</th><th>Server</th></tr></thead>
    <tbody id="status-rows"></tbody>
  </table>
  </div>
  <p class="hint" id="status-updated" role="status"></p>
</section>

<section id="basic-sip" class="panel" role="tabpanel" aria-label="SIP" hidden>
  <form class="settings">
    <h2>SIP</h2>
    <fieldset>
      <legend>SIP Account</legend>
      <label for="sip-server">SIP Domain (Proxy Server)</label>
      <input id="sip-server" data-key="sip.server" placeholder="pbx.example.com or 192.0.2.10:5060" autocomplete="off">
    </fieldset>
    <fieldset>
      <legend>Page Extension</legend>
      <label for="page-enabled">Enabled</label>
      <input id="page-enabled" type="checkbox" data-ext="page" data-field="enabled">
      <label for="page-extension">Page Extension</label>
      <input id="page-extension" data-ext="page" data-field="extension" autocomplete="off">
      <label for="page-auth-id">Authentication ID</label>
      <input id="page-auth-id" data-ext="page" data-field="auth_id" placeholder="same as the extension" autocomplete="off">
      <label for="page-password">Password</label>
      <span class="secret">
        <input id="page-password" type="password" data-ext="page" data-field="password" autocomplete="new-password">
        <button type="button" class="reveal" aria-label="Reveal password" aria-pressed="false" title="Reveal password">&#x27F3;</button>
      </span>
    </fieldset>
    <div class="actions"><button type="submit" class="save">Save</button> <span class="save-msg" role="status"></span></div>
  </form>
</section>

<section id="advanced-sip" class="panel" role="tabpanel" aria-label="Advanced SIP" hidden>
  <form class="settings">
    <h2>Advanced SIP</h2>
    <fieldset>
      <legend>Server</legend>
      <label for="sip-outbound-proxy">Outbound Proxy</label>
      <input id="sip-outbound-proxy" data-key="sip.outbound_proxy" placeholder="none" autocomplete="off">
      <label for="sip-transport">SIP Transportation Method</label>
      <select id="sip-transport" data-key="sip.transport">
        <option value="auto">Auto</option><option value="udp">UDP</option>
        <option value="tcp">TCP</option><option value="tls">TLS</option>
      </select>
      <label for="sip-tls-verify">TLS: verify the server certificate</label>
      <input id="sip-tls-verify" type="checkbox" data-key="sip.tls_verify">
      <label for="sip-local-port">Local SIP Port</label>
      <input id="sip-local-port" type="number" min="0" max="65535" data-key="sip.local_port" data-number>
    </fieldset>
    <fieldset>
      <legend>Registration</legend>
      <label for="sip-expires">Register Period (seconds)</label>
      <input id="sip-expires" type="number" min="1" data-key="sip.expires" data-number>
      <label for="sip-register-rate">Register rate (REGISTERs per second)</label>
      <input id="sip-register-rate" type="number" min="1" data-key="sip.register_rate" data-number>
      <label for="sip-keepalive">Keep-Alive Method</label>
      <select id="sip-keepalive" data-key="sip.keepalive">
        <option value="double-crlf">Double CRLF</option><option value="options">SIP OPTIONS</option>
        <option value="off">Off</option>
      </select>
      <label for="sip-keepalive-interval">Keep-Alive Interval (seconds)</label>
      <input id="sip-keepalive-interval" type="number" min="1" data-key="sip.keepalive_interval" data-number>
    </fieldset>
    <div class="actions"><button type="submit" class="save">Save</button> <span class="save-msg" role="status"></span></div>
  </form>
</section>

<section id="features-page" class="panel" role="tabpanel" aria-label="More Page Extensions" hidden>
  <form class="settings">
    <h2>More Page Extensions</h2>
    <p class="hint">Each extension registers on its own; the primary one is under Basic Settings &rarr; SIP.</p>
    <div class="scroll"><table class="grid edit" data-list="page"></table></div>
    <p><button type="button" class="add" data-add="page">Add page extension</button></p>
    <div class="actions"><button type="submit" class="save">Save</button> <span class="save-msg" role="status"></span></div>
  </form>
</section>

<section id="features-ring" class="panel" role="tabpanel" aria-label="More Ring Extensions" hidden>
  <form class="settings">
    <h2>More Ring Extensions</h2>
    <p class="hint">A ring extension plays its audio file when called (ring or hunt group member).</p>
    <div class="scroll"><table class="grid edit" data-list="ring"></table></div>
    <p><button type="button" class="add" data-add="ring">Add ring extension</button></p>
    <div class="actions"><button type="submit" class="save">Save</button> <span class="save-msg" role="status"></span></div>
  </form>
</section>

<section id="features-alerts" class="panel" role="tabpanel" aria-label="Emergency Alerts" hidden>
  <form class="settings">
    <h2>Emergency Alerts</h2>
    <p class="hint">Dialling an alert extension plays its announcement for a set duration, or until the Call-to-Cancel extension is dialled.</p>
    <div data-list="alert"></div>
    <p><button type="button" class="add" data-add="alert">Add emergency alert</button></p>
    <div class="actions"><button type="submit" class="save">Save</button> <span class="save-msg" role="status"></span></div>
  </form>
</section>

<section id="system-log" class="panel" role="tabpanel" aria-label="System Log" hidden>
  <h2>System Log</h2>
  <div class="log" id="log-box" tabindex="0">
    <table class="grid log-table"><tbody id="log-rows"></tbody></table>
  </div>
  <p class="hint">Newest at the bottom; refreshes every 2 seconds.</p>
</section>
</main>
</body>
</html>
)html";

constexpr std::string_view kCss = R"css(
:root { --blue: #0b4f8a; --line: #c8d1da; --ok: #1d7a32; --bad: #b3261e; --pending: #a86400; --off: #6b7280; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; background: #f3f5f7; }
header.top { display: flex; align-items: center; justify-content: space-between; background: var(--blue); color: #fff; padding: 0.6rem 1.2rem; }
header.top h1 { margin: 0; font-size: 1.3rem; letter-spacing: 0.02em; }
header.top .logout button { background: transparent; color: #fff; border: 1px solid #fff8; }
nav.tabs, nav.subtabs { display: flex; flex-wrap: wrap; gap: 2px; padding: 0 1.2rem; background: #dfe6ee; }
nav.subtabs { background: #eef2f6; border-bottom: 1px solid var(--line); }
nav [role=tab] { border: 0; border-radius: 0; background: transparent; padding: 0.6rem 0.9rem; cursor: pointer; font: inherit; color: #1b1f24; }
nav [role=tab][aria-selected=true] { background: #fff; color: var(--blue); font-weight: 600; }
nav.subtabs [role=tab][aria-selected=true] { background: transparent; border-bottom: 3px solid var(--blue); }
main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
h2 { font-size: 1.1rem; color: var(--blue); margin: 0.2rem 0 0.8rem; }
fieldset { border: 1px solid var(--line); background: #fff; margin: 0 0 1rem; padding: 0.8rem 1rem; display: grid; grid-template-columns: minmax(12rem, max-content) minmax(14rem, 26rem); gap: 0.5rem 1rem; align-items: center; }
legend { font-weight: 600; padding: 0 0.3rem; }
input, select, button { font: inherit; }
input:not([type=checkbox]), select { padding: 0.3rem 0.4rem; border: 1px solid #9aa7b4; border-radius: 3px; width: 100%; }
input[type=checkbox] { justify-self: start; width: 1.1rem; height: 1.1rem; }
button { padding: 0.35rem 0.9rem; border: 1px solid var(--blue); border-radius: 3px; background: #fff; color: var(--blue); cursor: pointer; }
button.save { background: var(--blue); color: #fff; }
button.reveal { padding: 0.2rem 0.5rem; border-radius: 50%; background: var(--blue); color: #fff; }
button.reveal[aria-pressed=true] { background: #fff; color: var(--blue); }
button.remove { border-color: var(--bad); color: var(--bad); }
.secret { display: flex; gap: 0.3rem; align-items: center; }
.actions { display: flex; gap: 0.8rem; align-items: center; }
.save-msg.ok { color: var(--ok); font-weight: 600; }
.save-msg.bad { color: var(--bad); font-weight: 600; white-space: pre-wrap; }
.scroll { overflow-x: auto; }
table.grid { border-collapse: collapse; background: #fff; width: 100%; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
table.grid th { background: #e9eef3; font-weight: 600; }
table.edit td input:not([type=checkbox]) { min-width: 8rem; }
td.status { font-weight: 600; color: #fff; white-space: nowrap; }
td.status.ok { background: var(--ok); }
td.status.bad { background: var(--bad); }
td.status.pending { background: var(--pending); }
td.status.off { background: var(--off); }
td.detail { max-width: 28rem; }
.hint { color: #56616d; }
.banner { padding: 0.5rem 0.8rem; border-radius: 3px; }
.banner.bad { background: #fde8e7; color: var(--bad); }
fieldset.alert { grid-template-columns: repeat(2, minmax(11rem, max-content) minmax(10rem, 18rem)); }
fieldset.alert .row-actions { grid-column: 1 / -1; }
.log { background: #fff; border: 1px solid var(--line); height: 65vh; overflow-y: auto; }
.log-table td { font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; border-width: 0 0 1px 0; white-space: pre-wrap; }
.log-table td.time, .log-table td.level { width: 1%; white-space: nowrap; }
.log-table td.time { color: #56616d; }
.log-table tr.warning td.level { color: var(--pending); font-weight: 600; }
.log-table tr.error td.level { color: var(--bad); font-weight: 600; }
body.login main { display: flex; justify-content: center; padding-top: 4rem; }
.login-form { background: #fff; border: 1px solid var(--line); padding: 1.5rem; display: grid; gap: 0.5rem; width: 20rem; }
.login-form .error { color: var(--bad); font-weight: 600; margin: 0; }
.login-form .error:empty { display: none; }
.login-form button { background: var(--blue); color: #fff; margin-top: 0.5rem; }
)css";

// Everything received from the device goes into the DOM as text (textContent,
// .value, setAttribute on data-*), never as markup.
constexpr std::string_view kJs = R"js('use strict';
(() => {
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const STATUS_CLASS = {
    'Successful': 'ok', 'Rejected by Server': 'bad', 'No reply from server': 'bad',
    'Registering': 'pending', 'Disabled': 'off',
  };

  // el('td', {text: 'x', 'data-id': id}, [children]) -- text only, never HTML.
  function el(tag, props = {}, children = []) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role') e.setAttribute(k, String(v));
      else e[k] = v;
    }
    for (const c of children) e.append(c);
    return e;
  }

  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { 'X-Requested-With': 'sipreg-ui' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.headers['X-CSRF-Token'] = csrf;
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    if (res.status === 401) {  // session expired or password changed: back to the login form
      location.reload();
      throw new Error('logged out');
    }
    let data = null;
    try { data = await res.json(); } catch (_) { /* not JSON */ }
    return { status: res.status, data };
  }

  // ---- tabs ---------------------------------------------------------------
  const lastPanel = {};
  function show(panelId) {
    const target = document.getElementById(panelId);
    if (!target || !target.classList.contains('panel')) panelId = 'status';
    const tab = panelId.split('-')[0];
    lastPanel[tab] = panelId;
    for (const b of $$('nav.tabs [role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    for (const n of $$('nav.subtabs')) n.hidden = n.dataset.for !== tab;
    for (const b of $$('nav.subtabs [role=tab]')) b.setAttribute('aria-selected', String(b.dataset.panel === panelId));
    for (const p of $$('section.panel')) p.hidden = p.id !== panelId;
    if (location.hash !== '#' + panelId) history.replaceState(null, '', '#' + panelId);
    if (panelId === 'status') pollStatus();
    if (panelId === 'system-log') pollLog();
  }
  for (const b of $$('nav.tabs [role=tab]')) {
    b.addEventListener('click', () => {
      const first = $(`nav.subtabs[data-for="${b.dataset.tab}"] [role=tab]`);
      show(lastPanel[b.dataset.tab] || (first ? first.dataset.panel : b.dataset.tab));
    });
  }
  for (const b of $$('nav.subtabs [role=tab]')) b.addEventListener('click', () => show(b.dataset.panel));

  // ---- Status ---------------------------------------------------------------
  let statusBusy = false;
  function codeReason(r) {
    if (r.code) return r.reason ? `${r.code} ${r.reason}` : String(r.code);
    return r.reason || '';
  }
  function renderStatus(regs) {
    const rows = regs.map((r) => el('tr', { 'data-id': r.id }, [
      el('td', { text: r.type }),
      el('td', { text: r.extension }),
      el('td', { text: r.auth_id }),
      el('td', { class: 'status ' + (STATUS_CLASS[r.status] || 'off'), text: r.status }),
      el('td', { text: codeReason(r) }),
      el('td', { class: 'detail', text: r.detail }),
      el('td', { text: r.expires_in === null || r.expires_in === undefined ? '\u2014' : `${r.expires_in} s` }),
      el('td', { text: r.server }),
    ]));
    if (!rows.length) rows.push(el('tr', {}, [el('td', { colSpan: 8, text: 'No extensions configured.' })]));
    $('#status-rows').replaceChildren(...rows);
  }
  async function pollStatus() {
    if (statusBusy) return;
    statusBusy = true;
    try {
      const r = await api('GET', '/api/status');
      if (r.status === 200 && r.data && Array.isArray(r.data.registrations)) {
        renderStatus(r.data.registrations);
        $('#status-updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
      } else {
        $('#status-updated').textContent = `Status unavailable (HTTP ${r.status})`;
      }
    } catch (e) {
      $('#status-updated').textContent = 'Cannot reach the device: ' + e.message;
    } finally {
      statusBusy = false;
    }
  }

  // ---- System Log -----------------------------------------------------------
  let logSeq = 0;
  let logBusy = false;
  const LOG_KEEP = 2000;
  async function pollLog() {
    if (logBusy) return;
    logBusy = true;
    try {
      const r = await api('GET', '/api/log?after=' + logSeq);
      if (r.status !== 200 || !r.data || !Array.isArray(r.data.entries) || !r.data.entries.length) return;
      const box = $('#log-box');
      const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 30;
      const tbody = $('#log-rows');
      for (const e of r.data.entries) {
        tbody.append(el('tr', { class: e.level === 'warning' || e.level === 'error' ? e.level : 'info' }, [
          el('td', { class: 'time', text: e.time }),
          el('td', { class: 'level', text: e.level }),
          el('td', { text: e.text }),
        ]));
        logSeq = Math.max(logSeq, Number(e.seq) || 0);
      }
      while (tbody.rows.length > LOG_KEEP) tbody.deleteRow(0);
      if (atBottom) box.scrollTop = box.scrollHeight;
    } catch (_) {
      /* try again on the next tick */
    } finally {
      logBusy = false;
    }
  }

  // ---- Settings ---------------------------------------------------------------
  // The JSON of GET /api/config, edited in place by the forms and PUT back whole.
  let config = null;
  const createdHere = new Set();  // extension ids added in this page and not yet saved

  function getPath(obj, path) {
    return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
  }
  function setPath(obj, path, value) {
    const keys = path.split('.');
    let o = obj;
    for (const k of keys.slice(0, -1)) o = (o[k] = o[k] || {});
    o[keys[keys.length - 1]] = value;
  }
  function findExt(id) { return (config.extensions || []).find((x) => x.id === id); }
  function typeOf(id) { return id.split('.')[0]; }
  function newExt(id) {
    const ext = { id, type: typeOf(id), enabled: true, extension: '', auth_id: '', password: '', audio: '' };
    if (ext.type === 'alert') {
      // duration: seconds, or "until-cancelled" (then a Call-to-Cancel extension is needed)
      Object.assign(ext, { duration: 30, cancel_extension: '', cancel_auth_id: '',
        cancel_password: '', answer: false, access_code: '' });
    }
    return ext;
  }
  function numberOrText(v) { return /^\d+$/.test(v) ? Number(v) : v; }
  function readInput(input) {
    if (input.type === 'checkbox') return input.checked;
    if (input.hasAttribute('data-number')) return numberOrText(input.value.trim());
    return input.value;
  }
  function writeInput(input, v) {
    if (input.type === 'checkbox') input.checked = Boolean(v);
    else input.value = v === undefined || v === null ? '' : String(v);
  }

  // Basic / Advanced SIP: inputs name their place with data-key="sip.server" or
  // data-ext="page" data-field="password".
  function fillFixedFields() {
    for (const input of $$('[data-key]')) writeInput(input, getPath(config, input.dataset.key));
    for (const input of $$('[data-ext]')) {
      const ext = findExt(input.dataset.ext);
      const v = ext ? ext[input.dataset.field] : (input.dataset.field === 'enabled' ? true : '');
      writeInput(input, v);
    }
  }
  function onFixedInput(ev) {
    const input = ev.target;
    if (!config) return;
    if (input.dataset.key) setPath(config, input.dataset.key, readInput(input));
    if (input.dataset.ext) {
      let ext = findExt(input.dataset.ext);
      if (!ext) {
        ext = newExt(input.dataset.ext);
        (config.extensions = config.extensions || []).unshift(ext);
        createdHere.add(ext.id);
      }
      ext[input.dataset.field] = readInput(input);
    }
  }
  for (const input of $$('[data-key], [data-ext]')) {
    input.addEventListener('input', onFixedInput);
    input.addEventListener('change', onFixedInput);
  }

  function revealButton(input) {
    const b = el('button', { type: 'button', class: 'reveal', 'aria-label': 'Reveal password', 'aria-pressed': 'false', title: 'Reveal password', text: '\u27F3' });
    wireReveal(b, input);
    return b;
  }
  function wireReveal(button, input) {
    button.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.setAttribute('aria-pressed', String(show));
    });
  }
  for (const b of $$('.secret .reveal')) wireReveal(b, b.previousElementSibling);

  // Additional Features lists.
  const LISTS = {
    page: { matches: (id) => /^page\.\d+$/.test(id), next: () => freeId('page', 2), audio: false },
    ring: { matches: (id) => id === 'ring' || /^ring\.\d+$/.test(id), next: () => (findExt('ring') ? freeId('ring', 2) : 'ring'), audio: true },
    alert: { matches: (id) => /^alert\.\d+$/.test(id), next: () => freeId('alert', 1), audio: true },
  };
  function freeId(prefix, from) {
    for (let n = from; ; n++) if (!findExt(`${prefix}.${n}`)) return `${prefix}.${n}`;
  }
  function boundInput(ext, field, props = {}) {
    const input = el('input', { autocomplete: field.includes('password') ? 'new-password' : 'off', ...props });
    if (props.type === 'number') input.setAttribute('data-number', '');
    writeInput(input, ext[field]);
    const update = () => { ext[field] = readInput(input); };
    input.addEventListener('input', update);
    input.addEventListener('change', update);
    return input;
  }
  function secretInput(ext, field, label) {
    const input = boundInput(ext, field, { type: 'password', 'aria-label': label });
    return el('span', { class: 'secret' }, [input, revealButton(input)]);
  }
  function removeButton(ext, kind) {
    const b = el('button', { type: 'button', class: 'remove', text: 'Remove', 'aria-label': `Remove ${ext.id}` });
    b.addEventListener('click', () => {
      config.extensions = config.extensions.filter((x) => x !== ext);
      createdHere.delete(ext.id);
      renderList(kind);
    });
    return b;
  }
  function renderTable(kind, exts, table) {
    const audio = LISTS[kind].audio;
    const head = ['ID', 'Enabled', 'Extension', 'Authentication ID', 'Password'];
    if (audio) head.push('Audio file');
    head.push('');
    const thead = el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h })))]);
    const rows = exts.map((ext) => {
      const cells = [
        el('td', { text: ext.id }),
        el('td', {}, [boundInput(ext, 'enabled', { type: 'checkbox', 'aria-label': `Enabled (${ext.id})` })]),
        el('td', {}, [boundInput(ext, 'extension', { 'aria-label': `Extension (${ext.id})` })]),
        el('td', {}, [boundInput(ext, 'auth_id', { 'aria-label': `Authentication ID (${ext.id})`, placeholder: 'same as the extension' })]),
        el('td', {}, [secretInput(ext, 'password', `Password (${ext.id})`)]),
      ];
      if (audio) cells.push(el('td', {}, [boundInput(ext, 'audio', { 'aria-label': `Audio file (${ext.id})` })]));
      cells.push(el('td', {}, [removeButton(ext, kind)]));
      return el('tr', { 'data-id': ext.id }, cells);
    });
    if (!rows.length) rows.push(el('tr', {}, [el('td', { colSpan: head.length, text: 'None.' })]));
    table.replaceChildren(thead, el('tbody', {}, rows));
  }
  function labelled(text, input) {
    const id = 'f-' + Math.random().toString(36).slice(2);
    const target = input.tagName === 'SPAN' ? input.querySelector('input') : input;
    target.id = id;
    return [el('label', { for: id, text }), input];
  }
  function renderAlerts(exts, box) {
    const cards = exts.map((ext) => {
      const untilCancelled = () => String(ext.duration).toLowerCase() === 'until-cancelled';
      const duration = boundInput(ext, 'duration', { type: 'number', min: 1, max: 86400 });
      const mode = el('select', {}, [
        el('option', { value: 'fixed', text: 'Play for a duration' }),
        el('option', { value: 'cancel', text: 'Play Until Cancelled' }),
      ]);
      const sync = () => {
        mode.value = untilCancelled() ? 'cancel' : 'fixed';
        duration.disabled = untilCancelled();
        writeInput(duration, untilCancelled() ? '' : ext.duration);
      };
      sync();
      mode.addEventListener('change', () => {
        if (mode.value === 'cancel') ext.duration = 'until-cancelled';
        else if (untilCancelled()) ext.duration = 30;
        sync();
      });
      return el('fieldset', { class: 'alert', 'data-id': ext.id }, [
        el('legend', { text: `Alert ${ext.id}` }),
        ...labelled('Enabled', boundInput(ext, 'enabled', { type: 'checkbox' })),
        ...labelled('Extension', boundInput(ext, 'extension')),
        ...labelled('Authentication ID', boundInput(ext, 'auth_id', { placeholder: 'same as the extension' })),
        ...labelled('Password', secretInput(ext, 'password', 'Password')),
        ...labelled('Audio file', boundInput(ext, 'audio')),
        ...labelled('Announcement Duration', mode),
        ...labelled('Duration (seconds)', duration),
        ...labelled('Answer Inbound Call', boundInput(ext, 'answer', { type: 'checkbox' })),
        ...labelled('Access Code', boundInput(ext, 'access_code')),
        ...labelled('Call-to-Cancel Extension', boundInput(ext, 'cancel_extension')),
        ...labelled('Call-to-Cancel Authentication ID', boundInput(ext, 'cancel_auth_id', { placeholder: 'same as the extension' })),
        ...labelled('Call-to-Cancel Password', secretInput(ext, 'cancel_password', 'Call-to-Cancel Password')),
        el('div', { class: 'row-actions' }, [removeButton(ext, 'alert')]),
      ]);
    });
    if (!cards.length) cards.push(el('p', { class: 'hint', text: 'No emergency alerts configured.' }));
    box.replaceChildren(...cards);
  }
  function renderList(kind) {
    const exts = (config.extensions || []).filter((x) => LISTS[kind].matches(String(x.id)));
    const target = $(`[data-list="${kind}"]`);
    if (kind === 'alert') renderAlerts(exts, target); else renderTable(kind, exts, target);
  }
  for (const b of $$('[data-add]')) {
    b.addEventListener('click', () => {
      if (!config) return;
      const kind = b.dataset.add;
      const ext = newExt(LISTS[kind].next());
      (config.extensions = config.extensions || []).push(ext);
      createdHere.add(ext.id);
      renderList(kind);
    });
  }

  function renderConfig() {
    fillFixedFields();
    for (const kind of Object.keys(LISTS)) renderList(kind);
  }
  async function loadConfig() {
    const r = await api('GET', '/api/config');
    if (r.status !== 200 || !r.data) throw new Error(`GET /api/config: HTTP ${r.status}`);
    config = r.data;
    createdHere.clear();
    renderConfig();
    document.body.dataset.config = 'loaded';  // for scripted browsers: the forms are filled
  }

  // The page extension appears by typing into Basic Settings; an untouched one is not sent.
  function forSave() {
    const copy = JSON.parse(JSON.stringify(config));
    copy.extensions = (copy.extensions || []).filter((x) => !(createdHere.has(x.id) && x.id === 'page' &&
      !x.extension && !x.auth_id && !x.password));
    return copy;
  }
  async function save(form) {
    const msg = $('.save-msg', form);
    msg.className = 'save-msg';
    if (!config) { msg.textContent = 'Settings are not loaded yet'; msg.classList.add('bad'); return; }
    msg.textContent = 'Saving\u2026';
    try {
      const r = await api('PUT', '/api/config', forSave());
      if (r.status === 200) {
        await loadConfig();
        msg.textContent = 'Saved';
        msg.classList.add('ok');
      } else {
        msg.textContent = (r.data && r.data.error) ? String(r.data.error) : `Not saved (HTTP ${r.status})`;
        msg.classList.add('bad');
      }
    } catch (e) {
      msg.textContent = 'Not saved: ' + e.message;
      msg.classList.add('bad');
    }
  }
  for (const form of $$('form.settings')) {
    form.addEventListener('submit', (ev) => { ev.preventDefault(); save(form); });
  }

  // ---- start --------------------------------------------------------------
  show(decodeURIComponent(location.hash.slice(1)) || 'status');
  loadConfig().catch((e) => {
    const b = $('#load-error');
    b.textContent = 'Could not load the settings: ' + e.message;
    b.hidden = false;
  });
  setInterval(() => { if (!$('#status').hidden) pollStatus(); }, 2000);
  setInterval(() => { if (!$('#system-log').hidden) pollLog(); }, 2000);
})();
)js";

}  // namespace

std::string_view WebPageHtml() { return kPageHtml; }
std::string_view LoginPageHtml() { return kLoginHtml; }
std::string_view AppJs() { return kJs; }
std::string_view AppCss() { return kCss; }

}  // namespace sipreg::device
