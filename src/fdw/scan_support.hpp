// Storing a remote row into a tuple slot, shared by scans and RETURNING; a value that cannot be
// converted is reported with its column and the remote row's key.
#pragma once

#include <vector>

#include "fdw/fdw_options.hpp"
#include "fdw/value_to_datum.hpp"
#include "remote/remote_connection.hpp"

extern "C" {
#include "executor/tuptable.h"
}

namespace berqenas::fdw {

// Clears slot, then row[i] goes to attribute attrs[i] through readers[i]; other attributes are NULL.
// table_layout: the slot has the table's columns (false: a grouped query's outputs, named in
// errors by the remote result's column names).
void store_row(const TableOptions& table, const std::vector<int>& attrs, std::vector<ColumnReader>& readers,
               const std::vector<remote::StreamColumn>& columns, const std::vector<remote::RemoteValue>& row,
               TupleTableSlot* slot, bool table_layout = true);

}  // namespace berqenas::fdw
