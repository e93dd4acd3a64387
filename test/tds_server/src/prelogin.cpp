// PRELOGIN option table: (token, big-endian offset, big-endian length) entries ended by 0xFF,
// followed by the option data the offsets point into (MS-TDS 2.2.6.5).
#include "prelogin.h"

#include <vector>

#include "byte_buffer.h"

namespace berqenas::tds {
namespace {
enum : uint8_t { kVersion = 0, kEncryption = 1, kInstOpt = 2, kThreadId = 3, kMars = 4, kTerminator = 0xFF };
}

PreloginRequest parse_prelogin(std::string_view payload) {
    PreloginRequest req;
    ByteReader r(payload);
    for (;;) {
        uint8_t token = r.u8();
        if (token == kTerminator) break;
        uint16_t offset = r.u16be();
        uint16_t length = r.u16be();
        if (static_cast<size_t>(offset) + length > payload.size()) throw ProtocolError("PRELOGIN option out of range");
        if (token == kEncryption && length >= 1) req.encryption = static_cast<Encryption>(payload[offset]);
        if (token == kMars && length >= 1) req.mars = payload[offset] != 0;
    }
    return req;
}

std::string build_prelogin_response() {
    // Version 15.0.2000 (SQL Server 2019's RTM build) as big-endian UL_VERSION + US_SUBBUILD.
    const std::string version("\x0F\x00\x07\xD0\x00\x00", 6);
    const std::string encryption(1, static_cast<char>(Encryption::NotSupported));
    const std::string instopt(1, '\0');
    const std::string mars(1, '\0');
    const std::vector<std::pair<uint8_t, std::string>> options = {
        {kVersion, version}, {kEncryption, encryption}, {kInstOpt, instopt}, {kThreadId, ""}, {kMars, mars}};
    ByteWriter w;
    uint16_t offset = static_cast<uint16_t>(options.size() * 5 + 1);
    for (auto& [token, data] : options) {
        w.u8(token);
        w.u16be(offset);
        w.u16be(static_cast<uint16_t>(data.size()));
        offset = static_cast<uint16_t>(offset + data.size());
    }
    w.u8(kTerminator);
    for (auto& [token, data] : options) w.bytes(data);
    return w.take();
}

}  // namespace berqenas::tds
