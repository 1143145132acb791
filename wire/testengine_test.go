package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// testEngine is a TEST DOUBLE standing in for the SQL engine (package sql),
// which does not exist yet. It understands a handful of fixed statement forms,
// just enough to exercise every path of the protocol server:
//
//	select 1 | select 'x' | select $1::int8, $2 ...   literals and echoed parameters
//	select * from T | select a, b from T              rows of an in-memory table
//	create table T (col type, ...)                    types: int4 int8 text bool
//	copy T [(cols)] from stdin [csv [header]|binary]  COPY FROM STDIN
//	begin | commit | end | rollback                   transaction status
//	set NAME = VALUE                                  reports ParameterStatus
//	error CODE MESSAGE                                an ERROR with that SQLSTATE
//	notice MESSAGE                                    a NoticeResponse
//	series N                                          N rows (int8) for portal suspension
//	sleep                                             waits for cancellation
//	panic                                             panics (recovery test)
//
// Statements are split on ';' naively.
type testEngine struct {
	mu       sync.Mutex
	tables   map[string]*testTable
	started  atomic.Int64
	closed   atomic.Int64
	sleeping chan context.Context // receives the query context when a "sleep" statement starts
	fuzzing  bool                 // "sleep" returns at once and "panic" does not panic
}

type testTable struct {
	cols  []string
	types []uint32
	rows  [][]string // text form; nil entries are not used, NULL is testNull
}

const testNull = "\x00NULL"

// Type OIDs the double knows.
const (
	oidBool = 16
	oidInt8 = 20
	oidInt4 = 23
	oidText = 25
)

func newTestEngine() *testEngine {
	return &testEngine{tables: map[string]*testTable{}, sleeping: make(chan context.Context, 16)}
}

func (e *testEngine) Startup(_ context.Context, info StartupInfo) (Session, error) {
	if info.Database == "nodb" {
		return nil, Errorf("3D000", "database %q does not exist", info.Database)
	}
	e.started.Add(1)
	return &testSession{e: e, status: TxIdle, user: info.User}, nil
}

type testSession struct {
	e      *testEngine
	status TxStatus
	user   string
}

func (s *testSession) Params() map[string]string {
	return map[string]string{"TimeZone": "Etc/UTC", "borealis_test": "on"}
}

func (s *testSession) TxStatus() TxStatus { return s.status }

func (s *testSession) Close() error {
	s.e.closed.Add(1)
	return nil
}

func (s *testSession) Exec(ctx context.Context, query string, w ResultWriter) error {
	parts := strings.Split(query, ";")
	some := false
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		some = true
		st, err := s.prepare(p, nil)
		if err != nil {
			s.fail()
			return err
		}
		if st.cols != nil {
			if err := w.BeginRows(st.cols); err != nil {
				return err
			}
		}
		params := make([][]byte, len(st.params))
		if _, err := s.run(ctx, st, &testPortal{params: params, formats: make([]int16, len(st.cols))}, 0, w); err != nil {
			s.fail()
			return err
		}
	}
	if !some {
		return w.EmptyQuery()
	}
	return nil
}

func (s *testSession) fail() {
	if s.status == TxInBlock {
		s.status = TxFailed
	}
}

func (s *testSession) Prepare(_ context.Context, query string, paramOIDs []uint32) (Statement, error) {
	if strings.Count(strings.TrimRight(strings.TrimSpace(query), ";"), ";") > 0 {
		return nil, Errorf("42601", "cannot insert multiple commands into a prepared statement")
	}
	st, err := s.prepare(query, paramOIDs)
	if err != nil {
		s.fail()
		return nil, err
	}
	return st, nil
}

// testStmt is a prepared statement of the double.
type testStmt struct {
	s      *testSession
	kind   string
	words  []string
	raw    string
	params []uint32
	cols   []Column
	items  []selItem
	table  string
	colIdx []int
	closed bool
}

type selItem struct {
	lit   string // literal text value
	param int    // 1-based parameter, 0 for a literal
	typ   uint32
}

func (st *testStmt) Desc() StatementDesc {
	return StatementDesc{ParamOIDs: st.params, Columns: st.cols}
}

func (st *testStmt) Close() error {
	st.closed = true
	return nil
}

