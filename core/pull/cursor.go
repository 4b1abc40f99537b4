package pull

import (
	"context"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

// Seeker is implemented by sources that can iterate an index from a
// position to its end (the facade's DB does). Many lookups in ascending
// order then share one iterator: a cursor walks forward while the next
// key is near and seeks again only when it is far.
type Seeker interface {
	SeekDatoms(ctx context.Context, order datom.Order, components ...datom.Value) Iterator
}

// reseekAfter is how many datoms a cursor skips before it seeks again: a
// seek from the root costs about as much as reading a few tens of datoms
// in order.
const reseekAfter = 24

// Cursor reads the datoms of ascending entity ids from an index whose
// first component is the entity (EAVT) or whose first component is an
// attribute followed by the entity (AEVT with attr set).
type Cursor struct {
	ctx   context.Context
	src   Seeker
	order datom.Order
	attr  string // AEVT: the attribute
	it    Iterator
	ix    *index.Iter  // it, when it is a tree iterator (called directly)
	d     *datom.Datom // the current datom when ok
	ok    bool         // it is positioned on a datom of the index range
	last  int64        // the last entity asked for
	all   bool         // yield retractions too (history views)
}

// NewCursor returns a cursor over EAVT (attr "") or over attr's AEVT
// datoms. Append yields only added datoms unless withRetractions.
func NewCursor(ctx context.Context, src Seeker, attr string, withRetractions bool) *Cursor {
	c := &Cursor{ctx: ctx, src: src, order: datom.EAVT, attr: attr, all: withRetractions}
	if attr != "" {
		c.order = datom.AEVT
	}
	return c
}

func (c *Cursor) seek(e int64) {
	if c.attr == "" {
		c.it = c.src.SeekDatoms(c.ctx, datom.EAVT, datom.Long(e))
	} else {
		c.it = c.src.SeekDatoms(c.ctx, datom.AEVT, datom.Keyword(c.attr), datom.Long(e))
	}
	c.ix, _ = c.it.(*index.Iter)
	c.advance()
}

func (c *Cursor) advance() {
	if c.ix != nil {
		if c.ok = c.ix.Next(); !c.ok {
			return
		}
		c.d = c.ix.Datom()
	} else {
		if c.ok = c.it.Next(); !c.ok {
			return
		}
		c.d = c.it.Datom()
	}
	if c.attr == "" {
		return
	}
	if c.d.A != c.attr {
		c.ok = false
		return
	}
	// Compare against the index's own string from now on: equal
	// pointers compare without reading the bytes.
	c.attr = c.d.A
}

// Append appends the datoms of entity e (the added ones unless the cursor
// yields retractions) to out. Calls must come with non-decreasing e; a repeated
// e yields nothing the second time, so callers keep the previous result.
func (c *Cursor) Append(out []datom.Datom, e int64) ([]datom.Datom, error) {
	if c.it == nil || e < c.last {
		c.seek(e)
	} else {
		for n := 0; c.ok && c.d.E < e; n++ {
			if n == reseekAfter {
				c.seek(e)
				break
			}
			c.advance()
		}
	}
	c.last = e
	for c.ok {
		d := c.d
		if d.E != e {
			break
		}
		if d.Added || c.all {
			out = append(out, *d)
		}
		c.advance()
	}
	if c.it != nil {
		if err := c.it.Err(); err != nil {
			return out, err
		}
	}
	return out, c.ctx.Err()
}
