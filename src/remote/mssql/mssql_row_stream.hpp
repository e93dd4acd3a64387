// Rows of one T-SQL batch read through db-lib, each value decoded natively (numbers, dates and
// times, uniqueidentifier, binary; decimal and money as exact digits; text as UTF-8).
#pragma once

#include "common/pure_cpp.hpp"

#include <deque>
#include <string>
#include <vector>

#include "remote/mssql/mssql_connection.hpp"

namespace berqenas::remote {

class MssqlRowStream final : public RowStream {
public:
    // Sends sql and positions on the first result set that has columns.
    MssqlRowStream(MssqlConnection& conn, const std::string& sql);
    ~MssqlRowStream() override;

    bool next(std::vector<RemoteValue>& row) override;
    void close() override;
    const std::vector<StreamColumn>& columns() override { return columns_; }
    long long affected_rows() const override { return affected_; }

    // Reads every remaining row into memory so the connection is free for another batch.
    void buffer_rest();

private:
    struct OwnedValue {
        ValueKind kind = ValueKind::null;
        int16_t scale = 0;
        int64_t i = 0;
        double f = 0;
        std::string bytes;
    };

    bool read_row(std::vector<RemoteValue>& row);   // from the wire
    void decode(DBPROCESS* db, int column, int type, RemoteValue& v);
    void finish_batch();                              // drains later result sets, reports errors

    MssqlConnection& conn_;
    std::vector<StreamColumn> columns_;
    std::vector<int> types_;                          // columns_[i].type_code, for the row loop
    std::vector<std::string> scratch_;                // per column: converted bytes of the current row
    bool on_wire_ = false;                            // rows still to read from db-lib
    bool closed_ = false;
    long long affected_ = -1;
    std::deque<std::vector<OwnedValue>> buffered_;
    std::vector<OwnedValue> current_owned_;
};

// db-lib type code → T-SQL type name, for messages and StreamColumn::type_name.
std::string mssql_type_name(int type);

}  // namespace berqenas::remote
