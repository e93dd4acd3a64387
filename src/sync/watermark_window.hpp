// Where an incremental read starts: the stored watermark moved back by the overlap window (a
// remote transaction may commit late with an older timestamp), in the text the remote compares.
#pragma once

#include <string>

#include "sync/engine/remote_queries.hpp"

namespace berqenas::sync {

// watermark: the local text form of the largest value copied (sync_tables.watermark). Returns
// "YYYY-MM-DD HH:MI:SS.ffffff" (timestamp; timestamptz in UTC), "YYYY-MM-DD" (date, moved back by
// whole days covering the window) or the number unchanged. 22007/22008 for a watermark its type
// cannot read.
std::string overlap_start(WatermarkKind kind, const std::string& watermark, int overlap_seconds);

}  // namespace berqenas::sync
