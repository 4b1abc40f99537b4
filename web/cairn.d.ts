// Type declarations for cairn.js (Cairn in the browser).
//
// Values cross as EDN text: every query, tx-data, input, pull pattern,
// entity id and datoms component is an EDN string, and every database value
// comes back as an EDN string. toJS(text) converts EDN text to plain data:
// nil → null; integers → number (beyond ±2^53−1 → decimal string); floats →
// number; keywords → ":ns/name"; symbols, chars, UUIDs, bigints, bigdecs →
// string; #inst → Date; vectors, lists, sets → Array; maps → Object whose
// keys are keyword names without the colon ("db/id") or the EDN text of
// other keys.

/** EDN text. */
export type EDN = string;

/** Rejection reason of every async call. */
export interface CairnError extends Error {
  name: "CairnError";
  /**
   * "invalid" (bad argument or EDN), "not-connected" (call connect first),
   * "closed" (handle not open), "timeout" (no local value in time, e.g. first
   * open while offline), "exists", "not-found", "bad-name", "deleted",
   * "outcome-unknown" (transact may or may not have been applied),
   * "disconnected", "panic" (a bug; the message has the Go stack), a
   * server code such as "tx/unique-conflict", or "error".
   */
  code: string;
}

export type ConnectionStatus =
  | "not-connected"
  | "idle"
  | "connecting"
  | "connected"
  | "disconnected"
  | "failed"
  | "stopped";

export interface Status {
  status: ConnectionStatus;
  /** Consecutive failed dials before this change. */
  attempt: number;
  /** Why the connection ended or failed (e.g. a refused token), or null. */
  error: string | null;
  url?: string;
}

/** What this page's replica received since it was opened. */
export interface Stats {
  name: string;
  /** "indexeddb" (tiered memory + IndexedDB) or "memory". */
  store: string;
  /** Nodes and bytes received over the network (initial sync, catch-up, live). */
  nodes: number;
  bytes: number;
  /** Heads applied. */
  heads: number;
  /** Whether the replica holds a complete value (from the network or IndexedDB). */
  ready: boolean;
  /** The replica's basis-t, or null before it is ready. */
  basisT: number | null;
}

export interface TxResult {
  /** The transaction id (basis-t of the commit). */
  tx: number;
  /** Resolved tempids (empty when replayed). */
  tempids: Record<string, number>;
  /** Basis-t of the local value that contains the transaction. */
  basisT: number;
  /** The idempotency key was seen before: applied once, by an earlier try. */
  replayed: boolean;
}

export interface TxEvent {
  tx: number;
  /** [[e :a v tx added] …] */
  datoms: EDN;
  basisT: number;
  /** Set (with no tx) when the replica had to start over: re-read everything. */
  resync: boolean;
}

export interface ReadOptions {
  /** Read the database as of transaction t. */
  asOf?: number;
  /** Read only datoms added after transaction t. */
  since?: number;
  /** Read every assertion and retraction. */
  history?: boolean;
  /** How long to wait for a first local value (default 15000). */
  timeoutMs?: number;
}

export interface DatomsOptions extends ReadOptions {
  limit?: number;
}

export interface CreateOptions {
  /** Keep temporal indices (history, asOf, since); default true. */
  keepHistory?: boolean;
  /** "write" (default) or "read". */
  schemaFlexibility?: "write" | "read";
  /** Initial schema as EDN tx-data of attribute entities. */
  schema?: EDN;
  timeoutMs?: number;
}

export interface ConnectOptions {
  /** Cap of the reconnect backoff (default 5000). */
  backoffMaxMs?: number;
}

export interface OpenOptions {
  /** Keep the replica in IndexedDB when available (default true). */
  persist?: boolean;
  timeoutMs?: number;
}

/** A time-travel view of a handle, accepted wherever a handle is. */
export interface View {
  db: number;
  asOf?: number;
  since?: number;
  history?: boolean;
}

export type Unsubscribe = () => Promise<boolean>;

export interface LoadOptions {
  /** Where cairn.wasm is (default: next to cairn.js). */
  wasmURL?: string | URL;
}

/** Loads cairn.wasm once. */
export function load(opts?: LoadOptions): Promise<Cairn>;

