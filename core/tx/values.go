package tx

import (
	"math"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
)

// maxShow bounds the text of an operation quoted in an error.
const maxShow = 240

// show prints a tx-data element, value or datom for an error message.
func show(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = `"` + x + `"`
	case datom.Value:
		s = x.String()
	case datom.Datom:
		s = "[" + itoa(x.E) + " :" + x.A + " " + x.V.String() + "]"
	case *opItem:
		s = x.String()
	case *entity:
		s = x.String()
	default:
		s = edn.Print(v)
	}
	if len(s) > maxShow {
		s = s[:maxShow] + "…"
	}
	return s
}

func itoa(n int64) string { return datom.Long(n).String() }

// isTxID reports whether v names the current transaction.
func isTxID(v any) bool {
	switch x := v.(type) {
	case edn.Keyword:
		return x.NS == "db" && x.Name == "current-tx"
	case string:
		return x == ":db/current-tx" || x == "datomic.tx" || x == "datascript.tx"
	}
	return false
}

// isTempid reports whether v is a tempid: any string, or a negative
// integer (DataScript's tempid?).
func isTempid(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case int64:
		return x < 0
	}
	return false
}

// toValue converts an EDN value to a datom value (datom.FromEDN: vectors
// and lists become tuples, whose elements may be nil). A nil value cannot
// be stored.
func toValue(v any) (datom.Value, error) {
	if v == nil {
		return datom.Nil, newErr(ErrInvalidTxData, nil, "cannot store nil as a value")
	}
	d, err := datom.FromEDN(v)
	if err != nil {
		return datom.Nil, newErr(ErrValueType, v, "%v", err)
	}
	return d, nil
}

// checkType checks (and widens) a value against an attribute's type.
// Widening: a long is accepted for double, bigint and bigdec attributes.
func checkType(a *schema.Attr, v datom.Value) (datom.Value, bool) {
	if v, ok := widen(a.ValueType, v); ok {
		if a.ValueType != schema.TypeTuple || a.IsComposite() {
			return v, true
		}
		return checkTuple(a, v)
	}
	return v, false
}

func widen(t schema.ValueType, v datom.Value) (datom.Value, bool) {
	if t.Accepts(v.Kind()) {
		return v, true
	}
	if v.Kind() != datom.KindLong {
		return v, false
	}
	switch t {
	case schema.TypeDouble:
		return datom.Double(float64(v.AsLong())), true
	case schema.TypeBigInt:
		return datom.BigInt(edn.BigIntFromInt64(v.AsLong())), true
	case schema.TypeBigDec:
		d, err := datom.BigDec(itoa(v.AsLong()))
		return d, err == nil
	}
	return v, false
}

func checkTuple(a *schema.Attr, v datom.Value) (datom.Value, bool) {
	els := v.AsTuple()
	switch {
	case a.TupleType != schema.TypeAny:
		out := make([]datom.Value, len(els))
		for i, e := range els {
			if e.IsNil() {
				continue
			}
			w, ok := widen(a.TupleType, e)
			if !ok {
				return v, false
			}
			out[i] = w
		}
		return datom.Tuple(out), true
	case len(a.TupleTypes) > 0:
		if len(els) != len(a.TupleTypes) {
			return v, false
		}
		out := make([]datom.Value, len(els))
		for i, e := range els {
			if e.IsNil() {
				continue
			}
			w, ok := widen(a.TupleTypes[i], e)
			if !ok {
				return v, false
			}
			out[i] = w
		}
		return datom.Tuple(out), true
	}
	return v, true
}

// entityID converts a number to an entity id when it is a positive
// integer in range.
func entityID(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, x > 0 && x <= datom.EMax
	case int:
		return int64(x), x > 0 && int64(x) <= datom.EMax
	case float64:
		if x > 0 && x <= float64(datom.EMax) && x == math.Trunc(x) {
			return int64(x), true
		}
	case edn.BigInt:
		if x.IsInt64() {
			return entityID(x.Int64())
		}
	case datom.Value:
		if n, ok := x.Int(); ok {
			return n, n > 0 && n <= datom.EMax
		}
	}
	return 0, false
}
