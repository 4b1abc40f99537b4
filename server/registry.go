package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	gosync "sync"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
	"github.com/cairn-db/cairn/store/file"
	csync "github.com/cairn-db/cairn/sync"
	"github.com/cairn-db/cairn/wire"
)

// scopeID is the shape of a database name: no path tricks.
var scopeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidName reports whether name is a valid scope id.
func ValidName(name string) bool { return scopeID.MatchString(name) }

// Database is one database the server owns: its file store, the writer
// connection and the publisher its subscribers follow.
type Database struct {
	Name string
	st   *file.Store
	conn *core.Conn
	pub  *csync.Publisher
}

// Conn returns the database's writer connection.
func (d *Database) Conn() *core.Conn { return d.conn }

// Publisher returns the database's commit publisher.
func (d *Database) Publisher() *csync.Publisher { return d.pub }

// Store returns the database's store.
func (d *Database) Store() *file.Store { return d.st }

func (d *Database) close() {
	d.conn.Close()
	d.st.Close()
}

// Registry owns the databases under one data directory, one per scope id
// in DATA/<scope-id>/. Databases open lazily and stay open.
type Registry struct {
	dir    string
	log    *slog.Logger
	cache  *index.Cache
	onTx   func(db string, r *core.Report)
	mu     gosync.Mutex
	dbs    map[string]*Database
	closed bool
}

// NewRegistry returns a registry over dir (created if missing). onTx, when
// set, sees every committed transaction report (metrics).
func NewRegistry(dir string, log *slog.Logger, cacheBytes int64, onTx func(string, *core.Report)) (*Registry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Registry{dir: dir, log: log, cache: index.NewCache(cacheBytes), onTx: onTx, dbs: map[string]*Database{}}, nil
}

func (r *Registry) path(name string) string { return filepath.Join(r.dir, name) }

func (r *Registry) coreOptions() *core.Options {
	return &core.Options{Cache: r.cache, Logger: r.log}
}

// Create makes a new database. It fails with ErrExists when one exists.
func (r *Registry) Create(ctx context.Context, name string, cfg core.Config) error {
	if !ValidName(name) {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrShuttingDown
	}
	if _, ok := r.dbs[name]; ok {
		return fmt.Errorf("%w: %s", ErrExists, name)
	}
	st, err := file.Open(ctx, r.path(name), &file.Options{Logger: r.log})
	if err != nil {
		return err
	}
	conn, err := core.Create(ctx, st, cfg, r.coreOptions())
	if err != nil {
		st.Close()
		if errors.Is(err, core.ErrDatabaseExists) {
			return fmt.Errorf("%w: %s", ErrExists, name)
		}
		return err
	}
	r.dbs[name] = r.track(name, st, conn)
	r.log.Info("database created", "db", name)
	return nil
}

func (r *Registry) track(name string, st *file.Store, conn *core.Conn) *Database {
	d := &Database{Name: name, st: st, conn: conn, pub: csync.NewPublisher(conn.DB())}
	conn.Listen(func(rep *core.Report) {
		d.pub.Publish(rep.DBAfter)
		if r.onTx != nil {
			r.onTx(name, rep)
		}
	})
	return d
}

// Get returns an open database, opening it from disk when needed.
func (r *Registry) Get(ctx context.Context, name string) (*Database, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrShuttingDown
	}
	if d, ok := r.dbs[name]; ok {
		return d, nil
	}
	if _, err := os.Stat(r.path(name)); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	st, err := file.Open(ctx, r.path(name), &file.Options{Logger: r.log})
	if err != nil {
		return nil, err
	}
	conn, err := core.Connect(ctx, st, r.coreOptions())
	if err != nil {
		st.Close()
		if errors.Is(err, core.ErrNoDatabase) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		return nil, err
	}
	d := r.track(name, st, conn)
	r.dbs[name] = d
	return d, nil
}

// Exists reports whether a database exists.
func (r *Registry) Exists(ctx context.Context, name string) (bool, error) {
	_, err := r.Get(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// List returns the names of every database, sorted.
func (r *Registry) List() ([]string, error) {
	ents, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && ValidName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Delete closes a database, tells its subscribers and removes its files.
func (r *Registry) Delete(ctx context.Context, name string) error {
	d, err := r.Get(ctx, name)
	if err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.dbs, name)
	r.mu.Unlock()
	d.pub.Delete()
	d.close()
	if err := os.RemoveAll(r.path(name)); err != nil {
		return err
	}
	r.log.Info("database deleted", "db", name)
	return nil
}

// Transact applies tx-data to a database. A non-empty key makes the call
// idempotent: the key is stored on the transaction entity in the same
// commit, and a later call with the same key returns the first call's
// transaction instead of applying it again.
func (r *Registry) Transact(ctx context.Context, name string, data any, key string) (*wire.TransactResult, error) {
	d, err := r.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	ops, err := core.ParseTxData(data)
	if err != nil {
		return nil, err
	}
	if key != "" {
		if res, ok, err := replayed(ctx, d.conn.DB(), key); ok || err != nil {
			return res, err
		}
		ops = append(ops[:len(ops):len(ops)], []any{datom.EDNKeyword("db/add"), "datomic.tx", datom.EDNKeyword(schema.IdempotencyKey), key})
	}
	rep, err := d.conn.Transact(ctx, ops)
	if err != nil {
		if key != "" && errors.Is(err, tx.ErrUniqueConflict) {
			// A concurrent retry with the same key won the race.
			if res, ok, err2 := replayed(ctx, d.conn.DB(), key); ok || err2 != nil {
				return res, err2
			}
		}
		return nil, err
	}
	res := &wire.TransactResult{TxID: rep.TxID, Tempids: map[string]int64{}}
	for k, v := range rep.Tempids {
		switch k := k.(type) {
		case string:
			if k != "db/current-tx" && k != "datomic.tx" {
				res.Tempids[k] = v
			}
		case int64:
			res.Tempids[fmt.Sprint(k)] = v
		}
	}
	return res, nil
}

func replayed(ctx context.Context, db *core.DB, key string) (*wire.TransactResult, bool, error) {
	e, err := db.Entid(ctx, datom.Tuple([]datom.Value{datom.Keyword(schema.IdempotencyKey), datom.String(key)}))
	if err != nil || e == 0 {
		return nil, false, err
	}
	return &wire.TransactResult{TxID: e, Tempids: map[string]int64{}, Replayed: true}, true, nil
}

// Close closes every database after its in-flight commits.
func (r *Registry) Close() {
	r.mu.Lock()
	r.closed = true
	dbs := r.dbs
	r.dbs = map[string]*Database{}
	r.mu.Unlock()
	for _, d := range dbs {
		d.close()
	}
}
