package session

import (
	"context"
	"encoding/binary"
	"strconv"
	"sync"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// Exec runs a simple-protocol query.
func (s *Session) Exec(ctx context.Context, query string, w wire.ResultWriter) error {
	var paramOIDs []uint32
	c, consts, ok := s.e.normalized(query)
	if ok {
		if s.planNormalized(ctx, c, consts) == nil {
			paramOIDs = constOIDs(consts)
		} else {
			ok = false
		}
	}
	var err error
	if !ok {
		consts = nil
		c, err = s.e.parse(query)
	}
	if err != nil {
		if s.inBlock {
			s.failed = true
			if s.tx != nil {
				s.tx.Abort()
				s.tx = nil
			}
		}
		return err
	}
	if len(c.stmts) == 0 {
		return w.EmptyQuery()
	}
	env := func() *types.Env {
		return &types.Env{Location: s.loc, ByteaEscape: s.settings["bytea_output"] == "escape"}
	}
	var buf [][]byte
	out := &output{
		begin: func(cols []wire.Column) error { return w.BeginRows(cols) },
		row: func(vals []types.Datum, colTypes []types.Type) error {
			buf = buf[:0]
			e := env()
			for i, v := range vals {
				if v.IsNull() {
					buf = append(buf, nil)
					continue
				}
				buf = append(buf, appendText(nil, colTypes[i], v, e))
			}
			return w.WriteRow(buf)
		},
		notice:   func(n *wire.Error) error { return w.Notice(n) },
		param:    w.ParameterStatus,
		copyIn:   w.CopyIn,
		complete: w.Complete,
		empty:    w.EmptyQuery,
	}
	if len(c.stmts) > 1 && !s.inBlock {
		s.implicitBlock = true
	}
	for i, stmt := range c.stmts {
		err := s.run(ctx, stmt, &c.plans[i], &c.mu, paramOIDs, nil, consts, out)
		if s.inBlock {
			s.implicitBlock = false // BEGIN made the block explicit
		}
		if err != nil {
			if s.implicitBlock {
				s.implicitBlock = false
				s.endTx(ctx, false)
			}
			return err
		}
	}
	if s.implicitBlock {
		s.implicitBlock = false
		if err := s.endTx(ctx, true); err != nil {
			return toWire(err)
		}
	}
	return nil
}

func appendText(dst []byte, t types.Type, d types.Datum, env *types.Env) []byte {
	if dst == nil {
		dst = make([]byte, 0, 16) // an empty value is not NULL
	}
	if t.OID == types.OIDOid || t.OID == exec.OIDRegclass {
		return strconv.AppendInt(dst, d.I, 10)
	}
	return types.AppendText(dst, t, d, env)
}

func appendBinary(dst []byte, t types.Type, d types.Datum) ([]byte, error) {
	if dst == nil {
		dst = make([]byte, 0, 16) // an empty value is not NULL
	}
	if t.OID == types.OIDOid || t.OID == exec.OIDRegclass {
		return binary.BigEndian.AppendUint32(dst, uint32(d.I)), nil
	}
	return types.AppendBinary(dst, t, d)
}

// Prepare parses and plans one statement.
func (s *Session) Prepare(ctx context.Context, query string, paramOIDs []uint32) (wire.Statement, error) {
	c, err := s.e.parse(query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) > 1 {
		return nil, &wire.Error{Code: types.CodeSyntaxError, Message: "cannot insert multiple commands into a prepared statement"}
	}
	st := &statement{s: s}
	if len(c.stmts) == 0 {
		return st, nil
	}
	st.stmt = c.stmts[0]
	if isUtility(st.stmt) { // run by runUtility (prepare.go), not planned
		st.plan = s.utilityPlan(st.stmt)
		return st, nil
	}
	p, err := s.plan(ctx, st.stmt, paramOIDs)
	if err != nil {
		return nil, toWire(err)
	}
	st.plan = p
	return st, nil
}

// statement is a prepared statement: its parse tree and current plan.
type statement struct {
	s    *Session
	stmt ast.Statement
	plan *exec.Plan
	mu   sync.Mutex
}

func (st *statement) Desc() wire.StatementDesc {
	if st.plan == nil {
		return wire.StatementDesc{}
	}
	d := wire.StatementDesc{Columns: st.plan.Columns}
	for _, t := range st.plan.ParamTypes {
		oid := uint32(t.OID)
		if t.OID == exec.OIDRegclass {
			oid = uint32(types.OIDText)
		}
		d.ParamOIDs = append(d.ParamOIDs, oid)
	}
	return d
}

func (st *statement) Close() error { return nil }

func (st *statement) Bind(ctx context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	po := &portal{st: st, resultFormats: resultFormats}
	if st.plan == nil {
		return po, nil
	}
	env := &types.Env{Location: st.s.loc, ByteaEscape: st.s.settings["bytea_output"] == "escape"}
	for i, raw := range params {
		if raw == nil {
			po.params = append(po.params, types.Null)
			continue
		}
		t := st.plan.ParamTypes[i]
		var d types.Datum
		var err error
		switch {
		case (t.OID == types.OIDOid) && paramFormats[i] == 1:
			if len(raw) != 4 {
				return nil, &wire.Error{Code: types.CodeInvalidBinaryRep, Message: "incorrect binary data format in bind parameter " + strconv.Itoa(i+1)}
			}
			d = types.NewInt(int64(binary.BigEndian.Uint32(raw)))
		case t.OID == types.OIDOid:
			var n uint64
			n, err = strconv.ParseUint(string(raw), 10, 32)
			if err != nil {
				return nil, &wire.Error{Code: types.CodeInvalidTextRep, Message: "invalid input syntax for type oid: \"" + string(raw) + "\""}
			}
			d = types.NewInt(int64(n))
		case paramFormats[i] == 1:
			d, err = types.ParseBinary(t, raw)
		default:
			d, err = types.ParseText(t, string(raw), env)
		}
		if err != nil {
			return nil, toWire(err)
		}
		po.params = append(po.params, d)
	}
	return po, nil
}

// portal is a bound statement; its rows are produced on the first Execute
// and handed out maxRows at a time.
type portal struct {
	st            *statement
	params        []types.Datum
	resultFormats []int16

	ran  bool
	rows [][][]byte
	tag  string
	next int
}

func (po *portal) Close() error { return nil }

func (po *portal) Execute(ctx context.Context, maxRows int, w wire.ResultWriter) (bool, error) {
	st := po.st
	s := st.s
	if st.plan == nil {
		return false, w.EmptyQuery()
	}
	if !po.ran {
		po.ran = true
		env := &types.Env{Location: s.loc, ByteaEscape: s.settings["bytea_output"] == "escape"}
		out := &output{
			begin: func([]wire.Column) error { return nil },
			row: func(vals []types.Datum, colTypes []types.Type) error {
				r := make([][]byte, len(vals))
				for i, v := range vals {
					if v.IsNull() {
						continue
					}
					if i < len(po.resultFormats) && po.resultFormats[i] == 1 {
						b, err := appendBinary(nil, colTypes[i], v)
						if err != nil {
							return err
						}
						r[i] = b
					} else {
						r[i] = appendText(nil, colTypes[i], v, env)
					}
				}
				po.rows = append(po.rows, r)
				return nil
			},
			notice:   func(n *wire.Error) error { return w.Notice(n) },
			param:    w.ParameterStatus,
			copyIn:   w.CopyIn,
			complete: func(tag string) error { po.tag = tag; return nil },
			empty:    func() error { po.tag = ""; return nil },
		}
		plan := st.plan
		slot := &plan
		if err := s.run(ctx, st.stmt, slot, &st.mu, nil, po.params, nil, out); err != nil {
			return false, err
		}
		st.mu.Lock()
		st.plan = *slot
		st.mu.Unlock()
	}
	written := 0
	for po.next < len(po.rows) {
		if maxRows > 0 && written == maxRows {
			return true, nil
		}
		if err := w.WriteRow(po.rows[po.next]); err != nil {
			return false, err
		}
		po.next++
		written++
	}
	if po.tag == "" {
		return false, w.EmptyQuery()
	}
	return false, w.Complete(po.tag)
}
