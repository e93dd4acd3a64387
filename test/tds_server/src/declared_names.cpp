// Finds the table and column names a CREATE TABLE or ALTER TABLE ... ADD declares (declared_names.h).
#include "declared_names.h"

#include "tsql_rewriter.h"

namespace berqenas::tds {

namespace {

// What PostgreSQL makes of a T-SQL name token: bracketed ones are folded by the rewrite, bare
// words by PostgreSQL itself; both in ASCII only.
std::string folded(const Token& t) {
    std::string out = t.kind == TokenKind::QuotedIdent ? t.value : t.text;
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

std::string as_written(const Token& t) { return t.kind == TokenKind::QuotedIdent ? t.value : t.text; }

// Words that start a table constraint, not a column, in a column list or after ADD.
bool starts_constraint(const Token& t) {
    for (const char* w : {"constraint", "primary", "unique", "foreign", "check", "index", "period"})
        if (t.is_word(w)) return true;
    return false;
}

std::string sql_literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

}  // namespace

DeclaredNames declared_names(const std::vector<Token>& statement) {
    std::vector<size_t> sig;
    for (size_t i = 0; i < statement.size(); ++i)
        if (!statement[i].is_trivia()) sig.push_back(i);
    auto tok = [&](size_t k) -> const Token& { return statement[sig[k]]; };
    DeclaredNames out;
    if (sig.size() < 3 || !tok(1).is_word("table")) return out;
    const bool create = tok(0).is_word("create");
    if (!create && !tok(0).is_word("alter")) return out;

    // [[database.]schema.]table
    size_t k = 2;
    std::vector<size_t> parts;
    while (k < sig.size() && tok(k).is_name()) {
        parts.push_back(k++);
        if (k < sig.size() && tok(k).is_symbol(".")) ++k;
        else break;
    }
    if (parts.empty()) return out;
    const Token& table = tok(parts.back());
    out.table = quote_pg_identifier(folded(table));
    if (parts.size() >= 2) out.table = quote_pg_identifier(map_schema_name(folded(tok(parts[parts.size() - 2])))) + "." + out.table;
    if (create) out.table_declared = as_written(table);

    auto add_column = [&](size_t at) {
        if (at < sig.size() && tok(at).is_name() && !starts_constraint(tok(at)))
            out.columns.emplace_back(folded(tok(at)), as_written(tok(at)));
    };
    if (create) {
        // CREATE TABLE t ( column type ..., column type ..., CONSTRAINT ... )
        if (k >= sig.size() || !tok(k).is_symbol("(")) {
            out.table.clear();
            return out;
        }
        int depth = 0;
        for (size_t j = k; j < sig.size(); ++j) {
            if (tok(j).is_symbol("(")) {
                if (++depth == 1) add_column(j + 1);
            } else if (tok(j).is_symbol(")")) {
                if (--depth == 0) break;
            } else if (depth == 1 && tok(j).is_symbol(",")) {
                add_column(j + 1);
            }
        }
        return out;
    }
    // ALTER TABLE t ADD [COLUMN] column type ... [, [ADD] column type ...]
    int depth = 0;
    bool adding = false;
    for (size_t j = k; j < sig.size(); ++j) {
        const Token& t = tok(j);
        if (t.is_symbol("(")) ++depth;
        else if (t.is_symbol(")")) --depth;
        if (depth != 0) continue;
        if (t.is_word("add")) {
            adding = true;
            size_t at = j + 1 < sig.size() && tok(j + 1).is_word("column") ? j + 2 : j + 1;
            add_column(at);
        } else if (t.is_symbol(",") && adding && j + 1 < sig.size() && !tok(j + 1).is_word("add")) {
            add_column(j + 1);
        } else if (t.is_word("alter") || t.is_word("drop")) {
            adding = false;
        }
    }
    if (out.columns.empty()) out.table.clear();
    return out;
}

std::string declare_names_sql(const DeclaredNames& names) {
    if (names.table.empty()) return {};
    bool any = false;
    std::string pg_names, written;
    for (const auto& [pg, as] : names.columns) {
        if (pg == as) continue;
        pg_names += std::string(any ? ", " : "") + sql_literal(pg);
        written += std::string(any ? ", " : "") + sql_literal(as);
        any = true;
    }
    const bool table = !names.table_declared.empty() && folded(Token{TokenKind::Word, names.table_declared, {}}) != names.table_declared;
    if (!any && !table) return {};
    return "SELECT public.mssql_declare_names(" + sql_literal(names.table) + ", " +
           (table ? sql_literal(names.table_declared) : std::string("NULL")) + ", ARRAY[" + pg_names + "]::text[], ARRAY[" +
           written + "]::text[])";
}

}  // namespace berqenas::tds
