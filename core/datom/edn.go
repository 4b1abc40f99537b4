package datom

import (
	"fmt"
	"strings"
	"time"

	"github.com/cairn-db/cairn/core/edn"
)

// KeywordText returns the text a Keyword value holds for an EDN keyword
// ("name", "ns/name").
func KeywordText(k edn.Keyword) string {
	if k.NS == "" {
		return k.Name
	}
	return k.NS + "/" + k.Name
}

// EDNKeyword splits keyword text back into an EDN keyword: the namespace
// is what precedes the first slash ("ns/name"); a leading or trailing slash
// belongs to the name.
func EDNKeyword(text string) edn.Keyword {
	if i := strings.IndexByte(text, '/'); i > 0 && i < len(text)-1 {
		return edn.Keyword{NS: text[:i], Name: text[i+1:]}
	}
	return edn.Keyword{Name: text}
}

func ednSymbol(text string) edn.Symbol {
	k := EDNKeyword(text)
	return edn.Symbol{NS: k.NS, Name: k.Name}
}

// FromEDN converts a scalar EDN value, or a vector/list of them (a tuple,
// whose elements may be nil), into a Value. Maps, sets and tagged literals
// other than #inst/#uuid have no Value kind and return an error, and so do
// tuples nested or long beyond what the encoding accepts, so every Value
// it returns can be stored and read back.
func FromEDN(v any) (Value, error) { return fromEDN(v, 0) }

func fromEDN(v any, depth int) (Value, error) {
	switch x := v.(type) {
	case nil:
		return Nil, nil
	case bool:
		return Bool(x), nil
	case int64:
		return Long(x), nil
	case int:
		return Long(int64(x)), nil
	case int32:
		return Long(int64(x)), nil
	case float64:
		return Double(x), nil
	case float32:
		return Double(float64(x)), nil
	case edn.BigInt:
		return BigInt(x), nil
	case edn.BigDec:
		return BigDec(x.Text)
	case string:
		return String(x), nil
	case edn.Char:
		return String(string(rune(x))), nil
	case edn.Keyword:
		return Keyword(KeywordText(x)), nil
	case edn.Symbol:
		return Symbol(x.String()), nil
	case time.Time:
		return Instant(x), nil
	case edn.UUID:
		return UUID([16]byte(x)), nil
	case []byte:
		return Bytes(x), nil
	case Value:
		return x, nil
	case edn.Vector:
		return tupleFromEDN(x, depth)
	case edn.List:
		return tupleFromEDN(x, depth)
	case []any:
		return tupleFromEDN(x, depth)
	}
	return Nil, fmt.Errorf("datom: no value kind for %T", v)
}

func tupleFromEDN(xs []any, depth int) (Value, error) {
	if depth >= maxTupleDepth || len(xs) > MaxTupleLen {
		return Nil, fmt.Errorf("datom: tuple nested deeper than %d or longer than %d", maxTupleDepth, MaxTupleLen)
	}
	vs := make([]Value, len(xs))
	for i, x := range xs {
		v, err := fromEDN(x, depth+1)
		if err != nil {
			return Nil, err
		}
		vs[i] = v
	}
	return Tuple(vs), nil
}

// ToEDN converts a Value to the EDN data model (int64, float64, string,
// edn.Keyword, time.Time, edn.Vector for tuples, ...).
func ToEDN(v Value) any {
	switch v.kind {
	case KindNil:
		return nil
	case KindBool:
		return v.AsBool()
	case KindLong:
		return v.AsLong()
	case KindDouble:
		return v.AsDouble()
	case KindBigInt:
		return v.AsBigInt()
	case KindBigDec:
		return edn.BigDec{Text: v.str}
	case KindInstant:
		return v.AsTime()
	case KindString:
		return v.str
	case KindKeyword:
		return EDNKeyword(v.str)
	case KindSymbol:
		return ednSymbol(v.str)
	case KindUUID:
		return edn.UUID(v.AsUUID())
	case KindBytes:
		return []byte(v.str)
	case KindTuple:
		out := make(edn.Vector, len(v.AsTuple()))
		for i, e := range v.AsTuple() {
			out[i] = ToEDN(e)
		}
		return out
	}
	return nil
}
