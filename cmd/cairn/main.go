// Command cairn is the command-line peer of a Cairn sync server: it
// manages databases on the server, transacts, runs queries and pulls
// against a local replica, and watches a database's transactions as they
// are committed.
//
//	cairn [--server URL] [--token SECRET] [--timeout 30s] COMMAND [flags] ARGS
//
//	cairn create NAME [--schema EDN|@file] [--keep-history=true] [--schema-flexibility write|read]
//	cairn delete NAME
//	cairn list
//	cairn exists NAME
//	cairn transact NAME TXDATA|@file|-
//	cairn q NAME QUERY [INPUT...] [--store DIR] [--canonical]
//	cairn pull NAME PATTERN EID [--store DIR] [--canonical]
//	cairn watch NAME [--store DIR] [--from-start]
//
// The server defaults to ws://127.0.0.1:4444/ws (CAIRN_SERVER) and the token
// comes from --token or CAIRN_TOKEN. Queries and pulls run locally on a
// replica synced into memory, or into a directory (--store) so the next run
// fetches only what changed. Exit status: 0 on success, 1 on an error
// (one line on stderr), 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/peer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := runCtx(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command's entry point with its environment passed in, so
// tests drive it in-process.
func run(args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runCtx(context.Background(), args, env, stdin, stdout, stderr)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const defaultServer = "ws://127.0.0.1:4444/ws"

// command is one subcommand.
type command struct {
	name, args, summary string
	// doc is the longer description per-command help shows.
	doc string
	// flags registers the command's own flags on fs.
	flags func(fs *flag.FlagSet, o *opts)
	// nargs checks the number of positional arguments.
	nargs func(n int) bool
	run   func(ctx context.Context, e *cli, args []string) error
}

// opts holds every flag value; each command reads its own.
type opts struct {
	server, token string
	timeout       time.Duration
	verbose       bool

	// create
	schema, flexibility string
	keepHistory         bool
	// q, pull, watch, transact
	store     string
	canonical bool
	fromStart bool
	progress  string
}

// cli is one invocation: its streams, environment and options.
type cli struct {
	o      opts
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// onStatus, if set, observes the connection (watch reports it).
	onStatus func(peer.StatusChange)
}

// commands lists the subcommands in the order help shows them.
var commands []*command

func init() {
	commands = []*command{
		createCmd, deleteCmd, listCmd, existsCmd,
		transactCmd, qCmd, pullCmd, watchCmd,
	}
}

func exactly(k int) func(int) bool { return func(n int) bool { return n == k } }
func atLeast(k int) func(int) bool { return func(n int) bool { return n >= k } }

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func runCtx(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if env == nil {
		env = func(string) string { return "" }
	}
	e := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	e.o.server = env("CAIRN_SERVER")
	if e.o.server == "" {
		e.o.server = defaultServer
	}
	e.o.token = env("CAIRN_TOKEN")
	e.o.timeout = 30 * time.Second

	// Global flags come before the command; they are accepted after it too.
	gfs := newFlagSet("cairn", &e.o)
	gfs.Usage = func() {} // errors and -h are reported below
	rest, err := parseGlobal(gfs, args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "cairn: %v\nRun 'cairn help' for usage.\n", err)
		return exitUsage
	}
	if len(rest) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return helpCmd(stdout, stderr, rest)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "cairn: unknown command %q\nRun 'cairn help' for usage.\n", name)
		return exitUsage
	}
	fs := newFlagSet("cairn "+cmd.name, &e.o)
	if cmd.flags != nil {
		cmd.flags(fs, &e.o)
	}
	fs.Usage = func() {}
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(stdout, cmd, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "cairn %s: %v\nRun 'cairn %s -h' for usage.\n", cmd.name, err, cmd.name)
		return exitUsage
	}
	if !cmd.nargs(len(pos)) {
		fmt.Fprintf(stderr, "cairn %s: wrong number of arguments\nusage: cairn %s %s\n", cmd.name, cmd.name, cmd.args)
		return exitUsage
	}
	if e.o.timeout <= 0 {
		fmt.Fprintf(stderr, "cairn: --timeout must be positive\n")
		return exitUsage
	}
	err = cmd.run(ctx, e, pos)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cairn %s: %s\nRun 'cairn %s -h' for usage.\n", cmd.name, ue.msg, cmd.name)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "cairn %s: %s\n", cmd.name, describe(err, e))
		return exitError
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// newFlagSet returns a flag set with the global flags, whose defaults are
// the values already in o (from the environment or the global flags).
func newFlagSet(name string, o *opts) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.server, "server", o.server, "sync server `URL` (env CAIRN_SERVER)")
	fs.StringVar(&o.token, "token", o.token, "`SECRET` token the server expects (env CAIRN_TOKEN)")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "time limit (a `duration`) of a one-shot command; for watch, of connecting")
	fs.BoolVar(&o.verbose, "v", o.verbose, "log the connection and sync layers to stderr")
	return fs
}

