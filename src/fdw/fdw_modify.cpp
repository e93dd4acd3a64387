// INSERT (batched), UPDATE and DELETE on berqenas_fdw tables, with RETURNING. Rows are found by
// the key columns (column option key 'true'); values travel as text parameters where the remote
// binds them (PostgreSQL), else as literals in its style (MSSQL: escaped T-SQL literals). An INSERT sends only the columns it gives values to, so the
// remote fills in its own defaults for the others.
#include <memory>
#include <string>
#include <vector>

#include "fdw/connection_cache.hpp"
#include "fdw/deparse.hpp"
#include "fdw/fdw_options.hpp"
#include "fdw/fdw_routines.hpp"
#include "fdw/scan_support.hpp"
#include "convert/inbound.hpp"
#include "convert/outbound.hpp"
#include "remote/dialect.hpp"
#include "remote/sql_dialect.hpp"

extern "C" {
#include "access/table.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/inherit.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/rel.h"
}

namespace berqenas::fdw {

// Values cross the remote boundary through the shared conversion layer.
using namespace berqenas::convert;

namespace {

// Rows per INSERT statement: the option, within what one statement may carry (T-SQL: 1000 rows
// in a VALUES list; PostgreSQL: 65535 parameters).
int batch_size_for(const TableOptions& t, size_t ncolumns) {
    int limit = remote::dialect(t.kind).max_insert_rows(ncolumns);
    return std::max(1, std::min(t.batch_size, limit));
}

std::string key_junk_name(int attnum) { return "berqenas_key_" + std::to_string(attnum); }

struct ModifyExec {
    TableOptions table;
    CmdType operation = CMD_INSERT;
    std::vector<int> target_attrs;     // columns written
    std::vector<int> key_attrs;        // columns that find the row
    std::vector<AttrNumber> key_junk;  // their junk columns in the plan's output
    std::vector<int> returning_attrs;
    std::vector<ColumnReader> readers; // for returning_attrs
    std::shared_ptr<remote::RemoteConnection> conn;
    int batch_size = 1;
    std::string explain_sql;
};

ModifyExec* modify_exec(ResultRelInfo* rinfo) {
    auto* h = static_cast<OwnedByContext<ModifyExec>*>(rinfo->ri_FdwState);
    return h ? h->object : nullptr;
}

std::vector<int> int_list(List* list) {
    std::vector<int> out;
    ListCell* lc;
    foreach (lc, list) out.push_back(lfirst_int(lc));
    return out;
}

// The columns a remote INSERT lists. PostgreSQL's executor fills every column of the tuple, NULL
// where the statement gave nothing, and sending those NULLs would override the remote's defaults
// (DEFAULT GETDATE(), NOT NULL DEFAULT 0: 23502). So only these are sent: the columns the
// statement names (given), those PostgreSQL fills in from a local default (the rewriter or COPY
// evaluates it), and all of them when a BEFORE ROW INSERT trigger may set any. Generated columns
// are left to the remote, which computes its own. given(attnum) says whether the statement names
// the column; has_local_default(attnum) whether PostgreSQL gives it a value it did not name.
template <typename Given, typename LocalDefault>
std::vector<int> insert_columns(const TableOptions& t, Relation rel, Given given, LocalDefault has_local_default) {
    TupleDesc desc = RelationGetDescr(rel);
    const bool trigger = rel->trigdesc != nullptr && rel->trigdesc->trig_insert_before_row;
    std::vector<int> out;
    for (const auto& c : t.columns) {
        if (c.dropped || TupleDescAttr(desc, c.attnum - 1)->attgenerated) continue;
        if (trigger || given(c.attnum) || has_local_default(c.attnum)) out.push_back(c.attnum);
    }
    return out;
}

std::vector<int> key_columns(const TableOptions& t) {
    std::vector<int> out;
    for (const auto& c : t.columns)
        if (!c.dropped && c.key) out.push_back(c.attnum);
    return out;
}

[[noreturn]] void no_key(const TableOptions& t, const char* what) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                std::string("cannot ") + what + " foreign table \"" + t.table_name + "\": it has no key column",
                "berqenas_fdw finds remote rows by their key",
                "mark the primary key columns with ALTER FOREIGN TABLE ... ALTER COLUMN ... OPTIONS (ADD key 'true'), "
                "or re-import the table (IMPORT FOREIGN SCHEMA marks them)");
}

