package exec

import (
	"errors"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// step is one statement of a scripted test: its rows (space-joined, as
// testDB.query renders them) or its SQLSTATE, and optionally a substring
// of the error message or detail.
type step struct {
	sql  string
	want string // rows, when code is ""
	code string
	msg  string // substring of "message | detail"
}

func runSteps(t *testing.T, d *testDB, steps []step) {
	t.Helper()
	for _, s := range steps {
		rows, _, err := d.query(s.sql)
		if s.code != "" {
			var te *types.Error
			if !errors.As(err, &te) {
				t.Errorf("%s: got %v (rows %q), want SQLSTATE %s", s.sql, err, rows, s.code)
				continue
			}
			full := te.Message + " | " + te.Detail
			if te.Code != s.code || !strings.Contains(full, s.msg) {
				t.Errorf("%s: got %s %q, want %s containing %q", s.sql, te.Code, full, s.code, s.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", s.sql, err)
			continue
		}
		if got := strings.Join(rows, " "); got != s.want {
			t.Errorf("%s: got %q, want %q", s.sql, got, s.want)
		}
	}
}

func TestUniqueCheckNotNull(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table u (id int primary key, email text unique, code int, check (code > 0), check (code < id * 100))"},
		{sql: "insert into u values (1, 'a@x', 1)"},
		{sql: "insert into u values (2, 'a@x', 2)", code: "23505", msg: `"u_email_key" | Key (email)=(a@x) already exists.`},
		{sql: "insert into u values (1, 'b@x', 2)", code: "23505", msg: `"u_pkey" | Key (id)=(1) already exists.`},
		{sql: "insert into u values (3, null, 3), (4, null, 4)"},
		{sql: "insert into u values (5, 'c', 0)", code: "23514", msg: `new row for relation "u" violates check constraint "u_code_check" | Failing row contains (5, c, 0).`},
		{sql: "insert into u values (5, 'c', 600)", code: "23514", msg: `"u_check"`},
		{sql: "insert into u values (5, 'c', null)"},
		{sql: "update u set code = -1 where id = 5", code: "23514", msg: "Failing row contains (5, c, -1)."},
		{sql: "update u set email = 'a@x' where id = 3", code: "23505"},
		{sql: "create table cn (a int not null, b text check (length(b) < 4), c int constraint c_pos check (c > 0))"},
		{sql: "insert into cn values (null, 'x')", code: "23502", msg: `null value in column "a" of relation "cn" violates not-null constraint | Failing row contains (null, x, null).`},
		{sql: "insert into cn values (1, 'long')", code: "23514", msg: `"cn_b_check"`},
		{sql: "insert into cn values (1, 'ok', 0)", code: "23514", msg: `"c_pos"`},
		{sql: "insert into cn values (1, 'ok', 1)"},
		{sql: "create table bad (a int check (a))", code: "42804"},
		{sql: "create table bad (a int check (count(*) > 0))", code: "42803"},
		{sql: "create table bad (a int, constraint x check (a > 0), constraint x check (a < 9))", code: "42710"},
		{sql: "select count(*) from u", want: "4"},
	})
}

func TestForeignKeys(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table parent (id int primary key, name text)"},
		{sql: "create table child (id int primary key, pid int references parent(id) on delete cascade on update cascade, v text)"},
		{sql: "create table child2 (id int primary key, pid int references parent on delete restrict)"},
		{sql: "create table child3 (id int, pid int default 2 references parent on delete set default)"},
		{sql: "create table child4 (id int, pid int references parent on delete set null)"},
		{sql: "create table nokey (a int references u (x))", code: "42P01"},
		{sql: "create table nokey (a int references child3 (id))", code: "42830", msg: `there is no unique constraint matching given keys for referenced table "child3"`},
		{sql: "create table nokey (a int references child3)", code: "42830", msg: "there is no primary key"},
		{sql: "create table nokey (a int, b int, foreign key (a, b) references parent (id))", code: "42830"},
		{sql: "insert into parent values (1, 'p1'), (2, 'p2'), (3, 'p3'), (4, 'p4')"},
		{sql: "insert into child values (10, 1, 'c10'), (11, 1, 'c11'), (12, 2, 'c12')"},
		{sql: "insert into child values (13, 99, 'orphan')", code: "23503",
			msg: `insert or update on table "child" violates foreign key constraint "child_pid_fkey" | Key (pid)=(99) is not present in table "parent".`},
		{sql: "insert into child values (14, null, 'nullref')"},
		{sql: "insert into child2 values (20, 3)"},
		{sql: "insert into child3 values (30, 4)"},
		{sql: "insert into child4 values (40, 4)"},
		{sql: "delete from parent where id = 1"},
		{sql: "select id, pid from child order by id", want: "12|2 14|NULL"},
		{sql: "delete from parent where id = 3", code: "23503",
			msg: `update or delete on table "parent" violates foreign key constraint "child2_pid_fkey" on table "child2" | Key (id)=(3) is still referenced from table "child2".`},
		{sql: "update child set pid = 42 where id = 12", code: "23503"},
		{sql: "update parent set id = 22 where id = 2"},
		{sql: "select id, pid from child order by id", want: "12|22 14|NULL"},
		{sql: "update parent set id = 2 where id = 22"},
		{sql: "delete from parent where id = 4"},
		{sql: "select id, pid from child3", want: "30|2"},
		{sql: "select id, pid from child4", want: "40|NULL"},
		{sql: "delete from parent where id = 2", code: "23503", msg: `table "child3" violates foreign key constraint "child3_pid_fkey"`},
		{sql: "drop table parent", code: "2BP01", msg: "cannot drop table parent because other objects depend on it"},
		{sql: "truncate parent", code: "0A000"},
		{sql: "drop table child4, child3, child2, child, parent"},
		// self reference, multi-column keys
		{sql: "create table tree (id int primary key, up int references tree on delete cascade)"},
		{sql: "insert into tree values (1, null), (2, 1), (3, 2), (4, 4)"},
		{sql: "insert into tree values (5, 9)", code: "23503"},
		{sql: "delete from tree where id = 1"},
		{sql: "select id from tree", want: "4"},
		{sql: "delete from tree where id = 4"},
		{sql: "create table fk2 (x int, y int, primary key (x, y))"},
		{sql: "create table fk2c (x int, y int, foreign key (x, y) references fk2 (x, y))"},
		{sql: "insert into fk2 values (1, 1)"},
		{sql: "insert into fk2c values (1, 1), (null, 5)"},
		{sql: "insert into fk2c values (1, 2)", code: "23503", msg: "Key (x, y)=(1, 2) is not present"},
	})
}

