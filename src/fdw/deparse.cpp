// Deparsing local expressions into PostgreSQL or T-SQL. Only what both sides evaluate the same
// way is sent; for MSSQL, text comparisons (case-insensitive there) are sent as a pre-filter and
// checked again locally.
#include "fdw/deparse.hpp"

#include "convert/inbound.hpp"
#include "convert/outbound.hpp"
#include "remote/sql_dialect.hpp"

extern "C" {
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "access/stratnum.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
}

namespace berqenas::fdw {

// Values cross the remote boundary through the shared conversion layer.
using namespace berqenas::convert;

using remote::DatabaseKind;

namespace {

bool is_mssql(const DeparseContext& ctx) { return ctx.table->kind == DatabaseKind::mssql; }

bool is_text_type(Oid t) { return t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID; }

// Types whose comparisons mean the same in T-SQL.
bool mssql_ordered_type(Oid t) {
    switch (t) {
        case INT2OID: case INT4OID: case INT8OID: case NUMERICOID: case FLOAT4OID: case FLOAT8OID:
        case DATEOID: case TIMEOID: case TIMESTAMPOID: case TIMESTAMPTZOID:
            return true;
        default:
            return false;
    }
}
bool mssql_equality_type(Oid t) { return mssql_ordered_type(t) || t == BOOLOID || t == UUIDOID || t == BYTEAOID; }

bool collation_ok(Oid coll) { return coll == InvalidOid || coll == DEFAULT_COLLATION_OID || coll == C_COLLATION_OID; }

std::string type_name(Oid type, int32 typmod) {
    char* s = pg::pg_call([&] { return format_type_with_typemod(type, typmod); });
    return s;
}

bool deparse_const(DeparseContext& ctx, Const* c, std::string& out) {
    if (!is_builtin_type(c->consttype)) return false;
    if (is_mssql(ctx)) {
        if (c->constisnull) {
            out += "NULL";
            return true;
        }
        if (!mssql_equality_type(c->consttype) && !is_text_type(c->consttype)) return false;
        TransmissionModes modes;
        std::string lit = datum_to_literal(DatabaseKind::mssql, c->constvalue, false, c->consttype);
        if (lit.find(kParamMarker) != std::string::npos) return false;
        out += lit;
        return true;
    }
    if (c->constisnull) {
        out += "NULL::" + type_name(c->consttype, c->consttypmod);
        return true;
    }
    TransmissionModes modes;
    std::string text = *datum_to_text(c->constvalue, false, c->consttype);
    if (c->consttype == INT4OID) {
        out += text[0] == '-' ? "(" + text + ")" : text;
    } else if (c->consttype == BOOLOID) {
        out += text == "t" ? "true" : "false";
    } else {
        out += remote::quote_literal(DatabaseKind::postgresql, text) + "::" + type_name(c->consttype, c->consttypmod);
    }
    return true;
}

bool deparse_param(DeparseContext& ctx, Param* p, std::string& out) {
    if (p->paramkind != PARAM_EXTERN && p->paramkind != PARAM_EXEC) return false;
    if (!is_builtin_type(p->paramtype)) return false;
    if (is_mssql(ctx) && !mssql_equality_type(p->paramtype) && !is_text_type(p->paramtype)) return false;
    int index = 1;
    if (ctx.params != nullptr) {
        ListCell* lc;
        bool found = false;
        foreach (lc, *ctx.params) {
            if (equal(lfirst(lc), p)) {
                found = true;
                break;
            }
            ++index;
        }
        if (!found) *ctx.params = pg::pg_call([&] { return lappend(*ctx.params, p); });
    }
    if (is_mssql(ctx))
        out += std::string(1, kParamMarker) + std::to_string(index) + std::string(1, kParamMarker);
    else
        out += "$" + std::to_string(index) + "::" + type_name(p->paramtype, p->paramtypmod);
    return true;
}

bool deparse_var(DeparseContext& ctx, Var* v, std::string& out) {
    if (v->varno != int(ctx.relid) || v->varlevelsup != 0 || v->varattno <= 0) return false;
    if (!is_builtin_type(v->vartype)) return false;
    if (!collation_ok(v->varcollid)) return false;
    if (ctx.upper && !is_mssql(ctx) && v->vartype == TEXTOID)
        out += "(" + remote_column(*ctx.table, v->varattno) + ")::text";
    else
        out += remote_column(*ctx.table, v->varattno);
    return true;
}

Oid expr_type(Expr* e) { return exprType(reinterpret_cast<Node*>(e)); }

}  // namespace

// A boolean in condition position: T-SQL has no boolean expressions over bit columns.
bool deparse_condition(DeparseContext& ctx, Expr* e, std::string& out) {
    if (is_mssql(ctx) && IsA(e, Var) && expr_type(e) == BOOLOID) {
        out += "(";
        if (!deparse_var(ctx, reinterpret_cast<Var*>(e), out)) return false;
        out += " = 1)";
        return true;
    }
    return deparse_expr(ctx, e, out);
}

namespace {

bool deparse_op(DeparseContext& ctx, OpExpr* op, std::string& out) {
    if (op->opno >= 10000 || !collation_ok(op->inputcollid)) return false;
    char* name_c = pg::pg_call([&] { return get_opname(op->opno); });
    if (name_c == nullptr) return false;
    std::string name = name_c;
    int nargs = list_length(op->args);
    if (is_mssql(ctx)) {
        if (nargs != 2) return false;
        Expr* left = static_cast<Expr*>(linitial(op->args));
        Expr* right = static_cast<Expr*>(lsecond(op->args));
        Oid lt = expr_type(left), rt = expr_type(right);
        bool textual = is_text_type(lt) && is_text_type(rt);
        if (name == "~~") {
            // LIKE: T-SQL has [...] classes and no default escape, so only plain patterns.
            if (!textual || ctx.under_not || !IsA(right, Const) || reinterpret_cast<Const*>(right)->constisnull) return false;
            Datum pattern_datum = reinterpret_cast<Const*>(right)->constvalue;
            char* pat = pg::pg_call([&] { return TextDatumGetCString(pattern_datum); });
            std::string pattern = pat;
            if (pattern.find_first_of("[\\") != std::string::npos) return false;
            ctx.recheck = true;
            out += "(";
            if (!deparse_expr(ctx, left, out)) return false;
            out += " LIKE " + remote::quote_literal(DatabaseKind::mssql, pattern) + ")";
            return true;
        }
        bool ordered = name == "<" || name == "<=" || name == ">" || name == ">=";
        bool equality = name == "=" || name == "<>";
        if (!ordered && !equality) return false;
        if (textual) {
            // Case-insensitive there: "=" finds a superset, rechecked here; nothing else is safe.
            if (name != "=" || ctx.under_not) return false;
            ctx.recheck = true;
        } else if (ordered) {
            if (!mssql_ordered_type(lt) || !mssql_ordered_type(rt)) return false;
        } else if (!mssql_equality_type(lt) || !mssql_equality_type(rt)) {
            return false;
        }
        out += "(";
        if (!deparse_expr(ctx, left, out)) return false;
        out += " " + name + " ";
        if (!deparse_expr(ctx, right, out)) return false;
        out += ")";
        return true;
    }
    // PostgreSQL: built-in operators over built-in types mean the same on both sides.
    if (pg::pg_call([&] { return func_volatile(op->opfuncid); }) != PROVOLATILE_IMMUTABLE) return false;
    out += "(";
    if (nargs == 1) {
        out += name + " ";
        if (!deparse_expr(ctx, static_cast<Expr*>(linitial(op->args)), out)) return false;
    } else if (nargs == 2) {
        if (!deparse_expr(ctx, static_cast<Expr*>(linitial(op->args)), out)) return false;
        out += " " + name + " ";
        if (!deparse_expr(ctx, static_cast<Expr*>(lsecond(op->args)), out)) return false;
    } else {
        return false;
    }
    out += ")";
    return true;
}

bool deparse_array_op(DeparseContext& ctx, ScalarArrayOpExpr* op, std::string& out) {
    if (op->opno >= 10000 || !collation_ok(op->inputcollid)) return false;
    char* name_c = pg::pg_call([&] { return get_opname(op->opno); });
    if (name_c == nullptr) return false;
    std::string name = name_c;
    Expr* left = static_cast<Expr*>(linitial(op->args));
    Expr* right = static_cast<Expr*>(lsecond(op->args));
    if (!is_mssql(ctx)) {
        out += "(";
        if (!deparse_expr(ctx, left, out)) return false;
        out += " " + name + (op->useOr ? " ANY (" : " ALL (");
        if (!deparse_expr(ctx, right, out)) return false;
        out += "))";
        return true;
    }
    // T-SQL: x IN (a, b) / x NOT IN (a, b) from constant lists.
    bool in = op->useOr && name == "=";
    bool not_in = !op->useOr && name == "<>";
    if (!in && !not_in) return false;
    Oid lt = expr_type(left);
    if (is_text_type(lt)) {
        if (not_in || ctx.under_not) return false;
        ctx.recheck = true;
    } else if (!mssql_equality_type(lt)) {
        return false;
    }
    std::vector<std::string> items;
    if (IsA(right, Const)) {
        Const* c = reinterpret_cast<Const*>(right);
        if (c->constisnull) return false;
        ArrayType* array = pg::pg_call([&] { return DatumGetArrayTypeP(c->constvalue); });
        Oid elem = ARR_ELEMTYPE(array);
        int16 typlen;
        bool typbyval;
        char typalign;
        Datum* values;
        bool* nulls;
        int n;
        pg::pg_call([&] {
            get_typlenbyvalalign(elem, &typlen, &typbyval, &typalign);
            deconstruct_array(array, elem, typlen, typbyval, typalign, &values, &nulls, &n);
        });
        TransmissionModes modes;
        for (int i = 0; i < n; ++i) {
            std::string lit = datum_to_literal(DatabaseKind::mssql, values[i], nulls[i], elem);
            if (lit.find(kParamMarker) != std::string::npos) return false;
            items.push_back(lit);
        }
    } else if (IsA(right, ArrayExpr)) {
        ListCell* lc;
        foreach (lc, reinterpret_cast<ArrayExpr*>(right)->elements) {
            std::string item;
            if (!deparse_expr(ctx, static_cast<Expr*>(lfirst(lc)), item)) return false;
            items.push_back(item);
        }
    } else {
        return false;
    }
    if (items.empty()) return false;
    out += "(";
    if (!deparse_expr(ctx, left, out)) return false;
    out += not_in ? " NOT IN (" : " IN (";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    out += "))";
    return true;
}

bool deparse_func(DeparseContext& ctx, FuncExpr* f, std::string& out) {
    if (is_mssql(ctx) || f->funcid >= 10000 || !collation_ok(f->inputcollid)) return false;
    if (pg::pg_call([&] { return func_volatile(f->funcid); }) != PROVOLATILE_IMMUTABLE) return false;
    if (f->funcformat == COERCE_IMPLICIT_CAST || f->funcformat == COERCE_EXPLICIT_CAST) {
        if (list_length(f->args) < 1) return false;
        out += "(";
        if (!deparse_expr(ctx, static_cast<Expr*>(linitial(f->args)), out)) return false;
        out += ")::" + type_name(f->funcresulttype, exprTypmod(reinterpret_cast<Node*>(f)));
        return true;
    }
    if (f->funcformat != COERCE_EXPLICIT_CALL || f->funcvariadic) return false;
    char* name = pg::pg_call([&] { return get_func_name(f->funcid); });
    out += remote::quote_identifier(DatabaseKind::postgresql, name) + "(";
    ListCell* lc;
    bool first = true;
    foreach (lc, f->args) {
        if (!first) out += ", ";
        first = false;
        if (!deparse_expr(ctx, static_cast<Expr*>(lfirst(lc)), out)) return false;
    }
    out += ")";
    return true;
}

// numeric(p,s)'s scale (PostgreSQL 15 allows a negative one); -1 for unconstrained numeric.
int numeric_typmod_scale(int32 typmod) {
    if (typmod < int32(VARHDRSZ)) return -1;
    int scale = ((((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);
    return scale < 0 ? -1 : scale;
}

// An MSSQL avg's exact sum: PostgreSQL's avg over int2/int4/int8/numeric divides the exact sum
// by the count with numeric_div, and over float4/float8 sums in float8 and divides. T-SQL's AVG
// does neither (AVG(int) is an int, AVG(decimal) has its own scale), so the remote sends the sum
// of each value as the local column holds it, in a type that holds the sum exactly (or as float),
// and the division happens here. value_cast: what each value is cast to before SUM.
struct AvgSum {
    std::string value_cast;   // "bigint", "decimal(38,s)" or "float"
    bool round_to_real = false;   // float4: the value as a real first, as the local column holds it
    bool is_float = false;
    int scale = 0;            // numeric: the sum's scale, the argument's (0 for integers)
};

bool mssql_avg_sum(Oid type, int32 typmod, AvgSum& sum) {
    switch (type) {
        case INT2OID: case INT4OID: sum.value_cast = "bigint"; return true;
        case INT8OID: sum.value_cast = "decimal(38,0)"; return true;
        case NUMERICOID:
            // Unconstrained numeric: the local values' scales are the remote's, unknown here, and
            // the quotient's scale follows the sum's.
            if (numeric_typmod_scale(typmod) < 0) return false;
            sum.scale = numeric_typmod_scale(typmod);
            sum.value_cast = "decimal(38," + std::to_string(sum.scale) + ")";
            return true;
        case FLOAT4OID: sum.round_to_real = true; sum.is_float = true; sum.value_cast = "float"; return true;
        case FLOAT8OID: sum.is_float = true; sum.value_cast = "float"; return true;
        default: return false;
    }
}

// Aggregates both sides compute alike. PostgreSQL: the same built-in function by name. T-SQL:
// COUNT_BIG (COUNT is int there), SUM widened so it cannot overflow where PostgreSQL's does not
// (int -> bigint, bigint -> decimal(38,0), as PostgreSQL's bigint and numeric results), MIN/MAX
// only over types compared alike; avg only as a select-list item, as an exact sum and a count
// (mssql_avg_sum); nothing over text (case-insensitive there).
bool deparse_aggref(DeparseContext& ctx, Aggref* a, std::string& out) {
    if (!ctx.upper) return false;
    if (a->aggsplit != AGGSPLIT_SIMPLE || a->aggkind != AGGKIND_NORMAL || a->aggorder != NIL || a->aggvariadic ||
        a->aggfnoid >= 10000 || !collation_ok(a->inputcollid))
        return false;
    char* name_c = pg::pg_call([&] { return get_func_name(a->aggfnoid); });
    if (name_c == nullptr) return false;
    std::string name = name_c;
    if (name != "count" && name != "sum" && name != "min" && name != "max" && name != "avg") return false;
    if (a->aggstar) {
        if (name != "count" || a->aggfilter != nullptr || a->aggdistinct != NIL) return false;
        out += is_mssql(ctx) ? "COUNT_BIG(*)" : "count(*)";
        return true;
    }
    if (list_length(a->args) != 1) return false;
    Expr* arg = lfirst_node(TargetEntry, list_head(a->args))->expr;
    Oid type = expr_type(arg);
    std::string distinct = a->aggdistinct != NIL ? "DISTINCT " : "";
    if (!is_mssql(ctx)) {
        out += name + "(" + distinct;
        if (!deparse_expr(ctx, arg, out)) return false;
        out += ")";
        if (a->aggfilter != nullptr) {
            out += " FILTER (WHERE ";
            if (!deparse_condition(ctx, a->aggfilter, out)) return false;
            out += ")";
        }
        return true;
    }
    if (a->aggfilter != nullptr) return false;
    std::string value;
    if (!deparse_expr(ctx, arg, value)) return false;
    if (name == "count") {
        if (mssql_ordered_type(type) || (a->aggdistinct == NIL && mssql_equality_type(type))) {
            out += "COUNT_BIG(" + distinct + value + ")";
        } else if (a->aggdistinct == NIL) {
            // COUNT refuses text/ntext/image there; IS NOT NULL takes any type.
            out += "COUNT_BIG(CASE WHEN " + value + " IS NOT NULL THEN 1 END)";
        } else {
            return false;
        }
        return true;
    }
    if (name == "sum") {
        int32 typmod = pg::pg_call([&] { return exprTypmod((Node*) arg); });
        switch (type) {
            case INT2OID: case INT4OID: out += "SUM(" + distinct + "CAST(" + value + " AS bigint))"; return true;
            case INT8OID: out += "SUM(" + distinct + "CAST(" + value + " AS decimal(38,0)))"; return true;
            case NUMERICOID:
                // Each value as the local column holds it (rounded to its scale), as PostgreSQL sums.
                if (numeric_typmod_scale(typmod) >= 0)
                    out += "SUM(" + distinct + "CAST(" + value + " AS decimal(38," +
                           std::to_string(numeric_typmod_scale(typmod)) + ")))";
                else
                    out += "SUM(" + distinct + value + ")";
                return true;
            case FLOAT8OID: out += "SUM(" + distinct + value + ")"; return true;
            default: return false;
        }
    }
    if (name == "min" || name == "max") {
        if (!mssql_ordered_type(type)) return false;
        out += (name == "min" ? "MIN(" : "MAX(") + value + ")";
        return true;
    }
    if (name == "avg") {
        // Two columns, computed into one value here: only a select list can hold them.
        if (!ctx.select_list) return false;
        int32 typmod = pg::pg_call([&] { return exprTypmod((Node*) arg); });
        AvgSum sum;
        if (!mssql_avg_sum(type, typmod, sum)) return false;
        std::string held = sum.round_to_real ? "CAST(" + value + " AS real)" : value;
        std::string cast = "CAST(" + held + " AS " + sum.value_cast + ")";
        // DISTINCT counts the values the sum adds (as the local column holds them).
        out += "SUM(" + distinct + cast + "), COUNT_BIG(" + distinct + (distinct.empty() ? value : cast) + ")";
        return true;
    }
    return false;
}

}  // namespace

std::string remote_column(const TableOptions& table, int attnum) {
    return remote::quote_identifier(table.kind, table.columns[size_t(attnum - 1)].remote_name);
}

std::string fetched_column(const TableOptions& table, int attnum, const std::string& as_utf16) {
    if (!as_utf16.empty()) return as_utf16;
    std::string out = remote_column(table, attnum);
    // text too: the remote's may be an enum, citext or another type without our binary form.
    if (table.kind == remote::DatabaseKind::postgresql) {
        Oid type = table.columns[size_t(attnum - 1)].type_oid;
        if (!is_builtin_type(type) || type == TEXTOID)
            out += "::text";
        else if (type == TEXTARRAYOID)
            out += "::text[]";
    }
    return out;
}

std::string fetched_columns(const TableOptions& table, const std::vector<int>& attnums,
                            const std::vector<std::string>& utf16_selects) {
    std::string out;
    for (int attnum : attnums)
        out += (out.empty() ? "" : ", ") + fetched_column(table, attnum, utf16_selects[size_t(attnum - 1)]);
    return out.empty() ? "NULL" : out;
}

std::string remote_table_name(const TableOptions& table) {
    if (!table.query.empty()) return "(" + table.query + ") q";
    return remote::qualified_name(table.kind, table.schema_name, table.table_name);
}

bool deparse_expr(DeparseContext& ctx, Expr* expr, std::string& out) {
    if (expr == nullptr) return false;
    switch (nodeTag(expr)) {
        case T_Var: return deparse_var(ctx, reinterpret_cast<Var*>(expr), out);
        case T_Const: return deparse_const(ctx, reinterpret_cast<Const*>(expr), out);
        case T_Param: return deparse_param(ctx, reinterpret_cast<Param*>(expr), out);
        case T_OpExpr: return deparse_op(ctx, reinterpret_cast<OpExpr*>(expr), out);
        case T_ScalarArrayOpExpr: return deparse_array_op(ctx, reinterpret_cast<ScalarArrayOpExpr*>(expr), out);
        case T_FuncExpr: return deparse_func(ctx, reinterpret_cast<FuncExpr*>(expr), out);
        case T_Aggref: return deparse_aggref(ctx, reinterpret_cast<Aggref*>(expr), out);
        case T_RelabelType: {
            RelabelType* r = reinterpret_cast<RelabelType*>(expr);
            if (!collation_ok(r->resultcollid)) return false;
            return deparse_expr(ctx, r->arg, out);
        }
        case T_NullTest: {
            NullTest* n = reinterpret_cast<NullTest*>(expr);
            if (n->argisrow) return false;
            out += "(";
            if (!deparse_expr(ctx, n->arg, out)) return false;
            out += n->nulltesttype == IS_NULL ? " IS NULL)" : " IS NOT NULL)";
            return true;
        }
        case T_BoolExpr: {
            BoolExpr* b = reinterpret_cast<BoolExpr*>(expr);
            if (b->boolop == NOT_EXPR) {
                bool saved = ctx.under_not;
                ctx.under_not = true;
                out += "(NOT ";
                bool ok = deparse_condition(ctx, static_cast<Expr*>(linitial(b->args)), out);
                ctx.under_not = saved;
                out += ")";
                return ok;
            }
            const char* join = b->boolop == AND_EXPR ? " AND " : " OR ";
            out += "(";
            ListCell* lc;
            bool first = true;
            foreach (lc, b->args) {
                if (!first) out += join;
                first = false;
                if (!deparse_condition(ctx, static_cast<Expr*>(lfirst(lc)), out)) return false;
            }
            out += ")";
            return true;
        }
        case T_ArrayExpr: {
            if (is_mssql(ctx)) return false;
            ArrayExpr* a = reinterpret_cast<ArrayExpr*>(expr);
            if (!is_builtin_type(a->array_typeid)) return false;
            out += "ARRAY[";
            ListCell* lc;
            bool first = true;
            foreach (lc, a->elements) {
                if (!first) out += ", ";
                first = false;
                if (!deparse_expr(ctx, static_cast<Expr*>(lfirst(lc)), out)) return false;
            }
            out += "]::" + type_name(a->array_typeid, -1);
            return true;
        }
        default:
            return false;
    }
}

bool deparse_conditions(DeparseContext& ctx, List* exprs, std::string& out) {
    ListCell* lc;
    bool first = true;
    foreach (lc, exprs) {
        if (!first) out += " AND ";
        first = false;
        if (!deparse_condition(ctx, static_cast<Expr*>(lfirst(lc)), out)) return false;
    }
    return true;
}

namespace {

// One sort key: only the type's default ordering is the same remotely.
bool append_sort_key(DeparseContext& ctx, PathKey* pk, Expr* key, bool first, std::string& out) {
    Oid type = expr_type(key);
    Oid opfamily = pg::pg_call([&] {
        Oid opclass = GetDefaultOpClass(type, BTREE_AM_OID);
        return OidIsValid(opclass) ? get_opclass_family(opclass) : InvalidOid;
    });
    if (opfamily != pk->pk_opfamily) return false;
    if (is_mssql(ctx) && !mssql_ordered_type(type)) return false;
    std::string col;
    if (!deparse_expr(ctx, key, col)) return false;
    bool desc = pk->pk_strategy == BTGreaterStrategyNumber;
    if (!first) out += ", ";
    if (is_mssql(ctx)) {
        // T-SQL sorts NULL lowest and has no NULLS FIRST/LAST: spell the placement out.
        bool nulls_lowest = desc ? !pk->pk_nulls_first : pk->pk_nulls_first;
        if (!nulls_lowest) out += "CASE WHEN " + col + " IS NULL THEN 1 ELSE 0 END" + (desc ? " DESC" : "") + ", ";
        out += col + (desc ? " DESC" : " ASC");
    } else {
        out += col + (desc ? " DESC" : " ASC") + (pk->pk_nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    return true;
}

}  // namespace

namespace {

// ORDER BY for pathkeys; member_of picks, per equivalence class, the expression to sort on
// (nullptr: this sort cannot be sent).
template <typename MemberOf>
bool deparse_pathkeys(DeparseContext& ctx, List* pathkeys, std::string& out, MemberOf member_of) {
    ListCell* lc;
    bool first = true;
    foreach (lc, pathkeys) {
        PathKey* pk = static_cast<PathKey*>(lfirst(lc));
        EquivalenceClass* ec = pk->pk_eclass;
        if (ec->ec_has_volatile) return false;
        Expr* key = nullptr;
        ListCell* lc2;
        foreach (lc2, ec->ec_members) {
            key = member_of(static_cast<EquivalenceMember*>(lfirst(lc2)));
            if (key != nullptr) break;
        }
        if (key == nullptr || !append_sort_key(ctx, pk, key, first, out)) return false;
        first = false;
    }
    return true;
}

}  // namespace

bool deparse_order_by(DeparseContext& ctx, RelOptInfo* rel, List* pathkeys, std::string& out) {
    // A plain column of this scan's relation.
    return deparse_pathkeys(ctx, pathkeys, out, [&](EquivalenceMember* em) -> Expr* {
        bool ours = bms_is_subset(em->em_relids, rel->relids) && !bms_is_empty(em->em_relids);
        return ours && IsA(em->em_expr, Var) ? em->em_expr : nullptr;
    });
}

bool deparse_upper_order_by(DeparseContext& ctx, List* pathkeys, List* exprs, std::string& out) {
    // One of the grouped relation's output expressions (looking through binary-compatible casts).
    return deparse_pathkeys(ctx, pathkeys, out, [&](EquivalenceMember* em) -> Expr* {
        Expr* e = em->em_expr;
        while (IsA(e, RelabelType)) e = reinterpret_cast<RelabelType*>(e)->arg;
        return pg::pg_call([&] { return list_member(exprs, e); }) ? e : nullptr;
    });
}

std::vector<OutputColumn> upper_output_columns(DeparseContext& ctx, Expr* expr) {
    std::vector<OutputColumn> one(1);
    if (!is_mssql(ctx) || !IsA(expr, Aggref)) return one;
    Aggref* a = reinterpret_cast<Aggref*>(expr);
    if (a->aggstar || list_length(a->args) != 1) return one;
    Expr* arg = lfirst_node(TargetEntry, list_head(a->args))->expr;
    char* name_c = pg::pg_call([&] { return get_func_name(a->aggfnoid); });
    std::string name = name_c ? name_c : "";
    Oid type = expr_type(arg);
    int32 typmod = pg::pg_call([&] { return exprTypmod((Node*) arg); });
    constexpr int32 kMaxPrecision = 1000;   // NUMERIC_MAX_PRECISION
    auto numeric_of_scale = [&](int scale) { return (kMaxPrecision << 16) + scale + int32(VARHDRSZ); };
    if (name == "avg") {
        AvgSum sum;
        if (!mssql_avg_sum(type, typmod, sum)) return one;
        // The sum read with the scale PostgreSQL's own sum has (integers: 0), so numeric_div sees
        // the same operands and gives the same digits.
        OutputColumn s{ColumnRole::avg_sum, sum.is_float ? Oid(FLOAT8OID) : Oid(NUMERICOID),
                       sum.is_float ? -1 : numeric_of_scale(sum.scale)};
        OutputColumn n{ColumnRole::avg_count, INT8OID, -1};
        return {s, n};
    }
    if (expr_type(expr) != NUMERICOID) return one;
    if (name == "sum" && type == INT8OID) {
        one[0].typmod = numeric_of_scale(0);
        return one;
    }
    if (type != NUMERICOID || numeric_typmod_scale(typmod) < 0) return one;
    if (name == "sum") one[0].typmod = numeric_of_scale(numeric_typmod_scale(typmod));
    if (name == "min" || name == "max") one[0].typmod = typmod;
    return one;
}

bool groupable(DeparseContext& ctx, Expr* expr) {
    if (!IsA(expr, Var)) return false;
    Oid type = expr_type(expr);
    if (is_mssql(ctx) && !mssql_ordered_type(type) && type != BOOLOID && type != UUIDOID) return false;
    std::string scratch;
    return deparse_expr(ctx, expr, scratch);
}

bool deparse_upper_output(DeparseContext& ctx, Expr* expr, std::string& out) {
    // Outputs are grouping columns (text ones already read as ::text) and aggregates, whose
    // built-in result types over those arguments are the same there.
    if (!IsA(expr, Var) && !IsA(expr, Aggref)) return false;
    bool saved = ctx.select_list;
    ctx.select_list = true;
    bool ok = deparse_expr(ctx, expr, out);
    ctx.select_list = saved;
    return ok;
}

std::string substitute_params(const std::string& sql, const std::vector<std::string>& literals) {
    std::string out;
    out.reserve(sql.size());
    for (size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] != kParamMarker) {
            out.push_back(sql[i]);
            continue;
        }
        size_t end = sql.find(kParamMarker, i + 1);
        int n = std::atoi(sql.substr(i + 1, end - i - 1).c_str());
        out += literals.at(size_t(n - 1));
        i = end;
    }
    return out;
}

std::string display_params(const std::string& sql) {
    std::string out;
    for (size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] != kParamMarker) {
            out.push_back(sql[i]);
            continue;
        }
        size_t end = sql.find(kParamMarker, i + 1);
        out += "@P" + sql.substr(i + 1, end - i - 1);
        i = end;
    }
    return out;
}

}  // namespace berqenas::fdw
