package exec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// depStep is one statement of a dependency test: its rows (joined by
// spaces), or its error "CODE: message | detail", and the notices it sent
// ("message | detail", joined by " ; ").
type depStep struct {
	sql    string
	want   string
	notice string
}

// runDepSteps runs each statement in its own transaction (autocommit) and
// compares rows or errors and notices.
func runDepSteps(t *testing.T, d *testDB, steps []depStep) {
	t.Helper()
	ctx := context.Background()
	for _, s := range steps {
		var notices []string
		got, err := func() (string, error) {
			st, err := ast.ParseOne(s.sql)
			if err != nil {
				return "", err
			}
			p, err := d.db.Build(st, d.db.Cat.Current(), nil)
			if err != nil {
				return "", err
			}
			tx := d.db.Mgr.Begin(txn.ReadCommitted)
			if err := d.db.AssignXid(ctx, tx); err != nil {
				return "", err
			}
			c := &Ctx{Ctx: ctx, DB: d.db, Tx: tx, Snap: tx.Snapshot(), Cat: d.db.Cat.Current(), Env: &types.Env{},
				Notice: func(n *wire.Error) error {
					m := n.Message
					if n.Detail != "" {
						m += " | " + n.Detail
					}
					notices = append(notices, m)
					return nil
				}}
			var rows []string
			_, err = p.Run(c, func(r []types.Datum) error {
				var vals []string
				for i, v := range r {
					if v.IsNull() {
						vals = append(vals, "NULL")
					} else {
						vals = append(vals, types.FormatText(p.ColTypes[i], v, nil))
					}
				}
				rows = append(rows, strings.Join(vals, "|"))
				return nil
			})
			if err != nil {
				tx.Abort()
				if p.DDL {
					_ = d.db.Cat.Refresh(ctx)
				}
				return "", err
			}
			if err := tx.Commit(ctx); err != nil {
				return "", err
			}
			if p.DDL {
				if err := d.db.Cat.Refresh(ctx); err != nil {
					return "", err
				}
			}
			return strings.Join(rows, " "), nil
		}()
		if err != nil {
			var te *types.Error
			if errors.As(err, &te) {
				got = te.Code + ": " + te.Message
				if te.Detail != "" {
					got += " | " + te.Detail
				}
			} else {
				got = "error: " + err.Error()
			}
		}
		if got != s.want {
			t.Errorf("%s:\n got  %q\n want %q", s.sql, got, s.want)
		}
		if n := strings.Join(notices, " ; "); n != s.notice {
			t.Errorf("%s: notices\n got  %q\n want %q", s.sql, n, s.notice)
		}
	}
}

