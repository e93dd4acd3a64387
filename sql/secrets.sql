-- Secrets: sealed at rest, bound to their row, re-encrypted by key rotation, and out of reach of
-- roles that were not granted berqenas_admin.
\getenv onprem_port BERQENAS_ONPREM_PORT
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

SELECT coalesce(max(id), 0) AS audit_before FROM berqenas.sync_audit_log \gset
SELECT berqenas.register_remote_database('vault_a', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
SELECT berqenas.register_remote_database('vault_b', 'mssql', '127.0.0.1', 1433,
                                         'ERP', 'sa', 'Plain-Text-Must-Not-Show') > 0 AS registered;

-- Stored as ciphertext: 1 version byte, 4 key-id bytes, 24 nonce bytes, the text, 16 tag bytes.
SELECT r.name, s.key_id, length(s.password_sealed) - 45 AS plaintext_length,
       position(convert_to('Plain-Text-Must-Not-Show', 'UTF8') IN s.password_sealed) AS plaintext_found_at
  FROM berqenas.remote_database_secrets s JOIN berqenas.remote_database_registry r ON r.id = s.remote_database_id
 ORDER BY r.name;
-- Sealing twice gives different ciphertexts (random nonce).
SELECT berqenas._seal_secret('same', 1) <> berqenas._seal_secret('same', 1) AS nonces_differ;

-- A ciphertext copied onto another row does not open there.
BEGIN;
UPDATE berqenas.remote_database_secrets s SET password_sealed = (
    SELECT password_sealed FROM berqenas.remote_database_secrets x
      JOIN berqenas.remote_database_registry r ON r.id = x.remote_database_id WHERE r.name = 'vault_b')
 WHERE s.remote_database_id = (SELECT id FROM berqenas.remote_database_registry WHERE name = 'vault_a');
SELECT pg_temp.error_of($$SELECT berqenas.test_connection('vault_a')$$);
ROLLBACK;
SELECT berqenas.test_connection('vault_a') ->> 'ok' AS ok_before_rotation;

-- Rotation re-encrypts every secret under a new key, and connections keep working.
SELECT r ->> 'key_id' AS key_id, r ->> 'secrets_reencrypted' AS reencrypted FROM berqenas.rotate_secret_key() AS r;
SELECT DISTINCT key_id FROM berqenas.remote_database_secrets s
  JOIN berqenas.remote_database_registry r ON r.id = s.remote_database_id WHERE r.name LIKE 'vault\_%';
SELECT berqenas.test_connection('vault_a') ->> 'ok' AS ok_after_rotation;
-- A rotation that rolls back leaves the secrets readable.
BEGIN;
SELECT r ->> 'key_id' AS key_id FROM berqenas.rotate_secret_key() AS r;
ROLLBACK;
SELECT DISTINCT key_id FROM berqenas.remote_database_secrets s
  JOIN berqenas.remote_database_registry r ON r.id = s.remote_database_id WHERE r.name LIKE 'vault\_%';
SELECT berqenas.test_connection('vault_a') ->> 'ok' AS ok_after_rolled_back_rotation;
SELECT berqenas.register_remote_database('vault_c', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered_after;
SELECT berqenas.test_connection('vault_c') ->> 'ok' AS ok_new_key;

-- Roles: a plain role can do nothing; a berqenas_admin member runs the API but reads no secret.
CREATE ROLE berqenas_test_plain;
CREATE ROLE berqenas_test_admin IN ROLE berqenas_admin;
SET ROLE berqenas_test_plain;
SELECT pg_temp.error_of($$SELECT * FROM berqenas.remote_databases$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('by_plain', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
RESET ROLE;
SET ROLE berqenas_test_admin;
SELECT count(*) AS visible FROM berqenas.remote_databases WHERE name LIKE 'vault\_%';
SELECT berqenas.register_remote_database('by_admin', 'mssql', 'h', 1433, 'd', 'u', 'p') > 0 AS admin_registered;
SELECT pg_temp.error_of($$SELECT * FROM berqenas.remote_database_secrets$$);
SELECT pg_temp.error_of($$SELECT berqenas._seal_secret('x', 1)$$);
SELECT pg_temp.error_of($$SELECT berqenas._remote_probe(1)$$);
SELECT pg_temp.error_of($$UPDATE berqenas.remote_database_registry SET host = 'evil'$$);
RESET ROLE;

SELECT berqenas.unregister_remote_database(name) FROM berqenas.remote_databases
 WHERE name IN ('vault_a', 'vault_b', 'vault_c', 'by_admin') ORDER BY name;
DROP ROLE berqenas_test_plain;
DROP ROLE berqenas_test_admin;
DELETE FROM berqenas.sync_audit_log WHERE id > :audit_before;
