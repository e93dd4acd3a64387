// PRELOGIN, LOGIN7, token layouts, text encodings, the error map and fault counting.
#include <gtest/gtest.h>

#include <atomic>

#include "byte_buffer.h"
#include "error_map.h"
#include "fault_injector.h"
#include "login7.h"
#include "prelogin.h"
#include "text_encoding.h"
#include "token_writer.h"

using namespace berqenas::tds;

TEST(TextEncoding, Utf16RoundTripIncludingSurrogates) {
    const std::string s = "aé日🎉";
    std::string u16 = utf8_to_utf16le(s);
    EXPECT_EQ(u16.size(), 2u * 5u);  // the emoji takes a surrogate pair
    EXPECT_EQ(utf16le_to_utf8(u16), s);
    EXPECT_EQ(utf8_to_utf16le("\xff"), std::string("\xfd\xff", 2));  // invalid byte -> U+FFFD
}

// The in-place converters take ASCII eight bytes at a time; runs of every length around that
// stride, mixed with multi-byte and invalid sequences, must match a code point at a time.
TEST(TextEncoding, AppendMatchesPerCodePointAcrossAsciiRuns) {
    const std::string pieces[] = {"é", "日", "🎉", "\xff", "\xe6\x97"};
    for (size_t run = 0; run < 20; ++run) {
        for (const auto& piece : pieces) {
            std::string s = std::string(run, 'a') + piece + std::string(run % 9, 'b') + piece;
            std::string expected_u16, expected_cp;
            for (char c : std::string(run, 'a')) expected_u16 += std::string{c, '\0'};
            expected_u16 += utf8_to_utf16le(piece);
            for (char c : std::string(run % 9, 'b')) expected_u16 += std::string{c, '\0'};
            expected_u16 += utf8_to_utf16le(piece);
            std::string out = "prefix";
            append_utf16le(out, s);
            EXPECT_EQ(out, "prefix" + expected_u16) << run << " " << piece;
            expected_cp = std::string(run, 'a') + utf8_to_cp1252(piece) + std::string(run % 9, 'b') + utf8_to_cp1252(piece);
            out = "p";
            append_cp1252(out, s);
            EXPECT_EQ(out, "p" + expected_cp) << run << " " << piece;
        }
    }
}

TEST(TextEncoding, Cp1252) {
    EXPECT_EQ(utf8_to_cp1252("aé€Ÿ"), "a\xe9\x80\x9f");
    EXPECT_EQ(utf8_to_cp1252("日"), "?");
}

TEST(Login7, PasswordObfuscationRoundTrips) {
    std::string pw = utf8_to_utf16le("s3cret!");
    EXPECT_EQ(decode_login7_password(encode_login7_password(pw)), pw);
    // MS-TDS example: 'a' (0x61) swaps to 0x16, XOR 0xA5 = 0xB3.
    EXPECT_EQ(static_cast<uint8_t>(encode_login7_password("a")[0]), 0xB3);
}

TEST(Login7, ParsesFields) {
    // Build a LOGIN7 the way a client does: fixed part, then UCS-2 strings.
    std::vector<std::string> fields = {"host", "bob", "pw", "app", "srv", "", "lib", "", "mydb"};
    ByteWriter data;
    std::vector<std::pair<uint16_t, uint16_t>> refs;
    uint16_t offset = 94;
    for (size_t i = 0; i < fields.size(); ++i) {
        std::string u = utf8_to_utf16le(fields[i]);
        if (i == 2) u = encode_login7_password(u);
        refs.emplace_back(offset, static_cast<uint16_t>(fields[i].size()));
        data.bytes(u);
        offset = static_cast<uint16_t>(offset + u.size());
    }
    ByteWriter w;
    w.u32le(offset);
    w.u32le(0x74000004);
    w.u32le(8192);
    w.bytes(std::string(24, '\0'));
    for (size_t i = 0; i < refs.size(); ++i) {
        if (i == 5) {  // extension slot: offset + byte length
            w.u16le(0);
            w.u16le(0);
            continue;
        }
        w.u16le(refs[i].first);
        w.u16le(refs[i].second);
    }
    w.bytes(std::string(94 - w.size(), '\0'));
    w.bytes(data.str());
    Login7 l = parse_login7(w.str());
    EXPECT_EQ(l.packet_size, 8192u);
    EXPECT_EQ(l.user_name, "bob");
    EXPECT_EQ(l.password, "pw");
    EXPECT_EQ(l.database, "mydb");
    EXPECT_EQ(l.app_name, "app");
    EXPECT_THROW(parse_login7(w.str().substr(0, 50)), ProtocolError);
}

