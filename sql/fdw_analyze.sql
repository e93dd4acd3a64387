-- ANALYZE of berqenas_fdw tables, both kinds: every remote row is read once, PostgreSQL's reservoir
-- keeps the sample, and the planner then knows the row count and the columns' statistics instead
-- of guessing 1000 rows. Errors: a remote that cannot be reached, a value that cannot be converted.
\getenv onprem_port BERQENAS_ONPREM_PORT
\getenv tds_port BERQENAS_TDS_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_an_pg', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
SELECT berqenas.register_remote_database('fdw_an_ms', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
RESET client_min_messages;
CREATE SERVER fdw_an_pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_an_pg');
CREATE SERVER fdw_an_ms FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_an_ms');
SELECT berqenas.fdw_execute('fdw_an_pg', $$
    DROP SCHEMA IF EXISTS fdw_an CASCADE;
    CREATE SCHEMA fdw_an;
    CREATE TABLE fdw_an.events (id int PRIMARY KEY, kind text NOT NULL, amount numeric(10,2), at timestamp);
    INSERT INTO fdw_an.events
        SELECT g, CASE WHEN g % 10 = 0 THEN 'rare' ELSE 'common' END, g / 4.0, timestamp '2026-01-01' + g * interval '1 minute'
          FROM generate_series(1, 5000) g$$);
SELECT berqenas.fdw_execute('fdw_an_ms', 'DROP SCHEMA IF EXISTS fdw_an_ms CASCADE');
SELECT berqenas.fdw_execute('fdw_an_ms', 'CREATE SCHEMA fdw_an_ms');
SELECT berqenas.fdw_execute('fdw_an_ms', $$CREATE TABLE [fdw_an_ms].[events] (
    [id] INT NOT NULL PRIMARY KEY, [kind] NVARCHAR(20) NOT NULL, [amount] DECIMAL(10,2), [at] DATETIME2)$$);
SELECT berqenas.fdw_execute('fdw_an_ms', $$INSERT INTO [fdw_an_ms].[events] ([id], [kind], [amount], [at])
    SELECT [id], [kind], [amount], [at] FROM [fdw_an].[events]$$);
CREATE SCHEMA an;
CREATE FOREIGN TABLE an.pg_events (id int, kind text, amount numeric(10,2), at timestamp)
    SERVER fdw_an_pg OPTIONS (schema_name 'fdw_an', table_name 'events');
CREATE FOREIGN TABLE an.ms_events (id int, kind text, amount numeric(10,2), at timestamp)
    SERVER fdw_an_ms OPTIONS (schema_name 'fdw_an_ms', table_name 'events');

-- Before: no statistics, the planner's default guess.
SELECT relname, reltuples FROM pg_class WHERE relname IN ('pg_events', 'ms_events') ORDER BY relname;
EXPLAIN (COSTS ON) SELECT * FROM an.pg_events WHERE kind = 'rare';

-- ANALYZE reads every row (VERBOSE says how many) and keeps a sample; with the statistics target
-- at 10, the sample is 3,000 of the 5,000 rows.
ALTER FOREIGN TABLE an.pg_events ALTER COLUMN kind SET STATISTICS 10;
ALTER FOREIGN TABLE an.pg_events ALTER COLUMN id SET STATISTICS 10;
ALTER FOREIGN TABLE an.pg_events ALTER COLUMN amount SET STATISTICS 10;
ALTER FOREIGN TABLE an.pg_events ALTER COLUMN at SET STATISTICS 10;
SET client_min_messages = info;
ANALYZE VERBOSE an.pg_events;
ANALYZE VERBOSE an.ms_events;
RESET client_min_messages;
SELECT relname, reltuples FROM pg_class WHERE relname IN ('pg_events', 'ms_events') ORDER BY relname;
-- The statistics are the remote's: 'common' nine rows in ten, 'rare' one in ten, ids distinct.
SELECT tablename, attname, n_distinct, most_common_vals::text,
       (SELECT round(f::numeric, 1) FROM unnest(most_common_freqs) f LIMIT 1) AS top_freq
  FROM pg_stats WHERE schemaname = 'an' AND attname IN ('kind', 'id') ORDER BY tablename, attname;
-- So the planner's estimates follow the data (500 rare rows of 5,000; 4,500 common). The 3,000-row
-- sample is random, so that estimate is checked within a margin; the MSSQL table was sampled whole.
CREATE FUNCTION an.planned_rows(query text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::int;
END $$;
SELECT an.planned_rows($$SELECT * FROM an.pg_events WHERE kind = 'rare'$$) BETWEEN 400 AND 600 AS near_500;
EXPLAIN (COSTS ON) SELECT * FROM an.ms_events WHERE kind = 'common';
-- The answers themselves are unchanged.
SELECT count(*), sum(amount) FROM an.ms_events WHERE kind = 'rare';

-- Errors. A value the local type cannot hold names its column and the remote row's key.
CREATE FOREIGN TABLE an.narrow (id int OPTIONS (key 'true'), kind varchar(4))
    SERVER fdw_an_pg OPTIONS (schema_name 'fdw_an', table_name 'events');
ANALYZE an.narrow;
-- A remote that cannot be reached.
CREATE SERVER fdw_an_down FOREIGN DATA WRAPPER berqenas_fdw
    OPTIONS (database_type 'postgresql', host '127.0.0.1', port '1', dbname 'postgres', connect_timeout '2');
CREATE USER MAPPING FOR CURRENT_USER SERVER fdw_an_down OPTIONS (username 'postgres', password 'postgres');
CREATE FOREIGN TABLE an.down (id int) SERVER fdw_an_down OPTIONS (table_name 'events');
\set VERBOSITY sqlstate
ANALYZE an.down;
\set VERBOSITY default

-- Clean up.
SELECT berqenas.fdw_execute('fdw_an_pg', 'DROP SCHEMA fdw_an CASCADE');
SELECT berqenas.fdw_execute('fdw_an_ms', 'DROP SCHEMA fdw_an_ms CASCADE');
SET client_min_messages = warning;
DROP SCHEMA an CASCADE;
DROP SERVER fdw_an_down CASCADE;
SELECT berqenas.unregister_remote_database('fdw_an_pg', cascade => true);
SELECT berqenas.unregister_remote_database('fdw_an_ms', cascade => true);
RESET client_min_messages;