func TestAlterConstraints(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table p (id int primary key)"},
		{sql: "create table c (id int, pid int)"},
		{sql: "insert into p values (1), (2)"},
		{sql: "insert into c values (1, 1), (2, 5)"},
		{sql: "alter table c add constraint c_pid_fkey foreign key (pid) references p", code: "23503", msg: "Key (pid)=(5) is not present in table \"p\"."},
		{sql: "alter table c add check (id < 2)", code: "23514", msg: `check constraint "c_id_check" of relation "c" is violated by some row`},
		{sql: "delete from c where id = 2"},
		{sql: "alter table c add foreign key (pid) references p"},
		{sql: "alter table c add check (id < 2)"},
		{sql: "insert into c values (1, 3)", code: "23503", msg: `"c_pid_fkey"`},
		{sql: "insert into c values (3, 1)", code: "23514", msg: `"c_id_check"`},
		{sql: "alter table c add unique (id)"},
		{sql: "insert into c values (1, 2)", code: "23505", msg: `"c_id_key"`},
		{sql: "alter table p drop constraint p_pkey", code: "2BP01"},
		{sql: "alter table c drop constraint c_pid_fkey"},
		{sql: "alter table c drop constraint c_id_check"},
		{sql: "alter table c drop constraint c_id_key"},
		{sql: "alter table c drop constraint nope", code: "42704", msg: `constraint "nope" of relation "c" does not exist`},
		{sql: "alter table c drop constraint if exists nope"},
		{sql: "insert into c values (1, 3), (5, 1)"},
		{sql: "select count(*) from c", want: "3"},
		{sql: "alter table p drop constraint p_pkey"},
	})
}

func TestUpdateFromDeleteUsing(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table inv (sku text primary key, qty int not null default 0, note text)"},
		{sql: "create table incoming (sku text, qty int)"},
		{sql: "insert into inv values ('a', 1, null), ('b', 2, null), ('c', 3, null)"},
		{sql: "insert into incoming values ('a', 10), ('c', 30), ('c', 31), ('d', 40)"},
		// 'c' matches twice: updated once.
		{sql: "update inv set qty = inv.qty + incoming.qty from incoming where inv.sku = incoming.sku returning inv.sku, inv.qty, incoming.qty",
			want: "a|11|10 c|33|30"},
		{sql: "select * from inv order by sku", want: "a|11|NULL b|2|NULL c|33|NULL"},
		{sql: "update inv set note = i.sku from incoming i where i.sku = inv.sku and i.qty > 30 returning *", want: "c|33|c|c|31"},
		{sql: "delete from inv using incoming where inv.sku = incoming.sku and incoming.qty >= 30 returning inv.sku, incoming.qty", want: "c|30"},
		{sql: "select sku from inv order by sku", want: "a b"},
		{sql: "update inv set qty = 0 from incoming", want: ""},
		{sql: "select sum(qty) from inv", want: "0"},
		{sql: "update inv set qty = 1 from nosuch where true", code: "42P01"},
		{sql: "update inv set qty = x.y from incoming x", code: "42703"},
	})
}

