package query

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/pull"
	"github.com/cairn-db/cairn/core/query/builtin"
	"github.com/cairn-db/cairn/core/schema"
)

// Pattern positions.
const (
	posE = iota
	posA
	posV
	posTx
	posAdded
)

// resolved is a data pattern with its constants resolved against a
// database: lookup refs and idents to entity ids, the attribute to its
// text.
type resolved struct {
	c      *patternClause
	never  bool           // a constant can never match (e.g. a string entity id)
	known  [5]bool        // position holds a constant
	consts [5]datom.Value // the constants (e and tx as longs)
	vars   []string       // distinct variables in order of first position
	varPos [5]int         // position -> index in vars, or -1
	attr   string         // constant attribute text, "" when not constant
	isRef  bool           // the constant attribute is a ref
	count  int64          // Count of the constants-only scan, -1 until asked
}

func (ex *exec) sourceOf(st *state, name string) (*source, error) {
	if name == "" {
		name = st.src
	}
	s, ok := ex.srcs[name]
	if !ok {
		return nil, fmt.Errorf("%w: source %s is not bound", ErrInvalidInput, name)
	}
	return s, nil
}

// resolve resolves (and caches per execution) a pattern's constants
// against source s.
func (ex *exec) resolve(c *patternClause, s *source) (*resolved, error) {
	key := resolvedKey{c, s}
	if r, ok := ex.resolvedPatterns[key]; ok {
		return r, nil
	}
	r := &resolved{c: c, count: -1}
	for i := range r.varPos {
		r.varPos[i] = -1
	}
	for i, t := range c.terms {
		switch t.kind {
		case tVar:
			j := -1
			for k, v := range r.vars {
				if v == t.name {
					j = k
				}
			}
			if j < 0 {
				j = len(r.vars)
				r.vars = append(r.vars, t.name)
			}
			r.varPos[i] = j
		case tConst:
			r.known[i] = true
			r.consts[i] = t.val
		}
	}
	if s.db != nil {
		if r.known[posA] {
			if r.consts[posA].Kind() != datom.KindKeyword {
				r.never = true
			} else {
				r.attr = r.consts[posA].Text()
				if a, _ := ex.schemaOf(s).Attr(r.attr); a != nil && a.ValueType == schema.TypeRef {
					r.isRef = true
				}
			}
		}
		if r.known[posE] {
			e, ok, err := ex.entid(s, r.consts[posE], true)
			if err != nil {
				return nil, err
			}
			if !ok {
				r.never = true
			}
			r.consts[posE] = datom.Long(e)
		}
		if r.known[posV] && r.isRef {
			switch r.consts[posV].Kind() {
			case datom.KindTuple, datom.KindKeyword:
				e, ok, err := ex.entid(s, r.consts[posV], true)
				if err != nil {
					return nil, err
				}
				if !ok {
					r.never = true
				}
				r.consts[posV] = datom.Long(e)
			}
		}
		if r.known[posTx] {
			if _, ok := r.consts[posTx].Int(); !ok {
				r.never = true
			}
		}
	}
	ex.resolvedPatterns[key] = r
	return r, nil
}

type resolvedKey struct {
	c *patternClause
	s *source
}

