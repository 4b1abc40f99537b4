package main

// deviation is a case where Cairn deliberately differs from DataScript:
// the result Cairn gives instead, and why. The README lists them too.
type deviation struct {
	want   string
	reason string
}

var deviations = map[string]deviation{
	"query/rules/4": {
		want: `[["chess"] ["music"]]`,
		reason: "DataScript 1.8.1 never binds a rule's required variable ([?e] in the head) to the caller's " +
			"argument, so the rule returns every tag in the database; Cairn follows Datomic, where required " +
			"variables are ordinary parameters the caller binds.",
	},
}
