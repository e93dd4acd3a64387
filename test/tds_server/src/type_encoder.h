// Exact TDS encodings of column types (TYPE_INFO) and of values, from PostgreSQL's text
// output. Values SQL Server cannot hold (a date before year 1, NaN) raise ValueOutOfRange.
#pragma once

#include <stdexcept>
#include <string_view>

#include "byte_buffer.h"
#include "column_type.h"

namespace berqenas::tds {

struct ValueOutOfRange : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The TYPE_INFO part of a COLMETADATA column entry.
void encode_type_info(const ColumnType& type, ByteWriter& out);

// One value of a ROW token. `text` is PostgreSQL's text output (DateStyle ISO, bytea hex),
// ignored when is_null is set. text_size: the session's TEXTSIZE. As SQL Server does, values of the
// (max) types and of text, ntext and image are cut to that many bytes (an even number for the
// UTF-16 ones); xml is not.
constexpr uint32_t kDefaultTextSize = 4096;   // SQL Server's, for a session that never sets it
void encode_value(const ColumnType& type, std::string_view text, bool is_null, ByteWriter& out,
                  uint32_t text_size = UINT32_MAX);

// Calendar helpers shared with the tests: days since 0001-01-01 of a proleptic Gregorian date.
long days_since_year_one(int year, int month, int day);

}  // namespace berqenas::tds
