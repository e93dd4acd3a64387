// The bookkeeping columns and updated_at trigger two-way sync needs on a SQL Server table, as our
// product docs write them: DATETIME2 DEFAULT GETDATE(), BIT DEFAULT 0, an AFTER UPDATE trigger.
#include "remote/mssql/mssql_dialect.hpp"

#include "common/error.hpp"

namespace berqenas::remote::mssql {

std::vector<std::string> MssqlDialect::add_sync_column_ddl(const RemoteTable& t, std::string_view column) const {
    const std::string table = qualified_name(t.schema, t.name);
    const std::string c = quote_identifier(column);
    // SQL Server leaves a nullable column added with a default NULL in the rows that exist (unless
    // WITH VALUES): they are filled after. One column per ALTER, as every T-SQL dialect accepts.
    std::string type, value;
    if (column == "is_deleted") {
        type = "BIT DEFAULT 0";
        value = "0";
    } else if (column == "created_at" || column == "updated_at") {
        type = "DATETIME2 DEFAULT GETDATE()";
        value = "GETDATE()";
    } else {
        throw Error(sqlstate::internal_error, "no two-way sync column named \"" + std::string(column) + "\"");
    }
    return {"ALTER TABLE " + table + " ADD " + c + " " + type,
            "UPDATE " + table + " SET " + c + " = " + value + " WHERE " + c + " IS NULL"};
}

std::vector<std::string> MssqlDialect::updated_at_trigger_ddl(const RemoteTable& t, std::string_view trigger) const {
    if (t.primary_key.empty())
        throw Error(sqlstate::internal_error, "updated_at trigger for table \"" + t.name + "\" without a primary key");
    const std::string table = qualified_name(t.schema, t.name);
    std::string join;
    for (const auto& k : t.primary_key)
        join += (join.empty() ? "" : " AND ") + std::string("c.") + quote_identifier(k) + " = i." + quote_identifier(k);
    // CREATE TRIGGER must be alone in its batch. RECURSIVE_TRIGGERS is OFF by default, so the
    // trigger's own UPDATE does not fire it again.
    return {"CREATE TRIGGER " + qualified_name(t.schema, trigger) + " ON " + table +
            " AFTER UPDATE AS BEGIN SET NOCOUNT ON; UPDATE " + table + " SET " + quote_identifier("updated_at") +
            " = GETDATE() FROM " + table + " c INNER JOIN inserted i ON " + join + "; END"};
}

std::string MssqlDialect::trigger_count_sql(const RemoteTable& t, std::string_view trigger) const {
    return "SELECT COUNT(*) FROM sys.triggers WHERE name = " + quote_literal(trigger) +
           " AND parent_id = OBJECT_ID(" + quote_literal(qualified_name(t.schema, t.name)) + ")";
}

// GETDATE()'s wall time; CAST of a datetime2 to varchar is ISO (style 121).
std::string MssqlDialect::clock_sql() const { return "SELECT CAST(SYSDATETIME() AS varchar(27))"; }

}  // namespace berqenas::remote::mssql
