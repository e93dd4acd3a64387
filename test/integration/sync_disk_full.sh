#!/usr/bin/env bash
# A sync that runs out of disk on a table (a tablespace on a 1 MB tmpfs) is recorded as failed with
# SQLSTATE 53100, leaves the local table exactly as it was, and the next sync converges once
# there is room. Needs root (mount); CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then echo "skipped: mounting a tmpfs needs root"; exit 0; fi
. test/lib/cluster.sh
tiny=$(mktemp -d /tmp/berqenas-tiny.XXXXXX)
cleanup() { cluster_cleanup; umount "$tiny" 2>/dev/null || true; rmdir "$tiny" 2>/dev/null || true; }
trap cleanup EXIT
mount -t tmpfs -o size=1m tmpfs "$tiny"
chown "$BERQENAS_TEST_USER" "$tiny"

cluster_start cloud "shared_preload_libraries = 'berqenas'" "max_worker_processes = 32"
cluster_start onprem
cloud() { cluster_psql cloud -At "$@"; }
cluster_psql onprem -c "CREATE TABLE items (id int PRIMARY KEY, body text NOT NULL, updated_at timestamp NOT NULL DEFAULT now())" \
    -c "INSERT INTO items (id, body) SELECT i, repeat('x', 40) FROM generate_series(1, 1000) i" >/dev/null
cloud -c "CREATE EXTENSION berqenas" -c "CREATE TABLESPACE tiny LOCATION '$tiny'" >/dev/null
cloud -c "ALTER DATABASE postgres SET default_tablespace = tiny" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('erp', 'incremental')" >/dev/null

echo "first sync fits in the tablespace"
[ "$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")" = succeeded ]
[ "$(cloud -c "SELECT count(*) FROM remote_erp.items")" = 1000 ]
[ "$(cloud -c "SELECT t.spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.oid = 'remote_erp.items'::regclass")" = tiny ]
before=$(cloud -c "SELECT md5(string_agg(id || ':' || body, ',' ORDER BY id)) FROM remote_erp.items")

echo "the remote grows past the free space: the sync fails with 53100"
cluster_psql onprem -c "INSERT INTO items (id, body) SELECT i, repeat('y', 200) FROM generate_series(1001, 30000) i" >/dev/null
if out=$(cloud -c "SELECT berqenas.sync('erp')" 2>&1); then echo "the sync did not fail: $out"; exit 1; fi
echo "  $out" | head -2
grep -q "No space left on device\|could not extend file" <<<"$out"
for _ in $(seq 50); do
    row=$(cloud -F '|' -c "SELECT status, error_sqlstate FROM berqenas.sync_jobs ORDER BY id DESC LIMIT 1")
    [ "$row" = "failed|53100" ] && break; sleep 0.1
done
echo "  recorded: $row"; [ "$row" = "failed|53100" ]
echo "local data is as it was"
[ "$(cloud -c "SELECT count(*) FROM remote_erp.items")" = 1000 ]
[ "$(cloud -c "SELECT md5(string_agg(id || ':' || body, ',' ORDER BY id)) FROM remote_erp.items")" = "$before" ]

echo "with room again, the next sync converges"
cloud -c "ALTER TABLE remote_erp.items SET TABLESPACE pg_default" -c "ALTER DATABASE postgres RESET default_tablespace" >/dev/null
[ "$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")" = succeeded ]
[ "$(cloud -c "SELECT count(*) FROM remote_erp.items")" = 30000 ]
[ "$(cloud -c "SELECT berqenas.verify('erp') ->> 'match'")" = true ]
echo "disk full handled"
