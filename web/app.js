// The shared task board: a Cairn database synced into the page, queried
// locally, kept in IndexedDB across reloads (so it works offline), with a
// time-travel slider over its history. Open it with the URL syncserver
// prints (…/#token=…); the token is kept in localStorage and removed from
// the address bar. ?db=NAME picks another board (default "board").
import { load, edn } from "./cairn.js";

const DB = new URLSearchParams(location.search).get("db") || "board";
const SCHEMA = `[
 {:db/ident :task/id      :db/valueType :db.type/string  :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :task/title   :db/valueType :db.type/string  :db/cardinality :db.cardinality/one}
 {:db/ident :task/done    :db/valueType :db.type/boolean :db/cardinality :db.cardinality/one}
 {:db/ident :task/created :db/valueType :db.type/long    :db/cardinality :db.cardinality/one}]`;
const TASKS = `[:find ?e ?id ?title ?done ?created
  :where [?e :task/id ?id] [?e :task/title ?title] [?e :task/done ?done] [?e :task/created ?created]]`;
const TXS = `[:find ?tx ?inst :where [?tx :db/txInstant ?inst]]`;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("status"), notice: $("notice"), form: $("add"), title: $("title"), addBtn: $("add-btn"),
  tasks: $("tasks"), empty: $("empty"), slider: $("slider"), travelLabel: $("travel-label"),
  live: $("live"), sync: $("sync"),
};

