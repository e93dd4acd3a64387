// Token layouts from MS-TDS 2.2.7. Lengths inside tokens are little-endian; strings are UCS-2.
#include "token_writer.h"

#include "byte_buffer.h"
#include "text_encoding.h"
#include "type_encoder.h"

namespace berqenas::tds {
namespace {

enum : uint8_t {
    kTokenColMetadata = 0x81,
    kTokenError = 0xAA,
    kTokenInfo = 0xAB,
    kTokenLoginAck = 0xAD,
    kTokenEnvChange = 0xE3,
    kTokenDone = 0xFD,
    kTokenDoneProc = 0xFE,
    kTokenDoneInProc = 0xFF,
};

const std::string kCollationBytes("\x09\x04\xD0\x00\x34", 5);

// Tokens whose second field is a USHORT length of the rest.
std::string with_length(uint8_t token, const std::string& body) {
    ByteWriter w;
    w.u8(token);
    w.u16le(static_cast<uint16_t>(body.size()));
    w.bytes(body);
    return w.take();
}

std::string done_like(uint8_t token, uint16_t status, uint16_t cur_cmd, uint64_t row_count) {
    ByteWriter w;
    w.u8(token);
    w.u16le(status);
    w.u16le(cur_cmd);
    w.u64le(row_count);
    return w.take();
}

}  // namespace

std::string login_ack_token(const std::string& program_name) {
    ByteWriter body;
    body.u8(1);             // interface: SQL_TSQL
    body.u32be(0x74000004);  // TDS 7.4, sent in network byte order
    body.b_varchar_utf16(utf8_to_utf16le(program_name));
    body.u8(15);  // program version 15.0.2000 (SQL Server 2019)
    body.u8(0);
    body.u8(0x07);
    body.u8(0xD0);
    return with_length(kTokenLoginAck, body.str());
}

std::string env_change_token(EnvChange type, const std::string& new_value, const std::string& old_value) {
    ByteWriter body;
    body.u8(static_cast<uint8_t>(type));
    body.b_varchar_utf16(utf8_to_utf16le(new_value));
    body.b_varchar_utf16(utf8_to_utf16le(old_value));
    return with_length(kTokenEnvChange, body.str());
}

std::string collation_env_change_token() {
    ByteWriter body;
    body.u8(static_cast<uint8_t>(EnvChange::Collation));
    body.u8(static_cast<uint8_t>(kCollationBytes.size()));
    body.bytes(kCollationBytes);
    body.u8(0);  // no old collation
    return with_length(kTokenEnvChange, body.str());
}

std::string message_token(const ServerMessage& msg, const std::string& server_name) {
    ByteWriter body;
    body.i32le(msg.number);
    body.u8(msg.state);
    body.u8(msg.severity);
    std::string text = utf8_to_utf16le(msg.text);
    if (text.size() > 2 * 8000) text.resize(2 * 8000);  // US_VARCHAR caps at 65535 characters; keep it short
    body.us_varchar_utf16(text);
    body.b_varchar_utf16(utf8_to_utf16le(server_name));
    body.b_varchar_utf16("");  // procedure name
    body.i32le(msg.line);
    return with_length(msg.severity > 10 ? kTokenError : kTokenInfo, body.str());
}

std::string done_token(uint16_t status, uint16_t cur_cmd, uint64_t row_count) {
    return done_like(kTokenDone, status, cur_cmd, row_count);
}

std::string done_in_proc_token(uint16_t status, uint16_t cur_cmd, uint64_t row_count) {
    return done_like(kTokenDoneInProc, status, cur_cmd, row_count);
}

std::string col_metadata_token(const std::vector<ResultColumn>& columns) {
    ByteWriter w;
    w.u8(kTokenColMetadata);
    w.u16le(static_cast<uint16_t>(columns.size()));
    for (const auto& col : columns) {
        w.u32le(col.type.user_type);
        w.u16le(0x0009);  // flags: nullable, updatability unknown
        encode_type_info(col.type, w);
        if (col.type.tds == TdsType::Text || col.type.tds == TdsType::NText || col.type.tds == TdsType::Image) {
            w.u8(0);  // table name parts: none, the column may come from an expression
        }
        std::string name = utf8_to_utf16le(col.name);
        if (name.size() > 2 * 128) name.resize(2 * 128);
        w.b_varchar_utf16(name);
    }
    return w.take();
}

}  // namespace berqenas::tds
