#!/usr/bin/env bash
# Passwords that never appear in SQL text: berqenas.sealing_key() and password_sealed (a libsodium
# sealed box), which the CLI always uses. With log_statement = all, the CLI's registrations leave
# no password in the server log, not even when the call fails on its arguments; the plain
# password argument does (as docs/secrets.md says).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
SECRET='Sealed-Passw0rd-Never-Logged'
cluster_start cloud "shared_preload_libraries = 'berqenas'" "log_statement = 'all'"
cluster_start onprem
cluster_psql onprem -c "CREATE ROLE erp_reader LOGIN PASSWORD '$SECRET'" >/dev/null
cloud() { cluster_psql cloud -At "$@"; }
. test/lib/expect.sh
error_of() { cluster_psql cloud -At -c "\\set VERBOSITY verbose" -c "$1" 2>&1 >/dev/null || true; }
cli=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
dsn="host=127.0.0.1 port=$cloud_PORT user=postgres dbname=postgres"
log=$cloud_DIR/server.log
cloud -c "CREATE EXTENSION berqenas" >/dev/null

echo "== sealing_key()"
key=$(cloud -c "SELECT berqenas.sealing_key()")
[[ "$key" =~ ^[0-9a-f]{64}$ ]] || fail "sealing_key() is not 32 bytes of hex: $key"
echo "  ok: a 32-byte X25519 public key"
expect_eq "$(cloud -c "SELECT berqenas.sealing_key()")" "$key" "the same key on every call"
sealing=$cloud_DIR/data/berqenas_keys/$(cloud -c "SELECT oid FROM pg_database WHERE datname = 'postgres'").sealing
expect_eq "$(stat -c %a "$sealing")" "600" "its pair is kept 0600"

echo "== the CLI seals the password"
printf '%s\n' "$SECRET" | "$cli" -d "$dsn" db register --name erp --type postgresql --host 127.0.0.1 --port "$onprem_PORT" \
    --database postgres --username erp_reader --password-stdin >/dev/null
expect_eq "$(cloud -c "SELECT berqenas.test_connection('erp') ->> 'ok'")" "true" "the sealed password connects"
grep -q "password_sealed" "$log" || fail "the log does not show the CLI's call"
! grep -qF "$SECRET" "$log" || fail "the server log holds the password"
echo "  ok: log_statement = all logged the call, not the password"
# A call that fails on its arguments: the failing statement is logged too, still without it.
printf '%s\n' "$SECRET" | "$cli" -d "$dsn" db register --name erp2 --type postgresql --host 127.0.0.1 --port "$onprem_PORT" \
    --database postgres --username erp_reader --wg-ip not-an-address --password-stdin >/dev/null 2>&1 \
    && fail "a bad --wg-ip was accepted"
grep -q 'invalid input syntax for type inet' "$log" || fail "the failure is not in the log"
! grep -qF "$SECRET" "$log" || fail "the failing call logged the password"
echo "  ok: a call failing on its arguments logs no password"

echo "== password_sealed refusals"
out=$(error_of "SELECT berqenas.register_remote_database('x', 'postgresql', 'h', 5432, 'd', 'u', NULL, password_sealed => '\\x0102'::bytea)")
expect_contains "$out" "22023" "too short: 22023"
out=$(error_of "SELECT berqenas.register_remote_database('x', 'postgresql', 'h', 5432, 'd', 'u', NULL, password_sealed => decode(repeat('ab', 60), 'hex'))")
expect_contains "$out" "password_sealed does not open with this server's sealing key" "not sealed for this key: 22023"
out=$(error_of "SELECT berqenas.register_remote_database('x', 'postgresql', 'h', 5432, 'd', 'u', 'p', password_sealed => '\\x00'::bytea)")
expect_contains "$out" "give password or password_sealed, not both" "both: 22023"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.remote_databases")" "1" "nothing registered by the refusals"
# An empty password, sealed, from a non-superuser: refused as the plain one is.
cloud -c "CREATE ROLE adm LOGIN PASSWORD 'adm-pw' IN ROLE berqenas_admin" >/dev/null
out=$(printf '\n' | PGPASSWORD=adm-pw "$cli" -d "host=127.0.0.1 port=$cloud_PORT user=adm dbname=postgres" db register --name e3 \
      --type postgresql --host 127.0.0.1 --port "$onprem_PORT" --database postgres --username erp_reader --password-stdin 2>&1 || true)
expect_contains "$out" "password must not be empty" "a non-superuser's sealed empty password: refused"
# A new pair (the file removed): boxes for the old key no longer open; the CLI fetches the new one.
rm -f "$sealing"
[ "$(cloud -c "SELECT berqenas.sealing_key()")" != "$key" ] || fail "the pair was not made again"
printf '%s\n' "$SECRET" | "$cli" -d "$dsn" db register --name erp4 --type postgresql --host 127.0.0.1 --port "$onprem_PORT" \
    --database postgres --username erp_reader --password-stdin >/dev/null
expect_eq "$(cloud -c "SELECT berqenas.test_connection('erp4') ->> 'ok'")" "true" "after a new pair the CLI seals for it"

echo "== the plain password argument is logged (documented)"
cloud -c "SELECT berqenas.register_remote_database('plain', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'erp_reader', '$SECRET')" >/dev/null
grep -qF "$SECRET" "$log" || fail "log_statement = all did not log the plain call"
echo "  ok: with log_statement = all the plain argument is in the log, as docs/secrets.md warns"
echo PASSED
