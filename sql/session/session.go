// Package session connects the SQL engine to the protocol server: Engine
// implements wire.Engine, and each client gets a Session (wire.Session) with
// its run-time parameters, its transaction state (idle, in a block, failed),
// prepared statements and portals. Parse trees and plans are cached: a
// prepared statement is parsed once, and simple-protocol query texts are
// looked up in an engine-wide cache before parsing.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/sequence"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// Engine serves sessions on one database. Safe for concurrent use.
type Engine struct {
	db  *exec.DB
	log *slog.Logger

	mu    sync.Mutex
	cache map[string]*cached
}

// cacheSize bounds the query-text cache.
const cacheSize = 4096

// cached is a parsed query text and its plans (valid for one catalog Set).
type cached struct {
	stmts []ast.Statement
	mu    sync.Mutex
	plans []*exec.Plan
}

// New returns an engine over db.
func New(db *exec.DB, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.Default()
	}
	return &Engine{db: db, log: log, cache: map[string]*cached{}}
}

// DB returns the engine's database.
func (e *Engine) DB() *exec.DB { return e.db }

// parse returns the statements of query, from the cache when possible.
func (e *Engine) parse(query string) (*cached, error) {
	e.mu.Lock()
	c, ok := e.cache[query]
	e.mu.Unlock()
	if ok {
		return c, nil
	}
	stmts, err := ast.Parse(query)
	if err != nil {
		return nil, toWire(err)
	}
	c = &cached{}
	for _, st := range stmts {
		c.stmts = append(c.stmts, st.Stmt)
	}
	c.plans = make([]*exec.Plan, len(c.stmts))
	e.mu.Lock()
	if len(e.cache) >= cacheSize {
		e.cache = map[string]*cached{}
	}
	e.cache[query] = c
	e.mu.Unlock()
	return c, nil
}

// Startup opens a session.
func (e *Engine) Startup(_ context.Context, info wire.StartupInfo) (wire.Session, error) {
	s := &Session{e: e, user: info.User, database: info.Database, settings: map[string]string{}, pid: info.ProcessID}
	for k, v := range defaults {
		s.settings[k] = v
	}
	s.settings["session_authorization"] = info.User
	for k, v := range info.Params {
		k = strings.ToLower(k)
		if k == "user" || k == "database" || k == "options" || k == "replication" {
			continue
		}
		if !known(k) {
			continue
		}
		cv, err := checkSetting(k, v)
		if err != nil {
			return nil, err
		}
		s.settings[k] = cv
	}
	loc, err := types.LoadLocation(s.settings["timezone"])
	if err != nil {
		return nil, &wire.Error{Code: wire.CodeInvalidParameterValue, Message: err.Error()}
	}
	s.loc = loc
	return s, nil
}

// Session is one client's session.
type Session struct {
	e               *Engine
	user, database  string
	settings        map[string]string
	rnd             funcs.SessionRand // random()/setseed state (small area)
	loc             *time.Location
	inBlock, failed bool
	// implicitBlock: the statements of a multi-statement simple Query run
	// as one implicit transaction (PostgreSQL's implicit transaction
	// block), committed when the string ends, unless BEGIN turns it into
	// an explicit block; COMMIT/ROLLBACK inside it end it with a warning.
	implicitBlock      bool
	tx                 *txn.Tx
	iso                string // isolation of the next/current transaction ("" default)
	ro                 string // access mode of the next/current transaction: "on" read only, "off", "" default
	txStart            time.Time
	ddlLocked, ddlSeen bool
	lockTx             *txn.Tx               // owner of the relation locks held (lock.go)
	pid                uint32                // BackendKeyData process id (pg_locks)
	guc                settingsTx            // what SET changed in the open transaction (gucstack.go)
	pendingParams      []string              // reported parameters a transaction's end changed, to send
	seq                *sequence.Session     // currval/lastval state (created on first use)
	prepared           map[string]*statement // SQL-level PREPARE (prepare.go)
}

// Params returns the parameters reported after authentication.
func (s *Session) Params() map[string]string {
	out := map[string]string{}
	for k, canon := range reported {
		out[canon] = s.settings[k]
	}
	return out
}

