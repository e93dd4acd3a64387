// Deparsing local expressions into the remote's SQL. Only what both sides evaluate the same way
// is sent: the remote's ExpressionRules (remote/expression_rules.hpp) say what that is, and how it
// is spelled; where the remote has PostgreSQL's own built-ins, anything immutable and built in.
// A condition the remote may answer more loosely (MSSQL text, case-insensitive there) is sent as
// a pre-filter and checked again locally.
#include "fdw/deparse.hpp"

#include "convert/inbound.hpp"
#include "convert/outbound.hpp"
#include "remote/dialect.hpp"
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

using remote::Shipping;
using remote::ValueType;

namespace {

const remote::Dialect& dialect_of(const DeparseContext& ctx) { return remote::dialect(ctx.table->kind); }
const remote::ExpressionRules& rules(const DeparseContext& ctx) { return dialect_of(ctx).expression_rules(); }
bool same_builtins(const DeparseContext& ctx) { return rules(ctx).same_builtins(); }

// A built-in type as the remote's rules tell them apart.
ValueType value_type(Oid t) {
    switch (t) {
        case BOOLOID: return ValueType::boolean;
        case INT2OID: return ValueType::int2;
        case INT4OID: return ValueType::int4;
        case INT8OID: return ValueType::int8;
        case NUMERICOID: return ValueType::numeric;
        case FLOAT4OID: return ValueType::float4;
        case FLOAT8OID: return ValueType::float8;
        case DATEOID: return ValueType::date;
        case TIMEOID: return ValueType::time;
        case TIMESTAMPOID: return ValueType::timestamp;
        case TIMESTAMPTZOID: return ValueType::timestamptz;
        case UUIDOID: return ValueType::uuid;
        case BYTEAOID: return ValueType::bytea;
        case TEXTOID: case VARCHAROID: case BPCHAROID: case NAMEOID: return ValueType::text;
        default: return ValueType::other;
    }
}

// A shippable condition; recheck: the scan checks the rows again locally.
bool accept(DeparseContext& ctx, Shipping shipping) {
    if (shipping == Shipping::recheck) ctx.recheck = true;
    return shipping != Shipping::no;
}

bool collation_ok(Oid coll) { return coll == InvalidOid || coll == DEFAULT_COLLATION_OID || coll == C_COLLATION_OID; }

std::string type_name(Oid type, int32 typmod) {
    char* s = pg::pg_call([&] { return format_type_with_typemod(type, typmod); });
    return s;
}

// numeric(p,s)'s scale (PostgreSQL 15 allows a negative one); -1 for unconstrained numeric.
int numeric_typmod_scale(int32 typmod) {
    if (typmod < int32(VARHDRSZ)) return -1;
    int scale = ((((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);
    return scale < 0 ? -1 : scale;
}

// A literal in the remote's own style (convert/outbound); false when it cannot be sent.
bool append_literal(DeparseContext& ctx, Datum value, bool isnull, Oid type, std::string& out) {
    std::string lit = LiteralWriter(dialect_of(ctx).quoting())(value, isnull, type);
    if (lit.find(kParamMarker) != std::string::npos) return false;
    out += lit;
    return true;
}

bool deparse_const(DeparseContext& ctx, Const* c, std::string& out) {
    if (!is_builtin_type(c->consttype)) return false;
    if (!same_builtins(ctx)) {
        if (c->constisnull) {
            out += "NULL";
            return true;
        }
        if (!rules(ctx).ships_value(value_type(c->consttype))) return false;
        TransmissionModes modes;
        return append_literal(ctx, c->constvalue, false, c->consttype, out);
    }
    // The remote has our types: the text form cast to the constant's type.
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
        out += dialect_of(ctx).quote_literal(text) + "::" + type_name(c->consttype, c->consttypmod);
    }
    return true;
}

bool deparse_param(DeparseContext& ctx, Param* p, std::string& out) {
    if (p->paramkind != PARAM_EXTERN && p->paramkind != PARAM_EXEC) return false;
    if (!is_builtin_type(p->paramtype)) return false;
    if (!rules(ctx).ships_value(value_type(p->paramtype))) return false;
    int index = 1;
    if (ctx.params != nullptr) {
        ListCell* lc;
        bool found = false;
        foreach (lc, *ctx.params) {
            Node* listed = static_cast<Node*>(lfirst(lc));
            if (pg::pg_call([&] { return equal(listed, p); })) {
                found = true;
                break;
            }
            ++index;
        }
        if (!found) *ctx.params = pg::pg_call([&] { return lappend(*ctx.params, p); });
    }
    const remote::Dialect& d = dialect_of(ctx);
    if (!d.binds_parameters())
        out += std::string(1, kParamMarker) + std::to_string(index) + std::string(1, kParamMarker);
    else if (same_builtins(ctx))
        out += d.quoting().parameter(index) + "::" + type_name(p->paramtype, p->paramtypmod);
    else
        out += d.quoting().parameter(index);
    return true;
}

bool deparse_var(DeparseContext& ctx, Var* v, std::string& out) {
    if (v->varno != int(ctx.relid) || v->varlevelsup != 0 || v->varattno <= 0) return false;
    if (!is_builtin_type(v->vartype)) return false;
    if (!collation_ok(v->varcollid)) return false;
    // The remote's column may be citext or an enum: grouped and compared as our text.
    if (ctx.upper && same_builtins(ctx) && v->vartype == TEXTOID)
        out += "(" + remote_column(*ctx.table, v->varattno) + ")::text";
    else
        out += remote_column(*ctx.table, v->varattno);
    return true;
}

// exprType ereports on a node it does not know: through the guard, as every PostgreSQL call here.
Oid expr_type(Expr* e) { return pg::pg_call([&] { return exprType(reinterpret_cast<Node*>(e)); }); }

}  // namespace

// A boolean column in condition position, as the remote tests one (T-SQL: "[c] = 1", having no
// boolean expressions over bit columns).
bool deparse_condition(DeparseContext& ctx, Expr* e, std::string& out) {
    if (IsA(e, Var) && expr_type(e) == BOOLOID) {
        std::string column;
        if (!deparse_var(ctx, reinterpret_cast<Var*>(e), column)) return false;
        out += rules(ctx).boolean_condition(column);
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
    if (!same_builtins(ctx)) {
        if (nargs != 2) return false;
        Expr* left = static_cast<Expr*>(linitial(op->args));
        Expr* right = static_cast<Expr*>(lsecond(op->args));
        ValueType lt = value_type(expr_type(left)), rt = value_type(expr_type(right));
        if (name == "~~") {
            // Only a constant pattern, and only where LIKE over these types may be sent at all.
            if (rules(ctx).like(lt, rt, "", ctx.under_not) == Shipping::no) return false;
            if (!IsA(right, Const) || reinterpret_cast<Const*>(right)->constisnull) return false;
            Datum pattern_datum = reinterpret_cast<Const*>(right)->constvalue;
            char* pat = pg::pg_call([&] { return TextDatumGetCString(pattern_datum); });
            std::string pattern = pat;
            if (!accept(ctx, rules(ctx).like(lt, rt, pattern, ctx.under_not))) return false;
            out += "(";
            if (!deparse_expr(ctx, left, out)) return false;
            out += " LIKE " + dialect_of(ctx).quote_literal(pattern) + ")";
            return true;
        }
        if (!accept(ctx, rules(ctx).comparison(name, lt, rt, ctx.under_not))) return false;
        out += "(";
        if (!deparse_expr(ctx, left, out)) return false;
        out += " " + name + " ";
        if (!deparse_expr(ctx, right, out)) return false;
        out += ")";
        return true;
    }
    // Built-in operators over built-in types mean the same on both sides.
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
    if (same_builtins(ctx)) {
        out += "(";
        if (!deparse_expr(ctx, left, out)) return false;
        out += " " + name + (op->useOr ? " ANY (" : " ALL (");
        if (!deparse_expr(ctx, right, out)) return false;
        out += "))";
        return true;
    }
    // x IN (a, b) / x NOT IN (a, b) from constant lists.
    bool in = op->useOr && name == "=";
    bool not_in = !op->useOr && name == "<>";
    if (!in && !not_in) return false;
    if (!accept(ctx, rules(ctx).in_list(value_type(expr_type(left)), not_in, ctx.under_not))) return false;
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
            std::string lit;
            if (!append_literal(ctx, values[i], nulls[i], elem, lit)) return false;
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

// Function calls and casts: only where the remote has our functions.
bool deparse_func(DeparseContext& ctx, FuncExpr* f, std::string& out) {
    if (!same_builtins(ctx) || f->funcid >= 10000 || !collation_ok(f->inputcollid)) return false;
    if (pg::pg_call([&] { return func_volatile(f->funcid); }) != PROVOLATILE_IMMUTABLE) return false;
    if (f->funcformat == COERCE_IMPLICIT_CAST || f->funcformat == COERCE_EXPLICIT_CAST) {
        if (list_length(f->args) < 1) return false;
        out += "(";
        if (!deparse_expr(ctx, static_cast<Expr*>(linitial(f->args)), out)) return false;
        int32 typmod = pg::pg_call([&] { return exprTypmod(reinterpret_cast<Node*>(f)); });
        out += ")::" + type_name(f->funcresulttype, typmod);
        return true;
    }
    if (f->funcformat != COERCE_EXPLICIT_CALL || f->funcvariadic) return false;
    char* name = pg::pg_call([&] { return get_func_name(f->funcid); });
    out += dialect_of(ctx).quote_identifier(name) + "(";
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

// Aggregates both sides compute alike: count, sum, min, max and avg over one argument, as the
// remote's rules write them (ExpressionRules::aggregate); FILTER only where it has our built-ins.
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
        out += rules(ctx).count_star();
        return true;
    }
    if (list_length(a->args) != 1) return false;
    Expr* arg = lfirst_node(TargetEntry, list_head(a->args))->expr;
    Oid type = expr_type(arg);
    if (a->aggfilter != nullptr && !same_builtins(ctx)) return false;
    std::string value;
    if (!deparse_expr(ctx, arg, value)) return false;
    int32 typmod = pg::pg_call([&] { return exprTypmod((Node*) arg); });
    std::optional<std::string> call = rules(ctx).aggregate(name, value_type(type), numeric_typmod_scale(typmod),
                                                           a->aggdistinct != NIL, value, ctx.select_list);
    if (!call) return false;
    out += *call;
    if (a->aggfilter != nullptr) {
        out += " FILTER (WHERE ";
        if (!deparse_condition(ctx, a->aggfilter, out)) return false;
        out += ")";
    }
    return true;
}

}  // namespace

std::string remote_column(const TableOptions& table, int attnum) {
    return remote::quote_identifier(table.kind, table.columns[size_t(attnum - 1)].remote_name);
}

std::string fetched_column(const TableOptions& table, int attnum, const std::string& as_utf16) {
    if (!as_utf16.empty()) return as_utf16;
    std::string out = remote_column(table, attnum);
    // A remote with our types: text too, as the remote's may be an enum, citext or another type
    // without our binary form.
    if (remote::dialect(table.kind).expression_rules().same_builtins()) {
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
            if (!same_builtins(ctx)) return false;
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
    if (!rules(ctx).sorts_alike(value_type(type))) return false;
    std::string col;
    if (!deparse_expr(ctx, key, col)) return false;
    bool desc = pk->pk_strategy == BTGreaterStrategyNumber;
    if (!first) out += ", ";
    out += rules(ctx).sort_key(col, desc, pk->pk_nulls_first);
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
    if (!IsA(expr, Aggref)) return one;
    Aggref* a = reinterpret_cast<Aggref*>(expr);
    if (a->aggstar || list_length(a->args) != 1) return one;
    Expr* arg = lfirst_node(TargetEntry, list_head(a->args))->expr;
    char* name_c = pg::pg_call([&] { return get_func_name(a->aggfnoid); });
    std::string name = name_c ? name_c : "";
    Oid type = expr_type(arg);
    int32 typmod = pg::pg_call([&] { return exprTypmod((Node*) arg); });
    constexpr int32 kMaxPrecision = 1000;   // NUMERIC_MAX_PRECISION
    auto numeric_of_scale = [&](int scale) { return (kMaxPrecision << 16) + scale + int32(VARHDRSZ); };
    using ReadAs = remote::AggregateColumn::ReadAs;
    using Role = remote::AggregateColumn::Role;
    std::vector<OutputColumn> out;
    for (const remote::AggregateColumn& c :
         rules(ctx).output_columns(name, value_type(type), numeric_typmod_scale(typmod), value_type(expr_type(expr)))) {
        OutputColumn o;
        o.role = c.role == Role::avg_sum ? ColumnRole::avg_sum : c.role == Role::avg_count ? ColumnRole::avg_count
                                                                                         : ColumnRole::value;
        switch (c.read_as) {
            case ReadAs::own: break;
            case ReadAs::own_scale: o.typmod = numeric_of_scale(c.scale); break;
            case ReadAs::argument_typmod: o.typmod = typmod; break;
            case ReadAs::float8: o.type = FLOAT8OID; break;
            case ReadAs::int8: o.type = INT8OID; break;
            case ReadAs::numeric_scale: o.type = NUMERICOID; o.typmod = numeric_of_scale(c.scale); break;
        }
        out.push_back(o);
    }
    return out;
}

bool groupable(DeparseContext& ctx, Expr* expr) {
    if (!IsA(expr, Var)) return false;
    if (!rules(ctx).groups_alike(value_type(expr_type(expr)))) return false;
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