export class Cairn {
  readonly raw: RawCairn;
  readonly version: string;
  /** Where persistent replicas live in this build: "indexeddb" or "memory". */
  readonly storeKind: string;
  /** Starts the (reconnecting) connection and resolves at once; url "" means ws(s)://<page host>/ws. */
  connect(url?: string, token?: string, opts?: ConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  status(): Promise<Status>;
  onStatus(cb: (s: Status) => void): Promise<Unsubscribe>;
  createDatabase(name: string, opts?: CreateOptions): Promise<void>;
  deleteDatabase(name: string, opts?: { timeoutMs?: number }): Promise<void>;
  listDatabases(opts?: { timeoutMs?: number }): Promise<string[]>;
  /** Opens (and follows) a local replica; queryable at once when it was kept in IndexedDB. */
  open(name: string, opts?: OpenOptions): Promise<Database>;
  toJS(text: EDN): any;
  /** Disconnects, releases every exported function and stops the wasm program. */
  shutdown(): Promise<void>;
}

export class Database {
  readonly name: string;
  readonly handle: number;
  readonly view: number | View;
  q(query: EDN, ...inputsAndOptions: (EDN | ReadOptions)[]): Promise<EDN>;
  qJS(query: EDN, ...inputsAndOptions: (EDN | ReadOptions)[]): Promise<any>;
  pull(pattern: EDN, eid: EDN, opts?: ReadOptions): Promise<EDN>;
  pullMany(pattern: EDN, eids: EDN, opts?: ReadOptions): Promise<EDN>;
  /**
   * Synchronous q/pull/pullMany on a ready replica's memory tier, with the same EDN text in and out;
   * they throw a CairnError instead of rejecting. Called through the wasm's exports (no syscall/js
   * round trip; see web/README.md).
   */
  qSync(query: EDN, ...inputsAndOptions: (EDN | ReadOptions)[]): EDN;
  pullSync(pattern: EDN, eid: EDN, opts?: ReadOptions): EDN;
  pullManySync(pattern: EDN, eids: EDN, opts?: ReadOptions): EDN;
  /** index: "eavt" | "aevt" | "avet"; components as EDN (":task/title", "42", "\"x\""). */
  datoms(index: "eavt" | "aevt" | "avet", ...componentsAndOptions: (EDN | DatomsOptions)[]): Promise<EDN>;
  txLog(opts?: ReadOptions & { after?: number; limit?: number }): Promise<{ tx: number; datoms: EDN }[]>;
  /** Resolves once the local replica contains the transaction (read-your-writes). */
  transact(txData: EDN, opts?: { timeoutMs?: number }): Promise<TxResult>;
  ready(opts?: { timeoutMs?: number }): Promise<{ basisT: number }>;
  stats(): Promise<Stats>;
  listen(cb: (ev: TxEvent) => void): Promise<Unsubscribe>;
  onProgress(cb: (s: Stats) => void): Promise<Unsubscribe>;
  history(): Database;
  asOf(t: number): Database;
  since(t: number): Database;
  close(): Promise<void>;
}

/** The global `cairn` object installed by cairn.wasm (handles are numbers). */
export interface RawCairn {
  version: string;
  storeKind: string;
  connect(url: string, token: string, opts?: ConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  status(): Promise<Status>;
  onStatus(cb: (s: Status) => void): Promise<number>;
  createDatabase(name: string, opts?: CreateOptions): Promise<void>;
  deleteDatabase(name: string, opts?: { timeoutMs?: number }): Promise<void>;
  listDatabases(opts?: { timeoutMs?: number }): Promise<string[]>;
  open(name: string, opts?: OpenOptions): Promise<number>;
  close(db: number): Promise<void>;
  ready(db: number | View, opts?: { timeoutMs?: number }): Promise<{ basisT: number }>;
  stats(db: number | View): Promise<Stats>;
  onProgress(db: number | View, cb: (s: Stats) => void): Promise<number>;
  transact(db: number | View, txData: EDN, opts?: { timeoutMs?: number }): Promise<TxResult>;
  q(db: number | View, query: EDN, ...inputsAndOptions: (EDN | ReadOptions)[]): Promise<EDN>;
  pull(db: number | View, pattern: EDN, eid: EDN, opts?: ReadOptions): Promise<EDN>;
  pullMany(db: number | View, pattern: EDN, eids: EDN, opts?: ReadOptions): Promise<EDN>;
  qSync(db: number | View, query: EDN, ...inputsAndOptions: (EDN | ReadOptions)[]): EDN | Error;
  pullSync(db: number | View, pattern: EDN, eid: EDN, opts?: ReadOptions): EDN | Error;
  pullManySync(db: number | View, pattern: EDN, eids: EDN, opts?: ReadOptions): EDN | Error;
  datoms(db: number | View, index: string, ...componentsAndOptions: (EDN | DatomsOptions)[]): Promise<EDN>;
  txLog(db: number | View, opts?: ReadOptions & { after?: number; limit?: number }): Promise<{ tx: number; datoms: EDN }[]>;
  listen(db: number | View, cb: (ev: TxEvent) => void): Promise<number>;
  /** Removes a listen/onStatus/onProgress listener. */
  off(id: number): Promise<boolean>;
  shutdown(): Promise<void>;
  /** Synchronous; returns an Error object instead of throwing. */
  history(db: number | View): View | Error;
  asOf(db: number | View, t: number): View | Error;
  since(db: number | View, t: number): View | Error;
  toJS(text: EDN): any;
}

export const edn: {
  str(s: string): EDN;
  kw(name: string): EDN;
  scalar(v: null | undefined | boolean | number | bigint | string): EDN;
};