// TxStatus reports I, T or E.
func (s *Session) TxStatus() wire.TxStatus {
	switch {
	case s.failed:
		return wire.TxFailed
	case s.inBlock:
		return wire.TxInBlock
	}
	return wire.TxIdle
}

// Close rolls back an open transaction.
func (s *Session) Close() error {
	s.endTx(context.Background(), false)
	return nil
}

// catalog returns the catalog the current statement sees.
func (s *Session) catalog(ctx context.Context, snap *txn.Snapshot) (*catalog.Set, error) {
	if s.ddlSeen {
		return s.e.db.Cat.Load(ctx, snap)
	}
	return s.e.db.Cat.Current(), nil
}

func (s *Session) isolation() txn.Isolation {
	iso := s.iso
	if iso == "" {
		iso = s.settings["default_transaction_isolation"]
	}
	if iso == "repeatable read" || iso == "serializable" {
		return txn.RepeatableRead
	}
	return txn.ReadCommitted
}

func (s *Session) beginTx() {
	if s.tx == nil {
		s.tx = s.e.db.Mgr.Begin(s.isolation())
		s.txStart = time.Now()
		iso := "read committed"
		if s.tx.Isolation() == txn.RepeatableRead {
			iso = "repeatable read"
		}
		s.settings["transaction_isolation"] = iso
	}
}

// readOnlyTx reports whether the current (or next) transaction is read
// only: BEGIN READ ONLY / SET TRANSACTION, else default_transaction_read_only.
func (s *Session) readOnlyTx() bool {
	if s.ro != "" {
		return s.ro == "on"
	}
	return s.settings["default_transaction_read_only"] == "on"
}

// setReadOnly sets the access mode of the current transaction ("on" or
// "off"). Like PostgreSQL, a transaction that has run a query cannot
// become read-write.
func (s *Session) setReadOnly(v string) error {
	if v == "off" && s.readOnlyTx() && s.tx != nil {
		return &wire.Error{Code: "25001", Message: "transaction read-write mode must be set before any query"}
	}
	s.ro = v
	return nil
}

// endTx commits (commit=true) or aborts the transaction and leaves the
// block. The commit returns once the commit record is durable.
func (s *Session) endTx(ctx context.Context, commit bool) error {
	var err error
	if s.tx != nil {
		if commit {
			err = s.tx.Commit(ctx)
			if err != nil && !s.tx.Done() {
				s.tx.Abort()
			}
		} else {
			s.tx.Abort()
		}
		s.tx = nil
	}
	if s.ddlLocked {
		if rerr := s.e.db.Cat.Refresh(context.WithoutCancel(ctx)); rerr != nil && err == nil {
			err = rerr
		}
	}
	s.releaseLocks() // after the refresh: waiters see the new catalog
	s.ddlSeen = false
	s.inBlock, s.failed, s.iso, s.ro = false, false, "", ""
	s.pendingParams = append(s.pendingParams, s.endSettings(commit && err == nil)...)
	s.settings["transaction_isolation"] = s.settings["default_transaction_isolation"]
	return err
}

// setting returns a parameter value for SHOW and current_setting.
func (s *Session) setting(name string) (string, bool) {
	v, ok := s.settings[strings.ToLower(name)]
	return v, ok
}

func (s *Session) statementTimeout() time.Duration {
	return s.msSetting("statement_timeout")
}

// errStatementTimeout is the cause of a statement_timeout cancellation.
var errStatementTimeout = errors.New("canceling statement due to statement timeout")

// output receives a statement's result.
type output struct {
	begin    func(cols []wire.Column) error
	row      func(vals []types.Datum, colTypes []types.Type) error
	notice   func(n *wire.Error) error
	param    func(name, value string) error
	copyIn   exec.CopyInFunc
	complete func(tag string) error
	empty    func() error
}

