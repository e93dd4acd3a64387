// The validator behind every numeric option (--port, --limit, --tail).
#include "number_option.hpp"

#include <fmt/core.h>

#include <charconv>
#include <string>

namespace berqenas::cli {

CLI::Validator whole_number(long long min, long long max) {
    const bool open_ended = max == std::numeric_limits<int>::max();
    const std::string expected = open_ended ? fmt::format("a whole number of {} or more", min)
                                            : fmt::format("a whole number from {} to {}", min, max);
    auto check = [min, max, open_ended, expected](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        const bool whole = !text.empty() && ptr == end;
        if (whole && ec == std::errc() && value >= min && value <= max) return {};
        // A whole number too large even for long long is still too large, not malformed.
        const bool too_large = whole && (ec == std::errc::result_out_of_range ? text[0] != '-' : value > max);
        if (too_large && open_ended) return fmt::format("must be at most {}, not '{}'", max, text);
        return fmt::format("must be {}, not '{}'", expected, text);
    };
    return CLI::Validator(check, open_ended ? fmt::format("{} or more", min) : fmt::format("{}..{}", min, max));
}

}  // namespace berqenas::cli
