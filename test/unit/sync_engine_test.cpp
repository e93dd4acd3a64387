// The sync engine's pure parts: readable ids, the schema plan (create / add / refuse), change
// capture DDL for both kinds, the remote SELECTs and pg_cron next-run times.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/cron_schedule.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/engine/journal_key.hpp"
#include "sync/engine/local_literal.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/engine/sync_id.hpp"

using namespace berqenas;
using namespace berqenas::sync;
using remote::DatabaseKind;

namespace {

std::time_t utc(int y, int mo, int d, int h, int mi, int s = 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm);
}

remote::RemoteTable customers(DatabaseKind kind) {
    remote::RemoteTable t;
    t.schema = kind == DatabaseKind::mssql ? "dbo" : "public";
    t.name = "customers";
    remote::RemoteColumn id;
    id.name = "id";
    id.remote_type = "int";
    id.in_primary_key = true;
    id.nullable = false;
    remote::RemoteColumn name;
    name.name = "name";
    name.remote_type = "nvarchar";
    name.max_length = 50;
    t.columns = {id, name};
    t.primary_key = {"id"};
    return t;
}

std::string sqlstate_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.sqlstate();
    }
    return "none";
}

}  // namespace

TEST(SyncId, IsTheUtcSecond) {
    EXPECT_EQ(make_sync_id(utc(2026, 1, 14, 15, 30, 0)), "sync_20260114_153000");
    EXPECT_EQ(make_sync_id(utc(1999, 12, 31, 23, 59, 59)), "sync_19991231_235959");
}

TEST(SchemaPlan, CreatesTheTableWithItsKey) {
    auto plan = plan_schema("customers", {{"id", "integer", true}, {"Name", "character varying(50)", false}}, {"id"},
                            std::nullopt, "remote_erp", "customers", false);
    ASSERT_TRUE(plan.create);
    ASSERT_EQ(plan.statements.size(), 1u);
    EXPECT_EQ(plan.statements[0],
              "CREATE TABLE \"remote_erp\".\"customers\" (\"id\" integer NOT NULL, \"Name\" character varying(50), "
              "PRIMARY KEY (\"id\"))");
}

TEST(SchemaPlan, AddsNewRemoteColumns) {
    std::vector<LocalColumn> local = {{"id", "integer"}};
    auto plan = plan_schema("customers", {{"id", "integer", true}, {"email", "text", false}}, {"id"}, local, "s", "t", false);
    EXPECT_FALSE(plan.create);
    ASSERT_EQ(plan.added_columns, std::vector<std::string>{"email"});
    EXPECT_EQ(plan.statements[0], "ALTER TABLE \"s\".\"t\" ADD COLUMN \"email\" text");
}

TEST(SchemaPlan, RefusesDroppedRetypedAndKeylessTables) {
    std::vector<LocalColumn> local = {{"id", "integer"}, {"gone", "text"}};
    EXPECT_EQ(sqlstate_of([&] { plan_schema("t", {{"id", "integer", true}}, {"id"}, local, "s", "t", false); }), "42703");
    std::vector<LocalColumn> local2 = {{"id", "integer"}};
    EXPECT_EQ(sqlstate_of([&] { plan_schema("t", {{"id", "bigint", true}}, {"id"}, local2, "s", "t", false); }), "42804");
    EXPECT_EQ(sqlstate_of([&] { plan_schema("t", {{"a", "integer", false}}, {}, std::nullopt, "s", "t", false); }), "55000");
    EXPECT_EQ(sqlstate_of([&] { plan_schema("t", {{"a", "integer", false}}, {}, std::nullopt, "s", "t", true); }), "none");
}

TEST(CaptureDdl, PostgresTriggerNotifies) {
    auto o = capture_objects(DatabaseKind::postgresql, customers(DatabaseKind::postgresql));
    EXPECT_EQ(o.change_table, "berqenas_cdc_customers");
    std::string all;
    for (auto& s : o.install) all += s + "\n";
    EXPECT_NE(all.find("CREATE TABLE IF NOT EXISTS \"public\".\"berqenas_cdc_customers\""), std::string::npos);
    EXPECT_NE(all.find("pg_notify('berqenas_capture'"), std::string::npos);
    EXPECT_NE(all.find("AFTER INSERT OR UPDATE OR DELETE ON \"public\".\"customers\" FOR EACH ROW"), std::string::npos);
    EXPECT_EQ(o.remove.back(), "DROP TABLE IF EXISTS \"public\".\"berqenas_cdc_customers\"");
}

