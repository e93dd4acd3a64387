// One catalog query (describe_table) per table per connection, for kinds that read n-types as
// UTF-16, cached with the connection it was asked on: a reconnect (or another server/user) asks
// again.
#include "fdw/remote_columns.hpp"

#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "fdw/connection_cache.hpp"
#include "remote/dialect.hpp"
#include "remote/identifier.hpp"

namespace berqenas::fdw {

namespace {

struct ColumnType {
    std::string data_type;
    int max_length = 0;
};

struct CachedTable {
    std::weak_ptr<remote::RemoteConnection> conn;
    std::unordered_map<std::string, ColumnType> columns;   // by remote::identifier_key (T-SQL names ignore case)
};

using Key = std::tuple<Oid, Oid, std::string, std::string>;   // server, user, schema, table

std::map<Key, CachedTable>& cache() {
    static std::map<Key, CachedTable> c;
    return c;
}

const CachedTable& lookup(const TableOptions& table, Oid user_oid) {
    static const CachedTable unknown;
    std::shared_ptr<remote::RemoteConnection> conn;
    try {
        // Planning needs the catalog, not the remote transaction: that starts with the scan.
        conn = get_connection(table.server_oid, user_oid, false);
    } catch (const Error& e) {
        // A remote that cannot be reached or refuses the login does not stop planning (EXPLAIN
        // without ANALYZE works as before): the scan reports it. Anything else is not ours to hide.
        if (e.sqlstate().compare(0, 2, "08") != 0 && e.sqlstate() != sqlstate::invalid_authorization) throw;
        return unknown;
    }
    Key key{table.server_oid, user_oid, table.schema_name, table.table_name};
    auto it = cache().find(key);
    if (it != cache().end() && it->second.conn.lock() == conn) return it->second;
    CachedTable entry;
    entry.conn = conn;
    // No columns: none cast. The connection asks the server once whether its casts give UTF-16.
    if (!conn->casts_nvarchar_to_utf16()) return cache()[key] = std::move(entry);
    try {
        for (const auto& c : conn->describe_table(table.schema_name, table.table_name).columns)
            entry.columns[remote::identifier_key(table.kind, c.name)] = {c.remote_type, c.max_length};
    } catch (const Error& e) {
        // A cancel must stay a cancel; anything else (no such table, a catalog this login cannot
        // read) only means the columns are read as they are, which is always correct.
        if (e.sqlstate() == sqlstate::query_canceled) throw;
    }
    return cache()[key] = std::move(entry);
}

}  // namespace

std::vector<std::string> nchar_utf16_selects(const TableOptions& table, Oid user_oid) {
    std::vector<std::string> out(table.columns.size());
    // Without schema_name the remote resolves the name by the login's default schema, which the
    // catalog lookup below cannot follow: another schema's table of the same name would give
    // wrong types. Such a table's n-columns are read as text (always correct).
    const remote::Dialect& dialect = remote::dialect(table.kind);
    if (!dialect.reads_nchar_as_utf16() || !table.nvarchar_utf16 || !table.query.empty() || table.schema_name.empty())
        return out;
    const CachedTable& t = lookup(table, user_oid);
    for (size_t i = 0; i < table.columns.size(); ++i) {
        const ColumnOptions& c = table.columns[i];
        auto it = t.columns.find(remote::identifier_key(table.kind, c.remote_name));
        if (it == t.columns.end()) continue;
        remote::RemoteColumn column;
        column.remote_type = it->second.data_type;
        column.max_length = it->second.max_length;
        out[i] = dialect.utf16_select(dialect.quote_identifier(c.remote_name), column);
    }
    return out;
}

}  // namespace berqenas::fdw
