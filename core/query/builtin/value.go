package builtin

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
)

// Env holds the values that a query's functions create and that are not
// datom values: regular expressions, sets, maps and functions. They travel
// through relations boxed as a datom.Value (a symbol whose text starts with
// a NUL byte, which no EDN symbol can contain), so relations stay plain
// datom values; Unbox gives the object back. An Env belongs to one query
// execution and is not safe for concurrent use. The zero Env is ready.
//
// Boxing keeps identity semantics: two boxes are equal only when they are
// the same box. The rejected alternative, a relation cell of type any,
// would cost an allocation per cell for every ordinary value.
type Env struct {
	objs []any
}

const objPrefix = "\x00obj:"

// Box stores x and returns the value that stands for it.
func (e *Env) Box(x any) datom.Value {
	e.objs = append(e.objs, x)
	return datom.Symbol(objPrefix + strconv.Itoa(len(e.objs)-1))
}

// Unbox returns the object a boxed value stands for.
func (e *Env) Unbox(v datom.Value) (any, bool) {
	if v.Kind() != datom.KindSymbol || !strings.HasPrefix(v.Text(), objPrefix) || e == nil {
		return nil, false
	}
	i, err := strconv.Atoi(v.Text()[len(objPrefix):])
	if err != nil || i < 0 || i >= len(e.objs) {
		return nil, false
	}
	return e.objs[i], true
}

// Clone returns an Env that starts with the same objects (for a query
// whose parsed constants were boxed once and are shared).
func (e *Env) Clone() *Env {
	return &Env{objs: e.objs[:len(e.objs):len(e.objs)]}
}

// ToEDN converts a value to its EDN/Go form (datom.ToEDN), giving boxed
// objects back as themselves, also inside tuples.
func (e *Env) ToEDN(v datom.Value) any {
	switch v.Kind() {
	case datom.KindSymbol:
		if o, ok := e.Unbox(v); ok {
			return o
		}
	case datom.KindTuple:
		t := v.AsTuple()
		out := make(edn.Vector, len(t))
		for i, x := range t {
			out[i] = e.ToEDN(x)
		}
		return out
	}
	return datom.ToEDN(v)
}

// FromEDN converts an EDN/Go value to a datom value. Vectors and lists
// become tuples; sets, maps, regular expressions and functions are boxed
// (an error when e is nil). Go's int, int32, float32 and []any are
// accepted too.
func (e *Env) FromEDN(x any) (datom.Value, error) {
	switch t := x.(type) {
	case nil:
		return datom.Nil, nil
	case datom.Value:
		return t, nil
	case bool:
		return datom.Bool(t), nil
	case int64:
		return datom.Long(t), nil
	case int:
		return datom.Long(int64(t)), nil
	case int32:
		return datom.Long(int64(t)), nil
	case uint32:
		return datom.Long(int64(t)), nil
	case float64:
		return datom.Double(t), nil
	case float32:
		return datom.Double(float64(t)), nil
	case edn.BigInt:
		if t.IsInt64() {
			return datom.Long(t.Int64()), nil
		}
		return datom.BigInt(t), nil
	case edn.BigDec:
		return datom.BigDec(t.Text)
	case string:
		return datom.String(t), nil
	case edn.Char:
		return datom.String(string(rune(t))), nil
	case edn.Keyword:
		return datom.Keyword(datom.KeywordText(t)), nil
	case edn.Symbol:
		return datom.Symbol(t.String()), nil
	case time.Time:
		return datom.Instant(t), nil
	case edn.UUID:
		return datom.UUID(t), nil
	case []byte:
		return datom.Bytes(t), nil
	case edn.Vector:
		return e.tuple([]any(t))
	case edn.List:
		return e.tuple([]any(t))
	case []any:
		return e.tuple(t)
	case []string:
		vs := make([]datom.Value, len(t))
		for i, s := range t {
			vs[i] = datom.String(s)
		}
		return datom.Tuple(vs), nil
	case []int64:
		vs := make([]datom.Value, len(t))
		for i, n := range t {
			vs[i] = datom.Long(n)
		}
		return datom.Tuple(vs), nil
	}
	if e == nil {
		return datom.Nil, fmt.Errorf("%w: value of type %T", ErrArgument, x)
	}
	return e.Box(x), nil
}

func (e *Env) tuple(xs []any) (datom.Value, error) {
	vs := make([]datom.Value, len(xs))
	for i, x := range xs {
		v, err := e.FromEDN(x)
		if err != nil {
			return datom.Nil, err
		}
		vs[i] = v
	}
	return datom.Tuple(vs), nil
}

// Truthy reports Clojure truthiness: everything but nil and false.
func Truthy(v datom.Value) bool {
	switch v.Kind() {
	case datom.KindNil:
		return false
	case datom.KindBool:
		return v.AsBool()
	}
	return true
}

// FormatNumber prints a number the way JavaScript (and so DataScript's
// str) does for the values the corpus uses: integral doubles without a
// fraction.
func FormatNumber(v datom.Value) string {
	switch v.Kind() {
	case datom.KindLong:
		return strconv.FormatInt(v.AsLong(), 10)
	case datom.KindDouble:
		f := v.AsDouble()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	case datom.KindBigInt, datom.KindBigDec:
		return v.Text()
	}
	return ""
}

// Str is Clojure's str of one value: strings raw, nil empty, everything
// else printed.
func (e *Env) Str(v datom.Value) string {
	switch v.Kind() {
	case datom.KindNil:
		return ""
	case datom.KindString:
		return v.Text()
	case datom.KindUUID:
		return edn.UUID(v.AsUUID()).String()
	}
	return e.PrStr(v)
}

// PrStr is Clojure's pr-str: the value printed as EDN.
func (e *Env) PrStr(v datom.Value) string {
	switch v.Kind() {
	case datom.KindLong, datom.KindDouble, datom.KindBigInt, datom.KindBigDec:
		return FormatNumber(v)
	case datom.KindTuple:
		var b strings.Builder
		b.WriteByte('[')
		for i, x := range v.AsTuple() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(e.PrStr(x))
		}
		b.WriteByte(']')
		return b.String()
	case datom.KindSymbol:
		if o, ok := e.Unbox(v); ok {
			switch t := o.(type) {
			case *Regexp:
				return "#\"" + t.src + "\""
			case Func:
				return "#function"
			}
			return edn.Print(o)
		}
	}
	return edn.Print(e.ToEDN(v))
}
