// make_sync_id: the UTC calendar time of the start, to the second.
#include "sync/engine/sync_id.hpp"

#include <cstdio>

namespace berqenas::sync {

std::string make_sync_id(std::time_t utc_seconds) {
    std::tm tm{};
    gmtime_r(&utc_seconds, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "sync_%04d%02d%02d_%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

}  // namespace berqenas::sync
