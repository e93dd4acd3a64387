// diff_and_journal: one statement that journals and counts the differences (see table_diff.hpp).
#include "sync/table_diff.hpp"

#include "sync/engine/journal_key.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/row_difference.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace berqenas::sync {

namespace {

std::string key_equal(const std::vector<std::string>& key, const std::string& a, const std::string& b) {
    std::string out;
    for (size_t i = 0; i < key.size(); ++i)
        out += (i ? " AND " : "") + a + "." + quote_ident(key[i]) + " = " + b + "." + quote_ident(key[i]);
    return out;
}

// The journal key of a row found on either side of a join (a row may exist on one side only).
std::string either_side_key(const std::vector<std::string>& key, const std::string& a, const std::string& b) {
    std::vector<std::string> values;
    for (const auto& k : key) values.push_back("coalesce(" + a + "." + quote_ident(k) + ", " + b + "." + quote_ident(k) + ")");
    return journal_key_sql(key, values);
}

}  // namespace

void diff_and_journal(pg::SpiSession& spi, long long job_id, long long table_id, const std::string& target,
                      const std::string& source, const std::vector<std::string>& key, const std::string& soft_delete,
                      bool full, TableStats& st) {
    const std::string k0 = quote_ident(key[0]);
    const std::string soft = !soft_delete.empty() ? "(n." + quote_ident(soft_delete) + " IS TRUE AND o." +
                                                        quote_ident(soft_delete) + " IS NOT TRUE)"
                                                  : "false";
    // Both tables have the target's columns; a row differs when any column's value differs.
    std::string differs;
    for (auto& row : spi.execute("SELECT quote_ident(attname), atttypid FROM pg_catalog.pg_attribute "
                                 "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                                 {target}).rows)
        differs += (differs.empty() ? "" : " OR ") +
                   column_differs_sql(Oid(std::stoul(*row[1])), "o." + *row[0], "n." + *row[0]);
    std::string sql =
        "WITH d AS (SELECT " + either_side_key(key, "o", "n") + " AS key, o." + k0 + " IS NULL AS is_ins, n." + k0 +
        " IS NULL AS is_del, " + soft + " AS is_soft, CASE WHEN o." + k0 +
        " IS NULL THEN NULL ELSE to_jsonb(o) END AS old_row FROM " + target + " o " +
        (full ? "FULL JOIN " : "RIGHT JOIN ") + source + " n ON " + key_equal(key, "o", "n") + " WHERE o." + k0 +
        " IS NULL OR n." + k0 + " IS NULL OR " + differs + "), "
        "j AS (INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, key, old_row) "
        "SELECT $1, $2, key, old_row FROM d WHERE $3) "
        "SELECT count(*) FILTER (WHERE is_ins), count(*) FILTER (WHERE NOT is_ins AND NOT is_del AND NOT is_soft), "
        "count(*) FILTER (WHERE is_del OR (is_soft AND NOT is_ins)) FROM d";
    auto r = spi.execute(sql, {pg::int8_param(job_id), pg::int8_param(table_id), pg::bool_param(SyncSettings::journal)});
    st.inserted = std::stoll(r.rows[0][0].value_or("0"));
    st.updated = std::stoll(r.rows[0][1].value_or("0"));
    st.deleted = std::stoll(r.rows[0][2].value_or("0"));
}

}  // namespace berqenas::sync
