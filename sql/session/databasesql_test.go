package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/lib/pq"                // database/sql driver "postgres"
)

// sqlState of an error from either database/sql driver.
func driverSQLState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var qe *pq.Error
	if errors.As(err, &qe) {
		return string(qe.Code)
	}
	return ""
}

// crudRow is the model of one row of the CRUD table.
type crudRow struct {
	name    string
	balance int64
	active  bool
	note    sql.NullString
}

// TestDatabaseSQLCRUD runs a CRUD workload through Go's database/sql with
// both PostgreSQL drivers, pgx's stdlib (binary formats, extended protocol)
// and lib/pq (text formats), against the engine behind the wire server:
// DDL, prepared inserts in a transaction, typed reads with NULLs, updates
// and deletes with affected-row counts, a rolled-back transaction, unique
// violations, concurrent updates from a connection pool, and a seeded random
// sequence of operations compared with a model in memory.
func TestDatabaseSQLCRUD(t *testing.T) {
	ts := startServer(t)
	for _, driver := range []string{"pgx", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			db, err := sql.Open(driver, ts.url())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			db.SetMaxOpenConns(6)
			crudWorkload(t, db, "crud_"+driver)
		})
	}
}

func crudWorkload(t *testing.T, db *sql.DB, table string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exec := func(q string, args ...any) int64 {
		t.Helper()
		res, err := db.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s %v: %v", q, args, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			t.Fatalf("%s: rows affected: %v", q, err)
		}
		return n
	}
	exec(fmt.Sprintf(`create table %s (id int8 primary key, name text not null, balance int8 not null default 0,
		active bool not null, note varchar(20), created timestamptz not null default now())`, table))
	model := map[int64]crudRow{}

	// Create: a prepared INSERT run many times in one transaction.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, fmt.Sprintf("insert into %s (id, name, balance, active, note) values ($1, $2, $3, $4, $5)", table))
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 100; id++ {
		r := crudRow{name: fmt.Sprintf("name %d ünï", id), balance: id * 10, active: id%2 == 0}
		if id%3 != 0 {
			r.note = sql.NullString{String: fmt.Sprintf("note %d", id), Valid: true}
		}
		if _, err := ins.ExecContext(ctx, id, r.name, r.balance, r.active, r.note); err != nil {
			t.Fatalf("insert %d: %v", id, err)
		}
		model[id] = r
	}
	ins.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Read: typed scans, NULL, a timestamp default.
	var r crudRow
	var created time.Time
	if err := db.QueryRowContext(ctx, fmt.Sprintf("select name, balance, active, note, created from %s where id = $1", table), 3).
		Scan(&r.name, &r.balance, &r.active, &r.note, &created); err != nil {
		t.Fatal(err)
	}
	if r != model[3] || time.Since(created) > time.Hour || time.Since(created) < -time.Hour {
		t.Fatalf("row 3 = %+v created %v, want %+v now", r, created, model[3])
	}
	if err := db.QueryRowContext(ctx, fmt.Sprintf("select name from %s where id = $1", table), 1000).Scan(&r.name); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("missing row: %v, want sql.ErrNoRows", err)
	}

	// Update and delete report affected rows.
	if n := exec(fmt.Sprintf("update %s set balance = balance + $1 where active = $2", table), 5, true); n != 50 {
		t.Fatalf("update affected %d rows, want 50", n)
	}
	for id, r := range model {
		if r.active {
			r.balance += 5
			model[id] = r
		}
	}
	if n := exec(fmt.Sprintf("delete from %s where id > $1", table), 90); n != 10 {
		t.Fatalf("delete affected %d rows, want 10", n)
	}
	for id := int64(91); id <= 100; id++ {
		delete(model, id)
	}

	// A rolled-back transaction leaves nothing.
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("update %s set balance = 0", table)); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("delete from %s where id = 1", table)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	// A duplicate key is 23505 and changes nothing.
	_, err = db.ExecContext(ctx, fmt.Sprintf("insert into %s (id, name, active) values ($1, $2, $3)", table), 5, "dup", false)
	if code := driverSQLState(err); code != "23505" {
		t.Fatalf("duplicate insert: %v (SQLSTATE %q), want 23505", err, code)
	}
	checkCRUD(t, ctx, db, table, model)

	// Concurrent updates through the pool: each worker owns some rows.
	const workers, rounds = 6, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				id := int64(1 + w + workers*(i%10))
				if _, err := db.ExecContext(ctx, fmt.Sprintf("update %s set balance = balance + 1 where id = $1", table), id); err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for w := 0; w < workers; w++ {
		for i := 0; i < rounds; i++ {
			id := int64(1 + w + workers*(i%10))
			r := model[id]
			r.balance++
			model[id] = r
		}
	}
	checkCRUD(t, ctx, db, table, model)

	// A seeded random sequence of single-row operations against the model.
	rng := rand.New(rand.NewPCG(7, uint64(len(table))))
	for i := 0; i < 200; i++ {
		id := int64(1 + rng.IntN(120))
		_, exists := model[id]
		switch op := rng.IntN(4); {
		case op == 0 && !exists:
			r := crudRow{name: fmt.Sprintf("r%d", i), balance: int64(rng.IntN(1000)) - 500, active: rng.IntN(2) == 0}
			if rng.IntN(2) == 0 {
				r.note = sql.NullString{String: fmt.Sprintf("n%d", i), Valid: true}
			}
			exec(fmt.Sprintf("insert into %s (id, name, balance, active, note) values ($1, $2, $3, $4, $5)", table), id, r.name, r.balance, r.active, r.note)
			model[id] = r
		case op == 1:
			d := int64(rng.IntN(100))
			if n := exec(fmt.Sprintf("update %s set balance = balance - $1, active = not active where id = $2", table), d, id); (n == 1) != exists {
				t.Fatalf("update of %d affected %d rows, row exists: %v", id, n, exists)
			}
			if exists {
				r := model[id]
				r.balance -= d
				r.active = !r.active
				model[id] = r
			}
		case op == 2:
			if n := exec(fmt.Sprintf("delete from %s where id = $1", table), id); (n == 1) != exists {
				t.Fatalf("delete of %d affected %d rows, row exists: %v", id, n, exists)
			}
			delete(model, id)
		default:
			var got crudRow
			err := db.QueryRowContext(ctx, fmt.Sprintf("select name, balance, active, note from %s where id = $1", table), id).
				Scan(&got.name, &got.balance, &got.active, &got.note)
			switch {
			case !exists && !errors.Is(err, sql.ErrNoRows):
				t.Fatalf("read of deleted %d: %+v, %v", id, got, err)
			case exists && (err != nil || got != model[id]):
				t.Fatalf("read of %d: %+v, %v; want %+v", id, got, err, model[id])
			}
		}
	}
	checkCRUD(t, ctx, db, table, model)
	exec("drop table " + table)
}

// checkCRUD compares the whole table with the model.
func checkCRUD(t *testing.T, ctx context.Context, db *sql.DB, table string, model map[int64]crudRow) {
	t.Helper()
	rows, err := db.QueryContext(ctx, fmt.Sprintf("select id, name, balance, active, note from %s order by id", table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var id int64
		var r crudRow
		if err := rows.Scan(&id, &r.name, &r.balance, &r.active, &r.note); err != nil {
			t.Fatal(err)
		}
		if want, ok := model[id]; !ok || want != r {
			t.Fatalf("row %d = %+v, model has %+v (present %v)", id, r, want, ok)
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(model) {
		t.Fatalf("table has %d rows, model %d", seen, len(model))
	}
}
