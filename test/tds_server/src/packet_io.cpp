// Packet framing over a blocking socket. Output is streamed packet by packet so a 100k-row
// result never sits in memory, and each packet honours the size the client negotiated.
#include "packet_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace berqenas::tds {

std::vector<std::string> split_into_packets(PacketType type, std::string_view payload, size_t packet_size,
                                            bool end_of_message, uint8_t& packet_id) {
    const size_t body_max = packet_size - kPacketHeaderSize;
    std::vector<std::string> packets;
    size_t offset = 0;
    do {
        size_t body = std::min(body_max, payload.size() - offset);
        bool last = offset + body == payload.size();
        std::string p;
        p.reserve(kPacketHeaderSize + body);
        size_t total = kPacketHeaderSize + body;
        p.push_back(static_cast<char>(type));
        p.push_back(static_cast<char>(last && end_of_message ? kStatusEndOfMessage : 0));
        p.push_back(static_cast<char>((total >> 8) & 0xFF));
        p.push_back(static_cast<char>(total & 0xFF));
        p.push_back(0);  // SPID, high byte: informational only
        p.push_back(0);
        p.push_back(static_cast<char>(packet_id));
        p.push_back(0);  // window, unused
        packet_id = static_cast<uint8_t>(packet_id + 1);
        p.append(payload.substr(offset, body));
        packets.push_back(std::move(p));
        offset += body;
    } while (offset < payload.size());
    return packets;
}

bool PacketChannel::read_exact(char* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = ::recv(fd_, buf + got, n - got, 0);
        if (r > 0) {
            got += static_cast<size_t>(r);
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            broken_ = true;
            return false;
        }
    }
    return true;
}

bool PacketChannel::read_message(Message& out) {
    out.payload.clear();
    for (;;) {
        char header[kPacketHeaderSize];
        if (!read_exact(header, sizeof header)) return false;
        size_t length = (static_cast<uint8_t>(header[2]) << 8) | static_cast<uint8_t>(header[3]);
        if (length < kPacketHeaderSize) {
            broken_ = true;
            return false;
        }
        out.type = static_cast<PacketType>(header[0]);
        size_t body = length - kPacketHeaderSize;
        size_t old = out.payload.size();
        out.payload.resize(old + body);
        if (body > 0 && !read_exact(&out.payload[old], body)) return false;
        if (static_cast<uint8_t>(header[1]) & kStatusEndOfMessage) return true;
    }
}

bool PacketChannel::client_readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    int r;
    do {
        r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

void PacketChannel::send_all(std::string_view bytes) {
    while (!broken_ && !bytes.empty()) {
        ssize_t w = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (w > 0) {
            bytes.remove_prefix(static_cast<size_t>(w));
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            broken_ = true;
        }
    }
}

namespace {

void put_header(std::string& out, PacketType type, size_t total, bool last, uint8_t packet_id) {
    const char header[kPacketHeaderSize] = {static_cast<char>(type),
                                            static_cast<char>(last ? kStatusEndOfMessage : 0),
                                            static_cast<char>((total >> 8) & 0xFF),
                                            static_cast<char>(total & 0xFF),
                                            0,  // SPID: informational only
                                            0,
                                            static_cast<char>(packet_id),
                                            0};  // window, unused
    out.append(header, kPacketHeaderSize);
}

}  // namespace

void PacketChannel::send_packets(std::string_view payload, bool end_of_message) {
    const size_t body_max = packet_size_ - kPacketHeaderSize;
    frame_.clear();
    size_t offset = 0;
    do {
        size_t body = std::min(body_max, payload.size() - offset);
        bool last = offset + body == payload.size();
        put_header(frame_, PacketType::TabularResult, kPacketHeaderSize + body, last && end_of_message,
                   next_packet_id_);
        next_packet_id_ = static_cast<uint8_t>(next_packet_id_ + 1);
        frame_.append(payload.data() + offset, body);
        offset += body;
    } while (offset < payload.size());
    send_all(frame_);
    if (frame_.capacity() > 4 * flush_threshold_) std::string().swap(frame_);  // after a huge value
}

void PacketChannel::send_whole_packets() {
    const size_t body_max = packet_size_ - kPacketHeaderSize;
    // Keep at least one byte back: the final packet must carry end-of-message.
    if (pending_.size() <= body_max) return;
    size_t whole = ((pending_.size() - 1) / body_max) * body_max;
    send_packets(std::string_view(pending_).substr(0, whole), false);
    pending_.erase(0, whole);
}

void PacketChannel::append(std::string_view bytes) {
    pending_.append(bytes.data(), bytes.size());
    commit();
}

void PacketChannel::flush_partial() {
    if (pending_.empty()) return;
    send_packets(pending_, false);
    pending_.clear();
}

void PacketChannel::end_response() {
    send_packets(pending_, true);
    if (pending_.capacity() > 4 * flush_threshold_) std::string().swap(pending_);
    pending_.clear();
    next_packet_id_ = 1;
}

}  // namespace berqenas::tds