// parseGlobal parses the flags before the command name.
func parseGlobal(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

// parseInterspersed parses flags anywhere among the arguments, one flag at
// a time, so that positional EDN arguments that start with '-' (negative
// numbers, "-" for stdin) stay positional. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return append(pos, args[1:]...), nil
		}
		if !isFlag(a) {
			pos = append(pos, a)
			args = args[1:]
			continue
		}
		n := 1
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") {
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && len(args) > 1 {
				n = 2
			}
		}
		if err := fs.Parse(args[:n]); err != nil {
			return nil, err
		}
		if fs.NArg() > 0 { // cannot happen for a well-formed slice; be safe
			pos = append(pos, fs.Args()...)
		}
		args = args[n:]
	}
	return pos, nil
}

// isFlag reports whether a looks like a flag rather than an EDN value: it
// starts with '-' followed by a letter ("-h", "--store"), not a digit, '.'
// or nothing ("-1", "-" for stdin).
func isFlag(a string) bool {
	s := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if len(s) == len(a) || s == "" {
		return false
	}
	c := s[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func helpCmd(stdout, stderr io.Writer, args []string) int {
	if len(args) == 0 {
		printHelp(stdout)
		return exitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "cairn help: unknown command %q\n", args[0])
		return exitUsage
	}
	var o opts
	o.server, o.timeout = defaultServer, 30*time.Second
	fs := newFlagSet("cairn "+cmd.name, &o)
	if cmd.flags != nil {
		cmd.flags(fs, &o)
	}
	printCommandHelp(stdout, cmd, fs)
	return exitOK
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `cairn is the command-line peer of a Cairn sync server.

Usage:
  cairn [--server URL] [--token SECRET] [--timeout 30s] COMMAND [flags] ARGS

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help      show this help, or a command's: cairn help COMMAND

Global flags (also accepted after the command):
  --server URL    sync server (default ws://127.0.0.1:4444/ws, env CAIRN_SERVER)
  --token SECRET  server token (env CAIRN_TOKEN)
  --timeout D     time limit of a one-shot command (default 30s)
  -v              log the connection and sync layers to stderr

Arguments in EDN may be given inline, as @FILE, or (for transact) - for stdin.
Exit status: 0 on success, 1 on an error, 2 on a usage error.
`)
}

func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: cairn %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.doc != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.doc))
	}
	var own, global []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if slices.Contains([]string{"server", "token", "timeout", "v"}, f.Name) {
			global = append(global, f)
		} else {
			own = append(own, f)
		}
	})
	printFlags := func(title string, fl []*flag.Flag) {
		if len(fl) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, f := range fl {
			name, usage := flag.UnquoteUsage(f)
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-"
			}
			line := "  " + dash + f.Name
			if name != "" {
				line += " " + name
			}
			fmt.Fprintf(w, "%-28s %s", line, usage)
			if f.DefValue != "" && f.DefValue != "false" && f.Name != "token" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(w)
		}
	}
	printFlags("Flags", own)
	printFlags("Global flags", global)
}