func TestOnConflict(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table inv (sku text primary key, qty int not null default 0, note text, code int unique)"},
		{sql: "insert into inv values ('a', 1, null, 1), ('b', 2, null, 2)"},
		{sql: "insert into inv values ('a', 5) on conflict do nothing returning sku", want: ""},
		{sql: "insert into inv values ('c', 5, null, 2) on conflict do nothing returning sku", want: ""},
		{sql: "insert into inv values ('a', 5) on conflict (sku) do nothing"},
		{sql: "insert into inv values ('a', 5) on conflict (sku) do update set qty = inv.qty + excluded.qty returning *", want: "a|6|NULL|1"},
		{sql: "insert into inv as i values ('a', 1), ('e', 7) on conflict (sku) do update set qty = excluded.qty * 100, note = 'upd' where i.qty > 5 returning sku, qty, note",
			want: "a|100|upd e|7|NULL"},
		{sql: "insert into inv values ('b', 9) on conflict (sku) do update set qty = excluded.qty where inv.qty > 100 returning *", want: ""},
		{sql: "insert into inv values ('x', 9, null, 1) on conflict on constraint inv_code_key do update set note = excluded.sku returning sku, note", want: "a|x"},
		{sql: "insert into inv values ('dup', 1), ('dup', 2) on conflict (sku) do update set qty = excluded.qty", code: "21000",
			msg: "ON CONFLICT DO UPDATE command cannot affect row a second time"},
		{sql: "insert into inv values ('q', 1) on conflict (qty) do nothing", code: "42P10"},
		{sql: "insert into inv values ('q', 1) on conflict do update set qty = 1", code: "42601"},
		{sql: "insert into inv values ('q', 1) on conflict on constraint nope do nothing", code: "42704"},
		{sql: "insert into inv values ('q', 1) on conflict (sku) do update set nope = 1", code: "42703"},
		{sql: "insert into inv values ('a', 1) on conflict (sku) do update set qty = null", code: "23502"},
		{sql: "select sku, qty, note from inv order by sku", want: "a|100|x b|2|NULL e|7|NULL"},
	})
}

func TestInsertSelectUnknownLiterals(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table dst (a int, b text default 'd', c numeric(5,1))"},
		{sql: "insert into dst (a) select '42'"},
		{sql: "insert into dst (a, c) select null, '1.25'"},
		{sql: "insert into dst (a) select 'abc'", code: "22P02"},
		{sql: "insert into dst (a) select 'abc'::text", code: "42804"},
		{sql: "insert into dst (a) select 1, 2", code: "42601"},
		{sql: "select a, b, c from dst order by a", want: "42|d|NULL NULL|d|1.3"},
	})
}

func TestForeignKeyTypes(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table p4 (id int primary key, name varchar(5) unique)"},
		{sql: "create table p8 (id bigint primary key)"},
		{sql: "create table c8 (a bigint references p4 on update cascade, n text references p4 (name) on update cascade)"},
		{sql: "create table c4 (a int references p8 on update cascade)"},
		{sql: "create table cbad (a text references p4)", code: "42804", msg: `foreign key constraint "cbad_a_fkey" cannot be implemented`},
		{sql: "insert into p4 values (1, 'one')"},
		{sql: "insert into p8 values (1)"},
		{sql: "insert into c8 values (1, 'one')"},
		{sql: "insert into c8 values (2, null)", code: "23503"},
		{sql: "insert into c8 values (null, 'two')", code: "23503"},
		{sql: "insert into c4 values (1)"},
		{sql: "update p4 set id = 7, name = 'seven' where id = 1"},
		{sql: "select a, n from c8", want: "7|seven"},
		{sql: "update p8 set id = 5000000000 where id = 1", code: "22003"},
		{sql: "update p8 set id = 9 where id = 1"},
		{sql: "select a from c4", want: "9"},
	})
}

func TestForeignKeyCheckedAtStatementEnd(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table tree (id int primary key, up int references tree)"},
		// The child comes before its parent in one statement.
		{sql: "insert into tree values (2, 1), (1, null) returning id", want: "2 1"},
		{sql: "insert into tree values (4, 3), (5, 9) returning id", code: "23503", msg: "Key (up)=(3) is not present"},
		{sql: "select count(*) from tree", want: "2"},
		{sql: "update tree set up = id + 5 where id = 1", code: "23503"},
	})
}
