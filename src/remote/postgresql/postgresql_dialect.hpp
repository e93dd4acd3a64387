// The SQL we write for a PostgreSQL remote: "quoted" names, E'' literals, LIMIT/OFFSET,
// SAVEPOINT, pg_catalog queries and plpgsql capture triggers that NOTIFY.
#pragma once

#include "common/pure_cpp.hpp"

#include "remote/dialect.hpp"

namespace berqenas::remote::postgresql {

// final: per-value callers holding this type call it without a virtual dispatch (sql_dialect.cpp).
class PostgresqlDialect final : public Dialect {
public:
    DatabaseKind kind() const override { return DatabaseKind::postgresql; }
    int default_port() const override { return 5432; }
    std::string quote_identifier(std::string_view name) const override;
    std::string quote_literal(std::string_view value) const override;
    std::string binary_literal(std::string_view bytes) const override;
    std::string boolean_literal(bool value) const override;
    std::string build_select(const SelectParts& parts) const override;
    std::string savepoint_sql(std::string_view name) const override;
    std::string release_savepoint_sql(std::string_view name) const override;
    std::string rollback_to_savepoint_sql(std::string_view name) const override;
    std::string session_setup_sql() const override;
    bool names_ignore_case() const override { return false; }
    const Quoting& quoting() const override;
    bool binds_parameters() const override { return true; }
    int max_insert_rows(size_t ncolumns) const override;
    Returning returning(const std::vector<std::string>& quoted_columns, bool deleted) const override;
    bool streams_through_cursor() const override { return true; }
    bool reads_nchar_as_utf16() const override { return false; }
    const ExpressionRules& expression_rules() const override;
    std::string local_type(const RemoteColumn& column) const override;
    std::string database_size_sql() const override;
    std::string row_estimate_sql(std::string_view schema, std::string_view table) const override;
    std::string row_count_sql(std::string_view schema, std::string_view table) const override;
    std::string later_than(const std::string& quoted_column, WatermarkKind watermark, const std::string& since,
                           std::vector<std::optional<std::string>>& params) const override;
    std::string utf16_select(const std::string& quoted_column, const RemoteColumn& column) const override;
    std::string column_type_ddl(const RemoteColumn& column) const override;
    CaptureDdl capture_ddl(const RemoteTable& table, const CaptureNames& names) const override;
    // Two-way sync DDL (postgresql_two_way_ddl.cpp).
    std::vector<std::string> add_sync_column_ddl(const RemoteTable& table, std::string_view column) const override;
    std::vector<std::string> updated_at_trigger_ddl(const RemoteTable& table, std::string_view trigger) const override;
    std::string trigger_count_sql(const RemoteTable& table, std::string_view trigger) const override;
    std::string clock_sql() const override;
};

}  // namespace berqenas::remote::postgresql
