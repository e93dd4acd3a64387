// PostgreSQL shipping rules: the remote computes every built-in as we do, so an aggregate or a
// sort key is written as it reads locally.
#include "remote/postgresql/postgresql_expression_rules.hpp"

namespace berqenas::remote::postgresql {

std::string PostgresqlExpressionRules::sort_key(const std::string& expr, bool descending, bool nulls_first) const {
    return expr + (descending ? " DESC" : " ASC") + (nulls_first ? " NULLS FIRST" : " NULLS LAST");
}

std::optional<std::string> PostgresqlExpressionRules::aggregate(std::string_view name, ValueType, int, bool distinct,
                                                                const std::string& value, bool) const {
    return std::string(name) + "(" + (distinct ? "DISTINCT " : "") + value + ")";
}

}  // namespace berqenas::remote::postgresql
