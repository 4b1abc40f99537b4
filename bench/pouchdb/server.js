// PouchDB replication anchor, server side: express-pouchdb over PouchDB 9
// with the in-memory adapter (no files written), on 127.0.0.1.
//
//   node bench/pouchdb/server.js [-port 0]
//
// Prints one JSON line {"port": N} once it listens; runs until killed.
'use strict';
const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const express = require('express');
const expressPouch = require('express-pouchdb');

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('-port') + 1] || 0) || 0;

const app = express();
app.use('/', expressPouch(MemPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true }));
const srv = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: srv.address().port }) + '\n');
});
process.on('SIGTERM', () => srv.close(() => process.exit(0)));
