//go:build js

package logging

import (
	"fmt"
	"os"
	"strings"
)

// Default returns the browser build's default logger: Info and above as
// text lines on stderr (the browser console).
func Default() Logger { return console{} }

type console struct{}

func (console) Debug(string, ...any)          {}
func (console) Info(msg string, args ...any)  { line("INFO", msg, args) }
func (console) Warn(msg string, args ...any)  { line("WARN", msg, args) }
func (console) Error(msg string, args ...any) { line("ERROR", msg, args) }

func line(level, msg string, args []any) {
	var b strings.Builder
	b.WriteString(level)
	b.WriteByte(' ')
	b.WriteString(msg)
	for i := 0; i < len(args); i += 2 {
		if i+1 < len(args) {
			fmt.Fprintf(&b, " %v=%v", args[i], args[i+1])
		} else {
			fmt.Fprintf(&b, " %v", args[i])
		}
	}
	b.WriteByte('\n')
	os.Stderr.WriteString(b.String())
}
