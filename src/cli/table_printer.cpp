// Box-drawn tables: widths in UTF-8 code points, numbers right-aligned, cells kept to one line.
#include "table_printer.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace berqenas::cli {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// One line, at most max_cell_width characters.
std::string one_line(const std::string& text) {
    std::string out;
    size_t chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (!is_continuation(c)) {
            if (chars == TablePrinter::max_cell_width - 1) {
                // Room for the ellipsis only if more text follows.
                size_t rest = 0;
                for (size_t j = i; j < text.size(); ++j) rest += !is_continuation(static_cast<unsigned char>(text[j]));
                if (rest > 1) return out + "…";
            }
            ++chars;
        }
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : text[i];
    }
    return out;
}

bool looks_numeric(const std::string& text) {
    if (text.empty()) return false;
    size_t i = (text[0] == '-') ? 1 : 0;
    if (i == text.size()) return false;
    bool dot = false;
    for (; i < text.size(); ++i) {
        if (text[i] == '.' && !dot) {
            dot = true;
        } else if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    return true;
}

std::string repeat(const char* piece, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += piece;
    return out;
}

}  // namespace

size_t display_width(const std::string& text) {
    return static_cast<size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(static_cast<unsigned char>(c)); }));
}

void TablePrinter::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    for (std::string& cell : cells) cell = one_line(cell);
    rows_.push_back(std::move(cells));
}

void TablePrinter::print(std::FILE* out) const {
    size_t ncols = headers_.size();
    std::vector<size_t> widths(ncols);
    std::vector<bool> numeric(ncols, true);
    for (size_t c = 0; c < ncols; ++c) {
        widths[c] = display_width(headers_[c]);
        bool any = false;
        for (const auto& row : rows_) {
            widths[c] = std::max(widths[c], display_width(row[c]));
            if (row[c].empty() || row[c] == "-") continue;
            any = true;
            if (!looks_numeric(row[c])) numeric[c] = false;
        }
        numeric[c] = numeric[c] && any;
    }
    auto rule = [&](const char* left, const char* mid, const char* right) {
        std::string line = left;
        for (size_t c = 0; c < ncols; ++c) {
            line += repeat("─", widths[c] + 2);
            line += (c + 1 < ncols) ? mid : right;
        }
        fmt::print(out, "{}\n", line);
    };
    auto cells = [&](const std::vector<std::string>& row, bool header) {
        std::string line = "│";
        for (size_t c = 0; c < ncols; ++c) {
            std::string pad(widths[c] - display_width(row[c]), ' ');
            line += ' ';
            line += (numeric[c] && !header) ? pad + row[c] : row[c] + pad;
            line += " │";
        }
        fmt::print(out, "{}\n", line);
    };
    rule("┌", "┬", "┐");
    cells(headers_, true);
    rule("├", "┼", "┤");
    for (const auto& row : rows_) cells(row, false);
    rule("└", "┴", "┘");
}

}  // namespace berqenas::cli
