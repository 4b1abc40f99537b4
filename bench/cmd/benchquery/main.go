// Command benchquery runs Cairn's query and pull engines side by side with
// DataScript 1.8.1 (under node) on the same 100k-datom dataset and the
// same query shapes, and prints a markdown section: per shape the
// DataScript median, the Cairn median, their ratio and both result sizes,
// then `min ratio X`.
//
//	go run ./bench/cmd/benchquery [-runs 10] [-pullruns 200] [-n 20000] [-out FILE]
//	go run ./bench/cmd/benchquery -smoke      # 1,000 entities, 1 run: checks it works
//
// It runs bench/datascript/query.js first (in its own process), then the
// Go side in this process; it must run from the repository root with
// bench/node_modules installed (cd bench && npm install). A shape whose
// result sizes differ between the engines is an error (exit status 1), so
// the comparison is of equal work.
//
// Cairn runs natively on the in-memory store (store/mem), DataScript
// mode, flexible-on-read schema, the same schema as DataScript. The file
// store serves queries from the same B+-trees once their nodes are cached;
// its numbers are not part of this comparison.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/cairn-db/cairn/bench/internal/machine"
	"github.com/cairn-db/cairn/bench/internal/report"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/store/mem"
)

func main() {
	runs := flag.Int("runs", 20, "warm runs per query shape (the median is reported)")
	pullRuns := flag.Int("pullruns", 200, "warm runs of the single-entity pull")
	n := flag.Int("n", 20000, "entities (x 5 attributes = datoms)")
	smoke := flag.Bool("smoke", false, "small dataset (1,000 entities) and 1 run: a quick check for make test")
	out := flag.String("out", "", "also write the markdown section to this file")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the Cairn runs to this file")
	flag.Parse()
	cpuProfile = *cpuprofile
	if *smoke {
		*n, *runs, *pullRuns = 1000, 1, 1
	}
	if err := run(*n, *runs, *pullRuns, *smoke, *out); err != nil {
		fmt.Fprintln(os.Stderr, "benchquery:", err)
		os.Exit(1)
	}
}

var cpuProfile string

// dsResult is bench/datascript/query.js's output.
type dsResult struct {
	Node   string  `json:"node"`
	N      int     `json:"n"`
	Datoms int     `json:"datoms"`
	LoadMs float64 `json:"load_ms"`
	Shapes []struct {
		Name     string  `json:"name"`
		Size     int     `json:"size"`
		FirstMs  float64 `json:"first_ms"`
		MedianMs float64 `json:"median_ms"`
		Runs     int     `json:"runs"`
	} `json:"shapes"`
}

type row struct {
	name, desc          string
	dsMs, cairnMs       float64
	dsSize, cairnSz     int
	cairnFirst, dsFirst float64
}

