// cairn.js — Cairn in the browser: loads cairn.wasm (the engine and the
// peer client compiled with GOOS=js) and presents its API.
//
//   import { load, edn } from "./cairn.js";
//   const cairn = await load();
//   await cairn.connect("", token);               // "" → ws(s)://<this host>/ws
//   const db = await cairn.open("board");          // local replica (IndexedDB when available)
//   await db.transact(`[{:task/title ${edn.str("Milk")}}]`);  // resolves once the replica has it
//   const rows = cairn.toJS(await db.q("[:find ?t :where [_ :task/title ?t]]"));
//
// Values cross as EDN text: queries, tx-data, inputs, patterns and entity
// ids go in as EDN strings; database values come back as EDN strings;
// cairn.toJS(text) turns one into plain JavaScript data. Metadata (status,
// stats, transact results, listen events) are plain objects. Every async
// call rejects with an Error whose .code says why (see cairn.d.ts).
import "./wasm_exec.js";

let loading = null;

/** Loads the wasm once and resolves with the Cairn API. */
export function load(opts = {}) {
  if (!loading) {
    loading = start(opts).catch((e) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

async function start({ wasmURL } = {}) {
  const url = wasmURL || new URL("./cairn.wasm", import.meta.url);
  const go = new globalThis.Go();
  const ready = new Promise((resolve) => {
    globalThis.__cairnReady = resolve;
  });
  let instance;
  if (WebAssembly.instantiateStreaming) {
    ({ instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject));
  } else {
    const bytes = await (await fetch(url)).arrayBuffer();
    ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
  }
  const exited = go.run(instance);
  const raw = await Promise.race([
    ready,
    exited.then(() => {
      throw new Error("cairn: the wasm program exited during start-up");
    }),
  ]);
  delete globalThis.__cairnReady;
  return new Cairn(raw);
}

// Synchronous raw functions return an Error instead of throwing (Go cannot
// throw into JavaScript); rethrow it here.
function sync(v) {
  if (v instanceof Error) throw v;
  return v;
}

/** The API over the global `cairn` object the wasm installs. */
export class Cairn {
  constructor(raw) {
    this.raw = raw;
    this.version = raw.version;
    this.storeKind = raw.storeKind;
  }
  connect(url = "", token = "", opts) {
    return this.raw.connect(url, token, opts);
  }
  disconnect() {
    return this.raw.disconnect();
  }
  status() {
    return this.raw.status();
  }
  /** cb({status, attempt, error}) now and at every change; resolves with an unsubscribe function. */
  async onStatus(cb) {
    const id = await this.raw.onStatus(cb);
    return () => this.raw.off(id);
  }
  createDatabase(name, opts) {
    return this.raw.createDatabase(name, opts);
  }
  deleteDatabase(name, opts) {
    return this.raw.deleteDatabase(name, opts);
  }
  listDatabases(opts) {
    return this.raw.listDatabases(opts);
  }
  async open(name, opts) {
    const handle = await this.raw.open(name, opts);
    return new Database(this.raw, name, handle);
  }
  toJS(ednText) {
    return sync(this.raw.toJS(ednText));
  }
  shutdown() {
    return this.raw.shutdown();
  }
}

/** A local replica (or a time-travel view of one). Reads never leave the page. */
export class Database {
  constructor(raw, name, handle, view) {
    this.raw = raw;
    this.name = name;
    this.handle = handle;
    this.view = view || handle; // a handle id or a view object {db, asOf, since, history}
  }
  q(query, ...inputsAndOpts) {
    return this.raw.q(this.view, query, ...inputsAndOpts);
  }
  /** q, with the result converted by toJS. */
  async qJS(query, ...inputsAndOpts) {
    return sync(this.raw.toJS(await this.q(query, ...inputsAndOpts)));
  }
  pull(pattern, eid, opts) {
    return this.raw.pull(this.view, pattern, eid, opts);
  }
  pullMany(pattern, eids, opts) {
    return this.raw.pullMany(this.view, pattern, eids, opts);
  }
  /**
   * Synchronous reads: the same as q, pull and pullMany but answered at once
   * from the replica's memory tier, without a Promise round trip (tens of
   * microseconds saved per call). They need a ready replica (await ready())
   * and throw when it is not.
   */
  qSync(query, ...inputsAndOpts) {
    return sync(this.raw.qSync(this.view, query, ...inputsAndOpts));
  }
  pullSync(pattern, eid, opts) {
    return sync(this.raw.pullSync(this.view, pattern, eid, opts));
  }
  pullManySync(pattern, eids, opts) {
    return sync(this.raw.pullManySync(this.view, pattern, eids, opts));
  }
  datoms(index, ...componentsAndOpts) {
    return this.raw.datoms(this.view, index, ...componentsAndOpts);
  }
  txLog(opts) {
    return this.raw.txLog(this.view, opts);
  }
  transact(txEdn, opts) {
    return this.raw.transact(this.handle, txEdn, opts);
  }
  ready(opts) {
    return this.raw.ready(this.handle, opts);
  }
  stats() {
    return this.raw.stats(this.handle);
  }
  /** cb({tx, datoms, basisT}) for every synced transaction; resolves with an unsubscribe function. */
  async listen(cb) {
    const id = await this.raw.listen(this.handle, cb);
    return () => this.raw.off(id);
  }
  /** cb(stats) while the replica receives nodes; resolves with an unsubscribe function. */
  async onProgress(cb) {
    const id = await this.raw.onProgress(this.handle, cb);
    return () => this.raw.off(id);
  }
  history() {
    return new Database(this.raw, this.name, this.handle, sync(this.raw.history(this.view)));
  }
  asOf(t) {
    return new Database(this.raw, this.name, this.handle, sync(this.raw.asOf(this.view, t)));
  }
  since(t) {
    return new Database(this.raw, this.name, this.handle, sync(this.raw.since(this.view, t)));
  }
  close() {
    return this.raw.close(this.handle);
  }
}

/** Helpers to build EDN text from JavaScript values. */
export const edn = {
  /** A string literal: edn.str('say "hi"') → "\"say \\\"hi\\\"\"" */
  str(s) {
    return (
      '"' +
      String(s).replace(/[\\"\n\r\t]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]) +
      '"'
    );
  },
  /** A keyword: edn.kw("task/done") → ":task/done" */
  kw(name) {
    if (!/^:?[A-Za-z*+!_?<>=.-][\w*+!?<>=.\-]*(\/[\w*+!?<>=.\-]+)?$/.test(name)) {
      throw new Error("cairn: not a keyword name: " + name);
    }
    return name.startsWith(":") ? name : ":" + name;
  },
  /** A number, boolean or null. */
  scalar(v) {
    if (v === null || v === undefined) return "nil";
    if (typeof v === "boolean") return String(v);
    if (typeof v === "number" && Number.isFinite(v)) return String(v); // integral numbers become longs
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "string") return edn.str(v);
    throw new Error("cairn: no EDN form for " + typeof v);
  },
};
