package datom

import (
	"math"
	"math/big"
	"testing"

	"github.com/cairn-db/cairn/core/edn"
)

// ratOf is the exact value math/big gives a number (what Compare used
// before it stopped linking math/big): nil for infinities and NaN.
func ratOf(v Value) *big.Rat {
	switch v.kind {
	case KindLong:
		return new(big.Rat).SetInt64(v.AsLong())
	case KindDouble:
		f := v.AsDouble()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil
		}
		return new(big.Rat).SetFloat64(f)
	case KindBigInt:
		i, _ := new(big.Int).SetString(v.str, 10)
		return new(big.Rat).SetInt(i)
	case KindBigDec:
		r, ok := new(big.Rat).SetString(v.str)
		if !ok {
			return new(big.Rat)
		}
		return r
	}
	return nil
}

// floatOf is the float64 math/big gave a bigint.
func floatOf(v Value) float64 {
	i, _ := new(big.Int).SetString(v.str, 10)
	f, _ := new(big.Float).SetInt(i).Float64()
	return f
}

func exactSamples(t testing.TB) []Value {
	vs := []Value{Long(0), Long(1), Long(-1), Long(math.MaxInt64), Long(math.MinInt64), Long(1000), Long(-120),
		Double(0), Double(math.Copysign(0, -1)), Double(0.1), Double(-0.1), Double(1e300), Double(-1e-300), Double(5e-324),
		Double(math.MaxFloat64), Double(2), Double(1.5), Double(9007199254740993), Double(123456.789)}
	for _, s := range []string{"0", "-0", "1", "-1", "+5", "007", "1180591620717411303424", "-1208925819614629174706176",
		"9223372036854775807", "9223372036854775808", "-9223372036854775809", "100000000000000000000000000000000"} {
		b, ok := edn.ParseBigInt(s)
		if !ok {
			t.Fatalf("ParseBigInt(%q) failed", s)
		}
		vs = append(vs, BigInt(b))
	}
	for _, s := range []string{"0", "0.0", "-0.0", "1.5", "1.50", "-12.3400", "0.1", "1e3", "1E+3", "1.e2", ".5", "-.5e-3",
		"123456789012345678901234567890.000000000000000001", "1e1000", "1e-1000", "0.1000000000000000055511151231257827021181583404541015625",
		"2.0", "1e999999", "1e1000001", "1e-1000001", "5e99999999999999999999", "0001.2300e0002", "9007199254740993"} {
		d, err := BigDec(s)
		if err != nil {
			t.Fatalf("BigDec(%q): %v", s, err)
		}
		vs = append(vs, d)
	}
	return vs
}

// Compare orders numbers of every kind exactly as math/big's Rat did, and
// the exact form is a key of equality.
func TestExactMatchesBigRat(t *testing.T) {
	vs := exactSamples(t)
	for _, a := range vs {
		for _, b := range vs {
			checkExact(t, a, b)
		}
	}
}

func checkExact(t testing.TB, a, b Value) {
	ra, rb := ratOf(a), ratOf(b)
	ea, oka := exactOf(a)
	eb, okb := exactOf(b)
	if oka != (ra != nil) || okb != (rb != nil) {
		t.Fatalf("finite: %v %v, math/big %v %v", oka, okb, ra != nil, rb != nil)
	}
	if ra == nil || rb == nil {
		return
	}
	if got, want := cmpExact(ea, eb), ra.Cmp(rb); got != want {
		t.Fatalf("cmpExact(%v, %v) = %d, math/big %d (%+v %+v)", a, b, got, want, ea, eb)
	}
	if (ea.key() == eb.key()) != (ra.Cmp(rb) == 0) {
		t.Fatalf("keys of %v and %v: %q %q", a, b, ea.key(), eb.key())
	}
	if got, want := compareNumbers(a, b), ra.Cmp(rb); got != want {
		t.Fatalf("compareNumbers(%v, %v) = %d, math/big %d", a, b, got, want)
	}
	for _, v := range []Value{a, b} {
		if v.kind == KindBigInt {
			if f, _ := v.Float(); f != floatOf(v) {
				t.Fatalf("Float(%v) = %v, math/big %v", v, f, floatOf(v))
			}
			i, _ := new(big.Int).SetString(v.str, 10)
			if n, ok := v.Int(); ok != i.IsInt64() || (ok && n != i.Int64()) {
				t.Fatalf("Int(%v) = %d, %v", v, n, ok)
			}
		}
	}
}

// FuzzExact: random longs, doubles, bigints and bigdecs compare as
// math/big's Rat compares them.
func FuzzExact(f *testing.F) {
	f.Add(int64(3), 0.1, "12345678901234567890", "1.25e-3")
	f.Add(int64(-1), -2.5, "-1", "-0.000")
	f.Fuzz(func(t *testing.T, n int64, x float64, bi, bd string) {
		vs := []Value{Long(n), Double(x)}
		if b, ok := edn.ParseBigInt(bi); ok && len(bi) < 200 {
			vs = append(vs, BigInt(b))
		}
		if d, err := BigDec(bd); err == nil && len(bd) < 60 {
			if e := exactDec(bd); e.exp > -5000 && e.exp < 5000 { // math/big is slow on huge exponents
				vs = append(vs, d)
			}
		}
		for _, a := range vs {
			for _, b := range vs {
				checkExact(t, a, b)
			}
		}
	})
}
