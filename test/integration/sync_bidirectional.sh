#!/usr/bin/env bash
# Bidirectional sync against both remote kinds (a PostgreSQL remote, and MSSQL through the TDS test
# server): prepare_table, the product docs' 14:30/14:35 scenario under latest_wins and cloud_wins,
# changes both ways (inserts, updates, soft and hard deletes) with no echo, equal edits that are no
# conflict, dry_run, manual conflicts and their resolution, analyze_conflicts, and the failure paths:
# bad input, a table not prepared, the remote connection killed between the two applies, a cancel,
# and a constraint violation on one side (nothing partial anywhere).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
. test/lib/tds_pair.sh
cleanup() { tds_cleanup; cluster_cleanup; }
trap cleanup EXIT
expect_contains() { grep -qF -- "$2" <<<"$1" || fail "$3: expected '$2' in: $1"; }

start_sync_pair
start_tds_server

cloud -c "CREATE EXTENSION berqenas" >/dev/null
onprem -c "CREATE SCHEMA erp_pg" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('pgerp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'erp_pg')" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('mserp', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres', 'dbo')" >/dev/null

# The remote table of a registration, in the on-prem PostgreSQL (the TDS server's dbo is public).
remote_table() { [ "$1" = pgerp ] && echo "erp_pg.$2" || echo "public.$2"; }
remote() { onprem -c "$2" >/dev/null; }
# Both sides' rows of customers, without the bookkeeping columns each side keeps on its own clock.
rows_of() { echo "SELECT coalesce(string_agg(customer_id || ':' || coalesce(email, '-') || ':' || coalesce(name, '-') || ':' || is_deleted, ',' ORDER BY customer_id), '') FROM $1"; }
cloud_rows() { cloud -c "$(rows_of "remote_$1.customers")"; }
remote_rows() { onprem -c "$(rows_of "$(remote_table "$1" customers)")"; }
expect_converged() {
    local c r; c=$(cloud_rows "$1"); r=$(remote_rows "$1")
    expect_eq "$c" "$r" "$1: both sides equal after the run"
    [ -n "$2" ] && expect_eq "$c" "$2" "$1: the rows"
    return 0
}
run() { cloud -c "SELECT berqenas.bidirectional_sync('$1'${2:+, $2})"; }
field() { cloud -c "SELECT ('$1'::jsonb) #>> '{$2}'"; }

