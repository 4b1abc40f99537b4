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
  const fast = typeof instance.exports.cairnRead === "function" ? new FastReads(go, instance.exports) : null;
  return new Cairn(raw, fast);
}

function cairnError(code, msg) {
  const e = new Error("cairn: " + msg);
  e.name = "CairnError";
  e.code = code;
  return e;
}

const OP_Q = 1, OP_PULL = 2, OP_PULL_MANY = 3;
const VIEW_HISTORY = 1, VIEW_AS_OF = 2, VIEW_SINCE = 4;

// FastReads calls the synchronous reads (qSync, pullSync, pullManySync)
// through the wasm's own exports instead of the raw js.Func functions: the
// EDN arguments are written as UTF-8 into a buffer of the wasm's memory and
// the EDN result is decoded from another (see wasm/fastcall.go). Same text
// in and out, same errors, without syscall/js's per-call event round trip
// (about 20 µs). Calls it cannot express (arguments that are not strings,
// a malformed view) go to the raw functions, which report the error.
class FastReads {
  constructor(go, exports) {
    this.go = go;
    this.x = exports;
    this.enc = new TextEncoder();
    this.dec = new TextDecoder();
    this.inPtr = 0;
    this.inCap = 0;
    this.u8 = null;
  }
  bytes() {
    const buf = this.x.mem.buffer;
    if (this.u8 === null || this.u8.buffer !== buf) this.u8 = new Uint8Array(buf);
    return this.u8;
  }
  // read returns the EDN text of op on view over strs (with opts merged
  // into the view), throws a CairnError, or returns undefined when the raw
  // function must handle the call.
  read(op, view, strs, opts) {
    let db, flags = 0, asOf = 0, since = 0;
    const merge = (o) => {
      if (o.history === true) flags |= VIEW_HISTORY;
      if (typeof o.asOf === "number" && (!(flags & VIEW_AS_OF) || o.asOf < asOf)) {
        asOf = o.asOf;
        flags |= VIEW_AS_OF;
      }
      if (typeof o.since === "number" && (!(flags & VIEW_SINCE) || o.since > since)) {
        since = o.since;
        flags |= VIEW_SINCE;
      }
    };
    if (typeof view === "number") {
      db = view;
    } else if (typeof view === "object" && view !== null && typeof view.db === "number") {
      db = view.db;
      merge(view);
    } else {
      return undefined;
    }
    if (!Number.isInteger(db) || db < 0 || db > 0x7fffffff) return undefined;
    if (opts !== undefined) merge(opts);
    if (this.go.exited) throw cairnError("closed", "cairn has shut down");
    let need = 0;
    for (const s of strs) need += 4 + 3 * s.length;
    if (need > this.inCap) {
      this.inPtr = this.x.cairnIn(need) >>> 0;
      this.inCap = need;
    }
    let u8 = this.bytes();
    let p = this.inPtr;
    for (const s of strs) {
      const n = writeUTF8(this.enc, s, u8, p + 4);
      u8[p] = n & 0xff;
      u8[p + 1] = (n >>> 8) & 0xff;
      u8[p + 2] = (n >>> 16) & 0xff;
      u8[p + 3] = n >>> 24;
      p += 4 + n;
    }
    const n = this.x.cairnRead(op, db, flags, asOf, since, strs.length);
    const out = this.x.cairnOut() >>> 0;
    u8 = this.bytes();
    if (n >= 0) return this.dec.decode(u8.subarray(out, out + n));
    const t = this.dec.decode(u8.subarray(out, out - n));
    const i = t.indexOf("\n");
    throw cairnError(t.slice(0, i), t.slice(i + 1));
  }
}

// writeUTF8 writes s as UTF-8 at u8[p…] (room for 3 bytes a UTF-16 unit)
// and returns its length. Short ASCII text, the usual argument, is copied
// by hand (faster in Chromium than TextEncoder.encodeInto's binding).
function writeUTF8(enc, s, u8, p) {
  const n = s.length;
  if (n <= 256) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      u8[p + i] = c;
    }
    if (i === n) return n;
  }
  return enc.encodeInto(s, u8.subarray(p, p + 3 * n)).written;
}

// readArgs splits (string..., [options]) as the raw functions do; null when
// an argument is neither.
function readArgs(args) {
  let opts;
  let end = args.length;
  const last = args[end - 1];
  if (end > 0 && typeof last !== "string") {
    if (last !== undefined && (typeof last !== "object" || last === null)) return null;
    opts = last;
    end--;
  }
  const strs = [];
  for (let i = 0; i < end; i++) {
    if (typeof args[i] !== "string") return null;
    strs.push(args[i]);
  }
  return { strs, opts };
}

// Synchronous raw functions return an Error instead of throwing (Go cannot
// throw into JavaScript); rethrow it here.
function sync(v) {
  if (v instanceof Error) throw v;
  return v;
}

/** The API over the global `cairn` object the wasm installs. */
export class Cairn {
  constructor(raw, fast = null) {
    this.raw = raw;
    this.fast = fast;
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
    return new Database(this.raw, name, handle, undefined, this.fast);
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
  constructor(raw, name, handle, view, fast = null) {
    this.raw = raw;
    this.fast = fast;
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
    if (this.fast) {
      const a = readArgs([query, ...inputsAndOpts]);
      const r = a && this.fast.read(OP_Q, this.view, a.strs, a.opts);
      if (r !== undefined && r !== null) return r;
    }
    return sync(this.raw.qSync(this.view, query, ...inputsAndOpts));
  }
  pullSync(pattern, eid, opts) {
    return this.pullFast(OP_PULL, pattern, eid, opts) ?? sync(this.raw.pullSync(this.view, pattern, eid, opts));
  }
  pullManySync(pattern, eids, opts) {
    return this.pullFast(OP_PULL_MANY, pattern, eids, opts) ?? sync(this.raw.pullManySync(this.view, pattern, eids, opts));
  }
  pullFast(op, pattern, eid, opts) {
    if (!this.fast || typeof pattern !== "string" || typeof eid !== "string") return undefined;
    if (opts !== undefined && (typeof opts !== "object" || opts === null)) return undefined;
    return this.fast.read(op, this.view, [pattern, eid], opts);
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
    return new Database(this.raw, this.name, this.handle, sync(this.raw.history(this.view)), this.fast);
  }
  asOf(t) {
    return new Database(this.raw, this.name, this.handle, sync(this.raw.asOf(this.view, t)), this.fast);
  }
  since(t) {
    return new Database(this.raw, this.name, this.handle, sync(this.raw.since(this.view, t)), this.fast);
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
