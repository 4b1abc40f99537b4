package tx_test

import "testing"

var withComponents = []string{
	`[{:db/id -1 :name "Ivan"}]`,
	`[{:db/id "a" :city "Moscow"} [:db/add 1 :address "a"]]`,
	`[{:db/id "p1" :number "111" :address {:city "Inner"}} {:db/id "p2" :number "222"} [:db/add 1 :phones "p1"] [:db/add 1 :phones "p2"]]`,
}

func TestComponents(t *testing.T) {
	runCases(t, []txCase{
		{name: "retract entity cascades recursively", txs: withComponents, tx: `[[:db/retractEntity 1]]`,
			want: `{:datoms [] :tempids {}}`},
		{name: "retract component removes the owner's ref", txs: withComponents, tx: `[[:db.fn/retractEntity 2]]`,
			want: `{:datoms [[1 :name "Ivan"] [1 :phones 3] [1 :phones 5] [3 :address 4] [3 :number "111"] [4 :city "Inner"] [5 :number "222"]] :tempids {}}`},
		{name: "retract the ref keeps the component", txs: withComponents, tx: `[[:db/retract 1 :address 2]]`,
			want: `{:datoms [[1 :name "Ivan"] [1 :phones 3] [1 :phones 5] [2 :city "Moscow"] [3 :address 4] [3 :number "111"] [4 :city "Inner"] [5 :number "222"]] :tempids {}}`},
		{name: "retract attribute cascades", txs: withComponents, tx: `[[:db.fn/retractAttribute 1 :phones]]`,
			want: `{:datoms [[1 :address 2] [1 :name "Ivan"] [2 :city "Moscow"]] :tempids {}}`},
		{name: "retract without value cascades", txs: withComponents, tx: `[[:db/retract 1 :address]]`,
			want: `{:datoms [[1 :name "Ivan"] [1 :phones 3] [1 :phones 5] [3 :address 4] [3 :number "111"] [4 :city "Inner"] [5 :number "222"]] :tempids {}}`},
		{name: "nested component map", tx: `[{:name "O" :address {:city "X"} :phones [{:number "1"} {:number "2"}]}]`,
			want: `{:datoms [[1 :address 2] [1 :name "O"] [1 :phones 3] [1 :phones 4] [2 :city "X"] [3 :number "1"] [4 :number "2"]] :tempids {}}`},
	})
}

func TestReverseRefs(t *testing.T) {
	runCases(t, []txCase{
		{name: "reverse collection", txs: []string{ivanPetr}, tx: `[{:db/id -1 :name "Oleg" :_friend [1 2]}]`,
			want: `{:datoms [[1 :age 30] [1 :friend 3] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :friend 3] [2 :login "petr"] [2 :name "Petr"] [3 :name "Oleg"]] :tempids {-1 3}}`},
		{name: "reverse lookup ref", txs: []string{ivanPetr}, tx: `[{:name "Oleg" :_friend [:name "Ivan"]}]`,
			want: `{:datoms [[1 :age 30] [1 :friend 3] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"] [3 :name "Oleg"]] :tempids {}}`},
		{name: "namespaced reverse", tx: `[{:db/id "l" :sku "x" :order/_lines {:name "order"}}]`,
			want: `{:datoms [[1 :sku "x"] [2 :name "order"] [2 :order/lines 1]] :tempids {"l" 1}}`},
		{name: "nested map under ref", tx: `[{:db/id -1 :name "Ivan" :spouse {:name "Maria"}}]`,
			want: `{:datoms [[1 :name "Ivan"] [1 :spouse 2] [2 :name "Maria"]] :tempids {-1 1}}`},
	})
}
