// How to write SQL for one remote kind, behind one interface: quoting, literals, SELECT with a row
// limit, savepoints, the sync's catalog queries and change-capture DDL. One implementation per
// kind (remote/postgresql/, remote/mssql/); remote::dialect(kind) picks it (remote/connect.cpp).
#pragma once

#include "common/pure_cpp.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/connection_params.hpp"
#include "remote/expression_rules.hpp"
#include "remote/quoting.hpp"
#include "remote/table_schema.hpp"

namespace berqenas::remote {

// The parts of one SELECT; Dialect::build_select() adds the kind's limit syntax.
struct SelectParts {
    std::string columns;                  // "a, b" (must not be empty)
    std::string from;                     // "[dbo].[t]" or "(SELECT ...) AS q"
    std::string where;                    // condition without WHERE; empty: none
    std::string group_by;                 // "a, b" without GROUP BY; empty: none
    std::string having;                   // condition without HAVING; empty: none
    std::string order_by;                 // "a ASC, b DESC" without ORDER BY; empty: none
    std::optional<long long> limit;       // no limit when empty
    long long offset = 0;
};

// An upsert of literal rows into a table by its key (see Dialect::build_upsert).
struct UpsertStatements {
    std::string update;   // empty when every column is a key column
    std::string insert;
};

// Where a DML statement's changed rows are asked for (Dialect::returning).
struct Returning {
    std::string before_source;   // before VALUES, DEFAULT VALUES or WHERE (T-SQL OUTPUT)
    std::string at_end;          // after everything (PostgreSQL RETURNING)
};

// How an incremental sync's watermark column compares: a point in time, or a plain number/date.
enum class WatermarkKind { timestamp, timestamptz, date, number };

// The change-capture objects realtime sync installs for one table: a change table holding
// (change_id, op, key columns) and a trigger that fills it. One batch per statement, idempotent.
struct CaptureNames {
    std::string change_table;   // unqualified, in the table's schema
    std::string trigger;        // unqualified
    std::string channel;        // notification channel, where the kind has notifications
};
struct CaptureDdl {
    std::vector<std::string> install;
    std::vector<std::string> remove;
};

// Statement building and what the FDW asks at planning time: per-row code must not call through
// this interface (the FDW's row loops are measured in instructions per row); it takes quoting()'s
// plain functions once (or sql_dialect.hpp's per-value quoters).
class Dialect {
public:
    virtual ~Dialect() = default;
    virtual DatabaseKind kind() const = 0;
    // The server's port when none is given (PostgreSQL 5432, SQL Server 1433).
    virtual int default_port() const = 0;

    // PostgreSQL: "x" with " doubled (always quoted, so case and keywords survive).
    // T-SQL: [x] with ] doubled.
    virtual std::string quote_identifier(std::string_view name) const = 0;
    // PostgreSQL: '...' with ' doubled, E'...' with \ doubled when the text holds a backslash.
    // T-SQL: N'...' with ' doubled (Unicode literal, so no code page can mangle it).
    virtual std::string quote_literal(std::string_view value) const = 0;
    // PostgreSQL '\x..'::bytea, T-SQL 0x.. (0x for empty).
    virtual std::string binary_literal(std::string_view bytes) const = 0;
    // PostgreSQL true/false, T-SQL 1/0 (bit).
    virtual std::string boolean_literal(bool value) const = 0;
    // schema.table, each part quoted; an empty schema gives the table alone.
    std::string qualified_name(std::string_view schema, std::string_view table) const;
    // prefix + each name quoted, comma-separated: "c.[a], c.[b]".
    std::string column_list(const std::vector<std::string>& names, const std::string& prefix) const;
    // a.x = b.x AND ... over names.
    std::string columns_equal(const std::vector<std::string>& names, const std::string& a, const std::string& b) const;

    // PostgreSQL: SELECT c FROM f [WHERE w] [GROUP BY g] [HAVING h] [ORDER BY o] [LIMIT n] [OFFSET m]
    // T-SQL:      SELECT [TOP (n)] c FROM f ...          when there is no offset
    //             ... ORDER BY o OFFSET m ROWS [FETCH NEXT n ROWS ONLY]  with an offset
    //             (ORDER BY (SELECT NULL) when no order was given: T-SQL needs one for OFFSET)
    virtual std::string build_select(const SelectParts& parts) const = 0;
    // Without MERGE (Babelfish refuses it):
    //   UPDATE t SET c = s.c FROM (VALUES ...) AS s (k, c) WHERE t.k = s.k;
    //   INSERT INTO t (k, c) SELECT s.k, s.c FROM (VALUES ...) AS s (k, c)
    //    WHERE NOT EXISTS (SELECT 1 FROM t AS e WHERE e.k = s.k)
    // Both statements are valid T-SQL and PostgreSQL; the caller runs them in one transaction.
    // rows: one literal per column (already quoted), in `columns` order.
    UpsertStatements build_upsert(std::string_view schema, std::string_view table,
                                  const std::vector<std::string>& columns, const std::vector<std::string>& key_columns,
                                  const std::vector<std::vector<std::string>>& rows) const;

