// Packet splitting: every packet within the negotiated size, headers right, only the last marked
// end-of-message, and the payload reassembled intact.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet_io.h"

using namespace berqenas::tds;

namespace {
size_t header_length(const std::string& p) {
    return (static_cast<uint8_t>(p[2]) << 8) | static_cast<uint8_t>(p[3]);
}
}  // namespace

TEST(SplitIntoPackets, RespectsPacketSizeAndMarksOnlyTheLast) {
    std::string payload(10000, 'x');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i % 251);
    for (size_t size : {kMinPacketSize, size_t{4096}, kMaxPacketSize}) {
        uint8_t id = 1;
        auto packets = split_into_packets(PacketType::TabularResult, payload, size, true, id);
        std::string joined;
        for (size_t k = 0; k < packets.size(); ++k) {
            const auto& p = packets[k];
            ASSERT_LE(p.size(), size);
            EXPECT_EQ(header_length(p), p.size());
            EXPECT_EQ(static_cast<uint8_t>(p[0]), 0x04);
            EXPECT_EQ(static_cast<uint8_t>(p[1]), k + 1 == packets.size() ? 1 : 0);
            EXPECT_EQ(static_cast<uint8_t>(p[6]), static_cast<uint8_t>(k + 1));
            if (k + 1 < packets.size()) {
                EXPECT_EQ(p.size(), size);
            }
            joined += p.substr(kPacketHeaderSize);
        }
        EXPECT_EQ(joined, payload);
        EXPECT_EQ(packets.size(), (payload.size() + size - kPacketHeaderSize - 1) / (size - kPacketHeaderSize));
    }
}

TEST(SplitIntoPackets, EmptyPayloadIsOneHeaderOnlyPacket) {
    uint8_t id = 7;
    auto packets = split_into_packets(PacketType::TabularResult, "", 512, true, id);
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0].size(), kPacketHeaderSize);
    EXPECT_EQ(static_cast<uint8_t>(packets[0][1]), 1);
    EXPECT_EQ(id, 8);
}

TEST(SplitIntoPackets, PacketIdWraps) {
    uint8_t id = 255;
    auto packets = split_into_packets(PacketType::TabularResult, std::string(2000, 'a'), 512, true, id);
    EXPECT_EQ(static_cast<uint8_t>(packets[0][6]), 255);
    EXPECT_EQ(static_cast<uint8_t>(packets[1][6]), 0);
}

// The streaming channel over a real socket pair: tokens appended in many small pieces come out
// as full packets of the negotiated size, and read_message reassembles them.
TEST(PacketChannel, StreamsAtNegotiatedSizeAndReassembles) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    PacketChannel server(fds[0]);
    server.set_packet_size(512);
    std::string expected;
    for (int i = 0; i < 300; ++i) {
        std::string piece(static_cast<size_t>(i % 37 + 1), static_cast<char>('a' + i % 26));
        expected += piece;
        server.append(piece);
    }
    server.end_response();
    PacketChannel client(fds[1]);
    Message m;
    ASSERT_TRUE(client.read_message(m));
    EXPECT_EQ(m.type, PacketType::TabularResult);
    EXPECT_EQ(m.payload, expected);
    ::close(fds[0]);
    ::close(fds[1]);
}

// Rows encoded straight into the buffer and committed: nothing goes out before a whole batch of
// packets is there or flush_full_packets() is called, and then only whole packets.
TEST(PacketChannel, CommitsInBatchesAndFlushesWholePackets) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    PacketChannel server(fds[0]);
    server.set_packet_size(512);
    const size_t body = 512 - kPacketHeaderSize;
    server.buffer().append(body * 2 + 10, 'x');
    server.commit();
    EXPECT_EQ(server.buffer().size(), body * 2 + 10);  // under kPacketsPerWrite packets: held
    server.flush_full_packets();
    EXPECT_EQ(server.buffer().size(), 10u);
    char buf[2048];
    ssize_t n = ::recv(fds[1], buf, sizeof buf, MSG_DONTWAIT);
    EXPECT_EQ(n, static_cast<ssize_t>(2 * 512));
    EXPECT_EQ(static_cast<uint8_t>(buf[1]), 0);  // not the end of the message
    EXPECT_EQ(static_cast<uint8_t>(buf[6]), 1);  // packet ids count on
    EXPECT_EQ(static_cast<uint8_t>(buf[512 + 6]), 2);
    server.buffer().append(body * kPacketsPerWrite, 'y');
    server.commit();
    EXPECT_EQ(server.buffer().size(), 10u);  // 16 whole packets went out, the tail stays
    server.end_response();
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(PacketChannel, ReadsMultiPacketClientMessages) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    uint8_t id = 1;
    std::string batch(3000, 'q');
    for (auto& p : split_into_packets(PacketType::SqlBatch, batch, 1024, true, id))
        ASSERT_EQ(::write(fds[1], p.data(), p.size()), static_cast<ssize_t>(p.size()));
    PacketChannel server(fds[0]);
    Message m;
    ASSERT_TRUE(server.read_message(m));
    EXPECT_EQ(m.type, PacketType::SqlBatch);
    EXPECT_EQ(m.payload, batch);
    ::close(fds[1]);
    EXPECT_FALSE(server.read_message(m));  // EOF
    ::close(fds[0]);
}