func run(n, runs, pullRuns int, smoke bool, outFile string) error {
	ctx := context.Background()
	load0 := machine.Load1()

	fmt.Fprintln(os.Stderr, "running DataScript 1.8.1 (node bench/datascript/query.js) ...")
	ds, err := runNode(n, runs, pullRuns)
	if err != nil {
		return err
	}

	fmt.Fprintln(os.Stderr, "loading Cairn (store/mem) ...")
	conn, err := core.Create(ctx, mem.New(), core.Config{Mode: core.ModeDataScript,
		SchemaFlexibility: schema.FlexRead, Schema: Schema}, nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	t0 := time.Now()
	if _, err := conn.Transact(ctx, LoadTx(n)); err != nil {
		return err
	}
	loadMs := ms(time.Since(t0))
	db := conn.DB()
	shapes, err := Shapes(ctx, db, n)
	if err != nil {
		return err
	}

	fmt.Fprintln(os.Stderr, "running Cairn ...")
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var rows []row
	var mismatch []string
	for _, s := range shapes {
		var dsr *row
		for _, x := range ds.Shapes {
			if x.Name == s.Name {
				dsr = &row{dsMs: x.MedianMs, dsSize: x.Size, dsFirst: x.FirstMs}
			}
		}
		if dsr == nil {
			return fmt.Errorf("shape %s missing from the DataScript output", s.Name)
		}
		// Start each shape from a collected heap (untimed), so one
		// shape's garbage is not collected during the next one's runs.
		runtime.GC()
		t := time.Now()
		res, err := s.Run(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		first := ms(time.Since(t))
		k := runs
		if s.Pull {
			k = pullRuns
		}
		times := make([]float64, k)
		for i := range times {
			t := time.Now()
			if _, err := s.Run(ctx); err != nil {
				return fmt.Errorf("%s: %w", s.Name, err)
			}
			times[i] = ms(time.Since(t))
		}
		r := row{name: s.Name, desc: s.Desc, dsMs: dsr.dsMs, dsSize: dsr.dsSize, dsFirst: dsr.dsFirst,
			cairnMs: machine.Median(times), cairnSz: Size(res), cairnFirst: first}
		if r.cairnSz != r.dsSize {
			mismatch = append(mismatch, fmt.Sprintf("%s: Cairn %d rows, DataScript %d", s.Name, r.cairnSz, r.dsSize))
		}
		rows = append(rows, r)
	}
	load1 := machine.Load1()

	var b strings.Builder
	b.WriteString("## Queries and pull, side by side with DataScript (issue #3)\n\n")
	if smoke {
		b.WriteString("**Smoke run** (small dataset, 1 run): not a measurement.\n\n")
	}
	args := fmt.Sprintf("-runs %d -pullruns %d", runs, pullRuns)
	if smoke {
		args = "-smoke"
	}
	fmt.Fprintf(&b, "Command: `go run ./bench/cmd/benchquery %s` (`make bench-query`) on %s. ",
		args, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "It runs `node bench/datascript/query.js` (DataScript 1.8.1) and then the same shapes in Cairn, in process.\n\n")
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s %s/%s, node %s. Load average (1 min) %s before, %s after.\n\n",
		machine.CPUModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, ds.Node, load0, load1)
	fmt.Fprintf(&b, "Data: %d entities x 5 attributes = %d datoms (name unique, age i%%90, city \"city<i%%10>\" indexed, score i*7%%1000, friend -> next entity, a ring). ", n, n*5)
	fmt.Fprintf(&b, "DataScript loads it with `init_db` (%.0f ms); Cairn with one transaction of entity maps on the in-memory store (store/mem, DataScript mode, schema on read; %.0f ms). ", ds.LoadMs, loadMs)
	b.WriteString("Cairn runs natively (Go API: `DB.Q` with the query text, `DB.Pull`, `DB.PullMany`); the file store answers from the same trees and is not measured here.\n\n")
	fmt.Fprintf(&b, "Times are medians of %d warm runs (%d for the single pull) after one first run, in ms; ratio = DataScript / Cairn. The Go side collects garbage (untimed) before each shape's first run. ", runs, pullRuns)
	b.WriteString("Rows = result size in each engine (must be equal).\n\n")
	b.WriteString("| shape | query | DataScript ms | Cairn ms | ratio | rows DS / Cairn |\n|---|---|---:|---:|---:|---:|\n")
	minRatio := 0.0
	for i, r := range rows {
		ratio := r.dsMs / r.cairnMs
		if i == 0 || ratio < minRatio {
			minRatio = ratio
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | **%.1fx** | %d / %d |\n", r.name, r.desc, report.Ms(r.dsMs), report.Ms(r.cairnMs), ratio, r.dsSize, r.cairnSz)
	}
	b.WriteString("\nFirst (cold) runs, ms — DataScript / Cairn: ")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s / %s", r.name, report.Ms(r.dsFirst), report.Ms(r.cairnFirst))
	}
	b.WriteString(".\n\n")
	b.WriteString("The recursive rule is depth-bounded with a counter, the same text in both engines: " +
		"`[[(reach ?a ?b ?d) [?a :friend ?b]] [(reach ?a ?b ?d) [(> ?d 1)] [?a :friend ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]`, " +
		"called as `(reach ?e ?f 3)` from the entities of age 42 (friend is a ring, so an unbounded closure would reach every entity).\n\n")
	fmt.Fprintf(&b, "min ratio %.1f\n", minRatio)

	fmt.Print(b.String())
	if outFile != "" {
		if err := os.WriteFile(outFile, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	if len(mismatch) > 0 {
		return errors.New("result sizes differ: " + strings.Join(mismatch, "; "))
	}
	return nil
}

func runNode(n, runs, pullRuns int) (*dsResult, error) {
	if _, err := os.Stat("bench/node_modules/datascript"); err != nil {
		return nil, fmt.Errorf("bench/node_modules/datascript missing: run from the repository root after `cd bench && npm install`")
	}
	cmd := exec.Command("node", "bench/datascript/query.js", "-n", fmt.Sprint(n), "-runs", fmt.Sprint(runs), "-pullruns", fmt.Sprint(pullRuns))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node bench/datascript/query.js: %w\n%s", err, stderr.String())
	}
	var r dsResult
	if err := json.Unmarshal(bytes.TrimSpace(outb), &r); err != nil {
		return nil, fmt.Errorf("node output: %w: %s", err, outb)
	}
	return &r, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// Size is a result's size: the rows of a relation or collection, the
// non-nil entities of a pull-many, 1 for a scalar or a pulled entity.
func Size(x any) int {
	switch t := x.(type) {
	case nil:
		return 0
	case edn.Vector:
		k := 0
		for _, y := range t {
			if y != nil {
				k++
			}
		}
		return k
	}
	return 1
}
