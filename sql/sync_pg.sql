-- berqenas.sync() from a real PostgreSQL remote (the on-prem cluster): first sync creates the
-- tables, incremental follows the watermark with an overlap window and soft deletes, full reconciles
-- hard deletes, schema changes, status/history/logs, verify, rollback, limits, realtime.
\getenv onprem_port BERQENAS_ONPREM_PORT
\getenv cloud_port PGPORT
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT set_config('sync_test.remote', format('host=127.0.0.1 port=%s user=postgres password=postgres dbname=postgres', :'onprem_port'), false) IS NOT NULL AS remote_set;
SELECT set_config('sync_test.self', format('host=127.0.0.1 port=%s user=postgres password=postgres dbname=%s', :'cloud_port', current_database()), false) IS NOT NULL AS self_set;
CREATE FUNCTION pg_temp.remote(statement text) RETURNS void LANGUAGE sql AS
    $$ SELECT dblink_exec(current_setting('sync_test.remote'), statement) $$;
CREATE FUNCTION pg_temp.remote_value(query text) RETURNS text LANGUAGE sql AS
    $$ SELECT v FROM dblink(current_setting('sync_test.remote'), query) AS t(v text) $$;
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- A sync's counts without the parts that change from run to run (ids, bytes, durations).
CREATE FUNCTION pg_temp.counts(result jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT (result ->> 'status') || ' ' || coalesce(string_agg(format('%s:%s +%s ~%s -%s', t.key, t.value ->> 'mode',
            t.value ->> 'inserted', t.value ->> 'updated', t.value ->> 'deleted'), ' ' ORDER BY t.key), '')
           || ' total=' || (result ->> 'total_synced')
      FROM jsonb_each(result -> 'tables') t
$$;

-- The remote side.
SELECT pg_temp.remote($$
    DROP TABLE IF EXISTS rs_customers, rs_orders, rs_nokey, rs_types CASCADE;
    CREATE TABLE rs_customers (id int PRIMARY KEY, name text NOT NULL, email varchar(100), balance numeric(12,2),
                               updated_at timestamptz NOT NULL, is_deleted boolean NOT NULL DEFAULT false);
    INSERT INTO rs_customers SELECT g, 'customer ' || g, 'c' || g || '@example.org', g * 1.25,
                                    now() - g * interval '1 hour', false FROM generate_series(1, 200) g;
    CREATE TABLE rs_orders (order_id bigint, line int, amount numeric(10,2), note text, updated_at timestamp NOT NULL,
                            PRIMARY KEY (order_id, line));
    INSERT INTO rs_orders SELECT g / 3, g % 3, g, NULL, localtimestamp - g * interval '1 minute' - interval '1 day'
      FROM generate_series(1, 90) g;
    CREATE TABLE rs_nokey (a int, b text);
    INSERT INTO rs_nokey VALUES (1, 'one'), (2, 'two');
    CREATE TABLE rs_types (id int PRIMARY KEY, u uuid, j jsonb, b bytea, d date, t time, ts timestamp, arr int[],
                           f float8, r real, s smallint, big bigint, flag boolean, ch char(3), n numeric, updated_at timestamp);
    INSERT INTO rs_types VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', '\xdeadbeef', '2024-02-29',
        '12:34:56.789', '2024-02-29 12:34:56.789012', '{1,2,3}', 3.14159265358979, 2.5, -7, 9007199254740993, true, 'ab',
        123456789.000000001, localtimestamp),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, localtimestamp)
$$);

SELECT berqenas.create_tenant('sync_acme') > 0 AS tenant;
SELECT berqenas.register_remote_database('rs_erp', 'postgresql', '127.0.0.1', :onprem_port, 'postgres',
                                         'postgres', 'postgres', 'public', tenant => 'sync_acme') > 0 AS registered;
SELECT c - 'tables' AS config, c -> 'tables' AS tables
  FROM berqenas.configure_sync('rs_erp', 'incremental', ARRAY['rs_customers', 'rs_orders', 'rs_types'],
                               target_schema => 'rs_local') AS c;
