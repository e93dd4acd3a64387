-- SQL Server types, catalog views and helpers for a PostgreSQL database served by
-- berqenas-tds-server. Load it once into the backing database: psql -f mssql_types.sql
--
--  * domains mssql_<type> for the SQL Server types PostgreSQL lacks (the server reports a column
--    declared with one as that SQL Server type); sized ones are created on demand by
--    mssql_ensure_domain('varchar', 50) -> mssql_varchar_50 (the server calls it for T-SQL DDL);
--  * schemas mssql_information_schema and mssql_sys: INFORMATION_SCHEMA.* and sys.* as SQL
--    Server shows them (schema public appears as dbo, types with SQL Server names);
--  * small compatibility helpers: mssql_object_id(), boolean = integer comparisons, and an
--    assignment cast integer -> boolean so "SET is_deleted = 1" works on a bit column;
--  * names as Babelfish keeps them: declared spellings (mssql_declare_names) shown by
--    INFORMATION_SCHEMA.TABLES and COLUMNS, lower case elsewhere, compared case-insensitively.
-- Safe to load twice.

SET client_min_messages = warning;

-- ------------------------------------------------------------------ fixed-size domains
DO $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT * FROM (VALUES
        ('mssql_tinyint',       'smallint CHECK (VALUE BETWEEN 0 AND 255)'),
        ('mssql_money',         'numeric(19,4) CHECK (VALUE BETWEEN -922337203685477.5808 AND 922337203685477.5807)'),
        ('mssql_smallmoney',    'numeric(10,4) CHECK (VALUE BETWEEN -214748.3648 AND 214748.3647)'),
        ('mssql_datetime',      'timestamp(3) CHECK (VALUE >= ''1753-01-01'' AND VALUE < ''10000-01-01'')'),
        ('mssql_smalldatetime', 'timestamp(0) CHECK (VALUE >= ''1900-01-01'' AND VALUE <= ''2079-06-06 23:59:00'')'),
        ('mssql_text',          'text'),
        ('mssql_ntext',         'text'),
        ('mssql_image',         'bytea'),
        ('mssql_varchar_max',   'text'),
        ('mssql_nvarchar_max',  'text'),
        ('mssql_varbinary_max', 'bytea'),
        ('mssql_rowversion',    'bytea CHECK (octet_length(VALUE) = 8)')
    ) AS t(name, definition)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = d.name AND typnamespace = 'public'::regnamespace) THEN
            EXECUTE format('CREATE DOMAIN public.%I AS %s', d.name, d.definition);
        END IF;
    END LOOP;
END
$$;

-- mssql_utf16: text that the server sends as varbinary holding its UTF-16LE bytes, which is what
-- SQL Server's CAST(nvarchar AS varbinary(...)) returns. It has text's own I/O functions and
-- representation, so the casts into it cost nothing (char keeps its padding, as nchar's does).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mssql_utf16' AND typnamespace = 'public'::regnamespace) THEN
        CREATE TYPE public.mssql_utf16;
        CREATE FUNCTION public.mssql_utf16_in(cstring) RETURNS public.mssql_utf16
            LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textin';
        CREATE FUNCTION public.mssql_utf16_out(public.mssql_utf16) RETURNS cstring
            LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textout';
        CREATE FUNCTION public.mssql_utf16_recv(internal) RETURNS public.mssql_utf16
            LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textrecv';
        CREATE FUNCTION public.mssql_utf16_send(public.mssql_utf16) RETURNS bytea
            LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textsend';
        CREATE TYPE public.mssql_utf16 (INPUT = public.mssql_utf16_in, OUTPUT = public.mssql_utf16_out,
            RECEIVE = public.mssql_utf16_recv, SEND = public.mssql_utf16_send,
            INTERNALLENGTH = VARIABLE, STORAGE = extended, CATEGORY = 'U');
        CREATE CAST (text AS public.mssql_utf16) WITHOUT FUNCTION;
        CREATE CAST (varchar AS public.mssql_utf16) WITHOUT FUNCTION;
        CREATE CAST (bpchar AS public.mssql_utf16) WITHOUT FUNCTION;
        CREATE CAST (public.mssql_utf16 AS text) WITHOUT FUNCTION;
    END IF;
END
$$;

-- CAST(x AS varbinary(n|max)) is rewritten to mssql_varbinary(x, n) (n = -1 for max): the overload
-- follows x's type. Text becomes mssql_utf16 (UTF-16LE on the wire; n bytes are n/2 characters),
-- bytes stay bytes; longer values are cut to n bytes, as SQL Server's CAST cuts them.
CREATE OR REPLACE FUNCTION public.mssql_varbinary(value text, size integer) RETURNS public.mssql_utf16
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CAST(CASE WHEN size < 0 THEN value ELSE left(value, size / 2) END AS public.mssql_utf16) $$;
CREATE OR REPLACE FUNCTION public.mssql_varbinary(value bpchar, size integer) RETURNS public.mssql_utf16
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN size < 0 THEN CAST(value AS public.mssql_utf16)
               ELSE CAST(left(CAST(CAST(value AS public.mssql_utf16) AS text), size / 2) AS public.mssql_utf16) END $$;