// The statement for nrows rows; value(i) gives the i-th value's placeholder or literal (0-based,
// in order: target values row by row, then key values).
template <typename ValueFn>
std::string build_sql(const ModifyExec& m, int nrows, ValueFn value) {
    const TableOptions& t = m.table;
    std::string target = remote_table_name(t);
    std::vector<std::string> returning;
    for (int a : m.returning_attrs) returning.push_back(remote_column(t, a));
    const remote::Returning r = remote::dialect(t.kind).returning(returning, m.operation == CMD_DELETE);
    const std::string& out_clause = r.before_source;
    const std::string& ret_clause = r.at_end;
    int n = 0;
    std::string sql;
    if (m.operation == CMD_INSERT) {
        std::string cols;
        for (int a : m.target_attrs) cols += (cols.empty() ? "" : ", ") + remote_column(t, a);
        sql = "INSERT INTO " + target + (cols.empty() ? "" : " (" + cols + ")") + out_clause;
        if (m.target_attrs.empty()) return sql + " DEFAULT VALUES" + ret_clause;
        sql += " VALUES ";
        for (int r = 0; r < nrows; ++r) {
            sql += r ? ", (" : "(";
            for (size_t i = 0; i < m.target_attrs.size(); ++i) sql += (i ? ", " : "") + value(n++);
            sql += ")";
        }
        return sql + ret_clause;
    }
    std::string where;
    auto key_conditions = [&] {
        for (size_t i = 0; i < m.key_attrs.size(); ++i)
            where += (i ? " AND " : "") + remote_column(t, m.key_attrs[i]) + " = " + value(n++);
    };
    if (m.operation == CMD_UPDATE) {
        sql = "UPDATE " + target + " SET ";
        for (size_t i = 0; i < m.target_attrs.size(); ++i)
            sql += (i ? ", " : "") + remote_column(t, m.target_attrs[i]) + " = " + value(n++);
        key_conditions();
        return sql + out_clause + " WHERE " + where + ret_clause;
    }
    key_conditions();
    return "DELETE FROM " + target + out_clause + " WHERE " + where + ret_clause;
}

// Runs the statement for the given rows; stores the first RETURNING row into slot.
// Returns false when no remote row was affected.
bool run(ModifyExec& m, const std::vector<TupleTableSlot*>& slots, TupleTableSlot* plan_slot, TupleTableSlot* result) {
    const remote::Dialect& dialect = remote::dialect(m.table.kind);
    const bool binds = dialect.binds_parameters();
    const LiteralWriter literal(dialect.quoting());
    std::vector<std::optional<std::string>> texts;
    std::vector<std::string> literals;
    {
        TransmissionModes modes;
        auto add = [&](Datum d, bool isnull, Oid type) {
            if (binds)
                texts.push_back(datum_to_text(d, isnull, type));
            else
                literals.push_back(literal(d, isnull, type));
        };
        for (TupleTableSlot* s : slots) {
            pg::pg_call([&] { slot_getallattrs(s); });
            for (int a : m.target_attrs) add(s->tts_values[a - 1], s->tts_isnull[a - 1], m.table.columns[size_t(a - 1)].type_oid);
        }
        for (size_t i = 0; i < m.key_attrs.size(); ++i) {
            bool isnull = false;
            AttrNumber junk = m.key_junk[i];
            Datum d = pg::pg_call([&] { return ExecGetJunkAttribute(plan_slot, junk, &isnull); });
            add(d, isnull, m.table.columns[size_t(m.key_attrs[i] - 1)].type_oid);
        }
    }
    auto parameter = dialect.quoting().parameter;
    std::string sql = binds ? build_sql(m, int(slots.size()), [&](int i) { return parameter(i + 1); })
                            : build_sql(m, int(slots.size()), [&](int i) { return literals[size_t(i)]; });
    std::unique_ptr<remote::RowStream> r = m.conn->query(sql, binds ? texts : remote::TextParams{});
    if (!m.returning_attrs.empty()) {
        std::vector<remote::RemoteValue> row;
        if (!r->next(row)) return false;
        store_row(m.table, m.returning_attrs, m.readers, r->columns(), row, result);
        return true;
    }
    return r->affected_rows() != 0;
}

}  // namespace

