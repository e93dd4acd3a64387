// The rewrite tables: statement shapes handled by the session, system variables, functions,
// schema names and data types that differ between T-SQL and PostgreSQL. Anything not listed
// passes through unchanged, so PostgreSQL's own error tells the test what is missing.
#include "tsql_rewriter.h"

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "declared_names.h"
#include "output_clause.h"
#include "trigger_translator.h"
#include "update_from_join.h"

namespace berqenas::tds {
namespace {

// ---------------------------------------------------------------- token-level tables

// T-SQL schema names and their PostgreSQL stand-ins (the views come from mssql_types.sql).
struct SchemaRule {
    const char* tsql;
    const char* pg;
};
const SchemaRule kSchemas[] = {
    {"dbo", "public"},
    {"sys", "mssql_sys"},
    {"information_schema", "mssql_information_schema"},
};

// Functions called with no arguments that PostgreSQL spells differently.
struct NiladicRule {
    const char* tsql;
    const char* pg;
};
const NiladicRule kNiladicFunctions[] = {
    {"getdate", "LOCALTIMESTAMP(3)"},
    {"getutcdate", "(now() AT TIME ZONE 'UTC')::timestamp(3)"},
    {"sysdatetime", "LOCALTIMESTAMP"},
    {"sysutcdatetime", "(now() AT TIME ZONE 'UTC')"},
    {"sysdatetimeoffset", "now()"},
    {"newid", "gen_random_uuid()"},
    {"newsequentialid", "gen_random_uuid()"},
    {"scope_identity", "lastval()"},
    {"db_name", "current_database()"},
    {"suser_sname", "session_user"},
    {"user_name", "current_user"},
};

// Functions that only change name.
struct RenameRule {
    const char* tsql;
    const char* pg;
};
const RenameRule kRenamedFunctions[] = {
    {"isnull", "COALESCE"},
    {"len", "length"},
    {"datalength", "octet_length"},
    {"object_id", "mssql_object_id"},
    {"count_big", "count"},  // PostgreSQL's count is already bigint
    {"sum", "mssql_sum"},    // SQL Server's result types: int for int, bigint for bigint (mssql_types.sql)
};

// @@variables, rendered from the session's state.
struct VariableRule {
    const char* tsql;
    std::function<std::string(const RewriteContext&)> render;
};
std::string sql_literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}
const VariableRule kVariables[] = {
    {"@@version", [](const RewriteContext& c) { return sql_literal(c.version_string); }},
    {"@@rowcount", [](const RewriteContext& c) { return std::to_string(c.last_row_count); }},
    {"@@trancount", [](const RewriteContext& c) { return std::to_string(c.transaction_count); }},
    {"@@servername", [](const RewriteContext& c) { return sql_literal(c.server_name); }},
    {"@@identity", [](const RewriteContext&) { return std::string("lastval()"); }},
    {"@@spid", [](const RewriteContext&) { return std::string("pg_backend_pid()"); }},
    {"@@error", [](const RewriteContext&) { return std::string("0"); }},
    {"@@language", [](const RewriteContext&) { return std::string("'us_english'"); }},
    {"@@max_precision", [](const RewriteContext&) { return std::string("38"); }},
    {"@@microsoftversion", [](const RewriteContext&) { return std::string("251660240"); }},  // 15.0.2000
};

// Data types, where a T-SQL type name appears in CREATE/ALTER/DECLARE or CAST(... AS type).
// Sizing says how the optional "(n)" / "(max)" / "(p)" argument is carried over.
enum class Sizing {
    None,          // fixed replacement, arguments dropped
    Text,          // nvarchar-like: (max) -> max_form, (n) -> "<pg>(n)"
    Domain,        // sized SQL Server-only type: mssql_<domain>_<n> / mssql_<domain>_max
    FractionalSec, // (p) clamped to PostgreSQL's 6 digits
    Float,         // float(n): n <= 24 is real
};
struct TypeRule {
    const char* tsql;
    const char* pg;
    Sizing sizing;
    const char* max_form;  // Text: type for (max); Domain: SQL Server kind name
    long default_size;     // Domain/Text: size when no argument was written (0 = none)
};
const TypeRule kTypes[] = {
    {"nvarchar", "varchar", Sizing::Text, "text", 0},
    {"nchar", "char", Sizing::Text, "text", 1},
    {"varchar", "", Sizing::Domain, "varchar", 1},
    {"char", "", Sizing::Domain, "char", 1},
    {"varbinary", "", Sizing::Domain, "varbinary", 1},
    {"binary", "", Sizing::Domain, "binary", 1},
    {"datetime2", "timestamp", Sizing::FractionalSec, nullptr, 0},
    {"datetimeoffset", "timestamptz", Sizing::FractionalSec, nullptr, 0},
    {"time", "time", Sizing::FractionalSec, nullptr, 0},
    {"datetime", "mssql_datetime", Sizing::None, nullptr, 0},
    {"smalldatetime", "mssql_smalldatetime", Sizing::None, nullptr, 0},
    {"bit", "boolean", Sizing::None, nullptr, 0},
    {"tinyint", "mssql_tinyint", Sizing::None, nullptr, 0},
    {"money", "mssql_money", Sizing::None, nullptr, 0},
    {"smallmoney", "mssql_smallmoney", Sizing::None, nullptr, 0},
    {"uniqueidentifier", "uuid", Sizing::None, nullptr, 0},
    {"ntext", "mssql_ntext", Sizing::None, nullptr, 0},
    {"text", "mssql_text", Sizing::None, nullptr, 0},
    {"image", "mssql_image", Sizing::None, nullptr, 0},
    {"rowversion", "mssql_rowversion", Sizing::None, nullptr, 0},
    {"timestamp", "mssql_rowversion", Sizing::None, nullptr, 0},  // T-SQL timestamp is rowversion
    {"float", "float8", Sizing::Float, nullptr, 0},
    {"sysname", "varchar(128)", Sizing::None, nullptr, 0},
    {"sql_variant", "text", Sizing::None, nullptr, 0},
};

// Words T-SQL allows in DDL that PostgreSQL has no use for.
const char* const kDroppedDdlWords[] = {"clustered", "nonclustered"};
// Table hints inside WITH (...) that are dropped with their parentheses.
const char* const kTableHints[] = {"nolock", "readuncommitted", "readpast", "updlock", "holdlock", "rowlock",
                                   "paglock", "tablock", "tablockx", "xlock", "readcommitted", "serializable"};

// ---------------------------------------------------------------- token helpers

size_t next_sig(const std::vector<Token>& t, size_t i) {
    for (++i; i < t.size(); ++i)
        if (!t[i].is_trivia()) return i;
    return t.size();
}

size_t prev_sig(const std::vector<Token>& t, size_t i) {
    while (i > 0) {
        --i;
        if (!t[i].is_trivia()) return i;
    }
    return t.size();
}

bool sig_is_symbol(const std::vector<Token>& t, size_t i, const char* s) { return i < t.size() && t[i].is_symbol(s); }
bool sig_is_word(const std::vector<Token>& t, size_t i, const char* w) { return i < t.size() && t[i].is_word(w); }

// Parses "(arg[, arg])" starting at the "(" at index open; returns the index after ")" and the
// argument texts, or open when the shape does not match.
size_t read_type_args(const std::vector<Token>& t, size_t open, std::vector<std::string>& args) {
    if (!sig_is_symbol(t, open, "(")) return open;
    size_t i = next_sig(t, open);
    while (i < t.size()) {
        if (t[i].kind != TokenKind::Number && !t[i].is_word("max")) return open;
        args.push_back(t[i].kind == TokenKind::Number ? t[i].text : "max");
        i = next_sig(t, i);
        if (sig_is_symbol(t, i, ")")) return i + 1;
        if (!sig_is_symbol(t, i, ",")) return open;
        i = next_sig(t, i);
    }
    return open;
}

const TypeRule* find_type(const std::string& w) {
    for (const auto& r : kTypes)
        if (w == r.tsql) return &r;
    return nullptr;
}

std::string render_type(const TypeRule& rule, const std::vector<std::string>& args,
                        std::vector<SizedDomain>* domains) {
    bool is_max = !args.empty() && args[0] == "max";
    long n = args.empty() || is_max ? 0 : std::atol(args[0].c_str());
    switch (rule.sizing) {
        case Sizing::None: return rule.pg;
        case Sizing::Text:
            if (is_max) return rule.max_form;
            if (n == 0) n = rule.default_size;
            return n > 0 ? std::string(rule.pg) + "(" + std::to_string(n) + ")" : rule.pg;
        case Sizing::Domain: {
            if (is_max && std::string(rule.max_form) == "varbinary") return "bytea";  // bytea is varbinary(max)
            long size = is_max ? -1 : (n > 0 ? n : rule.default_size);
            if (domains) {
                SizedDomain d{rule.max_form, size};
                if (std::find(domains->begin(), domains->end(), d) == domains->end()) domains->push_back(d);
            }
            return std::string("mssql_") + rule.max_form + "_" + (size < 0 ? std::string("max") : std::to_string(size));
        }
        case Sizing::FractionalSec:
            if (args.empty()) return rule.pg;
            return std::string(rule.pg) + "(" + std::to_string(std::min(n, 6L)) + ")";
        case Sizing::Float: return n > 0 && n <= 24 ? "real" : "float8";
    }
    return rule.pg;
}

std::string lower_copy(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// ---------------------------------------------------------------- statement-level rules

struct Statement {
    const std::vector<Token>& tokens;
    std::vector<size_t> sig;  // indexes of significant tokens
    const Token& word(size_t k) const { return tokens[sig[k]]; }
    bool has(size_t k) const { return k < sig.size(); }
    // Text of the significant tokens from k on, as written.
    std::string rest_from(size_t k) const { return has(k) ? join_tokens(tokens, sig[k]) : std::string(); }
};

RewrittenStatement make_sql(std::string sql) {
    RewrittenStatement r;
    r.sql = std::move(sql);
    return r;
}

std::string trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t b = 0;
    while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    return s.substr(b);
}

std::string word_or_value(const Token& t) {
    return t.kind == TokenKind::QuotedIdent || t.kind == TokenKind::String || t.kind == TokenKind::NString
               ? t.value
               : t.text;
}

RewrittenStatement fault_control(const Statement& s, const RewriteContext&) {
    RewrittenStatement r;
    r.kind = StatementKind::FaultControl;
    if (s.has(2)) r.option = lower_copy(word_or_value(s.word(2)));
    if (s.has(3)) r.value = trimmed(s.rest_from(3));
    return r;
}

RewrittenStatement isolation_level(const Statement& s, const RewriteContext&) {
    // SNAPSHOT has no PostgreSQL twin; REPEATABLE READ is PostgreSQL's snapshot isolation.
    std::string level = lower_copy(trimmed(s.rest_from(4)));
    if (level == "snapshot") level = "repeatable read";
    return make_sql("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + level);
}

RewrittenStatement set_option(const Statement& s, const RewriteContext&) {
    RewrittenStatement r;
    r.kind = StatementKind::SetOption;
    if (s.has(1)) r.option = lower_copy(word_or_value(s.word(1)));
    if (s.has(2)) r.value = lower_copy(trimmed(s.rest_from(2)));
    return r;
}

RewrittenStatement begin_tran(const Statement&, const RewriteContext&) { return make_sql("BEGIN"); }
RewrittenStatement commit_tran(const Statement&, const RewriteContext&) { return make_sql("COMMIT"); }

RewrittenStatement rollback_tran(const Statement& s, const RewriteContext&) {
    // ROLLBACK TRAN <savepoint> undoes to a SAVE TRAN point; a bare ROLLBACK ends the transaction.
    if (s.has(2) && (s.word(1).is_word("tran") || s.word(1).is_word("transaction")))
        return make_sql("ROLLBACK TO SAVEPOINT " + quote_pg_identifier(lower_copy(word_or_value(s.word(2)))));
    return make_sql("ROLLBACK");
}

RewrittenStatement save_tran(const Statement& s, const RewriteContext&) {
    if (!s.has(2)) return make_sql("SAVEPOINT berqenas_unnamed");
    return make_sql("SAVEPOINT " + quote_pg_identifier(lower_copy(word_or_value(s.word(2)))));
}

RewrittenStatement refuse_merge(const Statement&, const RewriteContext&) {
    // Babelfish refuses MERGE the same way; our MSSQL code must not come to depend on it.
    RewrittenStatement r;
    r.kind = StatementKind::Refused;
    r.message.number = 33557097;  // Babelfish's "not currently supported" error number
    r.message.severity = 16;
    r.message.text = "'MERGE' is not currently supported by the Berqenas TDS test server (as in Babelfish); "
                     "use INSERT/UPDATE/DELETE";
    return r;
}

RewrittenStatement use_database(const Statement& s, const RewriteContext&) {
    RewrittenStatement r;
    r.kind = StatementKind::UseDatabase;
    if (s.has(1)) r.value = word_or_value(s.word(1));
    return r;
}

RewrittenStatement print_message(const Statement& s, const RewriteContext&) {
    RewrittenStatement r;
    r.kind = StatementKind::Print;
    r.message.number = 0;
    r.message.severity = 0;
    r.message.text = s.has(1) ? word_or_value(s.word(1)) : "";
    return r;
}

RewrittenStatement waitfor_delay(const Statement& s, const RewriteContext&) {
    // WAITFOR DELAY 'hh:mm:ss[.mmm]' returns no result set, so it becomes a DO block.
    std::string delay = s.has(2) ? word_or_value(s.word(2)) : "00:00:00";
    return make_sql("DO $berqenas$ BEGIN PERFORM pg_sleep(extract(epoch FROM " + sql_literal(delay) +
                    "::interval)); END $berqenas$");
}

RewrittenStatement create_trigger(const Statement& s, const RewriteContext& ctx) {
    return translate_create_trigger(s.tokens, ctx);
}
RewrittenStatement drop_trigger(const Statement& s, const RewriteContext& ctx) {
    return translate_drop_trigger(s.tokens, ctx);
}

// Words that start the statement an IF governs.
const char* const kStatementStarts[] = {"begin", "commit", "rollback", "insert", "update", "delete", "select",
                                        "drop", "create", "alter", "print", "set", "truncate", "waitfor",
                                        "merge", "save", "with", "return", "use"};

bool starts_statement(const Token& t) {
    for (const char* w : kStatementStarts)
        if (t.is_word(w)) return true;
    return false;
}

// A branch of an IF: one statement, or the statements of a BEGIN ... END block.
std::vector<std::vector<Token>> branch_statements(const std::vector<Token>& tokens) {
    size_t first = next_sig(tokens, static_cast<size_t>(-1));
    size_t last = tokens.size();
    while (last > 0 && (tokens[last - 1].is_trivia() || tokens[last - 1].is_symbol(";"))) --last;
    size_t after_begin = next_sig(tokens, first);
    bool block = first < tokens.size() && tokens[first].is_word("begin") && last > 0 &&
                 tokens[last - 1].is_word("end") &&
                 !(sig_is_word(tokens, after_begin, "tran") || sig_is_word(tokens, after_begin, "transaction"));
    if (!block) return split_statements(tokens);
    std::vector<Token> inner(tokens.begin() + static_cast<long>(first) + 1, tokens.begin() + static_cast<long>(last) - 1);
    return split_statements(inner);
}

RewrittenStatement conditional(const Statement& s, const RewriteContext& ctx) {
    const auto& t = s.tokens;
    size_t cond_begin = s.sig[0] + 1, then_begin = t.size(), else_begin = t.size();
    int depth = 0;
    for (size_t k = 1; k < s.sig.size(); ++k) {
        const Token& tok = s.word(k);
        if (tok.is_symbol("(")) ++depth;
        if (tok.is_symbol(")")) --depth;
        if (depth != 0) continue;
        if (then_begin == t.size() && starts_statement(tok)) {
            then_begin = s.sig[k];
        } else if (then_begin != t.size() && tok.is_word("else")) {
            // Only an ELSE outside BEGIN...END/CASE...END belongs to this IF.
            int blocks = 0;
            for (size_t j = then_begin; j < s.sig[k]; ++j) {
                if (t[j].is_word("begin") || t[j].is_word("case")) ++blocks;
                if (t[j].is_word("end")) --blocks;
            }
            if (blocks == 0) {
                else_begin = s.sig[k];
                break;
            }
        }
    }
    RewrittenStatement r;
    if (then_begin == t.size()) {
        r.kind = StatementKind::Refused;
        r.message.number = 102;
        r.message.severity = 15;
        r.message.text = "IF without a statement the Berqenas TDS test server understands";
        return r;
    }
    std::vector<Token> condition(t.begin() + static_cast<long>(cond_begin), t.begin() + static_cast<long>(then_begin));
    r.kind = StatementKind::Conditional;
    r.sql = "SELECT CASE WHEN (" + trimmed(rewrite_tokens(condition, ctx, nullptr)) + ") THEN 1 ELSE 0 END";
    r.then_statements = branch_statements(
        std::vector<Token>(t.begin() + static_cast<long>(then_begin), t.begin() + static_cast<long>(else_begin)));
    if (else_begin < t.size())
        r.else_statements = branch_statements(std::vector<Token>(t.begin() + static_cast<long>(else_begin) + 1, t.end()));
    return r;
}

struct StatementRule {
    std::vector<const char*> leading_words;
    RewrittenStatement (*handler)(const Statement&, const RewriteContext&);
};
const StatementRule kStatementRules[] = {
    {{"set", "berqenas_fault"}, fault_control},
    {{"set", "transaction", "isolation", "level"}, isolation_level},
    {{"set"}, set_option},
    {{"begin", "tran"}, begin_tran},
    {{"begin", "transaction"}, begin_tran},
    {{"begin", "distributed"}, begin_tran},
    {{"commit"}, commit_tran},
    {{"rollback"}, rollback_tran},
    {{"save", "tran"}, save_tran},
    {{"save", "transaction"}, save_tran},
    {{"merge"}, refuse_merge},
    {{"create", "trigger"}, create_trigger},
    {{"create", "or", "alter", "trigger"}, create_trigger},
    {{"alter", "trigger"}, create_trigger},
    {{"drop", "trigger"}, drop_trigger},
    {{"use"}, use_database},
    {{"print"}, print_message},
    {{"waitfor", "delay"}, waitfor_delay},
    {{"if"}, conditional},
};

}  // namespace

std::string map_schema_name(const std::string& lower_name) {
    for (const auto& r : kSchemas)
        if (lower_name == r.tsql) return r.pg;
    return lower_name;
}

std::string quote_pg_identifier(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string rewrite_tokens(const std::vector<Token>& t, const RewriteContext& ctx,
                           std::vector<SizedDomain>* required_domains) {
    std::string out;
    size_t head = next_sig(t, static_cast<size_t>(-1));
    bool ddl = head < t.size() && (t[head].is_word("create") || t[head].is_word("alter") || t[head].is_word("declare"));
    int depth = 0;
    std::vector<std::string> enclosing;                 // function name before each open "("
    std::vector<std::pair<int, std::string>> limits;    // pending TOP n, by paren depth
    // CAST(e AS varbinary(n|max)) → public.mssql_varbinary(e, n): PostgreSQL picks the overload by
    // e's type, so text gives SQL Server's UTF-16LE bytes and bytea stays bytes (mssql_types.sql).
    struct VarbinaryCast {
        size_t as_index, close_index;
        std::string size;
    };
    std::vector<VarbinaryCast> varbinary_casts;

    for (size_t i = 0; i < t.size(); ++i) {
        const Token& tok = t[i];
        size_t nx = next_sig(t, i);
        size_t pv = prev_sig(t, i);
        if (!varbinary_casts.empty() && i == varbinary_casts.back().as_index) {
            while (!out.empty() && out.back() == ' ') out.pop_back();
            out += ", " + varbinary_casts.back().size;
            i = varbinary_casts.back().close_index - 1;   // the ")" closes the call as it closed the CAST
            varbinary_casts.pop_back();
            continue;
        }
        if (tok.kind == TokenKind::Word && tok.value == "cast" && sig_is_symbol(t, nx, "(")) {
            // The cast's own AS (at its top level) and closing parenthesis.
            size_t as_index = t.size(), close = nx;
            int d = 0;
            for (; close < t.size(); ++close) {
                if (t[close].is_symbol("(")) ++d;
                if (t[close].is_symbol(")") && --d == 0) break;
                if (d == 1 && t[close].is_word("as") && as_index == t.size()) as_index = close;
            }
            size_t type = next_sig(t, as_index);
            std::vector<std::string> args;
            if (close < t.size() && type < close && t[type].is_word("varbinary")) {
                size_t after = read_type_args(t, next_sig(t, type), args);
                bool whole = args.empty() ? next_sig(t, type) == close : after != next_sig(t, type) && next_sig(t, after - 1) == close;
                if (whole) {
                    std::string size = args.empty() ? "1" : args[0] == "max" ? "-1" : args[0];
                    varbinary_casts.push_back({as_index, close, size});
                    out += "public.mssql_varbinary";
                    continue;
                }
            }
        }
        switch (tok.kind) {
            case TokenKind::Space:
            case TokenKind::Comment:
            case TokenKind::String:
            case TokenKind::Number: out += tok.text; continue;
            case TokenKind::NString: out += tok.text.substr(1); continue;  // N'...' -> '...'
            case TokenKind::HexNumber: out += "'\\x" + tok.value + "'::bytea"; continue;
            case TokenKind::Variable: {
                bool done = false;
                for (const auto& v : kVariables) {
                    if (tok.value == v.tsql) {
                        out += v.render(ctx);
                        done = true;
                        break;
                    }
                }
                if (!done) out += tok.text;
                continue;
            }
            case TokenKind::QuotedIdent: {
                std::string name = lower_copy(tok.value);
                // T-SQL names are case-insensitive; PostgreSQL folds unquoted names to lower case.
                out += sig_is_symbol(t, nx, ".") ? quote_pg_identifier(map_schema_name(name)) : quote_pg_identifier(name);
                continue;
            }
            case TokenKind::Symbol:
                if (tok.is_symbol("(")) {
                    ++depth;
                    enclosing.push_back(pv < t.size() && t[pv].kind == TokenKind::Word ? t[pv].value : "");
                } else if (tok.is_symbol(")")) {
                    if (!limits.empty() && limits.back().first == depth) {
                        out += " LIMIT " + limits.back().second;
                        limits.pop_back();
                    }
                    if (depth > 0) --depth;
                    if (!enclosing.empty()) enclosing.pop_back();
                }
                out += tok.text;
                continue;
            case TokenKind::Word: break;
        }

        const std::string& w = tok.value;
        // schema.object
        if (sig_is_symbol(t, nx, ".") && map_schema_name(w) != w) {
            out += map_schema_name(w);
            continue;
        }
        // SELECT [DISTINCT] TOP n / TOP (n): moved to a LIMIT at the end of the same query level.
        if (w == "top" && pv < t.size() && (t[pv].is_word("select") || t[pv].is_word("distinct") || t[pv].is_word("all"))) {
            std::string count;
            size_t end = nx;
            if (sig_is_symbol(t, nx, "(")) {
                size_t close = nx;
                int d = 0;
                for (; close < t.size(); ++close) {
                    if (t[close].is_symbol("(")) ++d;
                    if (t[close].is_symbol(")") && --d == 0) break;
                }
                count = "(" + join_tokens(t, nx + 1, close) + ")";
                end = close;
            } else if (nx < t.size()) {
                count = t[nx].text;
            }
            if (!count.empty() && end < t.size()) {
                limits.emplace_back(depth, count);
                i = end;
                if (i + 1 < t.size() && t[i + 1].kind == TokenKind::Space) ++i;  // no double blank
                continue;
            }
        }
        // Functions without arguments: NAME ( ).
        if (sig_is_symbol(t, nx, "(") && sig_is_symbol(t, next_sig(t, nx), ")")) {
            const NiladicRule* hit = nullptr;
            for (const auto& r : kNiladicFunctions)
                if (w == r.tsql) hit = &r;
            if (hit) {
                out += hit->pg;
                i = next_sig(t, nx);
                continue;
            }
        }
        if (sig_is_symbol(t, nx, "(")) {
            const RenameRule* hit = nullptr;
            for (const auto& r : kRenamedFunctions)
                if (w == r.tsql) hit = &r;
            if (hit) {
                out += hit->pg;
                continue;
            }
        }
        // Table hints: WITH (NOLOCK) and friends.
        if (w == "with" && sig_is_symbol(t, nx, "(")) {
            size_t h = next_sig(t, nx);
            bool hint = false;
            for (const char* name : kTableHints) hint = hint || sig_is_word(t, h, name);
            if (hint) {
                size_t close = h;
                while (close < t.size() && !t[close].is_symbol(")")) ++close;
                i = close;
                continue;
            }
        }
        // Data types in DDL column lists and CAST(... AS type).
        bool in_cast = !enclosing.empty() && (enclosing.back() == "cast" || enclosing.back() == "try_cast");
        bool after_as = pv < t.size() && t[pv].is_word("as") && in_cast;
        bool after_column_name = false;
        if (ddl && pv < t.size() && t[pv].is_name()) {
            size_t ppv = prev_sig(t, pv);
            after_column_name = ppv < t.size() && (t[ppv].is_symbol("(") || t[ppv].is_symbol(",") ||
                                                   t[ppv].is_word("add") || t[ppv].is_word("column") ||
                                                   t[ppv].is_word("declare"));
        }
        if (after_as || after_column_name) {
            if (const TypeRule* rule = find_type(w)) {
                std::vector<std::string> args;
                size_t after = read_type_args(t, nx, args);
                out += render_type(*rule, args, required_domains);
                if (after != nx) i = after - 1;
                continue;
            }
        }
        if (ddl) {
            bool dropped = false;
            for (const char* d : kDroppedDdlWords) dropped = dropped || w == d;
            if (dropped) continue;
            if (w == "identity") {
                std::vector<std::string> args;
                size_t after = read_type_args(t, nx, args);
                out += "GENERATED BY DEFAULT AS IDENTITY";
                if (args.size() == 2)
                    out += " (START WITH " + args[0] + " INCREMENT BY " + args[1] + ")";
                if (after != nx) i = after - 1;
                continue;
            }
        }
        out += tok.text;
    }
    while (!limits.empty()) {
        out += " LIMIT " + limits.back().second;
        limits.pop_back();
    }
    return out;
}

RewrittenStatement rewrite_statement(const std::vector<Token>& statement, const RewriteContext& ctx) {
    Statement s{statement, {}};
    for (size_t i = 0; i < statement.size(); ++i)
        if (!statement[i].is_trivia()) s.sig.push_back(i);
    for (const auto& rule : kStatementRules) {
        bool match = rule.leading_words.size() <= s.sig.size();
        for (size_t k = 0; match && k < rule.leading_words.size(); ++k)
            match = s.word(k).is_word(rule.leading_words[k]);
        if (match) return rule.handler(s, ctx);
    }
    RewrittenStatement r;
    // OUTPUT comes out first (UPDATE ... FROM reshaping expects SET ... FROM ... WHERE), and goes
    // back in as RETURNING once the statement has PostgreSQL's shape.
    OutputClause output;
    std::vector<Token> reshaped = extract_output_clause(statement, output);
    if (output.refused) {
        r.kind = StatementKind::Refused;
        r.message = output.message;
        return r;
    }
    reshaped = append_returning(rewrite_update_from_join(reshaped), output);
    r.sql = trimmed(rewrite_tokens(reshaped, ctx, &r.required_domains));
    r.declare_names_sql = declare_names_sql(declared_names(statement));
    return r;
}

std::string rewrite_batch_for_test(const std::string& tsql) {
    std::string out;
    RewriteContext ctx;
    for (const auto& stmt : split_statements(lex_tsql(tsql))) {
        RewrittenStatement r = rewrite_statement(stmt, ctx);
        if (!out.empty()) out += "; ";
        out += r.kind == StatementKind::Sql ? r.sql : "<" + r.option + ">";
    }
    return out;
}

}  // namespace berqenas::tds
