package tx_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

type corpusCase struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"`
	Schema string   `json:"schema"`
	Txs    []string `json:"txs"`
	Tx     string   `json:"tx"`
	Expect string   `json:"expect"`
	Error  bool     `json:"error"`
	Note   string   `json:"note"`
}

const corpusPath = "../../tests/conformance/testdata/cases.jsonl"

func loadTransactCases(t *testing.T) []corpusCase {
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("bad line: %v", err)
		}
		if c.Kind == "transact" {
			cases = append(cases, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestConformanceTransact runs every transact case of the corpus through
// Process against the in-memory snapshot (DataScript mode, schema on read).
func TestConformanceTransact(t *testing.T) {
	cases := loadTransactCases(t)
	if len(cases) == 0 {
		t.Fatal("no transact cases")
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			db := dsDB(t, c.Schema)
			for _, txs := range c.Txs {
				db, _ = db.must(t, txs)
			}
			after, res, err := db.transact(c.Tx)
			if c.Error {
				if err == nil {
					t.Fatalf("want an error, got %s", report(after, res))
				}
				return
			}
			if err != nil {
				t.Fatalf("transact %s: %v", c.Tx, err)
			}
			if got := report(after, res); got != c.Expect {
				t.Fatalf("tx %s\n got  %s\n want %s", c.Tx, got, c.Expect)
			}
		})
	}
}
