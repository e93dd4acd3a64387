// SQL text per remote kind. Everything user- or catalog-supplied goes through these quoters.
#include "remote/sql_dialect.hpp"

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
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        hex.push_back(digits[c >> 4]);
        hex.push_back(digits[c & 15]);
    }
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

}  // namespace berqenas::remote
