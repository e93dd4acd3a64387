#!/usr/bin/env bash
# The T-SQL the Berqenas MSSQL driver and our tests send, run through the TDS test server's rewrite
# layer: the catalog queries that read a schema and its primary key (INFORMATION_SCHEMA, sys.*),
# T-SQL DDL types, [brackets], dbo, TOP, OFFSET/FETCH, N'' literals, date functions, ISNULL, and
# AFTER INSERT/UPDATE/DELETE triggers that read `inserted` and `deleted`.
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup
rows() { grep '^ROW ' <<<"$1" | cut -c5- || true; }

echo "== T-SQL DDL"
out=$(tds_check "CREATE TABLE [dbo].[Customers] (
    [customer_id] INT NOT NULL PRIMARY KEY CLUSTERED,
    [name] NVARCHAR(100) NOT NULL,
    [code] VARCHAR(10) NULL,
    [notes] NVARCHAR(MAX) NULL,
    [balance] MONEY NULL,
    [rating] DECIMAL(5,2) NULL,
    [flags] TINYINT NULL,
    [photo] VARBINARY(MAX) NULL,
    [uid] UNIQUEIDENTIFIER NULL DEFAULT NEWID(),
    [created_at] DATETIME2 DEFAULT GETDATE(),
    [updated_at] DATETIME2(3) DEFAULT SYSUTCDATETIME(),
    [legacy_at] DATETIME NULL,
    [is_deleted] BIT NOT NULL DEFAULT 0)")
expect_not_contains "CREATE TABLE with T-SQL types runs" "MSG" "$out"
tds_check "CREATE TABLE dbo.orders (order_id INT IDENTITY(1,1) NOT NULL, customer_id INT NOT NULL REFERENCES dbo.Customers(customer_id), amount DECIMAL(10,2), CONSTRAINT PK_orders PRIMARY KEY (order_id))" >/dev/null

echo "== the driver's catalog queries"
# As on Babelfish: TABLES and COLUMNS show names as declared ([Customers]), the constraint views
# PostgreSQL's lower-case ones, and every name compares ignoring case.
out=$(tds_check "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = N'dbo' ORDER BY TABLE_NAME")
expect_eq "INFORMATION_SCHEMA.TABLES lists dbo tables" $'Customers\norders' "$(rows "$out")"
out=$(tds_check "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = N'DBO' AND TABLE_NAME = N'CUSTOMERS'")
expect_eq "KEY_COLUMN_USAGE in lower case, found by any case" "customers" "$(rows "$out")"
out=$(tds_check "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = N'dbo' AND TABLE_NAME = N'customers' ORDER BY ORDINAL_POSITION")
expect_eq "INFORMATION_SCHEMA.COLUMNS reports SQL Server types" "customer_id|int|NULL|10|0|NO
name|nvarchar|100|NULL|NULL|NO
code|varchar|10|NULL|NULL|YES
notes|nvarchar|-1|NULL|NULL|YES
balance|money|NULL|19|4|YES
rating|decimal|NULL|5|2|YES
flags|tinyint|NULL|3|0|YES
photo|varbinary|-1|NULL|NULL|YES
uid|uniqueidentifier|NULL|NULL|NULL|YES
created_at|datetime2|NULL|NULL|NULL|YES
updated_at|datetime2|NULL|NULL|NULL|YES
legacy_at|datetime|NULL|NULL|NULL|YES
is_deleted|bit|NULL|NULL|NULL|NO" "$(rows "$out")"
out=$(tds_check "SELECT k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME WHERE c.CONSTRAINT_TYPE = 'PRIMARY KEY' AND c.TABLE_SCHEMA = N'dbo' AND c.TABLE_NAME = N'orders' ORDER BY k.ORDINAL_POSITION")
expect_eq "primary key through TABLE_CONSTRAINTS + KEY_COLUMN_USAGE" "order_id" "$(rows "$out")"
out=$(tds_check "SELECT t.name, c.name, ty.name, c.max_length, c.is_nullable FROM sys.tables t JOIN sys.columns c ON c.object_id = t.object_id JOIN sys.types ty ON ty.user_type_id = c.user_type_id WHERE t.name = 'customers' AND c.column_id <= 4 ORDER BY c.column_id")
expect_eq "sys.tables, sys.columns, sys.types" $'customers|customer_id|int|4|0\ncustomers|name|nvarchar|200|0\ncustomers|code|varchar|10|1\ncustomers|notes|nvarchar|-1|1' "$(rows "$out")"
out=$(tds_check "SELECT c.name FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.is_primary_key = 1 AND i.object_id = OBJECT_ID('dbo.customers')")
expect_eq "primary key through sys.indexes + sys.index_columns" "customer_id" "$(rows "$out")"
out=$(tds_check "SELECT @@VERSION")
expect_contains "SELECT @@VERSION" "Microsoft SQL Server" "$out"

