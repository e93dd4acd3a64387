// A small hand-written scanner: T-SQL's lexical rules are few, and a generated lexer would be
// a dependency for the sake of ten token kinds.
#include "tsql_lexer.h"

#include <cctype>

namespace berqenas::tds {
namespace {

bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '#' || (c & 0x80); }
bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '#' || c == '$' || (c & 0x80);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Reads a quoted run ending at `close`, where a doubled `close` stands for one.
size_t scan_quoted(std::string_view sql, size_t start, char close, std::string& value) {
    size_t i = start + 1;
    while (i < sql.size()) {
        if (sql[i] == close) {
            if (i + 1 < sql.size() && sql[i + 1] == close) {
                value.push_back(close);
                i += 2;
                continue;
            }
            return i + 1;
        }
        value.push_back(sql[i++]);
    }
    return sql.size();  // unterminated: PostgreSQL will report it
}

}  // namespace

std::vector<Token> lex_tsql(std::string_view sql) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < sql.size()) {
        char c = sql[i];
        size_t start = i;
        Token t{TokenKind::Symbol, "", ""};
        if (std::isspace(static_cast<unsigned char>(c))) {
            while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
            t.kind = TokenKind::Space;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            while (i < sql.size() && sql[i] != '\n') ++i;
            t.kind = TokenKind::Comment;
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            int depth = 0;  // T-SQL block comments nest
            while (i < sql.size()) {
                if (sql.compare(i, 2, "/*") == 0) {
                    ++depth;
                    i += 2;
                } else if (sql.compare(i, 2, "*/") == 0) {
                    i += 2;
                    if (--depth == 0) break;
                } else {
                    ++i;
                }
            }
            t.kind = TokenKind::Comment;
        } else if ((c == 'N' || c == 'n') && i + 1 < sql.size() && sql[i + 1] == '\'') {
            i = scan_quoted(sql, i + 1, '\'', t.value);
            t.kind = TokenKind::NString;
        } else if (c == '\'') {
            i = scan_quoted(sql, i, '\'', t.value);
            t.kind = TokenKind::String;
        } else if (c == '[') {
            i = scan_quoted(sql, i, ']', t.value);
            t.kind = TokenKind::QuotedIdent;
        } else if (c == '"') {
            i = scan_quoted(sql, i, '"', t.value);
            t.kind = TokenKind::QuotedIdent;
        } else if (c == '0' && i + 1 < sql.size() && (sql[i + 1] == 'x' || sql[i + 1] == 'X')) {
            i += 2;
            while (i < sql.size() && std::isxdigit(static_cast<unsigned char>(sql[i]))) ++i;
            t.kind = TokenKind::HexNumber;
            t.value = lower(sql.substr(start + 2, i - start - 2));
        } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                   (c == '.' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
            while (i < sql.size() && (std::isdigit(static_cast<unsigned char>(sql[i])) || sql[i] == '.')) ++i;
            if (i < sql.size() && (sql[i] == 'e' || sql[i] == 'E')) {
                size_t j = i + 1;
                if (j < sql.size() && (sql[j] == '+' || sql[j] == '-')) ++j;
                if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) {
                    i = j;
                    while (i < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
                }
            }
            t.kind = TokenKind::Number;
        } else if (c == '@') {
            ++i;
            if (i < sql.size() && sql[i] == '@') ++i;
            while (i < sql.size() && is_word_char(sql[i])) ++i;
            t.kind = TokenKind::Variable;
            t.value = lower(sql.substr(start, i - start));
        } else if (is_word_start(c)) {
            while (i < sql.size() && is_word_char(sql[i])) ++i;
            t.kind = TokenKind::Word;
            t.value = lower(sql.substr(start, i - start));
        } else {
            static const char* two_char[] = {"<>", "<=", ">=", "!=", "::", "||", "!<", "!>"};
            i += 1;
            for (const char* op : two_char) {
                if (sql.compare(start, 2, op) == 0) i = start + 2;
            }
            t.kind = TokenKind::Symbol;
        }
        t.text = std::string(sql.substr(start, i - start));
        out.push_back(std::move(t));
    }
    return out;
}

std::string join_tokens(const std::vector<Token>& tokens, size_t begin, size_t end) {
    std::string out;
    if (end > tokens.size()) end = tokens.size();
    for (size_t i = begin; i < end; ++i) out += tokens[i].text;
    return out;
}

std::vector<std::vector<Token>> split_statements(const std::vector<Token>& tokens) {
    std::vector<std::vector<Token>> out;
    std::vector<const Token*> words;  // first significant words, to spot CREATE TRIGGER & co.
    for (const auto& t : tokens) {
        if (t.is_trivia()) continue;
        words.push_back(&t);
        if (words.size() == 4) break;
    }
    auto word_at = [&](size_t k, const char* w) { return k < words.size() && words[k]->is_word(w); };
    size_t kind_pos = word_at(1, "or") && word_at(2, "alter") ? 3 : 1;
    bool whole_batch = (word_at(0, "create") || word_at(0, "alter")) &&
                       (word_at(kind_pos, "trigger") || word_at(kind_pos, "procedure") ||
                        word_at(kind_pos, "proc") || word_at(kind_pos, "function"));

    std::vector<Token> current;
    auto finish = [&]() {
        bool empty = true;
        for (const auto& t : current) empty = empty && t.is_trivia();
        if (!empty) out.push_back(std::move(current));
        current.clear();
    };
    int parens = 0, blocks = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.is_symbol("(")) ++parens;
        if (t.is_symbol(")") && parens > 0) --parens;
        if (t.is_word("case")) ++blocks;
        if (t.is_word("begin")) {
            // BEGIN TRAN / BEGIN TRANSACTION / BEGIN DISTRIBUTED are statements, not blocks.
            size_t j = i + 1;
            while (j < tokens.size() && tokens[j].is_trivia()) ++j;
            bool tran = j < tokens.size() && (tokens[j].is_word("tran") || tokens[j].is_word("transaction") ||
                                              tokens[j].is_word("distributed"));
            if (!tran) ++blocks;
        }
        if (t.is_word("end") && blocks > 0) --blocks;
        if (!whole_batch && t.is_symbol(";") && parens == 0 && blocks == 0) {
            finish();
            continue;
        }
        current.push_back(t);
    }
    finish();
    return out;
}

}  // namespace berqenas::tds
