// cron_next_run: parse the five fields into bit sets, then walk forward day by day, hour, minute.
#include "sync/engine/cron_schedule.hpp"

#include <bitset>
#include <cctype>
#include <sstream>
#include <vector>

#include "common/error.hpp"

namespace berqenas::sync {

namespace {

struct Field {
    std::bitset<64> allowed;
    bool star = false;
};

[[noreturn]] void bad(const std::string& expression, const std::string& why) {
    throw Error(sqlstate::invalid_parameter, "cannot read cron schedule \"" + expression + "\": " + why);
}

int parse_value(const std::string& text, const char* const* names, int name_base, const std::string& expr) {
    if (text.empty()) bad(expr, "empty value");
    if (std::isdigit(static_cast<unsigned char>(text[0]))) {
        for (char c : text)
            if (!std::isdigit(static_cast<unsigned char>(c))) bad(expr, "\"" + text + "\" is not a number");
        if (text.size() > 4) bad(expr, "\"" + text + "\" is out of range");
        return std::stoi(text);
    }
    if (names) {
        std::string lower;
        for (char c : text) lower += char(std::tolower(static_cast<unsigned char>(c)));
        for (int i = 0; names[i]; ++i)
            if (lower == names[i]) return i + name_base;
    }
    bad(expr, "\"" + text + "\" is not a value");
}

Field parse_field(const std::string& text, int lo, int hi, const char* const* names, int name_base,
                  const std::string& expr) {
    Field f;
    f.star = text == "*" || text == "?";
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int step = 1;
        auto slash = part.find('/');
        if (slash != std::string::npos) {
            step = parse_value(part.substr(slash + 1), nullptr, 0, expr);
            if (step <= 0) bad(expr, "step must be positive");
            part = part.substr(0, slash);
        }
        int from, to;
        if (part == "*" || part == "?") {
            from = lo;
            to = hi;
        } else {
            auto dash = part.find('-');
            from = parse_value(part.substr(0, dash), names, name_base, expr);
            to = dash == std::string::npos ? (slash != std::string::npos ? hi : from)
                                           : parse_value(part.substr(dash + 1), names, name_base, expr);
        }
        if (from < lo || to > hi || from > to) bad(expr, "\"" + part + "\" is outside " + std::to_string(lo) + "-" + std::to_string(hi));
        for (int v = from; v <= to; v += step) f.allowed.set(v);
    }
    return f;
}

const char* const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", nullptr};
const char* const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

}  // namespace

std::optional<std::time_t> cron_next_run(const std::string& expression, std::time_t after) {
    std::string expr = expression;
    while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.back()))) expr.pop_back();
    while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.front()))) expr.erase(0, 1);
    if (expr == "@yearly" || expr == "@annually") expr = "0 0 1 1 *";
    else if (expr == "@monthly") expr = "0 0 1 * *";
    else if (expr == "@weekly") expr = "0 0 * * 0";
    else if (expr == "@daily" || expr == "@midnight") expr = "0 0 * * *";
    else if (expr == "@hourly") expr = "0 * * * *";

    std::vector<std::string> fields;
    std::stringstream in(expr);
    std::string word;
    while (in >> word) fields.push_back(word);
    // pg_cron's interval form: "N seconds" (1-59).
    if (fields.size() == 2 && (fields[1] == "seconds" || fields[1] == "second")) {
        int n = parse_value(fields[0], nullptr, 0, expression);
        if (n < 1 || n > 59) bad(expression, "seconds must be 1-59");
        return after + n;
    }
    if (fields.size() != 5) bad(expression, "expected five fields (minute hour day month weekday)");
    Field minute = parse_field(fields[0], 0, 59, nullptr, 0, expression);
    Field hour = parse_field(fields[1], 0, 23, nullptr, 0, expression);
    Field dom = parse_field(fields[2], 1, 31, nullptr, 0, expression);
    Field month = parse_field(fields[3], 1, 12, month_names, 1, expression);
    Field dow = parse_field(fields[4], 0, 7, day_names, 0, expression);
    if (dow.allowed.test(7)) dow.allowed.set(0);

    std::time_t t = after - (after % 60) + 60;   // next whole minute
    const std::time_t limit = after + std::time_t(4) * 366 * 86400;
    while (t <= limit) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        bool day_ok;
        bool dom_ok = dom.allowed.test(tm.tm_mday), dow_ok = dow.allowed.test(tm.tm_wday);
        if (dom.star || dow.star) day_ok = dom_ok && dow_ok;
        else day_ok = dom_ok || dow_ok;   // classic cron: either restricted day field matches
        if (!month.allowed.test(tm.tm_mon + 1) || !day_ok) {
            t += std::time_t(86400 - tm.tm_hour * 3600 - tm.tm_min * 60);   // next midnight
            continue;
        }
        if (!hour.allowed.test(tm.tm_hour)) {
            t += std::time_t(3600 - tm.tm_min * 60);
            continue;
        }
        if (!minute.allowed.test(tm.tm_min)) {
            t += 60;
            continue;
        }
        return t;
    }
    return std::nullopt;
}

}  // namespace berqenas::sync
