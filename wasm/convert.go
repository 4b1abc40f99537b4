//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
)

// How values cross the boundary (see web/README.md):
//
//   - In: EDN text (tx-data, queries, inputs, pull patterns, entity ids,
//     datoms components). Nothing is guessed from JavaScript types.
//   - Out: database values as EDN text (edn.Print), so that keywords,
//     sets, instants, UUIDs and big numbers survive exactly.
//   - toJS(text) turns such EDN text into plain JavaScript data.
//   - Metadata (status, stats, transact results, listen events) are plain
//     JavaScript objects; their datoms are EDN text again.

const maxSafeInt = 1<<53 - 1

// toJS converts an EDN value to plain JavaScript data:
//
//	nil → null; booleans, strings as themselves; integers → number (beyond
//	±2^53−1 → decimal string); floats → number; keywords → ":ns/name"
//	string; symbols, chars, UUIDs, big integers/decimals → string;
//	#inst → Date; vectors, lists and sets → Array; maps → Object whose
//	keys are keyword names without the colon ("db/id", "task/title") or
//	the EDN text of other keys.
func toJS(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool, string, float64:
		return x
	case int64:
		if x > maxSafeInt || x < -maxSafeInt {
			return strconv.FormatInt(x, 10)
		}
		return float64(x)
	case int:
		return toJS(int64(x))
	case edn.Keyword:
		return x.String()
	case edn.Symbol:
		return x.String()
	case edn.Char:
		return string(rune(x))
	case edn.UUID:
		return x.String()
	case edn.BigInt:
		return x.String()
	case edn.BigDec:
		return x.Text
	case time.Time:
		return js.Global().Get("Date").New(float64(x.UnixMilli()))
	case edn.Vector:
		return toJSArray(x)
	case edn.List:
		return toJSArray(x)
	case []any:
		return toJSArray(x)
	case *edn.Set:
		return toJSArray(x.Elems)
	case *edn.Map:
		o := js.Global().Get("Object").New()
		for _, e := range x.Entries {
			o.Set(mapKey(e.Key), toJS(e.Val))
		}
		return o
	case datom.Value:
		return toJS(datom.ToEDN(x))
	case edn.Tagged:
		return edn.Print(x)
	}
	return edn.Print(v)
}

func toJSArray(xs []any) any {
	a := js.Global().Get("Array").New(len(xs))
	for i, x := range xs {
		a.SetIndex(i, toJS(x))
	}
	return a
}

func mapKey(k any) string {
	switch x := k.(type) {
	case edn.Keyword:
		return strings.TrimPrefix(x.String(), ":")
	case string:
		return x
	}
	return edn.Print(k)
}

// datomsEDN prints datoms as [[e :a v tx added] …].
func datomsEDN(ds []datom.Datom) string {
	var b []byte
	b = append(b, '[')
	for i := range ds {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendDatom(b, &ds[i])
	}
	return string(append(b, ']'))
}

func appendDatom(b []byte, d *datom.Datom) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, d.E, 10)
	b = append(b, ' ', ':')
	b = append(b, d.A...)
	b = append(b, ' ')
	b = edn.AppendPrint(b, datom.ToEDN(d.V))
	b = append(b, ' ')
	b = strconv.AppendInt(b, d.Tx, 10)
	b = append(b, ' ')
	b = strconv.AppendBool(b, d.Added)
	return append(b, ']')
}

func parseOrder(s string) (datom.Order, error) {
	switch strings.TrimPrefix(strings.ToLower(s), ":") {
	case "eavt":
		return datom.EAVT, nil
	case "aevt":
		return datom.AEVT, nil
	case "avet":
		return datom.AVET, nil
	}
	return 0, errf("invalid", "datoms: index %q: want eavt, aevt or avet", s)
}

// readEntity parses an entity argument: a plain decimal entity id without
// the reader (the common case), anything else as EDN.
func readEntity(what, text string) (any, error) {
	if n := len(text); n > 0 && n <= 18 && (text[0] != '0' || n == 1) {
		var id int64
		for i := 0; i < n; i++ {
			c := text[i]
			if c < '0' || c > '9' {
				return readEDN(what, text)
			}
			id = id*10 + int64(c-'0')
		}
		return id, nil
	}
	return readEDN(what, text)
}

// readEDN parses one EDN argument.
func readEDN(what, text string) (any, error) {
	v, err := edn.ReadString(text)
	if err != nil {
		return nil, &jsErr{code: "invalid", msg: what + ": " + err.Error(), err: err}
	}
	return v, nil
}
