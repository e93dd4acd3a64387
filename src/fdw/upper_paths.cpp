// Work above the scan sent to the remote whole: aggregation (GROUP BY on plain columns, count/
// sum/min/max/avg, HAVING in part) and the final ORDER BY with LIMIT/OFFSET, each only when every
// expression means the same there (the rules of deparse.cpp); otherwise PostgreSQL does it here.
#include <algorithm>
#include <memory>
#include <string>

#include "fdw/deparse.hpp"
#include "fdw/scan_plan.hpp"

extern "C" {
#include "access/sysattr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/tlist.h"
#include "parser/parse_clause.h"
#include "utils/selfuncs.h"
}

namespace berqenas::fdw {

namespace {

bool is_const_or_absent(Node* n) { return n == nullptr || (IsA(n, Const) && !reinterpret_cast<Const*>(n)->constisnull); }

// LIMIT (and OFFSET) may be sent when they are constants and nothing between the scan (or the
// sent aggregation) and the Limit could add, drop or reorder rows.
bool limit_sendable(PlannerInfo* root) {
    Query* q = root->parse;
    if (q->commandType != CMD_SELECT || q->limitCount == nullptr || q->limitOption != LIMIT_OPTION_COUNT) return false;
    if (q->groupingSets || q->hasWindowFuncs || q->distinctClause || q->hasTargetSRFs || q->rowMarks ||
        q->setOperations || root->hasPseudoConstantQuals)
        return false;
    if (bms_membership(root->all_baserels) != BMS_SINGLETON) return false;
    return is_const_or_absent(q->limitCount) && is_const_or_absent(q->limitOffset);
}

bool has_grouping(PlannerInfo* root) {
    Query* q = root->parse;
    return q->hasAggs || q->groupClause != NIL || root->hasHavingQual;
}

template <typename T>
void* owned(T* object) {
    return own_in_context(CurrentMemoryContext, object);
}

// UPPERREL_GROUP_AGG over our base relation: one path whose scan tuple is the grouping columns
// and the aggregates, computed by the remote; HAVING conditions it cannot evaluate are the scan's
// local filter.
void add_grouping_path(PlannerInfo* root, RelOptInfo* input_rel, RelOptInfo* grouped_rel, GroupPathExtraData* extra) {
    Query* q = root->parse;
    if (q->groupingSets || extra->patype != PARTITIONWISE_AGGREGATE_NONE) return;
    if (input_rel->reloptkind != RELOPT_BASEREL || input_rel->fdw_private == nullptr) return;
    RelInfo* info = rel_info(input_rel);
    // Rows the remote would count but PostgreSQL filters out (a local condition or recheck).
    if (info->local_conds != NIL || root->hasPseudoConstantQuals) return;

    DeparseContext ctx;
    ctx.table = &info->table;
    ctx.relid = input_rel->relid;
    ctx.upper = true;

    List* group_by = NIL;
    ListCell* lc;
    foreach (lc, q->groupClause) {
        SortGroupClause* sgc = lfirst_node(SortGroupClause, lc);
        TargetEntry* tle = pg::pg_call([&] { return get_sortgroupclause_tle(sgc, q->targetList); });
        if (!groupable(ctx, tle->expr)) return;
        group_by = pg::pg_call([&] { return list_append_unique(group_by, tle->expr); });
    }

    List* outputs = NIL;
    PathTarget* target = grouped_rel->reltarget;
    int i = 0;
    foreach (lc, target->exprs) {
        Expr* expr = static_cast<Expr*>(lfirst(lc));
        Index ref = get_pathtarget_sortgroupref(target, i);
        ++i;
        bool grouping_column =
            ref != 0 && pg::pg_call([&] { return get_sortgroupref_clause_noerr(ref, q->groupClause); }) != nullptr;
        if (grouping_column) {
            if (!pg::pg_call([&] { return list_member(group_by, expr); })) return;
            outputs = pg::pg_call([&] { return list_append_unique(outputs, expr); });
            continue;
        }
        std::string scratch;
        if (IsA(expr, Aggref)) {
            if (!deparse_upper_output(ctx, expr, scratch)) return;
            outputs = pg::pg_call([&] { return list_append_unique(outputs, expr); });
            continue;
        }
        // An expression over aggregates and grouping columns: those are sent, the rest is
        // computed here from them (sum(x) + 1, count(*)::numeric / 2, random() * max(x)).
        List* parts = pg::pg_call([&] { return pull_var_clause((Node*) expr, PVC_INCLUDE_AGGREGATES); });
        ListCell* pc;
        foreach (pc, parts) {
            Expr* part = static_cast<Expr*>(lfirst(pc));
            if (IsA(part, Var)) {
                if (!pg::pg_call([&] { return list_member(group_by, part); })) return;
            } else if (!IsA(part, Aggref) || !deparse_upper_output(ctx, part, scratch)) {
                return;
            }
            outputs = pg::pg_call([&] { return list_append_unique(outputs, part); });
        }
    }
    // HAVING, split as postgres_fdw does: what the remote evaluates exactly is sent; the rest
    // filters the groups here (a function of ours, an MSSQL avg or text comparison), from
    // grouping columns and aggregates fetched for it.
    List* having = NIL;
    List* local_having = NIL;
    if (extra->havingQual != nullptr) {
        foreach (lc, reinterpret_cast<List*>(extra->havingQual)) {
            Expr* cond = static_cast<Expr*>(lfirst(lc));
            std::string scratch;
            ctx.recheck = false;
            bool remote = deparse_condition(ctx, cond, scratch) && !ctx.recheck;
            pg::pg_call([&] {
                if (remote)
                    having = lappend(having, cond);
                else
                    local_having = lappend(local_having, cond);
            });
        }
    }
    if (local_having != NIL) {
        List* parts = pg::pg_call([&] {
            return pull_var_clause((Node*) local_having, PVC_INCLUDE_AGGREGATES | PVC_RECURSE_PLACEHOLDERS);
        });
        foreach (lc, parts) {
            Expr* part = static_cast<Expr*>(lfirst(lc));
            std::string scratch;
            if (IsA(part, Var)) {
                if (!pg::pg_call([&] { return list_member(group_by, part); })) return;
            } else if (!IsA(part, Aggref) || !deparse_upper_output(ctx, part, scratch)) {
                return;   // an aggregate the remote cannot compute, or GROUPING()
            }
            outputs = pg::pg_call([&] { return list_append_unique(outputs, part); });
        }
    }
    if (outputs == NIL) return;

    auto* u = new UpperInfo();
    grouped_rel->fdw_private = owned(u);
    u->base = input_rel;
    u->grouped = true;
    u->outputs = outputs;
    u->group_by = group_by;
    u->having = having;
    u->local_having = local_having;
    double input_rows = input_rel->rows;
    double groups = 1;
    double sent_groups = 1;
    pg::pg_call([&] {
        if (group_by != NIL) groups = estimate_num_groups(root, group_by, input_rows, NULL, NULL);
        if (having != NIL) groups *= clauselist_selectivity(root, having, 0, JOIN_INNER, NULL);
        sent_groups = clamp_row_est(groups);
        if (local_having != NIL) groups *= clauselist_selectivity(root, local_having, 0, JOIN_INNER, NULL);
        groups = clamp_row_est(groups);
    });
    u->rows = groups;
    // The remote reads the rows; only the groups cross the network (and are filtered here).
    double tuples = input_rel->tuples > 0 ? input_rel->tuples : input_rows;
    u->startup_cost = 100 + tuples * cpu_operator_cost * 0.5;
    u->total_cost = u->startup_cost + sent_groups * cpu_tuple_cost * 2 +
                    sent_groups * cpu_operator_cost * list_length(local_having);
    pg::pg_call([&] {
        add_path(grouped_rel, (Path*) create_foreign_upper_path(root, grouped_rel, grouped_rel->reltarget, u->rows,
                                                                u->startup_cost, u->total_cost, NIL, NULL, NIL));
    });
}

// The one foreign base relation of an ungrouped query whose LIMIT (and OFFSET) can be sent
// whole; nullptr when anything above the scan could drop, add or reorder rows.
RelOptInfo* final_limit_base_rel(PlannerInfo* root) {
    RelOptInfo* base = root->simple_rel_array[bms_singleton_member(root->all_baserels)];
    if (base == nullptr || base->reloptkind != RELOPT_BASEREL || base->fdw_private == nullptr) return nullptr;
    RelInfo* info = rel_info(base);
    if (info->local_conds != NIL) return nullptr;
    // The scan tuple is the table's own columns: whole-row and system columns need the relation.
    int member = -1;
    while ((member = bms_next_member(info->attrs_used, member)) >= 0)
        if (member + FirstLowInvalidHeapAttributeNumber <= 0) return nullptr;
    return base;
}

// UPPERREL_FINAL: LIMIT/OFFSET sent whole (TOP (n) / OFFSET m ROWS FETCH NEXT n ROWS ONLY for
// T-SQL, LIMIT n OFFSET m for PostgreSQL), over the base scan or over the sent aggregation, with
// the query's ORDER BY; the path replaces the local Limit (and Sort).
void add_final_path(PlannerInfo* root, RelOptInfo* output_rel, FinalPathExtraData* extra) {
    if (!extra->limit_needed || !limit_sendable(root)) return;
    auto u = std::make_unique<UpperInfo>();
    u->final_limit = true;
    u->sort_pathkeys = root->sort_pathkeys;
    double rows;
    Cost startup = 100;
    if (has_grouping(root)) {
        RelOptInfo* grouped = pg::pg_call([&] { return fetch_upper_rel(root, UPPERREL_GROUP_AGG, NULL); });
        UpperInfo* g = upper_info(grouped);
        // Groups still to be filtered here: a remote TOP would count them before the filter.
        if (g == nullptr || !g->grouped || g->local_having != NIL) return;
        RelInfo* info = rel_info(g->base);
        DeparseContext ctx;
        ctx.table = &info->table;
        ctx.relid = g->base->relid;
        ctx.upper = true;
        std::string order;
        if (root->sort_pathkeys != NIL && !deparse_upper_order_by(ctx, root->sort_pathkeys, g->outputs, order)) return;
        u->base = g->base;
        u->grouped = true;
        u->outputs = g->outputs;
        u->group_by = g->group_by;
        u->having = g->having;
        rows = g->rows;
        startup = g->startup_cost;
    } else {
        RelOptInfo* base = final_limit_base_rel(root);
        if (base == nullptr) return;
        RelInfo* info = rel_info(base);
        DeparseContext ctx;
        ctx.table = &info->table;
        ctx.relid = base->relid;
        std::string order;
        if (root->sort_pathkeys != NIL && !deparse_order_by(ctx, base, root->sort_pathkeys, order)) return;
        u->base = base;
        rows = base->rows;
    }
    if (extra->count_est > 0) rows = std::min<double>(double(extra->count_est), rows);
    // Cheaper than any Limit over a scan of the same relation: it transfers only the rows kept.
    Cost total = startup + rows * cpu_tuple_cost;
    output_rel->fdw_private = owned(u.release());
    List* pathkeys = root->sort_pathkeys;
    PathTarget* target = root->upper_targets[UPPERREL_FINAL];
    pg::pg_call([&] {
        add_path(output_rel, (Path*) create_foreign_upper_path(root, output_rel, target, rows, startup, total, pathkeys,
                                                               NULL, NIL));
    });
}

}  // namespace

void get_foreign_upper_paths(PlannerInfo* root, UpperRelationKind stage, RelOptInfo* input_rel, RelOptInfo* output_rel,
                             void* extra) {
    if (output_rel->fdw_private != nullptr) return;
    if (stage == UPPERREL_GROUP_AGG)
        add_grouping_path(root, input_rel, output_rel, static_cast<GroupPathExtraData*>(extra));
    else if (stage == UPPERREL_FINAL)
        add_final_path(root, output_rel, static_cast<FinalPathExtraData*>(extra));
}

}  // namespace berqenas::fdw
