// What the FDW may send to a PostgreSQL remote: any immutable built-in expression, written as
// PostgreSQL writes it (the deparser does that itself when same_builtins() says so).
#pragma once

#include "common/pure_cpp.hpp"

#include "remote/expression_rules.hpp"

namespace berqenas::remote::postgresql {

class PostgresqlExpressionRules final : public ExpressionRules {
public:
    bool same_builtins() const override { return true; }
    bool ships_value(ValueType) const override { return true; }
    Shipping comparison(std::string_view, ValueType, ValueType, bool) const override { return Shipping::yes; }
    Shipping like(ValueType, ValueType, std::string_view, bool) const override { return Shipping::yes; }
    Shipping in_list(ValueType, bool, bool) const override { return Shipping::yes; }
    std::string boolean_condition(const std::string& column) const override { return column; }
    bool sorts_alike(ValueType) const override { return true; }
    std::string sort_key(const std::string& expr, bool descending, bool nulls_first) const override;
    bool groups_alike(ValueType) const override { return true; }
    std::string count_star() const override { return "count(*)"; }
    std::optional<std::string> aggregate(std::string_view name, ValueType arg, int numeric_scale, bool distinct,
                                         const std::string& value, bool select_list) const override;
    std::vector<AggregateColumn> output_columns(std::string_view, ValueType, int, ValueType) const override {
        return std::vector<AggregateColumn>(1);
    }
};

}  // namespace berqenas::remote::postgresql
