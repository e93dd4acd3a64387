-- Part of berqenas--0.1.0.sql: bidirectional sync (docs/bidirectional.md): prepare_table,
-- bidirectional_sync, conflicts, analyze_conflicts, resolve_conflict(s).

------------------------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------------------------

-- The content each key had when both sides last agreed (a 64-bit hash of the row without its
-- bookkeeping columns). A side changed a row when its content differs from this: our own writes
-- coming back are no change (no echo), and a change on both sides is a three-way comparison.
CREATE TABLE berqenas.sync_row_state (
    sync_table_id bigint NOT NULL REFERENCES berqenas.sync_tables (id) ON DELETE CASCADE,
    key           jsonb NOT NULL,
    content_hash  bigint NOT NULL,
    synced_job_id bigint,
    PRIMARY KEY (sync_table_id, key)
);

-- Keys deleted from a two-way table's cloud copy since the last run (its trigger writes them): a
-- hard delete in the cloud travels as a delete.
CREATE TABLE berqenas.sync_tombstones (
    sync_table_id bigint NOT NULL REFERENCES berqenas.sync_tables (id) ON DELETE CASCADE,
    key           jsonb NOT NULL,
    deleted_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (sync_table_id, key)
);

-- What each bidirectional run changed, per key decided (rollback): each side's row as it was before
-- (NULL: no row) when the run wrote that side, and the content both sides had agreed on before.
CREATE TABLE berqenas.sync_two_way_journal (
    sync_job_id    bigint NOT NULL REFERENCES berqenas.sync_jobs (id) ON DELETE CASCADE,
    sync_table_id  bigint NOT NULL REFERENCES berqenas.sync_tables (id) ON DELETE CASCADE,
    key            jsonb NOT NULL,
    cloud_written  boolean NOT NULL,
    cloud_old      jsonb COMPRESSION lz4,
    remote_written boolean NOT NULL,
    remote_old     jsonb COMPRESSION lz4,
    agreed_old     bigint,
    PRIMARY KEY (sync_job_id, sync_table_id, key)
);
-- A later run's entry for the same key means the key changed after the run being rolled back.
CREATE INDEX ON berqenas.sync_two_way_journal (sync_table_id, key);

ALTER TABLE berqenas.sync_conflicts
    ADD FOREIGN KEY (sync_table_id) REFERENCES berqenas.sync_tables (id) ON DELETE CASCADE;
-- At most one open conflict per key: a held key is not detected again on every run.
CREATE UNIQUE INDEX ON berqenas.sync_conflicts (sync_table_id, primary_key) WHERE status = 'open';

SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_row_state', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_tombstones', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_two_way_journal', '');

------------------------------------------------------------------------------------------------
-- The cloud copy's triggers
------------------------------------------------------------------------------------------------

