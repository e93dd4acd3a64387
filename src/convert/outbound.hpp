// Local Datums for the remote: PostgreSQL text (under TransmissionModes), or a literal written
// as the remote kind's Quoting says.
#pragma once

#include <optional>
#include <string>

#include "pg/guard.hpp"
#include "remote/connection_params.hpp"
#include "remote/quoting.hpp"

namespace berqenas::convert {

// A local value as PostgreSQL text (with DateStyle ISO etc. in force, see TransmissionModes).
// NULL → nullopt.
std::optional<std::string> datum_to_text(Datum value, bool isnull, Oid type);

// Writes local values as literals of one remote kind (NULL → "NULL"), made once per statement or
// scan from the kind's Quoting: the style is chosen here, not per value, and the quoters are
// plain function pointers (the FDW's row loops are measured in instructions per row).
class LiteralWriter {
public:
    explicit LiteralWriter(const remote::Quoting& quoting);
    std::string operator()(Datum value, bool isnull, Oid type) const { return write_(*quoting_, value, isnull, type); }

private:
    const remote::Quoting* quoting_;
    std::string (*write_)(const remote::Quoting&, Datum, bool, Oid);
};


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
