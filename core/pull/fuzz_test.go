package pull_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/cairn-db/cairn/core/pull"
)

// FuzzParsePull parses arbitrary pull patterns; it must never panic.
func FuzzParsePull(f *testing.F) {
	if fh, err := os.Open("../../tests/conformance/testdata/cases.jsonl"); err == nil {
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var c struct{ Pattern string }
			if json.Unmarshal(sc.Bytes(), &c) == nil && c.Pattern != "" {
				f.Add(c.Pattern)
			}
		}
		fh.Close()
	}
	f.Add(`[* {(:friend :limit 2 :as "f") [[:name :xform str]]} (default :x 1) {:_parent 3}]`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := pull.ParsePattern(s)
		if err == nil && p == nil {
			t.Fatal("nil pattern without error")
		}
	})
}