func (st *testStmt) Bind(_ context.Context, params [][]byte, paramFormats, resultFormats []int16) (Portal, error) {
	for i, p := range params {
		if p == nil {
			continue
		}
		if _, err := decodeValue(st.params[i], paramFormats[i], p); err != nil {
			return nil, err
		}
	}
	return &testPortal{st: st, params: params, pformats: paramFormats, formats: resultFormats}, nil
}

// testPortal is a bound statement; pos tracks suspension.
type testPortal struct {
	st       *testStmt
	params   [][]byte
	pformats []int16
	formats  []int16
	pos      int
	done     bool
}

func (p *testPortal) Execute(ctx context.Context, maxRows int, w ResultWriter) (bool, error) {
	susp, err := p.st.s.run(ctx, p.st, p, maxRows, w)
	if err != nil {
		p.st.s.fail()
	}
	return susp, err
}

func (p *testPortal) Close() error { return nil }

func typeByName(name string) (uint32, bool) {
	switch strings.ToLower(name) {
	case "int4", "int", "integer":
		return oidInt4, true
	case "int8", "bigint":
		return oidInt8, true
	case "text", "varchar":
		return oidText, true
	case "bool", "boolean":
		return oidBool, true
	}
	return 0, false
}

func typeSize(oid uint32) int16 {
	switch oid {
	case oidBool:
		return 1
	case oidInt4:
		return 4
	case oidInt8:
		return 8
	}
	return -1
}

func unquoteIdent(s string) string { return strings.Trim(strings.TrimSpace(s), `"`) }

func (s *testSession) prepare(query string, paramOIDs []uint32) (*testStmt, error) {
	q := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(query), ";"))
	words := strings.Fields(q)
	st := &testStmt{s: s, raw: q, words: words}
	if len(words) == 0 {
		st.kind = "empty"
		return st, nil
	}
	kw := strings.ToLower(words[0])
	if s.status == TxFailed && kw != "rollback" && kw != "commit" && kw != "end" {
		return nil, Errorf("25P02", "current transaction is aborted, commands ignored until end of transaction block")
	}
	st.kind = kw
	switch kw {
	case "begin", "commit", "end", "rollback", "set", "notice", "sleep", "panic":
		return st, nil
	case "error":
		if len(words) < 2 {
			return nil, Errorf("42601", "syntax error: error needs a code")
		}
		return st, nil
	case "series":
		if len(words) != 2 {
			return nil, Errorf("42601", "series needs a count")
		}
		st.cols = []Column{{Name: "n", TypeOID: oidInt8, TypeSize: 8, TypeMod: -1}}
		return st, nil
	case "create":
		return st, s.parseCreate(st, q)
	case "copy":
		return st, s.parseCopy(st, q)
	case "select":
		return st, s.parseSelect(st, q, paramOIDs)
	}
	return nil, &Error{Code: "42601", Message: fmt.Sprintf("syntax error at or near %q", words[0]), Position: 1}
}

func (s *testSession) parseCreate(st *testStmt, q string) error {
	open, close := strings.Index(q, "("), strings.LastIndex(q, ")")
	if open < 0 || close < open || len(strings.Fields(q[:open])) != 3 {
		return Errorf("42601", "syntax error in create table")
	}
	name := unquoteIdent(strings.Fields(q[:open])[2])
	t := &testTable{}
	for _, def := range strings.Split(q[open+1:close], ",") {
		f := strings.Fields(def)
		if len(f) < 2 {
			return Errorf("42601", "syntax error in column definition %q", def)
		}
		oid, ok := typeByName(f[1])
		if !ok {
			return Errorf("42704", "type %q does not exist", f[1])
		}
		t.cols = append(t.cols, unquoteIdent(f[0]))
		t.types = append(t.types, oid)
	}
	st.table = name
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if _, ok := s.e.tables[name]; ok {
		return Errorf("42P07", "relation %q already exists", name)
	}
	s.e.tables[name] = t
	return nil
}

func (s *testSession) table(name string) (*testTable, error) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	t, ok := s.e.tables[unquoteIdent(name)]
	if !ok {
		return nil, Errorf("42P01", "relation %q does not exist", unquoteIdent(name))
	}
	return t, nil
}

