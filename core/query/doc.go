// Package query is Cairn's Datalog engine: DataScript 1.8.1 semantics
// (the conformance corpus decides), over any Source — the facade's current,
// history, as-of and since database views, or a test's in-memory slices.
//
// # Pipeline
//
// One run of Q goes through these stages, each in its own file:
//
//	parse (parse.go)        EDN text or value → *Query: find spec, :with,
//	                        :in bindings, clauses. Cached by text (LRU).
//	bind inputs (q.go)      each :in binding → a relation ($ and $name
//	                        sources, % rules, scalars, tuples, collections,
//	                        relations).
//	resolve clauses         plan.go orders clauses as it goes; pattern.go
//	  (plan.go …)           reads the indexes, fn.go runs predicates and
//	                        functions, logic.go not/or, rules.go rules.
//	collect (find.go)       project the :find and :with variables, as a set.
//	aggregate (aggregate.go) group by the plain find variables.
//	pull (find.go)          (pull ?e pattern) elements through core/pull.
//
// # Decisions
//
// Relations are flat slices of datom.Value (relation.go) over named
// variables, and the solver keeps a list of relations over disjoint
// variables: two clauses that share nothing stay apart until a clause or
// the :find needs both, so no cartesian product is built early. Joins,
// distinct and grouping use one hash table (relation.go): rows hashed in
// place on their key columns (no key allocated, integral numbers of every
// kind hash alike), chained per bucket, compared only on a full-hash match.
// A relation remembers when its rows are known distinct (a pattern's rows
// on a current view, joins and filters of such), so distinct is skipped.
//
// Clause order is chosen dynamically, not as written: predicates and
// function calls run as soon as their inputs are bound; not/not-join once
// every variable they share with the remaining clauses is bound; among data
// patterns, or-joins and rule calls the cheapest one connected to what is
// bound runs next, its cost estimated with Source.Count for the pattern's
// constants or the row count of the bound relation. A data pattern whose
// entity (or attribute and value) is bound by a relation much smaller than
// the datoms it would scan is resolved by probing the index once per row
// (EAVT for entity lookups, AVET for attribute+value lookups, AEVT for
// attribute scans); otherwise it is scanned and hash-joined. Entity
// lookups of a constant attribute for more than a few rows are merged
// instead: the rows sorted by entity, one cursor over the attribute's AEVT
// datoms (pull.Cursor), which walks on while the next entity is near and
// seeks again when it is far (sources that implement pull.Seeker). A probe
// carries forward only the columns still needed (by the :find, the
// clauses pending, or other relations), a projection fused into it.
//
// A pattern [?e :a ?v] scanned while a pending built-in comparison bounds
// ?v by a constant or scalar input ([(> ?v 70)]) reads only the AVET range
// (AVET orders values with the datom.Compare the comparisons use; the
// comparison still runs). An unconnected or-join is priced by its
// branches (smallest scan each, halved per predicate) so that a selective
// or runs before a full scan. A function whose result variable is bound
// by a relation its inputs are not in waits for a clause connecting them.
//
// Rules are evaluated top-down with tables (see rules.go), so a recursive
// rule called with bound arguments touches only what it reaches. A variable
// repeated in one pattern ([?x :friend ?x]) unifies, following Datomic, not
// DataScript issue 428. Numbers follow DataScript's JavaScript semantics
// where the corpus pins them ((/ 25 2) is 12.5; avg, median, variance and
// stddev give doubles).
//
// Deliberate difference from DataScript: a rule head with required
// variables, (rule [?a] ?b), binds ?a to the caller's argument as Datomic
// does; DataScript 1.8.1 leaves it unconnected (corpus case query/rules/4).
//
// Errors are typed (errors.go) and name the form; user input never panics
// (Q recovers as a last resort and reports ErrInternal). Loops check the
// context every 1024 rows; Options.Timeout bounds a run.
package query
