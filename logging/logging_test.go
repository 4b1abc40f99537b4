package logging_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/logging"
)

// *slog.Logger is a Logger; Or and Discard stand in for nil.
func TestSlogIsALogger(t *testing.T) {
	var buf bytes.Buffer
	var l logging.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	l.Warn("disk", "free", 3)
	if !strings.Contains(buf.String(), "msg=disk free=3") {
		t.Fatalf("slog through the interface wrote %q", buf.String())
	}
	if logging.Or(nil) != logging.Discard || logging.Or(l) != l {
		t.Fatal("Or")
	}
	logging.Discard.Error("dropped")
}
