// Planning and running a scan of a berqenas_fdw table: classify conditions, build the remote
// SELECT (columns, WHERE, ORDER BY, LIMIT where safe), stream the rows and convert them.
#include <memory>
#include <string>
#include <vector>

#include "fdw/connection_cache.hpp"
#include "fdw/deparse.hpp"
#include "fdw/fdw_options.hpp"
#include "fdw/fdw_routines.hpp"
#include "fdw/remote_columns.hpp"
#include "fdw/scan_plan.hpp"
#include "fdw/scan_support.hpp"
#include "convert/inbound.hpp"
#include "convert/outbound.hpp"
#include "remote/dialect.hpp"
#include "remote/sql_dialect.hpp"

extern "C" {
#include "access/sysattr.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace berqenas::fdw {

// Values cross the remote boundary through the shared conversion layer.
using namespace berqenas::convert;

namespace {

// What the executor keeps for one scan.
struct ScanExec {
    TableOptions table;
    std::string sql;
    std::vector<int> retrieved_attrs;
    int fetch_size = 1000;
    std::shared_ptr<remote::RemoteConnection> conn;
    std::unique_ptr<remote::RowStream> stream;
    std::vector<ColumnReader> readers;
    std::unique_ptr<RowArena> arena;   // the readers' memory for the current row's values
    std::vector<remote::RemoteValue> row;
    std::vector<Oid> param_types;
    List* param_states = NIL;
    long long rows = 0;
    bool table_layout = true;   // false: the scan tuple is a grouped query's outputs
    std::vector<ColumnRole> roles;   // grouped: how each remote column fills the outputs
    bool one_row = false;            // an aggregate without GROUP BY: at most one row comes back
};

ScanExec* scan_exec(ForeignScanState* node) {
    auto* h = static_cast<OwnedByContext<ScanExec>*>(node->fdw_state);
    return h ? h->object : nullptr;
}

}  // namespace

void get_foreign_rel_size(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid) {
    auto* info = new RelInfo();
    baserel->fdw_private = own_in_context(CurrentMemoryContext, info);
    info->table = table_options(foreigntableid);
    ListCell* lc;
    foreach (lc, baserel->baserestrictinfo) {
        RestrictInfo* ri = lfirst_node(RestrictInfo, lc);
        DeparseContext ctx;
        ctx.table = &info->table;
        ctx.relid = baserel->relid;
        std::string scratch;
        if (deparse_condition(ctx, ri->clause, scratch)) {
            info->remote_conds = pg::pg_call([&] { return lappend(info->remote_conds, ri); });
            if (ctx.recheck) info->local_conds = pg::pg_call([&] { return lappend(info->local_conds, ri); });
        } else {
            info->local_conds = pg::pg_call([&] { return lappend(info->local_conds, ri); });
        }
    }
    pg::pg_call([&] {
        pull_varattnos((Node*) baserel->reltarget->exprs, baserel->relid, &info->attrs_used);
        ListCell* c;
        foreach (c, info->local_conds) {
            RestrictInfo* ri = lfirst_node(RestrictInfo, c);
            pull_varattnos((Node*) ri->clause, baserel->relid, &info->attrs_used);
        }
        double tuples = baserel->tuples > 0 ? baserel->tuples : 1000;
        Selectivity sel = clauselist_selectivity(root, baserel->baserestrictinfo, baserel->relid, JOIN_INNER, NULL);
        baserel->rows = clamp_row_est(tuples * sel);
    });
}

void get_foreign_paths(PlannerInfo* root, RelOptInfo* baserel, Oid) {
    RelInfo* info = rel_info(baserel);
    // Remote work is mostly per row transferred; a fixed cost for the round trip.
    Cost startup = 100;
    Cost total = startup + baserel->rows * (cpu_tuple_cost * 2) + baserel->tuples * cpu_operator_cost;
    pg::pg_call([&] {
        add_path(baserel, (Path*) create_foreignscan_path(root, baserel, NULL, baserel->rows, startup, total, NIL,
                                                          baserel->lateral_relids, NULL, NIL));
    });
    if (root->query_pathkeys != NIL) {
        DeparseContext ctx;
        ctx.table = &info->table;
        ctx.relid = baserel->relid;
        std::string order;
        if (deparse_order_by(ctx, baserel, root->query_pathkeys, order)) {
            List* pathkeys = root->query_pathkeys;
            pg::pg_call([&] {
                add_path(baserel, (Path*) create_foreignscan_path(root, baserel, NULL, baserel->rows, startup,
                                                                  total + baserel->rows * cpu_operator_cost * 0.1, pathkeys, baserel->lateral_relids,
                                                                  NULL, NIL));
            });
        }
    }
}

namespace {

// LIMIT n (n = count + offset) may go to the remote when nothing above the scan but ORDER BY and
// LIMIT itself could drop or reorder rows.
std::optional<long long> pushable_limit(PlannerInfo* root, ForeignPath* path, List* local_exprs) {
    Query* q = root->parse;
    if (q->commandType != CMD_SELECT || q->limitCount == nullptr || q->limitOption != LIMIT_OPTION_COUNT) return {};
    if (q->groupClause || q->groupingSets || q->hasAggs || q->hasWindowFuncs || q->distinctClause || q->hasTargetSRFs ||
        q->rowMarks || q->setOperations || q->havingQual || local_exprs != NIL)
        return {};
    if (bms_membership(root->all_baserels) != BMS_SINGLETON) return {};
    if (!IsA(q->limitCount, Const) || reinterpret_cast<Const*>(q->limitCount)->constisnull) return {};
    long long count = DatumGetInt64(reinterpret_cast<Const*>(q->limitCount)->constvalue);
    long long offset = 0;
    if (q->limitOffset) {
        if (!IsA(q->limitOffset, Const)) return {};
        Const* c = reinterpret_cast<Const*>(q->limitOffset);
        if (!c->constisnull) offset = DatumGetInt64(c->constvalue);
    }
    if (root->sort_pathkeys != NIL && !pathkeys_contained_in(root->sort_pathkeys, path->path.pathkeys)) return {};
    if (count < 0 || offset < 0) return {};
    return count + offset;
}

}  // namespace

ForeignScan* get_foreign_plan(PlannerInfo* root, RelOptInfo* foreignrel, Oid, ForeignPath* best_path, List* tlist,
                              List* scan_clauses, Plan* outer_plan) {
    // An upper relation scans its base relation with the aggregation and/or LIMIT sent too.
    UpperInfo* upper = foreignrel->reloptkind == RELOPT_UPPER_REL ? upper_info(foreignrel) : nullptr;
    if (foreignrel->reloptkind == RELOPT_UPPER_REL && (upper == nullptr || upper->base == nullptr))
        throw Error(sqlstate::internal_error, "the upper relation lost its base relation");
    RelOptInfo* baserel = upper ? upper->base : foreignrel;
    bool grouped = upper && upper->grouped;
    RelInfo* info = rel_info(baserel);
    const TableOptions& table = info->table;
    List* remote_exprs = NIL;
    List* local_exprs = NIL;
    if (upper) {
        pg::pg_call([&] {
            ListCell* c;
            foreach (c, info->remote_conds) remote_exprs = lappend(remote_exprs, lfirst_node(RestrictInfo, c)->clause);
            // HAVING conditions the remote cannot evaluate filter the groups here; the grouping
            // columns and aggregates they use are in the scan tuple (fdw_scan_tlist), fetched.
            if (grouped) local_exprs = list_copy(upper->local_having);
        });
    } else pg::pg_call([&] {
        ListCell* c;
        foreach (c, scan_clauses) {
            RestrictInfo* ri = lfirst_node(RestrictInfo, c);
            if (ri->pseudoconstant) continue;
            if (list_member_ptr(info->remote_conds, ri)) remote_exprs = lappend(remote_exprs, ri->clause);
            if (list_member_ptr(info->local_conds, ri) || !list_member_ptr(info->remote_conds, ri))
                local_exprs = lappend(local_exprs, ri->clause);
        }
        local_exprs = list_concat(local_exprs, extract_actual_clauses(scan_clauses, true));
    });

    List* params = NIL;
    DeparseContext ctx;
    ctx.table = &table;
    ctx.relid = baserel->relid;
    ctx.params = &params;
    DeparseContext upper_ctx = ctx;
    upper_ctx.upper = true;
    remote::SelectParts parts;
    std::vector<int> attrs;
    // grouped: per remote column, how it fills the outputs and the type/typmod to read it with
    // (InvalidOid / -1: the output's own).
    std::vector<OutputColumn> reads;
    std::vector<int> utf16;   // per remote column: 1 when it is an MSSQL n-type read as UTF-16 bytes
    List* fdw_scan_tlist = NIL;
    Index scan_relid = baserel->relid;
    if (grouped) {
        // The scan tuple is the grouping columns and aggregates, as the remote returns them (an
        // MSSQL avg as two columns, combined into its output here).
        ListCell* c;
        int output = 0;
        foreach (c, upper->outputs) {
            ++output;
            if (!parts.columns.empty()) parts.columns += ", ";
            if (!deparse_upper_output(upper_ctx, static_cast<Expr*>(lfirst(c)), parts.columns))
                throw Error(sqlstate::internal_error, "an aggregate judged sendable could not be written for the remote");
            for (const OutputColumn& column : upper_output_columns(upper_ctx, static_cast<Expr*>(lfirst(c)))) {
                attrs.push_back(output);
                reads.push_back(column);
            }
        }
        foreach (c, upper->group_by) {
            if (!parts.group_by.empty()) parts.group_by += ", ";
            if (!deparse_expr(upper_ctx, static_cast<Expr*>(lfirst(c)), parts.group_by))
                throw Error(sqlstate::internal_error, "a GROUP BY judged sendable could not be written for the remote");
        }
        if (!deparse_conditions(upper_ctx, upper->having, parts.having))
            throw Error(sqlstate::internal_error, "a HAVING judged sendable could not be written for the remote");
        fdw_scan_tlist = pg::pg_call([&] {
            List* out = NIL;
            ListCell* o;
            foreach (o, upper->outputs)
                out = lappend(out, makeTargetEntry(static_cast<Expr*>(copyObjectImpl(lfirst(o))),
                                                   AttrNumber(list_length(out) + 1), NULL, false));
            return out;
        });
    } else {
        // Columns to fetch.
        RangeTblEntry* rte = planner_rt_fetch(baserel->relid, root);
        Oid user = rte->checkAsUser ? rte->checkAsUser : GetUserId();
        bool whole_row = !upper && bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, info->attrs_used);
        const std::vector<std::string> utf16_selects = nchar_utf16_selects(table, user);
        for (const auto& c : table.columns) {
            if (c.dropped) continue;
            if (!whole_row && !bms_is_member(c.attnum - FirstLowInvalidHeapAttributeNumber, info->attrs_used)) continue;
            // MSSQL nvarchar as its UTF-16 bytes, converted in value_to_datum: db-lib's iconv is
            // the largest part of reading such a column. Only the select list changes; WHERE and
            // ORDER BY still compare the column itself.
            utf16.push_back(utf16_selects[size_t(c.attnum - 1)].empty() ? 0 : 1);
            attrs.push_back(c.attnum);
        }
        parts.columns = fetched_columns(table, attrs, utf16_selects);
        if (upper) {
            // The scan tuple has the table's layout: one entry per column (a NULL for dropped ones).
            fdw_scan_tlist = pg::pg_call([&] {
                List* out = NIL;
                for (const auto& c : table.columns) {
                    Expr* e = c.dropped ? (Expr*) makeNullConst(INT4OID, -1, InvalidOid)
                                        : (Expr*) makeVar(scan_relid, AttrNumber(c.attnum), c.type_oid, c.typmod,
                                                          get_typcollation(c.type_oid), 0);
                    out = lappend(out, makeTargetEntry(e, AttrNumber(list_length(out) + 1), NULL, false));
                }
                return out;
            });
        }
    }
    parts.from = remote_table_name(table);
    if (!deparse_conditions(ctx, remote_exprs, parts.where))
        throw Error(sqlstate::internal_error, "a condition judged sendable could not be written for the remote");
    bool order_ok = true;
    if (grouped && upper->final_limit && upper->sort_pathkeys != NIL)
        order_ok = deparse_upper_order_by(upper_ctx, upper->sort_pathkeys, upper->outputs, parts.order_by);
    else if (!grouped && best_path->path.pathkeys != NIL)
        order_ok = deparse_order_by(ctx, baserel, best_path->path.pathkeys, parts.order_by);
    if (!order_ok) throw Error(sqlstate::internal_error, "an ORDER BY judged sendable could not be written for the remote");
    if (upper && upper->final_limit) {
        Query* q = root->parse;
        parts.limit = DatumGetInt64(reinterpret_cast<Const*>(q->limitCount)->constvalue);
        if (q->limitOffset) parts.offset = DatumGetInt64(reinterpret_cast<Const*>(q->limitOffset)->constvalue);
        if (*parts.limit < 0 || parts.offset < 0)
            throw Error(sqlstate::invalid_row_count_in_limit, "LIMIT and OFFSET must not be negative");
    } else if (!upper) {
        parts.limit = pushable_limit(root, best_path, local_exprs);
    }
    std::string sql = remote::build_select(table.kind, parts);

    List* private_list = pg::pg_call([&] {
        List* attr_list = NIL;
        for (int a : attrs) attr_list = lappend_int(attr_list, a);
        List* role_list = NIL;
        List* type_list = NIL;
        List* typmod_list = NIL;
        for (const OutputColumn& r : reads) {
            role_list = lappend_int(role_list, int(r.role));
            type_list = lappend_oid(type_list, r.type);
            typmod_list = lappend_int(typmod_list, r.typmod);
        }
        List* out = list_make5(makeString(pstrdup(sql.c_str())), attr_list, makeInteger(table.fetch_size),
                               makeInteger(grouped ? 0 : 1), typmod_list);
        List* utf16_list = NIL;
        for (int u : utf16) utf16_list = lappend_int(utf16_list, u);
        out = lappend(lappend(lappend(out, type_list), role_list), utf16_list);
        // An aggregate without GROUP BY gives at most one row: sent as a plain query rather than
        // through a cursor, so a PostgreSQL remote may run it with parallel workers (a cursor's
        // query never gets a parallel plan).
        return lappend(out, makeInteger(grouped && upper->group_by == NIL ? 1 : 0));
    });
    Index relid = upper ? 0 : baserel->relid;
    return pg::pg_call([&] {
        return make_foreignscan(tlist, local_exprs, relid, params, private_list, fdw_scan_tlist, NIL, outer_plan);
    });
}