SELECT pg_temp.error_of($$SELECT berqenas.configure_sync('rs_erp', 'sometimes')$$);
SELECT pg_temp.error_of($$SELECT berqenas.configure_sync('rs_erp', 'incremental', method => 'logical')$$);
SELECT pg_temp.error_of($$SELECT berqenas.sync('nobody')$$);
-- A timestamp column no table has is refused (incremental would silently copy everything in full).
SELECT pg_temp.error_of($$SELECT berqenas.configure_sync('rs_erp', 'incremental', ARRAY['rs_customers', 'rs_orders'],
                                                         timestamp_column => 'changed_on', target_schema => 'rs_local')$$);
SELECT sync_mode, timestamp_column FROM berqenas.sync_configs WHERE remote_database_id = berqenas._remote_database_id('rs_erp');

-- Never synced: verify reports every configured table as never synced, not a match.
SELECT v ->> 'match' AS match, v ->> 'state' AS state, v -> 'never_synced' AS never_synced, v -> 'tables' AS tables
  FROM berqenas.verify('rs_erp') AS v;
-- First sync: tables created from the remote schema, with their primary keys, every row copied.
SELECT pg_temp.counts(s) AS first_sync, s ->> 'sync_id' ~ '^sync_[0-9]{8}_[0-9]{6}(_[0-9]+)?$' AS readable_id,
       (s ->> 'duration_seconds')::numeric >= 0 AS has_duration, (s -> 'tables' -> 'rs_customers' ->> 'bytes')::int > 0 AS has_bytes
  FROM berqenas.sync('rs_erp') AS s;
SELECT table_name, column_name, data_type, character_maximum_length, is_nullable
  FROM information_schema.columns WHERE table_schema = 'rs_local' AND table_name IN ('rs_customers', 'rs_orders')
 ORDER BY table_name, ordinal_position;
SELECT conrelid::regclass AS table_name, pg_get_constraintdef(oid) AS key
  FROM pg_constraint WHERE contype = 'p' AND connamespace = 'rs_local'::regnamespace ORDER BY 1;
SELECT count(*) AS customers, sum(balance) AS balance FROM rs_local.rs_customers;
SELECT id, u, j, b, d, t, ts, arr, f, r, s, big, flag, ch, n FROM rs_local.rs_types ORDER BY id;

-- Incremental: updates, inserts and a soft delete travel; a hard delete waits for a full sync.
SELECT pg_temp.remote($$
    UPDATE rs_customers SET name = name || ' (updated)', updated_at = now() WHERE id IN (1, 2, 3);
    UPDATE rs_customers SET is_deleted = true, updated_at = now() WHERE id = 4;
    INSERT INTO rs_customers VALUES (201, 'new one', NULL, 0, now(), false), (202, 'new two', NULL, 0, now(), false);
    DELETE FROM rs_customers WHERE id = 150;
$$);
SELECT pg_temp.counts(berqenas.sync('rs_erp')) AS incremental;
SELECT id, name, is_deleted FROM rs_local.rs_customers WHERE id IN (1, 4, 150, 201) ORDER BY id;
-- Running it again re-reads the overlap window but changes nothing (re-applied rows are idempotent).
SELECT pg_temp.counts(berqenas.sync('rs_erp')) AS again;
-- A row committed late with a timestamp older than the watermark is still picked up (overlap window).
SELECT pg_temp.remote($$UPDATE rs_customers SET name = 'late commit', updated_at = now() - interval '2 minutes' WHERE id = 10$$);
SELECT pg_temp.counts(berqenas.sync('rs_erp', ARRAY['rs_customers'])) AS late;
SELECT name FROM rs_local.rs_customers WHERE id = 10;
-- Changes that equality does not see are still changes: numeric 5.0 -> 5.00, float 0 -> -0.
SELECT pg_temp.remote($$UPDATE rs_types SET n = 5.0, f = 0, updated_at = localtimestamp WHERE id = 1$$);
SELECT pg_temp.counts(berqenas.sync('rs_erp', ARRAY['rs_types'])) AS set_values;
-- (updated_at stays: the row is re-read through the overlap window, and only n and f differ)
SELECT pg_temp.remote($$UPDATE rs_types SET n = 5.00, f = '-0' WHERE id = 1$$);
SELECT pg_temp.counts(berqenas.sync('rs_erp', ARRAY['rs_types'])) AS scale_and_sign;
SELECT n, f FROM rs_local.rs_types WHERE id = 1;
-- full => true reconciles the hard delete.
SELECT pg_temp.counts(berqenas.sync('rs_erp', ARRAY['rs_customers'], "full" => true)) AS reconcile;
SELECT count(*) AS customers, count(*) FILTER (WHERE id = 150) AS deleted_row_left FROM rs_local.rs_customers;
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp', ARRAY['rs_nokey'])$$);

