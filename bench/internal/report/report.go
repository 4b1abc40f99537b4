// Package report formats numbers the same way in every benchmark's
// section of BENCHMARKS.md.
package report

import "fmt"

// Ms prints milliseconds with about three significant digits: 12.3,
// 1.23, 0.0123.
func Ms(x float64) string {
	switch {
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	case x >= 0.1:
		return fmt.Sprintf("%.2f", x)
	default:
		return fmt.Sprintf("%.4f", x)
	}
}
