// What every dialect builds the same way on top of its quoting: qualified names, column lists,
// the MERGE-free upsert and the key columns of a change table.
#include "remote/dialect.hpp"

#include "common/error.hpp"

namespace berqenas::remote {

std::string Dialect::qualified_name(std::string_view schema, std::string_view table) const {
    if (schema.empty()) return quote_identifier(table);
    return quote_identifier(schema) + "." + quote_identifier(table);
}

std::string Dialect::column_list(const std::vector<std::string>& names, const std::string& prefix) const {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + prefix + quote_identifier(names[i]);
    return out;
}

std::string Dialect::columns_equal(const std::vector<std::string>& names, const std::string& a,
                                   const std::string& b) const {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (i ? " AND " : "") + a + "." + quote_identifier(names[i]) + " = " + b + "." + quote_identifier(names[i]);
    return out;
}

UpsertStatements Dialect::build_upsert(std::string_view schema, std::string_view table,
                                       const std::vector<std::string>& columns,
                                       const std::vector<std::string>& key_columns,
                                       const std::vector<std::vector<std::string>>& rows) const {
    auto q = [&](std::string_view name) { return quote_identifier(name); };
    auto is_key = [&](const std::string& c) {
        for (const auto& k : key_columns)
            if (k == c) return true;
        return false;
    };
    std::string target = qualified_name(schema, table);
    std::string values = "(VALUES ";
    for (size_t r = 0; r < rows.size(); ++r) {
        values += r ? ", (" : "(";
        for (size_t c = 0; c < rows[r].size(); ++c) values += (c ? ", " : "") + rows[r][c];
        values += ")";
    }
    std::string column_names;
    for (size_t c = 0; c < columns.size(); ++c) column_names += (c ? ", " : "") + q(columns[c]);
    std::string source = values + ") AS s (" + column_names + ")";
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
    out.insert = "INSERT INTO " + target + " (" + column_names + ") SELECT " + select_list + " FROM " + source +
                 " WHERE NOT EXISTS (SELECT 1 FROM " + target + " AS e WHERE " + key_match("e") + ")";
    return out;
}

std::string Dialect::key_columns_ddl(const RemoteTable& t) const {
    std::string out;
    for (const auto& k : t.primary_key) {
        const RemoteColumn* column = nullptr;
        for (const auto& c : t.columns)
            if (c.name == k) {
                column = &c;
                break;
            }
        if (!column)
            throw Error(sqlstate::internal_error, "primary key column \"" + k + "\" is not a column of \"" + t.name + "\"");
        out += ", " + quote_identifier(k) + " " + column_type_ddl(*column);
    }
    return out;
}

}  // namespace berqenas::remote
