// PouchDB replication anchor, client side (a second node process): seeds
// the server with N docs, then times a one-shot pull replication of them
// into a fresh in-memory PouchDB (initial), seeds M new docs and times the
// next pull (incremental, from the checkpoint), then a no-op pull.
//
//   node bench/pouchdb/client.js -seed http://127.0.0.1:S -url http://127.0.0.1:P \
//        [-bytes http://127.0.0.1:B/bytes] [-docs 10000] [-new 100] [-batch 500]
//
// -seed is the server itself (seeding is not measured); -url is the address
// replication uses (the Go driver puts a byte-counting TCP proxy there, and
// serves its counters at -bytes). Docs mirror Cairn's benchmark entities:
// {_id, name, age, city, score, friend}. The last stdout line is JSON.
'use strict';
const NOOP_RUNS = 5;
const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));

function arg(name, def) {
  const i = process.argv.indexOf('-' + name);
  return i > 0 ? process.argv[i + 1] : def;
}
const seedURL = arg('seed');
const replURL = arg('url', seedURL);
const bytesURL = arg('bytes', '');
const N = Number(arg('docs', '10000'));
const M = Number(arg('new', '100'));
const batch = Number(arg('batch', '500'));
const dbName = arg('db', 'bench');

function doc(i) {
  return { _id: 'user' + String(i).padStart(7, '0'), name: 'user' + i, age: i % 90, city: 'city' + (i % 10), score: (i * 7) % 1000, friend: 'user' + String(i + 1).padStart(7, '0') };
}

async function bytes() {
  if (!bytesURL) return { up: 0, down: 0 };
  const r = await fetch(bytesURL);
  return r.json();
}

async function seed(db, from, n) {
  for (let i = from; i < from + n; i += 1000) {
    const docs = [];
    for (let j = i; j < Math.min(i + 1000, from + n); j++) docs.push(doc(j));
    const res = await db.bulkDocs(docs);
    for (const r of res) if (r.error) throw new Error('bulkDocs: ' + JSON.stringify(r));
  }
}

async function timed(fn) {
  const b0 = await bytes();
  const t0 = process.hrtime.bigint();
  const res = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const b1 = await bytes();
  return { ms, up: b1.up - b0.up, down: b1.down - b0.down, docs_written: res.docs_written, docs_read: res.docs_read };
}

(async () => {
  const direct = new PouchDB(seedURL + '/' + dbName);
  const remote = new PouchDB(replURL + '/' + dbName);
  const local = new PouchDB('local-' + process.pid, { adapter: 'memory' });

  let t = process.hrtime.bigint();
  await seed(direct, 0, N);
  const seedMs = Number(process.hrtime.bigint() - t) / 1e6;

  const initial = await timed(() => PouchDB.replicate(remote, local, { batch_size: batch }));
  let info = await local.info();
  if (info.doc_count !== N) throw new Error(`initial: local has ${info.doc_count} docs, want ${N}`);

  await seed(direct, N, M);
  const incremental = await timed(() => PouchDB.replicate(remote, local, { batch_size: batch }));
  info = await local.info();
  if (info.doc_count !== N + M) throw new Error(`incremental: local has ${info.doc_count} docs, want ${N + M}`);

  // The no-op pull is short, so one sample is mostly noise: the median of
  // NOOP_RUNS (the Go driver does the same on Cairn's side).
  const noops = [];
  for (let i = 0; i < NOOP_RUNS; i++) noops.push(await timed(() => PouchDB.replicate(remote, local, { batch_size: batch })));
  noops.sort((a, b) => a.ms - b.ms);
  const noop = noops[noops.length >> 1];

  const out = { pouchdb: require('pouchdb/package.json').version, express_pouchdb: require('express-pouchdb/package.json').version,
    docs: N, new_docs: M, batch_size: batch, seed_ms: seedMs, initial, incremental, noop };
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
