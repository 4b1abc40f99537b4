// Package pull implements DataScript's pull API over a Source: patterns
// with the wildcard, attribute lists, nested ref patterns, reverse
// references (:_attr, :ns/_attr), :as, :limit (default 1000 for
// cardinality-many and reverse attributes), :default, :xform (resolved
// among the query built-ins, core/query/builtin), recursion (... or a
// depth), components expanded under the wildcard and when named without a
// sub-pattern, the legacy (limit :attr n) and (default :attr v) forms;
// PullMany; and a lazy Entity.
//
// Results are *edn.Map (keys are the attribute keywords or their :as
// value), cardinality-many values edn.Vector in index order (ascending by
// value, refs by entity id). The DataScript behaviours the corpus pins are
// kept: [*] on an id without datoms gives {:db/id n} while explicit
// attributes give nil; a nested entity whose pattern selects nothing is
// left out; a recursive pull returns {:db/id n} for an entity already
// expanded on the current recursion path (the root does not count); a
// lookup ref that resolves to nothing gives nil, one on a non-unique
// attribute is an error.
//
// Pull reads with prefix scans only: EAVT [e] for the wildcard, EAVT
// [e a] per attribute, AVET [a v] for reverse references.
package pull
