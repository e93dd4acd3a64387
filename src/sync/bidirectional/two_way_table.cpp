// sync_two_way_table: read the remote's changed rows into a temporary table, list every key that
// may have changed on either side, decide each one with the conflict policy, then write both sides
// set-based (cloud) and in batches of literal rows (remote). See two_way_table.hpp.
#include "sync/bidirectional/two_way_table.hpp"

#include "sync/bidirectional/two_way_sql.hpp"

#include <chrono>
#include <functional>
#include <map>

#include "convert/outbound.hpp"
#include "remote/identifier.hpp"
#include "sync/bulk_loader.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/sync_settings.hpp"
#include "sync/watermark_window.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace berqenas::sync {

using namespace two_way;

namespace {

constexpr int decision_batch = 5000;   // plan rows decided per round trip
// The remote's winning versions to the cloud copy, set-based: an upsert by primary key (every
// column but updated_at, which the cloud copy's trigger sets) and a delete.
void write_cloud(pg::SpiSession& spi, const Shape& s) {
    std::string cols, set, key_cols;
    for (const auto& c : s.columns) {
        if (c == s.updated_at) continue;
        cols += (cols.empty() ? "" : ", ") + lid(c);
        bool is_key = false;
        for (const auto& k : s.key) is_key = is_key || k == c;
        if (!is_key) set += (set.empty() ? "" : ", ") + lid(c) + " = EXCLUDED." + lid(c);
    }
    for (const auto& k : s.key) key_cols += (key_cols.empty() ? "" : ", ") + lid(k);
    std::string lcols;
    for (const auto& c : s.columns)
        if (c != s.updated_at) lcols += (lcols.empty() ? "" : ", ") + std::string("l.") + lid(c);
    spi.execute("INSERT INTO " + s.cloud + " (" + cols + ") SELECT " + lcols + " FROM " + s.plan + " p JOIN " + s.local_rows +
                " l ON " + s.key_match("l", "p.k") + " WHERE p.action = 'to_cloud' AND NOT p.local_gone ON CONFLICT (" +
                key_cols + ") DO " + (set.empty() ? "NOTHING" : "UPDATE SET " + set));
    spi.execute("DELETE FROM " + s.cloud + " c USING " + s.plan + " p WHERE " + s.key_match("c", "p.k") +
                " AND p.action = 'to_cloud' AND p.local_gone");
}

const char* action_name(Resolution r) {
    switch (r) {
        case Resolution::no_change: return "none";
        case Resolution::equal_content: return "converged";
        case Resolution::apply_remote: return "to_cloud";
        case Resolution::apply_cloud: return "to_local";
        case Resolution::hold: return "hold";
    }
    return "none";
}

}  // namespace

void read_clocks(pg::SpiSession& spi, remote::RemoteConnection& conn, TwoWayRun& run) {
    const char* cloud_clock = "SELECT (pg_catalog.clock_timestamp() AT TIME ZONE pg_catalog.current_setting('TimeZone'))::text";
    const std::string before = *spi.scalar(cloud_clock);
    auto r = conn.query_text(conn.dialect().clock_sql());
    const std::string after = *spi.scalar(cloud_clock);
    if (r.rows.empty() || !r.rows[0][0]) throw Error(sqlstate::internal_error, "the remote did not tell its clock");
    run.remote_now = *r.rows[0][0];
    auto o = spi.execute("SELECT $2::timestamp + ($3::timestamp - $2::timestamp) / 2, "
                         "(extract(epoch FROM $1::timestamp - ($2::timestamp + ($3::timestamp - $2::timestamp) / 2)) * 1000000)::bigint, "
                         "$1::timestamp::text",
                         {run.remote_now, before, after});
    run.cloud_now = *o.rows[0][0];
    run.clock_offset_us = std::stoll(*o.rows[0][1]);
    run.remote_now = *o.rows[0][2];   // as PostgreSQL writes it, for literals either kind reads
}

