-- Part of berqenas--0.1.0.sql: scheduled syncs through pg_cron.
-- A schedule is a pg_cron job named berqenas_<name> whose command is SELECT berqenas.sync('<name>');
-- sync_status() reads its next run, and unregister_remote_database() finds it as a dependent.

CREATE FUNCTION berqenas.schedule_sync(name text, cron text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    first_run timestamptz;
    second_run timestamptz;
    min_interval interval := make_interval(mins => current_setting('berqenas.min_sync_interval_minutes')::int);
    job bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'cron' AND p.proname = 'schedule') THEN
        RAISE EXCEPTION 'scheduling needs the pg_cron extension in this database'
            USING ERRCODE = '55000',
                  HINT = 'add pg_cron to shared_preload_libraries, set cron.database_name to this database, '
                         'and CREATE EXTENSION pg_cron';
    END IF;
    IF cron IS NULL OR btrim(cron) = '' THEN
        RAISE EXCEPTION 'cron schedule must not be empty' USING ERRCODE = '22023';
    END IF;
    -- The product's limit: syncs at most every berqenas.min_sync_interval_minutes (default 5).
    BEGIN
        first_run := berqenas._cron_next_run(cron, clock_timestamp());
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'cron schedule "%" is not valid', cron
            USING ERRCODE = '22023', HINT = 'five fields: minute hour day-of-month month day-of-week, e.g. "0 * * * *"';
    END;
    IF first_run IS NULL THEN
        RAISE EXCEPTION 'cron schedule "%" never runs', cron USING ERRCODE = '22023';
    END IF;
    -- The tightest gap of the next day's runs must respect the minimum interval.
    FOR i IN 1..300 LOOP
        second_run := berqenas._cron_next_run(cron, first_run);
        EXIT WHEN second_run IS NULL OR first_run > clock_timestamp() + interval '1 day';
        IF second_run - first_run < min_interval THEN
            RAISE EXCEPTION 'cron schedule "%" runs every %, more often than berqenas.min_sync_interval_minutes (%)',
                            cron, second_run - first_run, min_interval
                USING ERRCODE = '22023', HINT = 'use a schedule such as "*/15 * * * *", or lower the setting';
        END IF;
        first_run := second_run;
    END LOOP;
    EXECUTE 'SELECT cron.schedule($1, $2, $3)'
        INTO job USING 'berqenas_' || name, cron, format('SELECT berqenas.sync(%L)', name);
    PERFORM berqenas._audit('schedule_sync', db_id, name, jsonb_build_object('cron', cron, 'job_id', job));
    RETURN job;
END
$$;

CREATE FUNCTION berqenas.unschedule_sync(name text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    removed boolean := false;
BEGIN
    IF to_regclass('cron.job') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT count(cron.unschedule(jobid)) > 0 FROM cron.job WHERE jobname = $1'
        INTO removed USING 'berqenas_' || name;
    IF removed THEN
        PERFORM berqenas._audit('unschedule_sync', db_id, name, '{}');
    END IF;
    RETURN removed;
END
$$;

GRANT EXECUTE ON FUNCTION berqenas.schedule_sync(text, text), berqenas.unschedule_sync(text) TO berqenas_admin;
