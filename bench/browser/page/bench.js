// The in-page half of `go run ./bench/browser`: the Go driver evaluates
// window.bench.* through chromedp and reads back plain JSON.
//
// Cairn is loaded through web/cairn.js (cairn.wasm, the same build the web
// app uses) and DataScript 1.8.1 through /bench/datascript.js (a plain
// script: the global `datascript`). Both run in this page, on its main
// thread, on the same data.
//
// The query shapes are those of bench/cmd/benchquery/shapes.go (Cairn,
// the exact texts) and bench/datascript/query.js (DataScript: attributes as
// strings, pull patterns as EDN strings). Keep the three in step.
import { load } from "/cairn.js";

const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
let cairn = null;
const now = () => performance.now();

function log(msg) {
  document.getElementById("log").textContent += msg + "\n";
}

async function waitConnected(timeoutMs) {
  let off;
  const ok = new Promise((resolve) => {
    cairn.onStatus((s) => {
      if (s.status === "connected") resolve();
    }).then((f) => (off = f));
  });
  const timer = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("not connected after " + timeoutMs + " ms")), timeoutMs));
  try {
    await Promise.race([ok, timer]);
  } finally {
    if (off) await off();
  }
}

// init loads the wasm and connects (token auth) before anything is timed.
async function init() {
  const t0 = now();
  cairn = await load();
  const loadMs = now() - t0;
  await cairn.connect("", token);
  await waitConnected(20000);
  log(`cairn ${cairn.version} loaded in ${loadMs.toFixed(0)} ms, store ${cairn.storeKind}`);
  return {
    loadMs, version: cairn.version, storeKind: cairn.storeKind, userAgent: navigator.userAgent,
    isolated: !!globalThis.crossOriginIsolated, hasGC: typeof globalThis.gc === "function",
  };
}

// sync opens a replica of database name and times it until ready: the
// whole database fetched over the WebSocket and (persist) written into
// IndexedDB through the tiered store (a batch counts as written on its
// IndexedDB `complete` event; the head is written after its nodes), or
// (persist false) into memory only.
async function sync(name, persist, timeoutMs) {
  const t0 = now();
  const db = await cairn.open(name, { persist, timeoutMs });
  const tOpen = now();
  await db.ready({ timeoutMs });
  const tReady = now();
  const stats = await db.stats();
  const count = cairn.toJS(await db.q("[:find (count ?e) . :where [?e :name]]"));
  globalThis.benchDB = db;
  log(`${name} persist=${persist}: ready in ${(tReady - t0).toFixed(0)} ms, ${count} entities, store ${stats.store}`);
  return { openMs: tOpen - t0, readyMs: tReady - t0, stats, count };
}

async function shutdown() {
  if (cairn) await cairn.shutdown();
  cairn = null;
  return true;
}

// --- queries: Cairn and DataScript side by side ---

const dsSchema = {
  name: { ":db/unique": ":db.unique/identity" },
  city: { ":db/index": true },
  friend: { ":db/valueType": ":db.type/ref" },
};

// Cairn's texts are exactly bench/cmd/benchquery/shapes.go's.
const cairnRules = "[[(reach ?a ?b ?d) [?a :friend ?b]] [(reach ?a ?b ?d) [(> ?d 1)] [?a :friend ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]";
const dsRules = '[[(reach ?a ?b ?d) [?a "friend" ?b]] ' +
  '[(reach ?a ?b ?d) [(> ?d 1)] [?a "friend" ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]';

function shapes(db, ddb, c) {
  const d = globalThis.datascript;
  // Cairn's synchronous reads, like DataScript's: the Promise API's fixed
  // cost per call is measured separately (the trivial-query row).
  const q = (text, ...inputs) => () => db.qSync(text, ...inputs);
  return [
    { name: "join2",
      cairn: q("[:find ?e ?s :where [?e :age 42] [?e :score ?s]]"),
      ds: () => d.q('[:find ?e ?s :where [?e "age" 42] [?e "score" ?s]]', ddb) },
    { name: "join3-ref-bound",
      cairn: q("[:find ?n ?fn :in $ ?c :where [?e :city ?c] [?e :friend ?f] [?f :name ?fn] [?e :name ?n]]", '"city3"'),
      ds: () => d.q('[:find ?n ?fn :in $ ?c :where [?e "city" ?c] [?e "friend" ?f] [?f "name" ?fn] [?e "name" ?n]]', ddb, "city3") },
    { name: "predicate",
      cairn: q("[:find ?n :in $ ?min :where [?e :age ?a] [(> ?a ?min)] [?e :name ?n]]", "70"),
      ds: () => d.q('[:find ?n :in $ ?min :where [?e "age" ?a] [(> ?a ?min)] [?e "name" ?n]]', ddb, 70) },
    { name: "count-by-city",
      cairn: q("[:find ?c (count ?e) :where [?e :city ?c]]"),
      ds: () => d.q('[:find ?c (count ?e) :where [?e "city" ?c]]', ddb) },
    { name: "rule-depth3",
      cairn: q("[:find ?e ?f :in $ % :where [?e :age 42] (reach ?e ?f 3)]", cairnRules),
      ds: () => d.q('[:find ?e ?f :in $ % :where [?e "age" 42] (reach ?e ?f 3)]', ddb, dsRules) },
    { name: "not-join",
      cairn: q("[:find ?e :in $ ?c :where [?e :city ?c] (not-join [?e] [?e :friend ?f] [?f :score ?s] [(< ?s 500)])]", '"city3"'),
      ds: () => d.q('[:find ?e :in $ ?c :where [?e "city" ?c] (not-join [?e] [?e "friend" ?f] [?f "score" ?s] [(< ?s 500)])]', ddb, "city3") },
    { name: "or-join",
      cairn: q('[:find ?n :where (or-join [?e] [?e :city "city1"] (and [?e :age ?a] [(< ?a 5)])) [?e :name ?n]]'),
      ds: () => d.q('[:find ?n :where (or-join [?e] [?e "city" "city1"] (and [?e "age" ?a] [(< ?a 5)])) [?e "name" ?n]]', ddb) },
    { name: "pull-nested", pull: true,
      cairn: () => db.pullSync("[:name :age {:friend [:name]}]", String(c.pullEid)),
      ds: () => d.pull(ddb, '["name" "age" {"friend" ["name"]}]', c.dsPullEid) },
    { name: "pull-many-2000",
      cairn: () => db.pullManySync("[:name :age :city :score]", "[" + c.ids.join(" ") + "]"),
      ds: () => d.pull_many(ddb, '["name" "age" "city" "score"]', c.dsIds) },
  ];
}

