//go:build !js

package logging

import "log/slog"

// Default returns the process's default logger: slog.Default().
func Default() Logger { return slog.Default() }
