// overlap_start: the watermark parsed by its type's own input function, moved back with
// PostgreSQL's datetime arithmetic and written out in one fixed format (see watermark_window.hpp).
#include "sync/watermark_window.hpp"

#include <cstdio>

#include "pg/guard.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
}

namespace berqenas::sync {

namespace {

// A timestamp's fields, UTC for timestamptz (no time zone applied: tz pointer NULL).
std::string format_timestamp(Timestamp value) {
    struct pg_tm tm;
    fsec_t fsec = 0;
    const int rc = pg::pg_call([&] { return timestamp2tm(value, nullptr, &tm, &fsec, nullptr, nullptr); });
    if (rc != 0) throw Error(sqlstate::internal_error, "watermark out of range");
    char out[64];
    snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d:%02d.%06d", tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, int(fsec));
    return out;
}

}  // namespace

std::string overlap_start(WatermarkKind kind, const std::string& watermark, int overlap_seconds) {
    const char* text = watermark.c_str();
    const int64 window_us = int64(overlap_seconds) * USECS_PER_SEC;
    switch (kind) {
        case WatermarkKind::timestamp:
        case WatermarkKind::timestamptz: {
            // timestamptz_in gives the instant in UTC microseconds; timestamp_in the wall time as is.
            Timestamp value = pg::pg_call([&] {
                return DatumGetTimestamp(DirectFunctionCall3(
                    kind == WatermarkKind::timestamptz ? timestamptz_in : timestamp_in, CStringGetDatum(text),
                    ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
            });
            if (TIMESTAMP_NOT_FINITE(value)) return format_timestamp(value);
            return format_timestamp(value - window_us);
        }
        case WatermarkKind::date: {
            DateADT day = pg::pg_call([&] { return DatumGetDateADT(DirectFunctionCall1(date_in, CStringGetDatum(text))); });
            // Whole days covering the window.
            day -= DateADT((window_us + USECS_PER_DAY - 1) / USECS_PER_DAY);
            int year, month, mday;
            j2date(day + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
            char out[32];
            snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, mday);
            return out;
        }
        case WatermarkKind::number: return std::to_string(std::stoll(watermark));
    }
    return watermark;
}

}  // namespace berqenas::sync