// takeToken keeps the token from #token=… and strips it from the address bar.
function takeToken() {
  const m = location.hash.match(/(?:^#|&)token=([^&]*)/);
  if (m) {
    localStorage.setItem("cairn.token", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return localStorage.getItem("cairn.token") || "";
}

function notice(text) {
  ui.notice.hidden = !text;
  ui.notice.textContent = text || "";
}

const state = {
  cairn: null,
  db: null,
  status: "loading",
  txs: [], // [{tx, inst}] ascending
  at: null, // null: live; else a tx id (read-only view as of it)
  tasks: [],
  stats: null,
  created: false,
};

function setStatus(s) {
  state.status = s.status;
  ui.status.dataset.status = s.status;
  ui.status.textContent =
    { connected: "live", connecting: "connecting…", disconnected: "offline · retrying", failed: "refused" }[s.status] ||
    s.status;
  ui.status.title = s.error ? s.error : "connection: " + s.status;
  if (s.status === "failed" && /unauthori/i.test(s.error || "")) {
    notice("The server refused this page's token. Open the link syncserver printed (…/#token=…).");
  }
  if (s.status === "connected") ensureCreated();
}

// ensureCreated creates the board's database on first use (an existing one
// is fine). Offline pages skip it; it runs again at the next connection.
async function ensureCreated() {
  if (state.created || !state.cairn) return;
  try {
    await state.cairn.createDatabase(DB, { schema: SCHEMA, timeoutMs: 10000 });
    state.created = true;
    if (state.db && !(await state.db.stats()).ready) location.reload(); // opened before it existed
  } catch (e) {
    if (e.code === "exists") state.created = true;
    else console.warn("createDatabase:", e);
  }
}

function waitConnected(ms) {
  return new Promise((resolve) => {
    if (state.status === "connected") return resolve(true);
    const t0 = Date.now();
    const tick = () => {
      if (state.status === "connected" || state.status === "failed" || Date.now() - t0 > ms) {
        resolve(state.status === "connected");
      } else setTimeout(tick, 50);
    };
    tick();
  });
}

async function refresh() {
  const db = state.db;
  if (!db) return;
  const st = await db.stats();
  state.stats = st;
  if (!st.ready) return renderSync();
  const txs = (await db.qJS(TXS)).map(([tx, inst]) => ({ tx, inst })).sort((a, b) => a.tx - b.tx);
  state.txs = txs;
  const view = state.at === null ? db : db.asOf(state.at);
  const rows = await view.qJS(TASKS);
  state.tasks = rows
    .map(([e, id, title, done, created]) => ({ e, id, title, done, created }))
    .sort((a, b) => b.created - a.created || b.e - a.e); // newest first
  render();
}

let pending = null;
function scheduleRefresh() {
  if (pending) return;
  pending = requestAnimationFrame(() => {
    pending = null;
    refresh().catch(showError);
  });
}

function render() {
  const travelling = state.at !== null;
  document.body.classList.toggle("travelling", travelling);
  const canEdit = !travelling && state.stats && state.stats.ready;
  ui.title.disabled = ui.addBtn.disabled = !canEdit;

  ui.tasks.replaceChildren(
    ...state.tasks.map((t) => {
      const li = document.createElement("li");
      li.dataset.id = t.id;
      li.dataset.done = String(t.done);
      const cb = document.createElement("input");
      cb.type = "checkbox";
      cb.checked = t.done;
      cb.disabled = !canEdit;
      cb.setAttribute("aria-label", "done");
      cb.addEventListener("change", () => toggle(t.id, cb.checked).catch(showError));
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = t.title;
      const del = document.createElement("button");
      del.className = "del";
      del.type = "button";
      del.textContent = "×";
      del.title = "delete";
      del.disabled = !canEdit;
      del.addEventListener("click", () => remove(t.id).catch(showError));
      li.append(cb, title, del);
      return li;
    }),
  );
  ui.empty.hidden = state.tasks.length > 0;

  // The slider runs over every transaction; its right end is "now".
  const n = state.txs.length;
  ui.slider.disabled = n < 2;
  ui.slider.min = "0";
  ui.slider.max = String(Math.max(0, n - 1));
  const idx = travelling ? state.txs.findIndex((x) => x.tx === state.at) : n - 1;
  ui.slider.value = String(Math.max(0, idx));
  ui.live.hidden = !travelling;
  if (travelling) {
    const x = state.txs[idx];
    ui.travelLabel.textContent = `as of tx ${x ? x.tx : state.at}` + (x ? ` · ${fmtTime(x.inst)}` : "") + ` (${idx + 1}/${n}, read-only)`;
  } else {
    ui.travelLabel.textContent = n ? `now · ${n} transactions` : "now";
  }
  renderSync();
}

function renderSync() {
  const s = state.stats;
  if (!s) return;
  ui.sync.dataset.basis = s.basisT == null ? "" : String(s.basisT);
  ui.sync.dataset.nodes = String(s.nodes);
  ui.sync.textContent =
    `replica "${s.name}" in ${s.store} · ` +
    (s.ready ? `basis-t ${s.basisT}` : "initial sync…") +
    ` · received ${s.nodes} nodes, ${fmtBytes(s.bytes)} since load`;
}

function fmtTime(d) {
  return d instanceof Date ? d.toLocaleTimeString() : String(d);
}

function fmtBytes(n) {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function showError(e) {
  console.error(e);
  notice(`${e.code ? e.code + ": " : ""}${e.message || e}`);
  setTimeout(() => notice(""), 6000);
}

function newID() {
  return crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2);
}

async function add(title) {
  const id = newID();
  return state.db.transact(
    `[{:task/id ${edn.str(id)} :task/title ${edn.str(title)} :task/done false :task/created ${Date.now()}}]`,
  );
}

async function toggle(id, done) {
  return state.db.transact(`[[:db/add [:task/id ${edn.str(id)}] :task/done ${done ? "true" : "false"}]]`);
}

async function remove(id) {
  return state.db.transact(`[[:db/retractEntity [:task/id ${edn.str(id)}]]]`);
}

ui.form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const title = ui.title.value.trim();
  if (!title) return;
  ui.title.value = "";
  add(title).catch(showError);
});

ui.slider.addEventListener("input", () => {
  const i = Number(ui.slider.value);
  state.at = i >= state.txs.length - 1 ? null : state.txs[i].tx;
  scheduleRefresh();
});

ui.live.addEventListener("click", () => {
  state.at = null;
  scheduleRefresh();
});

// The service worker caches the app shell so that a reload works while the
// server is down (the data itself comes from IndexedDB).
const swReady =
  "serviceWorker" in navigator
    ? navigator.serviceWorker
        .register("sw.js")
        .then(() => navigator.serviceWorker.ready)
        .then(() => true)
        .catch((e) => (console.warn("service worker:", e), false))
    : Promise.resolve(false);

async function main() {
  const token = takeToken();
  const cairn = await load();
  state.cairn = cairn;
  await cairn.onStatus(setStatus);
  await cairn.connect("", token);
  if (!token) notice("No token: open the link syncserver printed (…/#token=…). Showing the local replica only.");
  // Create the database on first use when the server is reachable; a page
  // opened offline goes straight to its replica in IndexedDB.
  if (await waitConnected(3000)) await ensureCreated();
  const db = await cairn.open(DB);
  state.db = db;
  await db.listen(() => scheduleRefresh());
  await db.onProgress((s) => {
    state.stats = s;
    if (s.ready && state.txs.length === 0) scheduleRefresh();
    else renderSync();
  });
  await refresh();
  document.body.dataset.ready = "1";
  // Hooks for tests and the console.
  window.board = { cairn, db, add, toggle, remove, refresh, state, swReady };
}

main().catch((e) => {
  showError(e);
  ui.status.dataset.status = "failed";
  ui.status.textContent = "error";
});
