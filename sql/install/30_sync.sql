-- Part of berqenas--0.1.0.sql: sync from remote databases into local tables (docs/sync.md).
-- configure_sync, sync, sync_status, sync_history, sync_logs, verify, rollback, sync_progress.

------------------------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------------------------

-- How one remote database is synced (one row per database, written by configure_sync).
CREATE TABLE berqenas.sync_configs (
    remote_database_id bigint PRIMARY KEY
                       REFERENCES berqenas.remote_database_registry (id) ON DELETE CASCADE,
    sync_mode          text NOT NULL CHECK (sync_mode IN ('full', 'incremental', 'realtime', 'bidirectional')),
    -- bidirectional: who wins when a row changed on both sides (docs/bidirectional.md)
    conflict_strategy  text NOT NULL DEFAULT 'latest_wins'
                       CHECK (conflict_strategy IN ('latest_wins', 'cloud_wins', 'local_wins', 'manual')),
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
    local_table_oid    oid,           -- the table Berqenas created (NULL: not created yet); only it is written
    -- bidirectional: how far each side's changes were taken, each on its own clock (NULL: never)
    bd_cloud_watermark timestamp,
    bd_local_watermark timestamp,
    bd_agreed_rows     bigint,        -- keys in berqenas.sync_row_state (their count, kept by each run)
    UNIQUE (remote_database_id, remote_schema, remote_table)
);

-- The one schema each registration syncs into. A sync writes only there, and only into tables it
-- created (sync_tables.local_table_oid): the schema is one Berqenas created for that registration
-- (created_by_berqenas), or one the caller owned and named explicitly as target_schema. A schema
-- Berqenas created outlives an unregistration without drop_data as a row without a registration,
-- so that a registration made later may take it up again.
CREATE TABLE berqenas.sync_schemas (
    schema_name         text PRIMARY KEY,
    remote_database_id  bigint UNIQUE
                        REFERENCES berqenas.remote_database_registry (id) ON DELETE SET NULL,
    schema_oid          oid NOT NULL,
    created_by_berqenas boolean NOT NULL,
    claimed_by          name NOT NULL,
    claimed_at          timestamptz NOT NULL DEFAULT now()
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
    old_row       jsonb COMPRESSION lz4,   -- lz4: a batch's journal is compressed several times faster than with pglz
    entries       jsonb COMPRESSION lz4
);
-- (sync_job_id, id): a run's journal in write order; its first and last rows are one probe each
-- (rollback orders runs by them, pruning keeps them apart).
CREATE INDEX ON berqenas.sync_journal (sync_job_id, id);

-- The journal of the given runs one changed row at a time, batches unpacked, in the order they
-- were written (rollback).
CREATE FUNCTION berqenas._sync_journal_entries(job_ids bigint[])
    RETURNS TABLE (id bigint, ord bigint, sync_job_id bigint, sync_table_id bigint, whole_table boolean, key jsonb, old_row jsonb)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jr.id, 1::bigint, jr.sync_job_id, jr.sync_table_id, jr.whole_table, jr.key, jr.old_row
      FROM berqenas.sync_journal jr WHERE jr.sync_job_id = ANY (job_ids) AND jr.entries IS NULL
    UNION ALL
    SELECT jr.id, e.ord, jr.sync_job_id, jr.sync_table_id, false, e.pair -> 0,
           CASE WHEN jsonb_typeof(e.pair -> 1) = 'null' THEN NULL ELSE e.pair -> 1 END
      FROM berqenas.sync_journal jr, jsonb_array_elements(jr.entries) WITH ORDINALITY AS e(pair, ord)
     WHERE jr.sync_job_id = ANY (job_ids) AND jr.entries IS NOT NULL
$$;

-- The runs that must be rolled back together with job_id: every run of the same database that can
-- still be rolled back (succeeded, or a realtime run still open) and changed a row after one of the
-- set had changed it, found transitively. "After" is the journal's order (row ids), not the runs'
-- start: a realtime run's window can span other syncs. job_id comes first.
CREATE FUNCTION berqenas._sync_rollback_set(job_id bigint) RETURNS bigint[]
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db bigint := (SELECT j.remote_database_id FROM berqenas.sync_jobs j WHERE j.id = job_id);
    members bigint[] := ARRAY[job_id];
    frontier bigint[] := ARRAY[job_id];
    lo bigint;
    added bigint[];
BEGIN
    LOOP
        lo := (SELECT min(jr.id) FROM berqenas.sync_journal jr WHERE jr.sync_job_id = ANY (frontier));
        EXIT WHEN lo IS NULL;
        -- The frontier's journal and, from its first row on, that of the other runs that can still
        -- be rolled back, one changed row at a time; a window over each row (table, key) finds the
        -- frontier's first change of it (one sort, whatever the sizes).
        WITH e AS (
            SELECT jr.id, jr.sync_job_id AS job, jr.sync_table_id AS tbl, jr.whole_table AS whole, jr.key, jr.entries,
                   jr.sync_job_id = ANY (frontier) AS mine
              FROM berqenas.sync_journal jr JOIN berqenas.sync_jobs j ON j.id = jr.sync_job_id
             WHERE jr.id >= lo AND j.remote_database_id = db
               AND (jr.sync_job_id = ANY (frontier)
                    OR (jr.sync_job_id <> ALL (members)
                        AND (j.status = 'succeeded' OR (j.mode = 'realtime' AND j.status = 'running'))))
        ), k AS (
            SELECT e.id, e.job, e.tbl, e.whole, e.mine, x.key
              FROM e CROSS JOIN LATERAL (SELECT e.key WHERE e.entries IS NULL
                                         UNION ALL SELECT p -> 0 FROM jsonb_array_elements(e.entries) p) x(key)
        ), w AS (
            SELECT k.job, k.id, k.mine, k.whole, k.key,
                   min(k.id) FILTER (WHERE k.mine) OVER (PARTITION BY k.tbl, k.key) AS first_of_row,
                   min(k.id) FILTER (WHERE k.mine) OVER (PARTITION BY k.tbl) AS first_of_table,
                   min(k.id) FILTER (WHERE k.mine AND k.whole) OVER (PARTITION BY k.tbl) AS first_whole
              FROM k
        )
        SELECT array_agg(DISTINCT w.job) INTO added FROM w
         WHERE NOT w.mine
           AND ((w.key IS NOT NULL AND w.id > w.first_of_row)   -- the same row, changed later
                OR w.id > w.first_whole                          -- a table the set emptied, changed later
                OR (w.whole AND w.id > w.first_of_table));       -- a table replaced whole later
        EXIT WHEN added IS NULL;
        members := members || added;
        frontier := added;
    END LOOP;
    RETURN members;
