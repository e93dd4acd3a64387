#!/usr/bin/env bash
# The key file: a missing one is never replaced while sealed secrets exist (F0000 with a way to
# restore it; the restored file opens everything), and a rotation that meets a secret that does
# not open names its registration and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_start onprem
cloud() { cluster_psql cloud -At "$@"; }
. test/lib/expect.sh
error_of() { cluster_psql cloud -At -v VERBOSITY=verbose -c "\\set VERBOSITY verbose" -c "$1" 2>&1 >/dev/null || true; }
register() { cloud -c "SELECT berqenas.register_remote_database('$1', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres')" >/dev/null; }

cloud -c "CREATE EXTENSION berqenas" >/dev/null
register first
key=$cloud_DIR/data/berqenas_keys/$(cloud -c "SELECT oid FROM pg_database WHERE datname = 'postgres'").key
[ -f "$key" ] || fail "no key file at $key"

echo "== the key file goes missing while a secret is sealed with it"
mv "$key" "$key.backup"
out=$(error_of "SELECT berqenas.register_remote_database('second', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres')")
expect_contains "$out" "F0000" "registering: F0000"
expect_contains "$out" "is missing, and secrets sealed with it are stored" "the message says why"
expect_contains "$out" "restore the key file from your backup to that path" "and how to restore it"
[ ! -e "$key" ] || fail "a new key file was made"
echo "  ok: no new key file was made"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.remote_databases")" "1" "nothing was registered"
out=$(error_of "SELECT berqenas.rotate_secret_key()")
expect_contains "$out" "F0000" "rotating without the key file: F0000"
[ ! -e "$key" ] || fail "rotation made a new key file"
mv "$key.backup" "$key"
register second
expect_eq "$(cloud -c "SELECT string_agg(berqenas.test_connection(name) ->> 'ok', ',' ORDER BY name) FROM berqenas.remote_databases")" \
    "true,true" "the restored key file opens the old secret and seals the new one"

echo "== a secret that does not open stops a rotation, named"
cloud -c "UPDATE berqenas.remote_database_secrets s SET password_sealed = set_byte(password_sealed, 40, get_byte(password_sealed, 40) # 1)
          FROM berqenas.remote_database_registry r WHERE r.id = s.remote_database_id AND r.name = 'second'" >/dev/null
before=$(cloud -c "SELECT string_agg(key_id::text, ',' ORDER BY remote_database_id) FROM berqenas.remote_database_secrets")
out=$(error_of "SELECT berqenas.rotate_secret_key()")
expect_contains "$out" "XX001" "rotation over a tampered secret: XX001"
expect_contains "$out" 'the secret of remote database "second" does not open' "the error names the registration"
expect_eq "$(cloud -c "SELECT string_agg(key_id::text, ',' ORDER BY remote_database_id) FROM berqenas.remote_database_secrets")" \
    "$before" "no secret was re-encrypted"
expect_eq "$(cloud -c "SELECT berqenas.test_connection('first') ->> 'ok'")" "true" "the other secret still opens"

echo "== the first registration of a new database makes the key file"
cloud -c "CREATE DATABASE fresh" >/dev/null
cluster_psql cloud -d fresh -c "CREATE EXTENSION berqenas" >/dev/null
cluster_psql cloud -d fresh -At -c "SELECT berqenas.register_remote_database('x', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres')" >/dev/null
[ -f "$cloud_DIR/data/berqenas_keys/$(cloud -c "SELECT oid FROM pg_database WHERE datname = 'fresh'").key" ] || fail "no key file for the new database"
echo "  ok: a key file for the first secret"
echo PASSED
