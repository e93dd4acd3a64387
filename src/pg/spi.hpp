// SPI from C++: a connection that finishes itself, and queries whose results are text and whose
// parameters are text or typed values (TypedParam). Every SPI call runs inside pg_call.
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
// The elements of a one-dimensional text[] as its output function writes it ({a,"b c",NULL});
// a NULL element is an internal error (XX000).
std::vector<std::string> parse_text_array(const std::string& literal);

// A parameter passed as a Datum of its own type, so ids, counts and times cross SPI without a
// text round trip (std::to_string, $1::bigint, std::stoll). Text values are copied into the
// current memory context when made.
struct TypedParam {
    Oid type = InvalidOid;
    Datum value = 0;
    bool null = true;
};
TypedParam int8_param(long long value);
TypedParam int4_param(int value);
TypedParam bool_param(bool value);
TypedParam float8_param(double value);
TypedParam text_param(const std::string& value);
TypedParam jsonb_param(const std::string& json);
TypedParam null_param(Oid type);

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
    // The same with typed parameters ($1 is of params[0].type, no cast needed in the SQL).
    SpiResult execute_cached(const std::string& sql, const std::vector<TypedParam>& params);
    // A statement run once (its text varies, e.g. with a table name), with typed parameters.
    SpiResult execute(const std::string& sql, const std::vector<TypedParam>& params);

private:
    bool connected_ = false;
};

}  // namespace berqenas::pg
