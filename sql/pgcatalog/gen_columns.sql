-- The query whose output (against PostgreSQL 15) columns.go was generated from.
select c.relname, n.nspname, c.oid,
       string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.atttypid, ';' order by a.attnum)
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
where n.nspname in ('pg_catalog', 'information_schema')
  and c.relname in ('pg_roles', 'pg_user', 'pg_tables', 'pg_indexes', 'tables', 'columns', 'schemata',
    'pg_class', 'pg_attribute', 'pg_type', 'pg_proc', 'pg_namespace', 'pg_index', 'pg_constraint',
    'pg_attrdef', 'pg_database', 'pg_am', 'pg_description', 'pg_shdescription', 'pg_collation',
    'pg_policy', 'pg_statistic_ext', 'pg_publication', 'pg_publication_namespace',
    'pg_publication_rel', 'pg_inherits', 'pg_partitioned_table', 'pg_tablespace',
    'pg_auth_members', 'pg_sequence', 'pg_trigger', 'pg_extension', 'pg_db_role_setting')
group by 1, 2, 3
order by 2, 1;
