package exec

import "testing"

// Expected answers are PostgreSQL 15's.
func TestAlterTableColumns(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table al (id int primary key, a text)"},
		{sql: "insert into al values (1, 'one'), (2, 'two')"},
		{sql: "alter table al add column b int"},
		{sql: "select * from al order by id", want: "1|one|NULL 2|two|NULL"},
		{sql: "alter table al add column b int", code: "42701", msg: `column "b" of relation "al" already exists`},
		{sql: "alter table al add column if not exists b int"},
		{sql: "alter table al add column c text default 'dc'"},
		{sql: "select id, c from al order by id", want: "1|dc 2|dc"},
		{sql: "alter table al add column d int not null default 7"},
		{sql: "alter table al add column e int not null", code: "23502", msg: `column "e" of relation "al" contains null values`},
		{sql: "insert into al (id, a) values (3, 'three')"},
		{sql: "select id, c, d from al order by id", want: "1|dc|7 2|dc|7 3|dc|7"},
		{sql: "select id from al where id = 2", want: "2"},
		{sql: "insert into al (id) values (2)", code: "23505"},
		{sql: "alter table al add column s serial"},
		{sql: "select id, s from al order by id", want: "1|1 2|2 3|3"},
		{sql: "alter table al rename column a to aa"},
		{sql: "select id, aa from al order by id", want: "1|one 2|two 3|three"},
		{sql: "select a from al", code: "42703"},
		{sql: "alter table al rename column nope to x", code: "42703", msg: `column "nope" does not exist`},
		{sql: "alter table al rename column aa to c", code: "42701"},
		{sql: "alter table al drop column b"},
		{sql: "select * from al order by id", want: "1|one|dc|7|1 2|two|dc|7|2 3|three|dc|7|3"},
		{sql: "alter table al drop column nothere", code: "42703", msg: `column "nothere" of relation "al" does not exist`},
		{sql: "alter table al drop column if exists nothere"},
		{sql: "alter table al drop column s"},
		{sql: "select nextval('al_s_seq')", code: "42P01"},
		{sql: "alter table al rename to al2"},
		{sql: "select count(*) from al", code: "42P01"},
		{sql: "select count(*) from al2", want: "3"},
		{sql: "alter table al2 alter column aa set not null"},
		{sql: "insert into al2 (id) values (4)", code: "23502"},
		{sql: "alter table al2 alter column aa drop not null"},
		{sql: "insert into al2 (id) values (4)"},
		{sql: "alter table al2 alter column aa set not null", code: "23502", msg: `column "aa" of relation "al2" contains null values`},
		{sql: "alter table al2 alter column id drop not null", code: "42P16", msg: `column "id" is in a primary key`},
		{sql: "alter table al2 alter column c drop default"},
		{sql: "insert into al2 (id, aa) values (5, 'five')"},
		{sql: "alter table al2 alter column c set default 'x' || 'y'"},
		{sql: "insert into al2 (id, aa) values (6, 'six')"},
		{sql: "select id, aa, c, d from al2 order by id", want: "1|one|dc|7 2|two|dc|7 3|three|dc|7 4|NULL|dc|7 5|five|NULL|7 6|six|xy|7"},
		{sql: "alter table al2 alter column d set default 'notint'", code: "22P02"},
		{sql: "alter table if exists nosuch add column z int"},
		{sql: "alter table nosuch add column z int", code: "42P01"},
		{sql: "create table other (x int)"},
		{sql: "alter table al2 rename to other", code: "42P07"},
		{sql: "alter table al2 drop column id"},
		{sql: "insert into al2 values ('again', 'c', 1)"},
		{sql: "select count(*) from al2", want: "7"},
	})
}

// Expected answers are PostgreSQL 15's.
func TestSchemas(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create schema app"},
		{sql: "create schema app", code: "42P06", msg: `schema "app" already exists`},
		{sql: "create schema if not exists app"},
		{sql: "create schema public", code: "42P06"},
		{sql: "create schema pg_x", code: "42939"},
		{sql: "create table app.t (x int primary key)"},
		{sql: "create table nosuch.t (x int)", code: "3F000", msg: `schema "nosuch" does not exist`},
		{sql: "create sequence nosuch.s", code: "3F000"},
		{sql: "insert into app.t values (1), (2)"},
		{sql: "select * from app.t order by x", want: "1 2"},
		{sql: "select t.x from app.t where x = 2", want: "2"},
		{sql: "select * from t", code: "42P01"},
		{sql: "create table t (y text)"},
		{sql: "insert into t values ('public')"},
		{sql: "select * from t", want: "public"},
		{sql: "create sequence app.s"},
		{sql: "select nextval('app.s'), nextval('app.s')", want: "1|2"},
		{sql: "alter table app.t add column z int default 5"},
		{sql: "select * from app.t order by x", want: "1|5 2|5"},
		{sql: "drop schema app", code: "2BP01", msg: "cannot drop schema app because other objects depend on it"},
		{sql: "drop schema nosuch", code: "3F000", msg: `schema "nosuch" does not exist`},
		{sql: "drop schema if exists nosuch"},
		{sql: "drop schema app cascade"},
		{sql: "select * from app.t", code: "42P01"},
		{sql: "select * from t", want: "public"},
		{sql: "create schema app"},
		{sql: "drop schema app restrict"},
	})
}

func TestAlterTableSeveralCommands(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table m (id int primary key, a text)"},
		{sql: "insert into m values (1, 'x'), (2, null)"},
		{sql: "alter table m add column c int default 3, add column d int, drop column a"},
		{sql: "select * from m order by id", want: "1|3|NULL 2|3|NULL"},
		{sql: "alter table m alter column c set not null, alter column d set default 9"},
		{sql: "insert into m (id) values (3)"},
		{sql: "select * from m order by id", want: "1|3|NULL 2|3|NULL 3|3|9"},
		{sql: "alter table m add column e int, alter column d set not null", code: "23502"},
		{sql: "select * from m order by id", want: "1|3|NULL 2|3|NULL 3|3|9"},
		{sql: "alter table m add column f int, add constraint k unique (c)", code: "0A000"},
	})
}

func TestAlterColumnType(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table ct (id int primary key, v varchar(3), n numeric(5,2))"},
		{sql: "insert into ct values (1, 'abc', 1.5)"},
		{sql: "insert into ct values (2, 'abcdef', 1)", code: "22001"},
		{sql: "alter table ct alter column v type varchar(6)"},
		{sql: "insert into ct values (2, 'abcdef', 1)"},
		{sql: "alter table ct alter column v type varchar"},
		{sql: "alter table ct alter column n type numeric"},
		{sql: "insert into ct values (3, 'abcdefghij', 123456.789)"},
		{sql: "select v, n from ct order by id", want: "abc|1.50 abcdef|1.00 abcdefghij|123456.789"},
		{sql: "alter table ct alter column id type bigint"}, // a rewrite: altertype_test.go
		{sql: "select id from ct order by id", want: "1 2 3"},
		{sql: "alter table ct alter column nope type int", code: "42703"},
	})
}
