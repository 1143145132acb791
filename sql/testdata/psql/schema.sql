CREATE TABLE accounts (
  id int PRIMARY KEY,
  name varchar(40) NOT NULL UNIQUE,
  balance numeric(12,2) DEFAULT 0,
  created timestamptz DEFAULT now(),
  note text DEFAULT 'none'
);
CREATE TABLE orders (
  order_id bigint NOT NULL,
  account_id int NOT NULL,
  qty smallint DEFAULT -1,
  price double precision,
  code char(3),
  shipped boolean DEFAULT false,
  day date,
  PRIMARY KEY (order_id, account_id)
);
CREATE INDEX orders_account_idx ON orders (account_id, day);
CREATE UNIQUE INDEX orders_code_idx ON orders (code);
CREATE SEQUENCE order_seq;
