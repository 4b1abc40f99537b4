package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/edn"
)

// The commands that read or write a database through a replica: transact
// remotely, then q and pull locally.

var transactCmd = &command{
	name:    "transact",
	args:    "NAME TXDATA|@FILE|-",
	summary: "transact EDN tx-data and print {:tx T :tempids {...}}",
	doc: `
TXDATA is EDN tx-data inline, @FILE, or - to read it from stdin. The command
returns once the transaction is committed on the server and synced into the
local replica (memory, or --store DIR), and prints
  {:tx 536870913, :tempids {-1 4, "ivan" 5}}`,
	flags: func(fs *flag.FlagSet, o *opts) {
		fs.StringVar(&o.store, "store", "", "keep the replica in `DIR` (default: memory)")
	},
	nargs: exactly(2),
	run: func(ctx context.Context, e *cli, args []string) error {
		text, _, err := e.ednArg("tx-data", args[1], true)
		if err != nil {
			return err
		}
		return e.remote(ctx, func(ctx context.Context, s *session) error {
			d, err := s.open(ctx, args[0])
			if err != nil {
				return err
			}
			res, err := d.Transact(ctx, text)
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(res.Tempids))
			for k := range res.Tempids {
				ids = append(ids, k)
			}
			sort.Strings(ids)
			tempids := edn.NewMap()
			for _, k := range ids {
				tempids.Set(tempidKey(k), res.Tempids[k])
			}
			out := edn.NewMap(
				edn.MapEntry{Key: edn.Keyword{Name: "tx"}, Val: res.TxID},
				edn.MapEntry{Key: edn.Keyword{Name: "tempids"}, Val: tempids},
			)
			if res.Replayed {
				out.Set(edn.Keyword{Name: "replayed"}, true)
			}
			return e.printEDN(out)
		})
	},
}

// tempidKey turns a tempid as the server reports it back into EDN: the
// server sends numeric tempids (-1) as their decimal text.
func tempidKey(k string) any {
	if n, err := strconv.ParseInt(k, 10, 64); err == nil {
		return n
	}
	return k
}

var qCmd = &command{
	name:    "q",
	args:    "NAME QUERY [INPUT...]",
	summary: "sync a replica and run a Datalog query on it locally",
	doc: `
QUERY is EDN (inline or @FILE); each INPUT is an EDN value bound to the
query's :in variables after $. The replica (memory, or --store DIR) is synced
to the server's current head first, then the query runs locally and its
result is printed as EDN on one line. Example:
  cairn q people '[:find ?n :in $ ?min :where [?e :name ?n] [?e :age ?a] [(>= ?a ?min)]]' 21`,
	flags: readFlags,
	nargs: atLeast(2),
	run: func(ctx context.Context, e *cli, args []string) error {
		_, q, err := e.ednArg("query", args[1], false)
		if err != nil {
			return err
		}
		inputs := make([]any, len(args)-2)
		for i, a := range args[2:] {
			if _, inputs[i], err = e.ednArg(fmt.Sprintf("input %d", i+1), a, false); err != nil {
				return err
			}
		}
		return e.local(ctx, args[0], unorderedResult(q), func(ctx context.Context, db *core.DB) (any, error) {
			return db.Q(ctx, q, inputs...)
		})
	},
}

var pullCmd = &command{
	name:    "pull",
	args:    "NAME PATTERN EID",
	summary: "sync a replica and pull an entity locally",
	doc: `
PATTERN is a pull pattern and EID an entity id, lookup ref or ident, both
EDN. Example:
  cairn pull people '[* {:friend [:name]}]' '[:name "Ivan"]'`,
	flags: readFlags,
	nargs: exactly(3),
	run: func(ctx context.Context, e *cli, args []string) error {
		_, pattern, err := e.ednArg("pull pattern", args[1], false)
		if err != nil {
			return err
		}
		_, eid, err := e.ednArg("entity id", args[2], false)
		if err != nil {
			return err
		}
		return e.local(ctx, args[0], false, func(ctx context.Context, db *core.DB) (any, error) {
			return db.Pull(ctx, pattern, eid)
		})
	},
}

func readFlags(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.store, "store", "", "keep the replica in `DIR` so the next run fetches only what changed (default: memory)")
	fs.BoolVar(&o.canonical, "canonical", false, "print canonical EDN: maps and sets sorted (and, for q, the rows of a relation)")
}

// local syncs the database's replica to the server's current head and
// prints what fn computes on it. unordered says that the result is a
// vector standing for a set (a relation or collection :find), which
// --canonical prints sorted.
func (e *cli) local(ctx context.Context, name string, unordered bool, fn func(ctx context.Context, db *core.DB) (any, error)) error {
	return e.remote(ctx, func(ctx context.Context, s *session) error {
		d, err := s.open(ctx, name)
		if err != nil {
			return err
		}
		db, err := syncFresh(ctx, d)
		if err != nil {
			return err
		}
		v, err := fn(ctx, db)
		if err != nil {
			return err
		}
		if e.o.canonical && unordered {
			if vec, ok := v.(edn.Vector); ok {
				return e.printSorted(vec)
			}
		}
		return e.printEDN(v)
	})
}

// unorderedResult reports whether query q (as read) finds a relation or a
// collection, whose rows are a set: not a scalar (?x .) or a tuple
// ([?x ?y]).
func unorderedResult(q any) bool {
	var find []any
	switch t := q.(type) {
	case edn.Vector:
		in := false
		for _, x := range t {
			if k, ok := x.(edn.Keyword); ok {
				in = k == edn.Keyword{Name: "find"}
				continue
			}
			if in {
				find = append(find, x)
			}
		}
	case edn.List:
		return unorderedResult(edn.Vector(t))
	case *edn.Map:
		f, _ := t.Get(edn.Keyword{Name: "find"})
		switch f := f.(type) {
		case edn.Vector:
			find = f
		case edn.List:
			find = f
		}
	}
	if len(find) == 2 && find[1] == (edn.Symbol{Name: "."}) {
		return false
	}
	if len(find) == 1 {
		if v, ok := find[0].(edn.Vector); ok {
			return len(v) == 2 && v[1] == edn.Symbol{Name: "..."}
		}
	}
	return true
}

// printSorted prints a vector canonically with its elements sorted by
// their canonical text.
func (e *cli) printSorted(vec edn.Vector) error {
	parts := make([]string, len(vec))
	for i, x := range vec {
		parts[i] = edn.Canonical(x)
	}
	sort.Strings(parts)
	_, err := io.WriteString(e.stdout, "["+strings.Join(parts, " ")+"]\n")
	return err
}

// printEDN prints v on one line of stdout.
func (e *cli) printEDN(v any) error {
	var b []byte
	if e.o.canonical {
		b = edn.AppendCanonical(nil, v)
	} else {
		b = edn.AppendPrint(nil, v)
	}
	b = append(b, '\n')
	_, err := e.stdout.Write(b)
	return err
}