TEST(Prelogin, AnswersEncryptionNotSupported) {
    std::string resp = build_prelogin_response();
    PreloginRequest parsed = parse_prelogin(resp);
    EXPECT_EQ(parsed.encryption, Encryption::NotSupported);
    EXPECT_FALSE(parsed.mars);
}

TEST(Tokens, DoneAndErrorLayouts) {
    std::string done = done_token(kDoneMore | kDoneCount, kCmdSelect, 3);
    EXPECT_EQ(done, std::string("\xFD\x11\x00\xC1\x00\x03\x00\x00\x00\x00\x00\x00\x00", 13));
    EXPECT_EQ(static_cast<uint8_t>(done_in_proc_token(0, 0, 0)[0]), 0xFF);
    ServerMessage m;
    m.number = 208;
    m.severity = 16;
    m.text = "x";
    std::string err = message_token(m, "s");
    EXPECT_EQ(static_cast<uint8_t>(err[0]), 0xAA);  // ERROR
    ByteReader r(err);
    r.u8();
    EXPECT_EQ(r.u16le(), err.size() - 3);
    EXPECT_EQ(r.u32le(), 208u);
    m.severity = 0;
    EXPECT_EQ(static_cast<uint8_t>(message_token(m, "s")[0]), 0xAB);  // INFO
    std::string ack = login_ack_token("Microsoft SQL Server");
    EXPECT_EQ(static_cast<uint8_t>(ack[0]), 0xAD);
    EXPECT_EQ(ack.substr(4, 4), std::string("\x74\x00\x00\x04", 4));
    std::string env = env_change_token(EnvChange::PacketSize, "512", "4096");
    EXPECT_EQ(env.substr(3, 2), std::string("\x04\x03", 2));
}

TEST(ErrorMap, SqlServerNumbers) {
    EXPECT_EQ(map_sqlstate("42P01").number, 208);
    EXPECT_EQ(map_sqlstate("42703").number, 207);
    EXPECT_EQ(map_sqlstate("23505").number, 2627);
    EXPECT_EQ(map_sqlstate("23503").number, 547);
    EXPECT_EQ(map_sqlstate("23514").number, 547);
    EXPECT_EQ(map_sqlstate("42601").number, 102);
    EXPECT_EQ(map_sqlstate("40P01").number, 1205);
    EXPECT_EQ(map_sqlstate("40P01").severity, 13);
    EXPECT_EQ(map_sqlstate("28P01").number, 18456);
    EXPECT_EQ(map_sqlstate("22P02").number, 8114);  // by class
    EXPECT_EQ(map_sqlstate("XX000").number, 50000);
    EXPECT_EQ(login_failed_message("bob", "").text, "Login failed for user 'bob'.");
    EXPECT_EQ(login_failed_message("bob", "").severity, 14);
}

TEST(FaultInjector, CountsRowsPerBatch) {
    std::atomic<bool> refuse{false};
    FaultInjector f(FaultSettings{}, refuse);
    EXPECT_EQ(f.apply("drop_after_rows", "2"), "");
    f.start_batch();
    EXPECT_EQ(f.before_row(), RowAction::Send);
    EXPECT_EQ(f.before_row(), RowAction::Send);
    EXPECT_EQ(f.before_row(), RowAction::Drop);
    f.start_batch();
    EXPECT_EQ(f.before_row(), RowAction::Send);
    EXPECT_EQ(f.apply("drop_after_rows", "off"), "");
    EXPECT_EQ(f.apply("fail_after_rows", "0"), "");
    f.start_batch();
    EXPECT_EQ(f.before_row(), RowAction::Fail);
    EXPECT_EQ(f.apply("row_delay_ms", "'25'"), "");
    EXPECT_EQ(f.row_delay_ms(), 25);
    EXPECT_EQ(f.apply("refuse_logins", "on"), "");
    EXPECT_TRUE(refuse.load());
    EXPECT_EQ(f.apply("off", ""), "");
    EXPECT_EQ(f.row_delay_ms(), 0);
    EXPECT_NE(f.apply("explode", "1"), "");
    EXPECT_NE(f.apply("drop_after_rows", "-5"), "");
}
