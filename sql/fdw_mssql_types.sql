-- berqenas_fdw against MSSQL (the TDS test server): every mapped SQL Server type, value by value,
-- both ways (written through the FDW and checked on the remote; written with T-SQL and read
-- here), with NULLs, limits and non-ASCII text.
\getenv tds_port BERQENAS_TDS_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_ms_types', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
RESET client_min_messages;
CREATE SERVER fdw_ms_types FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_ms_types');
SELECT berqenas.fdw_execute('fdw_ms_types', 'DROP SCHEMA IF EXISTS fdw_ms_types CASCADE');
SELECT berqenas.fdw_execute('fdw_ms_types', 'CREATE SCHEMA fdw_ms_types');
-- One column per SQL Server type (the TDS server stores them in its mssql_<type> domains).
SELECT berqenas.fdw_execute('fdw_ms_types', $$CREATE TABLE [fdw_ms_types].[all_types] (
    [id] INT NOT NULL PRIMARY KEY, [b] BIT, [ti] TINYINT, [si] SMALLINT, [i] INT, [bi] BIGINT,
    [dec] DECIMAL(12,4), [num] NUMERIC(38,0), [m] MONEY, [sm] SMALLMONEY, [r] REAL, [f] FLOAT,
    [d] DATE, [t] TIME, [dt] DATETIME, [dt2] DATETIME2, [sdt] SMALLDATETIME, [dto] DATETIMEOFFSET,
    [c] CHAR(3), [nc] NCHAR(3), [vc] VARCHAR(10), [nvc] NVARCHAR(10), [vcm] VARCHAR(MAX), [nvcm] NVARCHAR(MAX),
    [tx] TEXT, [ntx] NTEXT, [bin] BINARY(4), [vbin] VARBINARY(10), [vbinm] VARBINARY(MAX), [img] IMAGE,
    [u] UNIQUEIDENTIFIER, [x] XML)$$);
SELECT berqenas.fdw_execute('fdw_ms_types',
    'CREATE TABLE fdw_ms_types.versioned (id INT NOT NULL PRIMARY KEY, note NVARCHAR(10), rv ROWVERSION)');

CREATE SCHEMA ms_types;
IMPORT FOREIGN SCHEMA fdw_ms_types FROM SERVER fdw_ms_types INTO ms_types;
-- The mapping (docs/type-mapping.md), as IMPORT FOREIGN SCHEMA declares it.
SELECT attname AS column_name, format_type(atttypid, atttypmod) AS local_type
  FROM pg_attribute WHERE attrelid = 'ms_types.all_types'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname AS column_name, format_type(atttypid, atttypmod) AS local_type
  FROM pg_attribute WHERE attrelid = 'ms_types.versioned'::regclass AND attnum > 0 ORDER BY attnum;

-- Written through the FDW: row 1 the low limits, row 2 the high limits, row 3 all NULL,
-- row 4 non-ASCII text and values that need care (quotes, datetime's 1/300 s, time zones).
SET timezone = 'UTC';
INSERT INTO ms_types.all_types VALUES
    (1, false, 0, -32768, -2147483648, -9223372036854775808, -99999999.9999, -99999999999999999999999999999999999999,
     -922337203685477.5808, -214748.3648, -3.4e38, -1.79e308, '0001-01-01', '00:00:00',
     '1753-01-01 00:00:00', '0001-01-01 00:00:00', '1900-01-01 00:00', '0001-01-01 00:00:00+00',
     'abc', 'xyz', '', '', '', '', '', '', '\x00000000', '\x', '\x', '\x', '00000000-0000-0000-0000-000000000000', '<r/>'),
    (2, true, 255, 32767, 2147483647, 9223372036854775807, 99999999.9999, 99999999999999999999999999999999999999,
     922337203685477.5807, 214748.3647, 3.4e38, 1.79e308, '9999-12-31', '23:59:59.999999',
     '9999-12-31 23:59:59.997', '9999-12-31 23:59:59.999999', '2079-06-06 23:59', '9999-12-31 23:59:59.999999+00',
     'abc', 'xyz', 'ten chars.', 'ten chars.', repeat('v', 9000), repeat('ü', 5000), repeat('t', 9000), repeat('ş', 5000),
     '\xffffffff', '\xffffffffffffffffffff', decode(repeat('ab', 70000), 'hex'), decode(repeat('cd', 70000), 'hex'),
     'ffffffff-ffff-ffff-ffff-ffffffffffff', ('<big>' || repeat('x', 5000) || '</big>')::xml),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, true, 42, 7, 7, 7, 1.5, 7, 0.0001, 0.0001, 1.5, 3.141592653589793, '2024-02-29', '12:34:56.789012',
     '2024-01-02 03:04:05.123', '2024-01-02 03:04:05.123456', '2024-01-02 03:04', '2024-06-01 12:00:00+02',
     'é''x', 'çğü', 'héllo''s', 'Ayşe 日本', 'café ''quoted'' \ back', 'Zoë 🙂 ''q''', 'text é', 'ntext ş 日本',
     '\xcafe', '\x00ff10', '\x0102', '\xdeadbeef', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '<a b="1">ü &amp; 日本</a>');