CREATE OR REPLACE FUNCTION public.mssql_varbinary(value bytea, size integer) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN size < 0 THEN value ELSE substring(value FROM 1 FOR size) END $$;

-- rowversion values come from one sequence, as SQL Server's come from one database counter.
CREATE SEQUENCE IF NOT EXISTS public.mssql_rowversion_seq;
ALTER DOMAIN public.mssql_rowversion SET DEFAULT int8send(nextval('public.mssql_rowversion_seq'));

-- mssql_<kind>_<n>: varchar(n), char(n), varbinary(n), binary(n) (and nvarchar/nchar for symmetry).
-- A size of -1 means (max). Returns the domain's name.
CREATE OR REPLACE FUNCTION public.mssql_ensure_domain(kind text, size integer)
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    name text := 'mssql_' || kind || '_' || CASE WHEN size < 0 THEN 'max' ELSE size::text END;
    definition text;
BEGIN
    IF kind NOT IN ('varchar', 'char', 'varbinary', 'binary', 'nvarchar', 'nchar') THEN
        RAISE EXCEPTION 'unknown sized SQL Server type %', kind USING ERRCODE = '22023';
    END IF;
    IF size = 0 OR size > 8000 OR (size < 0 AND kind IN ('char', 'binary', 'nchar')) THEN
        RAISE EXCEPTION 'invalid size % for SQL Server type %', size, kind USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_type WHERE typname = name AND typnamespace = 'public'::regnamespace) THEN
        RETURN name;
    END IF;
    definition := CASE
        WHEN size < 0 AND kind IN ('varchar', 'nvarchar') THEN 'text'
        WHEN size < 0 THEN 'bytea'
        WHEN kind IN ('varchar', 'nvarchar') THEN format('varchar(%s)', size)
        WHEN kind IN ('char', 'nchar') THEN format('char(%s)', size)
        WHEN kind = 'varbinary' THEN format('bytea CHECK (octet_length(VALUE) <= %s)', size)
        ELSE format('bytea CHECK (octet_length(VALUE) <= %s)', size) END;
    BEGIN
        EXECUTE format('CREATE DOMAIN public.%I AS %s', name, definition);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another session created it at the same moment
    END;
    RETURN name;
END
$$;

-- ------------------------------------------------------------------ compatibility helpers
-- OBJECT_ID('dbo.t') -> the relation's oid as int, or NULL.
CREATE OR REPLACE FUNCTION public.mssql_object_id(name text, kind text DEFAULT NULL)
RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT to_regclass(regexp_replace(regexp_replace(name, '[\[\]]', '', 'g'), '^dbo\.', 'public.', 'i'))::oid::integer
$$;

-- SUM with SQL Server's result types (the rewrite sends T-SQL's SUM here): int for tinyint,
-- smallint and int (overflowing as SQL Server does), bigint for bigint, float for real and float,
-- decimal for decimal and money.
CREATE OR REPLACE FUNCTION public.mssql_sum_int2(integer, smallint) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, 0) + $2 END';
CREATE OR REPLACE FUNCTION public.mssql_sum_float4(double precision, real) RETURNS double precision
    LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, 0) + $2 END';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'mssql_sum' AND pronamespace = 'public'::regnamespace) THEN
        CREATE AGGREGATE public.mssql_sum(smallint) (SFUNC = public.mssql_sum_int2, STYPE = integer);
        CREATE AGGREGATE public.mssql_sum(integer) (SFUNC = int4pl, STYPE = integer);
        CREATE AGGREGATE public.mssql_sum(bigint) (SFUNC = int8pl, STYPE = bigint);
        CREATE AGGREGATE public.mssql_sum(real) (SFUNC = public.mssql_sum_float4, STYPE = double precision);
        CREATE AGGREGATE public.mssql_sum(double precision) (SFUNC = float8pl, STYPE = double precision);
        CREATE AGGREGATE public.mssql_sum(numeric) (SFUNC = numeric_add, STYPE = numeric);
    END IF;
END
$$;

