// Translates the trigger DDL Berqenas emits on SQL Server (AFTER INSERT/UPDATE/DELETE triggers
// reading `inserted` and `deleted`) into PostgreSQL statement-level triggers whose transition
// tables carry those same names.
#pragma once

#include <vector>

#include "tsql_lexer.h"
#include "tsql_rewriter.h"

namespace berqenas::tds {

RewrittenStatement translate_create_trigger(const std::vector<Token>& statement, const RewriteContext& ctx);
RewrittenStatement translate_drop_trigger(const std::vector<Token>& statement, const RewriteContext& ctx);

}  // namespace berqenas::tds
