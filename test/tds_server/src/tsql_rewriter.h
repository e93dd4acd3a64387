// Turns one T-SQL statement (as Berqenas and our tests write it) into PostgreSQL, or into an
// action the session performs itself (SET options, fault control, PRINT, USE, refusals).
// Every rule lives in a table in tsql_rewriter.cpp; this is for tests, not a T-SQL emulator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "token_writer.h"
#include "tsql_lexer.h"

namespace berqenas::tds {

// Session facts some rewrites substitute as literals (@@ROWCOUNT, @@TRANCOUNT, @@VERSION).
struct RewriteContext {
    uint64_t last_row_count = 0;
    int transaction_count = 0;
    std::string version_string = "Microsoft SQL Server 2019 (Berqenas TDS test server)";
    std::string server_name = "berqenas-tds";
};

enum class StatementKind {
    Sql,           // run `sql` on PostgreSQL
    SetOption,     // SET <option> <value>: accepted; the session may act on it (NOCOUNT)
    FaultControl,  // SET BERQENAS_FAULT <name> <value>
    Refused,       // answer with `message` as an error (MERGE)
    Print,         // answer with `message` as an INFO
    UseDatabase,   // USE <db>: `value` holds the database name
    Conditional,   // IF <condition> <statement> [ELSE <statement>]: the session evaluates `sql`
};

// A sized SQL Server type the statement needs as a mssql_<kind>_<n> domain, e.g. varchar 50.
struct SizedDomain {
    std::string kind;
    long size;  // -1 = max
    bool operator==(const SizedDomain& o) const { return kind == o.kind && size == o.size; }
};

struct RewrittenStatement {
    StatementKind kind = StatementKind::Sql;
    std::string sql;
    bool multi_statement = false;  // several PostgreSQL statements: use the simple query protocol
    std::vector<SizedDomain> required_domains;
    std::string option;  // SetOption / FaultControl: the option or fault name, lower case
    std::string value;   // its value as written (or the database for USE)
    ServerMessage message;
    // Conditional: `sql` is a SELECT yielding 1 or 0; the branches are T-SQL statements.
    std::vector<std::vector<Token>> then_statements;
    std::vector<std::vector<Token>> else_statements;
    // Sql: run after the statement succeeded, to keep the names it declared as written
    // (declared_names.h); empty when there are none.
    std::string declare_names_sql;
};

RewrittenStatement rewrite_statement(const std::vector<Token>& statement, const RewriteContext& ctx);

// The token-level rewrites alone (names, literals, functions, types, TOP), for callers that
// handle the statement shape themselves, such as the trigger translator.
std::string rewrite_tokens(const std::vector<Token>& statement, const RewriteContext& ctx,
                           std::vector<SizedDomain>* required_domains);

// Convenience for tests: lex, split, rewrite each statement and join the SQL with "; ".
std::string rewrite_batch_for_test(const std::string& tsql);

// Maps a T-SQL schema name to the PostgreSQL one (dbo -> public, sys -> mssql_sys, ...).
std::string map_schema_name(const std::string& lower_name);

// Quotes a PostgreSQL identifier (always, doubling embedded quotes).
std::string quote_pg_identifier(const std::string& name);

}  // namespace berqenas::tds
