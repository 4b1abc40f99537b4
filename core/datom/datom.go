package datom

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// Entity id ranges, as in Datahike and DataScript.
const (
	// Tx0 is the id below every transaction id; the first transaction is
	// Tx0+1.
	Tx0 int64 = 536870912
	// E0 is the id below every user entity id; the first user entity is 1.
	E0 int64 = 0
	// EMax bounds entity and transaction ids.
	EMax int64 = 1<<53 - 1
)

// Datom is one fact: entity E has attribute A with value V, asserted
// (Added) or retracted by transaction Tx. A is the attribute's keyword text
// without the colon ("name", "db/ident").
type Datom struct {
	E     int64
	A     string
	V     Value
	Tx    int64
	Added bool
}

// String prints the datom as #datom [e a v tx added].
func (d Datom) String() string {
	return "#datom [" + strconv.FormatInt(d.E, 10) + " :" + d.A + " " + d.V.String() + " " +
		strconv.FormatInt(d.Tx, 10) + " " + strconv.FormatBool(d.Added) + "]"
}

// Order names an index sort order.
type Order uint8

// The index orders. EAVT, AEVT and AVET order the current datoms by their
// first three components (the tx is not part of the key: a current datom is
// unique by e, a, v). The temporal indices use the same orders followed by
// tx and added. TEAV is the transaction log: tx, e, a, v, added.
const (
	EAVT Order = iota
	AEVT
	AVET
	TEAV
)

var orderNames = [...]string{"eavt", "aevt", "avet", "teav"}

func (o Order) String() string {
	if int(o) < len(orderNames) {
		return orderNames[o]
	}
	return "order(" + strconv.Itoa(int(o)) + ")"
}

// CmpEAVT orders by entity, attribute, value.
func CmpEAVT(a, b *Datom) int {
	if c := cmpI(a.E, b.E); c != 0 {
		return c
	}
	if c := strings.Compare(a.A, b.A); c != 0 {
		return c
	}
	return Compare(a.V, b.V)
}

// CmpAEVT orders by attribute, entity, value.
func CmpAEVT(a, b *Datom) int {
	if c := strings.Compare(a.A, b.A); c != 0 {
		return c
	}
	if c := cmpI(a.E, b.E); c != 0 {
		return c
	}
	return Compare(a.V, b.V)
}

// CmpAVET orders by attribute, value, entity.
func CmpAVET(a, b *Datom) int {
	if c := strings.Compare(a.A, b.A); c != 0 {
		return c
	}
	if c := Compare(a.V, b.V); c != 0 {
		return c
	}
	return cmpI(a.E, b.E)
}

// CmpTEAV orders by tx, entity, attribute, value, then retractions before
// assertions.
func CmpTEAV(a, b *Datom) int {
	if c := cmpI(a.Tx, b.Tx); c != 0 {
		return c
	}
	if c := CmpEAVT(a, b); c != 0 {
		return c
	}
	return cmpAdded(a.Added, b.Added)
}

func cmpAdded(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	default:
		return 1
	}
}

// withTx extends an order with tx and added, for the temporal indices.
func withTx(cmp func(a, b *Datom) int) func(a, b *Datom) int {
	return func(a, b *Datom) int {
		if c := cmp(a, b); c != 0 {
			return c
		}
		if c := cmpI(a.Tx, b.Tx); c != 0 {
			return c
		}
		return cmpAdded(a.Added, b.Added)
	}
}

var (
	cmpTempEAVT = withTx(CmpEAVT)
	cmpTempAEVT = withTx(CmpAEVT)
	cmpTempAVET = withTx(CmpAVET)
)

// Comparator returns the comparison function of an order; temporal selects
// the temporal variant (tx and added break ties).
func Comparator(o Order, temporal bool) func(a, b *Datom) int {
	switch o {
	case EAVT:
		if temporal {
			return cmpTempEAVT
		}
		return CmpEAVT
	case AEVT:
		if temporal {
			return cmpTempAEVT
		}
		return CmpAEVT
	case AVET:
		if temporal {
			return cmpTempAVET
		}
		return CmpAVET
	default:
		return CmpTEAV
	}
}

// AppendDatom appends the canonical encoding of d: varint e, uvarint
// attribute length + attribute, value, varint tx, added byte.
func AppendDatom(b []byte, d *Datom) []byte {
	b = binary.AppendVarint(b, d.E)
	b = binary.AppendUvarint(b, uint64(len(d.A)))
	b = append(b, d.A...)
	b = AppendValue(b, d.V)
	b = binary.AppendVarint(b, d.Tx)
	if d.Added {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return b
}

// DecodeDatom decodes one datom from the front of b, returning the bytes
// read.
func DecodeDatom(b []byte) (Datom, int, error) {
	var d Datom
	e, n := varint(b)
	if n <= 0 {
		return d, 0, corrupt("datom: bad entity")
	}
	p := n
	al, n := uvarint(b[p:])
	if n <= 0 || al > 4096 || uint64(len(b)-p-n) < al {
		return d, 0, corrupt("datom: bad attribute")
	}
	p += n
	d.A = string(b[p : p+int(al)])
	p += int(al)
	v, n, err := DecodeValue(b[p:])
	if err != nil {
		return d, 0, err
	}
	p += n
	tx, n := varint(b[p:])
	if n <= 0 {
		return d, 0, corrupt("datom: bad tx")
	}
	p += n
	if p >= len(b) || b[p] > 1 {
		return d, 0, corrupt("datom: bad added flag")
	}
	d.E, d.V, d.Tx, d.Added = e, v, tx, b[p] == 1
	return d, p + 1, nil
}
