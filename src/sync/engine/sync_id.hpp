// Readable sync ids: sync_<UTC timestamp>, e.g. sync_20260114_153000. Pure C++; uniqueness within
// one second is the catalog's job (berqenas._sync_job_start appends _2, _3, ...).
#pragma once

#include "common/pure_cpp.hpp"

#include <ctime>
#include <string>

namespace berqenas::sync {

std::string make_sync_id(std::time_t utc_seconds);

}  // namespace berqenas::sync