// run executes one statement with its cached plan slot.
//
// consts, when not nil, are the literals of a normalized simple query: they
// are bound as the parameters once the plan is final.
func (s *Session) run(ctx context.Context, stmt ast.Statement, slot **exec.Plan, planMu *sync.Mutex, paramOIDs []uint32, params []types.Datum, consts []*ast.Const, out *output) error {
	if planMu != nil {
		planMu.Lock()
	}
	p := *slot
	if planMu != nil {
		planMu.Unlock()
	}
	if done, err := s.runUtility(ctx, stmt, out); done { // prepare.go
		return err
	}
	var err error
	if p == nil {
		if p, err = s.plan(ctx, stmt, paramOIDs); err != nil {
			return s.fail(ctx, err)
		}
	}
	switch p.Kind {
	case exec.KindEmpty:
		return out.empty()
	case exec.KindBegin:
		if s.inBlock {
			if err := out.notice(&wire.Error{Severity: wire.SeverityWarning, Code: "25001", Message: "there is already a transaction in progress"}); err != nil {
				return err
			}
		} else {
			s.inBlock, s.iso, s.ro = true, p.Iso, p.TxReadOnly
		}
		return out.complete(p.Tag)
	case exec.KindCommit:
		if !s.inBlock {
			if err := out.notice(&wire.Error{Severity: wire.SeverityWarning, Code: "25P01", Message: "there is no transaction in progress"}); err != nil {
				return err
			}
			if s.implicitBlock { // commits the implicit transaction so far
				if err := s.endTx(ctx, true); err != nil {
					return toWire(err)
				}
			}
			return out.complete("COMMIT")
		}
		if s.failed {
			s.endTx(ctx, false)
			if err := s.flushParams(out); err != nil {
				return err
			}
			return out.complete("ROLLBACK")
		}
		if err := s.endTx(ctx, true); err != nil {
			return toWire(err)
		}
		if err := s.flushParams(out); err != nil {
			return err
		}
		return out.complete("COMMIT")
	case exec.KindRollback:
		if !s.inBlock {
			if err := out.notice(&wire.Error{Severity: wire.SeverityWarning, Code: "25P01", Message: "there is no transaction in progress"}); err != nil {
				return err
			}
		}
		s.endTx(ctx, false)
		if err := s.flushParams(out); err != nil {
			return err
		}
		return out.complete("ROLLBACK")
	case exec.KindSavepoint, exec.KindRelease, exec.KindRollbackTo:
		return s.savepoint(ctx, p, out)
	}
	if s.failed {
		return &wire.Error{Code: exec.CodeInFailedTransaction,
			Message: "current transaction is aborted, commands ignored until end of transaction block"}
	}
	switch p.Kind {
	case exec.KindSet:
		if err := s.set(p, out); err != nil {
			return s.fail(ctx, err)
		}
		return out.complete(p.Tag)
	case exec.KindTxMode:
		if !s.inBlock && !s.implicitBlock {
			// No effect outside a block, as in PostgreSQL.
			if err := out.notice(&wire.Error{Severity: wire.SeverityWarning, Code: "25P01", Message: "SET TRANSACTION can only be used in transaction blocks"}); err != nil {
				return err
			}
			return out.complete(p.Tag)
		}
		if s.tx != nil && p.Iso != "" {
			return s.fail(ctx, &wire.Error{Code: "25001", Message: "SET TRANSACTION ISOLATION LEVEL must be called before any query"})
		}
		if p.Iso != "" {
			s.iso = p.Iso
		}
		if p.TxReadOnly != "" {
			if err := s.setReadOnly(p.TxReadOnly); err != nil {
				return s.fail(ctx, err)
			}
		}
		return out.complete(p.Tag)
	case exec.KindShow:
		name := p.Name
		if name == "transaction isolation level" {
			name = "transaction_isolation"
		}
		if name == "time zone" {
			name = "timezone"
		}
		if name == "transaction_isolation" && s.tx == nil {
			iso := s.iso
			if iso == "" {
				iso = s.settings["default_transaction_isolation"]
			}
			s.settings["transaction_isolation"] = iso
		}
		if name == "transaction_read_only" {
			s.settings[name] = boolSetting(s.readOnlyTx())
		}
		v, ok := s.setting(name)
		if !ok {
			return s.fail(ctx, &wire.Error{Code: exec.CodeUndefinedObject, Message: fmt.Sprintf("unrecognized configuration parameter %q", p.Name)})
		}
		if err := out.begin(p.Columns); err != nil {
			return err
		}
		if err := out.row([]types.Datum{types.NewString(v)}, p.ColTypes); err != nil {
			return err
		}
		return out.complete("SHOW")
	}
	if p.WriteCommand != "" && s.readOnlyTx() {
		return s.fail(ctx, &wire.Error{Code: exec.CodeReadOnlySQLTransaction,
			Message: fmt.Sprintf("cannot execute %s in a read-only transaction", p.WriteCommand)})
	}
	if p.NoTxBlock && (s.inBlock || s.implicitBlock) {
		return s.fail(ctx, &wire.Error{Code: exec.CodeActiveSQLTransaction, Message: "VACUUM cannot run inside a transaction block"})
	}
	return s.query(ctx, stmt, slot, planMu, p, paramOIDs, params, consts, out)
}