echo "== DML dialect"
out=$(tds_check "INSERT INTO [dbo].[Customers] ([customer_id], [name], [code], [balance], [flags], [photo], [legacy_at]) VALUES (1, N'Ayşe', 'A1', 10.5, 3, 0xCAFE, '2024-01-02 03:04:05.123'), (2, N'Ömer', 'B2', NULL, 0, NULL, NULL), (3, N'Zoë', NULL, 1, 255, NULL, NULL)")
expect_contains "INSERT with brackets, N'' and 0x literals" "COUNT 3" "$out"
out=$(tds_check "SELECT TOP 2 [name] FROM dbo.Customers WITH (NOLOCK) ORDER BY customer_id DESC")
expect_eq "TOP n and table hints" $'Zoë\nÖmer' "$(rows "$out")"
out=$(tds_check "SELECT TOP (1) name FROM dbo.customers WHERE customer_id IN (SELECT TOP 2 customer_id FROM dbo.customers ORDER BY customer_id) ORDER BY customer_id DESC")
expect_eq "TOP in a subquery" "Ömer" "$(rows "$out")"
out=$(tds_check "SELECT customer_id FROM dbo.customers ORDER BY (SELECT NULL) OFFSET 1 ROWS FETCH NEXT 1 ROWS ONLY")
expect_eq "OFFSET ... FETCH NEXT" "1" "$(rows "$out" | wc -l)"
out=$(tds_check "SELECT ISNULL(code, N'none') AS code, LEN(name) AS n, DATALENGTH(photo) AS bytes, is_deleted FROM dbo.customers WHERE is_deleted = 0 ORDER BY customer_id")
expect_eq "ISNULL, LEN, DATALENGTH, bit compared with 0" $'A1|4|2|0\nB2|4|NULL|0\nnone|3|NULL|0' "$(rows "$out")"
out=$(tds_check "SELECT CAST(balance AS NVARCHAR(30)) AS b, CAST(legacy_at AS DATETIME2(3)) AS l FROM dbo.customers WHERE customer_id = 1")
expect_eq "CAST to T-SQL types" "10.5000|2024-01-02 03:04:05.1230000" "$(rows "$out")"
out=$(tds_check "SELECT CAST(name AS varbinary(max)) AS n, CAST(N'é中😀' AS VARBINARY(20)) AS l, CAST(photo AS varbinary(1)) AS p, CAST(NULL AS varbinary(max)) AS z FROM dbo.customers WHERE customer_id = 1")
expect_eq "CAST(nvarchar AS varbinary) gives UTF-16LE as SQL Server does; varbinary stays bytes, cut to n" "0x410079005f016500|0xe9002d4e3dd800de|0xca|NULL" "$(rows "$out")"
out=$(tds_tsql "$TDS_PORT" postgres postgres "SELECT CAST(N'é中😀' AS varbinary(max))")
expect_contains "FreeTDS tsql sees the same UTF-16LE bytes" "e9002d4e3dd800de" "$(tr 'A-F' 'a-f' <<<"$out")"
out=$(tds_check "SELECT CASE WHEN CAST(GETDATE() AS date) = CAST(SYSDATETIME() AS date) AND SYSUTCDATETIME() IS NOT NULL AND SYSDATETIMEOFFSET() IS NOT NULL AND GETUTCDATE() IS NOT NULL THEN 1 ELSE 0 END AS ok")
expect_eq "GETDATE, SYSDATETIME, SYSUTCDATETIME, SYSDATETIMEOFFSET" "1" "$(rows "$out")"
out=$(tds_check "UPDATE dbo.customers SET is_deleted = 1, updated_at = GETDATE() WHERE customer_id = 3; SELECT @@ROWCOUNT AS rc")
expect_contains "soft delete with bit = 1, then @@ROWCOUNT" "ROW 1" "$out"
out=$(tds_check "INSERT INTO dbo.orders (customer_id, amount) VALUES (1, 9.99); SELECT SCOPE_IDENTITY() AS id")
expect_contains "IDENTITY and SCOPE_IDENTITY()" "ROW 1" "$out"
out=$(tds_check "IF OBJECT_ID('dbo.customers') IS NOT NULL SELECT 'exists' AS e ELSE SELECT 'missing' AS e; IF OBJECT_ID('dbo.nope') IS NOT NULL SELECT 'exists' AS e ELSE SELECT 'missing' AS e")
expect_eq "IF ... ELSE with OBJECT_ID" $'exists\nmissing' "$(rows "$out")"

