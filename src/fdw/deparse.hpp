// Expressions and statements in the remote's SQL: WHERE conditions, ORDER BY, SELECT/INSERT/
// UPDATE/DELETE text. One walker both decides whether an expression can be sent and writes it.
#pragma once

#include <string>
#include <vector>

#include "fdw/fdw_options.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "nodes/pathnodes.h"
#include "nodes/primnodes.h"
}

namespace berqenas::fdw {

// Parameters of a remote that does not bind them (Dialect::binds_parameters; MSSQL) are inlined at
// execution: the SQL carries this marker around the parameter's number, and substitute_params()
// replaces it with the value's literal.
inline constexpr char kParamMarker = '\x1f';

struct DeparseContext {
    const TableOptions* table = nullptr;
    Index relid = 0;                 // range table index of the scanned relation
    List** params = nullptr;         // collects Param expressions (nullptr: only checking)
    bool recheck = false;            // out: the remote may return extra rows (MSSQL text semantics)
    bool under_not = false;
    // A grouped query's select list, GROUP BY, HAVING and ORDER BY: aggregates may be sent, and
    // PostgreSQL text columns are read as ::text (the remote's may be citext or an enum).
    bool upper = false;
    // Writing the select list itself: an MSSQL avg may be sent as two columns (sum, count), which
    // only a select list can hold (not HAVING or ORDER BY).
    bool select_list = false;
};

// How one remote column of a grouped query's select list fills the scan tuple: its own output, or
// one half of an MSSQL avg (an exact sum, then the count), divided here as PostgreSQL's avg does.
enum class ColumnRole : int { value = 0, avg_sum = 1, avg_count = 2 };

// One remote column of a grouped output, and the type it is read as (InvalidOid: the output's own;
// typmod -1: the type's own).
struct OutputColumn {
    ColumnRole role = ColumnRole::value;
    Oid type = InvalidOid;
    int32 typmod = -1;
};

// Writes expr into out; false when it cannot be sent (then out is garbage).
bool deparse_expr(DeparseContext& ctx, Expr* expr, std::string& out);
// One condition (a boolean column alone becomes "[c] = 1" for T-SQL).
bool deparse_condition(DeparseContext& ctx, Expr* expr, std::string& out);
// Condition list joined by AND; false when any cannot be sent.
bool deparse_conditions(DeparseContext& ctx, List* exprs, std::string& out);
// ORDER BY for pathkeys; false when any key cannot be sent.
bool deparse_order_by(DeparseContext& ctx, RelOptInfo* rel, List* pathkeys, std::string& out);
// ORDER BY for pathkeys over a grouped query's output: each key must be one of exprs (grouping
// columns and aggregates sent in the select list).
bool deparse_upper_order_by(DeparseContext& ctx, List* pathkeys, List* exprs, std::string& out);
// GROUP BY expr means the same remotely: a plain column (for MSSQL of a type compared alike
// there: not text, which is case-insensitive).
bool groupable(DeparseContext& ctx, Expr* expr);
// The remote columns a grouped query's output comes back as, in select-list order, and how each
// is read. Usually one column, read as the output's type; MSSQL decimals come back with the scale
// of the remote's expression type (and the TDS test server's stand-in may widen it), so sum/min/max
// over numeric(p,s) or bigint are read with PostgreSQL's scale. An MSSQL avg is two columns: the
// exact sum (numeric of the argument's scale, or float8) and the count (int8).
std::vector<OutputColumn> upper_output_columns(DeparseContext& ctx, Expr* expr);
// A grouped query's select-list item: a grouping column or an aggregate (an MSSQL avg writes two
// comma-separated columns, see upper_output_columns).
bool deparse_upper_output(DeparseContext& ctx, Expr* expr, std::string& out);

std::string remote_table_name(const TableOptions& table);   // quoted schema.table, or (query) AS q
std::string remote_column(const TableOptions& table, int attnum);
// A column as a scan's select list fetches it: as_utf16 when given (an MSSQL n-type as its
// UTF-16 bytes, see nchar_utf16_selects), else the column; a PostgreSQL remote's text and types
// of our own (enums, domains, extensions) as text, parsed by the local type.
std::string fetched_column(const TableOptions& table, int attnum, const std::string& as_utf16);
// The select list fetching these columns (attnums, in order) as fetched_column does, with
// utf16_selects indexed by attnum - 1 (nchar_utf16_selects); "NULL" when there are none.
std::string fetched_columns(const TableOptions& table, const std::vector<int>& attnums,
                            const std::vector<std::string>& utf16_selects);

// Without bound parameters: replaces parameter markers with literals (values in params order).
std::string substitute_params(const std::string& sql, const std::vector<std::string>& literals);
// For EXPLAIN: markers shown as @P1, @P2, ...
std::string display_params(const std::string& sql);

}  // namespace berqenas::fdw
