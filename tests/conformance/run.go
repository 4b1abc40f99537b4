package main

import (
	"context"
	"fmt"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/internal/corpus"
	"github.com/cairn-db/cairn/store/mem"
)

// openCase creates the case's database and applies its txs.
func openCase(ctx context.Context, c Case) (*core.Conn, error) {
	conn, err := core.Create(ctx, mem.New(), core.Config{
		Mode:              core.ModeDataScript,
		SchemaFlexibility: schema.FlexRead,
		Schema:            c.Schema,
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	for i, t := range c.Txs {
		if _, err := conn.Transact(ctx, t); err != nil {
			conn.Close()
			return nil, fmt.Errorf("setup tx %d: %w", i, err)
		}
	}
	return conn, nil
}

func runCase(ctx context.Context, c Case) (string, error) {
	conn, err := openCase(ctx, c)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	switch c.Kind {
	case "transact":
		return runTransact(ctx, conn, c)
	default:
		return corpus.RunRead(ctx, conn.DB(), c)
	}
}

func runTransact(ctx context.Context, conn *core.Conn, c Case) (string, error) {
	data, err := core.ParseTxData(c.Tx)
	if err != nil {
		return "", err
	}
	rep, err := conn.Transact(ctx, data)
	if err != nil {
		return "", err
	}
	var datoms edn.Vector
	it := rep.DBAfter.Datoms(ctx, datom.EAVT)
	for it.Next() {
		d := it.Datom()
		datoms = append(datoms, edn.Vector{d.E, datom.EDNKeyword(d.A), datom.ToEDN(d.V)})
	}
	if err := it.Err(); err != nil {
		return "", err
	}
	// The report's tempids are the tx-data's own, plus the transaction's.
	tempids := edn.NewMap()
	for k, v := range rep.Tempids {
		if k != "db/current-tx" && k != "datomic.tx" {
			tempids.Set(k, v)
		}
	}
	out := edn.NewMap()
	out.Set(edn.Keyword{Name: "datoms"}, datoms)
	out.Set(edn.Keyword{Name: "tempids"}, tempids)
	return edn.Canonical(out), nil
}
