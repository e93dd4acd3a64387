// PostgreSQL SQL text. Everything user- or catalog-supplied goes through these quoters.
#include "remote/postgresql/postgresql_dialect.hpp"

#include <algorithm>

#include "common/hex.hpp"
#include "remote/postgresql/postgresql_expression_rules.hpp"

namespace berqenas::remote::postgresql {

namespace {

std::string quote_identifier_text(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out.push_back('"');
    for (char c : name) {
        out.push_back(c);
        if (c == '"') out.push_back('"');
    }
    out.push_back('"');
    return out;
}

std::string quote_literal_text(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 3);
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

std::string binary_literal_text(std::string_view bytes) { return "'\\x" + to_hex(bytes) + "'::bytea"; }

std::string parameter_text(int n) { return "$" + std::to_string(n); }

std::string boolean_literal_text(bool value) { return value ? "true" : "false"; }

// Every value as its text: the remote parses it as the type the statement gives it.
const Quoting postgresql_quoting{quote_identifier_text, quote_literal_text, binary_literal_text, boolean_literal_text,
                                 parameter_text, LiteralStyle::text};

const PostgresqlExpressionRules expression_rules_;

}  // namespace

std::string PostgresqlDialect::quote_identifier(std::string_view name) const { return quote_identifier_text(name); }

std::string PostgresqlDialect::quote_literal(std::string_view value) const { return quote_literal_text(value); }

std::string PostgresqlDialect::binary_literal(std::string_view bytes) const { return binary_literal_text(bytes); }

std::string PostgresqlDialect::boolean_literal(bool value) const { return boolean_literal_text(value); }

const Quoting& PostgresqlDialect::quoting() const { return postgresql_quoting; }

// Each value is a parameter, and the protocol counts them in 16 bits.
int PostgresqlDialect::max_insert_rows(size_t ncolumns) const { return 65535 / std::max<int>(1, int(ncolumns)); }

Returning PostgresqlDialect::returning(const std::vector<std::string>& quoted_columns, bool) const {
    Returning out;
    if (quoted_columns.empty()) return out;
    out.at_end = " RETURNING ";
    for (size_t i = 0; i < quoted_columns.size(); ++i) out.at_end += (i ? ", " : "") + quoted_columns[i];
    return out;
}

const ExpressionRules& PostgresqlDialect::expression_rules() const { return expression_rules_; }

// A PostgreSQL remote's type is one of ours: kept as format_type() printed it there.
std::string PostgresqlDialect::local_type(const RemoteColumn& column) const { return column.remote_type; }

std::string PostgresqlDialect::build_select(const SelectParts& p) const {
    std::string sql = "SELECT " + p.columns + " FROM " + p.from;
    if (!p.where.empty()) sql += " WHERE " + p.where;
    if (!p.group_by.empty()) sql += " GROUP BY " + p.group_by;
    if (!p.having.empty()) sql += " HAVING " + p.having;
    if (!p.order_by.empty()) sql += " ORDER BY " + p.order_by;
    if (p.limit) sql += " LIMIT " + std::to_string(*p.limit);
    if (p.offset > 0) sql += " OFFSET " + std::to_string(p.offset);
    return sql;
}

std::string PostgresqlDialect::savepoint_sql(std::string_view name) const { return "SAVEPOINT " + std::string(name); }

std::string PostgresqlDialect::release_savepoint_sql(std::string_view name) const {
    return "RELEASE SAVEPOINT " + std::string(name);
}

std::string PostgresqlDialect::rollback_to_savepoint_sql(std::string_view name) const {
    return "ROLLBACK TO SAVEPOINT " + std::string(name) + "; RELEASE SAVEPOINT " + std::string(name);
}

std::string PostgresqlDialect::session_setup_sql() const {
    return "SET search_path = pg_catalog; SET timezone = 'UTC'; SET datestyle = ISO; "
           "SET intervalstyle = postgres; SET extra_float_digits = 3";
}

std::string PostgresqlDialect::database_size_sql() const { return "SELECT pg_database_size(current_database())"; }

std::string PostgresqlDialect::row_estimate_sql(std::string_view schema, std::string_view table) const {
    return "SELECT c.reltuples::bigint FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(" +
           quote_literal(qualified_name(schema, table)) + ")";
}

std::string PostgresqlDialect::row_count_sql(std::string_view schema, std::string_view table) const {
    return "SELECT count(*) FROM " + qualified_name(schema, table);
}

std::string PostgresqlDialect::later_than(const std::string& quoted_column, WatermarkKind watermark,
                                          const std::string& since,
                                          std::vector<std::optional<std::string>>& params) const {
    // The parameter takes the column's own type; timestamptz text carries its zone.
    params.push_back(watermark == WatermarkKind::timestamptz ? since + "+00" : since);
    return quoted_column + " > $" + std::to_string(params.size());
}

std::string PostgresqlDialect::utf16_select(const std::string&, const RemoteColumn&) const { return {}; }

std::string PostgresqlDialect::column_type_ddl(const RemoteColumn& c) const { return c.remote_type; }

CaptureDdl PostgresqlDialect::capture_ddl(const RemoteTable& t, const CaptureNames& names) const {
    CaptureDdl o;
    const std::string table = qualified_name(t.schema, t.name);
    const std::string changes = qualified_name(t.schema, names.change_table);
    const std::string trigger = quote_identifier(names.trigger);
    const std::string keys = column_list(t.primary_key, "");
    const std::string fn = qualified_name(t.schema, names.change_table + "_fn");
    const std::string old_keys = column_list(t.primary_key, "OLD.");
    const std::string new_keys = column_list(t.primary_key, "NEW.");
    const std::string old_tuple = "ROW(" + old_keys + ")";
    const std::string new_tuple = "ROW(" + new_keys + ")";
    o.install.push_back("CREATE TABLE IF NOT EXISTS " + changes +
                        " (change_id bigserial PRIMARY KEY, op char(1) NOT NULL" + key_columns_ddl(t) +
                        ", changed_at timestamptz NOT NULL DEFAULT clock_timestamp())");
    o.install.push_back(
        "CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $berqenas$\n"
        "BEGIN\n"
        "    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND " + old_tuple + " IS DISTINCT FROM " + new_tuple + ") THEN\n"
        "        INSERT INTO " + changes + " (op, " + keys + ") VALUES ('D', " + old_keys + ");\n"
        "    END IF;\n"
        "    IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
        "        INSERT INTO " + changes + " (op, " + keys + ") VALUES (left(TG_OP, 1), " + new_keys + ");\n"
        "    END IF;\n"
        "    PERFORM pg_notify('" + names.channel + "', TG_TABLE_NAME);\n"
        "    RETURN NULL;\n"
        "END\n$berqenas$");
    o.install.push_back("DROP TRIGGER IF EXISTS " + trigger + " ON " + table);
    o.install.push_back("CREATE TRIGGER " + trigger + " AFTER INSERT OR UPDATE OR DELETE ON " + table +
                        " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
    o.remove.push_back("DROP TRIGGER IF EXISTS " + trigger + " ON " + table);
    o.remove.push_back("DROP FUNCTION IF EXISTS " + fn + "()");
    o.remove.push_back("DROP TABLE IF EXISTS " + changes);
    return o;
}

}  // namespace berqenas::remote::postgresql
