// T-SQL text for SQL Server and Babelfish. Everything user- or catalog-supplied goes through
// these quoters.
#include "remote/mssql/mssql_dialect.hpp"

#include "remote/mssql/mssql_column_reading.hpp"

#include "common/hex.hpp"
#include "remote/mssql/mssql_expression_rules.hpp"
#include "remote/type_mapping.hpp"

namespace berqenas::remote::mssql {

namespace {

std::string quote_identifier_text(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out.push_back('[');
    for (char c : name) {
        out.push_back(c);
        if (c == ']') out.push_back(']');
    }
    out.push_back(']');
    return out;
}

std::string quote_literal_text(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 3);
    out += "N'";
    for (char c : value) {
        out.push_back(c);
        if (c == '\'') out.push_back('\'');
    }
    out.push_back('\'');
    return out;
}

std::string binary_literal_text(std::string_view bytes) { return "0x" + to_hex(bytes); }

std::string parameter_text(int n) { return "@P" + std::to_string(n); }

std::string boolean_literal_text(bool value) { return value ? "1" : "0"; }

// Typed literals: an untyped N'...' compared with a date or a float would be converted by T-SQL's
// own rules (and its language settings), so those values are cast from their ISO text.
// Values are inlined (@Pn only shows where, in EXPLAIN), as T-SQL literals of their type.
const Quoting mssql_quoting{quote_identifier_text, quote_literal_text, binary_literal_text, boolean_literal_text,
                            parameter_text, LiteralStyle::typed, "float", "date", "time", "datetime2",
                            "datetimeoffset", "SQL Server"};

const MssqlExpressionRules expression_rules_;

}  // namespace

std::string MssqlDialect::quote_identifier(std::string_view name) const { return quote_identifier_text(name); }

std::string MssqlDialect::quote_literal(std::string_view value) const { return quote_literal_text(value); }

std::string MssqlDialect::binary_literal(std::string_view bytes) const { return binary_literal_text(bytes); }

std::string MssqlDialect::boolean_literal(bool value) const { return boolean_literal_text(value); }

const Quoting& MssqlDialect::quoting() const { return mssql_quoting; }

// A table value constructor holds at most 1000 rows.
int MssqlDialect::max_insert_rows(size_t) const { return 1000; }

Returning MssqlDialect::returning(const std::vector<std::string>& quoted_columns, bool deleted) const {
    Returning out;
    if (quoted_columns.empty()) return out;
    const char* pseudo = deleted ? "DELETED." : "INSERTED.";
    out.before_source = " OUTPUT ";
    for (size_t i = 0; i < quoted_columns.size(); ++i) out.before_source += (i ? ", " : "") + (pseudo + quoted_columns[i]);
    return out;
}

const ExpressionRules& MssqlDialect::expression_rules() const { return expression_rules_; }

std::string MssqlDialect::build_select(const SelectParts& p) const {
    std::string sql = "SELECT ";
    // FETCH NEXT 0 ROWS is an error in T-SQL; TOP (0) says the same.
    bool offset = p.offset > 0 && !(p.limit && *p.limit == 0);
    if (p.limit && !offset) sql += "TOP (" + std::to_string(*p.limit) + ") ";
    sql += p.columns + " FROM " + p.from;
    if (!p.where.empty()) sql += " WHERE " + p.where;
    if (!p.group_by.empty()) sql += " GROUP BY " + p.group_by;
    if (!p.having.empty()) sql += " HAVING " + p.having;
    if (!p.order_by.empty())
        sql += " ORDER BY " + p.order_by;
    else if (offset)
        sql += " ORDER BY (SELECT NULL)";
    if (offset) {
        sql += " OFFSET " + std::to_string(p.offset) + " ROWS";
        if (p.limit) sql += " FETCH NEXT " + std::to_string(*p.limit) + " ROWS ONLY";
    }
    return sql;
}

std::string MssqlDialect::savepoint_sql(std::string_view name) const { return "SAVE TRANSACTION " + std::string(name); }

// A T-SQL savepoint has no release: it ends with the transaction.
std::string MssqlDialect::release_savepoint_sql(std::string_view) const { return {}; }

std::string MssqlDialect::rollback_to_savepoint_sql(std::string_view name) const {
    return "ROLLBACK TRANSACTION " + std::string(name);
}

