package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The drill's tables. A drill drops and recreates them.
const (
	drillAccounts  = "drill_accounts"
	drillTransfers = "drill_transfers"
	drillBalance   = 1000 // every account's balance at the start
)

// attempt is one bank transfer a client tried.
type attempt struct {
	id         string
	begin, end time.Duration // since the load started
	acked      bool          // COMMIT returned success
	kind       string        // why it failed, when it did
}

// readResult is one round of the reader: balances and the transfer log read
// through the writer.
type readResult struct {
	at      time.Duration
	ok      bool
	kind    string // why it failed
	total   int64  // sum of balances read
	rows    int    // accounts read
	missing int    // acknowledged (before the read began) transfers not in the log
}

// bankLoad is the built-in bank-transfer workload and everything it saw.
type bankLoad struct {
	cfg        *pgx.ConnConfig
	accounts   int
	clients    int
	txnTimeout time.Duration
	runID      string
	seed       uint64
	start      time.Time

	stop chan struct{} // closed: clients finish their transaction and return
	wg   sync.WaitGroup

	mu       sync.Mutex
	attempts []*attempt
	byID     map[string]*attempt
	acked    []string // ids in acknowledgement order
	lastAck  time.Duration
	reads    []readResult
	connErrs []timedKind
}

// timedKind is an error kind seen at a time since the load started.
type timedKind struct {
	at   time.Duration
	kind string
}

// newBankLoad prepares a load against the writer at cfg.
func newBankLoad(cfg *pgx.ConnConfig, accounts, clients int, txnTimeout time.Duration, seed uint64) *bankLoad {
	return &bankLoad{
		cfg: cfg, accounts: accounts, clients: clients, txnTimeout: txnTimeout, seed: seed,
		runID: fmt.Sprintf("r%x", seed&0xffffff),
		stop:  make(chan struct{}), byID: map[string]*attempt{},
	}
}

// total is the sum of balances the load must preserve.
func (b *bankLoad) total() int64 { return int64(b.accounts) * drillBalance }

// connect opens one connection, bounded by the transaction timeout.
func (b *bankLoad) connect(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, b.txnTimeout)
	defer cancel()
	c, err := pgx.ConnectConfig(cctx, b.cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect to the writer: %w", err)
	}
	return c, nil
}

// setup (re)creates the bank: accounts 1..N with drillBalance each and an
// empty transfer log.
func (b *bankLoad) setup(ctx context.Context) error {
	conn, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var values []string
	for i := 1; i <= b.accounts; i++ {
		values = append(values, fmt.Sprintf("(%d, %d)", i, drillBalance))
	}
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + drillAccounts,
		"DROP TABLE IF EXISTS " + drillTransfers,
		"CREATE TABLE " + drillAccounts + " (id int PRIMARY KEY, balance bigint NOT NULL)",
		"CREATE TABLE " + drillTransfers + " (id text PRIMARY KEY, src int NOT NULL, dst int NOT NULL, amount bigint NOT NULL)",
		"INSERT INTO " + drillAccounts + " (id, balance) VALUES " + strings.Join(values, ", "),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("create the bank tables (%s): %w", strings.SplitN(q, "(", 2)[0], err)
		}
	}
	return nil
}

// since is the time since the load started.
func (b *bankLoad) since() time.Duration { return time.Since(b.start) }

// run starts the clients and the reader.
func (b *bankLoad) run(ctx context.Context) {
	b.start = time.Now()
	for w := range b.clients {
		b.wg.Add(1)
		go func() { defer b.wg.Done(); b.client(ctx, w) }()
	}
	b.wg.Add(1)
	go func() { defer b.wg.Done(); b.reader(ctx) }()
}

// finish stops the load and waits for every client's last transaction.
func (b *bankLoad) finish() {
	close(b.stop)
	b.wg.Wait()
}

