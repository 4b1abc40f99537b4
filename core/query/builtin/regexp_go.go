//go:build !(js && wasm)

package builtin

import "regexp"

func init() { SetRegexpEngine(goRegexp{}) }

// goRegexp is the native engine: Go's regexp (RE2 syntax).
type goRegexp struct{}

func (goRegexp) Compile(src string) (CompiledRegexp, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	return goRe{re, src}, nil
}

type goRe struct {
	re  *regexp.Regexp
	src string
}

func (r goRe) Find(s string) []string { return r.re.FindStringSubmatch(s) }

func (r goRe) Matches(s string) ([]string, error) {
	m := r.re.FindStringSubmatchIndex(s)
	if m == nil || m[0] != 0 || m[1] != len(s) {
		// Try an anchored match: the leftmost match may not be the full one.
		full, err := regexp.Compile(`^(?:` + r.src + `)$`)
		if err != nil {
			return nil, err
		}
		return full.FindStringSubmatch(s), nil
	}
	return r.re.FindStringSubmatch(s), nil
}

func (r goRe) FindAll(s string) [][]string { return r.re.FindAllStringSubmatch(s, -1) }

func (r goRe) Split(s string) []string { return r.re.Split(s, -1) }
