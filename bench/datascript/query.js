// Runs the query shapes of Cairn's side-by-side query benchmark in
// DataScript 1.8.1 and prints one JSON line: per shape the first run, the
// warm runs and their median (milliseconds), and the result size.
// bench/cmd/benchquery runs this script and the same shapes in Cairn.
//
//   node bench/datascript/query.js [-n 20000] [-runs 10] [-pullruns 200]
//
// The dataset is the one of Cairn's load20k: n entities x 5 attributes
// (name unique, age i%90, city "city<i%10>" indexed, score i*7%1000,
// friend -> the next entity, a ring), loaded with init_db (entity i has id
// i+1). Attributes are strings in DataScript queries and pull patterns are
// EDN strings; the shapes must stay in step with bench/cmd/benchquery.
'use strict';
const d = require('datascript');

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const n = arg('-n', 20000);
const runs = arg('-runs', 10);
const pullRuns = arg('-pullruns', 200);
const pullManyN = Math.min(2000, n);

const schema = {
  name: { ':db/unique': ':db.unique/identity' },
  city: { ':db/index': true },
  friend: { ':db/valueType': ':db.type/ref' },
};

const datoms = [];
for (let i = 0; i < n; i++) {
  const e = i + 1;
  datoms.push([e, 'name', 'user' + i], [e, 'age', i % 90], [e, 'city', 'city' + (i % 10)],
    [e, 'score', (i * 7) % 1000], [e, 'friend', ((i + 1) % n) + 1]);
}
const t0 = process.hrtime.bigint();
const db = d.init_db(datoms, schema);
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

// Depth-bounded recursion: reach follows friend 1 to ?d hops; the counter
// is decremented in the recursive body, so (reach ?e ?f 3) gives the
// friends 1, 2 and 3 hops away.
const rules = '[[(reach ?a ?b ?d) [?a "friend" ?b]] ' +
  '[(reach ?a ?b ?d) [(> ?d 1)] [?a "friend" ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]';

// ids of user0 .. user<pullManyN-1>, resolved before timing, as in Cairn.
const ids = [];
for (let i = 0; i < pullManyN; i++) ids.push(d.q('[:find ?e . :in $ ?n :where [?e "name" ?n]]', db, 'user' + i));
const pullEid = d.q('[:find ?e . :in $ ?n :where [?e "name" ?n]]', db, 'user777');

const shapes = [
  { name: 'join2', run: () => d.q('[:find ?e ?s :where [?e "age" 42] [?e "score" ?s]]', db) },
  { name: 'join3-ref-bound', run: () => d.q('[:find ?n ?fn :in $ ?c :where [?e "city" ?c] [?e "friend" ?f] [?f "name" ?fn] [?e "name" ?n]]', db, 'city3') },
  { name: 'predicate', run: () => d.q('[:find ?n :in $ ?min :where [?e "age" ?a] [(> ?a ?min)] [?e "name" ?n]]', db, 70) },
  { name: 'count-by-city', run: () => d.q('[:find ?c (count ?e) :where [?e "city" ?c]]', db) },
  { name: 'rule-depth3', run: () => d.q('[:find ?e ?f :in $ % :where [?e "age" 42] (reach ?e ?f 3)]', db, rules) },
  { name: 'not-join', run: () => d.q('[:find ?e :in $ ?c :where [?e "city" ?c] (not-join [?e] [?e "friend" ?f] [?f "score" ?s] [(< ?s 500)])]', db, 'city3') },
  { name: 'or-join', run: () => d.q('[:find ?n :where (or-join [?e] [?e "city" "city1"] (and [?e "age" ?a] [(< ?a 5)])) [?e "name" ?n]]', db) },
  { name: 'pull-nested', pull: true, run: () => d.pull(db, '["name" "age" {"friend" ["name"]}]', pullEid) },
  { name: 'pull-many-2000', run: () => d.pull_many(db, '["name" "age" "city" "score"]', ids) },
];

function size(x) {
  if (Array.isArray(x)) return x.filter((y) => y !== null && y !== undefined).length;
  if (x === null || x === undefined) return 0;
  return 1;
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f) {
  const t = process.hrtime.bigint();
  const r = f();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

const out = [];
for (const s of shapes) {
  const [first, r] = time(s.run);
  const warm = [];
  const k = s.pull ? pullRuns : runs;
  for (let i = 0; i < k; i++) warm.push(time(s.run)[0]);
  out.push({ name: s.name, size: size(r), first_ms: first, median_ms: median(warm), runs: k });
}
console.log(JSON.stringify({ engine: 'datascript', version: '1.8.1', node: process.version, n, datoms: datoms.length, load_ms: loadMs, shapes: out }));