// entid resolves an entity reference value: a long, a lookup ref or an
// ident. strict makes a lookup ref that finds nothing an error, as in
// DataScript's queries; ok is false for values that can name no entity.
func (ex *exec) entid(s *source, v datom.Value, strict bool) (int64, bool, error) {
	switch v.Kind() {
	case datom.KindLong:
		return v.AsLong(), true, nil
	case datom.KindDouble, datom.KindBigInt:
		n, ok := v.Int()
		return n, ok, nil
	case datom.KindKeyword, datom.KindTuple:
		e, ok, err := ex.puller(s).ResolveValue(v)
		if err != nil {
			return 0, false, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		if !ok && strict {
			return 0, false, fmt.Errorf("%w: Nothing found for entity id %s", ErrInvalidInput, v)
		}
		return e, ok, nil
	}
	return 0, false, nil
}

// plan chooses the index for the known positions.
func plan(e, a, v bool) (datom.Order, []int) {
	switch {
	case e && a && v:
		return datom.EAVT, []int{posE, posA, posV}
	case e && a:
		return datom.EAVT, []int{posE, posA}
	case e:
		return datom.EAVT, []int{posE}
	case a && v:
		return datom.AVET, []int{posA, posV}
	case a:
		return datom.AEVT, []int{posA}
	}
	return datom.EAVT, nil
}

func (ex *exec) scanCount(r *resolved, s *source) int64 {
	if r.count >= 0 {
		return r.count
	}
	if r.never {
		r.count = 0
		return 0
	}
	order, pos := plan(r.known[posE], r.known[posA], r.known[posV])
	comps := make([]datom.Value, len(pos))
	for i, p := range pos {
		comps[i] = r.consts[p]
	}
	r.count = s.db.Count(ex.ctx, order, comps...)
	return r.count
}

// patternCost estimates the rows a pattern produces given what is bound.
func (ex *exec) patternCost(st *state, c *patternClause) (float64, error) {
	s, err := ex.sourceOf(st, c.src)
	if err != nil {
		return 0, err
	}
	probe := -1
	connected := false
	for i, t := range c.terms {
		if t.kind != tVar {
			continue
		}
		if r := st.relOf(t.name); r != nil {
			connected = true
			if i <= posV && (probe < 0 || r.n < probe) {
				probe = r.n
			}
		}
	}
	var scan float64
	if s.db == nil {
		scan = float64(len(s.coll))
	} else {
		r, err := ex.resolve(c, s)
		if err != nil {
			return 0, err
		}
		scan = float64(ex.scanCount(r, s))
	}
	if !connected {
		return scan + unconnectedPenalty/1e6, nil
	}
	if probe >= 0 && float64(probe) < scan {
		return float64(probe), nil
	}
	return scan, nil
}

// row values of a datom by position.
func datomAt(d *datom.Datom, p int) datom.Value {
	switch p {
	case posE:
		return datom.Long(d.E)
	case posA:
		return datom.Keyword(d.A)
	case posV:
		return d.V
	case posTx:
		return datom.Long(d.Tx)
	}
	return datom.Bool(d.Added)
}

func (ex *exec) applyPattern(st *state, c *patternClause) error {
	s, err := ex.sourceOf(st, c.src)
	if err != nil {
		return err
	}
	if s.db == nil {
		rel, err := ex.matchColl(s, c)
		if err != nil {
			return err
		}
		return ex.merge(st, rel)
	}
	r, err := ex.resolve(c, s)
	if err != nil {
		return err
	}
	// The bound relation with the fewest rows that binds an e or v
	// variable is the probe candidate: one index lookup per row instead
	// of a scan of the whole attribute.
	var probeRel *relation
	for i, t := range c.terms {
		if t.kind != tVar || i > posV {
			continue
		}
		if i == posV && !r.known[posA] && !r.known[posE] {
			continue
		}
		if i == posA {
			continue
		}
		if rel := st.relOf(t.name); rel != nil && (probeRel == nil || rel.n < probeRel.n) {
			probeRel = rel
		}
	}
	// Probing costs an index seek per row; scanning costs a pass over the
	// matching datoms plus a hash join. Probe when the rows are clearly
	// fewer than the datoms.
	if probeRel != nil && (probeRel.n <= 16 || int64(probeRel.n)*4 <= ex.scanCount(r, s)) {
		st.remove(probeRel)
		out, err := ex.probe(s, r, probeRel, ex.needed(st))
		if err != nil {
			return err
		}
		return ex.merge(st, out)
	}
	if rel, ok, err := ex.rangeScan(st, s, r); ok || err != nil {
		if err != nil {
			return err
		}
		return ex.merge(st, rel)
	}
	rel, err := ex.scan(s, r)
	if err != nil {
		return err
	}
	return ex.merge(st, rel)
}

// rangeScan resolves [?e :attr ?v] through an AVET range when a clause
// still to run compares ?v with a constant or a scalar input using the
// built-in <, <=, > or >=: only the datoms in the range are read. The
// comparison still runs afterwards; AVET orders values with the same
// datom.Compare the built-ins use, so the range holds every row it keeps.
func (ex *exec) rangeScan(st *state, s *source, r *resolved) (*relation, bool, error) {
	if s.db == nil || r.never || !r.known[posA] || r.known[posE] || r.known[posV] || len(r.c.terms) < 3 {
		return nil, false, nil
	}
	j := r.varPos[posV]
	if j < 0 || st.bound(r.vars[j]) {
		return nil, false, nil
	}
	sk, _ := s.db.(pull.Seeker)
	lo, hi, hasLo, hasHi := ex.rangeOf(r.vars[j])
	if !(hasLo && sk != nil) && !hasHi {
		return nil, false, nil
	}
	var it Iterator
	if hasLo && sk != nil {
		it = sk.SeekDatoms(ex.ctx, datom.AVET, r.consts[posA], lo)
	} else {
		it = s.db.Datoms(ex.ctx, datom.AVET, r.consts[posA])
	}
	out := &relation{vars: r.vars, set: r.unique(s)}
	attr := r.consts[posA].Text()
	inPrefix := [5]bool{posA: true}
	row := make([]datom.Value, len(r.vars))
	for it.Next() {
		if err := ex.tick(); err != nil {
			return nil, true, err
		}
		d := it.Datom()
		if d.A != attr || (hasHi && datom.Compare(d.V, hi) > 0) {
			break
		}
		if !ex.match(r, d, &inPrefix, row, nil) {
			continue
		}
		out.reserve(len(out.vars))
		out.data = append(out.data, row...)
		out.n++
	}
	return out, true, it.Err()
}

// rangeOf derives bounds on variable v from the pending comparisons of v
// with a constant or a scalar input.
func (ex *exec) rangeOf(v string) (lo, hi datom.Value, hasLo, hasHi bool) {
	for _, c := range ex.pending {
		f, ok := c.(*fnClause)
		if !ok || f.out != nil || f.fn.kind != tConst || len(f.args) != 2 {
			continue
		}
		name := f.fn.val.Text()
		if name != "<" && name != "<=" && name != ">" && name != ">=" || !builtin.IsBuiltin(name) {
			continue
		}
		var x datom.Value
		var vFirst bool
		switch {
		case f.args[0].kind == tVar && f.args[0].name == v:
			vFirst = true
			if x, ok = ex.boundConst(f.args[1]); !ok {
				continue
			}
		case f.args[1].kind == tVar && f.args[1].name == v:
			if x, ok = ex.boundConst(f.args[0]); !ok {
				continue
			}
		default:
			continue
		}
		// (> v x) and (< x v) bound v from below; (< v x) and (> x v)
		// from above.
		if (name[0] == '>') == vFirst {
			if !hasLo {
				lo, hasLo = x, true
			}
		} else if !hasHi {
			hi, hasHi = x, true
		}
	}
	return
}

// boundConst returns the value of a term that is a constant or a scalar
// input variable.
func (ex *exec) boundConst(t term) (datom.Value, bool) {
	switch t.kind {
	case tConst:
		if t.val.Kind() == datom.KindSymbol {
			return datom.Nil, false
		}
		return t.val, true
	case tVar:
		// Scalar inputs name the query's variables; inside a rule body
		// the same name is a variable of the rule.
		if ex.ruleDepth > 0 {
			return datom.Nil, false
		}
		v, ok := ex.scalars[t.name]
		return v, ok
	}
	return datom.Nil, false
}

// unique reports whether a pattern yields distinct rows for distinct
// datoms: e, a and v are each a constant or a variable, and the view has
// no retractions (a current view holds each e a v once).
func (r *resolved) unique(s *source) bool {
	if s.db == nil || s.db.IsHistory() {
		return false
	}
	for p := posE; p <= posV; p++ {
		if p >= len(r.c.terms) || !(r.known[p] || r.varPos[p] >= 0) {
			return false
		}
	}
	return true
}

// scan reads the datoms matching the pattern's constants.
func (ex *exec) scan(s *source, r *resolved) (*relation, error) {
	out := &relation{vars: r.vars, set: r.unique(s)}
	if r.never {
		return out, nil
	}
	if n := ex.scanCount(r, s); n > 0 && n < 1<<24 {
		out.data = make([]datom.Value, 0, int(n)*len(r.vars))
	}
	order, pos := plan(r.known[posE], r.known[posA], r.known[posV])
	comps := make([]datom.Value, len(pos))
	inPrefix := [5]bool{}
	for i, p := range pos {
		comps[i] = r.consts[p]
		inPrefix[p] = true
	}
	it := s.db.Datoms(ex.ctx, order, comps...)
	w := len(r.vars)
	row := make([]datom.Value, w)
	for it.Next() {
		if err := ex.tick(); err != nil {
			return nil, err
		}
		d := it.Datom()
		if !ex.match(r, d, &inPrefix, row, nil) {
			continue
		}
		out.reserve(len(out.vars))
		out.data = append(out.data, row...)
		out.n++
	}
	return out, it.Err()
}

// match checks a datom against the constants not in the index prefix and
// fills row with the variables' values, unifying a variable repeated in
// the pattern. bound gives, per variable, a value it must equal (nil
// entries are free).
func (ex *exec) match(r *resolved, d *datom.Datom, inPrefix *[5]bool, row []datom.Value, bound []*datom.Value) bool {
	set := uint32(0)
	for p := 0; p < len(r.c.terms); p++ {
		if r.known[p] {
			if inPrefix[p] {
				continue
			}
			if !datomAt(d, p).Equal(r.consts[p]) {
				return false
			}
			continue
		}
		j := r.varPos[p]
		if j < 0 {
			continue
		}
		v := datomAt(d, p)
		if set&(1<<j) != 0 {
			if !row[j].Equal(v) {
				return false
			}
			continue
		}
		if bound != nil && bound[j] != nil && !(inPrefix[p] && p != posV) {
			if !bound[j].Equal(v) {
				return false
			}
		}
		row[j] = v
		set |= 1 << j
	}
	return true
}

// probe joins rel with the pattern by looking the pattern up once per row
// of rel (per run of equal lookup keys), through the index the bound
// positions select.
func (ex *exec) probe(s *source, r *resolved, rel *relation, need []string) (*relation, error) {
	// Which pattern variables rel binds, and which are new.
	varCol := make([]int, len(r.vars)) // column in rel, or -1
	var newVars []int
	for j, v := range r.vars {
		varCol[j] = rel.col(v)
		if varCol[j] < 0 {
			newVars = append(newVars, j)
		}
	}
	// Only the columns still needed are carried forward.
	var relKeep []int
	var newKeep []int
	for c, v := range rel.vars {
		if slices.Contains(need, v) {
			relKeep = append(relKeep, c)
		}
	}
	for _, j := range newVars {
		if slices.Contains(need, r.vars[j]) {
			newKeep = append(newKeep, j)
		}
	}
	dropped := len(relKeep) < len(rel.vars) || len(newKeep) < len(newVars)
	if len(relKeep)+len(newKeep) == 0 { // keep a column: a relation over no variables is a truth value
		relKeep, newKeep, dropped = allCols(len(rel.vars)), newVars, false
	}
	relAll := len(relKeep) == len(rel.vars)
	outVars := pick(rel.vars, relKeep)
	for _, j := range newKeep {
		outVars = append(outVars, r.vars[j])
	}
	out := &relation{vars: outVars, data: make([]datom.Value, 0, rel.n*len(outVars)), set: rel.set && r.unique(s) && !dropped}
	emit := func(rr, row []datom.Value) {
		out.reserve(len(outVars))
		if relAll {
			out.data = append(out.data, rr...)
		} else {
			for _, c := range relKeep {
				out.data = append(out.data, rr[c])
			}
		}
		for _, j := range newKeep {
			out.data = append(out.data, row[j])
		}
		out.n++
	}
	if r.never {
		return out, nil
	}
	known := r.known
	for p := posE; p <= posV; p++ {
		if j := r.varPos[p]; j >= 0 && varCol[j] >= 0 {
			known[p] = true
		}
	}
	order, pos := plan(known[posE], known[posA], known[posV])
	inPrefix := [5]bool{}
	for _, p := range pos {
		inPrefix[p] = true
	}
	if order == datom.EAVT && len(pos) >= 2 && !r.known[posE] && r.known[posA] && s.db != nil {
		// Entity lookups of a constant attribute: with many rows, one
		// pass over the attribute (AEVT) merged with the rows sorted by
		// entity beats a seek per row.
		k := int64(rel.n)
		_, seeker := s.db.(pull.Seeker)
		if (seeker && k > 16) || (k > 64 && ex.scanCount(&resolved{known: [5]bool{posA: true}, consts: r.consts, count: -1}, s) <= k*mergeFactor) {
			return ex.mergeProbe(s, r, rel, varCol, out, emit)
		}
	}
	comps := make([]datom.Value, len(pos))
	row := make([]datom.Value, len(r.vars))
	bound := make([]*datom.Value, len(r.vars))
	var cache []datom.Datom
	if rel.n == 1 {
		cache = make([]datom.Datom, 0, min(s.db.Count(ex.ctx, order, probeComps(r, rel, pos, varCol)...), 1<<16))
	}
	var cacheKey []datom.Value
	for i := 0; i < rel.n; i++ {
		if err := ex.tick(); err != nil {
			return nil, err
		}
		rr := rel.row(i)
		skip := false
		for k, p := range pos {
			if r.known[p] {
				comps[k] = r.consts[p]
				continue
			}
			v := rr[varCol[r.varPos[p]]]
			if p == posE && v.Kind() != datom.KindLong {
				e, ok, err := ex.entid(s, v, false)
				if err != nil {
					return nil, err
				}
				if !ok {
					skip = true
					break
				}
				v = datom.Long(e)
			}
			if p == posA && v.Kind() != datom.KindKeyword {
				skip = true
				break
			}
			comps[k] = v
		}
		if skip {
			continue
		}
		for j := range r.vars {
			if varCol[j] >= 0 {
				bound[j] = &rr[varCol[j]]
			}
		}
		if cacheKey == nil || !sameValues(cacheKey, comps) {
			cacheKey = append(cacheKey[:0], comps...)
			cache = cache[:0]
			// Inside rule evaluation, two-component lookups are
			// remembered for the run, as the merged probes' are.
			var pk probeKey
			remember := ex.ruleDepth > 0 && len(comps) == 2
			if remember {
				pk = probeKey{s, order, keyOf(comps[0]), keyOf(comps[1])}
				if hit, ok := ex.probeCache[pk]; ok {
					cache = append(cache, hit...)
					remember = false
					goto filled
				}
			}
			{
				it := s.db.Datoms(ex.ctx, order, comps...)
				for it.Next() {
					cache = append(cache, *it.Datom())
				}
				if err := it.Err(); err != nil {
					return nil, err
				}
			}
			if remember && len(ex.probeCache) < eaCacheMax {
				if ex.probeCache == nil {
					ex.probeCache = map[probeKey][]datom.Datom{}
				}
				ex.probeCache[pk] = slices.Clone(cache)
			}
		filled:
			out.data = slices.Grow(out.data, len(cache)*len(outVars))
		}
		for di := range cache {
			if !ex.match(r, &cache[di], &inPrefix, row, bound) {
				continue
			}
			emit(rr, row)
		}
	}
	return out, nil
}

// mergeFactor is how many datoms one pass over an attribute may read per
// probe row before seeking per row is cheaper: a seek from the root costs
// about as much as reading some tens of datoms in order.
const mergeFactor = 24

// mergeProbe resolves a pattern with a constant attribute and its entity
// bound by rel in one pass over the attribute's AEVT datoms, merged with
// rel's rows sorted by entity id.
func (ex *exec) mergeProbe(s *source, r *resolved, rel *relation, varCol []int, out *relation, emit func(rr, row []datom.Value)) (*relation, error) {
	ecol := varCol[r.varPos[posE]]
	type keyed struct {
		e int64
		i int32
	}
	keys := make([]keyed, 0, rel.n)
	sorted := true
	for i := 0; i < rel.n; i++ {
		v := rel.row(i)[ecol]
		var e int64
		if v.Kind() == datom.KindLong {
			e = v.AsLong()
		} else {
			id, ok, err := ex.entid(s, v, false)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			e = id
		}
		if n := len(keys); n > 0 && keys[n-1].e > e {
			sorted = false
		}
		keys = append(keys, keyed{e, int32(i)})
	}
	if !sorted {
		slices.SortFunc(keys, func(a, b keyed) int { return cmp.Compare(a.e, b.e) })
	}
	inPrefix := [5]bool{posE: true, posA: true}
	row := make([]datom.Value, len(r.vars))
	bound := make([]*datom.Value, len(r.vars))
	var group []datom.Datom
	// A source that seeks from a position walks the attribute with a
	// cursor that skips ahead by seeking when the next entity is far;
	// otherwise one pass reads the whole attribute.
	var cur *pull.Cursor
	var it Iterator
	more := false
	if sk, ok := s.db.(pull.Seeker); ok {
		cur = pull.NewCursor(ex.ctx, sk, r.consts[posA].Text(), s.db.IsHistory())
	} else {
		it = s.db.Datoms(ex.ctx, datom.AEVT, r.consts[posA])
		more = it.Next()
	}
	for k := 0; k < len(keys); {
		e := keys[k].e
		group = group[:0]
		if cur != nil {
			// Inside rule evaluation the same lookups repeat from round
			// to round; they are remembered for the query's run.
			ck := eaKey{s, e, r.consts[posA].Text()}
			if cached, ok := ex.eaCache[ck]; ok {
				group = append(group, cached...)
			} else {
				var err error
				if group, err = cur.Append(group, e); err != nil {
					return nil, err
				}
				if ex.ruleDepth > 0 && len(ex.eaCache) < eaCacheMax {
					if ex.eaCache == nil {
						ex.eaCache = map[eaKey][]datom.Datom{}
					}
					ex.eaCache[ck] = slices.Clone(group)
				}
			}
			if err := ex.tick(); err != nil {
				return nil, err
			}
		}
		for more {
			d := it.Datom()
			if d.E > e {
				break
			}
			if d.E == e {
				group = append(group, *d)
			}
			if err := ex.tick(); err != nil {
				return nil, err
			}
			more = it.Next()
		}
		for ; k < len(keys) && keys[k].e == e; k++ {
			if len(group) == 0 {
				continue
			}
			rr := rel.row(int(keys[k].i))
			for j := range r.vars {
				if varCol[j] >= 0 {
					bound[j] = &rr[varCol[j]]
				}
			}
			for di := range group {
				if !ex.match(r, &group[di], &inPrefix, row, bound) {
					continue
				}
				emit(rr, row)
			}
		}
		if cur == nil && !more {
			break
		}
	}
	if it != nil {
		return out, it.Err()
	}
	return out, nil
}

// eaKey names the datoms of one entity and attribute in a source.
type eaKey struct {
	s *source
	e int64
	a string
}

// probeKey names a two-component index lookup of a probe.
type probeKey struct {
	s      *source
	order  datom.Order
	c0, c1 hkey
}

// eaCacheMax bounds the lookups remembered during rule evaluation.
const eaCacheMax = 1 << 16

// probeComps returns the index components of a probe for rel's first row
// (for an estimate: lookup refs are not resolved).
func probeComps(r *resolved, rel *relation, pos []int, varCol []int) []datom.Value {
	comps := make([]datom.Value, len(pos))
	for k, p := range pos {
		if r.known[p] {
			comps[k] = r.consts[p]
		} else {
			comps[k] = rel.row(0)[varCol[r.varPos[p]]]
		}
	}
	return comps
}

func sameValues(a, b []datom.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if datom.Compare(a[i], b[i]) != 0 || a[i].Kind() != b[i].Kind() {
			return false
		}
	}
	return true
}

// matchColl matches a pattern against a collection source, position by
// position.
func (ex *exec) matchColl(s *source, c *patternClause) (*relation, error) {
	var vars []string
	varPos := make([]int, len(c.terms))
	for i, t := range c.terms {
		varPos[i] = -1
		if t.kind == tVar {
			j := -1
			for k, v := range vars {
				if v == t.name {
					j = k
				}
			}
			if j < 0 {
				j = len(vars)
				vars = append(vars, t.name)
			}
			varPos[i] = j
		}
	}
	out := &relation{vars: vars}
	row := make([]datom.Value, len(vars))
	for _, tup := range s.coll {
		if err := ex.tick(); err != nil {
			return nil, err
		}
		if len(tup) < len(c.terms) {
			continue
		}
		ok := true
		set := uint32(0)
		for i, t := range c.terms {
			switch t.kind {
			case tConst:
				ok = tup[i].Equal(t.val)
			case tVar:
				j := varPos[i]
				if set&(1<<j) != 0 {
					ok = row[j].Equal(tup[i])
				} else {
					row[j] = tup[i]
					set |= 1 << j
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			out.reserve(len(out.vars))
			out.data = append(out.data, row...)
			out.n++
		}
	}
	return out, nil
}
