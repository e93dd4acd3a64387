// SPI from C++: a connection that finishes itself, and queries whose parameters and results are
// text, so catalog code never touches Datums. Every SPI call runs inside pg_call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace berqenas::pg {

using SqlValue = std::optional<std::string>;   // nullopt is SQL NULL
using SqlRow = std::vector<SqlValue>;

struct SpiResult {
    std::vector<std::string> columns;
    std::vector<SqlRow> rows;
    uint64_t processed = 0;
};

// The plan of a statement run again and again, prepared once per process for its text and
// parameter types (SPI_keepplan) and shared by every caller; plancache re-plans it when what it
// references changes. generic: one plan for all parameter values instead of a custom plan per call.
SPIPlanPtr kept_plan(const std::string& sql, const std::vector<Oid>& types, bool generic = false);

// A text[] parameter in PostgreSQL's array literal form ({"a","b"}), quoting every element.
std::string text_array_literal(const std::vector<std::string>& elements);

class SpiSession {
public:
    SpiSession();
    ~SpiSession();
    SpiSession(const SpiSession&) = delete;
    SpiSession& operator=(const SpiSession&) = delete;

    // Runs sql with $1..$n bound to params (as text, typed by the query's context).
    SpiResult execute(const std::string& sql, const std::vector<SqlValue>& params = {}, bool read_only = false);
    // Convenience: the first column of the first row, or nullopt.
    SqlValue scalar(const std::string& sql, const std::vector<SqlValue>& params = {});
    // Like execute(), for a statement run again and again (a realtime round's bookkeeping): planned
    // once per process (SPI_keepplan, keyed by the SQL text) instead of on every call.
    SpiResult execute_cached(const std::string& sql, const std::vector<SqlValue>& params = {});

private:
    bool connected_ = false;
};

}  // namespace berqenas::pg
