// Row storing with column-and-key error reports: the failing column is noted by an error context
// callback while the row converts, never found by converting again.
#include "fdw/scan_support.hpp"

#include "convert/outbound.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/numeric.h"
}

namespace berqenas::fdw {

// Values cross the remote boundary through the shared conversion layer.
using namespace berqenas::convert;

namespace {

// Which column a row's conversion is at, and which one failed: the error context callback below
// notes it when a conversion ereports (as postgres_fdw's conversion_error_callback knows its
// attribute), so the failing column is named without converting anything again.
struct ConversionPosition {
    int current = 0;             // set before each column's conversion
    volatile int failed = -1;    // written during the ereport, read after it has unwound
};

// An error context callback: it runs inside errfinish and must neither fail nor raise.
void note_failing_column(void* arg) noexcept {
    auto* position = static_cast<ConversionPosition*>(arg);
    position->failed = position->current;
}

// "id=5, region=EU" from the row's key columns, or "" when there is none to show: those before
// the failing column as converted (in slot_values), those after it as the remote sent them when
// that is a plain number or text (they were not converted).
std::string describe_key(const TableOptions& table, const std::vector<int>& attrs, const Datum* slot_values,
                         const bool* slot_nulls, size_t failed, const std::vector<remote::RemoteValue>& row) {
    std::string out;
    for (size_t i = 0; i < attrs.size() && i < row.size(); ++i) {
        const ColumnOptions& c = table.columns[size_t(attrs[i] - 1)];
        if (!c.key || i == failed) continue;
        std::string text;
        if (i < failed) {
            auto converted = datum_to_text(slot_values[attrs[i] - 1], slot_nulls[attrs[i] - 1], c.type_oid);
            text = converted ? *converted : "NULL";
        } else if (row[i].kind == remote::ValueKind::int64) {
            text = std::to_string(row[i].i);
        } else if (row[i].kind == remote::ValueKind::text) {
            text = std::string(row[i].bytes);
        } else if (row[i].kind == remote::ValueKind::null) {
            text = "NULL";
        } else {
            continue;
        }
        if (!out.empty()) out += ", ";
        out += c.remote_name + "=" + text;
    }
    return out;
}

// avg = sum / count, as PostgreSQL's avg final functions compute it: int8_avg, numeric_poly_avg
// and numeric_avg divide the exact sum by the count with numeric_div; float8_avg divides in
// float8. No rows (count 0) is NULL. Runs inside pg_call.
Datum average(const ColumnReader& sum_reader, Datum sum, bool sum_null, Datum count, bool count_null, bool* isnull) {
    *isnull = sum_null || count_null || DatumGetInt64(count) == 0;
    if (*isnull) return Datum(0);
    if (sum_reader.local_type == FLOAT8OID) return Float8GetDatum(DatumGetFloat8(sum) / double(DatumGetInt64(count)));
    return DirectFunctionCall2(numeric_div, sum, NumericGetDatum(int64_to_numeric(DatumGetInt64(count))));
}

}  // namespace

void store_row(const TableOptions& table, const std::vector<int>& attrs, std::vector<ColumnReader>& readers,
               const std::vector<remote::StreamColumn>& columns, const std::vector<remote::RemoteValue>& row,
               TupleTableSlot* slot, bool table_layout, const std::vector<ColumnRole>& roles) {
    int natts = slot->tts_tupleDescriptor->natts;
    Datum* values = slot->tts_values;
    bool* nulls = slot->tts_isnull;
    size_t n = attrs.size();
    if (row.size() < n || columns.size() < n)
        throw Error(sqlstate::fdw_error, "the remote returned " + std::to_string(row.size()) + " columns, expected " +
                                             std::to_string(n));
    ConversionPosition position;
    try {
        // One guard per row: clearing, converting and storing (the clear and the store cannot fail).
        pg::pg_call([&] {
            ErrorContextCallback callback{error_context_stack, note_failing_column, &position};
            error_context_stack = &callback;
            ExecClearTuple(slot);
            if (roles.empty() && int(n) == natts) {
                // The common case (each remote column fills one output) in a short loop: bulk
                // reads spend a good part of their time here. Plain pointers: we build with
                // -fno-strict-aliasing (as PostgreSQL does), so every store would otherwise
                // reload the vectors' data pointers. position.current is in memory only when a
                // conversion calls out (where it may fail).
                const int* attr = attrs.data();
                ColumnReader* reader = readers.data();
                const remote::RemoteValue* value = row.data();
                for (size_t i = 0; i < n; ++i) {
                    int a = attr[i] - 1;
                    position.current = int(i);
                    values[a] = value_to_datum(reader[i], value[i], columns[i].type_code, &nulls[a]);
                }
                ExecStoreVirtualTuple(slot);
                error_context_stack = callback.previous;
                return;
            }
            // Every output is set below when the remote columns cover them one to one; otherwise
            // (some columns not fetched, or an avg read as two) the rest start NULL.
            if (int(n) != natts)
                for (int i = 0; i < natts; ++i) {
                    values[i] = Datum(0);
                    nulls[i] = true;
                }
            Datum sum = Datum(0);
            bool sum_null = true;
            for (size_t i = 0; i < n; ++i) {
                int a = attrs[i] - 1;
                position.current = int(i);
                ColumnRole role = i < roles.size() ? roles[i] : ColumnRole::value;
                if (role == ColumnRole::value) {
                    values[a] = value_to_datum(readers[i], row[i], columns[i].type_code, &nulls[a]);
                } else if (role == ColumnRole::avg_sum) {
                    sum = value_to_datum(readers[i], row[i], columns[i].type_code, &sum_null);
                } else {
                    bool count_null;
                    Datum count = value_to_datum(readers[i], row[i], columns[i].type_code, &count_null);
                    values[a] = average(readers[i - 1], sum, sum_null, count, count_null, &nulls[a]);
                }
            }
            ExecStoreVirtualTuple(slot);
            error_context_stack = callback.previous;
        });
    } catch (const Error& e) {
        // An ereport named its column through the callback; a C++ exception from a conversion
        // unwound normally, so position.current is where it stopped.
        const int failed_at = position.failed >= 0 ? position.failed : position.current;
        const size_t failed = size_t(failed_at);
        std::string column = "?";
        if (failed < n) column = table_layout ? table.columns[size_t(attrs[failed] - 1)].remote_name : columns[failed].name;
        std::string key = table_layout ? describe_key(table, attrs, values, nulls, failed, row) : std::string();
        throw Error(e.sqlstate(),
                    "cannot convert remote column \"" + column + "\" of " + table.table_name + ": " + e.what(),
                    key.empty() ? "the remote row has no key column to name it" : "remote row with key " + key,
                    e.hint());
    }
}

}  // namespace berqenas::fdw
