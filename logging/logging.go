// Package logging is the logger Cairn's packages take: an interface that
// *slog.Logger satisfies, so that the browser build, which never logs
// through slog, links neither log/slog nor encoding/json (about 0.12 MB of
// gzipped wasm).
package logging

// Logger receives a package's events, as *slog.Logger does: a message and
// alternating keys and values.
type Logger interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

// Discard drops every event.
var Discard Logger = discard{}

type discard struct{}

func (discard) Debug(string, ...any) {}
func (discard) Info(string, ...any)  {}
func (discard) Warn(string, ...any)  {}
func (discard) Error(string, ...any) {}

// Or returns l, or Discard when l is nil.
func Or(l Logger) Logger {
	if l == nil {
		return Discard
	}
	return l
}