void add_foreign_update_targets(PlannerInfo* root, Index rtindex, RangeTblEntry*, Relation rel) {
    TableOptions table = table_options(RelationGetRelid(rel));
    std::vector<int> keys = key_columns(table);
    if (keys.empty()) no_key(table, root->parse->commandType == CMD_DELETE ? "delete from" : "update");
    for (int a : keys) {
        Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a - 1);
        std::string name = key_junk_name(a);
        pg::pg_call([&] {
            Var* var = makeVar(rtindex, AttrNumber(a), att->atttypid, att->atttypmod, att->attcollation, 0);
            add_row_identity_var(root, var, rtindex, pstrdup(name.c_str()));
        });
    }
}

List* plan_foreign_modify(PlannerInfo* root, ModifyTable* plan, Index result_relation, int subplan_index) {
    CmdType op = plan->operation;
    RangeTblEntry* rte = planner_rt_fetch(result_relation, root);
    TableOptions table = table_options(rte->relid);
    if (!table.query.empty())
        throw Error(sqlstate::fdw_error, "foreign table \"" + table.table_name + "\" is defined by a query and cannot be changed");
    if (plan->onConflictAction != ONCONFLICT_NONE)
        throw Error(sqlstate::feature_not_supported, "INSERT ... ON CONFLICT is not supported on berqenas_fdw tables");
    std::vector<int> targets;
    if (op == CMD_INSERT) {
        // After the rewriter, the INSERT's target list holds the columns it gives values to and
        // those with a local default; the planner's NULLs for the rest are not in it.
        std::vector<bool> listed(table.columns.size() + 1, false);
        ListCell* lc;
        foreach (lc, root->parse->targetList) {
            TargetEntry* tle = static_cast<TargetEntry*>(lfirst(lc));
            if (!tle->resjunk && tle->resno > 0 && size_t(tle->resno) < listed.size()) listed[size_t(tle->resno)] = true;
        }
        Relation rel = pg::pg_call([&] { return table_open(rte->relid, NoLock); });
        targets = insert_columns(table, rel, [&](int a) { return bool(listed[size_t(a)]); }, [](int) { return false; });
        pg::pg_call([&] { table_close(rel, NoLock); });
    } else if (op == CMD_UPDATE) {
        RelOptInfo* rel = pg::pg_call([&] { return find_base_rel(root, int(result_relation)); });
        Bitmapset* cols = pg::pg_call([&] { return get_rel_all_updated_cols(root, rel); });
        int col = -1;
        while ((col = bms_next_member(cols, col)) >= 0) {
            int attnum = col + FirstLowInvalidHeapAttributeNumber;
            if (attnum > 0) targets.push_back(attnum);
        }
    }
    std::vector<int> keys = op == CMD_INSERT ? std::vector<int>{} : key_columns(table);
    if (op != CMD_INSERT && keys.empty()) no_key(table, op == CMD_DELETE ? "delete from" : "update");
    bool returning = plan->returningLists != NIL && list_nth(plan->returningLists, subplan_index) != nullptr;
    std::vector<int> returning_attrs;
    if (returning)
        for (const auto& c : table.columns)
            if (!c.dropped) returning_attrs.push_back(c.attnum);
    return pg::pg_call([&] {
        List* t = NIL;
        List* k = NIL;
        List* r = NIL;
        for (int a : targets) t = lappend_int(t, a);
        for (int a : keys) k = lappend_int(k, a);
        for (int a : returning_attrs) r = lappend_int(r, a);
        return list_make3(t, k, r);
    });
}