func (t *testTable) column(name string) (int, error) {
	for i, c := range t.cols {
		if c == unquoteIdent(name) {
			return i, nil
		}
	}
	return 0, Errorf("42703", "column %q does not exist", unquoteIdent(name))
}

// parseCopy: copy T [(a, b)] from stdin [csv [header] | binary | with (format csv)]
func (s *testSession) parseCopy(st *testStmt, q string) error {
	lower := strings.ToLower(q)
	from := strings.Index(lower, " from stdin")
	if from < 0 {
		return Errorf("0A000", "only COPY FROM STDIN is supported")
	}
	target := strings.TrimSpace(q[len("copy "):from])
	name, cols, _ := strings.Cut(target, "(")
	t, err := s.table(name)
	if err != nil {
		return err
	}
	st.table = unquoteIdent(name)
	if cols = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(cols), ")")); cols != "" {
		for _, c := range strings.Split(cols, ",") {
			i, err := t.column(c)
			if err != nil {
				return err
			}
			st.colIdx = append(st.colIdx, i)
		}
	} else {
		for i := range t.cols {
			st.colIdx = append(st.colIdx, i)
		}
	}
	return nil
}

func (s *testSession) copyFormat(st *testStmt) CopyFormat {
	opts := strings.ToLower(st.raw[strings.Index(strings.ToLower(st.raw), " from stdin")+len(" from stdin"):])
	var f CopyFormat
	switch {
	case strings.Contains(opts, "binary"):
		f.Kind = CopyBinary
	case strings.Contains(opts, "csv"):
		f.Kind = CopyCSV
	}
	f.Header = strings.Contains(opts, "header")
	return f
}

func (s *testSession) parseSelect(st *testStmt, q string, paramOIDs []uint32) error {
	body := strings.TrimSpace(q[len("select"):])
	lower := strings.ToLower(body)
	if i := strings.Index(lower, " from "); i >= 0 {
		t, err := s.table(strings.TrimSpace(body[i+len(" from "):]))
		if err != nil {
			return err
		}
		st.table = unquoteIdent(strings.TrimSpace(body[i+len(" from "):]))
		list := strings.TrimSpace(body[:i])
		if list == "*" {
			for j := range t.cols {
				st.colIdx = append(st.colIdx, j)
			}
		} else {
			for _, c := range strings.Split(list, ",") {
				j, err := t.column(c)
				if err != nil {
					return err
				}
				st.colIdx = append(st.colIdx, j)
			}
		}
		for _, j := range st.colIdx {
			st.cols = append(st.cols, Column{Name: t.cols[j], TableOID: 16384, TableAttr: uint16(j + 1),
				TypeOID: t.types[j], TypeSize: typeSize(t.types[j]), TypeMod: -1})
		}
		st.kind = "scan"
		return nil
	}
	maxParam := 0
	for _, it := range strings.Split(body, ",") {
		it = strings.TrimSpace(it)
		expr, cast, hasCast := strings.Cut(it, "::")
		expr = strings.Trim(strings.TrimSpace(expr), "() ")
		cast = strings.TrimSpace(cast)
		var item selItem
		switch {
		case strings.HasPrefix(expr, "$"):
			n, err := strconv.Atoi(expr[1:])
			if err != nil || n < 1 || n > 100 {
				return Errorf("42601", "syntax error at or near %q", expr)
			}
			item.param = n
			item.typ = 0
			maxParam = max(maxParam, n)
		case strings.HasPrefix(expr, "'") && strings.HasSuffix(expr, "'") && len(expr) >= 2:
			item.lit, item.typ = strings.ReplaceAll(expr[1:len(expr)-1], "''", "'"), oidText
		case strings.EqualFold(expr, "null"):
			item.lit, item.typ = testNull, oidText
		case expr == "true" || expr == "false":
			item.lit, item.typ = expr[:1], oidBool
		default:
			if _, err := strconv.ParseInt(expr, 10, 64); err != nil {
				return Errorf("42703", "column %q does not exist", expr)
			}
			item.lit, item.typ = expr, oidInt4
		}
		if hasCast {
			oid, ok := typeByName(cast)
			if !ok {
				return Errorf("42704", "type %q does not exist", cast)
			}
			item.typ = oid
		}
		st.items = append(st.items, item)
	}
	st.params = make([]uint32, maxParam)
	for i := range st.params {
		if i < len(paramOIDs) && paramOIDs[i] != 0 {
			st.params[i] = paramOIDs[i]
		}
	}
	for _, it := range st.items {
		if it.param > 0 && st.params[it.param-1] == 0 {
			st.params[it.param-1] = it.typ
		}
	}
	for i := range st.params {
		if st.params[i] == 0 {
			st.params[i] = oidText
		}
	}
	for i := range st.items {
		if st.items[i].param > 0 && st.items[i].typ == 0 {
			st.items[i].typ = st.params[st.items[i].param-1]
		}
		name := "?column?"
		st.cols = append(st.cols, Column{Name: name, TypeOID: st.items[i].typ, TypeSize: typeSize(st.items[i].typ), TypeMod: -1})
	}
	st.kind = "values"
	return nil
}

