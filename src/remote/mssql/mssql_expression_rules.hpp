// What the FDW may send to SQL Server or Babelfish, and in which T-SQL: only comparisons of types
// T-SQL orders alike, text compared case-insensitively there (so rechecked), exact aggregates.
#pragma once

#include "common/pure_cpp.hpp"

#include "remote/expression_rules.hpp"

namespace berqenas::remote::mssql {

class MssqlExpressionRules final : public ExpressionRules {
public:
    bool same_builtins() const override { return false; }
    bool ships_value(ValueType type) const override;
    Shipping comparison(std::string_view op, ValueType left, ValueType right, bool negated) const override;
    Shipping like(ValueType left, ValueType right, std::string_view pattern, bool negated) const override;
    Shipping in_list(ValueType element, bool not_in, bool negated) const override;
    std::string boolean_condition(const std::string& column) const override;
    bool sorts_alike(ValueType type) const override;
    std::string sort_key(const std::string& expr, bool descending, bool nulls_first) const override;
    bool groups_alike(ValueType type) const override;
    std::string count_star() const override { return "COUNT_BIG(*)"; }
    std::optional<std::string> aggregate(std::string_view name, ValueType arg, int numeric_scale, bool distinct,
                                         const std::string& value, bool select_list) const override;
    std::vector<AggregateColumn> output_columns(std::string_view name, ValueType arg, int numeric_scale,
                                                ValueType result) const override;
};

}  // namespace berqenas::remote::mssql