func (b *bankLoad) stopped(ctx context.Context) bool {
	select {
	case <-b.stop:
		return true
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// pause waits d, or less when the load stops.
func (b *bankLoad) pause(ctx context.Context, d time.Duration) {
	select {
	case <-b.stop:
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// client runs transfers one after the other on its own connection,
// reconnecting after any error.
func (b *bankLoad) client(ctx context.Context, w int) {
	rng := rand.New(rand.NewPCG(b.seed, uint64(w)+1))
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for seq := 1; !b.stopped(ctx); seq++ {
		if conn == nil {
			c, err := b.connect(ctx)
			if err != nil {
				b.connectFailed("connect: " + errKind(err, b.txnTimeout))
				b.pause(ctx, 200*time.Millisecond)
				continue
			}
			conn = c
		}
		src := 1 + rng.IntN(b.accounts)
		dst := 1 + rng.IntN(b.accounts-1)
		if dst >= src {
			dst++
		}
		amount := int64(1 + rng.IntN(100))
		a := &attempt{id: fmt.Sprintf("%s-%d-%d", b.runID, w, seq), begin: b.since()}
		b.begin(a)
		stage, err := b.transfer(conn, a.id, src, dst, amount)
		if err == nil {
			b.done(a, "")
			continue
		}
		b.done(a, stage+": "+errKind(err, b.txnTimeout))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && !conn.IsClosed() {
			continue // the transaction is rolled back; the connection is fine
		}
		conn.Close(context.Background())
		conn = nil
	}
}

// transfer moves amount from src to dst and logs it under id, in one
// transaction; it returns the stage that failed. Rows are updated in id
// order so that clients do not deadlock each other.
func (b *bankLoad) transfer(conn *pgx.Conn, id string, src, dst int, amount int64) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), b.txnTimeout)
	defer cancel()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "begin", err
	}
	rollback := func() {
		rctx, c := context.WithTimeout(context.Background(), time.Second)
		defer c()
		_ = tx.Rollback(rctx)
	}
	type change struct {
		acct  int
		delta int64
	}
	changes := []change{{src, -amount}, {dst, amount}}
	if dst < src {
		changes[0], changes[1] = changes[1], changes[0]
	}
	for _, c := range changes {
		tag, err := tx.Exec(ctx, "UPDATE "+drillAccounts+" SET balance = balance + $1 WHERE id = $2", c.delta, c.acct)
		if err != nil {
			rollback()
			return "update", err
		}
		if tag.RowsAffected() != 1 {
			rollback()
			return "update", fmt.Errorf("account %d: %d rows updated, want 1", c.acct, tag.RowsAffected())
		}
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+drillTransfers+" (id, src, dst, amount) VALUES ($1, $2, $3, $4)", id, src, dst, amount); err != nil {
		rollback()
		return "insert", err
	}
	if err := tx.Commit(ctx); err != nil {
		return "commit", err
	}
	return "", nil
}

func (b *bankLoad) begin(a *attempt) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attempts = append(b.attempts, a)
	b.byID[a.id] = a
}

// done records the outcome of a transfer: acknowledged when kind is empty.
func (b *bankLoad) done(a *attempt, kind string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a.end = b.since()
	if kind != "" {
		a.kind = kind
		return
	}
	a.acked = true
	b.acked = append(b.acked, a.id)
	b.lastAck = max(b.lastAck, a.end)
}

// connectFailed records a client's failed attempt to connect.
func (b *bankLoad) connectFailed(kind string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.connErrs = append(b.connErrs, timedKind{b.since(), kind})
}

// reader reads every balance and the whole transfer log through the writer
// twice a second, and checks them against what was acknowledged before.
func (b *bankLoad) reader(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for !b.stopped(ctx) {
		b.pause(ctx, 500*time.Millisecond)
		if b.stopped(ctx) {
			return
		}
		r := readResult{at: b.since()}
		if conn == nil {
			c, err := b.connect(ctx)
			if err != nil {
				r.kind = "connect: " + errKind(err, b.txnTimeout)
				b.addRead(r)
				continue
			}
			conn = c
		}
		b.mu.Lock()
		before := append([]string(nil), b.acked...)
		b.mu.Unlock()
		total, rows, ids, err := readBank(conn, 2*b.txnTimeout)
		if err != nil {
			r.kind = errKind(err, 2*b.txnTimeout)
			b.addRead(r)
			conn.Close(context.Background())
			conn = nil
			continue
		}
		r.ok, r.total, r.rows = true, total, rows
		for _, id := range before {
			if !ids[id] {
				r.missing++
			}
		}
		b.addRead(r)
	}
}

