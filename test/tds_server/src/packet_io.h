// TDS packets: the 8-byte header, reassembling a client message from its packets, and
// splitting a server response into packets of the negotiated size as it is produced.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berqenas::tds {

enum class PacketType : uint8_t {
    SqlBatch = 0x01,
    Rpc = 0x03,
    TabularResult = 0x04,
    Attention = 0x06,
    BulkLoad = 0x07,
    TransactionManager = 0x0E,
    Login7 = 0x10,
    Prelogin = 0x12,
};

constexpr size_t kPacketHeaderSize = 8;
constexpr uint8_t kStatusEndOfMessage = 0x01;
constexpr size_t kMinPacketSize = 512;
constexpr size_t kMaxPacketSize = 32767;
constexpr size_t kDefaultPacketSize = 4096;
// Whole packets written per send() while a result streams (64 KiB at the default size).
constexpr size_t kPacketsPerWrite = 16;

struct Message {
    PacketType type = PacketType::SqlBatch;
    std::string payload;  // concatenated packet bodies, headers removed
};

// Splits one message payload into whole packets (header included) of at most packet_size
// bytes; the last gets the end-of-message status when end_of_message is set. packet_id
// continues from the caller's counter, which wraps at 256 as the spec says.
std::vector<std::string> split_into_packets(PacketType type, std::string_view payload, size_t packet_size,
                                            bool end_of_message, uint8_t& packet_id);

// Reads and writes packets on one connected socket. Blocking; writes never raise SIGPIPE.
class PacketChannel {
public:
    explicit PacketChannel(int fd) : fd_(fd) {}

    // Reads packets until end-of-message. Returns false on EOF or a broken header.
    bool read_message(Message& out);
    // True when the client has bytes waiting (an attention, usually); waits up to timeout_ms.
    bool client_readable(int timeout_ms) const;

    // Response side: tokens are appended as they are produced (or encoded straight into
    // buffer(), then committed); whole packets go out in writes of up to kPacketsPerWrite packets,
    // and at the latest when flush_full_packets() is called, which the session does before it
    // waits for anything; the rest goes when the response ends.
    void append(std::string_view bytes);
    std::string& buffer() { return pending_; }
    void commit() {
        if (pending_.size() >= flush_threshold_) send_whole_packets();
    }
    void flush_full_packets() {
        if (pending_.size() > packet_size_ - kPacketHeaderSize) send_whole_packets();
    }
    void end_response();
    // Sends what is buffered as non-final packets now (used before a deliberate drop).
    void flush_partial();
    void discard_pending() { pending_.clear(); }

    void set_packet_size(size_t size) {
        packet_size_ = size;
        flush_threshold_ = kPacketsPerWrite * (size - kPacketHeaderSize) + 1;
    }
    size_t packet_size() const { return packet_size_; }
    bool broken() const { return broken_; }
    int fd() const { return fd_; }

private:
    bool read_exact(char* buf, size_t n);
    void send_all(std::string_view bytes);
    void send_whole_packets();
    // Frames payload into packets in frame_ and writes them with one send.
    void send_packets(std::string_view payload, bool end_of_message);

    int fd_;
    size_t packet_size_ = kDefaultPacketSize;
    size_t flush_threshold_ = kPacketsPerWrite * (kDefaultPacketSize - kPacketHeaderSize) + 1;
    std::string pending_;
    std::string frame_;
    uint8_t next_packet_id_ = 1;
    bool broken_ = false;
};

}  // namespace berqenas::tds
