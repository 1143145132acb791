package session

import (
	"context"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/types"
)

// Simple-protocol queries that differ only in literal constants share a
// plan: the engine-wide cache keys them by ast.Normalize's text (literals
// replaced by $n) plus the literals' types, and each execution binds the
// literals as parameter values. A query whose normalized form does not
// plan (its errors may depend on the literal values) falls back to the
// literal text.

// constOIDs are the parameter types a normalized query is planned with:
// the literals' own types, unknown-typed strings left to inference.
func constOIDs(consts []*ast.Const) []uint32 {
	out := make([]uint32, len(consts))
	for i, c := range consts {
		if c.Type.OID != types.OIDUnknown {
			out[i] = uint32(c.Type.OID)
		}
	}
	return out
}

// normalized returns the cache entry of query's normalized form and the
// literals to bind; ok is false when the query is not eligible.
func (e *Engine) normalized(query string) (c *cached, consts []*ast.Const, ok bool) {
	n, ok := ast.Normalize(query)
	if !ok {
		return nil, nil, false
	}
	var key strings.Builder
	key.WriteString("\x00norm\x00")
	key.WriteString(n.Key)
	for _, o := range constOIDs(n.Consts) {
		key.WriteByte(0)
		key.WriteString(strconv.FormatUint(uint64(o), 10))
	}
	k := key.String()
	e.mu.Lock()
	c, ok = e.cache[k]
	e.mu.Unlock()
	if ok {
		return c, n.Consts, true
	}
	stmts, err := ast.Parse(n.Key)
	if err != nil || len(stmts) != 1 {
		return nil, nil, false
	}
	c = &cached{stmts: []ast.Statement{stmts[0].Stmt}, plans: make([]*exec.Plan, 1)}
	e.mu.Lock()
	if len(e.cache) >= cacheSize {
		e.cache = map[string]*cached{}
	}
	e.cache[k] = c
	e.mu.Unlock()
	return c, n.Consts, true
}

// planNormalized makes sure a normalized entry has a plan; an error means
// the literal text should be planned instead.
func (s *Session) planNormalized(ctx context.Context, c *cached, consts []*ast.Const) error {
	c.mu.Lock()
	p := c.plans[0]
	c.mu.Unlock()
	if p != nil {
		return nil
	}
	p, err := s.plan(ctx, c.stmts[0], constOIDs(consts))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.plans[0] = p
	c.mu.Unlock()
	return nil
}

// bindConsts converts the literals of a normalized query to the plan's
// parameter types.
func bindConsts(paramTypes []types.Type, consts []*ast.Const, env *types.Env) ([]types.Datum, error) {
	out := make([]types.Datum, len(consts))
	for i, c := range consts {
		if i >= len(paramTypes) || c.Value.IsNull() {
			out[i] = c.Value
			continue
		}
		t := paramTypes[i]
		switch {
		case c.Type.OID == t.OID:
			out[i] = c.Value
		case c.Type.OID == types.OIDUnknown && t.OID == types.OIDOid:
			n, err := strconv.ParseUint(strings.TrimSpace(c.Value.S), 10, 32)
			if err != nil {
				return nil, types.Errorf(types.CodeInvalidTextRep, "invalid input syntax for type oid: \"%s\"", c.Value.S)
			}
			out[i] = types.NewInt(int64(n))
		case c.Type.OID == types.OIDUnknown && types.SystemTypeName(t) != "": // tid, xid, cid
			d, _, err := types.ParseSystemText(t, c.Value.S)
			if err != nil {
				return nil, err
			}
			out[i] = d
		case c.Type.OID == types.OIDUnknown:
			d, err := types.ParseText(t, c.Value.S, env)
			if err != nil {
				return nil, err
			}
			out[i] = d
		default:
			d, err := types.Cast(c.Value, c.Type, t, types.CoerceExplicit, env)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
	}
	return out, nil
}
