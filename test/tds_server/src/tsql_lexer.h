// Splits T-SQL text into tokens (words, [bracketed]/"quoted" names, strings, N'...' strings,
// numbers, @variables, symbols, whitespace, comments) so rewrites never touch string contents.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berqenas::tds {

enum class TokenKind { Word, QuotedIdent, String, NString, Number, HexNumber, Variable, Symbol, Space, Comment };

struct Token {
    TokenKind kind;
    std::string text;   // exactly as written
    std::string value;  // Word/Variable: lower case; QuotedIdent: the unquoted name; String: unquoted

    bool is_word(std::string_view lower) const { return kind == TokenKind::Word && value == lower; }
    bool is_symbol(std::string_view s) const { return kind == TokenKind::Symbol && text == s; }
    bool is_trivia() const { return kind == TokenKind::Space || kind == TokenKind::Comment; }
    bool is_name() const { return kind == TokenKind::Word || kind == TokenKind::QuotedIdent; }
};

std::vector<Token> lex_tsql(std::string_view sql);

std::string join_tokens(const std::vector<Token>& tokens, size_t begin = 0, size_t end = std::string::npos);

// Splits a batch into statements at top-level semicolons. BEGIN...END and CASE...END blocks
// keep their inner semicolons, and a batch starting with CREATE TRIGGER/PROCEDURE/FUNCTION is
// one statement, as T-SQL requires. Empty statements are dropped.
std::vector<std::vector<Token>> split_statements(const std::vector<Token>& tokens);

}  // namespace berqenas::tds
