package tx

import (
	"maps"
	"slices"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/schema"
)

// finish runs the end-of-transaction checks and builds the Result.
func (p *proc) finish() (*Result, error) {
	if err := p.checkValueTempids(); err != nil {
		return nil, err
	}
	instant, err := p.txInstant()
	if err != nil {
		return nil, err
	}
	sch := p.sch
	if p.opts.Mode == ModeDatahike {
		if sch, err = p.evolveSchema(); err != nil {
			return nil, err
		}
	}
	res := &Result{
		TxID:      p.txID,
		TxInstant: instant,
		TxData:    p.txData,
		Tempids:   make(map[any]int64, len(p.tempids)+1),
		MaxEid:    p.maxEid,
		Schema:    sch,
		Adds:      make([]datom.Datom, 0, len(p.txData)),
	}
	maps.Copy(res.Tempids, p.tempids)
	res.Tempids["db/current-tx"] = p.txID
	for _, st := range p.order {
		for _, b := range st.base {
			i := st.find(b.V)
			if i < 0 || st.cur[i].Tx != b.Tx {
				res.Retracts = append(res.Retracts, b)
			}
		}
		for _, c := range st.cur {
			if c.Tx == p.txID {
				res.Adds = append(res.Adds, c)
			}
		}
	}
	return res, nil
}

// checkValueTempids fails when a tempid used as a ref value never names an
// entity that something is asserted about.
func (p *proc) checkValueTempids() error {
	if len(p.valueTempids) == 0 {
		return nil
	}
	var unused []string
	for eid, t := range p.valueTempids {
		es := p.ents[eid]
		_, ok := p.redundant[eid]
		if !ok && (es == nil || !es.asserted) {
			unused = append(unused, show(t))
		}
	}
	if len(unused) == 0 {
		return nil
	}
	slices.Sort(unused)
	return newErr(ErrUnusedTempid, nil, "tempids used only as value in transaction: %s", strings.Join(unused, " "))
}

// txInstant decides the transaction's time. In Datahike mode it asserts
// :db/txInstant on the transaction entity unless the transaction did, and
// an explicit one must be later than the previous transaction's.
func (p *proc) txInstant() (int64, error) {
	last := p.snap.LastTxInstant()
	auto := max(p.opts.Now().UnixMilli(), last+1)
	st, err := p.state(p.txID, "db/txInstant")
	if err != nil {
		return 0, err
	}
	if len(st.cur) > 0 {
		v := st.cur[0].V
		if v.Kind() != datom.KindInstant {
			if p.opts.Mode == ModeDatahike {
				return 0, newErr(ErrTxInstant, st.cur[0], "not an instant")
			}
			return auto, nil
		}
		if v.AsLong() <= last {
			if p.opts.Mode == ModeDatahike {
				return 0, newErr(ErrTxInstant, st.cur[0], "%s is not after the previous transaction's", v)
			}
			return auto, nil
		}
		return v.AsLong(), nil
	}
	if p.opts.Mode == ModeDatahike {
		d := datom.Datom{E: p.txID, A: "db/txInstant", V: datom.InstantMillis(auto)}
		if err := p.reportAdd(st, d, nil); err != nil {
			return 0, err
		}
	}
	return auto, nil
}

// changed reports whether the transaction changed the datoms of st.
func (st *eaState) changed() bool {
	if len(st.base) != len(st.cur) {
		return true
	}
	for _, c := range st.cur {
		if !slices.ContainsFunc(st.base, func(b datom.Datom) bool { return b.Tx == c.Tx && b.V.Equal(c.V) }) {
			return true
		}
	}
	return false
}

// evolveSchema reads the attribute definitions the transaction changed
// (Datahike mode: the schema is data) and applies them to the schema.
func (p *proc) evolveSchema() (*schema.Schema, error) {
	var ents []int64
	for _, st := range p.order {
		if (st.a == "db/ident" || schema.IsSchemaAttr(st.a)) && st.changed() && !slices.Contains(ents, st.e) {
			ents = append(ents, st.e)
		}
	}
	if len(ents) == 0 {
		return p.sch, nil
	}
	var defs []schema.Attr
	for _, e := range ents {
		ds, err := p.entityDatoms(e)
		if err != nil {
			return nil, err
		}
		identSt := p.lookup(e, "db/ident")
		before, now := "", ""
		if identSt != nil {
			for _, d := range identSt.base {
				before = d.V.Text()
			}
			for _, d := range identSt.cur {
				now = d.V.Text()
			}
		} else {
			for _, d := range ds {
				if d.A == "db/ident" {
					before, now = d.V.Text(), d.V.Text()
				}
			}
		}
		var old *schema.Attr
		if a, ok := p.sch.Attr(before); ok && before != "" && a.Eid == e {
			old = a
		}
		var props []datom.Datom
		docOnly := true
		for _, d := range ds {
			if schema.IsSchemaAttr(d.A) {
				props = append(props, d)
				docOnly = docOnly && d.A == "db/doc"
			}
		}
		op := datom.Datom{E: e, A: "db/ident", V: datom.Keyword(now)}
		switch {
		case old != nil && now == "":
			return nil, &Error{Kind: ErrSchemaViolation, Op: show(op),
				Msg: "attribute :" + before + " cannot be removed", Err: schema.ErrForbiddenChange}
		case old != nil && now != before:
			return nil, &Error{Kind: ErrSchemaViolation, Op: show(op),
				Msg: "the :db/ident of attribute :" + before + " cannot change", Err: schema.ErrForbiddenChange}
		case old == nil && (len(props) == 0 || docOnly):
			continue // a plain ident, perhaps documented
		case now == "":
			return nil, &Error{Kind: ErrSchemaViolation, Op: show(props[0]),
				Msg: "schema attributes require a :db/ident on the entity", Err: schema.ErrInvalidSchema}
		case schema.IsSystem(now):
			return nil, &Error{Kind: ErrSchemaViolation, Op: show(op),
				Msg: "cannot redefine a system attribute", Err: schema.ErrInvalidSchema}
		}
		def, err := schema.AttrFromDatoms(e, now, props)
		if err != nil {
			return nil, &Error{Kind: ErrSchemaViolation, Op: show(op), Msg: "bad attribute definition", Err: err}
		}
		defs = append(defs, def)
	}
	next, err := p.sch.Evolve(defs, p.valuesUnique)
	if err != nil {
		return nil, &Error{Kind: ErrSchemaViolation, Msg: "schema change refused", Err: err}
	}
	return next, nil
}

// valuesUnique reports whether no two entities share a value of attribute
// a, after this transaction.
func (p *proc) valuesUnique(a string) (bool, error) {
	ds, err := p.snap.ByAttr(a)
	if err != nil {
		return false, p.snapErr(err)
	}
	seen := map[string]int64{}
	dup := func(d datom.Datom) bool {
		k := d.V.HashKey()
		if e, ok := seen[k]; ok && e != d.E {
			return true
		}
		seen[k] = d.E
		return false
	}
	for _, d := range ds {
		if d.A != a || p.lookup(d.E, a) != nil {
			continue
		}
		if dup(d) {
			return false, nil
		}
	}
	for _, st := range p.order {
		if st.a != a {
			continue
		}
		for _, d := range st.cur {
			if dup(d) {
				return false, nil
			}
		}
	}
	return true, nil
}
