#!/usr/bin/env bash
# A password given to register_remote_database appears nowhere in clear: not in pg_dump output, not
# in the server log (even when registration or a connection fails), not in error messages; the
# key file is 0600 and rotation leaves only the new key in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT

SECRET='Sup3r-Secret-Passw0rd-4-Tests'
cluster_start cloud "shared_preload_libraries = 'berqenas'" "log_min_messages = debug1" "log_connections = on"
cluster_start onprem
cluster_psql onprem -c "CREATE ROLE erp_reader LOGIN PASSWORD '$SECRET'" >/dev/null
cluster_psql cloud -c "CREATE EXTENSION berqenas" >/dev/null

echo "register, connect, fail on purpose"
cluster_psql cloud -At -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'erp_reader', '$SECRET')" >/dev/null
[ "$(cluster_psql cloud -At -c "SELECT berqenas.test_connection('erp') ->> 'ok'")" = true ]
# A duplicate registration fails: the failing statement holds the password.
if errors=$(cluster_psql cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', 'h', 1, 'd', 'u', '$SECRET')" 2>&1); then
    echo "duplicate registration was accepted"; exit 1
fi
grep -q 'already registered' <<<"$errors"
if grep -q "$SECRET" <<<"$(sed 's/register_remote_database(.*//' <<<"$errors")"; then echo "error message shows the password"; exit 1; fi
# A connection that fails with these credentials (wrong database) reports no password either.
cluster_psql cloud -At -c "SELECT berqenas.register_remote_database('erp2', 'postgresql', '127.0.0.1', $onprem_PORT, 'no_such_db', 'erp_reader', '$SECRET')" >/dev/null
probe=$(cluster_psql cloud -At -c "SELECT berqenas.test_connection('erp2')")
echo "  probe of a missing database: $probe"
! grep -q "$SECRET" <<<"$probe"

echo "pg_dump keeps the registry but only ciphertext"
dump=$(pg_dump -h 127.0.0.1 -p "$cloud_PORT" -U postgres postgres)
grep -q "erp_reader" <<<"$dump"
if grep -q "$SECRET" <<<"$dump"; then echo "pg_dump shows the password"; exit 1; fi
secret_hex=$(printf '%s' "$SECRET" | od -An -tx1 | tr -d ' \n')
if grep -q "$secret_hex" <<<"$dump"; then echo "pg_dump shows the password as hex"; exit 1; fi

echo "the server log never shows it"
if grep -q "$SECRET" "$cloud_DIR/server.log"; then echo "server log shows the password:"; grep "$SECRET" "$cloud_DIR/server.log"; exit 1; fi

echo "the key file is private and rotation keeps only the new key"
keyfile=$(ls "$cloud_DIR"/data/berqenas_keys/*.key)
[ "$(stat -c %a "$keyfile")" = 600 ]
[ "$(grep -vc '^#' "$keyfile")" = 1 ]
cluster_psql cloud -At -c "SELECT berqenas.rotate_secret_key()" >/dev/null
[ "$(grep -v '^#' "$keyfile" | awk '{print $1}')" = 2 ]
[ "$(cluster_psql cloud -At -c "SELECT berqenas.test_connection('erp') ->> 'ok'")" = true ]

echo "a key file others can read is refused"
chmod 644 "$keyfile"
if out=$(cluster_psql cloud -At -c "SELECT berqenas.test_connection('erp')" 2>&1); then echo "accepted a 0644 key file"; exit 1; fi
grep -q 'group or others have access to it' <<<"$out"
chmod 600 "$keyfile"

echo "a missing key file is reported, not replaced silently"
mv "$keyfile" "$keyfile.bak"
out=$(cluster_psql cloud -At -c "SELECT berqenas.test_connection('erp')" 2>&1 || true)
echo "  $out"
grep -q "is missing, and secrets sealed with it are stored" <<<"$out"
mv "$keyfile.bak" "$keyfile"
[ "$(cluster_psql cloud -At -c "SELECT berqenas.test_connection('erp') ->> 'ok'")" = true ]
echo "secrets stay sealed"