// Expected answers are PostgreSQL 15's.
func TestDropDependencies(t *testing.T) {
	d := newTestDB(t)
	runDepSteps(t, d, []depStep{
		{sql: "create table t (a int primary key, b text)"},
		{sql: "insert into t values (1, 'x'), (2, 'y')"},
		{sql: "create view v as select a, b from t"},
		{sql: "create view w as select a from v where a > 1"},
		{sql: "drop table t", want: "2BP01: cannot drop table t because other objects depend on it | view v depends on table t\nview w depends on view v"},
		{sql: "drop view v", want: "2BP01: cannot drop view v because other objects depend on it | view w depends on view v"},
		{sql: "select * from w", want: "2"},
		{sql: "drop table t cascade", notice: "drop cascades to 2 other objects | drop cascades to view v\ndrop cascades to view w"},
		{sql: "select * from w", want: "42P01: relation \"w\" does not exist"},
		{sql: "create table p (id int primary key)"},
		{sql: "create table c (id int, pid int references p)"},
		{sql: "drop table p", want: "2BP01: cannot drop table p because other objects depend on it | constraint c_pid_fkey on table c depends on table p"},
		{sql: "drop table p cascade", notice: "drop cascades to constraint c_pid_fkey on table c"},
		{sql: "insert into c values (1, 99)"},
		{sql: "create table t2 (a int, b int, c int)"},
		{sql: "create view v2 as select a, c from t2"},
		{sql: "alter table t2 drop column c", want: "2BP01: cannot drop column c of table t2 because other objects depend on it | view v2 depends on column c of table t2"},
		{sql: "alter table t2 drop column b"},
		{sql: "insert into t2 values (1, 3)"},
		{sql: "select * from v2", want: "1|3"},
		{sql: "alter table t2 rename column a to aa"},
		{sql: "alter table t2 rename to t3"},
		{sql: "select * from v2", want: "1|3"},
		{sql: "alter table t3 drop column c cascade", notice: "drop cascades to view v2"},
		{sql: "create sequence s"},
		{sql: "create table t4 (a int default nextval('s'), b int)"},
		{sql: "drop sequence s", want: "2BP01: cannot drop sequence s because other objects depend on it | default value for column a of table t4 depends on sequence s"},
		{sql: "drop sequence s cascade", notice: "drop cascades to default value for column a of table t4"},
		{sql: "insert into t4 (b) values (1)"},
		{sql: "select * from t4", want: "NULL|1"},
		{sql: "create table t5 (id serial, x int)"},
		{sql: "drop sequence t5_id_seq", want: "2BP01: cannot drop sequence t5_id_seq because other objects depend on it | default value for column id of table t5 depends on sequence t5_id_seq"},
		{sql: "drop table t5"},
		{sql: "select count(*) from pg_class where relname = 't5_id_seq'", want: "0"},
		{sql: "create schema sc"},
		{sql: "create table sc.x (a int)"},
		{sql: "create view sc.y as select * from sc.x"},
		{sql: "drop schema sc", want: "2BP01: cannot drop schema sc because other objects depend on it | table sc.x depends on schema sc\nview sc.y depends on schema sc"},
		{sql: "drop schema sc cascade", notice: "drop cascades to 2 other objects | drop cascades to table sc.x\ndrop cascades to view sc.y"},
		{sql: "create table t7 (a int primary key, b int)"},
		{sql: "create unique index t7_b on t7 (b)"},
		{sql: "drop index t7_pkey", want: "2BP01: cannot drop index t7_pkey because constraint t7_pkey on table t7 requires it"},
		{sql: "drop index t7_b"},
		{sql: "drop index t7_b", want: "42704: index \"t7_b\" does not exist"},
		{sql: "drop index t7", want: "42809: \"t7\" is not an index"},
		{sql: "create view v7 as select count(*) from t7"},
		{sql: "drop table t7", want: "2BP01: cannot drop table t7 because other objects depend on it | view v7 depends on table t7"},
		{sql: "create table m1 (a int)"},
		{sql: "create table m2 (a int)"},
		{sql: "create view vm as select m1.a, m2.a as a2 from m1, m2"},
		{sql: "drop table m1, m2", want: "2BP01: cannot drop desired object(s) because other objects depend on them | view vm depends on table m1"},
		{sql: "drop view vm"},
		{sql: "drop table m1, m2"},
		{sql: "create table id1 (id int generated always as identity, v int)"},
		{sql: "drop sequence id1_id_seq", want: "2BP01: cannot drop sequence id1_id_seq because column id of table id1 requires it"},
		{sql: "drop table id1"},
		{sql: "create table f1 (id int primary key)"},
		{sql: "create table f2 (id int primary key, r int references f1)"},
		{sql: "create table f3 (id int, r int references f2)"},
		{sql: "drop table f1, f2", want: "2BP01: cannot drop desired object(s) because other objects depend on them | constraint f3_r_fkey on table f3 depends on table f2"},
		{sql: "drop table f1, f2 cascade", notice: "drop cascades to constraint f3_r_fkey on table f3"},
		{sql: "create table fs (id int primary key, parent int references fs)"},
		{sql: "drop table fs"},
	})
}

// TestViewFollowsRenames checks that views keep working, with their
// column names, after the tables and columns they read are renamed, and
// that SELECT * is fixed when the view is created.
func TestViewFollowsRenames(t *testing.T) {
	d := newTestDB(t)
	runDepSteps(t, d, []depStep{
		{sql: "create table r (a int, b text, c int)"},
		{sql: "insert into r values (1, 'x', 10), (2, 'y', 20)"},
		{sql: "create view rv as select a, r.b, c + 1 as c1 from r where a > 0 order by r.a"},
		{sql: "create view rg as select b, count(*) from r group by b"},
		{sql: "create view rs as select * from r"},
		{sql: "create view rvv as select a, c1 from rv"},
		{sql: "create view rc as with w as (select a from r) select a from w"},
		{sql: "create view rsq as select s.a, s.b from (select a, b from r) s"},
		{sql: "alter table r rename column a to aa"},
		{sql: "alter table r rename column b to bb"},
		{sql: "alter table r rename to r2"},
		{sql: "select * from rv", want: "1|x|11 2|y|21"},
		{sql: "select * from rg order by b", want: "x|1 y|1"},
		{sql: "select * from rvv", want: "1|11 2|21"},
		{sql: "select * from rc order by a", want: "1 2"},
		{sql: "select * from rsq order by a", want: "1|x 2|y"},
		{sql: "alter table r2 add column d int"},
		{sql: "select * from rs order by a", want: "1|x|10 2|y|20"},
		{sql: "create table ru (aa int, z int)"},
		{sql: "create view ruv as select z from r2 join ru using (aa)"},
		{sql: "alter table ru rename column aa to q", want: "0A000: renaming column \"aa\" is not supported: view \"ruv\" joins by column names (USING or NATURAL)"},
		{sql: "alter table ru drop column aa", want: "2BP01: cannot drop column aa of table ru because other objects depend on it | view ruv depends on column aa of table ru"},
		{sql: "alter table ru rename column z to z2"},
		{sql: "select * from ruv"},
		{sql: "alter table rv rename column c1 to c2"},
		{sql: "select * from rvv", want: "1|11 2|21"},
		{sql: "select c2 from rv order by c2", want: "11 21"},
	})
}

