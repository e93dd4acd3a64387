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

// "old IS DISTINCT FROM new" for one column of that type: typed where compares_exactly(), as text
// otherwise (which never misses a change).
std::string column_differs_sql(Oid type, const std::string& old_value, const std::string& new_value);

}  // namespace berqenas::sync
