package exec

import (
	"errors"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestSystemColumns checks ctid, xmin, xmax, cmin, cmax and tableoid of
// base tables; expected answers are PostgreSQL 15's where they do not
// depend on physical placement or xid values.
func TestSystemColumns(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table k (id int primary key, s text)")
	d.exec("create table m (id int, v int)")
	d.exec("insert into m values (1, 10), (2, 20)")
	for _, tc := range []struct{ sql, want string }{
		// The upsert idiom: xmax = 0 for an inserted row, not for an updated one.
		{"insert into k (id) values (30) on conflict (id) do update set s = 'c' returning (xmax = 0) as inserted", "t"},
		{"insert into k (id) values (30) on conflict (id) do update set s = 'c' returning (xmax = 0) as inserted, s", "f|c"},
		{"insert into k (id) values (31), (30) on conflict (id) do update set s = 'd' returning id, xmax <> 0", "31|f 30|t"},
		{"insert into k (id, s) values (40, 'x') returning xmax = 0, cmin, cmax, xmin <> 0, tableoid = 'k'::regclass", "t|0|0|t|t"},
		// Not in *, reachable by name and qualified by an alias.
		{"select * from m order by id", "1|10 2|20"},
		{"select id, xmax from m order by id", "1|0 2|0"},
		{"select x.id, x.xmax = 0, x.tableoid::regclass from m x order by 1", "1|t|m 2|t|m"},
		{"select count(distinct ctid) from m", "2"},
		{"select a.ctid = b.ctid from m a join m b using (id) limit 1", "t"},
		{"select count(ctid) from m a, (select 1) s", "2"},
		{"select '-1'::xid, '4294967295'::xid, '4294967296'::xid, ' (1,2)'::tid, '(1, 2)'::tid", "4294967295|4294967295|0|(1,2)|(1,2)"},
		{"select 'x'::xid, '12abc'::xid, '0x10'::cid, '010'::xid, '99999999999999999999'::xid", "0|12|16|8|4294967295"},
		{"select m.id from m where ctid = (select ctid from m where id = 2)", "2"},
		{"select id from m where xmin = (select xmin from m where id = 1) order by id", "1 2"},
		{"select pg_typeof(ctid), pg_typeof(xmin), pg_typeof(cmin), pg_typeof(xmax) from m limit 1", "tid|xid|cid|xid"},
		{"select a.id, b.id from m a join m b on a.ctid = b.ctid order by 1", "1|1 2|2"},
		{"select count(*) from m natural join m n", "2"},
		{"select xmax::text, '5'::xid = 5, '(3,4)'::tid, '(3,4)'::tid = '(3, 4)' from m limit 1", "0|t|(3,4)|t"},
		{"select * from (select * from m) s order by id", "1|10 2|20"},
	} {
		rows, _, err := d.query(tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got := strings.Join(rows, " "); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.sql, got, tc.want)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"create table bad (id int, xmin int)", "42701"},
		{"create table bad (ctid text)", "42701"},
		{"select xmin from (select id from m) s", "42703"},
		{"select ctid from m a, m b", "42702"},
		{"select ctid from m join (select 1 x) s on true", "42703"},
		{"select '( 3 , 4 )'::tid", "22P02"},
		{"select xmin::int from m", "42846"},
		{"select xmin < xmin from m", "42883"},
		{"select '(1)'::tid", "22P02"},
		{"select 1::xid", "42846"},
		{"delete from m where ctid = '(0,1)'", "0A000"},
		{"insert into k (id) values (50) on conflict (id) do nothing returning ctid", "0A000"},
	} {
		_, _, err := d.query(tc.sql)
		var te *types.Error
		if !errors.As(err, &te) || te.Code != tc.code {
			t.Errorf("%s: got %v, want SQLSTATE %s", tc.sql, err, tc.code)
		}
	}
}
