// Loads the 20k entities x 5 attributes workload into DataScript 1.8.1 and
// prints one JSON line of timings (milliseconds). The same workload runs in
// Cairn's BenchmarkTransact20k; bench/cmd/benchreport compares them.
//
//   node bench/datascript/transact.js [-n 20000] [-runs 3]
'use strict';
const d = require('datascript');

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const n = arg('-n', 20000);
const runs = arg('-runs', 3);

const schema = {
  name: { ':db/unique': ':db.unique/identity' },
  city: { ':db/index': true },
  friend: { ':db/valueType': ':db.type/ref' },
};

// Same entity maps as Cairn's load20k: tempids, friend ref to the next one.
function entities() {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = { ':db/id': -(i + 1), name: 'user' + i, age: i % 90, city: 'city' + (i % 10), score: (i * 7) % 1000, friend: -(((i + 1) % n) + 1) };
  }
  return out;
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const times = [];
let datoms = 0;
for (let r = 0; r < runs; r++) {
  const ents = entities();
  const t0 = process.hrtime.bigint();
  const db = d.db_with(d.empty_db(schema), ents);
  const t1 = process.hrtime.bigint();
  times.push(Number(t1 - t0) / 1e6);
  datoms = d.datoms(db, ':eavt').length;
}
console.log(JSON.stringify({ engine: 'datascript', version: '1.8.1', node: process.version, n, datoms, runs_ms: times, median_ms: median(times) }));
