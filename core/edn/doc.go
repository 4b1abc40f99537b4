// Package edn reads and prints EDN, the data notation Cairn speaks at every
// boundary: queries, transaction data, pull patterns, schema and results.
//
// # Data model
//
// Read produces these Go values, and the printers accept them:
//
//	EDN                      Go
//	nil                      nil
//	true, false              bool
//	42, -7                   int64 (BigInt when it overflows int64)
//	42N                      BigInt
//	1.5, 1e10, ##NaN, ##Inf  float64
//	1.5M                     BigDec (the literal's text)
//	"text"                   string
//	\a, \newline, \u00e9     Char
//	:name, :db/id            Keyword
//	?e, $, _, ns/name        Symbol
//	(a b)                    List
//	[a b]                    Vector
//	{k v}                    *Map (insertion order, lookup by value)
//	#{a b}                   *Set (insertion order, membership by value)
//	#inst "2020-01-01"       time.Time
//	#uuid "…"                UUID
//	#tag value               Tagged (any other tag)
//
// Equal defines value equality over this model (a List equals a Vector with
// the same elements; an int64 never equals a float64), Hash and KeyOf are
// consistent with it, and *Map and *Set use them so that vectors and maps
// can be keys and members.
//
// # Reading
//
// The reader is a hand-written byte scanner. It follows the EDN spec and
// Clojure's reader where they differ only in leniency: commas are
// whitespace, #_ discards the next form, a map literal with an odd number
// of forms or a repeated key is an error, as is a set literal with a
// repeated element. #:ns{…} namespaced maps are read; ::auto-resolved
// keywords, ratios, hex and octal integers, and reader conditionals are
// not. Input must be UTF-8. Malformed input yields a *SyntaxError carrying
// the position and one of the sentinels in errors.go; it never panics.
// Work is bounded by ReadOptions (depth, input size, value count).
//
// # Printing
//
// Print writes EDN that reads back Equal (a round trip). Canonical writes
// the conformance corpus's canonical text (sorted maps and sets, integral
// numbers without fraction). KeyOf writes a stable text identity of a
// value, for use as a Go map key.
//
// The package does not interpret what the data means (queries,
// transactions): that is the job of its callers.
package edn