-- T-SQL compares bit columns with 0 and 1.
CREATE OR REPLACE FUNCTION public.mssql_bool_eq_int(boolean, integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT $1 = ($2 <> 0)';
CREATE OR REPLACE FUNCTION public.mssql_bool_ne_int(boolean, integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT $1 <> ($2 <> 0)';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_operator WHERE oprname = '=' AND oprleft = 'boolean'::regtype
                   AND oprright = 'integer'::regtype) THEN
        CREATE OPERATOR public.= (LEFTARG = boolean, RIGHTARG = integer, FUNCTION = public.mssql_bool_eq_int);
        CREATE OPERATOR public.<> (LEFTARG = boolean, RIGHTARG = integer, FUNCTION = public.mssql_bool_ne_int);
    END IF;
    -- "SET flag = 1" and "DEFAULT 0" on boolean columns: make the built-in int -> bool cast
    -- usable in assignments (this is a throwaway test database).
    UPDATE pg_cast SET castcontext = 'a'
     WHERE castsource = 'integer'::regtype AND casttarget = 'boolean'::regtype AND castcontext = 'e';
END
$$;

-- ------------------------------------------------------------------ SQL Server type of a column
-- data_type as INFORMATION_SCHEMA.COLUMNS shows it, plus what sys.columns needs.
CREATE OR REPLACE FUNCTION public.mssql_type_info(typid oid, typmod integer,
    OUT data_type text, OUT system_type_id integer, OUT max_length integer, OUT char_max_length integer,
    OUT numeric_precision integer, OUT numeric_precision_radix integer, OUT numeric_scale integer,
    OUT datetime_precision integer)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t pg_type;
    base oid := typid;
    mod integer := typmod;
    dom text := NULL;
    n integer;
    suffix text;
BEGIN
    SELECT * INTO t FROM pg_type WHERE oid = typid;
    IF t.typtype = 'd' THEN
        dom := t.typname;
        base := t.typbasetype;
        mod := t.typtypmod;
    END IF;
    IF dom LIKE 'mssql\_%' THEN
        suffix := substring(dom FROM '_(max|[0-9]+)$');
        n := CASE WHEN suffix = 'max' THEN -1 WHEN suffix IS NULL THEN NULL ELSE suffix::integer END;
        CASE
            WHEN dom = 'mssql_tinyint' THEN
                data_type := 'tinyint'; system_type_id := 48; max_length := 1; numeric_precision := 3;
                numeric_precision_radix := 10; numeric_scale := 0; RETURN;
            WHEN dom = 'mssql_money' THEN
                data_type := 'money'; system_type_id := 60; max_length := 8; numeric_precision := 19;
                numeric_precision_radix := 10; numeric_scale := 4; RETURN;
            WHEN dom = 'mssql_smallmoney' THEN
                data_type := 'smallmoney'; system_type_id := 122; max_length := 4; numeric_precision := 10;
                numeric_precision_radix := 10; numeric_scale := 4; RETURN;
            WHEN dom = 'mssql_datetime' THEN
                data_type := 'datetime'; system_type_id := 61; max_length := 8; datetime_precision := 3; RETURN;
            WHEN dom = 'mssql_smalldatetime' THEN
                data_type := 'smalldatetime'; system_type_id := 58; max_length := 4; datetime_precision := 0; RETURN;
            WHEN dom = 'mssql_text' THEN
                data_type := 'text'; system_type_id := 35; max_length := 16; char_max_length := 2147483647; RETURN;
            WHEN dom = 'mssql_ntext' THEN
                data_type := 'ntext'; system_type_id := 99; max_length := 16; char_max_length := 1073741823; RETURN;
            WHEN dom = 'mssql_image' THEN
                data_type := 'image'; system_type_id := 34; max_length := 16; char_max_length := 2147483647; RETURN;
            WHEN dom IN ('mssql_rowversion', 'mssql_timestamp') THEN
                data_type := 'timestamp'; system_type_id := 189; max_length := 8; RETURN;
            WHEN dom LIKE 'mssql\_varchar\_%' THEN
                data_type := 'varchar'; system_type_id := 167; max_length := n; char_max_length := n; RETURN;
            WHEN dom LIKE 'mssql\_char\_%' THEN
                data_type := 'char'; system_type_id := 175; max_length := n; char_max_length := n; RETURN;
            WHEN dom LIKE 'mssql\_nvarchar\_%' THEN
                data_type := 'nvarchar'; system_type_id := 231;
                max_length := CASE WHEN n < 0 THEN -1 ELSE 2 * n END; char_max_length := n; RETURN;
            WHEN dom LIKE 'mssql\_nchar\_%' THEN
                data_type := 'nchar'; system_type_id := 239; max_length := 2 * n; char_max_length := n; RETURN;
            WHEN dom LIKE 'mssql\_varbinary\_%' THEN
                data_type := 'varbinary'; system_type_id := 165; max_length := n; char_max_length := n; RETURN;
            WHEN dom LIKE 'mssql\_binary\_%' THEN
                data_type := 'binary'; system_type_id := 173; max_length := n; char_max_length := n; RETURN;
            ELSE NULL;
        END CASE;
    END IF;
    CASE base
        WHEN 'smallint'::regtype THEN
            data_type := 'smallint'; system_type_id := 52; max_length := 2; numeric_precision := 5;
            numeric_precision_radix := 10; numeric_scale := 0;
        WHEN 'integer'::regtype THEN
            data_type := 'int'; system_type_id := 56; max_length := 4; numeric_precision := 10;
            numeric_precision_radix := 10; numeric_scale := 0;
        WHEN 'bigint'::regtype, 'oid'::regtype THEN
            data_type := 'bigint'; system_type_id := 127; max_length := 8; numeric_precision := 19;
            numeric_precision_radix := 10; numeric_scale := 0;
        WHEN 'boolean'::regtype THEN
            data_type := 'bit'; system_type_id := 104; max_length := 1;
        WHEN 'real'::regtype THEN
            data_type := 'real'; system_type_id := 59; max_length := 4; numeric_precision := 24; numeric_precision_radix := 2;
        WHEN 'double precision'::regtype THEN
            data_type := 'float'; system_type_id := 62; max_length := 8; numeric_precision := 53; numeric_precision_radix := 2;
        WHEN 'numeric'::regtype THEN
            data_type := 'decimal'; system_type_id := 106; numeric_precision_radix := 10;
            IF mod >= 4 THEN
                numeric_precision := least(((mod - 4) >> 16) & 65535, 38);
                numeric_scale := (mod - 4) & 2047;
            ELSE
                numeric_precision := 38; numeric_scale := 10;  -- as the server sends unconstrained numeric
            END IF;
            max_length := CASE WHEN numeric_precision <= 9 THEN 5 WHEN numeric_precision <= 19 THEN 9
                               WHEN numeric_precision <= 28 THEN 13 ELSE 17 END;
        WHEN 'date'::regtype THEN
            data_type := 'date'; system_type_id := 40; max_length := 3; datetime_precision := 0;
        WHEN 'time without time zone'::regtype THEN
            data_type := 'time'; system_type_id := 41; max_length := 5;
            datetime_precision := CASE WHEN mod BETWEEN 0 AND 6 THEN mod ELSE 7 END;
        WHEN 'timestamp without time zone'::regtype THEN
            data_type := 'datetime2'; system_type_id := 42; max_length := 8;
            datetime_precision := CASE WHEN mod BETWEEN 0 AND 6 THEN mod ELSE 7 END;
        WHEN 'timestamp with time zone'::regtype THEN
            data_type := 'datetimeoffset'; system_type_id := 43; max_length := 10;
            datetime_precision := CASE WHEN mod BETWEEN 0 AND 6 THEN mod ELSE 7 END;
        WHEN 'uuid'::regtype THEN
            data_type := 'uniqueidentifier'; system_type_id := 36; max_length := 16;
        WHEN 'character varying'::regtype THEN
            data_type := 'nvarchar'; system_type_id := 231;
            char_max_length := CASE WHEN mod >= 4 AND mod - 4 <= 4000 THEN mod - 4 ELSE -1 END;
            max_length := CASE WHEN char_max_length < 0 THEN -1 ELSE 2 * char_max_length END;
        WHEN 'character'::regtype THEN
            IF mod >= 4 AND mod - 4 <= 4000 THEN
                data_type := 'nchar'; system_type_id := 239; char_max_length := mod - 4; max_length := 2 * (mod - 4);
            ELSE
                data_type := 'nvarchar'; system_type_id := 231; char_max_length := -1; max_length := -1;
            END IF;
        WHEN 'name'::regtype THEN
            data_type := 'nvarchar'; system_type_id := 231; char_max_length := 128; max_length := 256;
        WHEN 'bytea'::regtype THEN
            data_type := 'varbinary'; system_type_id := 165; char_max_length := -1; max_length := -1;
        WHEN 'xml'::regtype THEN
            data_type := 'xml'; system_type_id := 241; char_max_length := -1; max_length := -1;
        ELSE  -- text and everything else travel as nvarchar(max)
            data_type := 'nvarchar'; system_type_id := 231; char_max_length := -1; max_length := -1;
    END CASE;
END
$$;

CREATE OR REPLACE FUNCTION public.mssql_schema_name(pg_schema name) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN pg_schema = 'public' THEN 'dbo' ELSE pg_schema::text END $$;

-- ------------------------------------------------------------------ names as declared
-- T-SQL names reach PostgreSQL folded to lower case (the rewrite folds [CustomerId] to
-- "customerid"). Babelfish does the same, keeps the declared spelling beside it (pg_attribute's
-- attoptions bbf_original_name, pg_class's reloptions bbf_original_rel_name) and shows it in
-- INFORMATION_SCHEMA.TABLES and COLUMNS, while KEY_COLUMN_USAGE, TABLE_CONSTRAINTS and
-- CONSTRAINT_COLUMN_USAGE show the lower-case names. This database does the same: the server
-- calls mssql_declare_names() after each CREATE TABLE or ALTER TABLE ... ADD, which keeps a name
-- not written in lower case as the object's comment 'mssql_declared_name=<name>' (PostgreSQL
-- drops the comment with the object). Every name column of the INFORMATION_SCHEMA views has
-- collation mssql_ci, so WHERE TABLE_NAME = N'customer' finds Customer, as under SQL Server's
-- default case-insensitive collation (and as on Babelfish).
CREATE COLLATION IF NOT EXISTS public.mssql_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- The name to show for an object PostgreSQL calls folded, given its comment: the declared
-- spelling when the comment holds one that folds to this name (an object renamed since keeps
-- PostgreSQL's name).
CREATE OR REPLACE FUNCTION public.mssql_declared_name(folded name, note text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN left(note, 20) = 'mssql_declared_name='
                 AND translate(substr(note, 21), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = folded::text
                THEN substr(note, 21) ELSE folded::text END
$$;

-- rel: the table; rel_name: its name as declared (NULL: none to keep); columns[i] (PostgreSQL's
-- name) was declared as declared[i]. Runs as the caller, who owns the table she just made.
CREATE OR REPLACE FUNCTION public.mssql_declare_names(rel regclass, rel_name text, columns text[], declared text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i integer;
BEGIN
    IF rel_name IS NOT NULL THEN
        EXECUTE format('COMMENT ON TABLE %s IS %L', rel, 'mssql_declared_name=' || rel_name);
    END IF;
    FOR i IN 1 .. coalesce(array_length(columns, 1), 0) LOOP
        IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = columns[i] AND NOT attisdropped) THEN
            EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', rel, columns[i], 'mssql_declared_name=' || declared[i]);
        END IF;
    END LOOP;
END
$$;

-- ------------------------------------------------------------------ INFORMATION_SCHEMA
-- Views made by a version of this file whose names compared case-sensitively cannot be replaced
-- in place (a view column's collation cannot change): those go first.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.oid = to_regclass('mssql_information_schema.tables') AND a.attname = 'table_name'
                  AND a.attcollation <> 'public.mssql_ci'::regcollation) THEN
        DROP SCHEMA mssql_information_schema CASCADE;
    END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS mssql_information_schema;

-- Schemas of our own and PostgreSQL's that SQL Server clients should not see.
CREATE OR REPLACE FUNCTION public.mssql_hidden_schema(s name) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT s IN ('pg_catalog', 'information_schema', 'mssql_information_schema', 'mssql_sys', 'pg_toast')
        OR s LIKE 'pg\_temp\_%' OR s LIKE 'pg\_toast\_temp\_%'
$$;

CREATE OR REPLACE VIEW mssql_information_schema.schemata AS
SELECT current_database()::text COLLATE public.mssql_ci AS catalog_name,
       public.mssql_schema_name(n.nspname) COLLATE public.mssql_ci AS schema_name,
       'dbo'::text COLLATE public.mssql_ci AS schema_owner
  FROM pg_namespace n WHERE NOT public.mssql_hidden_schema(n.nspname);

-- Table names as declared (Babelfish: bbf_original_rel_name).
CREATE OR REPLACE VIEW mssql_information_schema.tables AS
SELECT current_database()::text COLLATE public.mssql_ci AS table_catalog,
       public.mssql_schema_name(n.nspname) COLLATE public.mssql_ci AS table_schema,
       public.mssql_declared_name(c.relname, d.description) COLLATE public.mssql_ci AS table_name,
       CASE WHEN c.relkind IN ('v', 'm') THEN 'VIEW' ELSE 'BASE TABLE' END AS table_type
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT public.mssql_hidden_schema(n.nspname)
   AND has_table_privilege(c.oid, 'SELECT');

CREATE OR REPLACE VIEW mssql_information_schema.views AS
SELECT table_catalog, table_schema, table_name, NULL::text AS view_definition, 'NONE'::text AS check_option,
       'NO'::text AS is_updatable
  FROM mssql_information_schema.tables WHERE table_type = 'VIEW';

-- Table and column names as declared (Babelfish: bbf_original_rel_name, bbf_original_name).
CREATE OR REPLACE VIEW mssql_information_schema.columns AS
SELECT current_database()::text COLLATE public.mssql_ci AS table_catalog,
       public.mssql_schema_name(n.nspname) COLLATE public.mssql_ci AS table_schema,
       public.mssql_declared_name(c.relname, td.description) COLLATE public.mssql_ci AS table_name,
       public.mssql_declared_name(a.attname, cd.description) COLLATE public.mssql_ci AS column_name,
       a.attnum::integer AS ordinal_position,
       pg_get_expr(d.adbin, d.adrelid) AS column_default,
       CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
       ti.data_type, ti.char_max_length AS character_maximum_length,
       CASE WHEN ti.data_type IN ('nvarchar', 'nchar') AND ti.char_max_length > 0 THEN 2 * ti.char_max_length
            ELSE ti.char_max_length END AS character_octet_length,
       ti.numeric_precision::smallint AS numeric_precision, ti.numeric_precision_radix::smallint AS numeric_precision_radix,
       ti.numeric_scale AS numeric_scale, ti.datetime_precision::smallint AS datetime_precision,
       CASE WHEN ti.data_type IN ('char', 'varchar', 'text') THEN 'iso_1'
            WHEN ti.data_type IN ('nchar', 'nvarchar', 'ntext') THEN 'UNICODE' END AS character_set_name,
       CASE WHEN ti.data_type IN ('char', 'varchar', 'text', 'nchar', 'nvarchar', 'ntext')
            THEN 'SQL_Latin1_General_CP1_CI_AS' END AS collation_name,
       NULL::text AS domain_schema, NULL::text AS domain_name
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_description td ON td.objoid = c.oid AND td.classoid = 'pg_class'::regclass AND td.objsubid = 0
  LEFT JOIN pg_description cd ON cd.objoid = c.oid AND cd.classoid = 'pg_class'::regclass AND cd.objsubid = a.attnum
  CROSS JOIN LATERAL public.mssql_type_info(a.atttypid, a.atttypmod) ti
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND NOT public.mssql_hidden_schema(n.nspname) AND has_table_privilege(c.oid, 'SELECT');

-- The constraint views show PostgreSQL's lower-case names, as Babelfish's do (relname, attname).
-- PostgreSQL lists NOT NULL as CHECK constraints here; SQL Server does not.
CREATE OR REPLACE VIEW mssql_information_schema.table_constraints AS
SELECT constraint_catalog::text COLLATE public.mssql_ci AS constraint_catalog,
       public.mssql_schema_name(constraint_schema::name) COLLATE public.mssql_ci AS constraint_schema,
       constraint_name::text COLLATE public.mssql_ci AS constraint_name,
       table_catalog::text COLLATE public.mssql_ci AS table_catalog,
       public.mssql_schema_name(table_schema::name) COLLATE public.mssql_ci AS table_schema,
       table_name::text COLLATE public.mssql_ci AS table_name, constraint_type::text, is_deferrable::text,
       initially_deferred::text
  FROM information_schema.table_constraints
 WHERE NOT public.mssql_hidden_schema(table_schema::name)
   AND NOT (constraint_type = 'CHECK' AND constraint_name::text LIKE '%\_not\_null');

CREATE OR REPLACE VIEW mssql_information_schema.key_column_usage AS
SELECT constraint_catalog::text COLLATE public.mssql_ci AS constraint_catalog,
       public.mssql_schema_name(constraint_schema::name) COLLATE public.mssql_ci AS constraint_schema,
       constraint_name::text COLLATE public.mssql_ci AS constraint_name,
       table_catalog::text COLLATE public.mssql_ci AS table_catalog,
       public.mssql_schema_name(table_schema::name) COLLATE public.mssql_ci AS table_schema,
       table_name::text COLLATE public.mssql_ci AS table_name, column_name::text COLLATE public.mssql_ci AS column_name,
       ordinal_position::integer
  FROM information_schema.key_column_usage
 WHERE NOT public.mssql_hidden_schema(table_schema::name);

CREATE OR REPLACE VIEW mssql_information_schema.constraint_column_usage AS
SELECT table_catalog::text COLLATE public.mssql_ci AS table_catalog,
       public.mssql_schema_name(table_schema::name) COLLATE public.mssql_ci AS table_schema,
       table_name::text COLLATE public.mssql_ci AS table_name, column_name::text COLLATE public.mssql_ci AS column_name,
       constraint_catalog::text COLLATE public.mssql_ci AS constraint_catalog,
       public.mssql_schema_name(constraint_schema::name) COLLATE public.mssql_ci AS constraint_schema,
       constraint_name::text COLLATE public.mssql_ci AS constraint_name
  FROM information_schema.constraint_column_usage
 WHERE NOT public.mssql_hidden_schema(table_schema::name);

CREATE OR REPLACE VIEW mssql_information_schema.referential_constraints AS
SELECT constraint_catalog::text COLLATE public.mssql_ci AS constraint_catalog,
       public.mssql_schema_name(constraint_schema::name) COLLATE public.mssql_ci AS constraint_schema,
       constraint_name::text COLLATE public.mssql_ci AS constraint_name,
       unique_constraint_catalog::text COLLATE public.mssql_ci AS unique_constraint_catalog,
       public.mssql_schema_name(unique_constraint_schema::name) COLLATE public.mssql_ci AS unique_constraint_schema,
       unique_constraint_name::text COLLATE public.mssql_ci AS unique_constraint_name,
       match_option::text, update_rule::text, delete_rule::text
  FROM information_schema.referential_constraints
 WHERE NOT public.mssql_hidden_schema(constraint_schema::name);

-- ------------------------------------------------------------------ sys.*
CREATE SCHEMA IF NOT EXISTS mssql_sys;

CREATE OR REPLACE VIEW mssql_sys.schemas AS
SELECT public.mssql_schema_name(n.nspname) AS name,
       CASE WHEN n.nspname = 'public' THEN 1 ELSE n.oid::integer END AS schema_id, 1 AS principal_id
  FROM pg_namespace n WHERE NOT public.mssql_hidden_schema(n.nspname);

CREATE OR REPLACE VIEW mssql_sys.objects AS
SELECT c.relname::text AS name, c.oid::integer AS object_id,
       CASE WHEN n.nspname = 'public' THEN 1 ELSE n.oid::integer END AS schema_id, 0 AS parent_object_id,
       CASE c.relkind WHEN 'v' THEN 'V' WHEN 'm' THEN 'V' ELSE 'U' END::char(2) AS type,
       CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'VIEW' ELSE 'USER_TABLE' END AS type_desc,
       false AS is_ms_shipped
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT public.mssql_hidden_schema(n.nspname);

CREATE OR REPLACE VIEW mssql_sys.tables AS
SELECT name, object_id, schema_id, parent_object_id, type, type_desc, is_ms_shipped
  FROM mssql_sys.objects WHERE type = 'U';

CREATE OR REPLACE VIEW mssql_sys.views AS
SELECT name, object_id, schema_id, parent_object_id, type, type_desc, is_ms_shipped
  FROM mssql_sys.objects WHERE type = 'V';

CREATE OR REPLACE VIEW mssql_sys.columns AS
SELECT a.attrelid::integer AS object_id, a.attname::text AS name, a.attnum::integer AS column_id,
       ti.system_type_id, ti.system_type_id AS user_type_id, ti.max_length::smallint AS max_length,
       coalesce(ti.numeric_precision, ti.datetime_precision, 0)::smallint AS precision,
       coalesce(ti.numeric_scale, ti.datetime_precision, 0)::smallint AS scale,
       NOT a.attnotnull AS is_nullable, a.attidentity <> '' AS is_identity,
       a.attgenerated <> '' AS is_computed,
       CASE WHEN ti.data_type IN ('char', 'varchar', 'text', 'nchar', 'nvarchar', 'ntext')
            THEN 'SQL_Latin1_General_CP1_CI_AS' END AS collation_name
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL public.mssql_type_info(a.atttypid, a.atttypmod) ti
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND NOT public.mssql_hidden_schema(n.nspname);

CREATE OR REPLACE VIEW mssql_sys.types AS
SELECT name, system_type_id, user_type_id, 4 AS schema_id, max_length::smallint, precision::smallint,
       scale::smallint, true AS is_nullable, false AS is_user_defined
  FROM (VALUES
    ('bigint', 127, 127, 8, 19, 0), ('int', 56, 56, 4, 10, 0), ('smallint', 52, 52, 2, 5, 0),
    ('tinyint', 48, 48, 1, 3, 0), ('bit', 104, 104, 1, 1, 0), ('decimal', 106, 106, 17, 38, 38),
    ('numeric', 108, 108, 17, 38, 38), ('money', 60, 60, 8, 19, 4), ('smallmoney', 122, 122, 4, 10, 4),
    ('float', 62, 62, 8, 53, 0), ('real', 59, 59, 4, 24, 0), ('date', 40, 40, 3, 10, 0),
    ('time', 41, 41, 5, 16, 7), ('datetime2', 42, 42, 8, 27, 7), ('datetimeoffset', 43, 43, 10, 34, 7),
    ('datetime', 61, 61, 8, 23, 3), ('smalldatetime', 58, 58, 4, 16, 0), ('char', 175, 175, 8000, 0, 0),
    ('varchar', 167, 167, 8000, 0, 0), ('text', 35, 35, 16, 0, 0), ('nchar', 239, 239, 8000, 0, 0),
    ('nvarchar', 231, 231, 8000, 0, 0), ('ntext', 99, 99, 16, 0, 0), ('binary', 173, 173, 8000, 0, 0),
    ('varbinary', 165, 165, 8000, 0, 0), ('image', 34, 34, 16, 0, 0), ('uniqueidentifier', 36, 36, 16, 0, 0),
    ('xml', 241, 241, -1, 0, 0), ('timestamp', 189, 189, 8, 0, 0), ('sysname', 231, 256, 256, 0, 0)
  ) AS t(name, system_type_id, user_type_id, max_length, precision, scale);

-- Primary keys and unique constraints as indexes (index_id 1 = the primary key, like a clustered PK).
CREATE OR REPLACE VIEW mssql_sys.indexes AS
SELECT i.indrelid::integer AS object_id, ic.relname::text AS name,
       CASE WHEN i.indisprimary THEN 1 ELSE 1 + row_number() OVER (PARTITION BY i.indrelid ORDER BY i.indexrelid)::integer END AS index_id,
       CASE WHEN i.indisprimary THEN 1 ELSE 2 END::smallint AS type,
       CASE WHEN i.indisprimary THEN 'CLUSTERED' ELSE 'NONCLUSTERED' END AS type_desc,
       i.indisunique AS is_unique, i.indisprimary AS is_primary_key,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'u') AS is_unique_constraint,
       i.indexrelid AS pg_index_oid
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT public.mssql_hidden_schema(n.nspname);

CREATE OR REPLACE VIEW mssql_sys.index_columns AS
SELECT x.object_id, x.index_id, k.ord::integer AS index_column_id, k.attnum::integer AS column_id,
       k.ord::smallint AS key_ordinal, false AS is_descending_key, false AS is_included_column
  FROM mssql_sys.indexes x JOIN pg_index i ON i.indexrelid = x.pg_index_oid
  CROSS JOIN LATERAL unnest(i.indkey::smallint[]) WITH ORDINALITY AS k(attnum, ord)
 WHERE k.attnum > 0;

CREATE OR REPLACE VIEW mssql_sys.key_constraints AS
SELECT k.conname::text AS name, k.oid::integer AS object_id, k.conrelid::integer AS parent_object_id,
       CASE WHEN n.nspname = 'public' THEN 1 ELSE n.oid::integer END AS schema_id,
       CASE k.contype WHEN 'p' THEN 'PK' ELSE 'UQ' END::char(2) AS type,
       CASE k.contype WHEN 'p' THEN 'PRIMARY_KEY_CONSTRAINT' ELSE 'UNIQUE_CONSTRAINT' END AS type_desc,
       x.index_id AS unique_index_id
  FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
  JOIN mssql_sys.indexes x ON x.pg_index_oid = k.conindid
 WHERE k.contype IN ('p', 'u') AND NOT public.mssql_hidden_schema(n.nspname);

-- Triggers made by the server's trigger translation appear under their T-SQL name.
CREATE OR REPLACE VIEW mssql_sys.triggers AS
SELECT DISTINCT ON (t.tgrelid, regexp_replace(t.tgname, '__(ins|upd|del)$', ''))
       regexp_replace(t.tgname, '__(ins|upd|del)$', '') AS name, t.oid::integer AS object_id,
       t.tgrelid::integer AS parent_id, 'TR'::char(2) AS type, 'SQL_TRIGGER' AS type_desc,
       t.tgenabled = 'D' AS is_disabled, false AS is_instead_of_trigger
  FROM pg_trigger t WHERE NOT t.tgisinternal
 ORDER BY t.tgrelid, regexp_replace(t.tgname, '__(ins|upd|del)$', ''), t.oid;

-- Storage, as the sync engine reads it (database size check, row-count estimates).
-- SQL Server keeps sys.partitions.rows current; the stand-in counts the rows when asked, so the
-- figure is exact even before PostgreSQL has analysed the table.
CREATE OR REPLACE FUNCTION public.mssql_table_rows(rel oid) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', rel::regclass) INTO n;
    RETURN n;
END
$$;

-- One row per table (index_id 1 when it has a primary key, the clustered index; 0 for a heap) and
-- one per other index (index_id as in sys.indexes).
CREATE OR REPLACE VIEW mssql_sys.partitions AS
SELECT (c.oid::bigint << 16) + x.index_id AS partition_id, c.oid::integer AS object_id, x.index_id,
       1 AS partition_number, (c.oid::bigint << 16) + x.index_id AS hobt_id,
       public.mssql_table_rows(c.oid) AS rows, 0::smallint AS data_compression, 'NONE' AS data_compression_desc,
       x.pg_relation AS pg_relation
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (
      SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) THEN 1 ELSE 0 END
                 AS index_id, c.oid AS pg_relation
      UNION ALL
      SELECT si.index_id, si.pg_index_oid FROM mssql_sys.indexes si WHERE si.object_id = c.oid::integer AND si.index_id > 1
  ) x
 WHERE c.relkind IN ('r', 'p') AND NOT public.mssql_hidden_schema(n.nspname);

CREATE OR REPLACE VIEW mssql_sys.dm_db_partition_stats AS
SELECT p.partition_id, p.object_id, p.index_id, p.partition_number,
       (pg_relation_size(p.pg_relation) / 8192) AS in_row_data_page_count,
       (pg_relation_size(p.pg_relation) / 8192) AS used_page_count,
       (pg_total_relation_size(p.pg_relation) / 8192) AS reserved_page_count,
       p.rows AS row_count
  FROM mssql_sys.partitions p;

-- The database as one data file; size in 8-KB pages, as SQL Server counts it.
CREATE OR REPLACE VIEW mssql_sys.database_files AS
SELECT 1 AS file_id, 0::smallint AS type, 'ROWS' AS type_desc, 1 AS data_space_id,
       current_database()::text AS name, current_database()::text || '.mdf' AS physical_name,
       0::smallint AS state, 'ONLINE' AS state_desc,
       (pg_database_size(current_database()) / 8192)::integer AS size, -1 AS max_size, 8192 AS growth;

GRANT USAGE ON SCHEMA mssql_information_schema, mssql_sys TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA mssql_information_schema, mssql_sys TO PUBLIC;
RESET client_min_messages;