-- updated_at follows every write to the cloud copy (the cloud's own clock), and a new row gets the
-- created_at and is_deleted defaults the remote's columns have. TG_ARGV: the updated_at,
-- created_at ('' when none) and is_deleted column names, as the table spells them.
CREATE FUNCTION berqenas._bd_touch() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    patch jsonb := jsonb_build_object(TG_ARGV[0], localtimestamp);
    now_row jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        now_row := to_jsonb(NEW);
        IF TG_ARGV[1] <> '' AND now_row -> TG_ARGV[1] = 'null'::jsonb THEN
            patch := patch || jsonb_build_object(TG_ARGV[1], localtimestamp);
        END IF;
        IF now_row -> TG_ARGV[2] = 'null'::jsonb THEN
            patch := patch || jsonb_build_object(TG_ARGV[2], false);
        END IF;
    END IF;
    NEW := jsonb_populate_record(NEW, patch);
    RETURN NEW;
END
$$;

-- A deleted row's key, for the next run. TG_ARGV: the sync_tables id, then the key columns.
-- SECURITY DEFINER: whoever deletes from the cloud copy needs no right on berqenas's tables.
CREATE FUNCTION berqenas._bd_tombstone() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    k jsonb := '{}';
BEGIN
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        k := k || jsonb_build_object(TG_ARGV[i], old_row -> TG_ARGV[i]);
    END LOOP;
    INSERT INTO berqenas.sync_tombstones (sync_table_id, key) VALUES (TG_ARGV[0]::bigint, k)
    ON CONFLICT (sync_table_id, key) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
    RETURN NULL;
END
$$;

-- Gives a synced table's cloud copy what two-way sync needs, where missing: the bookkeeping
-- columns (named as on the remote; types and defaults as the product docs give them) and both
-- triggers. Returns what it did.
CREATE FUNCTION berqenas._bd_prepare_cloud(table_id bigint) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass := berqenas._sync_owned_table(table_id);
    keys text[];
    added text[] := '{}';
    col text;
    want record;
    updated_col text;
    created_col text := '';
    deleted_col text;
    created_triggers text[] := '{}';   -- what was created: the index, the triggers
BEGIN
    SELECT t.primary_key INTO keys FROM berqenas.sync_tables t WHERE t.id = table_id;
    FOR want IN SELECT * FROM (VALUES ('created_at', 'timestamp', 'localtimestamp'),
                                      ('updated_at', 'timestamp', 'localtimestamp'),
                                      ('is_deleted', 'boolean', 'false')) AS w (name, type, dflt) LOOP
        -- The remote's spelling where the copy has the column in another case (MSSQL names).
        SELECT a.attname INTO col FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND lower(a.attname) = want.name
         ORDER BY a.attname = want.name DESC LIMIT 1;
        IF col IS NULL THEN
            EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s DEFAULT %s', rel, want.name, want.type, want.dflt);
            col := want.name;
            added := added || want.name;
        END IF;
        CASE want.name WHEN 'created_at' THEN created_col := col; WHEN 'updated_at' THEN updated_col := col;
                       ELSE deleted_col := col; END CASE;
        col := NULL;
    END LOOP;
    -- Each run reads the cloud's rows changed since the last one: by index, not by a scan of the copy.
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a
                     ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                    WHERE i.indrelid = rel AND a.attname = updated_col) THEN
        EXECUTE format('CREATE INDEX ON %s (%I)', rel, updated_col);
        created_triggers := created_triggers || ('index on ' || updated_col);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = rel AND tgname = 'berqenas_bd_touch') THEN
        EXECUTE format('CREATE TRIGGER berqenas_bd_touch BEFORE INSERT OR UPDATE ON %s FOR EACH ROW '
                       'EXECUTE FUNCTION berqenas._bd_touch(%L, %L, %L)', rel, updated_col, created_col, deleted_col);
        created_triggers := created_triggers || 'berqenas_bd_touch'::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = rel AND tgname = 'berqenas_bd_tombstone') THEN
        EXECUTE format('CREATE TRIGGER berqenas_bd_tombstone AFTER DELETE ON %s FOR EACH ROW '
                       'EXECUTE FUNCTION berqenas._bd_tombstone(%s)', rel,
                       (SELECT string_agg(quote_literal(x), ', ') FROM unnest(table_id::text || keys) x));
        created_triggers := created_triggers || 'berqenas_bd_tombstone'::text;
    END IF;
    RETURN jsonb_build_object('table', rel::text, 'added_columns', to_jsonb(added), 'created', to_jsonb(created_triggers));
END
$$;

-- The baseline of a table whose cloud copy was just copied whole from the remote: every row is
-- agreed content, and each side's changes count from the clocks read before the copy.
CREATE FUNCTION berqenas._bd_baseline(table_id bigint, cloud_now timestamp, remote_now timestamp) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass := berqenas._sync_owned_table(table_id);
    keys text[];
    content text;
    n bigint;
BEGIN
    SELECT t.primary_key INTO keys FROM berqenas.sync_tables t WHERE t.id = table_id;
    SELECT string_agg(format('c.%I', a.attname), ', ' ORDER BY a.attnum) INTO content
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND lower(a.attname) NOT IN ('updated_at', 'created_at');
    DELETE FROM berqenas.sync_row_state WHERE sync_table_id = table_id;
    EXECUTE format('INSERT INTO berqenas.sync_row_state (sync_table_id, key, content_hash) '
                   'SELECT $1, jsonb_build_object(%s), pg_catalog.hashtextextended(ROW(%s)::text, 0) FROM %s c',
                   (SELECT string_agg(format('%L, c.%I', k, k), ', ') FROM unnest(keys) k), content, rel)
        USING table_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE berqenas.sync_tables SET bd_cloud_watermark = cloud_now, bd_local_watermark = remote_now, bd_agreed_rows = n
     WHERE id = table_id;
    -- The next run's plans probe these rows by key; fresh statistics let them.
    ANALYZE berqenas.sync_row_state;
    RETURN n;