END
$$;

-- berqenas.journal_retention as set ('7d', '12h', '0'); in a session that has not loaded the
-- library yet, and without a setting in postgresql.conf, the GUC is not defined: its default then.
CREATE FUNCTION berqenas._journal_retention_setting() RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(nullif(current_setting('berqenas.journal_retention', true), ''), '7d')
$$;

-- Journal pruning (berqenas.journal_retention; 0 keeps every journal). A run's journal goes once
-- the run ended longer ago than the retention, and only when all of it was written before the
-- journal of every run of its database that can still be rolled back, so a run that stays
-- rollback-able is never ordered after a pruned one (rollback would not see it). The run is marked
-- {"_journal": "pruned"} in sync_jobs.tables (its history row stays) in the transaction that
-- deletes its first journal rows; then at most max_rows journal rows of marked runs are deleted
-- (NULL: all). Runs are locked first: one a rollback holds is skipped (and counts as kept), and a
-- rollback waits for a prune in progress. Returns the number of journal rows deleted.
CREATE FUNCTION berqenas._sync_journal_prune(max_rows bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    retention interval := berqenas._journal_retention_setting()::interval;
    cutoff timestamptz := clock_timestamp() - retention;
    oldest bigint;
    candidates bigint[];
    runs bigint[];
    deleted bigint;
    two_way bigint;
BEGIN
    IF retention <= interval '0' THEN
        RETURN 0;
    END IF;
    -- Bidirectional runs keep their journal apart (sync_two_way_journal, 50_bidirectional.sql); a
    -- rollback of one never needs an earlier run's, so each goes once it is older than the retention.
    WITH old AS (
        UPDATE berqenas.sync_jobs j
           SET tables = j.tables || jsonb_build_object('_journal', 'pruned', '_journal_pruned_at', clock_timestamp())
         WHERE j.mode = 'bidirectional' AND j.status <> 'running' AND j.finished_at < cutoff
           AND j.tables ->> '_journal' IS DISTINCT FROM 'pruned'
           AND EXISTS (SELECT 1 FROM berqenas.sync_two_way_journal w WHERE w.sync_job_id = j.id)
        RETURNING j.id)
    DELETE FROM berqenas.sync_two_way_journal w USING old WHERE w.sync_job_id = old.id;
    GET DIAGNOSTICS two_way = ROW_COUNT;
    oldest := (SELECT min(jr.sync_job_id) FROM berqenas.sync_journal jr);
    IF oldest IS NULL THEN
        RETURN two_way;
    END IF;
    SELECT array_agg(c.id) INTO candidates FROM (
        SELECT c.id FROM berqenas.sync_jobs c
         WHERE c.id >= oldest AND c.status <> 'running' AND c.finished_at < cutoff
           AND c.tables ->> '_journal' IS DISTINCT FROM 'pruned'
           AND EXISTS (SELECT 1 FROM berqenas.sync_journal jr WHERE jr.sync_job_id = c.id)
         FOR UPDATE SKIP LOCKED) c;
    IF candidates IS NOT NULL THEN
        WITH kept AS (   -- per database: the first journal row of the runs that stay rollback-able
            SELECT k.remote_database_id AS db,
                   min((SELECT min(jr.id) FROM berqenas.sync_journal jr WHERE jr.sync_job_id = k.id)) AS first_row
              FROM berqenas.sync_jobs k
             WHERE k.id >= oldest AND k.id <> ALL (candidates) AND k.status IN ('succeeded', 'running')
               AND k.tables ->> '_journal' IS DISTINCT FROM 'pruned'
             GROUP BY k.remote_database_id
        )
        UPDATE berqenas.sync_jobs j
           SET tables = j.tables || jsonb_build_object('_journal', 'pruned', '_journal_pruned_at', clock_timestamp())
         WHERE j.id = ANY (candidates)
           AND (SELECT max(jr.id) FROM berqenas.sync_journal jr WHERE jr.sync_job_id = j.id)
               < coalesce((SELECT kept.first_row FROM kept WHERE kept.db = j.remote_database_id), 9223372036854775807);
    END IF;
    SELECT array_agg(m.id) INTO runs FROM (
        SELECT j.id FROM berqenas.sync_jobs j
         WHERE j.id >= oldest AND j.tables ->> '_journal' = 'pruned'
           AND EXISTS (SELECT 1 FROM berqenas.sync_journal jr WHERE jr.sync_job_id = j.id)
         FOR UPDATE SKIP LOCKED) m;
    IF runs IS NULL THEN
        RETURN two_way;
    END IF;
    IF max_rows IS NULL THEN
        DELETE FROM berqenas.sync_journal jr WHERE jr.sync_job_id = ANY (runs);
    ELSE
        DELETE FROM berqenas.sync_journal jr
         WHERE jr.id IN (SELECT x.id FROM berqenas.sync_journal x WHERE x.sync_job_id = ANY (runs) LIMIT max_rows);
    END IF;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted + two_way;
END
$$;

SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_configs', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_tables', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_tables_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_job_log', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_schemas', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_job_log_id_seq', '');

------------------------------------------------------------------------------------------------
-- Internal functions (C): only the extension owner runs them, through the API below.
------------------------------------------------------------------------------------------------

CREATE FUNCTION berqenas._sync_run(remote_database_id bigint, tables text[], full_sync boolean, origin text)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_run';
CREATE FUNCTION berqenas._sync_capture(remote_database_id bigint, install boolean) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_capture';
CREATE FUNCTION berqenas._sync_check_columns(remote_database_id bigint, tables text[], timestamp_column text)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_check_columns';
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
-- The classes (first keys) of Berqenas's advisory locks, by name. The C++ side uses the same numbers
-- (src/sync/engine/advisory_locks.hpp, which says what each one guards); a unit test checks that
-- both agree, so a number is changed in both places or in neither.
CREATE FUNCTION berqenas._lock_class(name text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE name
        WHEN 'database' THEN 20260
        WHEN 'sync_id' THEN 20261
        WHEN 'apply' THEN 20262
        WHEN 'tenant_slots' THEN 20300
        WHEN 'worker' THEN 20400
    END
$$;

-- Job bookkeeping. A sync writes its own job row inside its transaction (cheap, and atomic with
-- the data); only a failure is written by a helper background worker, so that it stays recorded
-- even when the caller's transaction aborts.
--
-- A free sync id for a new job: sync ids are unique, and an id whose row is not committed yet is
-- held by a transaction-level advisory lock (_lock_class('sync_id'), hashtext(id)), so a concurrent sync skips it
-- instead of waiting on the unique index for the other sync to end.
CREATE FUNCTION berqenas._sync_job_claim(base_id text) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    candidate text := base_id;
    n integer := 1;
BEGIN
    LOOP
        IF pg_try_advisory_xact_lock(berqenas._lock_class('sync_id'), hashtext(candidate))
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

-- A database's realtime runs still marked running end here, succeeded (every round they recorded is
-- committed): when its worker starts (a run from its previous life) and when realtime is turned off
-- while no worker is left to close the run itself.
CREATE FUNCTION berqenas._sync_close_realtime_runs(db_id bigint, why text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    WITH u AS (UPDATE berqenas.sync_jobs SET status = 'succeeded', finished_at = clock_timestamp()
                WHERE remote_database_id = db_id AND mode = 'realtime' AND status = 'running' RETURNING id)
    INSERT INTO berqenas.sync_job_log (sync_job_id, level, message)
    SELECT u.id, 'info', 'realtime run closed (' || why || ')' FROM u
$$;

-- Where a registration's synced tables may land (see berqenas.sync_schemas). configure_sync and
-- the first sync claim the schema: a schema that does not exist yet is created, owned by
-- Berqenas; one Berqenas created for an earlier, since unregistered registration is taken up
-- again (its tables stay refused: they were not created for this registration); any other
-- existing one only when target_schema named it (explicit) and the caller holds its owner's
-- privileges. Anything else, and a schema another registration holds, is 42501.
CREATE FUNCTION berqenas._sync_claim_schema(db_id bigint, target text, explicit boolean) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    caller regrole := berqenas._invoker();
    claim berqenas.sync_schemas;
    holder text;
    ns_oid oid;
    ns_owner oid;
    made_by_us boolean;
BEGIN
    SELECT n.oid, n.nspowner INTO ns_oid, ns_owner FROM pg_catalog.pg_namespace n WHERE n.nspname = target;
    SELECT * INTO claim FROM berqenas.sync_schemas s WHERE s.schema_name = target FOR UPDATE;
    IF FOUND AND claim.remote_database_id IS NOT NULL AND claim.remote_database_id <> db_id THEN
        SELECT r.name INTO holder FROM berqenas.remote_database_registry r WHERE r.id = claim.remote_database_id;
        RAISE EXCEPTION 'permission denied for schema "%": it receives the synced tables of remote database "%"',
                        target, holder
            USING ERRCODE = '42501', HINT = 'give this registration a target_schema of its own';
    END IF;
    IF FOUND AND claim.remote_database_id = db_id THEN
        PERFORM berqenas._sync_check_schema(db_id);
        RETURN;
    END IF;
    -- A row left by an unregistration counts only for the very schema it recorded.
    made_by_us := FOUND AND claim.created_by_berqenas AND claim.schema_oid = ns_oid;
    IF FOUND AND NOT made_by_us THEN
        DELETE FROM berqenas.sync_schemas s WHERE s.schema_name = target;
    END IF;
    IF ns_oid IS NULL THEN
        EXECUTE format('CREATE SCHEMA %I', target);
        SELECT n.oid INTO ns_oid FROM pg_catalog.pg_namespace n WHERE n.nspname = target;
        made_by_us := true;
    ELSIF NOT made_by_us AND NOT (explicit AND pg_catalog.pg_has_role(caller, ns_owner, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied for schema "%": Berqenas syncs only into a schema it creates for the registration, or one you own',
                        target
            USING ERRCODE = '42501',
                  DETAIL = format('schema "%s" exists and is owned by %s; you are %s', target, ns_owner::regrole, caller),
                  HINT = CASE WHEN explicit THEN 'name a schema that does not exist yet (Berqenas creates it), or one you own'
                              ELSE 'name a target_schema that does not exist yet (Berqenas creates it), or one you own' END;
    END IF;
    -- This registration's earlier claim (a schema it no longer syncs into) is given up.
    DELETE FROM berqenas.sync_schemas s WHERE s.remote_database_id = db_id AND NOT s.created_by_berqenas;
    UPDATE berqenas.sync_schemas s SET remote_database_id = NULL WHERE s.remote_database_id = db_id;
    INSERT INTO berqenas.sync_schemas AS s (schema_name, remote_database_id, schema_oid, created_by_berqenas, claimed_by)
    VALUES (target, db_id, ns_oid, made_by_us, caller::text)
    ON CONFLICT (schema_name) DO UPDATE
       SET remote_database_id = EXCLUDED.remote_database_id, claimed_by = EXCLUDED.claimed_by, claimed_at = now();
    -- Readers of synced data: berqenas_admin and the tenant's roles.
    PERFORM berqenas._grant_synced_reads(db_id);
END
$$;

-- The claimed schema of a registration, checked before a sync writes: still the schema that was
-- claimed (not dropped and made again by someone else). A schema Berqenas created and that was
-- dropped since is created again. Returns its name.
CREATE FUNCTION berqenas._sync_check_schema(db_id bigint) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    claim berqenas.sync_schemas;
    ns_oid oid;
BEGIN
    SELECT * INTO claim FROM berqenas.sync_schemas s WHERE s.remote_database_id = db_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT n.oid INTO ns_oid FROM pg_catalog.pg_namespace n WHERE n.nspname = claim.schema_name;
    IF ns_oid = claim.schema_oid THEN
        RETURN claim.schema_name;
    ELSIF ns_oid IS NULL AND claim.created_by_berqenas THEN
        EXECUTE format('CREATE SCHEMA %I', claim.schema_name);
        UPDATE berqenas.sync_schemas s SET schema_oid = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = claim.schema_name)
         WHERE s.remote_database_id = db_id;
        PERFORM berqenas._grant_synced_reads(db_id);
        RETURN claim.schema_name;
    ELSIF ns_oid IS NULL THEN
        RAISE EXCEPTION 'schema "%" that remote database syncs into no longer exists', claim.schema_name
            USING ERRCODE = '3F000', HINT = 'create it again and run berqenas.configure_sync with target_schema';
    END IF;
    RAISE EXCEPTION 'permission denied for schema "%": it was dropped and made again since Berqenas claimed it', claim.schema_name
        USING ERRCODE = '42501', HINT = 'run berqenas.configure_sync again to claim it, if it is yours';
END
$$;

-- The local table a sync of (remote_schema, remote_table) writes: its oid when it exists and is
-- the one Berqenas created for this registration, NULL when it does not exist yet (the sync
-- creates it). Any other relation of that name is 42501: Berqenas never writes into a table it did
-- not create. Claims the default schema for a database synced without configure_sync.
CREATE FUNCTION berqenas._sync_target_table(db_id bigint, remote_schema text, remote_table text,
                                            local_schema text, local_table text) RETURNS oid
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    claimed text := berqenas._sync_check_schema(db_id);
    rel oid;
    recorded oid;
BEGIN
    IF claimed IS NULL THEN
        PERFORM berqenas._sync_claim_schema(db_id, local_schema, false);
        claimed := local_schema;
    END IF;
    IF claimed <> local_schema THEN
        RAISE EXCEPTION 'permission denied for schema "%": remote database syncs into schema "%"', local_schema, claimed
            USING ERRCODE = '42501';
    END IF;
    SELECT c.oid INTO rel FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = local_schema AND c.relname = local_table;
    IF rel IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT t.local_table_oid INTO recorded FROM berqenas.sync_tables t
     WHERE t.remote_database_id = db_id AND t.remote_schema = _sync_target_table.remote_schema
       AND t.remote_table = _sync_target_table.remote_table;
    IF recorded IS DISTINCT FROM rel THEN
        RAISE EXCEPTION 'permission denied for table %: Berqenas did not create it for this registration',
                        format('%I.%I', local_schema, local_table)
            USING ERRCODE = '42501',
                  DETAIL = format('%s is owned by %s', rel::regclass, (SELECT c.relowner::regrole FROM pg_catalog.pg_class c WHERE c.oid = rel)),
                  HINT = CASE WHEN (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = rel)
                                   = (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'berqenas')
                              THEN 'it was synced for an earlier registration (unregistered without drop_data): drop it, and this sync creates it again'
                              ELSE 'Berqenas writes only into tables it created; drop or rename that table, or sync into another target_schema' END;
    END IF;
    RETURN rel;
END
$$;

-- A synced table as recorded, before rollback, verify or the realtime worker touch it: its oid,
-- NULL when it is gone; 42501 when another relation now has its name.
CREATE FUNCTION berqenas._sync_owned_table(table_id bigint) RETURNS regclass
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t berqenas.sync_tables;
    rel oid;
BEGIN
    SELECT * INTO t FROM berqenas.sync_tables s WHERE s.id = table_id;
    rel := to_regclass(format('%I.%I', t.local_schema, t.local_table));
    IF rel IS NULL THEN
        RETURN NULL;
    ELSIF rel IS DISTINCT FROM t.local_table_oid THEN
        RAISE EXCEPTION 'permission denied for table %: Berqenas did not create it for this registration',
                        format('%I.%I', t.local_schema, t.local_table)
            USING ERRCODE = '42501', HINT = 'Berqenas reads and writes only tables it created';
    END IF;
    RETURN rel::regclass;
END
$$;

CREATE FUNCTION berqenas.configure_sync(
    name text, sync_mode text DEFAULT 'full', tables text[] DEFAULT NULL,
    timestamp_column text DEFAULT 'updated_at', target_schema text DEFAULT NULL,
    method text DEFAULT 'trigger', conflict_strategy text DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    old berqenas.sync_configs;
    schema_name text := coalesce(target_schema, 'remote_' || name);
    capture jsonb := NULL;
    worker boolean := NULL;
    checked jsonb;
    in_full jsonb := NULL;
BEGIN
    IF sync_mode IS NULL OR sync_mode NOT IN ('full', 'incremental', 'realtime', 'bidirectional') THEN
        RAISE EXCEPTION 'unknown sync_mode "%"', coalesce(sync_mode, 'NULL')
            USING ERRCODE = '22023', HINT = 'sync_mode must be "full", "incremental", "realtime" or "bidirectional"';
    END IF;
    PERFORM berqenas._bd_check_strategy(conflict_strategy);
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
    -- Incremental syncs follow timestamp_column: one that no table to sync has is refused, and the
    -- tables that will be copied in full anyway (no such column, no primary key) are named.
    -- (Realtime needs a primary key on every table; capture refuses one without.)
    IF sync_mode = 'incremental' THEN
        checked := berqenas._sync_check_columns(db_id, tables, timestamp_column);
        IF checked ? 'unchecked' THEN
            RAISE WARNING 'could not check the tables of remote database "%" now: %', name, checked ->> 'unchecked';
        ELSE
            IF jsonb_array_length(checked -> 'checked') > 0
               AND jsonb_array_length(checked -> 'without_column') = jsonb_array_length(checked -> 'checked') THEN
                RAISE EXCEPTION 'column "%" does not exist in any table to sync', timestamp_column
                    USING ERRCODE = '42703',
                          DETAIL = format('tables: %s', (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(checked -> 'checked') t)),
                          HINT = 'name the column incremental syncs follow with timestamp_column => ..., or use sync_mode => ''full''';
            END IF;
            SELECT coalesce(jsonb_agg(DISTINCT t ORDER BY t), '[]') INTO in_full
              FROM (SELECT jsonb_array_elements_text(checked -> 'without_key') t
                    UNION ALL
                    SELECT jsonb_array_elements_text(checked -> 'without_column')) x;
            IF EXISTS (SELECT 1 FROM jsonb_array_elements_text(checked -> 'without_column') t
                        WHERE NOT (checked -> 'without_key') ? t) THEN
                RAISE WARNING 'tables without column "%" are copied in full on every sync: %', timestamp_column,
                              (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(checked -> 'without_column') t
                                WHERE NOT (checked -> 'without_key') ? t);
            END IF;
            IF jsonb_array_length(checked -> 'without_key') > 0 THEN
                RAISE WARNING 'tables without a primary key are copied in full on every sync: %',
                              (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(checked -> 'without_key') t);
            END IF;
        END IF;
    END IF;
    -- Two-way tables need a primary key and the bookkeeping columns (prepare_table adds them).
    IF sync_mode = 'bidirectional' THEN
        checked := berqenas._sync_check_columns(db_id, tables, 'updated_at');
        IF checked ? 'unchecked' THEN
            RAISE WARNING 'could not check the tables of remote database "%" now: %', name, checked ->> 'unchecked';
        ELSIF jsonb_array_length(checked -> 'without_key') > 0 THEN
            RAISE EXCEPTION 'tables without a primary key cannot be synced both ways: %',
                            (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(checked -> 'without_key') t)
                USING ERRCODE = '22023', DETAIL = 'two-way sync matches the rows of both sides by their primary key',
                      HINT = 'add a primary key, or leave the table out with tables => ARRAY[...]';
        ELSIF jsonb_array_length(checked -> 'without_column') > 0 THEN
            RAISE EXCEPTION 'tables not prepared for two-way sync: %',
                            (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(checked -> 'without_column') t)
                USING ERRCODE = '55000', DETAIL = 'they lack updated_at (and the trigger that keeps it current)',
                      HINT = format('SELECT berqenas.prepare_table(%L, <table>) for each of them', name);
        END IF;
    END IF;
    PERFORM berqenas._sync_claim_schema(db_id, schema_name, target_schema IS NOT NULL);
    -- Leaving realtime: the remote loses its capture objects first (the worker then stops).
    IF FOUND AND old.sync_mode = 'realtime' AND sync_mode <> 'realtime' THEN
        capture := berqenas._sync_capture(db_id, false);
        -- A running worker closes its open run with the run's counts; without one it would stay open.
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity WHERE application_name = 'berqenas realtime ' || name) THEN
            PERFORM berqenas._sync_close_realtime_runs(db_id, 'realtime sync was turned off; its worker was not running');
        END IF;
    END IF;

    INSERT INTO berqenas.sync_configs AS c
        (remote_database_id, sync_mode, tables, timestamp_column, target_schema, method, conflict_strategy)
    VALUES (db_id, sync_mode, tables, timestamp_column, schema_name, method,
            coalesce(conflict_strategy, old.conflict_strategy, 'latest_wins'))
    ON CONFLICT (remote_database_id) DO UPDATE
       SET sync_mode = EXCLUDED.sync_mode, tables = EXCLUDED.tables,
           timestamp_column = EXCLUDED.timestamp_column, target_schema = EXCLUDED.target_schema,
           method = EXCLUDED.method, conflict_strategy = EXCLUDED.conflict_strategy, updated_at = now();

    IF sync_mode = 'realtime' THEN
        capture := berqenas._sync_capture(db_id, true);
        worker := berqenas._sync_start_worker(db_id);
    END IF;
    PERFORM berqenas._audit('configure_sync', db_id, name,
                            jsonb_build_object('sync_mode', sync_mode, 'tables', tables,
                                               'timestamp_column', timestamp_column,
                                               'target_schema', schema_name, 'method', method,
                                               'conflict_strategy', conflict_strategy));
    RETURN jsonb_build_object('name', name, 'sync_mode', sync_mode, 'tables', to_jsonb(tables),
                              'timestamp_column', timestamp_column, 'target_schema', schema_name,
                              'method', method)
           || CASE WHEN sync_mode = 'bidirectional'
                   THEN jsonb_build_object('conflict_strategy', coalesce(conflict_strategy, old.conflict_strategy, 'latest_wins'))
                   ELSE '{}'::jsonb END
           || CASE WHEN in_full IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('copied_in_full', in_full) END
           || CASE WHEN capture IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('capture', capture) END
           || CASE WHEN worker IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('worker_started', worker) END;
END
$$;

CREATE FUNCTION berqenas.sync(name text, tables text[] DEFAULT NULL, "full" boolean DEFAULT false)
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    result jsonb;
    pruned bigint;
BEGIN
    IF tables IS NOT NULL AND (cardinality(tables) = 0 OR array_position(tables, NULL) IS NOT NULL) THEN
        RAISE EXCEPTION 'tables must be NULL (every configured table) or a list of table names' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM berqenas.sync_configs c WHERE c.remote_database_id = db_id AND c.sync_mode = 'bidirectional') THEN
        -- Both ways; "full" reads both sides whole (a reconciling run) instead of their changes.
        result := berqenas._bd_sync_run(db_id, tables, NULL, false, coalesce("full", false), 'manual');
    ELSE
        result := berqenas._sync_run(db_id, tables, coalesce("full", false), 'manual');
    END IF;
    -- Journals past berqenas.journal_retention go now, in this transaction: about as much as the
    -- syncs of that long ago wrote.
    pruned := berqenas._sync_journal_prune(NULL);
    IF pruned > 0 THEN
        INSERT INTO berqenas.sync_job_log (sync_job_id, level, message)
        SELECT j.id, 'info', format('pruned %s journal rows older than berqenas.journal_retention (%s)',
                                    pruned, berqenas._journal_retention_setting())
          FROM berqenas.sync_jobs j WHERE j.sync_id = result ->> 'sync_id';
    END IF;
    RETURN result;
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
            'error', last_job.error, 'error_sqlstate', last_job.error_sqlstate)
            || CASE WHEN last_job.mode = 'bidirectional' THEN (
                   SELECT jsonb_build_object('cloud_to_local', coalesce(sum((t.value ->> 'cloud_to_local')::bigint), 0),
                                             'local_to_cloud', coalesce(sum((t.value ->> 'local_to_cloud')::bigint), 0),
                                             'conflicts', coalesce(sum((t.value ->> 'conflicts_detected')::bigint), 0),
                                             'conflicts_resolved', coalesce(sum((t.value ->> 'conflicts_resolved')::bigint), 0))
                     FROM jsonb_each(last_job.tables) t WHERE jsonb_typeof(t.value) = 'object')
               ELSE '{}'::jsonb END END,
        'conflict_strategy', CASE WHEN cfg.sync_mode = 'bidirectional' THEN cfg.conflict_strategy END,
        'open_conflicts', (SELECT count(*) FROM berqenas.sync_conflicts c WHERE c.remote_database_id = db_id AND c.status = 'open'),
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
                   error text, error_sqlstate text,
                   cloud_to_local bigint, local_to_cloud bigint, conflicts bigint)   -- bidirectional runs; NULL otherwise
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
               j.records_synced, j.bytes_synced, j.tables, j.error, j.error_sqlstate,
               two_way.c2l, two_way.l2c, two_way.conflicts
          FROM berqenas.sync_jobs j
          LEFT JOIN LATERAL (
              SELECT sum((t.value ->> 'cloud_to_local')::bigint)::bigint AS c2l,
                     sum((t.value ->> 'local_to_cloud')::bigint)::bigint AS l2c,
                     sum((t.value ->> 'conflicts_detected')::bigint)::bigint AS conflicts
                FROM jsonb_each(j.tables) t
               WHERE j.mode = 'bidirectional' AND jsonb_typeof(t.value) = 'object') two_way ON true
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