    // Savepoints inside an open transaction. release: "" when the kind has nothing to send
    // (T-SQL savepoints end with the transaction); rollback also ends the savepoint.
    virtual std::string savepoint_sql(std::string_view name) const = 0;
    virtual std::string release_savepoint_sql(std::string_view name) const = 0;
    virtual std::string rollback_to_savepoint_sql(std::string_view name) const = 0;
    // Settings a fresh FDW session needs so values travel unambiguously; "" when none.
    virtual std::string session_setup_sql() const = 0;

    // Names: whether two spellings that differ only in case denote the same object there (MSSQL's
    // default collation; see identifier.hpp, which compares them).
    virtual bool names_ignore_case() const = 0;
    // The per-value quoters and how literals are written, as plain functions (quoting.hpp).
    virtual const Quoting& quoting() const = 0;
    // Values travel as bound parameters (quoting().parameter, as text) rather than as literals
    // written into the statement.
    virtual bool binds_parameters() const = 0;
    // Rows one INSERT ... VALUES may carry, ncolumns values each (T-SQL: 1000 row constructors;
    // PostgreSQL: 65535 parameters).
    virtual int max_insert_rows(size_t ncolumns) const = 0;
    // The changed rows of an INSERT/UPDATE (deleted false) or DELETE, quoted_columns already
    // quoted: PostgreSQL RETURNING at the end, T-SQL OUTPUT INSERTED./DELETED. before the source.
    virtual Returning returning(const std::vector<std::string>& quoted_columns, bool deleted) const = 0;
    // RemoteConnection::open_stream reads through a cursor, a batch per round trip, so a result
    // known to be one row is better sent as a plain query.
    virtual bool streams_through_cursor() const = 0;
    // utf16_select can read some columns as UTF-16LE bytes (MSSQL n-types).
    virtual bool reads_nchar_as_utf16() const = 0;
    // Which expressions the FDW may send, and how they are spelled (expression_rules.hpp).
    virtual const ExpressionRules& expression_rules() const = 0;
    // The local type a remote column becomes (type_mapping.hpp); never throws.
    virtual std::string local_type(const RemoteColumn& column) const = 0;

    // One row, one column: the database's size in bytes.
    virtual std::string database_size_sql() const = 0;
    // One row, one column: estimated rows of the table (statistics, not a count).
    virtual std::string row_estimate_sql(std::string_view schema, std::string_view table) const = 0;
    // One row, one column: exact row count.
    virtual std::string row_count_sql(std::string_view schema, std::string_view table) const = 0;
    // "<quoted_column> > <since>" (since: "YYYY-MM-DD HH:MI:SS.ffffff" in UTC for timestamptz, the
    // local text for the others); may append to params ($1... where the kind takes parameters).
    virtual std::string later_than(const std::string& quoted_column, WatermarkKind watermark, const std::string& since,
                                   std::vector<std::optional<std::string>>& params) const = 0;
    // The select-list expression reading column as its UTF-16LE bytes (remote::mssql_utf16_select);
    // "" when the kind has no such reading or the column needs none.
    virtual std::string utf16_select(const std::string& quoted_column, const RemoteColumn& column) const = 0;

    // A column's remote type as DDL spells it (MSSQL: nvarchar(50), decimal(10,2), ...).
    virtual std::string column_type_ddl(const RemoteColumn& column) const = 0;
    // table.primary_key must not be empty.
    virtual CaptureDdl capture_ddl(const RemoteTable& table, const CaptureNames& names) const = 0;

    // Two-way sync (docs/bidirectional.md; definitions in <kind>/<kind>_two_way_ddl.cpp): the
    // bookkeeping columns a table needs and the trigger that keeps updated_at current, spelled as
    // our product docs spell them for the kind. Statements, run one per call, in order.
    // Adds one of "created_at", "updated_at" (the kind's timestamp, default: now) or "is_deleted"
    // (boolean/bit, default false), then fills the rows that existed before (SQL Server leaves a
    // new nullable column NULL there).
    virtual std::vector<std::string> add_sync_column_ddl(const RemoteTable& table, std::string_view column) const = 0;
    // The trigger setting updated_at on every UPDATE, named trigger; table.primary_key must not be empty.
    virtual std::vector<std::string> updated_at_trigger_ddl(const RemoteTable& table, std::string_view trigger) const = 0;
    // One row, one column: how many triggers named trigger the table has (0 or 1).
    virtual std::string trigger_count_sql(const RemoteTable& table, std::string_view trigger) const = 0;
    // One row, one column: the clock the updated_at trigger reads (the server's local wall time,
    // no time zone), as text that PostgreSQL's timestamp input reads.
    virtual std::string clock_sql() const = 0;

protected:
    // ", k1 type1, k2 type2" for the primary key columns (column_type_ddl); a key column
    // missing from table.columns is an internal error (XX000).
    std::string key_columns_ddl(const RemoteTable& table) const;
};

// The dialect of a kind (static objects: the reference stays valid).
const Dialect& dialect(DatabaseKind kind);
// dialect(kind).quoting() without a virtual call, for per-value callers (sql_dialect.hpp).
const Quoting& quoting(DatabaseKind kind);

}  // namespace berqenas::remote