func (b *bankLoad) addRead(r readResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reads = append(b.reads, r)
}

// bankState is the bank as read back.
type bankState struct {
	balances  map[int]int64
	transfers map[string]transferRow
}

type transferRow struct {
	src, dst int
	amount   int64
}

// readBank reads the sum and number of balances and the set of transfer ids.
func readBank(conn *pgx.Conn, timeout time.Duration) (int64, int, map[string]bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	rows, err := conn.Query(ctx, "SELECT balance FROM "+drillAccounts)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("read balances: %w", err)
	}
	var total int64
	n := 0
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return 0, 0, nil, fmt.Errorf("read balances: %w", err)
		}
		total += v
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, 0, nil, fmt.Errorf("read balances: %w", err)
	}
	rows, err = conn.Query(ctx, "SELECT id FROM "+drillTransfers)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("read transfers: %w", err)
	}
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, 0, nil, fmt.Errorf("read transfers: %w", err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return 0, 0, nil, fmt.Errorf("read transfers: %w", err)
	}
	return total, n, ids, nil
}

// readFinal reads the whole bank for the consistency check, retrying for up
// to wait while the writer is not there.
func (b *bankLoad) readFinal(ctx context.Context, wait time.Duration) (*bankState, error) {
	deadline := time.Now().Add(wait)
	for {
		st, err := b.readFinalOnce(ctx)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return st, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (b *bankLoad) readFinalOnce(ctx context.Context) (*bankState, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	qctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st := &bankState{balances: map[int]int64{}, transfers: map[string]transferRow{}}
	rows, err := conn.Query(qctx, "SELECT id, balance FROM "+drillAccounts)
	if err != nil {
		return nil, fmt.Errorf("read balances: %w", err)
	}
	for rows.Next() {
		var id int
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read balances: %w", err)
		}
		st.balances[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read balances: %w", err)
	}
	rows, err = conn.Query(qctx, "SELECT id, src, dst, amount FROM "+drillTransfers)
	if err != nil {
		return nil, fmt.Errorf("read transfers: %w", err)
	}
	for rows.Next() {
		var id string
		var t transferRow
		if err := rows.Scan(&id, &t.src, &t.dst, &t.amount); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read transfers: %w", err)
		}
		st.transfers[id] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read transfers: %w", err)
	}
	return st, nil
}

var digitsRE = regexp.MustCompile(`[0-9]+`)

// errKind names the kind of an error a client saw, for counting: SQLSTATE
// and message for server errors, a timeout, or a connection failure. Numbers
// are folded to N so that kinds differing only in an LSN or a port count
// together.
func errKind(err error, timeout time.Duration) string {
	var pgErr *pgconn.PgError
	var netErr net.Error
	var prefix, s string
	switch {
	case errors.As(err, &pgErr):
		prefix, s = oneLine("ERROR "+pgErr.Code)+" ", pgErr.Message
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("timed out (no answer within %s)", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe") || strings.Contains(err.Error(), "conn closed"):
		return "connection lost"
	default:
		s = err.Error()
	}
	s = strings.ToValidUTF8(prefix+digitsRE.ReplaceAllString(oneLine(s), "N"), "?")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}

// kindCount is an error kind and how often it was seen.
type kindCount struct {
	kind  string
	count int
}

// countKinds counts kinds, most frequent first.
func countKinds(kinds []string) []kindCount {
	m := map[string]int{}
	for _, k := range kinds {
		m[k]++
	}
	var out []kindCount
	for k, n := range m {
		out = append(out, kindCount{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].kind < out[j].kind
	})
	return out
}
