// Works on significant tokens and rebuilds the statement as text, which is then lexed again,
// so the rest of the rewriter sees ordinary tokens.
#include "update_from_join.h"

#include <string>

namespace berqenas::tds {
namespace {

struct TableRef {
    std::string text;   // as written, e.g. "dbo.customers"
    std::string name;   // last name part, lower case
    std::string alias;  // lower case, may be empty
    std::string alias_text;
};

bool is_clause_word(const Token& t) {
    static const char* const words[] = {"inner", "join", "left", "right", "full", "cross", "outer",
                                        "on",    "where", "as",  "set",   "from",  "order", "group", "option"};
    for (const char* w : words)
        if (t.is_word(w)) return true;
    return false;
}

std::string name_of(const Token& t) {
    std::string v = t.kind == TokenKind::QuotedIdent ? t.value : t.text;
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
}

// Reads "name(.name)* [AS] [alias]" from sig[k]; advances k.
bool read_table_ref(const std::vector<Token>& t, const std::vector<size_t>& sig, size_t& k, TableRef& ref) {
    if (k >= sig.size() || !t[sig[k]].is_name() || is_clause_word(t[sig[k]])) return false;
    ref.text = t[sig[k]].text;
    ref.name = name_of(t[sig[k]]);
    ++k;
    while (k + 1 < sig.size() && t[sig[k]].is_symbol(".") && t[sig[k + 1]].is_name()) {
        ref.text += "." + t[sig[k + 1]].text;
        ref.name = name_of(t[sig[k + 1]]);
        k += 2;
    }
    if (k < sig.size() && t[sig[k]].is_word("as")) ++k;
    if (k < sig.size() && t[sig[k]].is_name() && !is_clause_word(t[sig[k]])) {
        ref.alias = name_of(t[sig[k]]);
        ref.alias_text = t[sig[k]].text;
        ++k;
    }
    return true;
}

std::string text_between(const std::vector<Token>& t, const std::vector<size_t>& sig, size_t from_k, size_t to_k) {
    if (from_k >= to_k || from_k >= sig.size()) return "";
    size_t end = to_k < sig.size() ? sig[to_k] : t.size();
    std::string s = join_tokens(t, sig[from_k], end);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

}  // namespace

std::vector<Token> rewrite_update_from_join(const std::vector<Token>& t) {
    std::vector<size_t> sig;
    std::vector<int> depth_of;
    int depth = 0;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i].is_trivia()) continue;
        if (t[i].is_symbol(")")) --depth;
        sig.push_back(i);
        depth_of.push_back(depth);
        if (t[i].is_symbol("(")) ++depth;
    }
    if (sig.empty() || !t[sig[0]].is_word("update")) return t;
    size_t set_k = 0, from_k = 0, where_k = sig.size();
    for (size_t k = 1; k < sig.size(); ++k) {
        if (depth_of[k] != 0) continue;
        if (!set_k && t[sig[k]].is_word("set")) set_k = k;
        else if (set_k && !from_k && t[sig[k]].is_word("from")) from_k = k;
        else if (from_k && t[sig[k]].is_word("where")) {
            where_k = k;
            break;
        }
    }
    if (!set_k || !from_k) return t;
    std::string target;
    for (size_t k = 1; k < set_k; ++k) target = name_of(t[sig[k]]);  // last name part

    size_t k = from_k + 1;
    TableRef first;
    if (!read_table_ref(t, sig, k, first)) return t;
    if (target != first.alias && target != first.name) return t;

    std::string from_list, conditions;
    while (k < where_k) {
        if (t[sig[k]].is_word("inner")) ++k;
        if (k >= where_k || !t[sig[k]].is_word("join")) return t;  // outer joins keep T-SQL meaning only
        ++k;
        TableRef joined;
        if (!read_table_ref(t, sig, k, joined) || k >= where_k || !t[sig[k]].is_word("on")) return t;
        size_t cond_start = ++k;
        while (k < where_k && !(depth_of[k] == 0 && (t[sig[k]].is_word("inner") || t[sig[k]].is_word("join") ||
                                                     t[sig[k]].is_word("left"))))
            ++k;
        from_list += std::string(from_list.empty() ? "" : ", ") + joined.text +
                     (joined.alias.empty() ? "" : " " + joined.alias_text);
        conditions += std::string(conditions.empty() ? "" : " AND ") + "(" + text_between(t, sig, cond_start, k) + ")";
    }
    if (where_k < sig.size()) {
        std::string w = text_between(t, sig, where_k + 1, sig.size());
        conditions += std::string(conditions.empty() ? "" : " AND ") + "(" + w + ")";
    }

    // SET list: drop "alias." / "table." qualifiers on assigned columns, which PostgreSQL forbids.
    std::string set_list;
    size_t assign_start = set_k + 1;
    for (size_t j = set_k + 1; j <= from_k; ++j) {
        bool boundary = j == from_k || (depth_of[j] == 0 && t[sig[j]].is_symbol(","));
        if (!boundary) continue;
        size_t a = assign_start;
        if (a + 2 < j && t[sig[a + 1]].is_symbol(".")) {
            std::string q = name_of(t[sig[a]]);
            if (q == first.alias || q == first.name) a += 2;
        }
        set_list += std::string(set_list.empty() ? "" : ", ") + text_between(t, sig, a, j);
        assign_start = j + 1;
    }

    std::string sql = "UPDATE " + first.text + (first.alias.empty() ? "" : " AS " + first.alias_text) + " SET " +
                      set_list;
    if (!from_list.empty()) sql += " FROM " + from_list;
    if (!conditions.empty()) sql += " WHERE " + conditions;
    return lex_tsql(sql);
}

}  // namespace berqenas::tds
