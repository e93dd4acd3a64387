// T-SQL shipping rules. Text compares case-insensitively under the default collation, so text
// conditions go out as a pre-filter and are rechecked; T-SQL's COUNT is an int and its AVG keeps
// the argument's type, so aggregates are rewritten into what gives PostgreSQL's results.
#include "remote/mssql/mssql_expression_rules.hpp"

namespace berqenas::remote::mssql {

namespace {

// Types whose comparisons and ordering mean the same in T-SQL.
bool ordered_type(ValueType t) {
    switch (t) {
        case ValueType::int2: case ValueType::int4: case ValueType::int8: case ValueType::numeric:
        case ValueType::float4: case ValueType::float8: case ValueType::date: case ValueType::time:
        case ValueType::timestamp: case ValueType::timestamptz:
            return true;
        default:
            return false;
    }
}

bool equality_type(ValueType t) {
    return ordered_type(t) || t == ValueType::boolean || t == ValueType::uuid || t == ValueType::bytea;
}

// An avg's exact sum: PostgreSQL's avg over int2/int4/int8/numeric divides the exact sum by the
// count with numeric_div, and over float4/float8 sums in float8 and divides. T-SQL's AVG does
// neither (AVG(int) is an int, AVG(decimal) has its own scale), so the remote sends the sum of each
// value as the local column holds it, in a type that holds the sum exactly (or as float), and the
// division happens locally. value_cast: what each value is cast to before SUM.
struct AvgSum {
    std::string value_cast;        // "bigint", "decimal(38,s)" or "float"
    bool round_to_real = false;    // float4: the value as a real first, as the local column holds it
    bool is_float = false;
    int scale = 0;                 // numeric: the sum's scale, the argument's (0 for integers)
};

bool avg_sum(ValueType type, int numeric_scale, AvgSum& sum) {
    switch (type) {
        case ValueType::int2: case ValueType::int4: sum.value_cast = "bigint"; return true;
        case ValueType::int8: sum.value_cast = "decimal(38,0)"; return true;
        case ValueType::numeric:
            // Unconstrained numeric: the local values' scales are the remote's, unknown here, and
            // the quotient's scale follows the sum's.
            if (numeric_scale < 0) return false;
            sum.scale = numeric_scale;
            sum.value_cast = "decimal(38," + std::to_string(sum.scale) + ")";
            return true;
        case ValueType::float4: sum.round_to_real = true; sum.is_float = true; sum.value_cast = "float"; return true;
        case ValueType::float8: sum.is_float = true; sum.value_cast = "float"; return true;
        default: return false;
    }
}

}  // namespace

bool MssqlExpressionRules::ships_value(ValueType type) const {
    return equality_type(type) || type == ValueType::text;
}

Shipping MssqlExpressionRules::comparison(std::string_view op, ValueType left, ValueType right, bool negated) const {
    bool ordered = op == "<" || op == "<=" || op == ">" || op == ">=";
    bool equality = op == "=" || op == "<>";
    if (!ordered && !equality) return Shipping::no;
    if (left == ValueType::text && right == ValueType::text) {
        // Case-insensitive there: "=" finds a superset, rechecked here; nothing else is safe.
        return op == "=" && !negated ? Shipping::recheck : Shipping::no;
    }
    if (ordered) return ordered_type(left) && ordered_type(right) ? Shipping::yes : Shipping::no;
    return equality_type(left) && equality_type(right) ? Shipping::yes : Shipping::no;
}

// T-SQL has [...] classes and no default escape, so only plain patterns; case-insensitive, so
// a superset.
Shipping MssqlExpressionRules::like(ValueType left, ValueType right, std::string_view pattern, bool negated) const {
    if (left != ValueType::text || right != ValueType::text || negated) return Shipping::no;
    if (pattern.find_first_of("[\\") != std::string_view::npos) return Shipping::no;
    return Shipping::recheck;
}

Shipping MssqlExpressionRules::in_list(ValueType element, bool not_in, bool negated) const {
    if (element == ValueType::text) return not_in || negated ? Shipping::no : Shipping::recheck;
    return equality_type(element) ? Shipping::yes : Shipping::no;
}

// T-SQL has no boolean expressions over bit columns.
std::string MssqlExpressionRules::boolean_condition(const std::string& column) const { return "(" + column + " = 1)"; }

bool MssqlExpressionRules::sorts_alike(ValueType type) const { return ordered_type(type); }

// T-SQL sorts NULL lowest and has no NULLS FIRST/LAST: the placement is spelled out.
std::string MssqlExpressionRules::sort_key(const std::string& expr, bool descending, bool nulls_first) const {
    bool nulls_lowest = descending ? !nulls_first : nulls_first;
    std::string out;
    if (!nulls_lowest) out += "CASE WHEN " + expr + " IS NULL THEN 1 ELSE 0 END" + (descending ? " DESC" : "") + ", ";
    return out + expr + (descending ? " DESC" : " ASC");
}

bool MssqlExpressionRules::groups_alike(ValueType type) const {
    return ordered_type(type) || type == ValueType::boolean || type == ValueType::uuid;
}

// COUNT_BIG (COUNT is int there), SUM widened so it cannot overflow where PostgreSQL's does not
// (int -> bigint, bigint -> decimal(38,0), as PostgreSQL's bigint and numeric results), MIN/MAX
// only over types compared alike; avg only as a select-list item, as an exact sum and a count
// (avg_sum); nothing over text (case-insensitive there).
std::optional<std::string> MssqlExpressionRules::aggregate(std::string_view name, ValueType type, int numeric_scale,
                                                           bool is_distinct, const std::string& value,
                                                           bool select_list) const {
    const std::string distinct = is_distinct ? "DISTINCT " : "";
    if (name == "count") {
        if (ordered_type(type) || (!is_distinct && equality_type(type))) return "COUNT_BIG(" + distinct + value + ")";
        // COUNT refuses text/ntext/image there; IS NOT NULL takes any type.
        if (!is_distinct) return "COUNT_BIG(CASE WHEN " + value + " IS NOT NULL THEN 1 END)";
        return std::nullopt;
    }
    if (name == "sum") {
        switch (type) {
            case ValueType::int2: case ValueType::int4: return "SUM(" + distinct + "CAST(" + value + " AS bigint))";
            case ValueType::int8: return "SUM(" + distinct + "CAST(" + value + " AS decimal(38,0)))";
            case ValueType::numeric:
                // Each value as the local column holds it (rounded to its scale), as PostgreSQL sums.
                if (numeric_scale >= 0)
                    return "SUM(" + distinct + "CAST(" + value + " AS decimal(38," + std::to_string(numeric_scale) + ")))";
                return "SUM(" + distinct + value + ")";
            case ValueType::float8: return "SUM(" + distinct + value + ")";
            default: return std::nullopt;
        }
    }
    if (name == "min" || name == "max") {
        if (!ordered_type(type)) return std::nullopt;
        return (name == "min" ? "MIN(" : "MAX(") + value + ")";
    }
    if (name == "avg") {
        // Two columns, computed into one value locally: only a select list can hold them.
        if (!select_list) return std::nullopt;
        AvgSum sum;
        if (!avg_sum(type, numeric_scale, sum)) return std::nullopt;
        std::string held = sum.round_to_real ? "CAST(" + value + " AS real)" : value;
        std::string cast = "CAST(" + held + " AS " + sum.value_cast + ")";
        // DISTINCT counts the values the sum adds (as the local column holds them).
        return "SUM(" + distinct + cast + "), COUNT_BIG(" + distinct + (distinct.empty() ? value : cast) + ")";
    }
    return std::nullopt;
}

// Decimals come back with the scale of the remote's expression type (and the TDS test server's
// stand-in may widen it), so sum/min/max over numeric(p,s) or bigint are read with PostgreSQL's
// scale; an avg is its exact sum and its count.
std::vector<AggregateColumn> MssqlExpressionRules::output_columns(std::string_view name, ValueType type,
                                                                  int numeric_scale, ValueType result) const {
    using Role = AggregateColumn::Role;
    using ReadAs = AggregateColumn::ReadAs;
    std::vector<AggregateColumn> one(1);
    if (name == "avg") {
        AvgSum sum;
        if (!avg_sum(type, numeric_scale, sum)) return one;
        // The sum read with the scale PostgreSQL's own sum has (integers: 0), so numeric_div sees
        // the same operands and gives the same digits.
        AggregateColumn s{Role::avg_sum, sum.is_float ? ReadAs::float8 : ReadAs::numeric_scale, sum.scale};
        AggregateColumn n{Role::avg_count, ReadAs::int8, 0};
        return {s, n};
    }
    if (result != ValueType::numeric) return one;
    if (name == "sum" && type == ValueType::int8) {
        one[0] = {Role::value, ReadAs::own_scale, 0};
        return one;
    }
    if (type != ValueType::numeric || numeric_scale < 0) return one;
    if (name == "sum") one[0] = {Role::value, ReadAs::own_scale, numeric_scale};
    if (name == "min" || name == "max") one[0] = {Role::value, ReadAs::argument_typmod, 0};
    return one;
}

}  // namespace berqenas::remote::mssql