TwoWayCounts sync_two_way_table(pg::SpiSession& spi, remote::RemoteConnection& conn, const TwoWayTable& t,
                                const TwoWayRun& run) {
    TwoWayCounts counts;
    // Where the time goes, phase by phase (the job's debug log lines).
    auto phase_started = std::chrono::steady_clock::now();
    auto phase = [&](const char* name) {
        const auto now = std::chrono::steady_clock::now();
        counts.phases.emplace_back(name, std::chrono::duration_cast<std::chrono::milliseconds>(now - phase_started).count());
        phase_started = now;
    };
    remote::RemoteTable rt = conn.describe_table(t.remote_schema, t.remote_table);
    if (rt.primary_key.empty())
        throw Error(sqlstate::invalid_parameter, "remote table \"" + rt.name + "\" has no primary key",
                    "two-way sync matches the rows of both sides by their primary key", "add a primary key to the remote table");
    const Shape s = describe(spi, conn, rt, t);
    const std::string tid = to_s(t.id);
    // A first run (or a full one) reads both sides whole.
    const bool first = !t.local_watermark || !t.cloud_watermark || run.full;

    // 1. The remote's rows changed since the last run (its own clock, the overlap window re-read),
    //    or all of them on a first run.
    const bool utf16 = conn.casts_nvarchar_to_utf16();
    RemoteSelect select;
    if (first) {
        select = select_all(conn.kind(), rt, s.columns, utf16);
    } else {
        const std::string since = overlap_start(WatermarkKind::timestamp, *t.local_watermark, SyncSettings::overlap_s);
        select = select_since(conn.kind(), rt, s.columns, s.updated_at, WatermarkKind::timestamp, since, utf16);
    }
    counts.rows_read = load(spi, conn, s, s.local_rows, s.columns, select);
    // Temporary tables have no statistics until analyzed; without them every join below is planned
    // for the wrong size (a hash of the whole cloud copy instead of a probe per key).
    spi.execute("ANALYZE " + s.local_rows);

    phase("read the remote's changed rows");
    // 2. Hard deletes on the remote: keys both sides agreed on that the remote no longer has. The
    //    remote's row count says whether any can be missing; only then are its keys read.
    spi.execute("CREATE TEMP TABLE " + s.gone + " (k jsonb)");
    if (first) {
        // Every remote row was read: an agreed key the remote did not give is gone.
        spi.execute("INSERT INTO " + s.gone + " SELECT st.key FROM berqenas.sync_row_state st WHERE st.sync_table_id = " +
                    tid + " AND NOT EXISTS (SELECT 1 FROM " + s.local_rows + " l WHERE " + s.key_match("l", "st.key") + ")");
    } else {
        const long long agreed = t.agreed_rows;
        // A probe by key per changed row (OFFSET 0 keeps it one): never a pass over the agreed rows.
        const long long added = std::stoll(*spi.scalar(
            "SELECT count(*) FROM " + s.local_rows + " l LEFT JOIN LATERAL (SELECT 1 AS found FROM berqenas.sync_row_state st "
            "WHERE st.sync_table_id = $1::bigint AND st.key = " + s.key_json("l") + " OFFSET 0) x ON true WHERE x.found IS NULL",
            {tid}));
        if (agreed > 0) {
            auto c = conn.query_text(conn.dialect().row_count_sql(rt.schema, rt.name));
            const long long remote_rows = c.rows.empty() || !c.rows[0][0] ? -1 : std::stoll(*c.rows[0][0]);
            if (remote_rows != agreed + added) {
                counts.key_scan = true;
                const std::string keys = s.gone + "_keys";
                load(spi, conn, s, keys, s.key, select_all(conn.kind(), rt, s.key, false));
                spi.execute("INSERT INTO " + s.gone + " SELECT st.key FROM berqenas.sync_row_state st WHERE st.sync_table_id = " +
                            tid + " AND NOT EXISTS (SELECT 1 FROM " + keys + " rk WHERE " + s.key_match("rk", "st.key") + ")");
                spi.execute("DROP TABLE " + keys);
            }
        }
    }

    phase("looked for hard deletes on the remote");
    // 3. Every key that may have changed on either side, with both versions' hashes and times and
    //    the agreed content. The cloud's rows are locked first: no cloud writer slips in between.
    const std::string cloud_since =
        first ? "NULL::timestamp"
              : "(" + llit(*t.cloud_watermark) + "::timestamp - make_interval(secs => " + std::to_string(SyncSettings::overlap_s) + "))";
    const std::string remote_gone_at = "(extract(epoch FROM " + llit(run.remote_now) + "::timestamp) * 1000000)::bigint - " +
                                       to_s(run.clock_offset_us);
    spi.execute("CREATE TEMP TABLE " + s.cand + " AS "
                "SELECT " + s.key_json("l") + " AS k FROM " + s.local_rows + " l"
                " UNION SELECT " + s.key_json("c") + " FROM " + s.cloud + " c WHERE " + cloud_since + " IS NULL OR c." +
                lid(s.updated_at) + " > " + cloud_since +
                " UNION SELECT key FROM berqenas.sync_tombstones WHERE sync_table_id = " + tid +
                " UNION SELECT k FROM " + s.gone +
                " UNION SELECT primary_key FROM berqenas.sync_conflicts WHERE sync_table_id = " + tid + " AND status = 'open'");
    spi.execute("ANALYZE " + s.cand);
    // Few candidates against a large table: one probe by key each (LATERAL ... OFFSET 0 cannot be
    // turned into a hash join over the whole cloud copy or the agreed rows, which the planner
    // prefers at random_page_cost 4 though the pages are cached). Many (a first run): joins.
    const long long candidates = std::stoll(*spi.scalar("SELECT count(*) FROM " + s.cand));
    const bool probe = candidates * 20 < t.agreed_rows;
    const std::string cloud_join =
        probe ? " LEFT JOIN LATERAL (SELECT * FROM " + s.cloud + " c WHERE " + s.key_match("c", "cand.k") + " OFFSET 0) c ON true"
              : " LEFT JOIN " + s.cloud + " c ON " + s.key_match("c", "cand.k");
    const std::string state_join =
        probe ? " LEFT JOIN LATERAL (SELECT st.content_hash FROM berqenas.sync_row_state st WHERE st.sync_table_id = " + tid +
                    " AND st.key = cand.k OFFSET 0) st ON true"
              : " LEFT JOIN berqenas.sync_row_state st ON st.sync_table_id = " + tid + " AND st.key = cand.k";
    spi.execute(
        "CREATE TEMP TABLE " + s.plan + " AS"
        " SELECT row_number() OVER () AS n, cand.k,"
        " " + s.first_key("c") + " IS NOT NULL AS cloud_present,"
        " CASE WHEN " + s.first_key("c") + " IS NOT NULL THEN " + s.content_hash("c") + " END AS cloud_hash,"
        " CASE WHEN " + s.first_key("c") + " IS NOT NULL THEN (extract(epoch FROM c." + lid(s.updated_at) + ") * 1000000)::bigint"
        "      ELSE (extract(epoch FROM tb.deleted_at AT TIME ZONE pg_catalog.current_setting('TimeZone')) * 1000000)::bigint END AS cloud_at,"
        " " + s.first_key("l") + " IS NOT NULL AS local_read, g.k IS NOT NULL AS local_gone,"
        " CASE WHEN " + s.first_key("l") + " IS NOT NULL THEN " + s.content_hash("l") + " END AS local_hash,"
        " CASE WHEN g.k IS NOT NULL THEN " + remote_gone_at +
        "      ELSE (extract(epoch FROM l." + lid(s.updated_at) + ") * 1000000)::bigint - " + to_s(run.clock_offset_us) + " END AS local_at,"
        " st.content_hash AS base_hash, cf.id AS open_conflict, cf.chosen_winner AS chosen,"
        " NULL::text AS action, NULL::text AS winner, false AS conflict"
        " FROM " + s.cand + " cand"
        + cloud_join +
        " LEFT JOIN " + s.local_rows + " l ON " + s.key_match("l", "cand.k") +
        " LEFT JOIN " + s.gone + " g ON g.k = cand.k"
        + state_join +
        " LEFT JOIN berqenas.sync_tombstones tb ON tb.sync_table_id = " + tid + " AND tb.key = cand.k"
        " LEFT JOIN berqenas.sync_conflicts cf ON cf.sync_table_id = " + tid + " AND cf.status = 'open' AND cf.primary_key = cand.k");
    spi.execute("CREATE UNIQUE INDEX ON " + s.plan + " (n)");
    spi.execute("ANALYZE " + s.plan);
    if (!run.dry_run)
        spi.execute(probe ? "SELECT count(*) FROM " + s.plan + " p CROSS JOIN LATERAL (SELECT 1 FROM " + s.cloud + " c WHERE " +
                                s.key_match("c", "p.k") + " FOR UPDATE) x"
                          : "SELECT 1 FROM " + s.cloud + " c WHERE EXISTS (SELECT 1 FROM " + s.plan + " p WHERE " +
                                s.key_match("c", "p.k") + ") FOR UPDATE OF c");

    phase("listed and locked the candidate keys");
    // 4. Each key decided by the conflict policy, a batch at a time.
    long long last = 0;
    for (;;) {
        auto batch = spi.execute("SELECT n, cloud_present, cloud_hash, cloud_at, local_read, local_gone, local_hash, local_at, "
                                 "base_hash, open_conflict IS NOT NULL, chosen FROM " + s.plan +
                                 " WHERE n > $1::bigint ORDER BY n LIMIT " + std::to_string(decision_batch),
                                 {to_s(last)});
        if (batch.rows.empty()) break;
        std::vector<std::string> ns, actions, winners, conflicts;
        for (const auto& row : batch.rows) {
            last = std::stoll(*row[0]);
            const std::optional<long long> base = opt_ll(row[8]);
            RowFacts f;
            f.synced_hash = base ? uint64_t(*base) : 0;
            // The cloud: its row as it is now.
            f.cloud.deleted = *row[1] != "t";
            if (!f.cloud.deleted) f.cloud.content_hash = uint64_t(std::stoll(*row[2]));
            f.cloud.changed = f.cloud.deleted ? base.has_value() : !base || uint64_t(*base) != f.cloud.content_hash;
            f.cloud.updated_at = opt_ll(row[3]);
            // The remote: read (changed), gone (hard delete), or not read (unchanged since the last run).
            const bool read = *row[4] == "t", gone = *row[5] == "t";
            if (gone || read) {
                f.remote.deleted = gone;
                if (!gone) f.remote.content_hash = uint64_t(std::stoll(*row[6]));
                f.remote.changed = gone ? base.has_value() : !base || uint64_t(*base) != f.remote.content_hash;
                f.remote.updated_at = opt_ll(row[7]);
            } else {
                f.remote.deleted = !base;
                f.remote.content_hash = f.synced_hash;
            }
            Resolution r = resolve_row(run.strategy, f);
            const bool conflict = is_conflict(f);
            // An open conflict keeps both sides as they are until resolve_conflict chose a side.
            if (*row[9] == "t" && r != Resolution::equal_content && r != Resolution::no_change)
                r = row[10] == pg::SqlValue("cloud")   ? Resolution::apply_cloud
                    : row[10] == pg::SqlValue("local") ? Resolution::apply_remote
                                                       : Resolution::hold;
            ns.push_back(*row[0]);
            actions.push_back(action_name(r));
            winners.push_back(!conflict || r == Resolution::hold ? "" : r == Resolution::apply_cloud ? "cloud" : "local");
            conflicts.push_back(conflict ? "t" : "f");
        }
        spi.execute("UPDATE " + s.plan + " p SET action = d.a, winner = nullif(d.w, ''), conflict = d.c "
                    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[]) AS d (n, a, w, c) WHERE p.n = d.n",
                    {pg::text_array_literal(ns), pg::text_array_literal(actions), pg::text_array_literal(winners),
                     pg::text_array_literal(conflicts)});
        pg::check_for_interrupts();
    }
    auto tally = spi.execute("SELECT count(*) FILTER (WHERE action = 'to_local'), count(*) FILTER (WHERE action = 'to_cloud'), "
                             "count(*) FILTER (WHERE conflict AND open_conflict IS NULL), count(*) FILTER (WHERE conflict AND action <> 'hold'), "
                             "count(*) FILTER (WHERE action = 'hold') FROM " + s.plan);
    counts.cloud_to_local = std::stoll(*tally.rows[0][0]);
    counts.local_to_cloud = std::stoll(*tally.rows[0][1]);
    counts.conflicts_detected = std::stoll(*tally.rows[0][2]);
    counts.conflicts_resolved = std::stoll(*tally.rows[0][3]);
    counts.conflicts_open = std::stoll(*tally.rows[0][4]);

    phase("decided every key");
    if (!run.dry_run) {
        // 5. Conflicts, with both versions as they were found.
        const std::string strategy = conflict_strategy_name(run.strategy);
        spi.execute("INSERT INTO berqenas.sync_conflicts (remote_database_id, sync_job_id, sync_table_id, table_name, primary_key, "
                    "cloud_row, local_row, cloud_hash, local_hash, strategy, resolution, winner, status, resolved_at) "
                    "SELECT $1::bigint, $2::bigint, $3::bigint, $4, p.k, CASE WHEN p.cloud_present THEN to_jsonb(c) END, "
                    "CASE WHEN NOT p.local_gone THEN to_jsonb(l) END, p.cloud_hash::text, p.local_hash::text, $5, "
                    "CASE WHEN p.action = 'hold' THEN NULL ELSE $5 END, p.winner, "
                    "CASE WHEN p.action = 'hold' THEN 'open' ELSE 'resolved' END, CASE WHEN p.action = 'hold' THEN NULL ELSE now() END "
                    "FROM " + s.plan + " p LEFT JOIN " + s.cloud + " c ON " + s.key_match("c", "p.k") + " LEFT JOIN " + s.local_rows +
                    " l ON " + s.key_match("l", "p.k") + " WHERE p.conflict AND p.open_conflict IS NULL",
                    {to_s(run.remote_database_id), to_s(run.job_id), tid, rt.name, strategy});
        // Open conflicts resolved by a choice (resolve_conflict) or because both sides became equal.
        spi.execute("UPDATE berqenas.sync_conflicts cf SET status = 'resolved', resolved_at = now(), winner = cf.chosen_winner, "
                    "resolution = CASE WHEN cf.chosen_winner IS NULL THEN 'converged' ELSE 'manual' END "
                    "FROM " + s.plan + " p WHERE cf.id = p.open_conflict AND p.action <> 'hold'");

        phase("logged conflicts");
        // 6. The journal (rollback): each side's row as it was where the run writes it, and the
        //    content both sides had agreed on. Remote rows the run overwrites without having read
        //    them (unchanged on premise) are read now.
        if (SyncSettings::journal) {
            fetch_rows(spi, conn, rt, s, s.local_rows,
                       "FROM " + s.plan + " p WHERE p.action = 'to_local' AND NOT p.local_read AND NOT p.local_gone");
            spi.execute("INSERT INTO berqenas.sync_two_way_journal (sync_job_id, sync_table_id, key, cloud_written, cloud_old, "
                        "remote_written, remote_old, agreed_old) "
                        "SELECT $1::bigint, $2::bigint, p.k, p.action = 'to_cloud', "
                        "CASE WHEN p.action = 'to_cloud' AND p.cloud_present THEN to_jsonb(c) END, "
                        "p.action = 'to_local', CASE WHEN p.action = 'to_local' THEN to_jsonb(l) END, p.base_hash "
                        "FROM " + s.plan + " p LEFT JOIN " + s.cloud + " c ON " + s.key_match("c", "p.k") + " LEFT JOIN " +
                        s.local_rows + " l ON " + s.key_match("l", "p.k") +
                        " WHERE p.action IN ('to_cloud', 'to_local', 'converged')",
                        {to_s(run.job_id), tid});
        }

        phase("journaled");
        // 7. Both sides written: the remote in its open transaction, the cloud in ours.
        write_remote(conn, rt, s, run.remote_now,
                     "FROM " + s.plan + " p JOIN " + s.cloud + " c ON " + s.key_match("c", "p.k") +
                         " WHERE p.action = 'to_local' AND p.cloud_present",
                     "FROM " + s.plan + " p WHERE p.action = 'to_local' AND NOT p.cloud_present");
        write_cloud(spi, s);

        phase("wrote both sides");
        // 8. The agreed content moves on for every key decided; held keys keep theirs.
        const std::string agreed = "CASE p.action WHEN 'to_cloud' THEN p.local_hash ELSE p.cloud_hash END";
        const long long removed = spi.execute(
            "DELETE FROM berqenas.sync_row_state st USING " + s.plan + " p WHERE st.sync_table_id = " + tid +
            " AND st.key = p.k AND p.action IN ('to_cloud', 'to_local', 'converged') AND " + agreed + " IS NULL").processed;
        // xmax = 0: the row was inserted, not updated (a key agreed on for the first time).
        const long long added_keys = std::stoll(*spi.scalar(
            "WITH w AS (INSERT INTO berqenas.sync_row_state AS st (sync_table_id, key, content_hash, synced_job_id) "
            "SELECT " + tid + ", p.k, " + agreed + ", " + to_s(run.job_id) + " FROM " + s.plan + " p "
            "WHERE p.action IN ('to_cloud', 'to_local', 'converged') AND " + agreed + " IS NOT NULL "
            "ON CONFLICT (sync_table_id, key) DO UPDATE SET content_hash = EXCLUDED.content_hash, "
            "synced_job_id = EXCLUDED.synced_job_id RETURNING (st.xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted) FROM w"));
        // Many new agreed keys at once (a first run): the next run's probes by key need statistics
        // that know about them, before autovacuum gets there.
        if (added_keys > 10000 && added_keys * 10 > t.agreed_rows) spi.execute("ANALYZE berqenas.sync_row_state");
        spi.execute("DELETE FROM berqenas.sync_tombstones tb USING " + s.plan + " p WHERE tb.sync_table_id = " + tid +
                    " AND tb.key = p.k AND p.action <> 'hold'");
        spi.execute("UPDATE berqenas.sync_tables SET bd_cloud_watermark = $2::timestamp, bd_local_watermark = $3::timestamp, "
                    "bd_agreed_rows = $5::bigint, last_sync_job_id = $4::bigint, last_synced_at = now() WHERE id = $1::bigint",
                    {tid, run.cloud_now, run.remote_now, to_s(run.job_id), to_s(t.agreed_rows + added_keys - removed)});
    }
    phase("recorded the agreed content");
    spi.execute("DROP TABLE " + s.plan + ", " + s.cand + ", " + s.gone + ", " + s.local_rows);
    return counts;
}

}  // namespace berqenas::sync
