// When a synced row has really changed: the SQL condition comparing a row's old and new values,
// column by column, used wherever a sync decides what to write and journal.
#pragma once

#include <string>

extern "C" {
#include "postgres.h"
}

namespace berqenas::sync {

// Whether the type's equality operator holds exactly when the values are the same, so a column
// can be compared without text output.
bool compares_exactly(Oid type);

// "old IS DISTINCT FROM new" for one column of that type: typed where compares_exactly(); numeric
// also compares the scale and float the binary form (0 and -0 are equal numbers); everything else
// as text. None of them misses a change that verify() (which hashes the text) would see.
std::string column_differs_sql(Oid type, const std::string& old_value, const std::string& new_value);

}  // namespace berqenas::sync
