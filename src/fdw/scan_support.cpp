// Row storing with column-and-key error reports.
#include "fdw/scan_support.hpp"

extern "C" {
#include "executor/executor.h"
#include "utils/builtins.h"
}

namespace berqenas::fdw {

namespace {

// "id=5, region=EU" from the row's key columns (those it has), or "" when none converts.
std::string describe_key(const TableOptions& table, const std::vector<int>& attrs, std::vector<ColumnReader>& readers,
                         const std::vector<remote::StreamColumn>& columns, const std::vector<remote::RemoteValue>& row) {
    std::string out;
    for (size_t i = 0; i < attrs.size() && i < row.size(); ++i) {
        const ColumnOptions& c = table.columns[size_t(attrs[i] - 1)];
        if (!c.key) continue;
        try {
            bool isnull = false;
            Datum d = pg::pg_call([&] { return value_to_datum(readers[i], row[i], columns[i].type_code, &isnull); });
            auto text = datum_to_text(d, isnull, c.type_oid);
            if (!out.empty()) out += ", ";
            out += c.remote_name + "=" + (text ? *text : "NULL");
        } catch (const Error&) {
        }
    }
    return out;
}

}  // namespace

void store_row(const TableOptions& table, const std::vector<int>& attrs, std::vector<ColumnReader>& readers,
               const std::vector<remote::StreamColumn>& columns, const std::vector<remote::RemoteValue>& row,
               TupleTableSlot* slot, bool table_layout) {
    int natts = slot->tts_tupleDescriptor->natts;
    Datum* values = slot->tts_values;
    bool* nulls = slot->tts_isnull;
    size_t n = attrs.size();
    if (row.size() < n || columns.size() < n)
        throw Error(sqlstate::fdw_error, "the remote returned " + std::to_string(row.size()) + " columns, expected " +
                                             std::to_string(n));
    try {
        // One guard per row: clearing, converting and storing (the clear and the store cannot fail).
        pg::pg_call([&] {
            ExecClearTuple(slot);
            if (int(n) != natts)
                for (int i = 0; i < natts; ++i) {
                    values[i] = Datum(0);
                    nulls[i] = true;
                }
            for (size_t i = 0; i < n; ++i) {
                int a = attrs[i] - 1;
                values[a] = value_to_datum(readers[i], row[i], columns[i].type_code, &nulls[a]);
            }
            ExecStoreVirtualTuple(slot);
        });
    } catch (const Error& e) {
        std::string column = "?";
        for (size_t i = 0; i < n; ++i) {
            try {
                bool isnull;
                pg::pg_call([&] { return value_to_datum(readers[i], row[i], columns[i].type_code, &isnull); });
            } catch (const Error&) {
                column = table_layout ? table.columns[size_t(attrs[i] - 1)].remote_name : columns[i].name;
                break;
            }
        }
        std::string key = table_layout ? describe_key(table, attrs, readers, columns, row) : std::string();
        throw Error(e.sqlstate(),
                    "cannot convert remote column \"" + column + "\" of " + table.table_name + ": " + e.what(),
                    key.empty() ? "the remote row has no key column to name it" : "remote row with key " + key,
                    e.hint());
    }
}

}  // namespace berqenas::fdw
