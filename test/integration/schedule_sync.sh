#!/usr/bin/env bash
# schedule_sync() creates a pg_cron job that really runs berqenas.sync(); the minimum interval and
# bad schedules are refused; unregister sees the schedule as a dependent; unschedule removes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas,pg_cron'" "cron.database_name = 'postgres'" \
    "max_worker_processes = 32" "cron.use_background_workers = on"
cluster_start onprem
cluster_psql onprem -c "CREATE TABLE items (id int PRIMARY KEY, name text, updated_at timestamp DEFAULT now())" \
    -c "INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 50) i" >/dev/null
cloud() { cluster_psql cloud -At "$@"; }
error_of() { cloud -c "$1" 2>&1 >/dev/null | head -1 || true; }

echo "without pg_cron in the database: a clear 55000"
cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres')" >/dev/null
out=$(error_of "SELECT berqenas.schedule_sync('erp', '*/15 * * * *')")
echo "  $out"; grep -q "scheduling needs the pg_cron extension" <<<"$out"

cloud -c "CREATE EXTENSION pg_cron" >/dev/null
cloud -c "SELECT berqenas.configure_sync('erp', 'incremental')" >/dev/null

echo "bad schedules are refused"
out=$(error_of "SELECT berqenas.schedule_sync('erp', '* * * * *')"); echo "  $out"
grep -q "more often than berqenas.min_sync_interval_minutes" <<<"$out"
out=$(error_of "SELECT berqenas.schedule_sync('erp', 'every day')"); echo "  $out"
grep -q 'cron schedule "every day" is not valid' <<<"$out"
out=$(error_of "SELECT berqenas.schedule_sync('nope', '0 * * * *')"); echo "  $out"
grep -q 'remote database "nope" is not registered' <<<"$out"

echo "the CLI schedules and unschedules"
cli=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
dsn="host=127.0.0.1 port=$cloud_PORT user=postgres dbname=postgres"
"$cli" -d "$dsn" sync schedule erp --cron '0 3 * * *' | tee /dev/stderr | grep -q 'as pg_cron job'
[ "$(cloud -c "SELECT schedule FROM cron.job WHERE jobname = 'berqenas_erp'")" = "0 3 * * *" ]
if "$cli" -d "$dsn" sync schedule erp --cron '* * * * *' 2>/tmp/cli-err.$$; then echo "CLI accepted a too-frequent schedule"; exit 1; fi
grep -q "ERROR 22023" /tmp/cli-err.$$; rm -f /tmp/cli-err.$$
"$cli" -d "$dsn" sync unschedule erp | grep -q 'schedule removed'
[ "$(cloud -c "SELECT count(*) FROM cron.job")" = 0 ]

echo "a valid schedule becomes a pg_cron job, visible in sync_status"
job=$(cloud -c "SELECT berqenas.schedule_sync('erp', '*/15 * * * *')")
[ "$(cloud -c "SELECT command FROM cron.job WHERE jobid = $job")" = "SELECT berqenas.sync('erp')" ]
next=$(cloud -c "SELECT berqenas.sync_status('erp') ->> 'next_run'")
echo "  job $job, next run $next"; [ -n "$next" ]

echo "pg_cron really runs it: a one-minute test schedule with the limit lowered"
cloud -c "SELECT berqenas.unschedule_sync('erp')" | grep -q t
cloud -c "ALTER SYSTEM SET berqenas.min_sync_interval_minutes = 1" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
cloud -c "SELECT berqenas.schedule_sync('erp', '* * * * *')" >/dev/null
for _ in $(seq 80); do
    n=$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs WHERE status = 'succeeded'")
    [ "$n" -ge 1 ] && break; sleep 1
done
echo "  syncs run by pg_cron: $n"; [ "$n" -ge 1 ]
[ "$(cloud -c "SELECT count(*) FROM remote_erp.items")" = 50 ]

echo "unregister sees the schedule"
out=$(error_of "SELECT berqenas.unregister_remote_database('erp')"); echo "  $out"
grep -q "because other objects depend on it" <<<"$out"
cloud -c "SELECT berqenas.unregister_remote_database('erp', cascade => true)" >/dev/null
[ "$(cloud -c "SELECT count(*) FROM cron.job WHERE jobname = 'berqenas_erp'")" = 0 ]
echo "schedules work"
