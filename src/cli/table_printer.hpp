// Prints rows as a box-drawn table (as in the product docs' CLI examples); numeric columns are
// right-aligned, long or multi-line cells are shortened to one line.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace berqenas::cli {

class TablePrinter {
public:
    explicit TablePrinter(std::vector<std::string> headers) : headers_(std::move(headers)) {}

    void add_row(std::vector<std::string> cells);
    bool empty() const { return rows_.empty(); }
    void print(std::FILE* out = stdout) const;

    // Cells longer than this many characters end in "…".
    static constexpr size_t max_cell_width = 72;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// Characters (UTF-8 code points) in text: what a terminal column count needs.
size_t display_width(const std::string& text);

}  // namespace berqenas::cli
