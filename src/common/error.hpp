// The one exception type of the Berqenas engine: a message a user can act on, plus its SQLSTATE.
// Pure C++ (no postgres.h); src/pg/guard turns it into ereport(ERROR) at the SQL boundary.
#pragma once

#include "common/pure_cpp.hpp"

#include <stdexcept>
#include <string>

namespace berqenas {

// SQLSTATEs we raise, named after what they mean (see docs/error-codes.md).
namespace sqlstate {
inline constexpr const char* invalid_parameter = "22023";
inline constexpr const char* numeric_value_out_of_range = "22003";
inline constexpr const char* undefined_object = "42704";
inline constexpr const char* undefined_table = "42P01";
inline constexpr const char* undefined_column = "42703";
inline constexpr const char* invalid_schema_name = "3F000";
inline constexpr const char* datatype_mismatch = "42804";
inline constexpr const char* duplicate_object = "42710";
inline constexpr const char* unique_violation = "23505";
inline constexpr const char* dependent_objects_exist = "2BP01";
inline constexpr const char* cannot_connect = "08001";
inline constexpr const char* connection_failure = "08006";
inline constexpr const char* query_canceled = "57014";
inline constexpr const char* invalid_authorization = "28000";
inline constexpr const char* insufficient_privilege = "42501";
inline constexpr const char* object_not_in_prerequisite_state = "55000";
inline constexpr const char* lock_not_available = "55P03";
inline constexpr const char* configuration_limit_exceeded = "53400";
inline constexpr const char* program_limit_exceeded = "54000";
inline constexpr const char* config_file_error = "F0000";
inline constexpr const char* out_of_memory = "53200";
inline constexpr const char* internal_error = "XX000";
inline constexpr const char* data_corrupted = "XX001";
inline constexpr const char* fdw_error = "HV000";
inline constexpr const char* fdw_invalid_option_name = "HV00D";
inline constexpr const char* fdw_invalid_attribute_value = "HV024";
inline constexpr const char* feature_not_supported = "0A000";
inline constexpr const char* invalid_row_count_in_limit = "2201W";
inline constexpr const char* raise_exception = "P0001";
inline constexpr const char* serialization_failure = "40001";
}  // namespace sqlstate

class Error : public std::runtime_error {
public:
    Error(std::string sqlstate, const std::string& message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message),
          sqlstate_(std::move(sqlstate)),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    const std::string& sqlstate() const noexcept { return sqlstate_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
};

}  // namespace berqenas
