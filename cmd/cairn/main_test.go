package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
)

func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			fmt.Fprintf(os.Stderr, "leak check: %d goroutines after the tests, %d before\n%s\n", n, before, buf[:runtime.Stack(buf, true)])
			code = 1
		}
	}
	os.Exit(code)
}

const token = "t"

// startServer runs a real sync server in-process and returns its ws URL.
func startServer(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Options{Data: t.TempDir(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ts.Close()
	})
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
}

// syncBuffer is a buffer that run may write while the test reads it.
type syncBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is one finished run.
type result struct {
	out, err string
	code     int
}

func envFor(url, tok string) func(string) string {
	return func(k string) string {
		switch k {
		case "CAIRN_SERVER":
			return url
		case "CAIRN_TOKEN":
			return tok
		}
		return ""
	}
}

// cairn runs the command in-process against url with the test token.
func cairn(t *testing.T, url, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--timeout", "10s"}, args...), envFor(url, token), strings.NewReader(stdin), &out, &errb)
	return result{out.String(), errb.String(), code}
}

// ok runs the command and fails the test unless it succeeds.
func ok(t *testing.T, url string, args ...string) string {
	t.Helper()
	r := cairn(t, url, "", args...)
	if r.code != 0 {
		t.Fatalf("cairn %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

const schema = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]`

func TestLifecycle(t *testing.T) {
	url := startServer(t)
	schemaFile := filepath.Join(t.TempDir(), "schema.edn")
	if err := os.WriteFile(schemaFile, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, url, "create", "people", "--schema", "@"+schemaFile)
	if got := ok(t, url, "exists", "people"); got != "true\n" {
		t.Fatalf("exists: %q", got)
	}

	out := ok(t, url, "transact", "people", `[{:db/id -1 :name "Ivan" :age 30} {:db/id "p" :name "Petr" :age 25}]`)
	m := regexp.MustCompile(`^\{:tx (\d+), :tempids \{-1 (\d+), "p" (\d+)\}\}\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("transact printed %q", out)
	}
	ivan := m[2]

	// Tx-data on stdin; a flag after the positional arguments.
	r := cairn(t, url, `[{:name "Olga" :age 25}]`, "transact", "people", "-", "--timeout", "5s")
	if r.code != 0 || !strings.HasPrefix(r.out, "{:tx ") {
		t.Fatalf("transact from stdin: %+v", r)
	}

	if got := ok(t, url, "q", "people", `[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]`, "--canonical"); got != `[["Ivan" 30] ["Olga" 25] ["Petr" 25]]`+"\n" {
		t.Fatalf("q: %q", got)
	}
	// An input after $, and a negative number that is not a flag.
	if got := ok(t, url, "q", "people", `[:find [?n ...] :in $ ?a :where [?e :age ?a] [?e :name ?n]]`, "25", "--canonical"); got != `["Olga" "Petr"]`+"\n" {
		t.Fatalf("q with input: %q", got)
	}
	if got := ok(t, url, "q", "people", `[:find ?x . :in $ ?x]`, "-7"); got != "-7\n" {
		t.Fatalf("q with a negative input: %q", got)
	}

	if got := ok(t, url, "pull", "people", "[:name :age]", `[:name "Ivan"]`); got != `{:name "Ivan", :age 30}`+"\n" {
		t.Fatalf("pull by lookup ref: %q", got)
	}
	if got := ok(t, url, "pull", "people", "[:name]", ivan, "--canonical"); got != `{:name "Ivan"}`+"\n" {
		t.Fatalf("pull by id: %q", got)
	}

	// A file store: the second query resumes the replica.
	dir := t.TempDir()
	for i := range 2 {
		if got := ok(t, url, "q", "people", `[:find (count ?e) . :where [?e :name]]`, "--store", dir); got != fmt.Sprintf("%d\n", 3+i) {
			t.Fatalf("q --store: %q", got)
		}
		ok(t, url, "transact", "people", fmt.Sprintf(`[{:name "Anna%d"}]`, i), "--store", dir)
	}
	if got := ok(t, url, "q", "people", `[:find (count ?e) . :where [?e :name]]`, "--store", dir); got != "5\n" {
		t.Fatalf("q --store after transacts: %q (the replica must be fresh, not merely resumed)", got)
	}

	ok(t, url, "create", "other", "--keep-history=false", "--schema-flexibility", "read")
	if got := ok(t, url, "list"); got != "other\npeople\n" {
		t.Fatalf("list: %q", got)
	}
	ok(t, url, "delete", "people")
	if got := ok(t, url, "exists", "people"); got != "false\n" {
		t.Fatalf("exists after delete: %q", got)
	}
	if got := ok(t, url, "list"); got != "other\n" {
		t.Fatalf("list after delete: %q", got)
	}
}

