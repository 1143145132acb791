package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/sequence"
)

// sequenceParams reads sequence t's parameters (pg_sequence's rows).
func (c *Ctx) sequenceParams(t *catalog.Table) (sequence.Params, error) {
	if c.DB == nil || c.DB.Seqs == nil {
		return sequence.Params{}, fmt.Errorf("no sequence store")
	}
	q, err := c.DB.Seqs.Open(c.Ctx, t.Root)
	if err != nil {
		return sequence.Params{}, err
	}
	return q.Params(), nil
}
