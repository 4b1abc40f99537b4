package core

import (
	"math"

	"github.com/cairn-db/cairn/core/pull"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

// Iterator walks datoms in index order. Datom's result is valid until the
// next call to Next. Err reports a storage or decoding error that ended the
// iteration early. It is the same interface query and pull consume, so a
// *DB is a query.Source and a pull.Source as it is.
type Iterator = pull.Iterator

// bound is a resolved index prefix: where to seek, and the test that stops
// the scan once datoms no longer match.
type bound struct {
	from  datom.Datom
	n     int // number of bound components
	order datom.Order
	comps [4]datom.Value
	empty bool // the components can never match (e.g. a string entity id)
}

// makeBound turns components in index order into a seek position. The
// components of EAVT are e a v tx; of AEVT a e v tx; of AVET a v e tx.
func makeBound(order datom.Order, comps []datom.Value) (bound, error) {
	b := bound{order: order, n: len(comps)}
	if len(comps) > 4 {
		return b, ErrInvalidArgument
	}
	copy(b.comps[:], comps)
	b.from = datom.Datom{E: math.MinInt64, Tx: math.MinInt64}
	for i, c := range comps {
		switch role(order, i) {
		case 'e':
			e, ok := c.Int()
			if !ok || c.Kind() != datom.KindLong {
				b.empty = true
			}
			b.from.E = e
		case 'a':
			if c.Kind() != datom.KindKeyword {
				b.empty = true
			}
			b.from.A = c.Text()
		case 'v':
			b.from.V = c
		case 't':
			t, ok := c.Int()
			if !ok {
				b.empty = true
			}
			b.from.Tx = t
		}
	}
	return b, nil
}

func role(order datom.Order, i int) byte {
	switch order {
	case datom.EAVT:
		return "eavt"[i]
	case datom.AEVT:
		return "aevt"[i]
	case datom.AVET:
		return "avet"[i]
	}
	return "teav"[i]
}

// match reports whether d still has the bound prefix.
func (b *bound) match(d *datom.Datom) bool {
	for i := 0; i < b.n; i++ {
		c := b.comps[i]
		switch role(b.order, i) {
		case 'e':
			if d.E != b.from.E {
				return false
			}
		case 'a':
			if d.A != b.from.A {
				return false
			}
		case 'v':
			if datom.Compare(d.V, c) != 0 {
				return false
			}
		case 't':
			if d.Tx != b.from.Tx {
				return false
			}
		}
	}
	return true
}

// upper returns an exclusive upper position for counting, or ok=false when
// the prefix has no cheap successor.
func (b *bound) upper() (datom.Datom, bool) {
	to := b.from
	if b.n == 0 {
		return to, false
	}
	switch role(b.order, b.n-1) {
	case 'e':
		to.E++
		if role(b.order, 0) == 'e' {
			to.A, to.V = "", datom.Nil
		} else {
			to.V = datom.Nil
		}
		return to, true
	case 'a':
		to.A += "\x00"
		return to, true
	case 'v':
		if b.order == datom.AVET {
			to.E = math.MaxInt64
			return to, true
		}
	}
	return to, false
}

// prefixIter stops an index iterator at the end of a prefix.
type prefixIter struct {
	it   *index.Iter
	b    bound
	done bool
}

func (p *prefixIter) Next() bool {
	if p.done {
		return false
	}
	if !p.it.Next() {
		p.done = true
		return false
	}
	if !p.b.match(p.it.Datom()) {
		p.done = true
		return false
	}
	return true
}

func (p *prefixIter) Datom() *datom.Datom { return p.it.Datom() }
func (p *prefixIter) Err() error          { return p.it.Err() }

// emptyIter yields nothing.
type emptyIter struct{ err error }

func (emptyIter) Next() bool          { return false }
func (emptyIter) Datom() *datom.Datom { return nil }
func (e emptyIter) Err() error        { return e.err }

// mergeIter merges two ordered streams by cmp; on ties a comes first.
type mergeIter struct {
	a, b     Iterator
	cmp      func(x, y *datom.Datom) int
	aok, bok bool
	started  bool
	cur      *datom.Datom
	fromA    bool
}

func (m *mergeIter) Next() bool {
	if !m.started {
		m.started = true
		m.aok, m.bok = m.a.Next(), m.b.Next()
	} else if m.fromA {
		m.aok = m.a.Next()
	} else {
		m.bok = m.b.Next()
	}
	switch {
	case m.aok && m.bok:
		if m.cmp(m.a.Datom(), m.b.Datom()) <= 0 {
			m.cur, m.fromA = m.a.Datom(), true
		} else {
			m.cur, m.fromA = m.b.Datom(), false
		}
	case m.aok:
		m.cur, m.fromA = m.a.Datom(), true
	case m.bok:
		m.cur, m.fromA = m.b.Datom(), false
	default:
		m.cur = nil
		return false
	}
	return true
}

func (m *mergeIter) Datom() *datom.Datom { return m.cur }
func (m *mergeIter) Err() error {
	if err := m.a.Err(); err != nil {
		return err
	}
	return m.b.Err()
}

// filterIter keeps the datoms for which keep returns true.
type filterIter struct {
	it   Iterator
	keep func(*datom.Datom) bool
}

func (f *filterIter) Next() bool {
	for f.it.Next() {
		if f.keep(f.it.Datom()) {
			return true
		}
	}
	return false
}

func (f *filterIter) Datom() *datom.Datom { return f.it.Datom() }
func (f *filterIter) Err() error          { return f.it.Err() }

// asOfIter resolves a history stream (ordered by e,a,v then tx) into the
// datoms current at basis t: for each e,a,v the last operation with tx <= t
// decides, and an assertion yields that assertion.
type asOfIter struct {
	it      Iterator
	same    func(x, y *datom.Datom) int
	t       int64
	pending bool // it is positioned on an unconsumed datom
	cur     datom.Datom
	exhaust bool
}

func (a *asOfIter) Next() bool {
	for {
		if !a.pending {
			if a.exhaust || !a.it.Next() {
				a.exhaust = true
				return false
			}
		}
		a.pending = false
		group := *a.it.Datom()
		var last datom.Datom
		have := false
		if group.Tx <= a.t {
			last, have = group, true
		}
		for {
			if !a.it.Next() {
				a.exhaust = true
				break
			}
			d := a.it.Datom()
			if a.same(d, &group) != 0 {
				a.pending = true
				break
			}
			if d.Tx <= a.t {
				last, have = *d, true
			}
		}
		if have && last.Added {
			a.cur = last
			return true
		}
		if a.exhaust && !a.pending {
			return false
		}
	}
}

func (a *asOfIter) Datom() *datom.Datom { return &a.cur }
func (a *asOfIter) Err() error          { return a.it.Err() }
