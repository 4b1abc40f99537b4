package core_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/store/file"
)

var crashIterations = flag.Int("crash-iterations", 20, "how many times TestCrashKill SIGKILLs a transacting child")

const crashEnv = "CAIRN_CRASH_CHILD_DIR"

const crashSchema = `[{:db/ident :n :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :tag :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
 {:db/ident :prev :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}]`

// TestCrashChild is the child side of TestCrashKill: it transacts from
// several goroutines until it is killed, printing "ack N" after each
// transaction that returned successfully.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestCrashKill")
	}
	base, _ := strconv.Atoi(os.Getenv(crashEnv + "_BASE"))
	ctx := context.Background()
	st, err := file.Open(ctx, dir, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	conn, err := core.Connect(ctx, st, nil)
	if err != nil {
		conn, err = core.Create(ctx, st, core.Config{Schema: crashSchema}, nil)
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				n := base + w*100000 + i
				data := fmt.Sprintf(`[{:db/id "x" :n %d :tag ["a%d" "b"]} [:db/add "x" :prev [:n %d]]]`, n, i%7, base+w*100000)
				if i == 0 {
					data = fmt.Sprintf(`[{:n %d :tag "first"}]`, n)
				}
				if _, err := conn.Transact(ctx, data); err != nil {
					mu.Lock()
					fmt.Fprintln(out, "error", err)
					out.Flush()
					mu.Unlock()
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintln(out, "ack", n)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestCrashKill runs a child process that transacts on store/file in a
// loop, SIGKILLs it at a random moment, reopens the store and checks that
// every acknowledged transaction is present and the indices agree.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	t.Logf("seed %d, %d iterations", seed, *crashIterations)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	acked := map[int]bool{}
	for it := 0; it < *crashIterations; it++ {
		base := (it + 1) * 1000000
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashEnv+"_BASE="+strconv.Itoa(base))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill after the first acknowledgement plus a random delay, so every
		// iteration commits something and dies mid-flight.
		deadline := time.After(time.Duration(5+rng.IntN(120)) * time.Millisecond)
		first := true
		killed := false
		for line := range lines {
			if strings.HasPrefix(line, "error") {
				t.Fatalf("iteration %d: child: %s", it, line)
			}
			if n, ok := strings.CutPrefix(line, "ack "); ok {
				v, _ := strconv.Atoi(n)
				acked[v] = true
				if first {
					first = false
					go func() { <-deadline; cmd.Process.Signal(syscall.SIGKILL) }()
				}
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed = true
		}
		if !killed {
			t.Fatalf("iteration %d: child ended without being killed: %v", it, err)
		}
		verifyCrashStore(t, dir, acked, it)
	}
	t.Logf("%d acknowledged transactions survived %d kills", len(acked), *crashIterations)
}

func verifyCrashStore(t *testing.T, dir string, acked map[int]bool, it int) {
	t.Helper()
	ctx := context.Background()
	st, err := file.Open(ctx, dir, nil)
	if err != nil {
		t.Fatalf("iteration %d: reopen: %v", it, err)
	}
	defer st.Close()
	db, err := core.Load(ctx, st, nil)
	if err != nil {
		t.Fatalf("iteration %d: load: %v", it, err)
	}
	for n := range acked {
		e, err := db.Entid(ctx, datom.Tuple([]datom.Value{kw("n"), datom.Long(int64(n))}))
		if err != nil || e == 0 {
			t.Fatalf("iteration %d: acknowledged transaction :n %d lost (err %v)", it, n, err)
		}
	}
	checkIndicesAgree(t, db)
}

// checkIndicesAgree asserts that EAVT, AEVT and AVET hold the same datoms.
func checkIndicesAgree(t *testing.T, db *core.DB) {
	t.Helper()
	sets := map[datom.Order][]string{}
	for _, o := range []datom.Order{datom.EAVT, datom.AEVT, datom.AVET} {
		s := all(t, db, o)
		slices.Sort(s)
		sets[o] = s
	}
	if !slices.Equal(sets[datom.EAVT], sets[datom.AEVT]) || !slices.Equal(sets[datom.EAVT], sets[datom.AVET]) {
		t.Fatalf("indices disagree: eavt %d, aevt %d, avet %d datoms", len(sets[datom.EAVT]), len(sets[datom.AEVT]), len(sets[datom.AVET]))
	}
}
