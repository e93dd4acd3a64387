// Local Datums for the remote: PostgreSQL text (under TransmissionModes) or a T-SQL literal.
#pragma once

#include <optional>
#include <string>

#include "pg/guard.hpp"
#include "remote/connection_params.hpp"

namespace berqenas::convert {

// Local values for the remote: PostgreSQL text (with DateStyle ISO etc. in force, see
// TransmissionModes) or a T-SQL literal. NULL → nullopt / "NULL".
std::optional<std::string> datum_to_text(Datum value, bool isnull, Oid type);
std::string datum_to_literal(remote::DatabaseKind kind, Datum value, bool isnull, Oid type);

// While alive, the GUCs that shape text output (DateStyle, IntervalStyle, extra_float_digits)
// are set to values every remote parses the same way.
class TransmissionModes {
public:
    TransmissionModes();
    ~TransmissionModes();
    TransmissionModes(const TransmissionModes&) = delete;
    TransmissionModes& operator=(const TransmissionModes&) = delete;

private:
    int nest_level_;
};

}  // namespace berqenas::convert