-- Read back through the FDW, value by value.
SELECT id, b, ti, si, i, bi, dec, num FROM ms_types.all_types ORDER BY id;
SELECT id, m, sm, r, f FROM ms_types.all_types ORDER BY id;
SELECT id, d, t, dt, dt2, sdt, dto FROM ms_types.all_types ORDER BY id;
SELECT id, c, nc, vc, nvc, left(vcm, 30) AS vcm, length(vcm) AS vcm_len, left(nvcm, 10) AS nvcm, length(nvcm) AS nvcm_len,
       left(tx, 20) AS tx, length(tx) AS tx_len, left(ntx, 12) AS ntx, length(ntx) AS ntx_len
  FROM ms_types.all_types ORDER BY id;
SELECT id, bin, vbin, left(vbinm::text, 12) AS vbinm, length(vbinm) AS vbinm_len, left(img::text, 12) AS img,
       length(img) AS img_len, u, left(x::text, 40) AS x, length(x::text) AS x_len
  FROM ms_types.all_types ORDER BY id;

-- The same values as the remote itself stores them (its text form of each column).
CREATE FOREIGN TABLE ms_types.remote_text (id int, b text, ti text, m text, sm text, f text, dt text, dt2 text,
        sdt text, dto text, c text, vc text, nvc text, bin text, u text)
    SERVER fdw_ms_types OPTIONS (query $$SELECT id, CAST(b AS NVARCHAR(MAX)) AS b, CAST(ti AS NVARCHAR(MAX)) AS ti,
        CAST(m AS NVARCHAR(MAX)) AS m, CAST(sm AS NVARCHAR(MAX)) AS sm, CAST(f AS NVARCHAR(MAX)) AS f,
        CAST(dt AS NVARCHAR(MAX)) AS dt, CAST(dt2 AS NVARCHAR(MAX)) AS dt2, CAST(sdt AS NVARCHAR(MAX)) AS sdt,
        CAST(dto AS NVARCHAR(MAX)) AS dto, CAST(c AS NVARCHAR(MAX)) AS c, CAST(vc AS NVARCHAR(MAX)) AS vc,
        CAST(nvc AS NVARCHAR(MAX)) AS nvc, CAST(bin AS NVARCHAR(MAX)) AS bin, CAST(u AS NVARCHAR(MAX)) AS u
        FROM fdw_ms_types.all_types$$);
SELECT * FROM ms_types.remote_text ORDER BY id;
-- Exact matches on the remote, one comparison per type (fdw_execute returns the affected rows).
SELECT berqenas.fdw_execute('fdw_ms_types', $$UPDATE fdw_ms_types.all_types SET id = id
    WHERE id = 4 AND b = 1 AND ti = 42 AND dec = 1.5 AND m = 0.0001 AND f = 3.141592653589793
      AND d = CAST(N'2024-02-29' AS DATE) AND t = CAST(N'12:34:56.789012' AS TIME)
      AND dt = CAST(N'2024-01-02 03:04:05.123' AS DATETIME2) AND dto = CAST(N'2024-06-01 10:00:00 +00:00' AS DATETIMEOFFSET)
      AND c = N'é''x' AND nc = N'çğü' AND vc = N'héllo''s' AND nvc = N'Ayşe 日本' AND vcm = N'café ''quoted'' \ back'
      AND nvcm = N'Zoë 🙂 ''q''' AND vbin = 0x00FF10 AND u = N'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'$$)
    AS row_4_matches_on_remote;

-- Written with T-SQL on the remote, read here: datetime's 1/300 s ticks, an offset other than
-- ours, a server-made rowversion.
SELECT berqenas.fdw_execute('fdw_ms_types', $$INSERT INTO fdw_ms_types.all_types (id, dt, dto, sdt, m, x)
    VALUES (5, '2024-03-01 10:20:30.997', '2024-03-01 10:20:30.1234567 -05:30', '2024-03-01 10:20', 12.3456, N'<n>ñ</n>')$$);
SELECT id, dt, dto, sdt, m, x FROM ms_types.all_types WHERE id = 5;
SET timezone = 'Asia/Kolkata';
SELECT id, dto FROM ms_types.all_types WHERE id IN (4, 5) ORDER BY id;
SET timezone = 'UTC';
SELECT berqenas.fdw_execute('fdw_ms_types', $$INSERT INTO fdw_ms_types.versioned (id, note) VALUES (1, N'first'), (2, N'second')$$);
SELECT id, note, length(rv) AS rv_bytes, rv IS NOT NULL AS has_version FROM ms_types.versioned ORDER BY id;
SELECT count(DISTINCT rv) AS distinct_versions FROM ms_types.versioned;