-- Puts the local tables back as they were before sync_id, from the journals. Runs that changed the
-- same rows later (any mode, including the open realtime run) go with it when include_later is
-- true; otherwise 55000 names them. Each row goes back to its state before the earliest change
-- among the runs rolled back, so the runs' interleaving does not matter.
CREATE FUNCTION berqenas.rollback(sync_id text, include_later boolean DEFAULT false) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job berqenas.sync_jobs;
    runs bigint[];
    blockers text;
    unusable record;
    t record;
    whole record;
    target text;
    key_match text;
    restored bigint;
    removed bigint;
    n bigint;
    result jsonb := '{}';
    total bigint := 0;
    rolled text[];
BEGIN
    SELECT * INTO job FROM berqenas.sync_jobs s WHERE s.sync_id = rollback.sync_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sync "%" does not exist', sync_id
            USING ERRCODE = '42704', HINT = 'see berqenas.sync_history(name)';
    END IF;
    PERFORM berqenas._require_access(job.remote_database_id,
                                     (SELECT r.name FROM berqenas.remote_database_registry r WHERE r.id = job.remote_database_id));
    -- Journals and rows hold still while we read and restore them: the realtime worker's round in
    -- flight finishes and its next one waits (it takes 'apply' shared), and so does a running sync.
    PERFORM pg_advisory_xact_lock(berqenas._lock_class('apply'), job.remote_database_id::int);
    PERFORM pg_advisory_xact_lock(berqenas._lock_class('database'), job.remote_database_id::int);
    SELECT * INTO job FROM berqenas.sync_jobs s WHERE s.id = job.id FOR UPDATE;
    IF job.status IN ('failed', 'cancelled') THEN
        RAISE EXCEPTION 'sync "%" is %, only a succeeded sync can be rolled back', sync_id, job.status
            USING ERRCODE = '55000', HINT = 'a failed sync changed nothing';
    ELSIF job.status <> 'succeeded' AND NOT (job.status = 'running' AND job.mode = 'realtime') THEN
        RAISE EXCEPTION 'sync "%" is %, only a succeeded sync can be rolled back', sync_id, job.status
            USING ERRCODE = '55000';
    END IF;
    IF (job.tables ->> '_journal') = 'off' THEN
        RAISE EXCEPTION 'sync "%" kept no journal (berqenas.sync_journal was off)', sync_id USING ERRCODE = '55000';
    ELSIF (job.tables ->> '_journal') = 'pruned' THEN
        RAISE EXCEPTION 'cannot roll back sync "%": its journal was pruned (berqenas.journal_retention is %)',
                        sync_id, berqenas._journal_retention_setting()
            USING ERRCODE = '55000', DETAIL = format('pruned at %s', job.tables ->> '_journal_pruned_at'),
                  HINT = 'raise berqenas.journal_retention to keep journals longer; sync(name, "full" => true) copies the tables again';
    END IF;
    -- Both sides, from the run's own journal (sync_two_way_journal), in C++.
    IF job.mode = 'bidirectional' THEN
        IF include_later THEN
            RAISE EXCEPTION 'include_later is not supported for bidirectional runs' USING ERRCODE = '0A000',
                HINT = 'roll back the later runs first, newest first';
        END IF;
        RETURN berqenas._bd_rollback(job.id);
    END IF;
    runs := berqenas._sync_rollback_set(job.id);
    SELECT string_agg(format('%s (%s%s)', l.sync_id, l.mode, CASE WHEN l.status = 'running' THEN ', open' ELSE '' END),
                      ', ' ORDER BY l.id) INTO blockers
      FROM berqenas.sync_jobs l WHERE l.id = ANY (runs) AND l.id <> job.id;
    IF blockers IS NOT NULL AND NOT include_later THEN
        RAISE EXCEPTION 'cannot roll back sync "%": later syncs changed the same rows', sync_id
            USING ERRCODE = '55000', DETAIL = 'later syncs: ' || blockers,
                  HINT = 'use berqenas.rollback(sync_id, include_later => true) to roll those back too';
    END IF;
    -- The later runs hold still too (pruning skips locked runs); one whose journal is incomplete
    -- (berqenas.sync_journal turned off during a realtime run, or pruned meanwhile) cannot be undone.
    PERFORM 1 FROM berqenas.sync_jobs l WHERE l.id = ANY (runs) ORDER BY l.id FOR UPDATE;
    SELECT l.sync_id, l.tables ->> '_journal' AS why INTO unusable
      FROM berqenas.sync_jobs l WHERE l.id = ANY (runs) AND l.id <> job.id AND l.tables ? '_journal' ORDER BY l.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'cannot roll back sync "%": later sync "%" changed the same rows and %', sync_id, unusable.sync_id,
                        CASE unusable.why WHEN 'pruned' THEN 'its journal was pruned'
                                          ELSE 'kept no complete journal (berqenas.sync_journal was off)' END
            USING ERRCODE = '55000', HINT = 'roll back only what came after it, or sync(name, "full" => true) to copy the tables again';
    END IF;

    FOR t IN SELECT st.* FROM berqenas.sync_tables st
              WHERE st.id IN (SELECT jr.sync_table_id FROM berqenas.sync_journal jr WHERE jr.sync_job_id = ANY (runs))
              ORDER BY st.id LOOP
        target := format('%I.%I', t.local_schema, t.local_table);
        IF berqenas._sync_owned_table(t.id) IS NULL THEN   -- 42501 when another relation took its name
            CONTINUE;
        END IF;
        restored := 0;
        removed := 0;
        -- The earliest whole-table entry (a first copy into an empty table, or a table without a
        -- primary key): the table goes back to what it held then.
        SELECT jr.id, jr.sync_job_id INTO whole FROM berqenas.sync_journal jr
         WHERE jr.sync_job_id = ANY (runs) AND jr.sync_table_id = t.id AND jr.whole_table ORDER BY jr.id LIMIT 1;
        IF whole.id IS NOT NULL THEN
            EXECUTE format('DELETE FROM %s', target);
            GET DIAGNOSTICS removed = ROW_COUNT;
            EXECUTE format('INSERT INTO %1$s SELECT r.* FROM berqenas.sync_journal jr, jsonb_populate_record(NULL::%1$s, jr.old_row) r '
                           'WHERE jr.sync_job_id = $1 AND jr.sync_table_id = $2 AND NOT jr.whole_table AND jr.entries IS NULL '
                           'AND jr.key IS NULL AND jr.old_row IS NOT NULL', target) USING whole.sync_job_id, t.id;
            GET DIAGNOSTICS restored = ROW_COUNT;
        END IF;
        -- Row by row: each key back to its state before the earliest change among the runs (before
        -- the whole-table entry, when there is one). Keys are compared in the column's own type.
        IF cardinality(t.primary_key) > 0 THEN
            SELECT string_agg(format('x.%1$I = (f.key ->> %2$L)::%3$s', k, k, format_type(a.atttypid, a.atttypmod)), ' AND ')
              INTO key_match
              FROM unnest(t.primary_key) AS k JOIN pg_catalog.pg_attribute a ON a.attrelid = target::regclass AND a.attname = k;
            EXECUTE format('WITH d AS (DELETE FROM %1$s x USING (SELECT DISTINCT ON (e.key) e.key, e.old_row '
                           '  FROM berqenas._sync_journal_entries($1) e WHERE e.sync_table_id = $2 AND e.key IS NOT NULL '
                           '   AND ($3::bigint IS NULL OR e.id < $3) ORDER BY e.key, e.id, e.ord) f WHERE %2$s '
                           '  RETURNING f.old_row IS NULL AS gone) SELECT count(*) FILTER (WHERE gone) FROM d',
                           target, key_match) INTO n USING runs, t.id, whole.id;
            removed := removed + n;
            EXECUTE format('INSERT INTO %1$s SELECT r.* FROM (SELECT DISTINCT ON (e.key) e.key, e.old_row '
                           '  FROM berqenas._sync_journal_entries($1) e WHERE e.sync_table_id = $2 AND e.key IS NOT NULL '
                           '   AND ($3::bigint IS NULL OR e.id < $3) ORDER BY e.key, e.id, e.ord) f, '
                           '  jsonb_populate_record(NULL::%1$s, f.old_row) r WHERE f.old_row IS NOT NULL', target)
                USING runs, t.id, whole.id;
            GET DIAGNOSTICS n = ROW_COUNT;
            restored := restored + n;
        END IF;
        result := result || jsonb_build_object(t.remote_table, jsonb_build_object('restored', restored, 'removed', removed));
        total := total + restored + removed;
        -- The watermark goes back too, so the next incremental sync copies those rows again.
        UPDATE berqenas.sync_tables st SET watermark = NULL WHERE st.id = t.id;
    END LOOP;
    -- Newest first (by the last journal row each wrote). An open realtime run ends here: the worker
    -- opens a new run for the changes it applies next.
    SELECT array_agg(l.sync_id ORDER BY (SELECT max(jr.id) FROM berqenas.sync_journal jr WHERE jr.sync_job_id = l.id) DESC NULLS LAST, l.id DESC)
      INTO rolled FROM berqenas.sync_jobs l WHERE l.id = ANY (runs);
    UPDATE berqenas.sync_jobs s SET status = 'rolled_back', finished_at = coalesce(s.finished_at, clock_timestamp())
     WHERE s.id = ANY (runs);
    INSERT INTO berqenas.sync_job_log (sync_job_id, level, message)
    SELECT r, 'info', CASE WHEN r = job.id THEN format('rolled back by %s', session_user)
                           ELSE format('rolled back by %s, with %s', session_user, job.sync_id) END
      FROM unnest(runs) AS r;
    PERFORM berqenas._audit('rollback', job.remote_database_id,
                            (SELECT r.name FROM berqenas.remote_database_registry r WHERE r.id = job.remote_database_id),
                            jsonb_build_object('sync_id', sync_id, 'rolled_back', to_jsonb(rolled)));
    RETURN jsonb_build_object('sync_id', sync_id, 'rolled_back', to_jsonb(rolled), 'tables', result,
                              'total_rows', total);
