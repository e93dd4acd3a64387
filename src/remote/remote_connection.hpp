// One open connection to a remote database, whatever its kind. Drivers, one folder per kind:
// postgresql/pg_connection (libpq) and mssql/mssql_connection (FreeTDS db-lib). Pure C++: no
// PostgreSQL server types cross this line.
#pragma once

#include "common/pure_cpp.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote/connection_params.hpp"
#include "remote/dialect.hpp"
#include "remote/remote_value.hpp"
#include "remote/table_schema.hpp"

namespace berqenas::remote {

// A small, fully materialised result as text (catalog reads, version probes). Bulk data goes
// through open_stream().
struct TextResult {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

// One result column of a stream.
struct StreamColumn {
    std::string name;
    // PostgreSQL: the type's OID on the remote (built-in OIDs equal the local ones); MSSQL: the
    // db-lib type code (SYBINT4, SYBMSDATETIME2, ...).
    uint32_t type_code = 0;
    // Human-readable type (PostgreSQL: built-in name or "oid <n>"; MSSQL: the T-SQL type name).
    std::string type_name;
};

// Rows of one query, read in batches: memory is bounded by the batch, never by the result.
class RowStream {
public:
    virtual ~RowStream() = default;
    // Fills row with the next row's values (one per column) and returns true; false at the end.
    // The values (their bytes) stay valid until the next call to next() or close().
    virtual bool next(std::vector<RemoteValue>& row) = 0;
    // Stops early: the remote stops sending (cursor closed / batch cancelled) and the connection
    // stays usable. Safe to call twice and after the end.
    virtual void close() = 0;
    virtual const std::vector<StreamColumn>& columns() = 0;
    // Rows affected by a data-changing statement run through query(); -1 when not known.
    virtual long long affected_rows() const { return -1; }
};

// Text parameters of query(); nullopt is NULL. PostgreSQL only ($1, $2, ... typed by context).
using TextParams = std::vector<std::optional<std::string>>;

class RemoteConnection {
public:
    virtual ~RemoteConnection() = default;
    virtual DatabaseKind kind() const = 0;
    virtual const ConnectionParams& params() const = 0;
    // How to write SQL for this kind (statement building; not for per-row code).
    const Dialect& dialect() const { return remote::dialect(kind()); }

    // The server's own version string (PostgreSQL: version(); MSSQL: @@VERSION).
    virtual std::string server_version() = 0;
    // Runs a statement that returns no rows of interest; returns the affected row count.
    virtual long long execute(const std::string& sql) = 0;
    // Runs a query and returns all its rows as text; for small results only.
    virtual TextResult query_text(const std::string& sql) = 0;
    // False once the link is known to be broken (the caller then reconnects).
    virtual bool is_usable() const = 0;

    // Base tables and views of a schema ("" = the remote's default: public / dbo), sorted.
    virtual std::vector<std::string> list_tables(const std::string& schema) = 0;
    // Columns (remote type, length, precision, scale, nullability, key membership, local_type
    // filled by type_mapping) and primary key. 42P01 when the table does not exist.
    virtual RemoteTable describe_table(const std::string& schema, const std::string& table) = 0;

    // Streams the rows of a SELECT in batches of fetch_size (PostgreSQL: a cursor fetched in
    // binary; MSSQL: TDS rows as they arrive). Values arrive as native as the protocol allows:
    // PostgreSQL cells are ValueKind::pg_binary in the remote column type's send format.
    // params: PostgreSQL only (MSSQL: inline literals with quote_literal()).
    virtual std::unique_ptr<RowStream> open_stream(const std::string& sql, int fetch_size,
                                                   const TextParams& params = {}) = 0;
    // Runs one statement (INSERT/UPDATE/DELETE, with or without RETURNING) and returns its rows
    // fully read (RETURNING results are small) and affected_rows(). Same value kinds as streams.
    virtual std::unique_ptr<RowStream> query(const std::string& sql, const TextParams& params = {}) = 0;

    // MSSQL: does this server answer CAST(nvarchar AS varbinary) with the UTF-16LE bytes, so that
    // n-type columns can be read that way (mssql_utf16_select) and converted by us? SQL Server and
    // Babelfish since late 2024 (BABEL-4891) do; older Babelfish gives UTF-8, whose even-length
    // values would read as valid but wrong UTF-16. Asked once per connection (N'a' is the 2 bytes
    // 61 00 in UTF-16); a failed probe means no. Always false for PostgreSQL. 57014 on a cancel.
    virtual bool casts_nvarchar_to_utf16() { return false; }

    // Transaction control. begin() is a no-op when one is already open. A stream opened outside
    // a transaction runs in its own (PostgreSQL cursors need one).
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    virtual bool in_transaction() const = 0;
    // Opens a transaction in which every following read sees the same snapshot of the remote, so
    // tables read one after another agree with each other (a sync of several tables), and returns
    // true; the caller then ends it with commit(). PostgreSQL: REPEATABLE READ, READ ONLY. False,
    // with nothing opened, where the kind offers no such read (MSSQL: its reads stay as they are).
    virtual bool begin_consistent_read() = 0;

    // Change notifications (realtime sync): listen() subscribes to channel (a plain lower-case
    // identifier of ours) and says whether this kind has notifications at all (PostgreSQL LISTEN;
    // MSSQL: no, the caller polls). notification_socket() is the descriptor that turns readable
    // when one may have arrived (-1 when none), for the caller's own wait (a latch in a worker);
    // consume_notifications() reads what arrived and drops it, returning how many.
    virtual bool listen(const std::string& channel) = 0;
    virtual int notification_socket() const = 0;
    virtual int consume_notifications() = 0;
};

// Connects within params.connect_timeout_seconds; a cancel stops the wait (57014).
// Failure: Error 08001 (28000 when the remote refused the credentials), remote text in DETAIL.
std::unique_ptr<RemoteConnection> connect(const ConnectionParams& params);

}  // namespace berqenas::remote