// decodeValue turns a parameter in format f into its text form.
func decodeValue(oid uint32, f int16, v []byte) (string, error) {
	if f == 0 {
		switch oid {
		case oidInt4, oidInt8:
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
				return "", Errorf("22P02", "invalid input syntax for type integer: %q", v)
			}
		case oidBool:
			switch string(v) {
			case "t", "true", "f", "false":
				return string(v[:1]), nil
			}
			return "", Errorf("22P02", "invalid input syntax for type boolean: %q", v)
		}
		return string(v), nil
	}
	switch oid {
	case oidInt4:
		if len(v) != 4 {
			return "", Errorf("22P03", "incorrect binary data format in bind parameter")
		}
		return strconv.Itoa(int(int32(binary.BigEndian.Uint32(v)))), nil
	case oidInt8:
		if len(v) != 8 {
			return "", Errorf("22P03", "incorrect binary data format in bind parameter")
		}
		return strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10), nil
	case oidBool:
		if len(v) != 1 {
			return "", Errorf("22P03", "incorrect binary data format in bind parameter")
		}
		if v[0] != 0 {
			return "t", nil
		}
		return "f", nil
	}
	return string(v), nil
}

// encodeValue turns a text-form value into format f.
func encodeValue(oid uint32, f int16, s string) []byte {
	if s == testNull {
		return nil
	}
	if f == 0 {
		return []byte(s)
	}
	switch oid {
	case oidInt4:
		n, _ := strconv.ParseInt(s, 10, 32)
		return binary.BigEndian.AppendUint32(nil, uint32(n))
	case oidInt8:
		n, _ := strconv.ParseInt(s, 10, 64)
		return binary.BigEndian.AppendUint64(nil, uint64(n))
	case oidBool:
		if s == "t" {
			return []byte{1}
		}
		return []byte{0}
	}
	return []byte(s)
}