END
$$;

------------------------------------------------------------------------------------------------
-- Internal C functions
------------------------------------------------------------------------------------------------

CREATE FUNCTION berqenas._bd_prepare_remote(remote_database_id bigint, table_name text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'berqenas_bd_prepare_remote' LANGUAGE C STRICT;
CREATE FUNCTION berqenas._bd_rollback(job_id bigint) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'berqenas_bd_rollback' LANGUAGE C STRICT;
CREATE FUNCTION berqenas._bd_sync_run(remote_database_id bigint, tables text[], conflict_strategy text,
                                      dry_run boolean, full_read boolean, origin text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'berqenas_bd_sync_run' LANGUAGE C;

------------------------------------------------------------------------------------------------
-- API
------------------------------------------------------------------------------------------------

-- Adds created_at, updated_at, is_deleted and the updated_at trigger to the remote table and to
-- its cloud copy (when it has one yet), where missing; idempotent.
CREATE FUNCTION berqenas.prepare_table(name text, table_name text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    remote_result jsonb;
    cloud_result jsonb := NULL;
    table_id bigint;
BEGIN
    IF table_name IS NULL OR table_name = '' THEN
        RAISE EXCEPTION 'table_name must name a remote table' USING ERRCODE = '22023';
    END IF;
    remote_result := berqenas._bd_prepare_remote(db_id, table_name);
    SELECT t.id INTO table_id FROM berqenas.sync_tables t
     WHERE t.remote_database_id = db_id AND t.remote_table = remote_result ->> 'table' AND t.local_table_oid IS NOT NULL;
    IF table_id IS NOT NULL THEN
        cloud_result := berqenas._bd_prepare_cloud(table_id);
    END IF;
    PERFORM berqenas._audit('prepare_table', db_id, name, jsonb_build_object('table', table_name));
    RETURN jsonb_build_object('table', remote_result ->> 'table', 'remote', remote_result - 'table',
                              'cloud', coalesce(cloud_result - 'table', jsonb_build_object('copy', 'not synced yet')));
END
$$;

CREATE FUNCTION berqenas._bd_check_strategy(strategy text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF strategy IS NOT NULL AND strategy NOT IN ('latest_wins', 'cloud_wins', 'local_wins', 'manual') THEN
        RAISE EXCEPTION 'unknown conflict_strategy "%"', strategy
            USING ERRCODE = '22023', HINT = 'conflict_strategy must be "latest_wins", "cloud_wins", "local_wins" or "manual"';
    END IF;
END
$$;

-- One two-way run: both sides' changes since the last run, conflicts resolved by the strategy
-- (NULL: the configured one). dry_run: the same answer, nothing written anywhere.
CREATE FUNCTION berqenas.bidirectional_sync(name text, tables text[] DEFAULT NULL, conflict_strategy text DEFAULT NULL,
                                            dry_run boolean DEFAULT false) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    mode text;
BEGIN
    PERFORM berqenas._bd_check_strategy(conflict_strategy);
    IF tables IS NOT NULL AND (cardinality(tables) = 0 OR array_position(tables, NULL) IS NOT NULL) THEN
        RAISE EXCEPTION 'tables must be NULL (every configured table) or a list of table names' USING ERRCODE = '22023';
    END IF;
    SELECT c.sync_mode INTO mode FROM berqenas.sync_configs c WHERE c.remote_database_id = db_id;
    IF mode IS DISTINCT FROM 'bidirectional' THEN
        RAISE EXCEPTION 'remote database "%" is not configured for bidirectional sync', name
            USING ERRCODE = '55000', DETAIL = format('its sync mode is %s', coalesce(mode, 'not configured')),
                  HINT = format('SELECT berqenas.configure_sync(%L, sync_mode => ''bidirectional'')', name);
    END IF;
    RETURN berqenas._bd_sync_run(db_id, tables, conflict_strategy, coalesce(dry_run, false), false, 'manual');
END
$$;

-- The conflicts of one remote database since a time (default: today), newest first.
CREATE FUNCTION berqenas.conflicts(name text, since timestamptz DEFAULT current_date)
    RETURNS TABLE (id bigint, detected_at timestamptz, table_name text, primary_key jsonb, strategy text, winner text,
                   status text, cloud_row jsonb, local_row jsonb, sync_id text, resolved_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.id, c.detected_at, c.table_name, c.primary_key, c.strategy, c.winner, c.status, c.cloud_row, c.local_row,
           j.sync_id, c.resolved_at
      FROM berqenas.sync_conflicts c
      LEFT JOIN berqenas.sync_jobs j ON j.id = c.sync_job_id
     WHERE c.remote_database_id = berqenas._remote_database_id(name) AND c.detected_at >= since
     ORDER BY c.detected_at DESC, c.id DESC
$$;

-- Where conflicts come from: by table, by hottest key, by column (which columns differed between
-- the two versions), with a suggested strategy.
CREATE FUNCTION berqenas.analyze_conflicts(name text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    total bigint;
    open_count bigint;
    by_table jsonb;
    hot_keys jsonb;
    by_column jsonb;
    cloud_won bigint;
    local_won bigint;
    suggestion text;
    why text;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE winner = 'cloud'),
           count(*) FILTER (WHERE winner = 'local')
      INTO total, open_count, cloud_won, local_won
      FROM berqenas.sync_conflicts WHERE remote_database_id = db_id;
    SELECT coalesce(jsonb_object_agg(table_name, n), '{}') INTO by_table
      FROM (SELECT table_name, count(*) AS n FROM berqenas.sync_conflicts WHERE remote_database_id = db_id GROUP BY 1) t;
    SELECT coalesce(jsonb_agg(jsonb_build_object('table', table_name, 'key', primary_key, 'conflicts', n) ORDER BY n DESC), '[]')
      INTO hot_keys
      FROM (SELECT table_name, primary_key, count(*) AS n FROM berqenas.sync_conflicts WHERE remote_database_id = db_id
             GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 10) k;
    SELECT coalesce(jsonb_object_agg(col, n), '{}') INTO by_column
      FROM (SELECT e.key AS col, count(*) AS n
              FROM berqenas.sync_conflicts c, jsonb_each(coalesce(c.cloud_row, '{}')) e
             WHERE c.remote_database_id = db_id AND c.local_row IS NOT NULL
               AND lower(e.key) NOT IN ('updated_at', 'created_at')
               AND (c.local_row -> e.key) IS DISTINCT FROM e.value
             GROUP BY 1) x;
    IF total = 0 THEN
        suggestion := NULL; why := 'no conflicts yet';
    ELSIF cloud_won > 4 * local_won THEN
        suggestion := 'cloud_wins'; why := 'the cloud''s version won most conflicts';
    ELSIF local_won > 4 * cloud_won THEN
        suggestion := 'local_wins'; why := 'the on-premise version won most conflicts';
    ELSE
        suggestion := 'latest_wins'; why := 'both sides win conflicts: keep the later change';
    END IF;
    RETURN jsonb_build_object('total', total, 'open', open_count, 'by_table', by_table, 'hot_keys', hot_keys,
                              'by_column', by_column, 'cloud_won', cloud_won, 'local_won', local_won,
                              'suggested_strategy', suggestion, 'why', why);
END
$$;

-- Resolves one conflict: winner 'cloud' or 'local' (that side's current version goes to the
-- other), or a jsonb row written to both sides. Applied at once by a run of its table.
CREATE FUNCTION berqenas.resolve_conflict(conflict_id bigint, winner text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c berqenas.sync_conflicts;
    t berqenas.sync_tables;
    rel regclass;
    row_value jsonb;
    side text;
    cols text;
    run jsonb;
BEGIN
    SELECT * INTO c FROM berqenas.sync_conflicts WHERE id = conflict_id FOR UPDATE;
    IF NOT FOUND OR NOT berqenas._may_access_database(c.remote_database_id) THEN
        RAISE EXCEPTION 'conflict % does not exist', conflict_id USING ERRCODE = '42704',
            HINT = 'see berqenas.conflicts(name)';
    END IF;
    IF c.status <> 'open' THEN
        RAISE EXCEPTION 'conflict % is already resolved', conflict_id USING ERRCODE = '55000',
            DETAIL = format('winner: %s, at %s', coalesce(c.winner, c.resolution), c.resolved_at);
    END IF;
    IF winner IS NULL THEN
        RAISE EXCEPTION 'winner must be ''cloud'', ''local'' or a row as jsonb' USING ERRCODE = '22023';
    END IF;
    BEGIN
        row_value := winner::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        row_value := NULL;
    END;
    IF winner IN ('cloud', 'local') THEN
        side := winner;
    ELSIF jsonb_typeof(row_value) = 'object' THEN
        -- The given row becomes the cloud's version, then goes to the remote like a cloud win.
        SELECT * INTO t FROM berqenas.sync_tables WHERE id = c.sync_table_id;
        rel := berqenas._sync_owned_table(t.id);
        SELECT string_agg(format('%I', k), ', ') INTO cols
          FROM jsonb_object_keys(row_value) k WHERE NOT (k = ANY (t.primary_key));
        IF cols IS NULL THEN
            RAISE EXCEPTION 'the row names no column to write' USING ERRCODE = '22023';
        END IF;
        EXECUTE format('UPDATE %s AS t SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%s, $1) r) WHERE %s',
                       rel, cols, (SELECT string_agg(format('r.%I', k), ', ') FROM jsonb_object_keys(row_value) k
                                    WHERE NOT (k = ANY (t.primary_key))),
                       rel, (SELECT string_agg(format('t.%I = ($2 ->> %L)::%s', k, k,
                                                      (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                                                        WHERE a.attrelid = rel AND a.attname = k)), ' AND ')
                               FROM unnest(t.primary_key) k))
            USING row_value, c.primary_key;
        side := 'cloud';
    ELSE
        RAISE EXCEPTION 'winner must be ''cloud'', ''local'' or a row as jsonb' USING ERRCODE = '22023',
            DETAIL = format('got %s', winner);
    END IF;
    UPDATE berqenas.sync_conflicts SET chosen_winner = side, resolved_by = session_user WHERE id = conflict_id;
    run := berqenas._bd_sync_run(c.remote_database_id,
                                 ARRAY[(SELECT remote_table FROM berqenas.sync_tables WHERE id = c.sync_table_id)],
                                 NULL, false, false, 'resolve_conflict');
    PERFORM berqenas._audit('resolve_conflict', c.remote_database_id,
                            (SELECT r.name FROM berqenas.remote_database_registry r WHERE r.id = c.remote_database_id),
                            jsonb_build_object('conflict_id', conflict_id, 'winner', side,
                                               'row_given', row_value IS NOT NULL AND winner NOT IN ('cloud', 'local')));
    RETURN jsonb_build_object('conflict_id', conflict_id, 'winner', side,
                              'status', (SELECT status FROM berqenas.sync_conflicts WHERE id = conflict_id),
                              'sync_id', run ->> 'sync_id');
END
$$;

-- Resolves every open conflict of a database (or of one table) for the same side, in one run.
CREATE FUNCTION berqenas.resolve_conflicts(name text, winner text, table_name text DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    n bigint;
    tables text[];
    run jsonb := NULL;
BEGIN
    IF winner IS NULL OR winner NOT IN ('cloud', 'local') THEN
        RAISE EXCEPTION 'winner must be ''cloud'' or ''local''' USING ERRCODE = '22023';
    END IF;
    WITH chosen AS (
        UPDATE berqenas.sync_conflicts c SET chosen_winner = resolve_conflicts.winner, resolved_by = session_user
          FROM berqenas.sync_tables t
         WHERE c.remote_database_id = db_id AND c.status = 'open' AND t.id = c.sync_table_id
           AND (resolve_conflicts.table_name IS NULL OR t.remote_table = resolve_conflicts.table_name)
        RETURNING t.remote_table AS chosen_table)
    SELECT count(*), array_agg(DISTINCT chosen_table) INTO n, tables FROM chosen;
    IF n > 0 THEN
        run := berqenas._bd_sync_run(db_id, tables, NULL, false, false, 'resolve_conflicts');
    END IF;
    PERFORM berqenas._audit('resolve_conflicts', db_id, name, jsonb_build_object('winner', resolve_conflicts.winner,
                            'table', resolve_conflicts.table_name, 'count', n));
    RETURN jsonb_build_object('resolved', n, 'winner', resolve_conflicts.winner, 'sync_id', run ->> 'sync_id');
END
$$;

GRANT EXECUTE ON FUNCTION berqenas.prepare_table(text, text), berqenas.bidirectional_sync(text, text[], text, boolean),
    berqenas.conflicts(text, timestamptz), berqenas.analyze_conflicts(text),
    berqenas.resolve_conflict(bigint, text), berqenas.resolve_conflicts(text, text, text) TO berqenas_admin;