echo "== storage catalog the sync engine reads, and SQL Server's aggregate result types"
out=$(tds_check "SELECT SUM(CAST(size AS bigint)) * 8192 FROM sys.database_files")
db_bytes=$(cluster_psql onprem -At -c "SELECT pg_database_size(current_database())")
size=$(rows "$out")
expect_eq "sys.database_files: size in 8-KB pages, summed as bigint" "yes" \
    "$(awk -v a="$size" -v b="$db_bytes" 'BEGIN { print (a > 0 && a % 8192 == 0 && a <= b && b - a < 8192 * 64) ? "yes" : "no (" a " vs " b ")" }')"
expect_contains "the database size comes back as bigint" "bigint(8)" "$out"
out=$(tds_check "SELECT SUM(p.rows) FROM sys.partitions p WHERE p.object_id = OBJECT_ID(N'[dbo].[customers]') AND p.index_id IN (0, 1)")
expect_eq "sys.partitions: the sync engine's row estimate (rows counted, before any ANALYZE)" "3" "$(rows "$out")"
out=$(tds_check "SELECT p.index_id, p.rows FROM sys.partitions p WHERE p.object_id = OBJECT_ID('dbo.orders') ORDER BY p.index_id")
expect_eq "sys.partitions: a table with a primary key is index 1" "1|1" "$(rows "$out")"
out=$(tds_check "SELECT index_id, row_count, CASE WHEN used_page_count > 0 AND reserved_page_count >= used_page_count THEN 1 ELSE 0 END AS pages FROM sys.dm_db_partition_stats WHERE object_id = OBJECT_ID('dbo.customers') AND index_id IN (0, 1)")
expect_eq "sys.dm_db_partition_stats: rows and pages" "1|3|1" "$(rows "$out")"
out=$(tds_check "SELECT COUNT_BIG(*) AS n, SUM(flags) AS s_tiny, SUM(customer_id) AS s_int, SUM(CAST(customer_id AS bigint)) AS s_big FROM dbo.customers")
expect_contains "COUNT_BIG and SUM keep SQL Server's types" "COLUMNS n:bigint(8) s_tiny:int(4) s_int:int(4) s_big:bigint(8)" "$out"
expect_eq "COUNT_BIG and SUM values" "3|258|6|6" "$(rows "$out")"

