// T-SQL's OUTPUT clause (INSERT/UPDATE/DELETE ... OUTPUT inserted.*, deleted.x) becomes
// PostgreSQL's RETURNING; UPDATE's deleted.* (the row before the change) reads a copy of the old
// row joined by ctid, since PostgreSQL 15's RETURNING sees only the new row.
#pragma once

#include <string>
#include <vector>

#include "token_writer.h"
#include "tsql_lexer.h"

namespace berqenas::tds {

// The OUTPUT clause taken out of a statement.
struct OutputClause {
    bool present = false;
    std::string verb;            // insert, update, delete
    std::vector<Token> items;    // the column list as written, without OUTPUT
    bool refused = false;        // a shape we do not translate: `message` says why
    ServerMessage message;
};

// Returns the statement without its top-level OUTPUT clause (unchanged when there is none).
std::vector<Token> extract_output_clause(const std::vector<Token>& statement, OutputClause& clause);

// Appends RETURNING for the clause to the statement (already reshaped, still T-SQL tokens),
// with inserted./deleted. references turned into the target's (or the old row's) columns.
std::vector<Token> append_returning(const std::vector<Token>& statement, const OutputClause& clause);

}  // namespace berqenas::tds