// plan builds stmt against the catalog the session currently sees.
func (s *Session) plan(ctx context.Context, stmt ast.Statement, paramOIDs []uint32) (*exec.Plan, error) {
	var cat *catalog.Set
	if s.ddlSeen && s.tx != nil {
		snap := s.tx.Snapshot()
		var err error
		if cat, err = s.e.db.Cat.Load(ctx, &snap); err != nil {
			return nil, err
		}
	} else {
		cat = s.e.db.Cat.Current()
	}
	return s.e.db.BuildPath(stmt, cat, paramOIDs, s.searchPath())
}

// fail marks an open block failed (and aborts its transaction) and returns
// err as a protocol error.
func (s *Session) fail(ctx context.Context, err error) error {
	if s.inBlock {
		if s.tx != nil && !s.failSubtransaction() {
			s.tx.Abort()
			s.tx = nil
		}
		s.failed = true
	}
	return toWire(err)
}

func (s *Session) query(ctx context.Context, stmt ast.Statement, slot **exec.Plan, planMu *sync.Mutex, p *exec.Plan, paramOIDs []uint32, params []types.Datum, consts []*ast.Const, out *output) error {
	if d := s.statementTimeout(); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, errStatementTimeout)
		defer cancel()
	}
	implicit := !s.inBlock && !s.implicitBlock
	if p.LockTable && implicit {
		return toWire(errLockOutsideBlock)
	}
	s.beginTx()
	if !p.ReadOnly {
		// Take the xid before anything can be canceled: an xid range
		// reservation interrupted by a cancellation poisons txn's
		// allocator (see the report).
		if err := s.e.db.AssignXid(ctx, s.tx); err != nil {
			return s.abortStmt(ctx, implicit, err)
		}
	}
	// Lock, then read the catalog; replan if it changed, and lock again
	// if the new plan needs more (lock.go).
	var snap txn.Snapshot
	var cat *catalog.Set
	rebuilt := false
	for {
		if err := s.lockPlan(ctx, p); err != nil {
			return s.abortStmt(ctx, implicit, err)
		}
		snap = s.tx.Snapshot()
		var err error
		if cat, err = s.catalog(ctx, &snap); err != nil {
			return s.abortStmt(ctx, implicit, err)
		}
		if p.Cat == cat && p.SearchPath == s.searchPath() {
			break
		}
		ptypes := make([]uint32, len(p.ParamTypes))
		for i, t := range p.ParamTypes {
			ptypes[i] = uint32(t.OID)
		}
		if len(ptypes) == 0 {
			ptypes = paramOIDs
		}
		if p, err = s.e.db.BuildPath(stmt, cat, ptypes, s.searchPath()); err != nil {
			return s.abortStmt(ctx, implicit, err)
		}
		rebuilt = true
		if s.holdsLocks(p) {
			break
		}
	}
	var err error
	if rebuilt {
		if planMu != nil {
			planMu.Lock()
			*slot = p
			planMu.Unlock()
		} else {
			*slot = p
		}
	} else if *slot == nil {
		*slot = p
	}
	env := &types.Env{Location: s.loc, Now: s.txStart, ByteaEscape: s.settings["bytea_output"] == "escape"}
	if consts != nil {
		if params, err = bindConsts(p.ParamTypes, consts, env); err != nil {
			return s.abortStmt(ctx, implicit, err)
		}
	}
	c := &exec.Ctx{Ctx: ctx, DB: s.e.db, Tx: s.tx, Snap: snap, Cat: cat, Env: env, Params: params, Rand: &s.rnd,
		CopyIn: out.copyIn, Setting: s.setting, User: s.user, Database: s.database, InBlock: s.inBlock,
		Notice: out.notice, Seq: s.seqSession(), SetSetting: func(name string, value *string, local bool) (string, error) {
			return s.setConfig(name, value, local, out) // setconfig.go
		}}
	begun := false
	tag, err := p.Run(c, func(r []types.Datum) error {
		if !begun {
			begun = true
			if err := out.begin(p.Columns); err != nil {
				return err
			}
		}
		return out.row(r, p.ColTypes)
	})
	if err == nil && !begun && p.Columns != nil {
		err = out.begin(p.Columns)
	}
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errStatementTimeout) {
			err = &wire.Error{Code: wire.CodeQueryCanceled, Message: errStatementTimeout.Error()}
		}
		return s.abortStmt(ctx, implicit, err)
	}
	if p.DDL {
		s.ddlSeen = true
	}
	if implicit {
		if err := s.endTx(ctx, true); err != nil {
			return toWire(err)
		}
	} else if err := s.tx.NextCommand(); err != nil {
		return s.fail(ctx, err)
	}
	return out.complete(tag)
}

