// Which local expressions a remote kind evaluates as PostgreSQL does, and how the FDW's deparser
// spells them there. Pure C++: the deparser (src/fdw) maps a node's type to a ValueType first.
#pragma once

#include "common/pure_cpp.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berqenas::remote {

// A built-in local type as the rules tell them apart; text is text, varchar, char and name.
enum class ValueType { boolean, int2, int4, int8, numeric, float4, float8, date, time, timestamp, timestamptz,
                       uuid, bytea, text, other };

// Whether an expression may be sent: recheck means the remote may return extra rows (its text
// comparisons ignore case, say), which the scan checks again locally.
enum class Shipping { no, yes, recheck };

// One remote column a grouped query's select-list item comes back as, and how it is read.
struct AggregateColumn {
    enum class Role { value, avg_sum, avg_count };   // avg: an exact sum, then the count, divided here
    // own: the item's type; own_scale: the item's numeric type with `scale`; argument_typmod: with
    // the aggregate argument's typmod; float8 / int8 / numeric_scale (numeric with `scale`).
    enum class ReadAs { own, own_scale, argument_typmod, float8, int8, numeric_scale };
    Role role = Role::value;
    ReadAs read_as = ReadAs::own;
    int scale = 0;
};

// Deparse runs at planning time: these are virtual, and nothing here is called per row.
class ExpressionRules {
public:
    virtual ~ExpressionRules() = default;

    // The remote has PostgreSQL's built-in types, operators and functions under the same names
    // and meanings: any immutable built-in expression may be sent, written as PostgreSQL writes
    // it (constants and parameters cast to their type, ANY/ALL, FILTER, casts, function calls).
    // The questions below then all answer yes; they matter where this is false.
    virtual bool same_builtins() const = 0;

    // A constant or parameter of this type can be written so the remote compares it alike.
    virtual bool ships_value(ValueType type) const = 0;
    // left op right, op by its PostgreSQL name ("=", "<>", "<", ...; not LIKE); negated: under NOT.
    virtual Shipping comparison(std::string_view op, ValueType left, ValueType right, bool negated) const = 0;
    // left LIKE 'pattern' (PostgreSQL's ~~ with a constant pattern).
    virtual Shipping like(ValueType left, ValueType right, std::string_view pattern, bool negated) const = 0;
    // x IN (constants) (= ANY) or x NOT IN (...) (<> ALL).
    virtual Shipping in_list(ValueType element, bool not_in, bool negated) const = 0;
    // A boolean column standing alone as a condition (column: already deparsed).
    virtual std::string boolean_condition(const std::string& column) const = 0;

    // ORDER BY on a value of this type sorts as PostgreSQL's default ordering does.
    virtual bool sorts_alike(ValueType type) const = 0;
    // One ORDER BY key with PostgreSQL's NULL placement.
    virtual std::string sort_key(const std::string& expr, bool descending, bool nulls_first) const = 0;
    // GROUP BY on a column of this type forms the same groups.
    virtual bool groups_alike(ValueType type) const = 0;

    // count(*).
    virtual std::string count_star() const = 0;
    // name(value) where name is count, sum, min, max or avg over one argument of type arg
    // (numeric_scale: its numeric scale, -1 when unconstrained or not numeric), value already
    // deparsed; nullopt when the remote would compute something else. select_list: the item is in
    // the select list (where an avg may be two columns, see output_columns). Without
    // same_builtins(), FILTER is never asked for.
    virtual std::optional<std::string> aggregate(std::string_view name, ValueType arg, int numeric_scale, bool distinct,
                                                 const std::string& value, bool select_list) const = 0;
    // The remote columns aggregate(name, ...) comes back as, in order (result: the aggregate's
    // local type). One column read as its own type unless the remote's result type differs.
    virtual std::vector<AggregateColumn> output_columns(std::string_view name, ValueType arg, int numeric_scale,
                                                        ValueType result) const = 0;
};

}  // namespace berqenas::remote