-- verify: counts and checksums agree; a local change is named by its key. The newest sync failed
-- (the refused one just above), so the copy may be stale: no match, and the state says why.
SELECT v ->> 'match' AS match, v ->> 'state' AS state, v -> 'tables' -> 'rs_customers' ->> 'remote_rows' AS remote_rows,
       v -> 'tables' -> 'rs_customers' ->> 'local_rows' AS local_rows
  FROM berqenas.verify('rs_erp') AS v;
UPDATE rs_local.rs_customers SET name = 'tampered' WHERE id = 7;
DELETE FROM rs_local.rs_orders WHERE order_id = 5 AND line = 1;
SELECT t.key AS table_name, t.value ->> 'match' AS match, t.value -> 'differing_keys' AS differing_keys
  FROM berqenas.verify('rs_erp', ARRAY['rs_customers', 'rs_orders']) AS v, jsonb_each(v -> 'tables') t ORDER BY 1;
SELECT pg_temp.counts(berqenas.sync('rs_erp', "full" => true)) AS repaired;
SELECT berqenas.verify('rs_erp') ->> 'match' AS match_after_full_sync;

-- rollback: the journal puts rows back; a later sync touching the same rows must go first.
SELECT pg_temp.remote($$UPDATE rs_customers SET name = 'first change', updated_at = now() WHERE id IN (20, 21)$$);
SELECT berqenas.sync('rs_erp', ARRAY['rs_customers']) ->> 'sync_id' AS s1 \gset
SELECT pg_temp.remote($$UPDATE rs_customers SET name = 'second change', updated_at = now() WHERE id IN (21, 22)$$);
SELECT berqenas.sync('rs_erp', ARRAY['rs_customers']) ->> 'sync_id' AS s2 \gset
SELECT regexp_replace(pg_temp.error_of(format('SELECT berqenas.rollback(%L)', :'s1')), 'sync_[0-9_]+', 'sync_X', 'g') AS refused;
SELECT r -> 'tables' AS rolled_back_rows, jsonb_array_length(r -> 'rolled_back') AS syncs_rolled_back
  FROM berqenas.rollback(:'s1', include_later => true) AS r;
SELECT id, name FROM rs_local.rs_customers WHERE id IN (20, 21, 22) ORDER BY id;
SELECT status, count(*) FROM berqenas.sync_history('rs_erp', 100) GROUP BY status ORDER BY status;
SELECT regexp_replace(pg_temp.error_of(format('SELECT berqenas.rollback(%L)', :'s2')), 'sync_[0-9_]+', 'sync_X', 'g') AS twice;
SELECT pg_temp.error_of($$SELECT berqenas.rollback('sync_19990101_000000')$$);

