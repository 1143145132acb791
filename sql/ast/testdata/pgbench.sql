-- pgbench -i (init steps dtgGvpf), as pgbench 15 sends them
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
create table pgbench_accounts(aid bigint not null,bid int,abalance int,filler char(84)) with (fillfactor=90);
begin;
truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
SELECT relkind FROM pg_catalog.pg_class WHERE oid=$1::pg_catalog.regclass;
copy pgbench_branches from stdin with (freeze on);
copy pgbench_tellers from stdin;
insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 10) as bid;
insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 100) as tid;
insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 1000000) as aid;
commit;
vacuum analyze pgbench_branches;
vacuum analyze pgbench_tellers;
vacuum analyze pgbench_accounts;
vacuum analyze pgbench_history;
alter table pgbench_branches add primary key (bid);
alter table pgbench_tellers add primary key (tid);
alter table pgbench_accounts add primary key (aid);
alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches;
alter table pgbench_accounts add constraint pgbench_accounts_bid_fkey foreign key (bid) references pgbench_branches;
alter table pgbench_history add constraint pgbench_history_bid_fkey foreign key (bid) references pgbench_branches;
alter table pgbench_history add constraint pgbench_history_tid_fkey foreign key (tid) references pgbench_tellers;
alter table pgbench_history add constraint pgbench_history_aid_fkey foreign key (aid) references pgbench_accounts;
-- before a run
vacuum pgbench_branches;
vacuum pgbench_tellers;
truncate pgbench_history;
select count(*) from pgbench_branches;
select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1;
-- tpcb-like, simple protocol (variables substituted)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 76543;
SELECT abalance FROM pgbench_accounts WHERE aid = 76543;
UPDATE pgbench_tellers SET tbalance = tbalance + -4321 WHERE tid = 7;
UPDATE pgbench_branches SET bbalance = bbalance + -4321 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 76543, -4321, CURRENT_TIMESTAMP);
END;
-- tpcb-like, extended and prepared protocols
UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;
SELECT abalance FROM pgbench_accounts WHERE aid = $1;
UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;
UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);
-- the invariant check
select sum(abalance) from pgbench_accounts;
select (select sum(tbalance) from pgbench_tellers) = (select sum(delta) from pgbench_history) as ok;