TEST(CaptureDdl, TsqlTriggerReadsInsertedAndDeleted) {
    auto o = capture_objects(DatabaseKind::mssql, customers(DatabaseKind::mssql));
    ASSERT_EQ(o.install.size(), 3u);
    EXPECT_NE(o.install[0].find("change_id bigint IDENTITY(1,1)"), std::string::npos);
    EXPECT_EQ(o.install[2].rfind("CREATE TRIGGER [dbo].[berqenas_cdc_customers] ON [dbo].[customers] AFTER INSERT, UPDATE, DELETE", 0), 0u);
    EXPECT_NE(o.install[2].find("FROM deleted d WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.[id] = d.[id])"),
              std::string::npos);
    EXPECT_EQ(o.install[2].find("MERGE"), std::string::npos);
    EXPECT_EQ(capture_fetch_sql(DatabaseKind::mssql, customers(DatabaseKind::mssql), {"id", "name"}, 10).rfind("SELECT TOP", 0), 0u);
    EXPECT_EQ(capture_delete_sql(DatabaseKind::mssql, customers(DatabaseKind::mssql), {1, 2}),
              "DELETE FROM [dbo].[berqenas_cdc_customers] WHERE change_id IN (1,2)");
}

TEST(CaptureDdl, LongNamesStayWithinIdentifierLimits) {
    std::string name = capture_table_name(std::string(80, 'x'));
    EXPECT_LE(name.size(), 63u);
    EXPECT_NE(capture_table_name(std::string(80, 'x')), capture_table_name(std::string(79, 'x') + "y"));
    remote::RemoteTable keyless = customers(DatabaseKind::postgresql);
    keyless.primary_key.clear();
    EXPECT_EQ(sqlstate_of([&] { capture_objects(DatabaseKind::postgresql, keyless); }), "55000");
}

TEST(RemoteQueries, WatermarkPredicates) {
    auto t = customers(DatabaseKind::postgresql);
    auto pg = select_since(DatabaseKind::postgresql, t, {"id", "name"}, "updated_at", WatermarkKind::timestamptz,
                           "2026-01-14 15:30:00.000000");
    EXPECT_EQ(pg.sql, "SELECT \"id\", \"name\" FROM \"public\".\"customers\" WHERE \"updated_at\" > $1");
    ASSERT_EQ(pg.params.size(), 1u);
    EXPECT_EQ(*pg.params[0], "2026-01-14 15:30:00.000000+00");
    auto ms = select_since(DatabaseKind::mssql, customers(DatabaseKind::mssql), {"id"}, "updated_at",
                           WatermarkKind::timestamp, "2026-01-14 15:30:00.000000");
    EXPECT_EQ(ms.sql, "SELECT [id] FROM [dbo].[customers] WHERE [updated_at] > CAST(N'2026-01-14 15:30:00.000000' AS datetime2)");
    EXPECT_TRUE(ms.params.empty());
}

TEST(RemoteQueries, NvarcharAsUtf16Bytes) {
    // MSSQL n-types are selected as their bytes when the connection's casts give UTF-16, flagged
    // per column for the converters; other columns and PostgreSQL remotes are untouched.
    auto t = customers(DatabaseKind::mssql);
    remote::RemoteColumn note;
    note.name = "note";
    note.remote_type = "ntext";
    remote::RemoteColumn code;
    code.name = "code";
    code.remote_type = "varchar";
    code.max_length = 10;
    t.columns.push_back(note);
    t.columns.push_back(code);
    auto ms = select_all(DatabaseKind::mssql, t, {"id", "name", "note", "code"}, true);
    EXPECT_EQ(ms.sql, "SELECT [id], CAST([name] AS varbinary(8000)), CAST([note] AS varbinary(max)), [code] FROM [dbo].[customers]");
    EXPECT_EQ(ms.utf16, (std::vector<bool>{false, true, true, false}));
    auto since = select_since(DatabaseKind::mssql, t, {"name"}, "id", WatermarkKind::number, "5", true);
    EXPECT_EQ(since.sql, "SELECT CAST([name] AS varbinary(8000)) FROM [dbo].[customers] WHERE [id] > 5");
    auto plain = select_all(DatabaseKind::mssql, t, {"id", "name"}, false);
    EXPECT_EQ(plain.sql, "SELECT [id], [name] FROM [dbo].[customers]");
    EXPECT_EQ(plain.utf16, (std::vector<bool>{false, false}));
    auto pg = select_all(DatabaseKind::postgresql, customers(DatabaseKind::postgresql), {"id", "name"}, true);
    EXPECT_EQ(pg.sql, "SELECT \"id\", \"name\" FROM \"public\".\"customers\"");
}

