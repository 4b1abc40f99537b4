//go:build !(js && wasm)

package builtin

import "regexp"

// reImpl is Go's regexp (RE2 syntax). The js/wasm build has its own
// (regexp_js.go) on the browser's RegExp, which keeps package regexp and
// its Unicode tables out of the wasm.
type reImpl struct{ re *regexp.Regexp }

func compileRe(src string) (reImpl, error) {
	re, err := regexp.Compile(src)
	return reImpl{re}, err
}

// find is the leftmost match and its groups ("" for a group that did not
// take part), nil when none.
func (r reImpl) find(s string) []string { return r.re.FindStringSubmatch(s) }

// matches is the match of the whole of s, nil when none.
func (r reImpl) matches(src, s string) ([]string, error) {
	m := r.re.FindStringSubmatchIndex(s)
	if m == nil || m[0] != 0 || m[1] != len(s) {
		// Try an anchored match: the leftmost match may not be the full one.
		full, err := regexp.Compile(`^(?:` + src + `)$`)
		if err != nil {
			return nil, err
		}
		return full.FindStringSubmatch(s), nil
	}
	return r.re.FindStringSubmatch(s), nil
}

// findAll is every successive non-overlapping match (an empty match right
// after a previous one is skipped).
func (r reImpl) findAll(s string) [][]string { return r.re.FindAllStringSubmatch(s, -1) }

// split is s cut around every match, as regexp.Split(s, -1).
func (r reImpl) split(s string) []string { return r.re.Split(s, -1) }