void begin_foreign_scan(ForeignScanState* node, int eflags) {
    if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
    ForeignScan* plan = reinterpret_cast<ForeignScan*>(node->ss.ps.plan);
    EState* estate = node->ss.ps.state;
    auto* exec = new ScanExec();
    node->fdw_state = own_in_context(estate->es_query_cxt, exec);
    // A final-relation scan (scanrelid 0) has no relation opened for it: find the one it covers.
    Index rtindex = plan->scan.scanrelid > 0 ? plan->scan.scanrelid : Index(bms_next_member(plan->fs_relids, -1));
    RangeTblEntry* rte = exec_rt_fetch(rtindex, estate);
    exec->table = table_options(rte->relid);
    exec->sql = strVal(list_nth(plan->fdw_private, 0));
    List* attrs = static_cast<List*>(list_nth(plan->fdw_private, 1));
    ListCell* lc;
    foreach (lc, attrs) exec->retrieved_attrs.push_back(lfirst_int(lc));
    exec->fetch_size = intVal(list_nth(plan->fdw_private, 2));
    exec->table_layout = intVal(list_nth(plan->fdw_private, 3)) != 0;
    Oid user = rte->checkAsUser ? rte->checkAsUser : GetUserId();
    exec->conn = get_connection(exec->table.server_oid, user);
    TupleDesc desc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
    exec->readers.resize(exec->retrieved_attrs.size());
    List* read_typmods = static_cast<List*>(list_nth(plan->fdw_private, 4));
    List* read_types = static_cast<List*>(list_nth(plan->fdw_private, 5));
    List* roles = static_cast<List*>(list_nth(plan->fdw_private, 6));
    foreach (lc, roles) exec->roles.push_back(ColumnRole(lfirst_int(lc)));
    exec->arena = std::make_unique<RowArena>(estate->es_query_cxt);
    List* utf16 = static_cast<List*>(list_nth(plan->fdw_private, 7));
    exec->one_row = intVal(list_nth(plan->fdw_private, 8)) != 0;
    for (size_t i = 0; i < exec->retrieved_attrs.size(); ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, exec->retrieved_attrs[i] - 1);
        int32 typmod = int(i) < list_length(read_typmods) ? list_nth_int(read_typmods, int(i)) : -1;
        Oid type = int(i) < list_length(read_types) ? list_nth_oid(read_types, int(i)) : InvalidOid;
        if (OidIsValid(type))
            prepare_reader(exec->readers[i], type, typmod, estate->es_query_cxt);
        else
            prepare_reader(exec->readers[i], att->atttypid, typmod >= 0 ? typmod : att->atttypmod, estate->es_query_cxt);
        exec->readers[i].utf16 = int(i) < list_length(utf16) && list_nth_int(utf16, int(i)) != 0;
        exec->readers[i].arena = exec->arena.get();
    }
    foreach (lc, plan->fdw_exprs) {
        Node* param = static_cast<Node*>(lfirst(lc));
        exec->param_types.push_back(pg::pg_call([&] { return exprType(param); }));
    }
    exec->param_states = pg::pg_call([&] { return ExecInitExprList(plan->fdw_exprs, (PlanState*) node); });
}