TEST(CronSchedule, NextRuns) {
    const std::time_t t = utc(2026, 1, 14, 15, 30, 10);
    EXPECT_EQ(*cron_next_run("0 * * * *", t), utc(2026, 1, 14, 16, 0));
    EXPECT_EQ(*cron_next_run("*/15 * * * *", t), utc(2026, 1, 14, 15, 45));
    EXPECT_EQ(*cron_next_run("0 2 * * *", t), utc(2026, 1, 15, 2, 0));
    EXPECT_EQ(*cron_next_run("@hourly", t), utc(2026, 1, 14, 16, 0));
    EXPECT_EQ(*cron_next_run("30 9 * * mon", t), utc(2026, 1, 19, 9, 30));   // 2026-01-14 is a Wednesday
    EXPECT_EQ(*cron_next_run("0 0 1 jan *", t), utc(2027, 1, 1, 0, 0));
    EXPECT_EQ(*cron_next_run("10 seconds", t), t + 10);
    EXPECT_FALSE(cron_next_run("0 0 30 2 *", t).has_value());   // February 30th never comes
    EXPECT_EQ(sqlstate_of([&] { cron_next_run("61 * * * *", t); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { cron_next_run("every day", t); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { cron_next_run("99999999999 * * * *", t); }), "22023");
}

TEST(JournalKey, NamesEachKeyColumnWithItsValueAsText) {
    EXPECT_EQ(journal_key_sql({"id"}, {"n._c1"}), "jsonb_build_object('id'::text, n._c1::text)");
    EXPECT_EQ(journal_key_sql({"region", "id"}, {"t.\"region\"", "$2"}),
              "jsonb_build_object('region'::text, t.\"region\"::text, 'id'::text, $2::text)");
    // A column name is a literal here, never SQL: its quotes are doubled.
    EXPECT_EQ(journal_key_sql({"it's"}, {"o.\"it's\""}), "jsonb_build_object('it''s'::text, o.\"it's\"::text)");
    EXPECT_EQ(sqlstate_of([] { journal_key_sql({"a", "b"}, {"x"}); }), "XX000");
    EXPECT_EQ(sqlstate_of([] { journal_key_sql({}, {}); }), "XX000");
    // A backslash makes it an E'' literal, so standard_conforming_strings cannot change its meaning.
    EXPECT_EQ(journal_key_sql({"a\\b"}, {"x"}), "jsonb_build_object(E'a\\\\b'::text, x::text)");
}

TEST(LocalLiteral, QuotesAsQuoteLiteralCstrDoes) {
    EXPECT_EQ(local_literal(""), "''");
    EXPECT_EQ(local_literal("plain"), "'plain'");
    EXPECT_EQ(local_literal("it's"), "'it''s'");
    EXPECT_EQ(local_literal("a\\b"), "E'a\\\\b'");
    EXPECT_EQ(local_literal("'\\'"), "E'''\\\\'''");
}

TEST(ConfiguredTables, CaptureTablesAreNeverSynced) {
    EXPECT_TRUE(is_capture_table("berqenas_cdc_orders"));
    EXPECT_TRUE(is_capture_table(capture_table_name("orders")));
    EXPECT_TRUE(is_capture_table(capture_table_name(std::string(80, 'x'))));
    EXPECT_FALSE(is_capture_table("orders"));
    EXPECT_FALSE(is_capture_table("my_berqenas_cdc_orders"));
}
