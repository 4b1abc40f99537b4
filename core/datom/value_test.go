package datom_test

import (
	"math"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
)

func bigInt(t *testing.T, s string) edn.BigInt {
	b, ok := edn.ParseBigInt(s)
	if !ok {
		t.Fatalf("bad bigint %q", s)
	}
	return b
}

func mustDec(t *testing.T, s string) datom.Value {
	v, err := datom.BigDec(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTotalOrder lists values in ascending order; every pair must compare
// consistently with their positions.
func TestTotalOrder(t *testing.T) {
	ordered := []datom.Value{
		datom.Nil,
		datom.Bool(false),
		datom.Bool(true),
		datom.Double(math.Inf(-1)),
		datom.Long(-5),
		datom.Double(-1.5),
		datom.Long(0),
		datom.Double(0.5),
		mustDec(t, "0.75"),
		datom.Long(1),
		datom.Double(1.25),
		datom.BigInt(bigInt(t, "1180591620717411303424")),
		datom.Double(math.Inf(1)),
		datom.InstantMillis(0),
		datom.Instant(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)),
		datom.String(""),
		datom.String("Zed"),
		datom.String("ann"),
		datom.Keyword("a"),
		datom.Keyword("db/id"),
		datom.Symbol("x"),
		datom.UUID([16]byte{1}),
		datom.Bytes([]byte{0}),
		datom.Tuple([]datom.Value{datom.Long(1)}),
		datom.Tuple([]datom.Value{datom.Long(1), datom.String("a")}),
		datom.Tuple([]datom.Value{datom.Long(2)}),
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := datom.Compare(a, b); got != want {
				t.Errorf("Compare(%v, %v) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestNumbersCompareAcrossKinds(t *testing.T) {
	eq := [][2]datom.Value{
		{datom.Long(1), datom.Double(1)},
		{datom.Long(3), datom.BigInt(edn.BigIntFromInt64(3))},
		{datom.Double(2.5), mustDec(t, "2.50")},
		{datom.Long(9007199254740993), datom.BigInt(edn.BigIntFromInt64(9007199254740993))},
	}
	for _, p := range eq {
		if datom.Compare(p[0], p[1]) != 0 || !p[0].Equal(p[1]) {
			t.Errorf("%v and %v should compare equal", p[0], p[1])
		}
		if p[0].HashKey() != p[1].HashKey() {
			t.Errorf("%v and %v compare equal but hash apart", p[0], p[1])
		}
	}
	// 2^53+1 is not representable as a double: the long is larger.
	if datom.Compare(datom.Long(9007199254740993), datom.Double(9007199254740992)) != 1 {
		t.Errorf("long vs double must compare exactly")
	}
	if datom.Long(1).HashKey() == datom.Double(1.5).HashKey() {
		t.Errorf("different numbers share a hash key")
	}
}

func TestValueEncodingRoundTrip(t *testing.T) {
	vals := []datom.Value{
		datom.Nil, datom.Bool(true), datom.Long(-1 << 60), datom.Double(-0.0), datom.Double(3.25),
		datom.BigInt(bigInt(t, "-1208925819614629174706176")), mustDec(t, "-12.3400"),
		datom.InstantMillis(1700000000123), datom.String("héllo\x00"), datom.Keyword("ns/k"),
		datom.Symbol("?x"), datom.UUID([16]byte{9, 8, 7}), datom.Bytes([]byte{1, 2, 3}),
		datom.Tuple([]datom.Value{datom.String("a"), datom.Tuple([]datom.Value{datom.Long(1)})}),
	}
	for _, v := range vals {
		b := datom.AppendValue(nil, v)
		got, n, err := datom.DecodeValue(b)
		if err != nil || n != len(b) || datom.Compare(got, v) != 0 {
			t.Errorf("round trip %v: got %v n=%d err=%v", v, got, n, err)
		}
	}
	d := datom.Datom{E: 42, A: "person/name", V: datom.String("x"), Tx: datom.Tx0 + 1, Added: true}
	b := datom.AppendDatom(nil, &d)
	got, n, err := datom.DecodeDatom(b)
	if err != nil || n != len(b) || got.E != d.E || got.A != d.A || !got.V.Equal(d.V) || got.Tx != d.Tx || !got.Added {
		t.Fatalf("datom round trip: %v %d %v", got, n, err)
	}
}

func FuzzDecodeDatom(f *testing.F) {
	d := datom.Datom{E: 1, A: "a", V: datom.Tuple([]datom.Value{datom.String("x"), datom.Double(1)}), Tx: 5, Added: true}
	f.Add(datom.AppendDatom(nil, &d))
	f.Add([]byte{0x02, 0x01, 'a', byte(datom.KindBigDec), 3, '1', '.', '5', 2, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, n, err := datom.DecodeDatom(b)
		if err != nil {
			return
		}
		// What decodes must re-encode to the bytes it came from.
		again := datom.AppendDatom(nil, &got)
		if string(again) != string(b[:n]) {
			t.Fatalf("re-encoding differs: %x vs %x", again, b[:n])
		}
	})
}

// TestFromEDNBounds: FromEDN never makes a value the encoding would refuse
// to read back.
func TestFromEDNBounds(t *testing.T) {
	var deep any = int64(1)
	for i := 0; i < 20; i++ {
		deep = edn.Vector{deep}
	}
	if _, err := datom.FromEDN(deep); err == nil {
		t.Fatalf("a tuple nested 20 deep was accepted")
	}
	v, err := datom.FromEDN(edn.Vector{int64(1), nil, "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := datom.DecodeValue(datom.AppendValue(nil, v)); err != nil {
		t.Fatalf("a converted tuple does not read back: %v", err)
	}
	if _, err := datom.FromEDN(edn.NewMap()); err == nil {
		t.Fatalf("a map became a value")
	}
}
