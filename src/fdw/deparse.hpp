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

// MSSQL parameters are inlined at execution: the SQL carries this marker around the parameter's
// number, and substitute_params() replaces it with the value's literal.
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
// The typmod an output of a grouped query is read with (-1: its own). MSSQL decimals come back
// with the scale of the remote's expression type (and the TDS test server's stand-in may widen it);
// sum/min/max over numeric(p,s) or bigint have PostgreSQL's scale, so the value is read with it.
int32 upper_output_typmod(DeparseContext& ctx, Expr* expr);
// A grouped query's select-list item: a grouping column or an aggregate.
bool deparse_upper_output(DeparseContext& ctx, Expr* expr, std::string& out);

std::string remote_table_name(const TableOptions& table);   // quoted schema.table, or (query) AS q
std::string remote_column(const TableOptions& table, int attnum);

// MSSQL: replaces parameter markers with literals (values in params order).
std::string substitute_params(const std::string& sql, const std::vector<std::string>& literals);
// For EXPLAIN: markers shown as @P1, @P2, ...
std::string display_params(const std::string& sql);

}  // namespace berqenas::fdw
