package mem_test

import (
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return mem.New() })
}
