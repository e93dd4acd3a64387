// T-SQL's "UPDATE t SET ... FROM t alias JOIN src ON cond" has a different meaning in
// PostgreSQL (the FROM would join a second copy of t). This reshapes it to PostgreSQL's
// "UPDATE t AS alias SET ... FROM src WHERE cond", the form trigger bodies use.
#pragma once

#include <vector>

#include "tsql_lexer.h"

namespace berqenas::tds {

// Returns the statement unchanged when it is not that shape (or uses outer joins).
std::vector<Token> rewrite_update_from_join(const std::vector<Token>& statement);

}  // namespace berqenas::tds
