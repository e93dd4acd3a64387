// The bookkeeping columns and updated_at trigger two-way sync needs on a PostgreSQL table, as our
// product docs write them: timestamp DEFAULT now(), boolean DEFAULT false, a BEFORE UPDATE trigger.
#include "remote/postgresql/postgresql_dialect.hpp"

#include "common/error.hpp"

namespace berqenas::remote::postgresql {

std::vector<std::string> PostgresqlDialect::add_sync_column_ddl(const RemoteTable& t, std::string_view column) const {
    const std::string table = qualified_name(t.schema, t.name);
    // PostgreSQL fills the rows that exist with the default, so nothing is left NULL.
    if (column == "is_deleted")
        return {"ALTER TABLE " + table + " ADD COLUMN " + quote_identifier(column) + " boolean DEFAULT false"};
    if (column == "created_at" || column == "updated_at")
        return {"ALTER TABLE " + table + " ADD COLUMN " + quote_identifier(column) + " timestamp DEFAULT now()"};
    throw Error(sqlstate::internal_error, "no two-way sync column named \"" + std::string(column) + "\"");
}

std::vector<std::string> PostgresqlDialect::updated_at_trigger_ddl(const RemoteTable& t, std::string_view trigger) const {
    // One function per schema, shared by its tables' triggers.
    const std::string function = qualified_name(t.schema.empty() ? "public" : t.schema, "berqenas_touch_updated_at");
    return {"CREATE OR REPLACE FUNCTION " + function +
                "() RETURNS trigger LANGUAGE plpgsql AS $berqenas$BEGIN NEW.updated_at = now(); RETURN NEW; END$berqenas$",
            "CREATE TRIGGER " + quote_identifier(trigger) + " BEFORE UPDATE ON " + qualified_name(t.schema, t.name) +
                " FOR EACH ROW EXECUTE FUNCTION " + function + "()"};
}

std::string PostgresqlDialect::trigger_count_sql(const RemoteTable& t, std::string_view trigger) const {
    return "SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid = " +
           quote_literal(qualified_name(t.schema, t.name)) + "::regclass AND tgname = " + quote_literal(trigger);
}

// The wall time a writer's now() gives in the database's own time zone (the session's reset value:
// a sync connection does not change it, applications normally do not either).
std::string PostgresqlDialect::clock_sql() const {
    return "SELECT (pg_catalog.clock_timestamp() AT TIME ZONE pg_catalog.current_setting('TimeZone'))::text";
}

}  // namespace berqenas::remote::postgresql
