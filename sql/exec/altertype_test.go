package exec

import "testing"

// TestAlterColumnTypeRewrite: ALTER COLUMN TYPE converts every row with the
// assignment cast or USING, rebuilds the indexes, and leaves the table as
// it was when a row fails (values as PostgreSQL 15 answers them).
func TestAlterColumnTypeRewrite(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table at (id int primary key, b text, c numeric(10,2), d int, e real)"},
		{sql: "insert into at values (1, '10', 1.25, 5, 1.5), (2, 'x', 2.5, 6, 2.5)"},
		{sql: "create index at_d on at (d)"},
		{sql: "alter table at alter column b type int", code: "42804", msg: "column \"b\" cannot be cast automatically to type integer"},
		{sql: "alter table at alter column b type int using b::int", code: "22P02"},
		{sql: "select * from at order by id", want: "1|10|1.25|5|1.5 2|x|2.50|6|2.5"},
		{sql: "alter table at alter column b type int using case when b ~ '^[0-9]+$' then b::int end"},
		{sql: "select * from at order by id", want: "1|10|1.25|5|1.5 2|NULL|2.50|6|2.5"},
		{sql: "alter table at alter column c type int"},
		{sql: "alter table at alter column e type double precision"},
		{sql: "alter table at alter column d set data type text"},
		{sql: "select id, c, d, e from at where d = '5'", want: "1|1|5|1.5"},
		{sql: "select id from at where d > '5'", want: "2"},
		{sql: "alter table at alter column e type int"},
		{sql: "select * from at order by id", want: "1|10|1|5|2 2|NULL|3|6|2"},
		// Two ids become equal: the primary key's rebuild fails, nothing changes.
		{sql: "alter table at alter column id type text using 'same'", code: "23505"},
		{sql: "alter table at alter column id type int using id * 10"},
		{sql: "select id from at order by id", want: "10 20"},
		{sql: "insert into at (id) values (10)", code: "23505"},
		{sql: "alter table at alter column b type boolean using b > 1"},
		{sql: "select b from at order by id", want: "t NULL"},
		{sql: "alter table at alter column c set not null"},
		{sql: "alter table at alter column c type int using null", code: "23502"},
		{sql: "alter table at add constraint at_c check (c < 100)"},
		{sql: "alter table at alter column c type int using c * 100", code: "23514"},
		{sql: "alter table at alter column c type bigint using c * 10"},
		{sql: "select c from at order by id", want: "10 30"},
		{sql: "alter table at alter column c type int using sum(c)", code: "42803"},
		{sql: "alter table at alter column c type date", code: "42804"},
		{sql: "alter table at alter column c type text using c::text || 'x'", code: "42883"}, // CHECK c < 100 on text
		{sql: "alter table at alter column c type int using (select 1)", code: "0A000"},
		{sql: "alter table at alter column nope type int", code: "42703"},
		{sql: "alter table at alter column c type nosuch", code: "42704"},
	})
}

// TestAlterColumnTypeDependents: columns that a foreign key or a view
// depends on are refused; a default that no longer converts is 42804.
func TestAlterColumnTypeDependents(t *testing.T) {
	d := newTestDB(t)
	runSteps(t, d, []step{
		{sql: "create table p (id int primary key, v text default 'abc')"},
		{sql: "create table ch (id int primary key, pid int references p (id))"},
		{sql: "alter table ch alter column pid type bigint", code: "0A000"},
		{sql: "alter table p alter column id type bigint", code: "0A000"},
		{sql: "create view pv as select v from p"},
		{sql: "alter table p alter column v type varchar(10)", code: "0A000"},
		{sql: "drop view pv"},
		{sql: "alter table p alter column v type int using 0", code: "42804", msg: "default for column \"v\""},
		{sql: "alter table p alter column v type varchar(10)"},
		{sql: "insert into p (id) values (1)"},
		{sql: "select v from p", want: "abc"},
	})
}