func (s *Session) abortStmt(ctx context.Context, implicit bool, err error) error {
	if implicit {
		s.endTx(ctx, false)
		return toWire(err)
	}
	return s.fail(ctx, err)
}

func (s *Session) set(p *exec.Plan, out *output) error {
	if p.Tag == "DISCARD ALL" {
		s.seqSession().Discard() // currval/lastval are forgotten too
	}
	if p.Reset {
		names := []string{p.Name}
		if p.Name == "all" {
			names = names[:0]
			for k := range defaults {
				// RESET ALL leaves the transaction's own modes alone.
				if known(k) && k != "transaction_isolation" && k != "transaction_read_only" {
					names = append(names, k)
				}
			}
		}
		for _, n := range names {
			if err := s.setOne(n, defaults[n], p.Local, out); err != nil {
				return err
			}
		}
		return nil
	}
	return s.setOne(p.Name, p.Value, p.Local, out)
}

func (s *Session) setOne(name, value string, local bool, out *output) error {
	if name == "time zone" {
		name = "timezone"
	}
	if !known(name) {
		if _, ok := defaults[name]; ok {
			return &wire.Error{Code: "55P02", Message: fmt.Sprintf("parameter %q cannot be changed", name)}
		}
		return &wire.Error{Code: exec.CodeUndefinedObject, Message: fmt.Sprintf("unrecognized configuration parameter %q", name)}
	}
	v, err := checkSetting(name, value)
	if err != nil {
		return err
	}
	if name == "transaction_isolation" {
		if s.tx != nil {
			return &wire.Error{Code: "25001", Message: "SET TRANSACTION ISOLATION LEVEL must be called before any query"}
		}
		if s.inBlock {
			s.iso = v
		}
		return nil
	}
	if name == "transaction_read_only" {
		if !s.inBlock && !s.implicitBlock {
			return nil // lasts only for the statement's own transaction
		}
		return s.setReadOnly(v)
	}
	if (local || name == "") && !s.inTx() {
		return nil // SET LOCAL outside a block has no effect (PostgreSQL warns)
	}
	if s.inTx() {
		s.noteSet(name, v, local || name == "")
	}
	s.settings[name] = v
	if name == "timezone" {
		loc, err := types.LoadLocation(v)
		if err != nil {
			return &wire.Error{Code: wire.CodeInvalidParameterValue, Message: err.Error()}
		}
		s.loc = loc
	}
	if canon, ok := reported[name]; ok {
		return out.param(canon, v)
	}
	return nil
}

// toWire converts engine errors to protocol errors.
func toWire(err error) error {
	if err == nil {
		return nil
	}
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	var te *types.Error
	if errors.As(err, &te) {
		we := &wire.Error{Code: te.Code, Message: te.Message, Detail: te.Detail, Hint: te.Hint, Err: err}
		if te.Code == types.CodeSyntaxError {
			we.Position = int32(te.Position)
		}
		return we
	}
	var xe *txn.Error
	if errors.As(err, &xe) {
		return &wire.Error{Code: xe.Code, Message: xe.Message, Detail: xe.Detail, Err: err}
	}
	return err
}