END
$$;

-- Closes the remote connections this session kept for its next syncs (berqenas.sync_keep_connections);
-- returns how many were open.
CREATE FUNCTION berqenas.sync_disconnect() RETURNS integer
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'berqenas_sync_disconnect';
GRANT EXECUTE ON FUNCTION berqenas.sync_disconnect() TO berqenas_admin;

-- Prunes journals past berqenas.journal_retention now (sync() and the realtime worker also do it
-- on their own). Returns {"journal_rows": deleted, "pruned_runs": runs marked pruned, "retention"}.
CREATE FUNCTION berqenas.prune_journal() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    marked_before bigint := (SELECT count(*) FROM berqenas.sync_jobs j WHERE j.tables ->> '_journal' = 'pruned');
    deleted bigint;
BEGIN
    deleted := berqenas._sync_journal_prune(NULL);
    RETURN jsonb_build_object('journal_rows', deleted,
                              'pruned_runs', (SELECT count(*) FROM berqenas.sync_jobs j WHERE j.tables ->> '_journal' = 'pruned') - marked_before,
                              'retention', berqenas._journal_retention_setting());
END
$$;

-- Each running sync, from any session (shared memory; needs shared_preload_libraries).
CREATE VIEW berqenas.sync_progress AS
SELECT * FROM berqenas._sync_progress();

GRANT SELECT ON berqenas.sync_progress, berqenas.sync_configs, berqenas.sync_tables, berqenas.sync_job_log
    TO berqenas_admin;
GRANT EXECUTE ON FUNCTION
    berqenas.configure_sync(text, text, text[], text, text, text, text),
    berqenas.sync(text, text[], boolean),
    berqenas.sync_status(text),
    berqenas.sync_history(text, integer),
    berqenas.sync_logs(text, integer, text),
    berqenas.verify(text, text[]),
    berqenas.rollback(text, boolean),
    berqenas.prune_journal(),
    berqenas._sync_progress()
    TO berqenas_admin;
