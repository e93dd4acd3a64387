// Storing a remote row into a tuple slot, shared by scans and RETURNING; a value that cannot be
// converted is reported with its column and the remote row's key.
#pragma once

#include <vector>

#include "fdw/deparse.hpp"
#include "fdw/fdw_options.hpp"
#include "convert/inbound.hpp"
#include "remote/remote_connection.hpp"

extern "C" {
#include "executor/tuptable.h"
}

namespace berqenas::fdw {

// Clears slot, then row[i] goes to attribute attrs[i] through readers[i]; other attributes are NULL.
// table_layout: the slot has the table's columns (false: a grouped query's outputs, named in
// errors by the remote result's column names).
// roles (grouped outputs only; empty: every column is a value): an avg_sum column and the
// avg_count column after it, both with the same attribute, fill it with sum / count as
// PostgreSQL's avg computes it (numeric_div for a numeric sum, float8 division for a float8 one;
// NULL for no rows).
void store_row(const TableOptions& table, const std::vector<int>& attrs, std::vector<convert::ColumnReader>& readers,
               const std::vector<remote::StreamColumn>& columns, const std::vector<remote::RemoteValue>& row,
               TupleTableSlot* slot, bool table_layout = true, const std::vector<ColumnRole>& roles = {});

}  // namespace berqenas::fdw