// The driver sets the session's ANSI options itself (mssql_connection.cpp).
std::string MssqlDialect::session_setup_sql() const { return {}; }

std::string MssqlDialect::database_size_sql() const {
    return "SELECT SUM(CAST(size AS bigint)) * 8192 FROM sys.database_files";
}

std::string MssqlDialect::row_estimate_sql(std::string_view schema, std::string_view table) const {
    return "SELECT SUM(p.rows) FROM sys.partitions p WHERE p.object_id = OBJECT_ID(" +
           quote_literal(qualified_name(schema, table)) + ") AND p.index_id IN (0, 1)";
}

std::string MssqlDialect::row_count_sql(std::string_view schema, std::string_view table) const {
    return "SELECT COUNT_BIG(*) FROM " + qualified_name(schema, table);
}

std::string MssqlDialect::later_than(const std::string& quoted_column, WatermarkKind watermark, const std::string& since,
                                     std::vector<std::optional<std::string>>&) const {
    std::string value;
    switch (watermark) {
        case WatermarkKind::timestamp: value = "CAST(" + quote_literal(since) + " AS datetime2)"; break;
        case WatermarkKind::timestamptz: value = "CAST(" + quote_literal(since + " +00:00") + " AS datetimeoffset)"; break;
        case WatermarkKind::date: value = "CAST(" + quote_literal(since) + " AS date)"; break;
        case WatermarkKind::number: value = since; break;   // digits (and sign/point) only, checked by the caller
    }
    return quoted_column + " > " + value;
}

std::string MssqlDialect::utf16_select(const std::string& quoted_column, const RemoteColumn& column) const {
    return mssql_utf16_select(quoted_column, column.remote_type, column.max_length);
}

std::string MssqlDialect::column_type_ddl(const RemoteColumn& c) const {
    const std::string& t = c.remote_type;
    auto sized = [&](const std::string& name) {
        return name + "(" + (c.max_length < 0 ? std::string("max") : std::to_string(c.max_length > 0 ? c.max_length : 1)) + ")";
    };
    if (t == "char" || t == "varchar" || t == "nchar" || t == "nvarchar" || t == "binary" || t == "varbinary")
        return sized(t);
    if (t == "decimal" || t == "numeric")
        return t + "(" + std::to_string(c.precision > 0 ? c.precision : 18) + "," + std::to_string(c.scale) + ")";
    return t;
}

// CREATE TRIGGER must start its batch; each statement here is sent as its own batch. Written for
// SQL Server and Babelfish alike: no MERGE, no OUTPUT.
CaptureDdl MssqlDialect::capture_ddl(const RemoteTable& t, const CaptureNames& names) const {
    CaptureDdl o;
    const std::string table = qualified_name(t.schema, t.name);
    const std::string changes = qualified_name(t.schema, names.change_table);
    const std::string trigger = qualified_name(t.schema, names.trigger);
    const std::string keys = column_list(t.primary_key, "");
    o.install.push_back("IF OBJECT_ID(" + quote_literal(changes) + ", N'U') IS NULL CREATE TABLE " + changes +
                        " (change_id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, op char(1) NOT NULL" +
                        key_columns_ddl(t) + ", changed_at datetime2 NOT NULL DEFAULT SYSUTCDATETIME())");
    o.install.push_back("DROP TRIGGER IF EXISTS " + trigger);
    o.install.push_back(
        "CREATE TRIGGER " + trigger + " ON " + table + " AFTER INSERT, UPDATE, DELETE AS\n"
        "BEGIN\n"
        "    SET NOCOUNT ON;\n"
        "    INSERT INTO " + changes + " (op, " + keys + ") SELECT 'D', " + column_list(t.primary_key, "d.") +
        " FROM deleted d WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE " + columns_equal(t.primary_key, "i", "d") +
        ");\n"
        "    INSERT INTO " + changes + " (op, " + keys + ") SELECT 'U', " + column_list(t.primary_key, "i.") +
        " FROM inserted i;\n"
        "END");
    o.remove.push_back("DROP TRIGGER IF EXISTS " + trigger);
    o.remove.push_back("DROP TABLE IF EXISTS " + changes);
    return o;
}

}  // namespace berqenas::remote::mssql
