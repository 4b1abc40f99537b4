// Package machine describes the machine a benchmark runs on (CPU model,
// load average, node version) and holds the small statistics the
// benchmark programs share, so every report states its conditions the
// same way.
package machine

import (
	"os"
	"os/exec"
	"sort"
	"strings"
)

// CPUModel returns the CPU's model name from /proc/cpuinfo.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// LoadAvg returns the 1-, 5- and 15-minute load averages as text.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Load1 returns the 1-minute load average as text.
func Load1() string {
	if f := strings.Fields(LoadAvg()); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// NodeVersion returns `node --version`, or "not found".
func NodeVersion() string {
	b, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "not found"
	}
	return strings.TrimSpace(string(b))
}

// Median returns the median of xs (0 for none); xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
