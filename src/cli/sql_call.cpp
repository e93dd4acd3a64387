// Builds SELECT berqenas.fn("arg" => $1::type, ...) statements: names come from the code, values
// only ever travel as parameters.
#include "sql_call.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace berqenas::cli {

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

SqlCall& SqlCall::arg(std::string_view name, Param value, std::string_view cast) {
    params_.push_back(std::move(value));
    std::string placeholder = fmt::format("${}", params_.size());
    if (!cast.empty()) placeholder += fmt::format("::{}", cast);
    args_.push_back(fmt::format("{} => {}", quote_identifier(name), placeholder));
    return *this;
}

SqlCall& SqlCall::text_array(std::string_view name, const std::vector<std::string>& values) {
    params_.emplace_back(nlohmann::json(values).dump());
    args_.push_back(fmt::format("{} => ARRAY(SELECT jsonb_array_elements_text(${}::jsonb))", quote_identifier(name),
                                params_.size()));
    return *this;
}

std::string SqlCall::arguments() const {
    std::string out;
    for (const std::string& a : args_) {
        if (!out.empty()) out += ", ";
        out += a;
    }
    return out;
}

std::string SqlCall::scalar_sql(std::string_view alias) const {
    return fmt::format("SELECT {}({}) AS {}", function_, arguments(), quote_identifier(alias));
}

std::string SqlCall::rows_sql() const {
    return fmt::format("SELECT * FROM {}({})", function_, arguments());
}

}  // namespace berqenas::cli
