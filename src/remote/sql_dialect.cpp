// SQL text per remote kind. Everything user- or catalog-supplied goes through these quoters.
#include "remote/sql_dialect.hpp"

#include "common/hex.hpp"

namespace berqenas::remote {

std::string quote_identifier(DatabaseKind kind, std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    if (kind == DatabaseKind::mssql) {
        out.push_back('[');
        for (char c : name) {
            out.push_back(c);
            if (c == ']') out.push_back(']');
        }
        out.push_back(']');
    } else {
        out.push_back('"');
        for (char c : name) {
            out.push_back(c);
            if (c == '"') out.push_back('"');
        }
        out.push_back('"');
    }
    return out;
}

std::string qualified_name(DatabaseKind kind, std::string_view schema, std::string_view table) {
    if (schema.empty()) return quote_identifier(kind, table);
    return quote_identifier(kind, schema) + "." + quote_identifier(kind, table);
}

std::string quote_literal(DatabaseKind kind, std::string_view value) {
    std::string out;
    out.reserve(value.size() + 3);
    if (kind == DatabaseKind::mssql) {
        out += "N'";
        for (char c : value) {
            out.push_back(c);
            if (c == '\'') out.push_back('\'');
        }
        out.push_back('\'');
        return out;
    }
    bool backslash = value.find('\\') != std::string_view::npos;
    if (backslash) out.push_back('E');
    out.push_back('\'');
    for (char c : value) {
        out.push_back(c);
        if (c == '\'' || (c == '\\' && backslash)) out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

std::string binary_literal(DatabaseKind kind, std::string_view bytes) {
    const std::string hex = to_hex(bytes);
    if (kind == DatabaseKind::mssql) return "0x" + hex;
    return "'\\x" + hex + "'::bytea";
}

std::string boolean_literal(DatabaseKind kind, bool value) {
    if (kind == DatabaseKind::mssql) return value ? "1" : "0";
    return value ? "true" : "false";
}

std::string build_select(DatabaseKind kind, const SelectParts& p) {
    std::string sql = "SELECT ";
    // FETCH NEXT 0 ROWS is an error in T-SQL; TOP (0) says the same.
    bool tsql_offset = kind == DatabaseKind::mssql && p.offset > 0 && !(p.limit && *p.limit == 0);
    if (kind == DatabaseKind::mssql && p.limit && !tsql_offset) sql += "TOP (" + std::to_string(*p.limit) + ") ";
    sql += p.columns + " FROM " + p.from;
    if (!p.where.empty()) sql += " WHERE " + p.where;
    if (!p.group_by.empty()) sql += " GROUP BY " + p.group_by;
    if (!p.having.empty()) sql += " HAVING " + p.having;
    if (!p.order_by.empty())
        sql += " ORDER BY " + p.order_by;
    else if (tsql_offset)
        sql += " ORDER BY (SELECT NULL)";
    if (kind == DatabaseKind::mssql) {
        if (tsql_offset) {
            sql += " OFFSET " + std::to_string(p.offset) + " ROWS";
            if (p.limit) sql += " FETCH NEXT " + std::to_string(*p.limit) + " ROWS ONLY";
        }
    } else {
        if (p.limit) sql += " LIMIT " + std::to_string(*p.limit);
        if (p.offset > 0) sql += " OFFSET " + std::to_string(p.offset);
    }
    return sql;
}

UpsertStatements build_upsert(DatabaseKind kind, std::string_view schema, std::string_view table,
                              const std::vector<std::string>& columns, const std::vector<std::string>& key_columns,
                              const std::vector<std::vector<std::string>>& rows) {
    auto q = [&](std::string_view name) { return quote_identifier(kind, name); };
    auto is_key = [&](const std::string& c) {
        for (const auto& k : key_columns)
            if (k == c) return true;
        return false;
    };
    std::string target = qualified_name(kind, schema, table);
    std::string values = "(VALUES ";
    for (size_t r = 0; r < rows.size(); ++r) {
        values += r ? ", (" : "(";
        for (size_t c = 0; c < rows[r].size(); ++c) values += (c ? ", " : "") + rows[r][c];
        values += ")";
    }
    std::string column_list;
    for (size_t c = 0; c < columns.size(); ++c) column_list += (c ? ", " : "") + q(columns[c]);
    std::string source = values + ") AS s (" + column_list + ")";
    // The target is referred to by its table name (T-SQL and PostgreSQL both allow it when it has no alias).
    std::string self = q(table);
    auto key_match = [&](const std::string& left) {
        std::string out;
        for (size_t k = 0; k < key_columns.size(); ++k)
            out += (k ? " AND " : "") + left + "." + q(key_columns[k]) + " = s." + q(key_columns[k]);
        return out;
    };
    UpsertStatements out;
    std::string set_list;
    for (const auto& c : columns)
        if (!is_key(c)) set_list += (set_list.empty() ? "" : ", ") + q(c) + " = s." + q(c);
    if (!set_list.empty())
        out.update = "UPDATE " + target + " SET " + set_list + " FROM " + source + " WHERE " + key_match(self);
    std::string select_list;
    for (size_t c = 0; c < columns.size(); ++c) select_list += (c ? ", " : "") + std::string("s.") + q(columns[c]);
    out.insert = "INSERT INTO " + target + " (" + column_list + ") SELECT " + select_list + " FROM " + source +
                 " WHERE NOT EXISTS (SELECT 1 FROM " + target + " AS e WHERE " + key_match("e") + ")";
    return out;
}

}  // namespace berqenas::remote
