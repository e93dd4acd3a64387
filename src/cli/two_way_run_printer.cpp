// The table and totals of one two-way run (bidirectional_sync, or sync on a two-way database),
// drawn as the product docs draw them.
#include "two_way_run_printer.hpp"

#include "formatting.hpp"
#include "table_printer.hpp"

#include <fmt/core.h>

#include <string>
#include <vector>

namespace berqenas::cli {
namespace {

long long number(const Json& value) { return value.is_number_integer() ? value.get<long long>() : 0; }

std::string joined(const Json& names) {
    std::string out;
    for (const Json& n : names) out += (out.empty() ? "" : ", ") + cell(n);
    return out;
}

}  // namespace

bool is_two_way_run(const Json& result) { return field(result, "results").is_object(); }

void print_two_way_run(const Json& result, bool verbose) {
    std::vector<std::string> headers = {"Table", "Cloud→L", "Local→C", "Conflicts", "Resolved"};
    if (verbose) headers.insert(headers.end(), {"Open", "Rows read"});
    TablePrinter table(headers);
    long long to_local = 0, to_cloud = 0, conflicts = 0, open = 0;
    for_each_table(field(result, "results"), [&](const std::string& name, const Json& t) {
        std::vector<std::string> row = {name, cell(field(t, "cloud_to_local")), cell(field(t, "local_to_cloud")),
                                        cell(field(t, "conflicts_detected")), cell(field(t, "conflicts_resolved"))};
        if (verbose) row.insert(row.end(), {cell(field(t, "conflicts_open")), cell(field(t, "rows_read"))});
        table.add_row(row);
        to_local += number(field(t, "cloud_to_local"));
        to_cloud += number(field(t, "local_to_cloud"));
        conflicts += number(field(t, "conflicts_detected"));
        open += number(field(t, "conflicts_open"));
    });
    if (!table.empty()) table.print();
    Json copied = field(result, "copied_first");
    if (copied.is_array() && !copied.empty()) fmt::print("copied first (a table's first run copies it whole): {}\n", joined(copied));
    Json not_copied = field(result, "not_copied_yet");
    if (not_copied.is_array() && !not_copied.empty()) {
        fmt::print("not copied yet (the real run copies them whole first): {}\n", joined(not_copied));
    }
    fmt::print("total: {} cloud→local, {} local→cloud, conflicts: {}\n", to_local, to_cloud,
               conflicts_text(conflicts, open));
    const bool dry = field(result, "dry_run") == true;
    if (dry) {
        // A dry run is no sync: it has no sync id.
        fmt::print("{} row(s) would be synced (looked in {} s), strategy {}\n", cell(field(result, "total_synced")),
                   cell(field(result, "duration_seconds")), cell(field(result, "strategy")));
    } else {
        fmt::print("{} {}: {} row(s) synced in {} s, strategy {}\n", cell(field(result, "sync_id")),
                   field(result, "success") == true ? "succeeded" : "failed", cell(field(result, "total_synced")),
                   cell(field(result, "duration_seconds")), cell(field(result, "strategy")));
    }
    if (verbose) fmt::print("clock offset: {} ms (remote clock minus cloud clock)\n", cell(field(result, "clock_offset_ms")));
    if (dry) fmt::print("dry run: nothing was written\n");
}

}  // namespace berqenas::cli