// watch runs `cairn watch` until stop is called.
type watch struct {
	out, err syncBuffer
	cancel   context.CancelFunc
	done     chan int
}

func startWatch(t *testing.T, url string, args ...string) *watch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watch{cancel: cancel, done: make(chan int, 1)}
	go func() {
		w.done <- runCtx(ctx, append([]string{"watch"}, args...), envFor(url, token), strings.NewReader(""), &w.out, &w.err)
	}()
	t.Cleanup(func() { w.stop(t) })
	return w
}

func (w *watch) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	select {
	case code, more := <-w.done:
		if more {
			close(w.done)
			if code != 0 {
				t.Errorf("watch exited %d; stderr: %s", code, w.err.String())
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop")
	}
}

// waitFor polls until cond holds.
func waitFor(t *testing.T, what string, w *watch, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		select {
		case code := <-w.done:
			close(w.done)
			t.Fatalf("watch exited %d while waiting for %s\nstdout: %s\nstderr: %s", code, what, w.out.String(), w.err.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\nstdout: %s\nstderr: %s", what, w.out.String(), w.err.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var (
	txLineRe  = regexp.MustCompile(`(?m)^\{:tx (\d+), :data \[.*\]\}$`)
	fetchedRe = regexp.MustCompile(`fetched (\d+) nodes, (\d+) bytes`)
)

// txIDs returns the transaction ids of the lines a watch printed.
func txIDs(t *testing.T, out string) []int64 {
	t.Helper()
	var ids []int64
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		m := txLineRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("watch printed a line that is not a transaction: %q", line)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func fetchedNodes(t *testing.T, stderr string) int {
	t.Helper()
	m := fetchedRe.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no fetched report in %q", stderr)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestWatchResume(t *testing.T) {
	url := startServer(t)
	ok(t, url, "create", "log", "--schema", schema)
	// Enough datoms for multi-level indices, so a resume fetches a path,
	// not everything.
	var tx strings.Builder
	tx.WriteString("[")
	for i := range 3000 {
		fmt.Fprintf(&tx, `{:name "p%d" :age %d}`, i, i%90)
	}
	tx.WriteString("]")
	bulk := filepath.Join(t.TempDir(), "bulk.edn")
	if err := os.WriteFile(bulk, []byte(tx.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, url, "transact", "log", "@"+bulk)

	dir := t.TempDir()
	w1 := startWatch(t, url, "log", "--store", dir, "--progress", "always")
	waitFor(t, "the initial sync", w1, func() bool { return strings.Contains(w1.err.String(), "synced to t=") })
	first := fetchedNodes(t, w1.err.String())
	// Live: transactions made while the watch runs.
	ok(t, url, "transact", "log", `[{:name "live1"}]`)
	ok(t, url, "transact", "log", `[{:name "live2"} [:db/retract [:name "p1"] :age 1]]`)
	waitFor(t, "the live transactions", w1, func() bool { return strings.Contains(w1.out.String(), `"live2"`) })
	w1.stop(t)
	ids := txIDs(t, w1.out.String())
	if len(ids) != 4 { // schema, bulk, live1, live2
		t.Fatalf("first watch printed %d transactions, want 4:\n%s", len(ids), w1.out.String())
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Fatalf("transactions out of order or missing: %v", ids)
		}
	}
	if !strings.Contains(w1.out.String(), `:age 1 false]`) {
		t.Fatalf("the retraction is not printed with added=false:\n%s", w1.out.String())
	}

	// While no watch runs.
	ok(t, url, "transact", "log", `[{:name "offline"}]`)

	w2 := startWatch(t, url, "log", "--store", dir)
	waitFor(t, "the resume", w2, func() bool { return strings.Contains(w2.err.String(), "resumed from t=") })
	waitFor(t, "the offline transaction", w2, func() bool { return strings.Contains(w2.out.String(), `"offline"`) })
	resumed := fetchedNodes(t, w2.err.String())
	t.Logf("full sync fetched %d nodes, resume %d", first, resumed)
	if resumed == 0 || resumed >= first {
		t.Fatalf("resume fetched %d nodes, the full sync %d: want 0 < resumed < full", resumed, first)
	}
	if want := fmt.Sprintf("resumed from t=%d", ids[len(ids)-1]); !strings.Contains(w2.err.String(), want) {
		t.Fatalf("stderr %q does not say %q", w2.err.String(), want)
	}
	w2.stop(t)
	if got := txIDs(t, w2.out.String()); len(got) != 1 || got[0] != ids[len(ids)-1]+1 {
		t.Fatalf("resumed watch printed %v, want only %d", got, ids[len(ids)-1]+1)
	}

	// --from-start prints the local log first, then follows.
	w3 := startWatch(t, url, "log", "--store", dir, "--from-start")
	waitFor(t, "the resume", w3, func() bool { return strings.Contains(w3.err.String(), "resumed from t=") })
	if n := fetchedNodes(t, w3.err.String()); n != 0 {
		t.Fatalf("an up-to-date store fetched %d nodes", n)
	}
	ok(t, url, "transact", "log", `[{:name "after"}]`)
	waitFor(t, "the new transaction", w3, func() bool { return strings.Contains(w3.out.String(), `"after"`) })
	w3.stop(t)
	if got := txIDs(t, w3.out.String()); len(got) != 6 || got[0] != ids[0] || got[5] != ids[0]+5 {
		t.Fatalf("--from-start printed %v, want %d..%d", got, ids[0], ids[0]+5)
	}
}

func TestWatchDeleted(t *testing.T) {
	url := startServer(t)
	ok(t, url, "create", "gone")
	w := startWatch(t, url, "gone")
	waitFor(t, "the initial sync", w, func() bool { return strings.Contains(w.err.String(), "synced to t=") })
	ok(t, url, "delete", "gone")
	select {
	case code := <-w.done:
		close(w.done)
		if code != 1 || !strings.Contains(w.err.String(), "deleted") {
			t.Fatalf("watch of a deleted database: exit %d, stderr %q", code, w.err.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not end when the database was deleted")
	}
}

func TestErrors(t *testing.T) {
	url := startServer(t)
	ok(t, url, "create", "db", "--schema", schema)
	for _, tc := range []struct {
		name string
		env  func(string) string
		args []string
		code int
		msg  string
	}{
		{"bad query EDN", nil, []string{"q", "db", "[:find ?e :where [?e :name]"}, 1, "invalid EDN in query"},
		{"bad tx EDN", nil, []string{"transact", "db", "[{:name}"}, 1, "invalid EDN in tx-data"},
		{"bad schema EDN", nil, []string{"create", "x", "--schema", "[{"}, 1, "invalid EDN in --schema"},
		{"missing file", nil, []string{"transact", "db", "@/nonexistent/tx.edn"}, 1, "reading tx-data"},
		{"unknown attribute", nil, []string{"transact", "db", "[{:color 1}]"}, 1, "unknown attribute"},
		{"unknown db q", nil, []string{"q", "nope", "[:find ?e :where [?e :name]]"}, 1, "no such database: nope"},
		{"unknown db pull", nil, []string{"pull", "nope", "[*]", "1"}, 1, "no such database: nope"},
		{"unknown db transact", nil, []string{"transact", "nope", "[]"}, 1, "no such database: nope"},
		{"unknown db watch", nil, []string{"watch", "nope"}, 1, "no such database: nope"},
		{"unknown db delete", nil, []string{"delete", "nope"}, 1, "no such database"},
		{"exists", nil, []string{"create", "db"}, 1, "already exists"},
		{"bad name", nil, []string{"create", "Bad Name"}, 1, "invalid database name"},
		{"bad query", nil, []string{"q", "db", "[:find ?x :where [?e :name]]"}, 1, "q:"},
		{"wrong token", envFor(url, "wrong"), []string{"list"}, 1, "unauthorized"},
		{"no token", envFor(url, ""), []string{"list"}, 1, "unauthorized"},
		{"unreachable", envFor("127.0.0.1:1", token), []string{"--timeout", "300ms", "list"}, 1, "cannot connect to ws://127.0.0.1:1/ws within 300ms"},
		{"bad url", envFor("ftp://x", token), []string{"list"}, 2, "bad --server URL"},
		{"unknown command", nil, []string{"frob"}, 2, `unknown command "frob"`},
		{"no command", nil, nil, 2, "Commands:"},
		{"too few args", nil, []string{"q", "db"}, 2, "wrong number of arguments"},
		{"too many args", nil, []string{"exists", "a", "b"}, 2, "wrong number of arguments"},
		{"unknown flag", nil, []string{"list", "--frob"}, 2, "flag provided but not defined"},
		{"bad flexibility", nil, []string{"create", "x", "--schema-flexibility", "maybe"}, 2, "--schema-flexibility"},
		{"bad progress", nil, []string{"watch", "db", "--progress", "loud"}, 2, "--progress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = envFor(url, token)
			}
			var out, errb bytes.Buffer
			code := run(tc.args, env, strings.NewReader(""), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to contain %q", code, tc.code, errb.String(), tc.msg)
			}
			if code == 1 && strings.Count(errb.String(), "\n") != 1 {
				t.Fatalf("the error is not one line: %q", errb.String())
			}
			if out.Len() != 0 {
				t.Fatalf("stdout on error: %q", out.String())
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		var out, errb bytes.Buffer
		if code := run(args, nil, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "Commands:") || errb.Len() != 0 {
			t.Fatalf("%v: exit %d, stdout %q", args, code, out.String())
		}
	}
	for _, c := range commands {
		for _, args := range [][]string{{"help", c.name}, {c.name, "-h"}} {
			var out, errb bytes.Buffer
			if code := run(args, nil, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "usage: cairn "+c.name) || errb.Len() != 0 {
				t.Fatalf("%v: exit %d, stdout %q stderr %q", args, code, out.String(), errb.String())
			}
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	var o opts
	fs := newFlagSet("test", &o)
	readFlags(fs, &o)
	pos, err := parseInterspersed(fs, []string{"db", "--store", "d", "-1", "--canonical", "-", "--", "--x"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pos, " ") != "db -1 - --x" || o.store != "d" || !o.canonical {
		t.Fatalf("pos %q store %q canonical %v", pos, o.store, o.canonical)
	}
}

func TestWSURL(t *testing.T) {
	for in, want := range map[string]string{
		"ws://h:1/ws":       "ws://h:1/ws",
		"h:1":               "ws://h:1/ws",
		"http://h:1":        "ws://h:1/ws",
		"https://h/":        "wss://h/ws",
		"ws://h:1/other/ws": "ws://h:1/other/ws",
	} {
		if got, err := wsURL(in); err != nil || got != want {
			t.Errorf("wsURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
