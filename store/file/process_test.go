//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/store/file"
)

var crashIterations = flag.Int("crash-iterations", 20, "how many times TestKillProcess kills a writer process")

// childDirEnv tells the test binary to act as the writer process of
// TestKillProcess, writing into the named directory.
const childDirEnv = "CAIRN_STORE_FILE_CRASH_CHILD"

const childSegmentSize = 32 << 10

// TestCrashChild is the writer process of TestKillProcess, not a test: it
// appends numbered batches forever and prints "ack N" after each Write of
// batch N returns nil.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(childDirEnv)
	if dir == "" {
		t.Skip("helper process for TestKillProcess")
	}
	ctx := context.Background()
	s, err := file.Open(ctx, dir, &file.Options{SegmentSize: childSegmentSize})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	fmt.Println("open")
	for i := headNumber(t, s) + 1; ; i++ {
		if err := s.Write(ctx, numberedBatch(i)); err != nil {
			fmt.Fprintln(os.Stderr, "write:", err)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", i) // os.Stdout is unbuffered: one write(2)
	}
}

// TestKillProcess SIGKILLs a writer process at random moments — during its
// open (replay, tail cut), between and inside batches — and checks after
// each kill that every acknowledged batch is there and nothing partial is.
// Run with -crash-iterations=200 for a longer soak.
func TestKillProcess(t *testing.T) {
	t.Parallel()
	iterations := *crashIterations
	if testing.Short() && iterations > 5 {
		iterations = 5
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	lastAck, kills := -1, 0
	for it := range iterations {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childDirEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acks := make(chan int)
		go func() {
			defer close(acks)
			max := -1
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if n, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
					if i, err := strconv.Atoi(n); err == nil {
						max = i
					}
				}
			}
			acks <- max
		}()
		time.Sleep(time.Duration(rng.IntN(60_000)) * time.Microsecond)
		cmd.Process.Kill()
		ack := <-acks
		err = cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
			t.Fatalf("iteration %d: child exited on its own (%v):\n%s", it, err, stderr.String())
		}
		kills++
		if ack >= 0 {
			lastAck = ack
		}
		s := mustOpen(t, dir, &file.Options{SegmentSize: childSegmentSize})
		h := headNumber(t, s)
		if h < lastAck {
			t.Fatalf("iteration %d: head is batch %d but batch %d was acknowledged", it, h, lastAck)
		}
		checkPrefix(t, s, h+1)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		lastAck = h
	}
	t.Logf("%d kills; %d batches survived", kills, lastAck+1)
}
