// Works on significant tokens and rebuilds the statement as text, lexed again afterwards (as
// update_from_join does), so the token rewriter then maps names, literals and types as usual.
#include "output_clause.h"

namespace berqenas::tds {
namespace {

// Where a pseudo-table's columns come from, per statement.
enum class Source {
    Target,   // the changed row as the statement leaves it (or, for DELETE, as it was removed)
    OldRow,   // UPDATE's deleted: the row before the change
    Unbound,  // not visible in this statement (SQL Server's error 4104)
};
struct OutputRule {
    const char* verb;
    const char* pseudo_table;
    Source source;
};
const OutputRule kOutputRules[] = {
    {"insert", "inserted", Source::Target},
    {"insert", "deleted", Source::Unbound},
    {"update", "inserted", Source::Target},
    {"update", "deleted", Source::OldRow},
    {"delete", "deleted", Source::Target},
    {"delete", "inserted", Source::Unbound},
};

// Words that end the OUTPUT column list, at the top level.
const char* const kClauseEnds[] = {"values", "select", "default", "from", "where", "option", "into", "exec", "execute"};

// Names the old-row copy uses; chosen so they cannot clash with the target's columns.
constexpr const char* kOldSource = "berqenas_deleted";
constexpr const char* kOldRow = "berqenas_old_row";
constexpr const char* kOldCtid = "berqenas_old_ctid";

Source source_for(const std::string& verb, const std::string& pseudo) {
    for (const auto& r : kOutputRules)
        if (verb == r.verb && pseudo == r.pseudo_table) return r.source;
    return Source::Unbound;
}

struct SigTokens {
    std::vector<size_t> index;  // positions of significant tokens
    std::vector<int> depth;     // parenthesis depth of each
};

SigTokens significant(const std::vector<Token>& t) {
    SigTokens s;
    int depth = 0;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i].is_trivia()) continue;
        if (t[i].is_symbol(")")) --depth;
        s.index.push_back(i);
        s.depth.push_back(depth);
        if (t[i].is_symbol("(")) ++depth;
    }
    return s;
}

bool is_clause_end(const Token& t) {
    for (const char* w : kClauseEnds)
        if (t.is_word(w)) return true;
    return false;
}

std::string text_of(const std::vector<Token>& t, size_t begin, size_t end) {
    std::string s;
    for (size_t i = begin; i < end && i < t.size(); ++i) s += t[i].text;
    return s;
}

std::string trim_right(std::string s) {
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ';')) s.pop_back();
    return s;
}

std::string trim(const std::string& s) {
    size_t first = s.find_first_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : trim_right(s.substr(first));
}

// The statement's target: its name as written and the name RETURNING qualifies columns with.
struct Target {
    std::string text;       // e.g. [dbo].[t1]
    std::string qualifier;  // alias, or the last name part
    bool found = false;
};

Target find_target(const std::vector<Token>& t, const SigTokens& s, const std::string& verb) {
    Target target;
    size_t k = 1;
    if (k < s.index.size() && t[s.index[k]].is_word(verb == "insert" ? "into" : "from")) ++k;
    if (verb == "update" && k < s.index.size() && t[s.index[k]].is_word("top")) return target;
    if (k >= s.index.size() || !t[s.index[k]].is_name()) return target;
    target.text = t[s.index[k]].text;
    target.qualifier = t[s.index[k]].text;
    ++k;
    while (k + 1 < s.index.size() && t[s.index[k]].is_symbol(".") && t[s.index[k + 1]].is_name()) {
        target.text += "." + t[s.index[k + 1]].text;
        target.qualifier = t[s.index[k + 1]].text;
        k += 2;
    }
    if (verb == "update") {
        if (k < s.index.size() && t[s.index[k]].is_word("as")) ++k;
        if (k < s.index.size() && t[s.index[k]].is_name() && !t[s.index[k]].is_word("set"))
            target.qualifier = t[s.index[k]].text;
    }
    target.found = true;
    return target;
}

}  // namespace

