package pull

import (
	"context"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
)

// Entity is a lazy, read-only view of one entity of a database value
// (DataScript's d/entity): attributes are read when first asked for and
// cached. References come back as *Entity, cardinality-many values as
// []any in index order. An Entity is not safe for concurrent use.
type Entity struct {
	pl    *Puller
	id    int64
	cache map[string]any
}

// NewEntity returns the entity eid names (an id, a lookup ref or an
// ident), or nil when a lookup ref or ident matches nothing.
func NewEntity(ctx context.Context, src Source, eid any) (*Entity, error) {
	pl := newPuller(ctx, src)
	id, ok, err := pl.resolve(eid)
	if err != nil || !ok {
		return nil, err
	}
	return &Entity{pl: pl, id: id, cache: map[string]any{}}, nil
}

// ID returns the entity id.
func (e *Entity) ID() int64 { return e.id }

// Get returns the value of attribute attr ("name", ":name", "ns/name";
// "_friend" or "ns/_name" for a reverse reference), or nil when the
// entity has none.
func (e *Entity) Get(attr string) (any, error) {
	attr = strings.TrimPrefix(attr, ":")
	if v, ok := e.cache[attr]; ok {
		return v, nil
	}
	k := datom.EDNKeyword(attr)
	var v any
	if strings.HasPrefix(k.Name, "_") && len(k.Name) > 1 {
		fwd := datom.KeywordText(edn.Keyword{NS: k.NS, Name: k.Name[1:]})
		ds, err := e.pl.datoms(datom.AVET, datom.Keyword(fwd), datom.Long(e.id))
		if err != nil {
			return nil, err
		}
		if len(ds) > 0 {
			out := make([]any, len(ds))
			for i, d := range ds {
				out[i] = e.ref(d.E)
			}
			v = out
			if at := e.pl.attr(fwd); at != nil && at.IsComponent {
				v = out[0]
			}
		}
	} else {
		ds, err := e.pl.datoms(datom.EAVT, datom.Long(e.id), datom.Keyword(attr))
		if err != nil {
			return nil, err
		}
		at := e.pl.attr(attr)
		conv := func(d datom.Datom) any {
			if at != nil && at.ValueType == schema.TypeRef {
				return e.ref(d.V.AsLong())
			}
			return e.pl.env.ToEDN(d.V)
		}
		switch {
		case len(ds) == 0:
		case at != nil && at.Cardinality == schema.CardinalityMany:
			out := make([]any, len(ds))
			for i, d := range ds {
				out[i] = conv(d)
			}
			v = out
		default:
			v = conv(ds[len(ds)-1])
		}
	}
	e.cache[attr] = v
	return v, nil
}

func (e *Entity) ref(id int64) *Entity {
	return &Entity{pl: e.pl, id: id, cache: map[string]any{}}
}

// Touch returns every attribute of the entity as a map, as pull [*] does
// (components expanded, other references as {:db/id n}).
func (e *Entity) Touch() (*edn.Map, error) {
	return e.pl.Entity(e.id, wildcard)
}
