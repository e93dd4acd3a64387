// Building small JSON documents in engine code (results of sync, probes). Values are escaped per
// RFC 8259; numbers are written as given. The PostgreSQL side turns the text into jsonb.
#pragma once

#include "common/pure_cpp.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace berqenas {

std::string json_quote(std::string_view text);

class JsonObject {
public:
    JsonObject& add(std::string_view key, std::string_view value);
    JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
    JsonObject& add(std::string_view key, long long value);
    JsonObject& add(std::string_view key, int value) { return add(key, static_cast<long long>(value)); }
    JsonObject& add(std::string_view key, double value);
    JsonObject& add(std::string_view key, bool value);
    JsonObject& add_null(std::string_view key);
    JsonObject& add_raw(std::string_view key, std::string_view json);   // json is already valid JSON
    std::string str() const { return "{" + body_ + "}"; }

private:
    void key(std::string_view k);
    std::string body_;
};

}  // namespace berqenas