echo "== triggers reading inserted / deleted"
tds_check "CREATE TABLE dbo.change_log (id INT IDENTITY(1,1) PRIMARY KEY, table_name NVARCHAR(128), pk INT, op CHAR(1), old_name NVARCHAR(100), new_name NVARCHAR(100))" >/dev/null
out=$(tds_check "CREATE TRIGGER trg_customers_updated
ON customers
AFTER UPDATE
AS
BEGIN
    SET NOCOUNT ON;
    UPDATE customers
    SET updated_at = GETDATE()
    FROM customers c
    INNER JOIN inserted i ON c.customer_id = i.customer_id;
END;")
expect_not_contains "the product docs' updated_at trigger is accepted" "MSG" "$out"
out=$(tds_check "CREATE TRIGGER [dbo].[trg_customers_capture] ON [dbo].[customers] AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON
  INSERT INTO dbo.change_log (table_name, pk, op, new_name) SELECT 'customers', i.customer_id, CASE WHEN EXISTS (SELECT 1 FROM deleted) THEN 'U' ELSE 'I' END, i.name FROM inserted i
  INSERT INTO dbo.change_log (table_name, pk, op, old_name) SELECT 'customers', d.customer_id, 'D', d.name FROM deleted d WHERE NOT EXISTS (SELECT 1 FROM inserted)
END")
expect_not_contains "a change-capture trigger for three events is accepted" "MSG" "$out"
cluster_psql onprem -q -c "UPDATE customers SET updated_at = '2000-01-01' WHERE customer_id = 2" -c "TRUNCATE change_log"
tds_check "UPDATE dbo.customers SET name = N'Ömer Faruk' WHERE customer_id = 2" >/dev/null
expect_eq "the updated_at trigger stamped the row (and did not recurse)" "t" \
    "$(cluster_psql onprem -At -c "SELECT updated_at > now() - interval '1 minute' FROM customers WHERE customer_id = 2")"
tds_check "INSERT INTO dbo.customers (customer_id, name) VALUES (4, N'Yeni'); DELETE FROM dbo.customers WHERE customer_id = 4" >/dev/null
out=$(tds_check "SELECT op, pk, ISNULL(old_name, N'-') AS old_name, ISNULL(new_name, N'-') AS new_name FROM dbo.change_log ORDER BY id")
# As in SQL Server, the updated_at trigger's own UPDATE fires the capture trigger again (only a
# trigger re-firing itself is prevented), so the user's update is logged twice.
expect_eq "change capture saw the update (and the trigger's update), the insert and the delete" \
    $'U|2|-|Ömer Faruk\nU|2|-|Ömer Faruk\nI|4|-|Yeni\nD|4|Yeni|-' "$(rows "$out")"
out=$(tds_check "SELECT name FROM sys.triggers ORDER BY name")
expect_eq "sys.triggers shows the T-SQL trigger names" $'trg_customers_capture\ntrg_customers_updated' "$(rows "$out")"
out=$(tds_check "DROP TRIGGER dbo.trg_customers_capture; UPDATE dbo.customers SET name = N'x' WHERE customer_id = 1; SELECT count(*) AS n FROM dbo.change_log")
expect_contains "DROP TRIGGER removes it" "ROW 4" "$out"
out=$(tds_check "DROP TRIGGER dbo.no_such_trigger")
expect_contains "dropping a missing trigger is an error" "MSG 208" "$out"
echo "== OUTPUT inserted.* / deleted.* (what the MSSQL RETURNING path sends)"
tds_check "CREATE TABLE dbo.out_t ([id] INT NOT NULL PRIMARY KEY, [name] NVARCHAR(20) NOT NULL, [amount] MONEY NULL, [at] DATETIME NULL)" >/dev/null
out=$(tds_check "INSERT INTO [dbo].[out_t] ([id], [name], [amount], [at]) OUTPUT INSERTED.[id], INSERTED.[name], INSERTED.[amount] VALUES (1, N'Ayşe', 10.5, '2024-01-02 03:04:05.123'), (2, N'Ömer', NULL, NULL)")
expect_eq "INSERT ... OUTPUT INSERTED.* returns the new rows" $'1|Ayşe|10.5000\n2|Ömer|NULL' "$(rows "$out")"
expect_contains "OUTPUT columns keep their SQL Server type (money)" "money" "$out"
out=$(tds_check "UPDATE [dbo].[out_t] SET [amount] = 7 OUTPUT INSERTED.[id], INSERTED.[amount] WHERE [id] = 1")
expect_eq "UPDATE ... OUTPUT INSERTED.* returns the changed row" "1|7.0000" "$(rows "$out")"
out=$(tds_check "UPDATE dbo.out_t SET amount = amount + 1 OUTPUT deleted.amount AS old_amount, inserted.amount AS new_amount WHERE id = 1")
expect_eq "UPDATE ... OUTPUT DELETED.* returns the row as it was" "7.0000|8.0000" "$(rows "$out")"
out=$(tds_check "DELETE FROM [dbo].[out_t] OUTPUT DELETED.[id], DELETED.[name] WHERE [id] = 2")
expect_eq "DELETE ... OUTPUT DELETED.* returns the removed row" "2|Ömer" "$(rows "$out")"
expect_eq "the delete happened" "1" "$(cluster_psql onprem -At -c "SELECT count(*) FROM out_t")"
out=$(tds_check "BEGIN TRAN; INSERT INTO dbo.out_t (id, name) OUTPUT inserted.id VALUES (3, N'x'); ROLLBACK")
expect_eq "OUTPUT inside a transaction, rolled back" "3" "$(rows "$out")"
expect_eq "the rolled-back insert is gone" "1" "$(cluster_psql onprem -At -c "SELECT count(*) FROM out_t")"
out=$(tds_check "INSERT INTO dbo.out_t (id, name) OUTPUT inserted.id VALUES (1, N'dup')")
expect_contains "a duplicate key through OUTPUT is still error 2627" "MSG 2627" "$out"
out=$(tds_check "INSERT INTO dbo.out_t (id, name) OUTPUT deleted.id VALUES (5, N'x')")
expect_contains "deleted.* in an INSERT is error 4104, as in SQL Server" "MSG 4104" "$out"
echo "== upsert without MERGE (remote::build_upsert's two statements)"
tds_check "BEGIN TRAN; UPDATE [dbo].[out_t] SET [name] = s.[name] FROM (VALUES (1, N'Ayşe K.'), (7, N'Yeni')) AS s ([id], [name]) WHERE [out_t].[id] = s.[id]; INSERT INTO [dbo].[out_t] ([id], [name]) SELECT s.[id], s.[name] FROM (VALUES (1, N'Ayşe K.'), (7, N'Yeni')) AS s ([id], [name]) WHERE NOT EXISTS (SELECT 1 FROM [dbo].[out_t] AS e WHERE e.[id] = s.[id]); COMMIT" >/dev/null
expect_eq "the upsert updated one row and inserted the other" $'1|Ayşe K.\n7|Yeni' "$(cluster_psql onprem -At -F '|' -c "SELECT id, name FROM out_t ORDER BY id")"
tds_done
