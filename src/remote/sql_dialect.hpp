// How to write SQL for each remote kind: identifier and literal quoting, qualified names and
// SELECT with a row limit (LIMIT/OFFSET for PostgreSQL, TOP / OFFSET FETCH for T-SQL).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/connection_params.hpp"

namespace berqenas::remote {

// PostgreSQL: "x" with " doubled (always quoted, so case and keywords survive).
// T-SQL: [x] with ] doubled.
std::string quote_identifier(DatabaseKind kind, std::string_view name);
// schema.table, each part quoted; an empty schema gives the table alone.
std::string qualified_name(DatabaseKind kind, std::string_view schema, std::string_view table);
// PostgreSQL: '...' with ' doubled, E'...' with \ doubled when the text holds a backslash.
// T-SQL: N'...' with ' doubled (Unicode literal, so no code page can mangle it).
std::string quote_literal(DatabaseKind kind, std::string_view value);
// A binary literal: PostgreSQL '\x..'::bytea, T-SQL 0x.. (0x for empty).
std::string binary_literal(DatabaseKind kind, std::string_view bytes);
// Boolean literal: true/false for PostgreSQL, 1/0 for T-SQL (bit).
std::string boolean_literal(DatabaseKind kind, bool value);

// The parts of one SELECT; build_select() adds the kind's limit syntax.
struct SelectParts {
    std::string columns;                  // "a, b" (must not be empty)
    std::string from;                     // "[dbo].[t]" or "(SELECT ...) AS q"
    std::string where;                    // condition without WHERE; empty: none
    std::string group_by;                 // "a, b" without GROUP BY; empty: none
    std::string having;                   // condition without HAVING; empty: none
    std::string order_by;                 // "a ASC, b DESC" without ORDER BY; empty: none
    std::optional<long long> limit;       // no limit when empty
    long long offset = 0;
};
// PostgreSQL: SELECT c FROM f [WHERE w] [GROUP BY g] [HAVING h] [ORDER BY o] [LIMIT n] [OFFSET m]
// T-SQL:      SELECT [TOP (n)] c FROM f ...          when there is no offset
//             ... ORDER BY o OFFSET m ROWS [FETCH NEXT n ROWS ONLY]  with an offset
//             (ORDER BY (SELECT NULL) when no order was given: T-SQL needs one for OFFSET)
std::string build_select(DatabaseKind kind, const SelectParts& parts);

// An upsert of literal rows into table by its key, without MERGE (Babelfish refuses it):
//   UPDATE t SET c = s.c FROM (VALUES ...) AS s (k, c) WHERE t.k = s.k;
//   INSERT INTO t (k, c) SELECT s.k, s.c FROM (VALUES ...) AS s (k, c)
//    WHERE NOT EXISTS (SELECT 1 FROM t AS e WHERE e.k = s.k)
// Both statements are valid T-SQL and PostgreSQL; the caller runs them in one transaction.
// rows: one literal per column (already quoted with quote_literal() etc.), in `columns` order.
struct UpsertStatements {
    std::string update;   // empty when every column is a key column
    std::string insert;
};
UpsertStatements build_upsert(DatabaseKind kind, std::string_view schema, std::string_view table,
                              const std::vector<std::string>& columns, const std::vector<std::string>& key_columns,
                              const std::vector<std::vector<std::string>>& rows);

}  // namespace berqenas::remote
