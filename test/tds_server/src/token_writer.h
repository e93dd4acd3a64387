// Builders for the server-to-client tokens of a TDS 7.4 response: LOGINACK, ENVCHANGE,
// ERROR/INFO, COLMETADATA, ROW, DONE/DONEPROC/DONEINPROC. Each returns the token's bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "column_type.h"

namespace berqenas::tds {

enum DoneStatus : uint16_t {
    kDoneFinal = 0x0000,
    kDoneMore = 0x0001,
    kDoneError = 0x0002,
    kDoneInTransaction = 0x0004,
    kDoneCount = 0x0010,
    kDoneAttention = 0x0020,
    kDoneServerError = 0x0100,
};

// CurCmd values SQL Server puts in DONE tokens.
enum CurCmd : uint16_t { kCmdNone = 0, kCmdSelect = 0xC1, kCmdInsert = 0xC3, kCmdDelete = 0xC4, kCmdUpdate = 0xC5 };

enum class EnvChange : uint8_t { Database = 1, Language = 2, PacketSize = 4, Collation = 7 };

struct ServerMessage {
    int32_t number = 0;
    uint8_t state = 1;
    uint8_t severity = 0;  // "class": <= 10 is informational (INFO token), above is an error
    std::string text;      // UTF-8
    int32_t line = 1;
};

std::string login_ack_token(const std::string& program_name);
std::string env_change_token(EnvChange type, const std::string& new_value, const std::string& old_value);
std::string collation_env_change_token();
std::string message_token(const ServerMessage& msg, const std::string& server_name);
std::string done_token(uint16_t status, uint16_t cur_cmd, uint64_t row_count);
std::string done_in_proc_token(uint16_t status, uint16_t cur_cmd, uint64_t row_count);
std::string col_metadata_token(const std::vector<ResultColumn>& columns);

// The ROW token's leading byte; the values follow, encoded by type_encoder.
constexpr uint8_t kRowToken = 0xD1;

}  // namespace berqenas::tds
