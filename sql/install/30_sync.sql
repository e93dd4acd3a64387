-- Part of berqenas--0.1.0.sql: sync from remote databases into local tables (docs/sync.md).
-- configure_sync, sync, sync_status, sync_history, sync_logs, verify, rollback, sync_progress.

------------------------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------------------------

-- How one remote database is synced (one row per database, written by configure_sync).
CREATE TABLE berqenas.sync_configs (
    remote_database_id bigint PRIMARY KEY
                       REFERENCES berqenas.remote_database_registry (id) ON DELETE CASCADE,
    sync_mode          text NOT NULL CHECK (sync_mode IN ('full', 'incremental', 'realtime')),
    tables             text[],
    timestamp_column   text NOT NULL,
    target_schema      text NOT NULL,
    method             text NOT NULL CHECK (method IN ('trigger')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per synced table: where it lands, its watermark and its change capture.
CREATE TABLE berqenas.sync_tables (
    id                 bigserial PRIMARY KEY,
    remote_database_id bigint NOT NULL REFERENCES berqenas.remote_database_registry (id) ON DELETE CASCADE,
    remote_schema      text NOT NULL,
    remote_table       text NOT NULL,
    local_schema       text NOT NULL,
    local_table        text NOT NULL,
    primary_key        text[] NOT NULL DEFAULT '{}',
    timestamp_column   text,          -- the column incremental syncs follow; NULL: full only
    watermark          text,          -- largest timestamp_column value copied (local text form)
    capture_table      text,          -- realtime: the remote change table, NULL when none
    capture_trigger    text,
    last_sync_job_id   bigint REFERENCES berqenas.sync_jobs (id) ON DELETE SET NULL,
    last_synced_at     timestamptz,
    realtime_applied   bigint NOT NULL DEFAULT 0,
    realtime_applied_at timestamptz,
    UNIQUE (remote_database_id, remote_schema, remote_table)
);

-- What each sync did, line by line (sync_logs).
CREATE TABLE berqenas.sync_job_log (
    id          bigserial PRIMARY KEY,
    sync_job_id bigint NOT NULL REFERENCES berqenas.sync_jobs (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    level       text NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error')),
    table_name  text,
    message     text NOT NULL
);
CREATE INDEX ON berqenas.sync_job_log (sync_job_id, id);

-- The rows each sync changed, as they were before (rollback). One changed row (key, old_row; old_row
-- NULL: the row did not exist), or a batch of them (entries: a JSON array of [key, old_row] pairs,
-- as incremental syncs write them, one journal row per batch). whole_table: the table was empty
-- before this sync (rolling back empties it again).
CREATE TABLE berqenas.sync_journal (
    id            bigserial PRIMARY KEY,
    sync_job_id   bigint NOT NULL REFERENCES berqenas.sync_jobs (id) ON DELETE CASCADE,
    sync_table_id bigint NOT NULL REFERENCES berqenas.sync_tables (id) ON DELETE CASCADE,
    whole_table   boolean NOT NULL DEFAULT false,
    key           jsonb,
    old_row       jsonb,
    entries       jsonb
);
CREATE INDEX ON berqenas.sync_journal (sync_job_id);

-- A sync's journal one changed row at a time, batches unpacked, in the order they were written.
CREATE FUNCTION berqenas._sync_journal_entries(job_id bigint)
    RETURNS TABLE (id bigint, ord bigint, sync_table_id bigint, whole_table boolean, key jsonb, old_row jsonb)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jr.id, 1::bigint, jr.sync_table_id, jr.whole_table, jr.key, jr.old_row
      FROM berqenas.sync_journal jr WHERE jr.sync_job_id = job_id AND jr.entries IS NULL
    UNION ALL
    SELECT jr.id, e.ord, jr.sync_table_id, false, e.pair -> 0,
           CASE WHEN jsonb_typeof(e.pair -> 1) = 'null' THEN NULL ELSE e.pair -> 1 END
      FROM berqenas.sync_journal jr, jsonb_array_elements(jr.entries) WITH ORDINALITY AS e(pair, ord)
     WHERE jr.sync_job_id = job_id AND jr.entries IS NOT NULL
$$;

SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_configs', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_tables', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_tables_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_job_log', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_job_log_id_seq', '');

------------------------------------------------------------------------------------------------
-- Internal functions (C): only the extension owner runs them, through the API below.
------------------------------------------------------------------------------------------------

CREATE FUNCTION berqenas._sync_run(remote_database_id bigint, tables text[], full_sync boolean, origin text)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_run';
CREATE FUNCTION berqenas._sync_capture(remote_database_id bigint, install boolean) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_capture';
CREATE FUNCTION berqenas._sync_require_realtime() RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_require_realtime';
CREATE FUNCTION berqenas._sync_start_worker(remote_database_id bigint) RETURNS boolean
    LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'berqenas_sync_start_worker';
CREATE FUNCTION berqenas._sync_verify(remote_database_id bigint, tables text[], max_keys integer)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_verify';
CREATE FUNCTION berqenas._sync_progress(
    OUT pid integer, OUT remote_database text, OUT sync_id text, OUT mode text, OUT phase text,
    OUT table_name text, OUT tables_done integer, OUT tables_total integer,
    OUT rows_done bigint, OUT rows_expected bigint, OUT started_at timestamptz)
    RETURNS SETOF record LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_progress';
-- Job bookkeeping. A sync writes its own job row inside its transaction (cheap, and atomic with
-- the data); only a failure is written by a helper background worker, so that it stays recorded
-- even when the caller's transaction aborts.
--
-- A free sync id for a new job: sync ids are unique, and an id whose row is not committed yet is
-- held by a transaction-level advisory lock (20261, hashtext(id)), so a concurrent sync skips it
-- instead of waiting on the unique index for the other sync to end.
CREATE FUNCTION berqenas._sync_job_claim(base_id text) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    candidate text := base_id;
    n integer := 1;
BEGIN
    LOOP
        IF pg_try_advisory_xact_lock(20261, hashtext(candidate))
           AND NOT EXISTS (SELECT 1 FROM berqenas.sync_jobs j WHERE j.sync_id = candidate) THEN
            RETURN candidate;
        END IF;
        n := n + 1;
        candidate := base_id || '_' || n;
    END LOOP;
END
$$;
-- A failed (or abandoned) sync, written in its own transaction after the sync's own row went away
-- with its rolled-back subtransaction.
CREATE FUNCTION berqenas._sync_job_failed(remote_database_id bigint, mode text, sync_id text, started_at timestamptz,
                                          error text, error_sqlstate text, log_lines jsonb) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO berqenas.sync_jobs AS j (sync_id, remote_database_id, mode, status, started_at, finished_at, error, error_sqlstate)
    VALUES (sync_id, remote_database_id, mode, 'failed', started_at, clock_timestamp(), error, error_sqlstate)
    ON CONFLICT ON CONSTRAINT sync_jobs_sync_id_key DO NOTHING
    RETURNING j.id INTO new_id;
    IF new_id IS NULL THEN
        RETURN '';
    END IF;
    INSERT INTO berqenas.sync_job_log (sync_job_id, level, table_name, message)
    SELECT new_id, l ->> 'level', l ->> 'table', l ->> 'message'
      FROM jsonb_array_elements(coalesce(log_lines, '[]')) AS l;
    RETURN new_id::text;
END
$$;

------------------------------------------------------------------------------------------------
-- API
------------------------------------------------------------------------------------------------

CREATE FUNCTION berqenas.configure_sync(
    name text, sync_mode text DEFAULT 'full', tables text[] DEFAULT NULL,
    timestamp_column text DEFAULT 'updated_at', target_schema text DEFAULT NULL,
    method text DEFAULT 'trigger') RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    old berqenas.sync_configs;
    schema_name text := coalesce(target_schema, 'remote_' || name);
    capture jsonb := NULL;
    worker boolean := NULL;
BEGIN
    IF sync_mode IS NULL OR sync_mode NOT IN ('full', 'incremental', 'realtime') THEN
        RAISE EXCEPTION 'unknown sync_mode "%"', coalesce(sync_mode, 'NULL')
            USING ERRCODE = '22023', HINT = 'sync_mode must be "full", "incremental" or "realtime"';
    END IF;
    IF method IS NULL OR method <> 'trigger' THEN
        RAISE EXCEPTION 'unknown method "%"', coalesce(method, 'NULL')
            USING ERRCODE = '22023', HINT = 'realtime capture supports method "trigger"';
    END IF;
    IF timestamp_column IS NULL OR timestamp_column = '' THEN
        RAISE EXCEPTION 'timestamp_column must not be empty' USING ERRCODE = '22023';
    END IF;
    IF schema_name = '' OR schema_name IN ('berqenas', 'pg_catalog', 'information_schema') THEN
        RAISE EXCEPTION 'target_schema "%" cannot receive synced tables', schema_name USING ERRCODE = '22023';
    END IF;
    IF tables IS NOT NULL AND (cardinality(tables) = 0 OR array_position(tables, NULL) IS NOT NULL
                               OR array_position(tables, '') IS NOT NULL) THEN
        RAISE EXCEPTION 'tables must be NULL (every table) or a list of table names' USING ERRCODE = '22023';
    END IF;
    IF sync_mode = 'realtime' THEN
        PERFORM berqenas._sync_require_realtime();   -- 55000 when not preloaded
    END IF;

    SELECT * INTO old FROM berqenas.sync_configs c WHERE c.remote_database_id = db_id FOR UPDATE;
    IF FOUND AND old.target_schema <> schema_name
       AND EXISTS (SELECT 1 FROM berqenas.sync_tables t WHERE t.remote_database_id = db_id) THEN
        RAISE EXCEPTION 'remote database "%" already syncs into schema "%"', name, old.target_schema
            USING ERRCODE = '55000', HINT = 'drop that schema''s tables from berqenas.sync_tables first, or keep the schema';
    END IF;
    -- Leaving realtime: the remote loses its capture objects first (the worker then stops).
    IF FOUND AND old.sync_mode = 'realtime' AND sync_mode <> 'realtime' THEN
        capture := berqenas._sync_capture(db_id, false);
    END IF;

    INSERT INTO berqenas.sync_configs AS c
        (remote_database_id, sync_mode, tables, timestamp_column, target_schema, method)
    VALUES (db_id, sync_mode, tables, timestamp_column, schema_name, method)
    ON CONFLICT (remote_database_id) DO UPDATE
       SET sync_mode = EXCLUDED.sync_mode, tables = EXCLUDED.tables,
           timestamp_column = EXCLUDED.timestamp_column, target_schema = EXCLUDED.target_schema,
           method = EXCLUDED.method, updated_at = now();

    IF sync_mode = 'realtime' THEN
        capture := berqenas._sync_capture(db_id, true);
        worker := berqenas._sync_start_worker(db_id);
    END IF;
    PERFORM berqenas._audit('configure_sync', db_id, name,
                            jsonb_build_object('sync_mode', sync_mode, 'tables', tables,
                                               'timestamp_column', timestamp_column,
                                               'target_schema', schema_name, 'method', method));
    RETURN jsonb_build_object('name', name, 'sync_mode', sync_mode, 'tables', to_jsonb(tables),
                              'timestamp_column', timestamp_column, 'target_schema', schema_name,
                              'method', method)
           || CASE WHEN capture IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('capture', capture) END
           || CASE WHEN worker IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('worker_started', worker) END;
END
$$;

CREATE FUNCTION berqenas.sync(name text, tables text[] DEFAULT NULL, "full" boolean DEFAULT false)
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
BEGIN
    IF tables IS NOT NULL AND (cardinality(tables) = 0 OR array_position(tables, NULL) IS NOT NULL) THEN
        RAISE EXCEPTION 'tables must be NULL (every configured table) or a list of table names' USING ERRCODE = '22023';
    END IF;
    RETURN berqenas._sync_run(db_id, tables, coalesce("full", false), 'manual');
END
$$;

-- Next run of a pg_cron schedule named berqenas_<name> (or berqenas_<name>_...), when there is one.
CREATE FUNCTION berqenas._sync_schedule(name text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found jsonb;
BEGIN
    IF to_regclass('cron.job') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT jsonb_build_object(''job'', jobname, ''schedule'', schedule, ''active'', active)
               FROM cron.job WHERE jobname = $1 OR jobname LIKE $2 ORDER BY jobid LIMIT 1'
       INTO found USING 'berqenas_' || name, 'berqenas\_' || replace(name, '_', '\_') || '\_%';
    IF found IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN found || jsonb_build_object('next_run', berqenas._cron_next_run(found ->> 'schedule', clock_timestamp()));
END
$$;
CREATE FUNCTION berqenas._cron_next_run(schedule text, after timestamptz) RETURNS timestamptz
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'berqenas_cron_next_run';

CREATE FUNCTION berqenas.sync_status(name text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    cfg berqenas.sync_configs;
    last_job berqenas.sync_jobs;
    last_ok berqenas.sync_jobs;
    open_run berqenas.sync_jobs;
BEGIN
    SELECT * INTO cfg FROM berqenas.sync_configs c WHERE c.remote_database_id = db_id;
    SELECT * INTO last_job FROM berqenas.sync_jobs j WHERE j.remote_database_id = db_id
     ORDER BY j.started_at DESC, j.id DESC LIMIT 1;
    SELECT * INTO last_ok FROM berqenas.sync_jobs j WHERE j.remote_database_id = db_id AND j.status = 'succeeded'
     ORDER BY j.started_at DESC, j.id DESC LIMIT 1;
    SELECT * INTO open_run FROM berqenas.sync_jobs j
     WHERE j.remote_database_id = db_id AND j.mode = 'realtime' AND j.status = 'running' ORDER BY j.id DESC LIMIT 1;
    RETURN jsonb_build_object(
        'name', name,
        'mode', coalesce(cfg.sync_mode, 'full'),
        'configured', cfg.remote_database_id IS NOT NULL,
        'target_schema', coalesce(cfg.target_schema, 'remote_' || name),
        'last_sync', CASE WHEN last_job.id IS NULL THEN NULL ELSE jsonb_build_object(
            'sync_id', last_job.sync_id, 'mode', last_job.mode, 'status', last_job.status,
            'started_at', last_job.started_at, 'finished_at', last_job.finished_at,
            'records_synced', last_job.records_synced, 'bytes', last_job.bytes_synced,
            'duration_seconds', round(extract(epoch FROM last_job.finished_at - last_job.started_at)::numeric, 3),
            'error', last_job.error, 'error_sqlstate', last_job.error_sqlstate) END,
        'last_successful_sync_at', last_ok.finished_at,
        'records_synced', coalesce(last_job.records_synced, 0),
        'duration_seconds', round(extract(epoch FROM last_job.finished_at - last_job.started_at)::numeric, 3),
        'next_run', berqenas._sync_schedule(name) -> 'next_run',
        'schedule', berqenas._sync_schedule(name),
        'error_count', (SELECT count(*) FROM berqenas.sync_jobs j
                         WHERE j.remote_database_id = db_id AND j.status IN ('failed', 'cancelled')),
        'sync_count', (SELECT count(*) FROM berqenas.sync_jobs j WHERE j.remote_database_id = db_id),
        'running', EXISTS (SELECT 1 FROM berqenas._sync_progress() p WHERE p.remote_database = name),
        'realtime_run', CASE WHEN open_run.id IS NULL THEN NULL ELSE jsonb_build_object(
            'sync_id', open_run.sync_id, 'started_at', open_run.started_at, 'records_synced', open_run.records_synced,
            'tables', open_run.tables) END,
        'tables', coalesce((SELECT jsonb_object_agg(t.remote_table, jsonb_build_object(
                                'local_table', format('%I.%I', t.local_schema, t.local_table),
                                'watermark', t.watermark, 'last_synced_at', t.last_synced_at,
                                'realtime', t.capture_table IS NOT NULL,
                                'realtime_applied', t.realtime_applied,
                                'realtime_applied_at', t.realtime_applied_at))
                              FROM berqenas.sync_tables t WHERE t.remote_database_id = db_id), '{}'));
END
$$;

CREATE FUNCTION berqenas.sync_history(name text, lim integer DEFAULT 10)
    RETURNS TABLE (sync_id text, mode text, status text, started_at timestamptz, finished_at timestamptz,
                   duration_seconds numeric, records_synced bigint, bytes bigint, tables jsonb,
                   error text, error_sqlstate text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
BEGIN
    IF lim IS NULL OR lim < 0 THEN
        RAISE EXCEPTION 'lim must be zero or more' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
        SELECT j.sync_id, j.mode, j.status, j.started_at, j.finished_at,
               round(extract(epoch FROM j.finished_at - j.started_at)::numeric, 3),
               j.records_synced, j.bytes_synced, j.tables, j.error, j.error_sqlstate
          FROM berqenas.sync_jobs j
         WHERE j.remote_database_id = db_id
         ORDER BY j.started_at DESC, j.id DESC
         LIMIT lim;
END
$$;

CREATE FUNCTION berqenas.sync_logs(name text, tail integer DEFAULT 100, level text DEFAULT 'info')
    RETURNS TABLE (at timestamptz, sync_id text, severity text, table_name text, message text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    min_rank integer;
BEGIN
    min_rank := array_position(ARRAY['debug', 'info', 'warning', 'error'], sync_logs.level);
    IF min_rank IS NULL THEN
        RAISE EXCEPTION 'unknown log level "%"', coalesce(sync_logs.level, 'NULL')
            USING ERRCODE = '22023', HINT = 'level must be debug, info, warning or error';
    END IF;
    IF tail IS NULL OR tail < 0 THEN
        RAISE EXCEPTION 'tail must be zero or more' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
        SELECT q.at, q.sync_id, q.lvl, q.table_name, q.message FROM (
            SELECT l.id, l.at, j.sync_id, l.level AS lvl, l.table_name, l.message
              FROM berqenas.sync_job_log l JOIN berqenas.sync_jobs j ON j.id = l.sync_job_id
             WHERE j.remote_database_id = db_id
               AND array_position(ARRAY['debug', 'info', 'warning', 'error'], l.level) >= min_rank
             ORDER BY l.id DESC LIMIT tail) q
         ORDER BY q.id;
END
$$;

CREATE FUNCTION berqenas.verify(name text, tables text[] DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
BEGIN
    RETURN berqenas._sync_verify(db_id, tables, 100);
END
$$;

-- Puts the local tables back as they were before sync_id, from the journal of that sync. A later
-- sync that touched the same rows must be rolled back too (include_later => true does that,
-- newest first); otherwise 55000 names it.
CREATE FUNCTION berqenas.rollback(sync_id text, include_later boolean DEFAULT false) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job berqenas.sync_jobs;
    later record;
    blockers text;
    t record;
    j record;
    restored bigint;
    removed bigint;
    result jsonb := '{}';
    total bigint := 0;
    rolled text[] := '{}';
BEGIN
    SELECT * INTO job FROM berqenas.sync_jobs s WHERE s.sync_id = rollback.sync_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sync "%" does not exist', sync_id
            USING ERRCODE = '42704', HINT = 'see berqenas.sync_history(name)';
    END IF;
    IF job.status IN ('failed', 'cancelled') THEN
        RAISE EXCEPTION 'sync "%" is %, only a succeeded sync can be rolled back', sync_id, job.status
            USING ERRCODE = '55000', HINT = 'a failed sync changed nothing';
    ELSIF job.status <> 'succeeded' THEN
        RAISE EXCEPTION 'sync "%" is %, only a succeeded sync can be rolled back', sync_id, job.status
            USING ERRCODE = '55000';
    END IF;
    IF (job.tables ->> '_journal') = 'off' THEN
        RAISE EXCEPTION 'sync "%" kept no journal (berqenas.sync_journal was off)', sync_id USING ERRCODE = '55000';
    END IF;
    -- Later succeeded syncs whose journal touches the same rows (or whole tables).
    SELECT string_agg(DISTINCT l.sync_id, ', ') INTO blockers
      FROM berqenas.sync_jobs l
     WHERE l.remote_database_id = job.remote_database_id AND l.id > job.id AND l.status = 'succeeded'
       AND EXISTS (SELECT 1 FROM berqenas._sync_journal_entries(job.id) a JOIN berqenas._sync_journal_entries(l.id) b
                          ON a.sync_table_id = b.sync_table_id
                         AND (a.whole_table OR b.whole_table OR a.key = b.key));
    IF blockers IS NOT NULL AND NOT include_later THEN
        RAISE EXCEPTION 'cannot roll back sync "%": later syncs changed the same rows', sync_id
            USING ERRCODE = '55000', DETAIL = 'later syncs: ' || blockers,
                  HINT = 'use berqenas.rollback(sync_id, include_later => true) to roll those back too';
    END IF;
    FOR later IN SELECT l.* FROM berqenas.sync_jobs l
                  WHERE l.remote_database_id = job.remote_database_id AND l.id >= job.id AND l.status = 'succeeded'
                    AND (l.id = job.id OR l.sync_id = ANY (string_to_array(blockers, ', ')))
                  ORDER BY l.id DESC LOOP
        FOR t IN SELECT DISTINCT st.* FROM berqenas.sync_tables st
                   JOIN berqenas.sync_journal jr ON jr.sync_table_id = st.id
                  WHERE jr.sync_job_id = later.id LOOP
            restored := 0;
            removed := 0;
            IF to_regclass(format('%I.%I', t.local_schema, t.local_table)) IS NULL THEN
                CONTINUE;
            END IF;
            IF EXISTS (SELECT 1 FROM berqenas.sync_journal jr
                        WHERE jr.sync_job_id = later.id AND jr.sync_table_id = t.id AND jr.whole_table) THEN
                EXECUTE format('DELETE FROM %I.%I', t.local_schema, t.local_table);
                GET DIAGNOSTICS removed = ROW_COUNT;
            ELSE
                FOR j IN SELECT * FROM berqenas._sync_journal_entries(later.id) jr
                          WHERE jr.sync_table_id = t.id ORDER BY jr.id DESC, jr.ord DESC LOOP
                    EXECUTE format('DELETE FROM %I.%I AS x WHERE %s', t.local_schema, t.local_table,
                                   (SELECT string_agg(format('x.%1$I::text = ($1 ->> %2$L)', k, k), ' AND ')
                                      FROM unnest(t.primary_key) AS k))
                      USING j.key;
                    IF j.old_row IS NULL THEN
                        removed := removed + 1;
                    ELSE
                        EXECUTE format('INSERT INTO %1$I.%2$I SELECT * FROM jsonb_populate_record(NULL::%1$I.%2$I, $1)',
                                       t.local_schema, t.local_table) USING j.old_row;
                        restored := restored + 1;
                    END IF;
                END LOOP;
            END IF;
            result := jsonb_set(result, ARRAY[t.remote_table],
                                coalesce(result -> t.remote_table, '{"restored": 0, "removed": 0}')
                                || jsonb_build_object('restored', coalesce((result -> t.remote_table ->> 'restored')::bigint, 0) + restored,
                                                      'removed', coalesce((result -> t.remote_table ->> 'removed')::bigint, 0) + removed));
            total := total + restored + removed;
            -- The watermark goes back too, so the next incremental sync copies those rows again.
            UPDATE berqenas.sync_tables st SET watermark = NULL WHERE st.id = t.id;
        END LOOP;
        UPDATE berqenas.sync_jobs s SET status = 'rolled_back' WHERE s.id = later.id;
        INSERT INTO berqenas.sync_job_log (sync_job_id, level, message)
        VALUES (later.id, 'info', format('rolled back by %s', session_user));
        rolled := rolled || later.sync_id;
    END LOOP;
    PERFORM berqenas._audit('rollback', job.remote_database_id,
                            (SELECT r.name FROM berqenas.remote_database_registry r WHERE r.id = job.remote_database_id),
                            jsonb_build_object('sync_id', sync_id, 'rolled_back', to_jsonb(rolled)));
    RETURN jsonb_build_object('sync_id', sync_id, 'rolled_back', to_jsonb(rolled), 'tables', result,
                              'total_rows', total);
END
$$;

-- Each running sync, from any session (shared memory; needs shared_preload_libraries).
CREATE VIEW berqenas.sync_progress AS
SELECT * FROM berqenas._sync_progress();

GRANT SELECT ON berqenas.sync_progress, berqenas.sync_configs, berqenas.sync_tables, berqenas.sync_job_log
    TO berqenas_admin;
GRANT EXECUTE ON FUNCTION
    berqenas.configure_sync(text, text, text[], text, text, text),
    berqenas.sync(text, text[], boolean),
    berqenas.sync_status(text),
    berqenas.sync_history(text, integer),
    berqenas.sync_logs(text, integer, text),
    berqenas.verify(text, text[]),
    berqenas.rollback(text, boolean),
    berqenas._sync_progress()
    TO berqenas_admin;
