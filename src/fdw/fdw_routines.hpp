// The FDW callbacks, one C entry point each (declared here, wired up in fdw_handler.cpp). Every
// one of them runs its C++ body inside pg::guarded_callback.
#pragma once

#include "pg/callback_guard.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "foreign/fdwapi.h"
}

namespace berqenas::fdw {

// fdw_scan.cpp
void get_foreign_rel_size(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid);
void get_foreign_paths(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid);
ForeignScan* get_foreign_plan(PlannerInfo* root, RelOptInfo* baserel, Oid foreigntableid, ForeignPath* best_path,
                              List* tlist, List* scan_clauses, Plan* outer_plan);
void begin_foreign_scan(ForeignScanState* node, int eflags);
TupleTableSlot* iterate_foreign_scan(ForeignScanState* node);
void rescan_foreign_scan(ForeignScanState* node);
void end_foreign_scan(ForeignScanState* node);
void explain_foreign_scan(ForeignScanState* node, ExplainState* es);
void get_foreign_upper_paths(PlannerInfo* root, UpperRelationKind stage, RelOptInfo* input_rel, RelOptInfo* output_rel,
                             void* extra);

// fdw_modify.cpp
void add_foreign_update_targets(PlannerInfo* root, Index rtindex, RangeTblEntry* target_rte, Relation target_relation);
List* plan_foreign_modify(PlannerInfo* root, ModifyTable* plan, Index result_relation, int subplan_index);
void begin_foreign_modify(ModifyTableState* mtstate, ResultRelInfo* rinfo, List* fdw_private, int subplan_index,
                          int eflags);
TupleTableSlot* exec_foreign_insert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot* plan_slot);
TupleTableSlot** exec_foreign_batch_insert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot** slots,
                                           TupleTableSlot** plan_slots, int* num_slots);
int get_foreign_modify_batch_size(ResultRelInfo* rinfo);
TupleTableSlot* exec_foreign_update(EState* estate, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot* plan_slot);
TupleTableSlot* exec_foreign_delete(EState* estate, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot* plan_slot);
void end_foreign_modify(EState* estate, ResultRelInfo* rinfo);
void begin_foreign_insert(ModifyTableState* mtstate, ResultRelInfo* rinfo);
void end_foreign_insert(EState* estate, ResultRelInfo* rinfo);
int is_foreign_rel_updatable(Relation rel);
void explain_foreign_modify(ModifyTableState* mtstate, ResultRelInfo* rinfo, List* fdw_private, int subplan_index,
                            struct ExplainState* es);

// fdw_analyze.cpp: ANALYZE samples the remote rows (the C callback sets acquire_sample_rows).
bool analyze_foreign_table(Relation relation, BlockNumber* totalpages);
int acquire_sample_rows(Relation relation, int elevel, HeapTuple* rows, int targrows, double* totalrows,
                        double* totaldeadrows);

// fdw_import.cpp
List* import_foreign_schema(ImportForeignSchemaStmt* stmt, Oid server_oid);

// Deletes a C++ object when the memory context holding its handle goes away (also on abort).
template <typename T>
struct OwnedByContext {
    T* object = nullptr;
    MemoryContextCallback callback;
};

template <typename T>
OwnedByContext<T>* own_in_context(MemoryContext cxt, T* object) {
    auto* handle = static_cast<OwnedByContext<T>*>(pg::pg_call([&] { return MemoryContextAllocZero(cxt, sizeof(OwnedByContext<T>)); }));
    handle->object = object;
    // A memory-context reset callback must not fail: a destructor that throws becomes a WARNING.
    handle->callback.func = [](void* arg) noexcept {
        pg::guarded_c_callback("could not release the state of a foreign scan or modify", [&] {
            auto* h = static_cast<OwnedByContext<T>*>(arg);
            T* o = h->object;
            h->object = nullptr;
            delete o;
        });
    };
    handle->callback.arg = handle;
    pg::pg_call([&] { MemoryContextRegisterResetCallback(cxt, &handle->callback); });
    return handle;
}

}  // namespace berqenas::fdw
