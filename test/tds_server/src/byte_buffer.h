// Little helpers to build and parse the byte layouts of TDS: little-endian integers,
// UCS-2 strings with byte or ushort length prefixes, and a bounds-checked reader.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace berqenas::tds {

// Thrown when a client message is shorter than its own length fields claim.
struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Appends to its own string, or to a caller's (the packet channel's output buffer, so rows are
// encoded in place without a copy or an allocation per row).
class ByteWriter {
public:
    ByteWriter() : out_(&own_) {}
    explicit ByteWriter(std::string& target) : out_(&target) {}
    ByteWriter(const ByteWriter&) = delete;
    ByteWriter& operator=(const ByteWriter&) = delete;

    void u8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
    void u16le(uint16_t v) { le(v, 2); }
    void u32le(uint32_t v) { le(v, 4); }
    void u64le(uint64_t v) { le(v, 8); }
    void i32le(int32_t v) { le(static_cast<uint32_t>(v), 4); }
    void u16be(uint16_t v) {
        u8(static_cast<uint8_t>(v >> 8));
        u8(static_cast<uint8_t>(v));
    }
    void u32be(uint32_t v) {
        u16be(static_cast<uint16_t>(v >> 16));
        u16be(static_cast<uint16_t>(v));
    }
    // Writes the low `bytes` bytes of v, least significant first.
    void le(uint64_t v, int bytes) {
        char b[8];
        for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
        out_->append(b, static_cast<size_t>(bytes));
    }
    // Overwrites `bytes` bytes at `pos` (a length written before its value was known).
    void patch_le(size_t pos, uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) (*out_)[pos + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
    }
    void bytes(std::string_view b) { out_->append(b.data(), b.size()); }
    void fill(size_t n, char c) { out_->append(n, c); }
    // B_VARCHAR: a byte count of UCS-2 characters, then the UTF-16LE bytes.
    void b_varchar_utf16(std::string_view utf16le) {
        u8(static_cast<uint8_t>(utf16le.size() / 2));
        bytes(utf16le);
    }
    // US_VARCHAR: an unsigned short count of UCS-2 characters, then the UTF-16LE bytes.
    void us_varchar_utf16(std::string_view utf16le) {
        u16le(static_cast<uint16_t>(utf16le.size() / 2));
        bytes(utf16le);
    }
    size_t size() const { return out_->size(); }
    std::string& str() { return *out_; }
    std::string take() { return std::move(*out_); }

private:
    std::string own_;
    std::string* out_;
};

class ByteReader {
public:
    explicit ByteReader(std::string_view data) : data_(data) {}
    uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
    uint16_t u16le() { return static_cast<uint16_t>(le(2)); }
    uint32_t u32le() { return static_cast<uint32_t>(le(4)); }
    uint16_t u16be() {
        auto b = take(2);
        return static_cast<uint16_t>((static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]));
    }
    std::string_view take(size_t n) {
        if (n > data_.size() - pos_) throw ProtocolError("message truncated");
        auto v = data_.substr(pos_, n);
        pos_ += n;
        return v;
    }
    void seek(size_t pos) {
        if (pos > data_.size()) throw ProtocolError("offset beyond message");
        pos_ = pos;
    }
    size_t pos() const { return pos_; }
    size_t remaining() const { return data_.size() - pos_; }
    std::string_view data() const { return data_; }

private:
    uint64_t le(int bytes) {
        auto b = take(static_cast<size_t>(bytes));
        uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[static_cast<size_t>(i)]);
        return v;
    }
    std::string_view data_;
    size_t pos_ = 0;
};

}  // namespace berqenas::tds
