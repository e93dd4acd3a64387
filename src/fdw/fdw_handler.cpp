// berqenas_fdw's handler: the FdwRoutine whose callbacks are C entry points that run their C++
// bodies inside the guard.
#include "fdw/fdw_routines.hpp"
#include "pg/callback_guard.hpp"

extern "C" {
#include "nodes/nodes.h"
}

namespace berqenas::fdw {
namespace {

using pg::guarded_callback;

extern "C" {
static void c_get_foreign_rel_size(PlannerInfo* root, RelOptInfo* rel, Oid id) {
    guarded_callback([&] { get_foreign_rel_size(root, rel, id); });
}
static void c_get_foreign_paths(PlannerInfo* root, RelOptInfo* rel, Oid id) {
    guarded_callback([&] { get_foreign_paths(root, rel, id); });
}
static ForeignScan* c_get_foreign_plan(PlannerInfo* root, RelOptInfo* rel, Oid id, ForeignPath* path, List* tlist,
                                       List* clauses, Plan* outer) {
    return guarded_callback([&] { return get_foreign_plan(root, rel, id, path, tlist, clauses, outer); });
}
static void c_begin_foreign_scan(ForeignScanState* node, int eflags) {
    guarded_callback([&] { begin_foreign_scan(node, eflags); });
}
static TupleTableSlot* c_iterate_foreign_scan(ForeignScanState* node) {
    return guarded_callback([&] { return iterate_foreign_scan(node); });
}
static void c_rescan_foreign_scan(ForeignScanState* node) { guarded_callback([&] { rescan_foreign_scan(node); }); }
static void c_end_foreign_scan(ForeignScanState* node) { guarded_callback([&] { end_foreign_scan(node); }); }
static void c_explain_foreign_scan(ForeignScanState* node, ExplainState* es) {
    guarded_callback([&] { explain_foreign_scan(node, es); });
}
static void c_get_foreign_upper_paths(PlannerInfo* root, UpperRelationKind stage, RelOptInfo* in, RelOptInfo* out,
                                      void* extra) {
    guarded_callback([&] { get_foreign_upper_paths(root, stage, in, out, extra); });
}
static void c_add_foreign_update_targets(PlannerInfo* root, Index rtindex, RangeTblEntry* rte, Relation rel) {
    guarded_callback([&] { add_foreign_update_targets(root, rtindex, rte, rel); });
}
static List* c_plan_foreign_modify(PlannerInfo* root, ModifyTable* plan, Index rel, int index) {
    return guarded_callback([&] { return plan_foreign_modify(root, plan, rel, index); });
}
static void c_begin_foreign_modify(ModifyTableState* mt, ResultRelInfo* ri, List* priv, int index, int eflags) {
    guarded_callback([&] { begin_foreign_modify(mt, ri, priv, index, eflags); });
}
static TupleTableSlot* c_exec_foreign_insert(EState* es, ResultRelInfo* ri, TupleTableSlot* s, TupleTableSlot* ps) {
    return guarded_callback([&] { return exec_foreign_insert(es, ri, s, ps); });
}
static TupleTableSlot** c_exec_foreign_batch_insert(EState* es, ResultRelInfo* ri, TupleTableSlot** s,
                                                    TupleTableSlot** ps, int* n) {
    return guarded_callback([&] { return exec_foreign_batch_insert(es, ri, s, ps, n); });
}
static int c_get_foreign_modify_batch_size(ResultRelInfo* ri) {
    return guarded_callback([&] { return get_foreign_modify_batch_size(ri); });
}
static TupleTableSlot* c_exec_foreign_update(EState* es, ResultRelInfo* ri, TupleTableSlot* s, TupleTableSlot* ps) {
    return guarded_callback([&] { return exec_foreign_update(es, ri, s, ps); });
}
static TupleTableSlot* c_exec_foreign_delete(EState* es, ResultRelInfo* ri, TupleTableSlot* s, TupleTableSlot* ps) {
    return guarded_callback([&] { return exec_foreign_delete(es, ri, s, ps); });
}
static void c_end_foreign_modify(EState* es, ResultRelInfo* ri) { guarded_callback([&] { end_foreign_modify(es, ri); }); }
static void c_begin_foreign_insert(ModifyTableState* mt, ResultRelInfo* ri) {
    guarded_callback([&] { begin_foreign_insert(mt, ri); });
}
static void c_end_foreign_insert(EState* es, ResultRelInfo* ri) { guarded_callback([&] { end_foreign_insert(es, ri); }); }
static int c_is_foreign_rel_updatable(Relation rel) {
    return guarded_callback([&] { return is_foreign_rel_updatable(rel); });
}
static void c_explain_foreign_modify(ModifyTableState* mt, ResultRelInfo* ri, List* priv, int index, ExplainState* es) {
    guarded_callback([&] { explain_foreign_modify(mt, ri, priv, index, es); });
}
static int c_acquire_sample_rows(Relation rel, int elevel, HeapTuple* rows, int targrows, double* totalrows,
                                 double* totaldeadrows) {
    return guarded_callback([&] { return acquire_sample_rows(rel, elevel, rows, targrows, totalrows, totaldeadrows); });
}
static bool c_analyze_foreign_table(Relation rel, AcquireSampleRowsFunc* func, BlockNumber* totalpages) {
    *func = c_acquire_sample_rows;
    return guarded_callback([&] { return analyze_foreign_table(rel, totalpages); });
}
static List* c_import_foreign_schema(ImportForeignSchemaStmt* stmt, Oid server) {
    return guarded_callback([&] { return import_foreign_schema(stmt, server); });
}
}

Datum handler_body(FunctionCallInfo) {
    FdwRoutine* r = pg::pg_call([] { return makeNode(FdwRoutine); });
    r->GetForeignRelSize = c_get_foreign_rel_size;
    r->GetForeignPaths = c_get_foreign_paths;
    r->GetForeignPlan = c_get_foreign_plan;
    r->BeginForeignScan = c_begin_foreign_scan;
    r->IterateForeignScan = c_iterate_foreign_scan;
    r->ReScanForeignScan = c_rescan_foreign_scan;
    r->EndForeignScan = c_end_foreign_scan;
    r->ExplainForeignScan = c_explain_foreign_scan;
    r->GetForeignUpperPaths = c_get_foreign_upper_paths;
    r->AddForeignUpdateTargets = c_add_foreign_update_targets;
    r->PlanForeignModify = c_plan_foreign_modify;
    r->BeginForeignModify = c_begin_foreign_modify;
    r->ExecForeignInsert = c_exec_foreign_insert;
    r->ExecForeignBatchInsert = c_exec_foreign_batch_insert;
    r->GetForeignModifyBatchSize = c_get_foreign_modify_batch_size;
    r->ExecForeignUpdate = c_exec_foreign_update;
    r->ExecForeignDelete = c_exec_foreign_delete;
    r->EndForeignModify = c_end_foreign_modify;
    r->BeginForeignInsert = c_begin_foreign_insert;
    r->EndForeignInsert = c_end_foreign_insert;
    r->IsForeignRelUpdatable = c_is_foreign_rel_updatable;
    r->ExplainForeignModify = c_explain_foreign_modify;
    r->ImportForeignSchema = c_import_foreign_schema;
    r->AnalyzeForeignTable = c_analyze_foreign_table;
    PG_RETURN_POINTER(r);
}

}  // namespace
}  // namespace berqenas::fdw

BERQENAS_SQL_FUNCTION(berqenas_fdw_handler, berqenas::fdw::handler_body)
