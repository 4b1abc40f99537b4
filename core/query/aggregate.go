package query

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/query/builtin"
)

// aggFunc aggregates the values of one group. params are the arguments
// before the variable ((min 2 ?x) has params [2]). The result is an
// EDN/Go value.
type aggFunc func(ex *exec, params []datom.Value, vals []datom.Value) (any, error)

var aggregates = map[string]aggFunc{
	"count": func(_ *exec, _ []datom.Value, vals []datom.Value) (any, error) { return int64(len(vals)), nil },
	"count-distinct": func(_ *exec, _ []datom.Value, vals []datom.Value) (any, error) {
		return int64(len(distinctValues(vals))), nil
	},
	"sum":      aggSum,
	"avg":      aggAvg,
	"median":   aggMedian,
	"variance": aggVariance,
	"stddev": func(ex *exec, p []datom.Value, vals []datom.Value) (any, error) {
		v, err := aggVariance(ex, p, vals)
		if err != nil {
			return nil, err
		}
		return math.Sqrt(v.(float64)), nil
	},
	"distinct": func(ex *exec, _ []datom.Value, vals []datom.Value) (any, error) {
		s := edn.NewSet()
		for _, v := range distinctValues(vals) {
			s.Add(ex.env.ToEDN(v))
		}
		return s, nil
	},
	"min":    aggExtreme(-1),
	"max":    aggExtreme(1),
	"rand":   aggRand,
	"sample": aggSample,
}

var (
	customMu   sync.RWMutex
	customAggs = map[string]func(values []any) (any, error){}
)

// RegisterAggregate makes fn usable as an aggregate in :find, e.g.
// (my.ns/p90 ?x). It receives every value of the group (duplicates kept,
// as for count) as EDN/Go values. Registering nil removes it.
func RegisterAggregate(name string, fn func(values []any) (any, error)) {
	customMu.Lock()
	defer customMu.Unlock()
	if fn == nil {
		delete(customAggs, name)
		return
	}
	customAggs[name] = fn
}

func lookupAggregate(name string) (aggFunc, bool) {
	if f, ok := aggregates[name]; ok {
		return f, true
	}
	customMu.RLock()
	fn, ok := customAggs[name]
	customMu.RUnlock()
	if !ok {
		return nil, false
	}
	return func(ex *exec, _ []datom.Value, vals []datom.Value) (any, error) {
		return callCustom(ex, fn, vals)
	}, true
}

func callCustom(ex *exec, fn func([]any) (any, error), vals []datom.Value) (any, error) {
	xs := make([]any, len(vals))
	for i, v := range vals {
		xs[i] = ex.env.ToEDN(v)
	}
	r, err := fn(xs)
	if err != nil {
		return nil, fmt.Errorf("%w: aggregate: %w", ErrFunction, err)
	}
	return r, nil
}

func distinctValues(vals []datom.Value) []datom.Value {
	seen := make(map[hkey]struct{}, len(vals))
	out := make([]datom.Value, 0, len(vals))
	for _, v := range vals {
		k := keyOf(v)
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, v)
	}
	return out
}

func numbers(name string, vals []datom.Value) error {
	for _, v := range vals {
		if !v.Kind().IsNumber() {
			return fmt.Errorf("%w: %s: %s is not a number", ErrFunction, name, v)
		}
	}
	return nil
}

func sumValues(vals []datom.Value) (datom.Value, error) {
	acc := datom.Long(0)
	for _, v := range vals {
		var err error
		if acc, err = builtin.Add(acc, v); err != nil {
			return datom.Nil, err
		}
	}
	return acc, nil
}

func aggSum(ex *exec, _ []datom.Value, vals []datom.Value) (any, error) {
	if err := numbers("sum", vals); err != nil {
		return nil, err
	}
	s, err := sumValues(vals)
	if err != nil {
		return nil, err
	}
	return ex.env.ToEDN(s), nil
}

func mean(vals []datom.Value) float64 {
	s := 0.0
	for _, v := range vals {
		f, _ := v.Float()
		s += f
	}
	return s / float64(len(vals))
}

func aggAvg(_ *exec, _ []datom.Value, vals []datom.Value) (any, error) {
	if err := numbers("avg", vals); err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, nil
	}
	return mean(vals), nil
}

func aggMedian(ex *exec, _ []datom.Value, vals []datom.Value) (any, error) {
	if err := numbers("median", vals); err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, nil
	}
	s := slices.Clone(vals)
	slices.SortStableFunc(s, datom.Compare)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return ex.env.ToEDN(s[mid]), nil
	}
	a, _ := s[mid-1].Float()
	b, _ := s[mid].Float()
	return (a + b) / 2, nil
}

func aggVariance(_ *exec, _ []datom.Value, vals []datom.Value) (any, error) {
	if err := numbers("variance", vals); err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return 0.0, nil
	}
	m := mean(vals)
	s := 0.0
	for _, v := range vals {
		f, _ := v.Float()
		s += (f - m) * (f - m)
	}
	return s / float64(len(vals)), nil
}

func countParam(name string, params []datom.Value) (int, error) {
	n, ok := params[0].Int()
	if !ok || n < 0 {
		return 0, fmt.Errorf("%w: %s: the count must be a non-negative integer, got %s", ErrFunction, name, params[0])
	}
	return int(min(n, 1<<31)), nil
}

func aggExtreme(sign int) aggFunc {
	name := "min"
	if sign > 0 {
		name = "max"
	}
	return func(ex *exec, params []datom.Value, vals []datom.Value) (any, error) {
		if len(params) == 0 {
			if len(vals) == 0 {
				return nil, nil
			}
			best := vals[0]
			for _, v := range vals[1:] {
				if datom.Compare(v, best)*sign > 0 {
					best = v
				}
			}
			return ex.env.ToEDN(best), nil
		}
		n, err := countParam(name, params)
		if err != nil {
			return nil, err
		}
		s := slices.Clone(vals)
		slices.SortStableFunc(s, datom.Compare)
		if sign < 0 {
			s = s[:min(n, len(s))]
		} else {
			s = s[len(s)-min(n, len(s)):]
		}
		out := make(edn.Vector, len(s))
		for i, v := range s {
			out[i] = ex.env.ToEDN(v)
		}
		return out, nil
	}
}

func aggRand(ex *exec, params []datom.Value, vals []datom.Value) (any, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	if len(params) == 0 {
		return ex.env.ToEDN(vals[rand.IntN(len(vals))]), nil
	}
	n, err := countParam("rand", params)
	if err != nil {
		return nil, err
	}
	out := make(edn.Vector, n)
	for i := range out {
		out[i] = ex.env.ToEDN(vals[rand.IntN(len(vals))])
	}
	return out, nil
}

func aggSample(ex *exec, params []datom.Value, vals []datom.Value) (any, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("%w: sample needs a count", ErrFunction)
	}
	n, err := countParam("sample", params)
	if err != nil {
		return nil, err
	}
	d := distinctValues(vals)
	rand.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
	d = d[:min(n, len(d))]
	out := make(edn.Vector, len(d))
	for i, v := range d {
		out[i] = ex.env.ToEDN(v)
	}
	return out, nil
}