func (s *testSession) run(ctx context.Context, st *testStmt, p *testPortal, maxRows int, w ResultWriter) (bool, error) {
	if st.closed {
		return false, Errorf("26000", "prepared statement was closed")
	}
	switch st.kind {
	case "empty":
		return false, w.EmptyQuery()
	case "begin":
		s.status = TxInBlock
		return false, w.Complete("BEGIN")
	case "commit", "end":
		tag := "COMMIT"
		if s.status == TxFailed {
			tag = "ROLLBACK"
		}
		s.status = TxIdle
		return false, w.Complete(tag)
	case "rollback":
		s.status = TxIdle
		return false, w.Complete("ROLLBACK")
	case "set":
		rest := strings.TrimSpace(st.raw[len("set"):])
		name, value, ok := strings.Cut(rest, "=")
		if !ok {
			name, value, ok = strings.Cut(rest, " to ")
		}
		if !ok {
			return false, Errorf("42601", "syntax error in SET")
		}
		value = strings.Trim(strings.TrimSpace(value), "'")
		if err := w.ParameterStatus(strings.TrimSpace(name), value); err != nil {
			return false, err
		}
		return false, w.Complete("SET")
	case "error":
		code := st.words[1]
		return false, &Error{Code: code, Message: strings.Join(st.words[2:], " "), Detail: "raised by the test engine", Hint: "do not do that"}
	case "notice":
		if err := w.Notice(&Error{Code: "00000", Message: strings.Join(st.words[1:], " ")}); err != nil {
			return false, err
		}
		return false, w.Complete("DO")
	case "sleep":
		if s.e.fuzzing {
			return false, Errorf(CodeQueryCanceled, "sleep skipped")
		}
		s.e.sleeping <- ctx
		<-ctx.Done()
		return false, ctx.Err()
	case "panic":
		if s.e.fuzzing {
			return false, Errorf(CodeInternalError, "panic skipped")
		}
		panic("test engine panic")
	case "create":
		return false, w.Complete("CREATE TABLE")
	case "series":
		n, err := strconv.Atoi(st.words[1])
		if err != nil {
			return false, Errorf("22P02", "bad series count")
		}
		return p.emit(n, maxRows, w, func(i int) [][]byte {
			return [][]byte{encodeValue(oidInt8, p.formats[0], strconv.Itoa(i+1))}
		})
	case "values":
		if p.done {
			return false, w.Complete("SELECT 0")
		}
		row := make([][]byte, len(st.items))
		for i, it := range st.items {
			v := it.lit
			if it.param > 0 {
				raw := p.params[it.param-1]
				if raw == nil {
					row[i] = nil
					continue
				}
				var err error
				pf := int16(0)
				if p.pformats != nil {
					pf = p.pformats[it.param-1]
				}
				if v, err = decodeValue(st.params[it.param-1], pf, raw); err != nil {
					return false, err
				}
			}
			row[i] = encodeValue(it.typ, p.formats[i], v)
		}
		p.done = true
		if err := w.WriteRow(row); err != nil {
			return false, err
		}
		return false, w.Complete("SELECT 1")
	case "scan":
		t, err := s.table(st.table)
		if err != nil {
			return false, err
		}
		s.e.mu.Lock()
		rows := append([][]string(nil), t.rows...)
		s.e.mu.Unlock()
		return p.emit(len(rows), maxRows, w, func(i int) [][]byte {
			out := make([][]byte, len(st.colIdx))
			for k, j := range st.colIdx {
				out[k] = encodeValue(t.types[j], p.formats[k], rows[i][j])
			}
			return out
		})
	case "copy":
		return false, s.copyIn(st, w)
	}
	return false, Errorf("XX000", "test engine: unhandled kind %s", st.kind)
}

// emit writes rows [pos, n) up to maxRows, suspending as the protocol says.
func (p *testPortal) emit(n, maxRows int, w ResultWriter, row func(int) [][]byte) (bool, error) {
	sent := 0
	for p.pos < n {
		if maxRows > 0 && sent == maxRows {
			return true, nil
		}
		if err := w.WriteRow(row(p.pos)); err != nil {
			return false, err
		}
		p.pos++
		sent++
	}
	return false, w.Complete(fmt.Sprintf("SELECT %d", sent))
}

func (s *testSession) copyIn(st *testStmt, w ResultWriter) error {
	t, err := s.table(st.table)
	if err != nil {
		return err
	}
	f := s.copyFormat(st)
	r, err := w.CopyIn(f, len(st.colIdx))
	if err != nil {
		return err
	}
	dec, err := NewCopyDecoder(r, f)
	if err != nil {
		return err
	}
	var added [][]string
	for {
		row, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if len(row) != len(st.colIdx) {
			return &Error{Code: CodeBadCopyFileFormat, Message: "wrong number of columns", Detail: fmt.Sprintf("COPY %s, line %d", st.table, dec.Line())}
		}
		rec := make([]string, len(t.cols))
		for i := range rec {
			rec[i] = testNull
		}
		for k, j := range st.colIdx {
			if row[k] == nil {
				continue
			}
			format := int16(0)
			if f.Kind == CopyBinary {
				format = 1
			}
			v, err := decodeValue(t.types[j], format, row[k])
			if err != nil {
				return err
			}
			rec[j] = v
		}
		added = append(added, rec)
	}
	s.e.mu.Lock()
	t.rows = append(t.rows, added...)
	s.e.mu.Unlock()
	return w.Complete(fmt.Sprintf("COPY %d", len(added)))
}