func TestCascadeRelations(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table ct (a serial, b int)")
	d.exec("create view cv as select a from ct")
	d.exec("create view cw as select a from cv")
	cat := d.db.Cat.Current()
	ct, _ := cat.Table("ct")
	got := map[string]bool{}
	for _, oid := range cascadeRelations(cat, []catalog.Object{catalog.RelObject(ct)}) {
		r, _ := cat.ByOID(oid)
		got[r.Name] = true
	}
	if len(got) != 3 || !got["cv"] || !got["cw"] || !got["ct_a_seq"] {
		t.Errorf("cascadeRelations(ct) = %v, want cv, cw, ct_a_seq", got)
	}
}

// TestAlterSequenceRollsBack: ALTER SEQUENCE is transactional (its
// parameters and RESTART are undone by a rollback), nextval is not.
func TestAlterSequenceRollsBack(t *testing.T) {
	d := newTestDB(t)
	d.exec("create sequence sq increment 5")
	if got := d.exec("select nextval('sq')"); got[0] != "1" {
		t.Fatalf("nextval = %v", got)
	}
	ctx := context.Background()
	tx := d.db.Mgr.Begin(txn.ReadCommitted)
	if err := d.db.AssignXid(ctx, tx); err != nil {
		t.Fatal(err)
	}
	cat := d.db.Cat.Current()
	for _, sql := range []string{"alter sequence sq increment 100 restart 1000", "select nextval('sq')"} {
		st, err := ast.ParseOne(sql)
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.db.Build(st, cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &Ctx{Ctx: ctx, DB: d.db, Tx: tx, Snap: tx.Snapshot(), Cat: cat, Env: &types.Env{}}
		var got []types.Datum
		if _, err := p.Run(c, func(r []types.Datum) error { got = r; return nil }); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if err := tx.NextCommand(); err != nil {
			t.Fatal(err)
		}
		if p.DDL {
			snap := tx.Snapshot()
			if cat, err = d.db.Cat.Load(ctx, &snap); err != nil {
				t.Fatal(err)
			}
		} else if got[0].I != 1000 {
			t.Errorf("nextval inside the ALTER's transaction = %d, want 1000", got[0].I)
		}
	}
	tx.Abort()
	if err := d.db.Cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := d.exec("select nextval('sq'), nextval('sq')"); got[0] != "6|11" {
		t.Errorf("after rollback: nextval = %v, want 6|11", got)
	}
	d.exec("alter sequence sq increment 2")
	if got := d.exec("select nextval('sq')"); got[0] != "13" {
		t.Errorf("after a committed ALTER: nextval = %v, want 13", got)
	}
}

// TestPgDepend checks pg_depend's rows for a view, a serial column's owned
// sequence and default, an identity column and a foreign key.
func TestPgDepend(t *testing.T) {
	d := newTestDB(t)
	runDepSteps(t, d, []depStep{
		{sql: "create table pd (a serial primary key, b int, c int generated by default as identity)"},
		{sql: "create view pdv as select b from pd"},
		{sql: "create table pdc (x int references pd)"},
		{sql: "select refobjid::regclass::text, refobjsubid, deptype from pg_depend where classid = 'pg_class'::regclass and objid = 'pdv'::regclass and refclassid = 'pg_class'::regclass order by 2",
			want: "pd|0|n pd|2|n"},
		{sql: "select refobjid::regclass::text, refobjsubid, deptype from pg_depend where objid = 'pd_a_seq'::regclass and refclassid = 1259",
			want: "pd|1|a"},
		{sql: "select refobjid::regclass::text, refobjsubid, deptype from pg_depend where objid = 'pd_c_seq'::regclass and refclassid = 1259",
			want: "pd|3|i"},
		{sql: "select count(*) from pg_depend d join pg_attrdef a on a.oid = d.objid where d.classid = 'pg_attrdef'::regclass and d.refobjid = 'pd_a_seq'::regclass and d.deptype = 'n'",
			want: "1"},
		{sql: "select c.conname, d.refobjid::regclass::text, d.refobjsubid, d.deptype from pg_depend d join pg_constraint c on c.oid = d.objid where d.classid = 'pg_constraint'::regclass and c.contype = 'f' order by 2, 3",
			want: "pdc_x_fkey|pd|1|n pdc_x_fkey|pdc|1|a"},
		{sql: "select count(*) from pg_depend where refclassid = 'pg_namespace'::regclass and refobjid = 2200 and objid in ('pd'::regclass, 'pdv'::regclass, 'pdc'::regclass)",
			want: "3"},
	})
}
