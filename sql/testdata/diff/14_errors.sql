-- Errors and their SQLSTATEs.
create table er (id int primary key, name varchar(5) not null, n int, r int);
create table erchk (n int check (n >= 0));
create table erp (id int primary key);
create table erc (id int primary key, pid int references erp (id));
insert into er values (1, 'a', 1, null);
-- 23505 unique violation
insert into er values (1, 'b', 1, null);
-- 23502 not null
insert into er values (2, null, 1, null);
update er set name = null where id = 1;
-- 23514 check
insert into erchk values (-1);
-- 23503 foreign key
insert into erc values (1, 7);
-- 22012 division by zero
select 1 / 0;
select 1.0 / 0;
select 5 % 0;
select id / 0 from er;
-- 22003 numeric out of range
select 2147483647 + 1;
select (-32768)::int2 - 1::int2;
select 9223372036854775807 * 2;
select 100000::int2;
select 12345.678::numeric(5,2);
-- 22001 string too long
insert into er values (4, 'toolong', 1, null);
update er set name = 'abcdefg' where id = 1;
select 'abcdef'::varchar(3);
-- 22P02 invalid text representation
select 'abc'::int;
select ''::int;
select '1.5'::int;
select 'maybe'::boolean;
insert into er values ('x', 'a', 1, null);
-- 22007/22008 bad dates
select '2024-02-30'::date;
select 'notadate'::date;
-- 42P01 undefined table
select * from nosuch;
insert into nosuch values (1);
-- 42703 undefined column
select nocol from er;
update er set nocol = 1;
select er.nocol from er;
-- 42883 undefined function / operator
select nosuchfunc(1);
select 'a'::text - 1;
select length(1, 2, 3);
-- 42601 syntax
selec 1;
select from where;
select (1;
-- 42804 datatype mismatch, 42P07 duplicate table, 42710, 42701
select case when true then 1 else 'x'::text end;
create table er (x int);
alter table er add column name text;
select 1 where 1;
-- 42702 ambiguous column, 42803 grouping
select id from er, erp;
select name, count(*) from er;
-- 25P02 in failed transaction
begin;
select 1/0;
select 1;
insert into er values (9, 'z', 1, null);
rollback;
select count(*) from er;
-- still working after errors
select id, name, n from er order by id;