namespace {

void open_stream(ForeignScanState* node, ScanExec* exec) {
    ExprContext* econtext = node->ss.ps.ps_ExprContext;
    const remote::Dialect& dialect = remote::dialect(exec->table.kind);
    const bool binds = dialect.binds_parameters();
    const LiteralWriter literal(dialect.quoting());
    remote::TextParams text_params;
    std::vector<std::string> literals;
    {
        TransmissionModes modes;
        ListCell* lc;
        size_t i = 0;
        foreach (lc, exec->param_states) {
            ExprState* state = static_cast<ExprState*>(lfirst(lc));
            bool isnull = false;
            Datum value = pg::pg_call([&] { return ExecEvalExpr(state, econtext, &isnull); });
            if (binds)
                text_params.push_back(datum_to_text(value, isnull, exec->param_types[i]));
            else
                literals.push_back(literal(value, isnull, exec->param_types[i]));
            ++i;
        }
    }
    std::string sql = binds ? exec->sql : substitute_params(exec->sql, literals);
    // Through a cursor (PostgreSQL) rows come a batch at a time, except for a single-row aggregate,
    // which runs as a plain query (eligible for a parallel plan on the remote).
    if (exec->one_row && dialect.streams_through_cursor())
        exec->stream = exec->conn->query(sql, text_params);
    else
        exec->stream = exec->conn->open_stream(sql, exec->fetch_size, text_params);
    exec->rows = 0;
}

}  // namespace

