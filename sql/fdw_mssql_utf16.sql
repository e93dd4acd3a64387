-- berqenas_fdw reading MSSQL nvarchar/nchar/ntext as varbinary (UTF-16LE, converted here instead of
-- by db-lib's iconv): what is sent, values compared with the old path (nvarchar_transfer 'text'),
-- WHERE/ORDER BY still on the column itself, and the errors (bad option, UTF-8 bytes from an old
-- Babelfish, simulated by the TDS test server's varbinary_utf8 fault control).
\getenv tds_port BERQENAS_TDS_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_ms_u16', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
RESET client_min_messages;
CREATE SERVER fdw_ms_u16 FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_ms_u16');
-- The option: utf16 (default) or text, nothing else.
CREATE SERVER fdw_ms_u16_text FOREIGN DATA WRAPPER berqenas_fdw
    OPTIONS (remote_database 'fdw_ms_u16', nvarchar_transfer 'utf8');
CREATE SERVER fdw_ms_u16_text FOREIGN DATA WRAPPER berqenas_fdw
    OPTIONS (remote_database 'fdw_ms_u16', nvarchar_transfer 'text');
ALTER SERVER fdw_ms_u16_text OPTIONS (SET nvarchar_transfer 'UTF16');
CREATE FOREIGN TABLE wrong_place (id int) SERVER fdw_ms_u16 OPTIONS (nvarchar_transfer 'utf16');

SELECT berqenas.fdw_execute('fdw_ms_u16', 'DROP SCHEMA IF EXISTS fdw_ms_u16 CASCADE');
SELECT berqenas.fdw_execute('fdw_ms_u16', 'CREATE SCHEMA fdw_ms_u16');
SELECT berqenas.fdw_execute('fdw_ms_u16', $$CREATE TABLE [fdw_ms_u16].[words] (
    [id] INT NOT NULL PRIMARY KEY, [nv] NVARCHAR(50), [nvm] NVARCHAR(MAX), [nc] NCHAR(4), [nt] NTEXT,
    [vc] VARCHAR(20), [Mixed Case] NVARCHAR(10))$$);

-- By hand, as any user would (no option about types): the remote types are looked up once.
CREATE SCHEMA u16;
CREATE FOREIGN TABLE u16.words (id int OPTIONS (key 'true'), nv text, nvm text, nc text, nt text, vc text,
                                mixed varchar(10) OPTIONS (column_name 'MIXED CASE'))
    SERVER fdw_ms_u16 OPTIONS (schema_name 'fdw_ms_u16', table_name 'words');
CREATE FOREIGN TABLE u16.words_text (id int OPTIONS (key 'true'), nv text, nvm text, nc text, nt text, vc text,
                                     mixed varchar(10) OPTIONS (column_name 'MIXED CASE'))
    SERVER fdw_ms_u16_text OPTIONS (schema_name 'fdw_ms_u16', table_name 'words');
INSERT INTO u16.words VALUES
    (1, 'plain ascii', 'ascii too', 'abcd', 'ntext', 'v', 'x'),
    (2, 'café', 'é', 'é', 'é', 'e', 'é'),
    (3, '中文', '中', '中', '中文', NULL, '中'),
    (4, '😀 grin', '🎉😀', 'ab', '😀', NULL, '😀😀'),
    (5, '', '', '', '', '', ''),
    (6, NULL, NULL, NULL, NULL, NULL, NULL),
    (7, repeat('é', 50), repeat('é中😀x', 1500), 'a', repeat('ab', 3000), NULL, NULL),
    (8, E'tab\there, quote '' and back\\slash', E'line\nbreak', ' a', 'trailing  ', NULL, ' ');

-- Sent: the n-types as varbinary (2n bytes up to nvarchar(4000), else max); varchar as it is;
-- WHERE and ORDER BY compare the nvarchar column itself.
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM u16.words;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, nv FROM u16.words WHERE nv = 'café' AND nvm IS NOT NULL ORDER BY id;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, nv FROM u16.words_text WHERE nv = 'café';
SELECT id, nv, nc, mixed FROM u16.words WHERE nv = 'café' OR nv LIKE '中%' ORDER BY id;
SELECT id, nv, length(nvm) AS nvm_chars, nc, length(nt) AS nt_chars, vc, mixed FROM u16.words ORDER BY id;
SELECT id, octet_length(nvm) AS nvm_bytes, md5(nvm) AS nvm_md5 FROM u16.words WHERE id = 7;
-- Every value, both paths, both ways round.
SELECT count(*) AS rows, count(*) FILTER (WHERE a IS NOT DISTINCT FROM b) AS identical
  FROM (SELECT id, w::text AS a FROM u16.words w) x FULL JOIN (SELECT id, t::text AS b FROM u16.words_text t) y USING (id);
-- A local type other than text goes through its input function (varchar(3) checks its length).
CREATE FOREIGN TABLE u16.short (id int, nvm varchar(3)) SERVER fdw_ms_u16 OPTIONS (schema_name 'fdw_ms_u16', table_name 'words');
SELECT id, nvm FROM u16.short WHERE id IN (3, 4) ORDER BY id;
SELECT id, nvm FROM u16.short WHERE id = 1;

-- A remote that answers CAST(nvarchar AS varbinary) with UTF-8 (Babelfish before late 2024),
-- simulated by the TDS test server. Each connection asks once (CAST(N'a' AS varbinary) is 2 bytes
-- in UTF-16); this one already answered UTF-16, so the UTF-8 bytes now are refused, naming the
-- column and the key, with a hint.
SELECT berqenas.fdw_execute('fdw_ms_u16', 'SET BERQENAS_FAULT varbinary_utf8 on');
SELECT id, nv FROM u16.words WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT id, nvm FROM u16.words WHERE id = 3;
-- A new connection to such a remote asks, and reads the n-types as they are.
SELECT berqenas.fdw_disconnect('fdw_ms_u16');
SELECT berqenas.fdw_execute('fdw_ms_u16', 'SET BERQENAS_FAULT varbinary_utf8 on');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, nv FROM u16.words WHERE id = 2;
SELECT id, nv, nvm, nc FROM u16.words WHERE id IN (1, 2, 4) ORDER BY id;
SELECT berqenas.fdw_disconnect('fdw_ms_u16');

-- Without schema_name the name is the remote's to resolve (by the login's default schema), so the
-- types cannot be looked up for sure: the n-columns are read as text, still correctly.
SELECT berqenas.fdw_execute('fdw_ms_u16', 'CREATE TABLE [u16_unqualified] ([id] INT, [nv] NVARCHAR(20))');
SELECT berqenas.fdw_execute('fdw_ms_u16', $$INSERT INTO [u16_unqualified] VALUES (1, N'café 中')$$);
CREATE FOREIGN TABLE u16.unqualified (id int, nv text) SERVER fdw_ms_u16 OPTIONS (table_name 'u16_unqualified');
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM u16.unqualified;
SELECT * FROM u16.unqualified;
SELECT berqenas.fdw_execute('fdw_ms_u16', 'DROP TABLE [u16_unqualified]');

-- A scan builds its texts and numerics in memory it reuses row after row (src/fdw/row_arena.hpp):
-- plans that hold one row while the scan reads the next still see each row's own values: the
-- outer row of a nested loop (the inner scan is another scan), a window's earlier rows, a sort.
-- Row 7's long values do not fit the block and take palloc'd memory beside it.
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT a.id, a.nv, b.id AS b_id, b.nv AS b_nv, md5(a.nvm) = md5(b.nvm) AS same_nvm
  FROM u16.words a JOIN u16.words b ON b.id = a.id + 1 ORDER BY a.id;
RESET enable_hashjoin;
RESET enable_mergejoin;
SELECT id, nv, lag(nv) OVER w AS previous, lag(nc, 2) OVER w AS two_back, length(nvm) AS nvm_chars
  FROM u16.words WINDOW w AS (ORDER BY id) ORDER BY id;
SELECT id, nv, md5(nt) AS nt_md5 FROM u16.words ORDER BY nv COLLATE "C" DESC NULLS LAST, id;

-- Planning asks the remote for the types; one that cannot be reached still plans (EXPLAIN works,
-- the columns as they are) and the scan reports the connection failure.
CREATE SERVER fdw_ms_u16_down FOREIGN DATA WRAPPER berqenas_fdw
    OPTIONS (database_type 'mssql', host '127.0.0.1', port '1', dbname 'postgres', connect_timeout '2');
CREATE USER MAPPING FOR CURRENT_USER SERVER fdw_ms_u16_down OPTIONS (username 'postgres', password 'postgres');
CREATE FOREIGN TABLE u16.down (id int, nv text) SERVER fdw_ms_u16_down OPTIONS (schema_name 'fdw_ms_u16', table_name 'words');
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM u16.down;
\set VERBOSITY sqlstate
SELECT * FROM u16.down;
\set VERBOSITY default

-- Clean up.
SELECT berqenas.fdw_execute('fdw_ms_u16', 'DROP SCHEMA fdw_ms_u16 CASCADE');
SET client_min_messages = warning;
DROP SCHEMA u16 CASCADE;
DROP SERVER fdw_ms_u16_text;
DROP SERVER fdw_ms_u16_down CASCADE;
SELECT berqenas.unregister_remote_database('fdw_ms_u16', cascade => true);
RESET client_min_messages;