-- A value that does not fit the local column names the column and the remote row's key.
CREATE FOREIGN TABLE ms_types.too_small (id int OPTIONS (key 'true'), bi integer) SERVER fdw_ms_types
    OPTIONS (schema_name 'fdw_ms_types', table_name 'all_types');
SELECT * FROM ms_types.too_small WHERE id = 1;
RESET timezone;

-- db-lib's own TDS packet size (4096 bytes): every value reads the same as with our default 32767.
CREATE SERVER fdw_ms_small_packets FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_ms_types', packet_size '4095');
CREATE SERVER fdw_ms_small_packets FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_ms_types', packet_size '4096');
CREATE SCHEMA ms_small;
IMPORT FOREIGN SCHEMA fdw_ms_types LIMIT TO (all_types) FROM SERVER fdw_ms_small_packets INTO ms_small;
SELECT count(*) AS rows, bool_and(small_row IS NOT DISTINCT FROM default_row) AS same_as_default_packets
  FROM (SELECT id, small_row::text AS small_row FROM ms_small.all_types small_row) s
  FULL JOIN (SELECT id, default_row::text AS default_row FROM ms_types.all_types default_row) d USING (id);

-- Decimals are built straight into PostgreSQL's numeric format (no NumericVar): byte for byte what
-- numeric's own input makes of the same digits (numeric_send shows the digit groups, weight and
-- scale), for every scale from 0 to 18, signs, zeros, trailing zeros and values at int64's edge.
SELECT berqenas.fdw_execute('fdw_ms_types', $$CREATE TABLE [fdw_ms_types].[nums] ([id] INT NOT NULL PRIMARY KEY,
    [d0] DECIMAL(19,0), [d1] DECIMAL(19,1), [d2] DECIMAL(12,2), [d3] DECIMAL(15,3), [d4] DECIMAL(18,4),
    [d5] DECIMAL(18,5), [d6] DECIMAL(18,6), [d9] DECIMAL(19,9), [d18] DECIMAL(19,18), [d30] DECIMAL(38,30))$$);
CREATE FOREIGN TABLE ms_types.nums (id int, d0 numeric, d1 numeric, d2 numeric, d3 numeric, d4 numeric,
    d5 numeric, d6 numeric(18,6), d9 numeric, d18 numeric, d30 numeric)
    SERVER fdw_ms_types OPTIONS (schema_name 'fdw_ms_types', table_name 'nums');
INSERT INTO ms_types.nums
SELECT g, v::numeric(19,0), (v / 10)::numeric(19,1), (v % 10000000000 / 100)::numeric(12,2),
       (v % 1000000000000 / 1000)::numeric(15,3), (v % 100000000000000 / 10000)::numeric(18,4),
       (v % 1000000000000 / 100000)::numeric(18,5), (v % 1000000000000 / 1000000)::numeric(18,6),
       (v / 1000000000)::numeric(19,9), (v % 10 / 10.0 ^ (g % 19))::numeric(19,18), (v % 100000000 / 10.0 ^ 30)::numeric(38,30)
  FROM (SELECT g, CASE g WHEN 1 THEN 0 WHEN 2 THEN 9223372036854775807 WHEN 3 THEN -9223372036854775807
                         WHEN 4 THEN 1000000000000000000 WHEN 5 THEN -10000 WHEN 6 THEN 1
                         ELSE (g::bigint * 7919 * 104729 % 2000003 - 1000000) * power(10::numeric, g % 13) END::numeric AS v
          FROM generate_series(1, 60) g) s;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE numeric_send(d0) = numeric_send(d0::text::numeric) AND numeric_send(d1) = numeric_send(d1::text::numeric)
                          AND numeric_send(d2) = numeric_send(d2::text::numeric) AND numeric_send(d3) = numeric_send(d3::text::numeric)
                          AND numeric_send(d4) = numeric_send(d4::text::numeric) AND numeric_send(d5) = numeric_send(d5::text::numeric)
                          AND numeric_send(d6) = numeric_send(d6::text::numeric) AND numeric_send(d9) = numeric_send(d9::text::numeric)
                          AND numeric_send(d18) = numeric_send(d18::text::numeric) AND numeric_send(d30) = numeric_send(d30::text::numeric)) AS same_bytes
  FROM ms_types.nums;
SELECT id, d0, d1, d4, d6, d9, d18 FROM ms_types.nums WHERE id <= 6 ORDER BY id;

-- Clean up.
SELECT berqenas.fdw_execute('fdw_ms_types', 'DROP SCHEMA fdw_ms_types CASCADE');
SET client_min_messages = warning;
DROP SCHEMA ms_types CASCADE;
DROP SCHEMA ms_small CASCADE;
DROP SERVER fdw_ms_small_packets;
SELECT berqenas.unregister_remote_database('fdw_ms_types', cascade => true);
RESET client_min_messages;