// size is query.js's: the rows of a relation or collection, the non-nil
// entities of a pull-many, 1 for a scalar or a pulled entity.
function size(x) {
  if (Array.isArray(x)) return x.filter((y) => y !== null && y !== undefined).length;
  if (x === null || x === undefined) return 0;
  return 1;
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// measure runs f once (first), then k warm runs; the median is of the
// warm runs. A run of a single-entity pull is far below the timer's
// resolution, so the pull shape times batches of `batch` calls and
// reports the per-call mean of each batch (median of those).
async function measure(f, k, batch) {
  if (globalThis.gc) globalThis.gc();
  let t = now();
  const r = await f();
  const first = now() - t;
  const warm = [];
  for (let i = 0; i < k; i++) {
    t = now();
    for (let j = 0; j < batch; j++) await f();
    warm.push((now() - t) / batch);
  }
  return { r, first, median: median(warm), runs: k };
}

// queries loads the database's datoms (fetched as JSON from the server,
// the same values Cairn synced) into DataScript with init_db, then runs
// every shape in both engines: DataScript first, then Cairn, per shape.
async function queries(name, runs, pullRuns, pullBatch) {
  const d = globalThis.datascript;
  const db = globalThis.benchDB;
  let t0 = now();
  const datoms = await (await fetch("/bench/datoms.json?db=" + encodeURIComponent(name))).json();
  const fetchMs = now() - t0;
  t0 = now();
  const ddb = d.init_db(datoms, dsSchema);
  const dsLoadMs = now() - t0;
  log(`DataScript: ${datoms.length} datoms loaded in ${dsLoadMs.toFixed(0)} ms`);

  // Entity ids, resolved in each engine before timing (as the native
  // benchmark does).
  const n = datoms.length / 5;
  const c = { ids: [], dsIds: [] };
  const byName = "[:find ?e . :in $ ?n :where [?e :name ?n]]";
  const dsByName = '[:find ?e . :in $ ?n :where [?e "name" ?n]]';
  for (let i = 0; i < Math.min(2000, n); i++) {
    c.ids.push(cairn.toJS(await db.q(byName, JSON.stringify("user" + i))));
    c.dsIds.push(d.q(dsByName, ddb, "user" + i));
  }
  c.pullEid = cairn.toJS(await db.q(byName, '"user777"'));
  c.dsPullEid = d.q(dsByName, ddb, "user777");

  const out = [];
  for (const s of shapes(db, ddb, c)) {
    const k = s.pull ? pullRuns : runs;
    const b = s.pull ? pullBatch : 1;
    const ds = await measure(s.ds, k, b);
    const ca = await measure(s.cairn, k, b);
    const cairnValue = cairn.toJS(ca.r);
    out.push({
      name: s.name,
      ds: { first: ds.first, median: ds.median, size: size(ds.r), runs: k, batch: b },
      cairn: { first: ca.first, median: ca.median, size: size(cairnValue), runs: k, batch: b },
    });
    log(`${s.name}: DataScript ${ds.median.toFixed(3)} ms, Cairn ${ca.median.toFixed(3)} ms`);
  }
  // The fixed cost of one call through the async API, for reading the
  // small shapes: a promise round trip into the wasm (status()), and the
  // smallest query (a scalar input found back).
  const rt = await measure(() => cairn.status(), pullRuns, pullBatch);
  const tq = await measure(() => db.q("[:find ?x . :in $ ?x]", "1"), pullRuns, pullBatch);
  return { fetchMs, dsLoadMs, datoms: datoms.length, shapes: out, roundTripMs: rt.median, trivialQMs: tq.median };
}

globalThis.bench = { ok: true, init, sync, queries, shutdown };
