-- Part of berqenas--0.1.0.sql: privileges, applied last so they cover every part.
------------------------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; each part grants berqenas_admin its own API.
------------------------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA berqenas FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA berqenas FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA berqenas FROM PUBLIC;
