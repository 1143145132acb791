-- The schema psql's meta-commands are compared on: pgbench's tables as
-- `pgbench -i` creates them, plus an index.
create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22));
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
alter table pgbench_branches add primary key (bid);
alter table pgbench_tellers add primary key (tid);
alter table pgbench_accounts add primary key (aid);
create index pgbench_accounts_bid on pgbench_accounts (bid);
insert into pgbench_branches values (1, 0, null);
insert into pgbench_tellers select g, 1, 0, null from generate_series(1, 10) g;
insert into pgbench_accounts select g, 1, 0, '' from generate_series(1, 1000) g;
-- A table with the other kinds of column and constraint psql's \d shows
-- (serial, UNIQUE, NOT NULL, defaults, CHECK), an index on it and a sequence.
create table accounts (id serial primary key, name varchar(40) not null unique, balance numeric(12,2) default 0 check (balance >= 0), created timestamptz default now(), note text default 'none');
create index accounts_created_idx on accounts (created, note);
create sequence order_seq;
-- Foreign keys (ON DELETE CASCADE and RESTRICT, composite, self-
-- referencing), an identity column, a view, a sequence owned by a column
-- and a schema with a table, for \d of every relation kind.
create table customers (id int primary key, region int not null, name text, unique (id, region));
create table orders (id int generated always as identity primary key, customer_id int references customers (id) on delete cascade, region int, parent_id int references orders (id) on delete restrict, foreign key (customer_id, region) references customers (id, region));
create view big_orders as select id, customer_id from orders where id > 10;
create sequence invoice_seq owned by customers.id;
create schema sales;
create table sales.regions (id int primary key, name text not null);