TupleTableSlot* iterate_foreign_scan(ForeignScanState* node) {
    ScanExec* exec = scan_exec(node);
    TupleTableSlot* slot = node->ss.ss_ScanTupleSlot;
    if (!exec->stream) open_stream(node, exec);
    pg::check_for_interrupts();
    if (!exec->stream->next(exec->row)) {
        pg::pg_call([&] { ExecClearTuple(slot); });
        return slot;
    }
    ++exec->rows;
    exec->arena->reset();   // the previous row's values are no longer referenced (see row_arena.hpp)
    store_row(exec->table, exec->retrieved_attrs, exec->readers, exec->stream->columns(), exec->row, slot,
              exec->table_layout, exec->roles);
    return slot;
}

void rescan_foreign_scan(ForeignScanState* node) {
    ScanExec* exec = scan_exec(node);
    if (exec && exec->stream) {
        exec->stream->close();
        exec->stream.reset();
    }
}

void end_foreign_scan(ForeignScanState* node) {
    auto* h = static_cast<OwnedByContext<ScanExec>*>(node->fdw_state);
    if (h == nullptr || h->object == nullptr) return;
    ScanExec* exec = h->object;
    h->object = nullptr;
    std::unique_ptr<ScanExec> owned(exec);
    if (exec->stream) exec->stream->close();
}

void explain_foreign_scan(ForeignScanState* node, ExplainState* es) {
    if (!es->verbose) return;
    ForeignScan* plan = reinterpret_cast<ForeignScan*>(node->ss.ps.plan);
    std::string sql = display_params(strVal(list_nth(plan->fdw_private, 0)));
    pg::pg_call([&] { ExplainPropertyText("Remote SQL", sql.c_str(), es); });
}

}  // namespace berqenas::fdw