-- Schema changes: a new remote column is added locally; a dropped or retyped one stops the sync
-- with an error naming it, and nothing changes.
SELECT pg_temp.remote('ALTER TABLE rs_orders ADD COLUMN channel text DEFAULT ''web''');
SELECT pg_temp.counts(berqenas.sync('rs_erp', ARRAY['rs_orders'])) AS with_new_column;
SELECT channel, count(*) FROM rs_local.rs_orders GROUP BY channel;
SELECT pg_temp.remote('ALTER TABLE rs_orders DROP COLUMN note');
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp', ARRAY['rs_orders'])$$);
SELECT count(*) AS note_column_still_there FROM information_schema.columns
 WHERE table_schema = 'rs_local' AND table_name = 'rs_orders' AND column_name = 'note';
SELECT pg_temp.remote('ALTER TABLE rs_orders ADD COLUMN note text; ALTER TABLE rs_orders ALTER COLUMN line TYPE bigint');
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp', ARRAY['rs_orders'])$$);
SELECT pg_temp.remote('ALTER TABLE rs_orders ALTER COLUMN line TYPE int');

-- A table without a primary key is copied in full on every sync (with a warning); realtime refuses it.
SELECT berqenas.configure_sync('rs_erp', 'incremental', ARRAY['rs_customers', 'rs_nokey'], target_schema => 'rs_local') IS NOT NULL AS reconfigured;
SELECT pg_temp.counts(berqenas.sync('rs_erp')) AS keyless_full;
SELECT pg_temp.remote($$INSERT INTO rs_nokey VALUES (3, 'three')$$);
SELECT pg_temp.counts(berqenas.sync('rs_erp')) AS keyless_again;
SELECT * FROM rs_local.rs_nokey ORDER BY a;
SELECT severity, table_name, message FROM berqenas.sync_logs('rs_erp', 1, 'warning');
SELECT pg_temp.error_of($$SELECT berqenas.configure_sync('rs_erp', 'realtime', ARRAY['rs_customers', 'rs_nokey'], target_schema => 'rs_local')$$);
SELECT coalesce(pg_temp.remote_value($$SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgname LIKE 'berqenas\_cdc\_rs%'$$), 'none') AS nothing_installed;

-- A failed sync is recorded as failed, with its error, even though its statement failed.
SELECT berqenas.configure_sync('rs_erp', 'incremental', ARRAY['rs_customers', 'rs_missing'], target_schema => 'rs_local') IS NOT NULL AS with_missing;
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp')$$);
SELECT status, error, error_sqlstate FROM berqenas.sync_history('rs_erp', 1);
SELECT severity, message FROM berqenas.sync_logs('rs_erp', 1, 'error');
SELECT berqenas.configure_sync('rs_erp', 'incremental', ARRAY['rs_customers', 'rs_orders'], target_schema => 'rs_local') IS NOT NULL AS restored;

-- Status: mode, last sync, error count, all from sync_jobs.
SELECT s ->> 'mode' AS mode, s -> 'last_sync' ->> 'status' AS last_status, s -> 'last_sync' ->> 'error_sqlstate' AS last_error,
       (s ->> 'error_count')::int AS errors, (s ->> 'sync_count')::int > 5 AS many_syncs, s ->> 'running' AS running,
       s -> 'tables' -> 'rs_customers' ->> 'local_table' AS local_table, s ->> 'next_run' AS next_run
  FROM berqenas.sync_status('rs_erp') AS s;
SELECT pg_temp.error_of($$SELECT * FROM berqenas.sync_logs('rs_erp', 10, 'loud')$$);
-- next_run comes from a pg_cron schedule (cron expression, UTC); the calculation itself:
SELECT s, berqenas._cron_next_run(s, '2026-01-14 15:30:10+00') AT TIME ZONE 'UTC' AS next_run
  FROM unnest(ARRAY['*/15 * * * *', '0 2 * * *', '@hourly', '30 9 * * mon']) s;

