// Fault modes a test switches on to prove that nothing is lost when the link breaks: drop the
// connection after N rows, delay each row, fail mid-result with an error, refuse logins.
// Set per server by command-line flags, per session by `SET BERQENAS_FAULT <name> <value>`.
#pragma once

#include <atomic>
#include <string>

namespace berqenas::tds {

struct FaultSettings {
    long drop_after_rows = -1;  // -1 = off; else close the connection once N rows of a batch are out
    long fail_after_rows = -1;  // -1 = off; else raise error 50000 instead of row N+1 of a batch
    long row_delay_ms = 0;      // sleep before each row (an attention still interrupts it)
    // CAST(nvarchar AS varbinary) gives the text's UTF-8 bytes, as Babelfish did before late 2024
    // (BABEL-4891) instead of SQL Server's UTF-16LE.
    bool varbinary_utf8 = false;
};

enum class RowAction { Send, Drop, Fail };

class FaultInjector {
public:
    FaultInjector(FaultSettings defaults, std::atomic<bool>& refuse_logins)
        : settings_(defaults), refuse_logins_(refuse_logins) {}

    // Applies one control statement. Returns an empty string, or what was wrong with it.
    std::string apply(const std::string& name, const std::string& value);

    void start_batch() { rows_in_batch_ = 0; }
    // Decides the fate of the next row; counts it when it is sent.
    RowAction before_row();
    long row_delay_ms() const { return settings_.row_delay_ms; }
    long rows_in_batch() const { return rows_in_batch_; }
    const FaultSettings& settings() const { return settings_; }

private:
    FaultSettings settings_;
    std::atomic<bool>& refuse_logins_;  // server-wide: it governs logins not yet made
    long rows_in_batch_ = 0;
};

// The error number a fail_after_rows fault raises (SQL Server's user-defined error number).
constexpr int kFaultErrorNumber = 50000;

}  // namespace berqenas::tds