for db in pgerp mserp; do
    rt=$(remote_table $db customers)
    echo "== $db: tables to prepare"
    if [ $db = pgerp ]; then
        onprem -c "CREATE TABLE erp_pg.customers (customer_id int PRIMARY KEY, email text, name text); CREATE TABLE erp_pg.notes (body text)" >/dev/null
    else
        printf "CREATE TABLE customers (customer_id INT PRIMARY KEY, email NVARCHAR(100), name NVARCHAR(50))\ngo\nCREATE TABLE notes (body NVARCHAR(100))\ngo\n" | tsql_batch >/dev/null
    fi
    onprem -c "INSERT INTO $rt (customer_id, email, name) VALUES (1, 'a@x', 'Ann'), (2, 'b@x', 'Bob'), (123, 'first@email.com', 'Cem')" >/dev/null

    out=$(cloud -c "SELECT berqenas.prepare_table('$db', 'notes')" 2>&1 || true)
    expect_contains "$out" 'remote table "notes" has no primary key' "$db: a table without a primary key is refused"
    out=$(cloud -c "SELECT berqenas.configure_sync('$db', 'bidirectional', ARRAY['customers'])" 2>&1 || true)
    expect_contains "$out" "tables not prepared for two-way sync: customers" "$db: configure_sync refuses an unprepared table"
    out=$(cloud -c "\\set VERBOSITY verbose" -c "SELECT berqenas.configure_sync('$db', 'bidirectional', ARRAY['customers'], conflict_strategy => 'newest')" 2>&1 || true)
    expect_contains "$out" "22023" "$db: unknown strategy is 22023"
    expect_contains "$out" 'unknown conflict_strategy "newest"' "$db: unknown strategy named"
    out=$(cloud -c "SELECT berqenas.bidirectional_sync('$db')" 2>&1 || true)
    expect_contains "$out" "is not configured for bidirectional sync" "$db: bidirectional_sync needs the mode"

    out=$(cloud -c "SELECT berqenas.prepare_table('$db', 'customers')")
    expect_eq "$(field "$out" remote,added_columns)" '["created_at", "updated_at", "is_deleted"]' "$db: prepare_table adds the columns"
    expect_eq "$(field "$out" remote,trigger_created)" true "$db: and the trigger"
    out=$(cloud -c "SELECT berqenas.prepare_table('$db', 'customers')")
    expect_eq "$(field "$out" remote,added_columns)" '[]' "$db: prepare_table is idempotent (columns)"
    expect_eq "$(field "$out" remote,trigger_created)" false "$db: prepare_table is idempotent (trigger)"
    expect_eq "$(onprem -c "SELECT count(*) FROM $rt WHERE is_deleted IS NULL OR updated_at IS NULL OR created_at IS NULL")" 0 "$db: existing rows filled"
    onprem -c "UPDATE $rt SET updated_at = '2000-01-01' WHERE customer_id = 1; UPDATE $rt SET name = 'Ann' WHERE customer_id = 1" >/dev/null
    expect_eq "$(onprem -c "SELECT updated_at > '2001-01-01' FROM $rt WHERE customer_id = 1")" t "$db: the trigger keeps updated_at current"

    cloud -c "SELECT berqenas.configure_sync('$db', 'bidirectional', ARRAY['customers'])" >/dev/null
    out=$(cloud -c "SELECT berqenas.sync('$db')")
    expect_eq "$(field "$out" copied_first)" '["customers"]' "$db: the first run copies the table"
    expect_converged $db "1:a@x:Ann:false,2:b@x:Bob:false,123:first@email.com:Cem:false"

    echo "== $db: the docs' scenario, latest_wins: customer 123 changed in the cloud, then on premise"
    cloud -c "UPDATE remote_$db.customers SET email = 'old@email.com' WHERE customer_id = 123" >/dev/null
    sleep 0.3
    remote $db "UPDATE $rt SET email = 'new@email.com' WHERE customer_id = 123"
    out=$(run $db)
    expect_eq "$(field "$out" results,customers,conflicts_detected)" 1 "$db: one conflict"
    expect_eq "$(field "$out" results,customers,conflicts_resolved)" 1 "$db: resolved"
    expect_eq "$(field "$out" success)" true "$db: success"
    expect_converged $db "1:a@x:Ann:false,2:b@x:Bob:false,123:new@email.com:Cem:false"
    expect_eq "$(cloud -c "SELECT winner || ' ' || strategy || ' ' || (cloud_row ->> 'email') || ' ' || (local_row ->> 'email') FROM berqenas.conflicts('$db') WHERE primary_key = '{\"customer_id\": 123}'")" \
        "local latest_wins old@email.com new@email.com" "$db: conflict logged with both versions, the later one won"

    echo "== $db: cloud_wins keeps the cloud's version though the local one is later"
    cloud -c "UPDATE remote_$db.customers SET email = 'cloud@email.com' WHERE customer_id = 123" >/dev/null
    sleep 0.3
    remote $db "UPDATE $rt SET email = 'local@email.com' WHERE customer_id = 123"
    out=$(run $db "conflict_strategy => 'cloud_wins'")
    expect_eq "$(field "$out" strategy)" cloud_wins "$db: the call's strategy"
    expect_converged $db "1:a@x:Ann:false,2:b@x:Bob:false,123:cloud@email.com:Cem:false"

    echo "== $db: changes both ways; the next run finds no change (no echo)"
    cloud -c "INSERT INTO remote_$db.customers (customer_id, email, name) VALUES (600, 'c600@x', 'Cloudy'); UPDATE remote_$db.customers SET is_deleted = true WHERE customer_id = 2" >/dev/null
    remote $db "INSERT INTO $rt (customer_id, email, name) VALUES (500, 'l500@x', 'Locke'); DELETE FROM $rt WHERE customer_id = 1"
    out=$(run $db)
    expect_eq "$(field "$out" results,customers,cloud_to_local)" 2 "$db: cloud to local"
    expect_eq "$(field "$out" results,customers,local_to_cloud)" 2 "$db: local to cloud"
    expect_eq "$(field "$out" results,customers,conflicts_detected)" 0 "$db: no conflict"
    expect_converged $db "2:b@x:Bob:true,123:cloud@email.com:Cem:false,500:l500@x:Locke:false,600:c600@x:Cloudy:false"
    out=$(run $db)
    expect_eq "$(field "$out" total_synced)" 0 "$db: our own writes are not changes"
    cloud -c "DELETE FROM remote_$db.customers WHERE customer_id = 600" >/dev/null
    out=$(run $db)
    expect_eq "$(field "$out" results,customers,cloud_to_local)" 1 "$db: a hard delete in the cloud travels"
    expect_converged $db "2:b@x:Bob:true,123:cloud@email.com:Cem:false,500:l500@x:Locke:false"

    echo "== $db: the same edit on both sides is no conflict"
    cloud -c "UPDATE remote_$db.customers SET name = 'Same' WHERE customer_id = 500" >/dev/null
    remote $db "UPDATE $rt SET name = 'Same' WHERE customer_id = 500"
    out=$(run $db)
    expect_eq "$(field "$out" results,customers,conflicts_detected)" 0 "$db: equal content"
    expect_eq "$(field "$out" total_synced)" 0 "$db: nothing to write"

    echo "== $db: dry_run gives the real run's answer and changes nothing"
    cloud -c "UPDATE remote_$db.customers SET name = 'DryC' WHERE customer_id = 123; INSERT INTO remote_$db.customers (customer_id, email) VALUES (700, 'd@x')" >/dev/null
    sleep 0.3
    remote $db "UPDATE $rt SET name = 'DryL' WHERE customer_id = 123; UPDATE $rt SET email = 'e500@x' WHERE customer_id = 500"
    state() { echo "$(cloud_rows $db)|$(remote_rows $db)|$(cloud -c "SELECT (SELECT string_agg(bd_cloud_watermark || '/' || bd_local_watermark, ',') FROM berqenas.sync_tables), (SELECT count(*) || '/' || sum(content_hash) FROM berqenas.sync_row_state), (SELECT count(*) FROM berqenas.sync_conflicts), (SELECT count(*) FROM berqenas.sync_jobs)")"; }
    before=$(state)
    dry=$(run $db "dry_run => true")
    expect_eq "$(state)" "$before" "$db: dry_run wrote nothing on either side"
    real=$(run $db)
    expect_eq "$(field "$dry" results)" "$(field "$real" results)" "$db: dry_run's counts and conflicts are the real run's"
    expect_eq "$(field "$real" results,customers,conflicts_detected)" 1 "$db: the dry run saw the conflict too"
    expect_converged $db ""

    echo "== $db: manual: a conflict waits, the other rows keep syncing, resolve_conflict applies the choice"
    cloud -c "SELECT berqenas.configure_sync('$db', 'bidirectional', ARRAY['customers'], conflict_strategy => 'manual')" >/dev/null
    cloud -c "UPDATE remote_$db.customers SET email = 'mc@x' WHERE customer_id = 500" >/dev/null
    remote $db "UPDATE $rt SET email = 'ml@x' WHERE customer_id = 500; UPDATE $rt SET name = 'Other' WHERE customer_id = 700"
    out=$(run $db)
    expect_eq "$(field "$out" results,customers,conflicts_open)" 1 "$db: held"
    expect_eq "$(cloud -c "SELECT email FROM remote_$db.customers WHERE customer_id = 500")/$(onprem -c "SELECT email FROM $rt WHERE customer_id = 500")" "mc@x/ml@x" "$db: neither side overwritten"
    expect_eq "$(cloud -c "SELECT name FROM remote_$db.customers WHERE customer_id = 700")" Other "$db: other rows synced"
    out=$(run $db)
    expect_eq "$(field "$out" results,customers,conflicts_detected)" 0 "$db: a held conflict is not detected again"
    cid=$(cloud -c "SELECT id FROM berqenas.conflicts('$db') WHERE status = 'open'")
    out=$(cloud -c "SELECT berqenas.resolve_conflict($cid, 'local')")
    expect_eq "$(field "$out" status)" resolved "$db: resolved"
    expect_converged $db ""
    expect_eq "$(cloud -c "SELECT email FROM remote_$db.customers WHERE customer_id = 500")" "ml@x" "$db: the local version on both sides"
    out=$(cloud -c "SELECT berqenas.resolve_conflict($cid, 'cloud')" 2>&1 || true)
    expect_contains "$out" "is already resolved" "$db: a resolved conflict stays resolved"
    cloud -c "UPDATE remote_$db.customers SET name = 'X1' WHERE customer_id IN (2, 123)" >/dev/null
    remote $db "UPDATE $rt SET name = 'Y1' WHERE customer_id IN (2, 123)"
    run $db >/dev/null
    out=$(cloud -c "SELECT berqenas.resolve_conflicts('$db', 'cloud')")
    expect_eq "$(field "$out" resolved)" 2 "$db: resolve_conflicts resolves every open one"
    expect_eq "$(onprem -c "SELECT string_agg(name, ',' ORDER BY customer_id) FROM $rt WHERE customer_id IN (2, 123)")" "X1,X1" "$db: the cloud's versions went on premise"
    cid=$(cloud -c "SELECT id FROM berqenas.conflicts('$db') ORDER BY id DESC LIMIT 1")
    cloud -c "UPDATE remote_$db.customers SET name = 'J1' WHERE customer_id = 700" >/dev/null
    remote $db "UPDATE $rt SET name = 'J2' WHERE customer_id = 700"
    run $db >/dev/null
    cid=$(cloud -c "SELECT id FROM berqenas.conflicts('$db') WHERE status = 'open'")
    cloud -c "SELECT berqenas.resolve_conflict($cid, '{\"name\": \"Merged\", \"email\": \"m@x\"}')" >/dev/null
    expect_eq "$(onprem -c "SELECT name || ' ' || email FROM $rt WHERE customer_id = 700")" "Merged m@x" "$db: a given row is written to both sides"
    expect_converged $db ""
    out=$(cloud -c "SELECT berqenas.analyze_conflicts('$db')")
    expect_eq "$(field "$out" by_table,customers)" 7 "$db: analyze_conflicts by table"
    expect_eq "$(cloud -c "SELECT ('$out'::jsonb -> 'by_column') ? 'email' AND ('$out'::jsonb -> 'by_column') ? 'name'")" t "$db: and by column"
    cloud -c "SELECT berqenas.configure_sync('$db', 'bidirectional', ARRAY['customers'], conflict_strategy => 'latest_wins')" >/dev/null

    echo "== $db: rollback undoes a run on both sides, and refuses when a later change would be lost"
    cloud -c "UPDATE remote_$db.customers SET name = 'R-cloud' WHERE customer_id = 123; INSERT INTO remote_$db.customers (customer_id, email) VALUES (900, 'r@x')" >/dev/null
    remote $db "UPDATE $rt SET name = 'R-local' WHERE customer_id = 2; DELETE FROM $rt WHERE customer_id = 700"
    before_c=$(cloud_rows $db); before_r=$(remote_rows $db)
    sid=$(field "$(run $db)" sync_id)
    expect_converged $db ""
    out=$(cloud -c "SELECT berqenas.rollback('$sid')")
    expect_eq "$(field "$out" rolled_back)" "[\"$sid\"]" "$db: rolled back"
    expect_eq "$(cloud_rows $db)" "$before_c" "$db: the cloud as before the run"
    expect_eq "$(remote_rows $db)" "$before_r" "$db: the remote as before the run"
    expect_eq "$(cloud -c "SELECT status FROM berqenas.sync_jobs WHERE sync_id = '$sid'")" rolled_back "$db: the job is rolled back"
    sid=$(field "$(run $db)" sync_id)
    expect_converged $db ""
    cloud -c "UPDATE remote_$db.customers SET name = 'Later' WHERE customer_id = 123" >/dev/null
    out=$(cloud -c "\\set VERBOSITY verbose" -c "SELECT berqenas.rollback('$sid')" 2>&1 || true)
    expect_contains "$out" "55000" "$db: a later change blocks the rollback"
    expect_contains "$out" 'changed after it' "$db: and says so"
    expect_contains "$out" '{"customer_id": 123}' "$db: naming the key"
    out=$(cloud -c "SELECT berqenas.rollback('$sid', include_later => true)" 2>&1 || true)
    expect_contains "$out" "include_later is not supported for bidirectional runs" "$db: include_later refused"
    run $db >/dev/null
    expect_converged $db ""

    echo "== $db: the remote connection killed between the two applies: nothing of the run is kept"
    cloud -c "CREATE FUNCTION public.slow_$db() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN PERFORM pg_sleep(2); RETURN NEW; END\$\$;
              CREATE TRIGGER slow BEFORE INSERT OR UPDATE ON remote_$db.customers FOR EACH ROW WHEN (pg_trigger_depth() = 0 AND current_setting('test.slow', true) = 'on') EXECUTE FUNCTION public.slow_$db()" >/dev/null
    cloud -c "UPDATE remote_$db.customers SET name = 'K-cloud' WHERE customer_id = 123" >/dev/null
    remote $db "UPDATE $rt SET name = 'K-local' WHERE customer_id = 2"
    before_c=$(cloud_rows $db); before_r=$(remote_rows $db)
    ( cloud -c "SET test.slow = 'on'" -c "SELECT berqenas.bidirectional_sync('$db')" >/tmp/bd_kill_$$.out 2>&1 || true ) &
    bg=$!
    sleep 1
    onprem -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction' AND pid <> pg_backend_pid()" >/dev/null
    wait $bg
    expect_contains "$(cat /tmp/bd_kill_$$.out)" "ERROR" "$db: the run failed"
    rm -f /tmp/bd_kill_$$.out
    expect_eq "$(cloud_rows $db)" "$before_c" "$db: the cloud kept nothing of the run"
    expect_eq "$(remote_rows $db)" "$before_r" "$db: the remote kept nothing of the run"
    expect_eq "$(cloud -c "SELECT status FROM berqenas.sync_jobs WHERE mode = 'bidirectional' ORDER BY id DESC LIMIT 1")" failed "$db: recorded as failed"
    run $db >/dev/null
    expect_converged $db ""

    echo "== $db: a cancel mid-run keeps nothing; the next run does it all"
    cloud -c "UPDATE remote_$db.customers SET name = 'C-cloud' WHERE customer_id = 123" >/dev/null
    remote $db "UPDATE $rt SET name = 'C-local' WHERE customer_id = 2"
    before_c=$(cloud_rows $db); before_r=$(remote_rows $db)
    out=$(cloud -c "SET test.slow = 'on'" -c "SET statement_timeout = '1s'" -c "\\set VERBOSITY verbose" -c "SELECT berqenas.bidirectional_sync('$db')" 2>&1 || true)
    expect_contains "$out" "57014" "$db: cancelled"
    expect_eq "$(cloud_rows $db)" "$before_c" "$db: cloud unchanged after the cancel"
    expect_eq "$(remote_rows $db)" "$before_r" "$db: remote unchanged after the cancel"
    cloud -c "DROP TRIGGER slow ON remote_$db.customers" >/dev/null
    run $db >/dev/null
    expect_converged $db ""

    echo "== $db: a row the remote refuses (unique email): the error names table and key, nothing partial"
    remote $db "CREATE UNIQUE INDEX customers_email_$db ON $rt (email)"
    cloud -c "INSERT INTO remote_$db.customers (customer_id, email, name) VALUES (800, 'ml@x', 'Dup'); UPDATE remote_$db.customers SET name = 'P' WHERE customer_id = 2" >/dev/null
    before_r=$(remote_rows $db)
    out=$(cloud -c "SELECT berqenas.bidirectional_sync('$db')" 2>&1 || true)
    expect_contains "$out" 'table "customers"' "$db: the error names the table"
    expect_contains "$out" 'key {"customer_id": 800}' "$db: and the key of the row refused"
    expect_contains "$out" "customers_email_$db" "$db: with the remote's reason"
    expect_eq "$(remote_rows $db)" "$before_r" "$db: nothing partial on the remote"
    cloud -c "DELETE FROM remote_$db.customers WHERE customer_id = 800" >/dev/null
    run $db >/dev/null
    expect_converged $db ""
    echo "  ok: $db"
