// journal_key_sql: the journal's row key as a jsonb_build_object expression over key columns,
// written the same way by every writer of the journal (see journal_key.hpp).
#include "sync/engine/journal_key.hpp"

#include "common/error.hpp"
#include "sync/engine/local_literal.hpp"

namespace berqenas::sync {

std::string journal_key_sql(const std::vector<std::string>& key_columns, const std::vector<std::string>& values) {
    if (key_columns.size() != values.size() || key_columns.empty())
        throw Error(sqlstate::internal_error, "a journal key needs one value per key column");
    std::string out = "jsonb_build_object(";
    for (size_t i = 0; i < key_columns.size(); ++i)
        out += (i ? ", " : "") + local_literal(key_columns[i]) + "::text, " + values[i] + "::text";
    return out + ")";
}

}  // namespace berqenas::sync
