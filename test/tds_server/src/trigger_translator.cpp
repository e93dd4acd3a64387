// One PostgreSQL trigger and function per event, because PostgreSQL allows transition tables
// only on single-event triggers. Where SQL Server would give an empty `deleted` (in an INSERT
// trigger) or `inserted` (in a DELETE trigger), the body reads an empty copy of the table.
#include "trigger_translator.h"

#include <string>

namespace berqenas::tds {
namespace {

struct Event {
    const char* tsql;     // insert / update / delete
    const char* suffix;   // name suffix of the PostgreSQL trigger and function
    const char* referencing;
    const char* missing;  // transition table SQL Server has but PostgreSQL cannot declare here
};
const Event kEvents[] = {
    {"insert", "__ins", "REFERENCING NEW TABLE AS inserted", "deleted"},
    {"update", "__upd", "REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted", nullptr},
    {"delete", "__del", "REFERENCING OLD TABLE AS deleted", "inserted"},
};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string name_of(const Token& t) { return lower(t.kind == TokenKind::QuotedIdent ? t.value : t.text); }

struct QualifiedName {
    std::string schema;  // PostgreSQL schema, empty when not written
    std::string name;
    std::string sql() const {
        return (schema.empty() ? "" : quote_pg_identifier(schema) + ".") + quote_pg_identifier(name);
    }
};

// Reads name or schema.name (a leading database part is ignored) from sig[k].
bool read_name(const std::vector<Token>& t, const std::vector<size_t>& sig, size_t& k, QualifiedName& out) {
    std::vector<std::string> parts;
    while (k < sig.size() && t[sig[k]].is_name()) {
        parts.push_back(name_of(t[sig[k]]));
        ++k;
        if (k < sig.size() && t[sig[k]].is_symbol(".")) {
            ++k;
        } else {
            break;
        }
    }
    if (parts.empty()) return false;
    out.name = parts.back();
    out.schema = parts.size() >= 2 ? map_schema_name(parts[parts.size() - 2]) : "";
    return true;
}

RewrittenStatement failure(const std::string& text) {
    RewrittenStatement r;
    r.kind = StatementKind::Refused;
    r.message.number = 102;
    r.message.severity = 15;
    r.message.text = "trigger DDL not understood by the Berqenas TDS test server: " + text;
    return r;
}

// A GUC name part made of safe characters, for the per-trigger recursion guard.
std::string guard_name(const std::string& trigger) {
    std::string out;
    for (char c : trigger) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return "berqenas.trigger_active_" + out;
}

// Splits a trigger body into statements: at semicolons and, since T-SQL does not need them,
// before INSERT/UPDATE/DELETE/SET/PRINT words at the top level.
std::vector<std::vector<Token>> body_statements(const std::vector<Token>& body) {
    std::vector<std::vector<Token>> out;
    for (auto& piece : split_statements(body)) {
        std::vector<Token> current;
        int depth = 0;
        bool seen_word = false;
        for (auto& tok : piece) {
            if (tok.is_symbol("(")) ++depth;
            if (tok.is_symbol(")")) --depth;
            bool starter = tok.is_word("insert") || tok.is_word("update") || tok.is_word("delete") ||
                           tok.is_word("print") || tok.is_word("set");
            // SET right after "UPDATE <table>" belongs to that UPDATE.
            if (tok.is_word("set") && current.size() > 0) {
                bool in_update = false;
                for (auto& c : current) {
                    if (!c.is_trivia()) {
                        in_update = c.is_word("update");
                        break;
                    }
                }
                if (in_update) starter = false;
            }
            if (starter && depth == 0 && seen_word) {
                out.push_back(std::move(current));
                current.clear();
                seen_word = false;
            }
            if (!tok.is_trivia()) seen_word = true;
            current.push_back(tok);
        }
        if (seen_word) out.push_back(std::move(current));
    }
    return out;
}

// In an event without the `missing` transition table, FROM/JOIN `missing` reads an empty copy.
std::vector<Token> replace_missing_table(const std::vector<Token>& stmt, const char* missing, const std::string& table_sql) {
    if (!missing) return stmt;
    std::vector<Token> out;
    const Token* prev_sig = nullptr;
    for (size_t i = 0; i < stmt.size(); ++i) {
        const Token& tok = stmt[i];
        if (tok.is_name() && name_of(tok) == missing && prev_sig && (prev_sig->is_word("from") || prev_sig->is_word("join"))) {
            size_t j = i + 1;
            while (j < stmt.size() && stmt[j].is_trivia()) ++j;
            static const char* const clause[] = {"where", "inner", "join", "left", "right", "on", "group", "order", "full", "cross"};
            bool aliased = j < stmt.size() && stmt[j].is_name();
            for (const char* c : clause) aliased = aliased && !stmt[j].is_word(c);
            std::string empty = "(SELECT * FROM " + table_sql + " WHERE false)";
            if (!aliased) empty += " AS " + std::string(missing);
            out.push_back(Token{TokenKind::Symbol, empty, ""});
            prev_sig = &tok;
            continue;
        }
        if (!tok.is_trivia()) prev_sig = &tok;
        out.push_back(tok);
    }
    return out;
}

}  // namespace

RewrittenStatement translate_create_trigger(const std::vector<Token>& t, const RewriteContext& ctx) {
    std::vector<size_t> sig;
    for (size_t i = 0; i < t.size(); ++i)
        if (!t[i].is_trivia()) sig.push_back(i);
    size_t k = 0;
    bool replace = false;
    if (t[sig[k]].is_word("alter")) replace = true;
    ++k;  // CREATE or ALTER
    if (k + 1 < sig.size() && t[sig[k]].is_word("or") && t[sig[k + 1]].is_word("alter")) {
        replace = true;
        k += 2;
    }
    ++k;  // TRIGGER
    QualifiedName trigger, table;
    if (!read_name(t, sig, k, trigger)) return failure("missing trigger name");
    if (k >= sig.size() || !t[sig[k]].is_word("on")) return failure("expected ON <table>");
    ++k;
    if (!read_name(t, sig, k, table)) return failure("missing table name");
    if (table.schema.empty()) table.schema = trigger.schema.empty() ? "public" : trigger.schema;
    if (k < sig.size() && (t[sig[k]].is_word("after") || t[sig[k]].is_word("for"))) {
        ++k;
    } else {
        return failure("only AFTER/FOR triggers are supported (no INSTEAD OF)");
    }
    std::vector<const Event*> events;
    while (k < sig.size() && !t[sig[k]].is_word("as")) {
        for (const auto& e : kEvents)
            if (t[sig[k]].is_word(e.tsql)) events.push_back(&e);
        ++k;  // commas, NOT FOR REPLICATION
    }
    if (events.empty() || k >= sig.size()) return failure("expected AFTER INSERT/UPDATE/DELETE ... AS");
    // Body: everything after AS, without an enclosing BEGIN ... END.
    size_t body_first = k + 1, body_last = sig.size();
    if (body_first < sig.size() && t[sig[body_first]].is_word("begin")) {
        size_t last = sig.size() - 1;
        while (last > body_first && t[sig[last]].is_symbol(";")) --last;
        if (t[sig[last]].is_word("end")) {
            ++body_first;
            body_last = last;
        }
    }
    std::vector<Token> body;
    if (body_first < body_last) {
        size_t from = sig[body_first];
        size_t to = body_last < sig.size() ? sig[body_last] : t.size();
        body.assign(t.begin() + static_cast<long>(from), t.begin() + static_cast<long>(to));
    }

    RewrittenStatement r;
    r.multi_statement = true;
    const std::string schema_sql = quote_pg_identifier(table.schema);
    const std::string table_sql = schema_sql + "." + quote_pg_identifier(table.name);
    std::string sql;
    if (replace) {
        for (const auto& e : kEvents)
            sql += "DROP FUNCTION IF EXISTS " + schema_sql + "." + quote_pg_identifier(trigger.name + e.suffix) + "() CASCADE;\n";
    }
    const std::string guard = guard_name(trigger.name);
    for (const Event* e : events) {
        std::string fn = schema_sql + "." + quote_pg_identifier(trigger.name + e->suffix);
        sql += "CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $berqenas_trigger$\nBEGIN\n";
        // SQL Server does not re-fire a trigger from its own statements (RECURSIVE_TRIGGERS OFF).
        sql += "  IF current_setting('" + guard + "', true) = 'on' THEN RETURN NULL; END IF;\n";
        sql += "  PERFORM set_config('" + guard + "', 'on', true);\n";
        for (auto& stmt : body_statements(body)) {
            RewrittenStatement inner = rewrite_statement(replace_missing_table(stmt, e->missing, table_sql), ctx);
            if (inner.kind == StatementKind::SetOption) continue;  // SET NOCOUNT ON and friends
            if (inner.kind == StatementKind::Print) {
                std::string text;
                for (char c : inner.message.text) text += c == '\'' ? std::string("''") : std::string(1, c);
                sql += "  RAISE NOTICE '%', '" + text + "';\n";
                continue;
            }
            if (inner.kind != StatementKind::Sql) return failure("unsupported statement in trigger body");
            for (auto& d : inner.required_domains) r.required_domains.push_back(d);
            sql += "  " + inner.sql + ";\n";
        }
        sql += "  PERFORM set_config('" + guard + "', 'off', true);\n  RETURN NULL;\nEND\n$berqenas_trigger$;\n";
        sql += "CREATE TRIGGER " + quote_pg_identifier(trigger.name + e->suffix) + " AFTER " + lower(e->tsql) +
               " ON " + table_sql + " " + e->referencing + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "();\n";
    }
    r.sql = sql;
    return r;
}

RewrittenStatement translate_drop_trigger(const std::vector<Token>& t, const RewriteContext&) {
    std::vector<size_t> sig;
    for (size_t i = 0; i < t.size(); ++i)
        if (!t[i].is_trivia()) sig.push_back(i);
    size_t k = 2;  // DROP TRIGGER
    bool if_exists = false;
    if (k + 1 < sig.size() && t[sig[k]].is_word("if") && t[sig[k + 1]].is_word("exists")) {
        if_exists = true;
        k += 2;
    }
    QualifiedName trigger;
    if (!read_name(t, sig, k, trigger)) return failure("missing trigger name");
    RewrittenStatement r;
    r.multi_statement = true;
    std::string prefix = trigger.schema.empty() ? "" : quote_pg_identifier(trigger.schema) + ".";
    // Dropping the functions drops their triggers (CASCADE). Without IF EXISTS, a missing trigger
    // must still fail, so the first drop checks that at least one of the functions exists.
    std::string list;
    for (const auto& e : kEvents)
        list += std::string(list.empty() ? "" : ", ") + prefix + quote_pg_identifier(trigger.name + e.suffix) + "()";
    if (!if_exists) {
        std::string pattern;
        for (char c : trigger.name) pattern += c == '\'' ? std::string("''") : std::string(1, c);
        r.sql = "DO $berqenas$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname IN ('" + pattern +
                "__ins', '" + pattern + "__upd', '" + pattern + "__del')) THEN RAISE EXCEPTION USING ERRCODE = "
                "'42P01', MESSAGE = 'Cannot drop the trigger ''" + pattern +
                "'', because it does not exist or you do not have permission.'; END IF; END $berqenas$;\n";
    }
    r.sql += "DROP FUNCTION IF EXISTS " + list + " CASCADE;";
    return r;
}

}  // namespace berqenas::tds