std::vector<Token> extract_output_clause(const std::vector<Token>& t, OutputClause& clause) {
    SigTokens s = significant(t);
    if (s.index.empty()) return t;
    const Token& head = t[s.index[0]];
    if (!head.is_word("insert") && !head.is_word("update") && !head.is_word("delete")) return t;
    size_t out_k = 0;
    for (size_t k = 1; k < s.index.size() && !out_k; ++k)
        if (s.depth[k] == 0 && t[s.index[k]].is_word("output")) out_k = k;
    if (!out_k) return t;
    size_t end_k = s.index.size();
    for (size_t k = out_k + 1; k < s.index.size(); ++k)
        if (s.depth[k] == 0 && is_clause_end(t[s.index[k]])) {
            end_k = k;
            break;
        }
    clause.present = true;
    clause.verb = head.value;
    size_t end = end_k < s.index.size() ? s.index[end_k] : t.size();
    clause.items.assign(t.begin() + static_cast<long>(s.index[out_k]) + 1, t.begin() + static_cast<long>(end));
    if (end_k < s.index.size() && t[s.index[end_k]].is_word("into")) {
        clause.refused = true;
        clause.message.number = 50000;
        clause.message.severity = 16;
        clause.message.text = "OUTPUT ... INTO is not supported by the Berqenas TDS test server; use OUTPUT alone";
    }
    for (size_t i = 0; i + 1 < clause.items.size() && !clause.refused; ++i) {
        const Token& tok = clause.items[i];
        if (!(tok.is_word("inserted") || tok.is_word("deleted")) || !clause.items[i + 1].is_symbol(".")) continue;
        if (source_for(clause.verb, tok.value) != Source::Unbound) continue;
        std::string column = i + 2 < clause.items.size() ? clause.items[i + 2].text : "";
        clause.refused = true;
        clause.message.number = 4104;
        clause.message.severity = 16;
        clause.message.text = "The multi-part identifier \"" + tok.text + "." + column + "\" could not be bound.";
    }
    std::string sql = text_of(t, 0, s.index[out_k]);
    if (end < t.size()) sql += text_of(t, end, t.size());
    return lex_tsql(sql);
}

std::vector<Token> append_returning(const std::vector<Token>& t, const OutputClause& clause) {
    if (!clause.present) return t;
    SigTokens s = significant(t);
    Target target = find_target(t, s, clause.verb);
    if (!target.found) return t;

    std::string items;
    bool needs_old_row = false;
    for (size_t i = 0; i < clause.items.size(); ++i) {
        const Token& tok = clause.items[i];
        bool pseudo = (tok.is_word("inserted") || tok.is_word("deleted")) && i + 1 < clause.items.size() &&
                      clause.items[i + 1].is_symbol(".");
        if (!pseudo) {
            items += tok.text;
            continue;
        }
        if (source_for(clause.verb, tok.value) == Source::OldRow) {
            items += std::string("(") + kOldSource + "." + kOldRow + ")";
            needs_old_row = true;
        } else {
            items += target.qualifier;
        }
    }
    std::string sql = trim_right(text_of(t, 0, t.size()));
    if (needs_old_row) {
        // UPDATE ... [FROM ...] [WHERE ...]: join a copy of each row as it was, by its ctid.
        size_t from_k = 0, where_k = 0;
        bool after_set = false;
        for (size_t k = 1; k < s.index.size(); ++k) {
            if (s.depth[k] != 0) continue;
            const Token& w = t[s.index[k]];
            if (w.is_word("set")) after_set = true;
            else if (after_set && !from_k && !where_k && w.is_word("from")) from_k = k;
            else if (after_set && !where_k && w.is_word("where")) where_k = k;
        }
        std::string old_source = std::string("(SELECT berqenas_o.ctid AS ") + kOldCtid + ", berqenas_o AS " + kOldRow +
                                 " FROM " + target.text + " AS berqenas_o) AS " + kOldSource;
        std::string condition = target.qualifier + ".ctid = " + kOldSource + "." + kOldCtid;
        size_t where_at = where_k ? s.index[where_k] : t.size();
        std::string before_where = trim_right(text_of(t, 0, where_at));
        std::string where_rest = where_k ? trim(text_of(t, s.index[where_k] + 1, t.size())) : "";
        if (from_k) {
            size_t after_from = s.index[from_k] + 1;
            before_where = text_of(t, 0, after_from) + " " + old_source + "," +
                           trim_right(text_of(t, after_from, where_at));
        } else {
            before_where += " FROM " + old_source;
        }
        sql = before_where + " WHERE " + condition + (where_k ? " AND (" + where_rest + ")" : "");
    }
    sql += " RETURNING " + trim(items);
    return lex_tsql(sql);
}

}  // namespace berqenas::tds