done

echo "== journals of two-way runs go with berqenas.journal_retention; a pruned run cannot be rolled back"
old_sid=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'bidirectional' AND status = 'succeeded' AND EXISTS (SELECT 1 FROM berqenas.sync_two_way_journal w WHERE w.sync_job_id = sync_jobs.id) ORDER BY id LIMIT 1")
[ -n "$old_sid" ] || fail "no two-way run with a journal"
sleep 1.1
out=$(cloud -c "SET berqenas.journal_retention = '1s'" -c "SELECT berqenas.prune_journal()" | tail -1)
expect_eq "$(cloud -c "SELECT ('$out'::jsonb ->> 'journal_rows')::int > 0")" t "two-way journal rows pruned"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_two_way_journal")" 0 "none left past the retention"
out=$(cloud -c "SELECT berqenas.rollback('$old_sid')" 2>&1 || true)
expect_contains "$out" "its journal was pruned" "a pruned two-way run cannot be rolled back"

echo "== sync_history and the audit log show the runs"
expect_eq "$(cloud -c "SELECT count(*) > 10 FROM berqenas.sync_jobs WHERE mode = 'bidirectional' AND status = 'succeeded'")" t "jobs recorded"
expect_eq "$(cloud -c "SELECT count(*) > 10 FROM berqenas.sync_audit_log WHERE action = 'bidirectional_sync'")" t "audited"
echo "sync_bidirectional: all checks passed"