namespace {

// The range table entry of the statement writing rinfo: a partition that rows are routed into
// has none of its own (index 0), and its root's says who runs the statement.
RangeTblEntry* statement_rte(EState* estate, ResultRelInfo* rinfo) {
    Index index = rinfo->ri_RangeTableIndex;
    if (index == 0 && rinfo->ri_RootResultRelInfo != nullptr) index = rinfo->ri_RootResultRelInfo->ri_RangeTableIndex;
    return index == 0 ? nullptr : exec_rt_fetch(index, estate);
}

// copy: COPY straight into this foreign table, whose range table entry lists the COPY's columns.
ModifyExec* start_modify(EState* estate, ResultRelInfo* rinfo, CmdType op, List* fdw_private, Plan* subplan,
                         bool copy = false) {
    auto* m = new ModifyExec();
    rinfo->ri_FdwState = own_in_context(estate->es_query_cxt, m);
    Relation rel = rinfo->ri_RelationDesc;
    m->table = table_options(RelationGetRelid(rel));
    m->operation = op;
    RangeTblEntry* rte = statement_rte(estate, rinfo);
    if (fdw_private != NIL) {
        m->target_attrs = int_list(static_cast<List*>(list_nth(fdw_private, 0)));
        m->key_attrs = int_list(static_cast<List*>(list_nth(fdw_private, 1)));
        m->returning_attrs = int_list(static_cast<List*>(list_nth(fdw_private, 2)));
    } else {
        if (copy && rte != nullptr) {
            // COPY ft (a, b): its columns, and those COPY fills in from a local default.
            Bitmapset* inserted = rte->insertedCols;
            m->target_attrs = insert_columns(
                m->table, rel,
                [&](int a) { return bool(bms_is_member(a - FirstLowInvalidHeapAttributeNumber, inserted)); },
                [&](int a) { return pg::pg_call([&] { return build_column_default(rel, a) != nullptr; }); });
        } else {
            // Rows routed into a foreign partition: which columns the statement named is not known
            // here (the parent's columns may be numbered otherwise), so all of them, as postgres_fdw.
            for (const auto& c : m->table.columns)
                if (!c.dropped) m->target_attrs.push_back(c.attnum);
        }
        if (rinfo->ri_projectReturning) {
            for (const auto& c : m->table.columns)
                if (!c.dropped) m->returning_attrs.push_back(c.attnum);
        }
    }
    for (int a : m->key_attrs) {
        std::string name = key_junk_name(a);
        AttrNumber junk = pg::pg_call([&] { return ExecFindJunkAttributeInTlist(subplan->targetlist, name.c_str()); });
        if (!AttributeNumberIsValid(junk)) throw Error(sqlstate::internal_error, "key column " + name + " missing from the plan");
        m->key_junk.push_back(junk);
    }
    m->readers.resize(m->returning_attrs.size());
    for (size_t i = 0; i < m->returning_attrs.size(); ++i) {
        Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), m->returning_attrs[i] - 1);
        prepare_reader(m->readers[i], att->atttypid, att->atttypmod, estate->es_query_cxt);
    }
    Oid user = rte != nullptr && rte->checkAsUser ? rte->checkAsUser : GetUserId();
    m->conn = get_connection(m->table.server_oid, user);
    // INSERT ... DEFAULT VALUES (no column sent) is one row per statement.
    m->batch_size = op == CMD_INSERT && m->target_attrs.empty() ? 1 : batch_size_for(m->table, m->target_attrs.size());
    return m;
}

}  // namespace

void begin_foreign_modify(ModifyTableState* mtstate, ResultRelInfo* rinfo, List* fdw_private, int, int eflags) {
    if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
    start_modify(mtstate->ps.state, rinfo, mtstate->operation, fdw_private, outerPlanState(mtstate)->plan);
}

void begin_foreign_insert(ModifyTableState* mtstate, ResultRelInfo* rinfo) {
    // COPY FROM runs without a plan, into its own range table entry; an INSERT or COPY into a
    // partitioned table routes rows here from a plan, or through a partition without an entry.
    const bool copy = mtstate->ps.plan == nullptr && rinfo->ri_RangeTableIndex != 0;
    start_modify(mtstate->ps.state, rinfo, CMD_INSERT, NIL, nullptr, copy);
}

