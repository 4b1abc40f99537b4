package main

import (
	"context"
	"flag"
	"fmt"
	"slices"

	"github.com/cairn-db/cairn/client"
)

// The database management commands: remote calls, no replica.

var createCmd = &command{
	name:    "create",
	args:    "NAME [--schema EDN|@FILE] [--keep-history=true] [--schema-flexibility write|read]",
	summary: "create a database on the server",
	flags: func(fs *flag.FlagSet, o *opts) {
		fs.StringVar(&o.schema, "schema", "", "initial schema: `EDN` tx-data of attribute entities, or @FILE")
		fs.BoolVar(&o.keepHistory, "keep-history", true, "keep temporal indices (history, as-of, since)")
		fs.StringVar(&o.flexibility, "schema-flexibility", "write", "schema `MODE`: write (attributes must be declared first) or read")
	},
	nargs: exactly(1),
	run: func(ctx context.Context, e *cli, args []string) error {
		co := client.CreateOptions{KeepHistory: &e.o.keepHistory, SchemaFlexibility: e.o.flexibility}
		switch e.o.flexibility {
		case "write", "read":
		default:
			return usagef("--schema-flexibility must be write or read, not %q", e.o.flexibility)
		}
		if e.o.schema != "" {
			text, _, err := e.ednArg("--schema", e.o.schema, false)
			if err != nil {
				return err
			}
			co.Schema = text
		}
		return e.remote(ctx, func(ctx context.Context, s *session) error {
			return s.c.CreateDatabase(ctx, args[0], co)
		})
	},
}

var deleteCmd = &command{
	name:    "delete",
	args:    "NAME",
	summary: "delete a database on the server",
	nargs:   exactly(1),
	run: func(ctx context.Context, e *cli, args []string) error {
		return e.remote(ctx, func(ctx context.Context, s *session) error {
			return s.c.DeleteDatabase(ctx, args[0])
		})
	},
}

var listCmd = &command{
	name:    "list",
	args:    "",
	summary: "list the server's databases, one per line",
	nargs:   exactly(0),
	run: func(ctx context.Context, e *cli, _ []string) error {
		return e.remote(ctx, func(ctx context.Context, s *session) error {
			names, err := s.c.ListDatabases(ctx)
			if err != nil {
				return err
			}
			slices.Sort(names)
			for _, n := range names {
				fmt.Fprintln(e.stdout, n)
			}
			return nil
		})
	},
}

var existsCmd = &command{
	name:    "exists",
	args:    "NAME",
	summary: "print true or false: whether the server has the database",
	nargs:   exactly(1),
	run: func(ctx context.Context, e *cli, args []string) error {
		return e.remote(ctx, func(ctx context.Context, s *session) error {
			ok, err := s.c.DatabaseExists(ctx, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, ok)
			return nil
		})
	},
}

// remote runs fn on a fresh connection within the command's timeout.
func (e *cli) remote(ctx context.Context, fn func(ctx context.Context, s *session) error) error {
	ctx, cancel := context.WithTimeout(ctx, e.o.timeout)
	defer cancel()
	s, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(ctx, s)
}