-- Limits. The database size is checked before a full sync.
SET berqenas.max_database_size = '1MB';
SELECT regexp_replace(pg_temp.error_of($$SELECT berqenas.sync('rs_erp', "full" => true)$$), '[0-9]+ MB, more', 'N MB, more') AS too_big;
RESET berqenas.max_database_size;
-- One sync per remote database: another session holding its lock makes us refuse (or wait).
SELECT dblink_connect('other', current_setting('sync_test.self')) AS other_session;
SELECT v FROM dblink('other', format('SELECT pg_advisory_lock(20260, %s)::text',
                                     (SELECT id FROM berqenas.remote_databases WHERE name = 'rs_erp'))) AS t(v text);
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp')$$);
SET berqenas.sync_wait_timeout = 1;
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp')$$);
RESET berqenas.sync_wait_timeout;
SELECT v FROM dblink('other', 'SELECT pg_advisory_unlock_all()::text') AS t(v text);
-- At most berqenas.max_concurrent_syncs_per_tenant syncs of one tenant at a time.
SET berqenas.max_concurrent_syncs_per_tenant = 1;
SELECT v FROM dblink('other', format('SELECT pg_advisory_lock(20300, %s)::text',
                                     (SELECT id FROM berqenas.tenants WHERE name = 'sync_acme'))) AS t(v text);
SELECT pg_temp.error_of($$SELECT berqenas.sync('rs_erp')$$);
SELECT v FROM dblink('other', 'SELECT pg_advisory_unlock_all()::text') AS t(v text);
RESET berqenas.max_concurrent_syncs_per_tenant;
SELECT dblink_disconnect('other');
SELECT count(*) AS running_syncs FROM berqenas.sync_progress;

-- Realtime: a trigger and change table on the remote, a worker applying changes; off removes them.
SELECT c ->> 'sync_mode' AS mode, c -> 'capture' AS capture, c ->> 'worker_started' AS worker
  FROM berqenas.configure_sync('rs_erp', 'realtime', ARRAY['rs_customers'], target_schema => 'rs_local') AS c;
SELECT pg_temp.remote_value($$SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = 'rs_customers'::regclass AND NOT tgisinternal$$) AS remote_triggers;
SELECT pg_temp.remote($$UPDATE rs_customers SET name = 'realtime!' WHERE id = 30; DELETE FROM rs_customers WHERE id = 31;
                        INSERT INTO rs_customers VALUES (300, 'realtime insert', NULL, 0, now(), false)$$);
DO $$
BEGIN
    FOR i IN 1..100 LOOP
        EXIT WHEN (SELECT count(*) FROM rs_local.rs_customers WHERE (id = 30 AND name = 'realtime!') OR id = 300) = 2
              AND NOT EXISTS (SELECT 1 FROM rs_local.rs_customers WHERE id = 31);
        PERFORM pg_sleep(0.1);
    END LOOP;
END
$$;
SELECT id, name FROM rs_local.rs_customers WHERE id IN (30, 31, 300) ORDER BY id;
-- What the worker applied is a realtime run: counts, and a journal rollback() can use.
SELECT mode, status, records_synced, tables -> 'rs_customers' AS counts,
       sync_id = berqenas.sync_status('rs_erp') -> 'realtime_run' ->> 'sync_id' AS open_run
  FROM berqenas.sync_history('rs_erp', 1);
SELECT c -> 'capture' AS removed FROM berqenas.configure_sync('rs_erp', 'incremental', ARRAY['rs_customers'], target_schema => 'rs_local') AS c;
SELECT coalesce(pg_temp.remote_value($$SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = 'rs_customers'::regclass AND NOT tgisinternal$$), 'none') AS remote_triggers,
       pg_temp.remote_value($$SELECT count(*)::text FROM pg_class WHERE relname LIKE 'berqenas\_cdc\_rs\_customers%'$$) AS change_tables;

-- Clean up, here and on the remote.
SELECT berqenas.unregister_remote_database('rs_erp');
DROP SCHEMA rs_local CASCADE;
DELETE FROM berqenas.tenants WHERE name = 'sync_acme';
SELECT pg_temp.remote('DROP TABLE rs_customers, rs_orders, rs_nokey, rs_types');
