package query_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/pull"
)

func TestPull(t *testing.T) {
	db := peopleDB(t)
	cases := []struct {
		name, pattern string
		eid           any
		want          string
		err           error
	}{
		{"wildcard", `[*]`, int64(5), `{:age 35 :db/id 5 :name "Maria" :nickname "Masha" :salary 2200.25 :sex :female :spouse {:db/id 3}}`, nil},
		{"wildcard missing", `[*]`, int64(999), `{:db/id 999}`, nil},
		{"attrs", `[:name :age]`, int64(1), `{:age 30 :name "Ivan"}`, nil},
		{"nothing", `[:no-such-attr]`, int64(1), `nil`, nil},
		{"nested", `[:name {:spouse [:name :age]}]`, int64(5), `{:name "Maria" :spouse {:age 40 :name "Oleg"}}`, nil},
		{"reverse", `[:name {:_friend [:name]}]`, int64(3), `{:_friend [{:name "Ivan"} {:name "Petr"}] :name "Oleg"}`, nil},
		{"as", `[[:name :as "Name"] [:age :as :years]]`, int64(1), `{"Name" "Ivan" :years 30}`, nil},
		{"limit", `[:name (limit :friend 1)]`, int64(1), `{:friend [{:db/id 2}] :name "Ivan"}`, nil},
		{"default", `[:name [:nickname :default "none"]]`, int64(1), `{:name "Ivan" :nickname "none"}`, nil},
		{"xform", `[[:name :xform clojure.string/upper-case]]`, int64(1), `{:name "IVAN"}`, nil},
		{"depth", `[:name {:friend 1}]`, int64(1), `{:friend [{:name "Petr"} {:name "Oleg"}] :name "Ivan"}`, nil},
		{"recursion cycle", `[:name {:spouse ...}]`, int64(5), `{:name "Maria" :spouse {:name "Oleg" :spouse {:name "Maria" :spouse {:db/id 3}}}}`, nil},
		{"lookup ref", `[:age]`, edn.Vector{edn.Keyword{Name: "email"}, "anna@example.com"}, `{:age 25}`, nil},
		{"lookup ref missing", `[:age]`, edn.Vector{edn.Keyword{Name: "name"}, "Nobody"}, `nil`, nil},
		{"lookup ref not unique", `[:age]`, edn.Vector{edn.Keyword{Name: "age"}, int64(30)}, ``, pull.ErrInvalidEntity},
		{"bad pattern", `[:name {:friend}]`, int64(1), ``, pull.ErrInvalidPattern},
		{"bad option", `[[:name :bogus 1]]`, int64(1), ``, pull.ErrInvalidPattern},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := pull.Pull(context.Background(), db, c.pattern, c.eid)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("want %v, got %v", c.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := edn.Canonical(res); got != c.want {
				t.Fatalf("\n got: %s\nwant: %s", got, c.want)
			}
		})
	}
	res, err := pull.PullMany(context.Background(), db, `[:name]`, []any{int64(3), int64(999), int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := edn.Canonical(res), `[{:name "Oleg"} nil {:name "Ivan"}]`; got != want {
		t.Fatalf("pull-many: got %s want %s", got, want)
	}
}

func TestEntity(t *testing.T) {
	db := peopleDB(t)
	ctx := context.Background()
	e, err := pull.NewEntity(ctx, db, edn.Vector{edn.Keyword{Name: "name"}, "Ivan"})
	if err != nil || e == nil {
		t.Fatal(e, err)
	}
	if e.ID() != 1 {
		t.Fatalf("id %d", e.ID())
	}
	name, err := e.Get("name")
	if err != nil || name != "Ivan" {
		t.Fatal(name, err)
	}
	friends, err := e.Get("friend")
	if err != nil {
		t.Fatal(err)
	}
	fs := friends.([]any)
	if len(fs) != 2 || fs[0].(*pull.Entity).ID() != 2 {
		t.Fatalf("friends %v", fs)
	}
	back, err := fs[1].(*pull.Entity).Get("_friend")
	if err != nil || len(back.([]any)) != 2 {
		t.Fatal(back, err)
	}
	m, err := e.Touch()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := edn.Canonical(m), `{:active true :age 30 :db/id 1 :email "ivan@example.com" :friend [{:db/id 2} {:db/id 3}] :name "Ivan" :sex :male :tags ["chess" "dev"]}`; got != want {
		t.Fatalf("touch: %s", got)
	}
	none, err := pull.NewEntity(ctx, db, edn.Vector{edn.Keyword{Name: "name"}, "Nobody"})
	if err != nil || none != nil {
		t.Fatal(none, err)
	}
}
