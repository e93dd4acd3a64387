// Exit codes and the usage error of the `berqenas` command line.
// 0 done, 1 the server (or the connection) refused, 2 bad usage, 3 a check answered "no".
#pragma once

#include <stdexcept>
#include <string>

namespace berqenas::cli {

constexpr int exit_ok = 0;
constexpr int exit_error = 1;
constexpr int exit_usage = 2;
constexpr int exit_check_failed = 3;

// Bad usage found after argument parsing (e.g. no password available); exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace berqenas::cli
