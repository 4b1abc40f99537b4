// Command conformance runs the DataScript-derived conformance corpus
// against Cairn and prints one line per failing case, then "N passed, M
// failed". It exits non-zero when any case fails.
//
//	go run ./tests/conformance -cases tests/conformance/testdata/cases.jsonl [-kind transact|query|pull|pull-many] [-v]
//
// Every case runs on a fresh in-memory database created in DataScript mode
// with :schema-flexibility :read plus the case's schema, as the corpus
// README prescribes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cairn-db/cairn/internal/corpus"
)

// Case is one line of the corpus.
type Case = corpus.Case

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	casesPath := fs.String("cases", "tests/conformance/testdata/cases.jsonl", "JSONL file of cases")
	kind := fs.String("kind", "", "run only cases of this kind: transact, query, pull or pull-many")
	only := fs.String("id", "", "run only cases whose id starts with this")
	verbose := fs.Bool("v", false, "print passing cases too")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch *kind {
	case "", "transact", "query", "pull", "pull-many":
	default:
		fmt.Fprintf(stderr, "conformance: unknown -kind %q\n", *kind)
		return 2
	}
	cases, err := corpus.Read(*casesPath)
	if err != nil {
		fmt.Fprintf(stderr, "conformance: %v\n", err)
		return 2
	}
	passed, failed := 0, 0
	for _, c := range cases {
		if (*kind != "" && c.Kind != *kind) || !strings.HasPrefix(c.ID, *only) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := runCase(ctx, c)
		cancel()
		if msg := verdict(c, got, err); msg != "" {
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %s\n", c.ID, msg)
		} else {
			passed++
			if _, dev := deviations[c.ID]; dev {
				fmt.Fprintf(stdout, "DEVIATION %s (documented in README): %s\n", c.ID, deviations[c.ID].reason)
			} else if *verbose {
				fmt.Fprintf(stdout, "ok   %s\n", c.ID)
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		return 1
	}
	return 0
}

// verdict compares a case's outcome with its expectation; "" means pass.
// A documented deviation passes only with Cairn's documented result.
func verdict(c Case, got string, err error) string {
	if d, ok := deviations[c.ID]; ok {
		if err != nil {
			return "unexpected error: " + err.Error()
		}
		if got != d.want {
			return fmt.Sprintf("documented deviation changed:\n  want %s\n  got  %s", d.want, got)
		}
		return ""
	}
	if c.Error {
		if err == nil {
			return fmt.Sprintf("expected an error (DataScript: %q), got %s", c.ErrorContains, got)
		}
		return ""
	}
	if err != nil {
		return "unexpected error: " + err.Error()
	}
	if c.Expect == nil {
		return "case has neither expect nor error"
	}
	if got != *c.Expect {
		return fmt.Sprintf("\n  want %s\n  got  %s", *c.Expect, got)
	}
	return ""
}
