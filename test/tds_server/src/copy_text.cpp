// Plain queries stream through `COPY (query) TO STDOUT`: building that statement, and splitting
// COPY's text-format lines back into the values PostgreSQL's text output gave them.
#include "copy_text.h"

#include <strings.h>

#include <cctype>
#include <cstring>

namespace berqenas::tds {

std::string copy_statement(const std::string& sql) {
    size_t begin = 0;
    while (begin < sql.size() && std::isspace(static_cast<unsigned char>(sql[begin]))) ++begin;
    auto starts_with_word = [&](const char* word) {
        size_t n = std::strlen(word);
        if (sql.size() - begin < n || strncasecmp(sql.c_str() + begin, word, n) != 0) return false;
        return begin + n == sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[begin + n])) || sql[begin + n] == '_');
    };
    if (!starts_with_word("SELECT") && !starts_with_word("WITH")) return "";
    size_t end = sql.size();
    while (end > begin && (std::isspace(static_cast<unsigned char>(sql[end - 1])) || sql[end - 1] == ';')) --end;
    return "COPY (" + sql.substr(begin, end - begin) + "\n) TO STDOUT";
}

bool split_copy_line(std::string_view line, std::vector<std::string_view>& values, std::vector<char>& nulls,
                     std::string& unescaped) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    const char* p = line.data();
    const char* const end = line.data() + line.size();
    const size_t length = line.size();
    unescaped.clear();
    // Unescaped values live in one buffer; reserve its worst case so views into it stay valid.
    bool escapes = std::memchr(line.data(), '\\', length) != nullptr;
    if (escapes) unescaped.reserve(length);
    for (size_t c = 0; c < values.size(); ++c) {
        if (c > 0) {
            if (p >= end || *p != '\t') return false;
            ++p;
        }
        const char* tab = static_cast<const char*>(std::memchr(p, '\t', static_cast<size_t>(end - p)));
        const char* field_end = tab ? tab : end;
        std::string_view field(p, static_cast<size_t>(field_end - p));
        p = field_end;
        if (escapes && field == "\\N") {
            nulls[c] = 1;
            values[c] = std::string_view();
            continue;
        }
        nulls[c] = 0;
        if (!escapes || field.find('\\') == std::string_view::npos) {
            values[c] = field;
            continue;
        }
        const size_t start = unescaped.size();
        for (size_t i = 0; i < field.size(); ++i) {
            char ch = field[i];
            if (ch == '\\' && i + 1 < field.size()) {
                ch = field[++i];
                switch (ch) {
                    case 'b': ch = '\b'; break;
                    case 'f': ch = '\f'; break;
                    case 'n': ch = '\n'; break;
                    case 'r': ch = '\r'; break;
                    case 't': ch = '\t'; break;
                    case 'v': ch = '\v'; break;
                    default: break;
                }
            }
            unescaped.push_back(ch);
        }
        values[c] = std::string_view(unescaped.data() + start, unescaped.size() - start);
    }
    return p == end;
}

}  // namespace berqenas::tds