TupleTableSlot* exec_foreign_insert(EState*, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot* plan_slot) {
    ModifyExec* m = modify_exec(rinfo);
    return run(*m, {slot}, plan_slot, slot) ? slot : nullptr;
}

TupleTableSlot** exec_foreign_batch_insert(EState*, ResultRelInfo* rinfo, TupleTableSlot** slots, TupleTableSlot** plan_slots,
                                           int* num_slots) {
    ModifyExec* m = modify_exec(rinfo);
    std::vector<TupleTableSlot*> batch(slots, slots + *num_slots);
    run(*m, batch, plan_slots[0], slots[0]);
    return slots;
}

int get_foreign_modify_batch_size(ResultRelInfo* rinfo) {
    if (rinfo->ri_projectReturning != nullptr) return 1;
    if (rinfo->ri_TrigDesc && (rinfo->ri_TrigDesc->trig_insert_before_row || rinfo->ri_TrigDesc->trig_insert_after_row))
        return 1;
    ModifyExec* m = modify_exec(rinfo);
    if (m != nullptr) return m->batch_size;
    // EXPLAIN without ANALYZE: nothing was started, so compute it from the options.
    TableOptions t = table_options(RelationGetRelid(rinfo->ri_RelationDesc));
    size_t ncolumns = 0;
    for (const auto& c : t.columns) ncolumns += c.dropped ? 0 : 1;
    return batch_size_for(t, ncolumns);
}

TupleTableSlot* exec_foreign_update(EState*, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot* plan_slot) {
    ModifyExec* m = modify_exec(rinfo);
    return run(*m, {slot}, plan_slot, slot) ? slot : nullptr;
}

TupleTableSlot* exec_foreign_delete(EState*, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot* plan_slot) {
    ModifyExec* m = modify_exec(rinfo);
    return run(*m, {}, plan_slot, slot) ? slot : nullptr;
}

void end_foreign_modify(EState*, ResultRelInfo* rinfo) {
    auto* h = static_cast<OwnedByContext<ModifyExec>*>(rinfo->ri_FdwState);
    if (h == nullptr) return;
    std::unique_ptr<ModifyExec> owned(h->object);
    h->object = nullptr;
}

void end_foreign_insert(EState* estate, ResultRelInfo* rinfo) { end_foreign_modify(estate, rinfo); }

int is_foreign_rel_updatable(Relation rel) {
    TableOptions table = table_options(RelationGetRelid(rel));
    if (!table.query.empty()) return 0;
    return (1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE);
}

void explain_foreign_modify(ModifyTableState* mtstate, ResultRelInfo* rinfo, List* fdw_private, int, ExplainState* es) {
    if (!es->verbose || fdw_private == NIL) return;
    ModifyExec m;
    m.table = table_options(RelationGetRelid(rinfo->ri_RelationDesc));
    m.operation = mtstate->operation;
    m.target_attrs = int_list(static_cast<List*>(list_nth(fdw_private, 0)));
    m.key_attrs = int_list(static_cast<List*>(list_nth(fdw_private, 1)));
    m.returning_attrs = int_list(static_cast<List*>(list_nth(fdw_private, 2)));
    auto parameter = remote::dialect(m.table.kind).quoting().parameter;
    std::string sql = build_sql(m, 1, [&](int i) { return parameter(i + 1); });
    pg::pg_call([&] { ExplainPropertyText("Remote SQL", sql.c_str(), es); });
    // DEFAULT VALUES (no column sent) runs row by row whatever batch_size says.
    if (m.operation == CMD_INSERT && rinfo->ri_BatchSize > 1 && !m.target_attrs.empty()) {
        int batch = rinfo->ri_BatchSize;
        pg::pg_call([&] { ExplainPropertyInteger("Batch Size", NULL, batch, es); });
    }
}

}  // namespace berqenas::fdw
