// SQL entry points of sync (berqenas._sync_run, _sync_capture, _sync_start_worker, ...). Each is a
// thin shell: arguments in, engine call, jsonb out.
#include <ctime>

#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/values.hpp"
#include "sync/config_check.hpp"
#include "sync/engine/cron_schedule.hpp"
#include "sync/realtime/capture.hpp"
#include "sync/realtime/launcher.hpp"
#include "sync/session_connections.hpp"
#include "sync/sync_runner.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace berqenas::sync {

namespace {

std::optional<std::vector<std::string>> text_array_arg(FunctionCallInfo fcinfo, int n) {
    if (pg::arg_is_null(fcinfo, n)) return std::nullopt;
    std::vector<std::string> out;
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    pg::pg_call([&] {
        ArrayType* array = PG_GETARG_ARRAYTYPE_P(n);
        deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
    });
    for (int i = 0; i < count; ++i) {
        if (nulls[i]) throw Error(sqlstate::invalid_parameter, "table names must not be NULL");
        char* s = pg::pg_call([&] { return TextDatumGetCString(elems[i]); });
        out.emplace_back(s);
    }
    return out;
}

// berqenas._sync_run(remote_database_id bigint, tables text[], full_sync boolean, origin text) returns jsonb
Datum sync_run(FunctionCallInfo fcinfo) {
    RunOptions options;
    const long long id = pg::int64_arg(fcinfo, 0);
    options.tables = text_array_arg(fcinfo, 1);
    options.full = !pg::arg_is_null(fcinfo, 2) && pg::bool_arg(fcinfo, 2);
    if (!pg::arg_is_null(fcinfo, 3)) options.origin = pg::text_arg(fcinfo, 3);
    return pg::jsonb_datum(run_sync(id, options));
}

// berqenas._sync_check_columns(remote_database_id bigint, tables text[], timestamp_column text) returns jsonb
Datum sync_check_columns(FunctionCallInfo fcinfo) {
    return pg::jsonb_datum(check_sync_columns(pg::int64_arg(fcinfo, 0), text_array_arg(fcinfo, 1), pg::text_arg(fcinfo, 2)));
}

// berqenas._sync_require_realtime() returns void
Datum sync_require_realtime(FunctionCallInfo) {
    pg::require_preloaded("realtime sync");
    PG_RETURN_VOID();
}

// berqenas._sync_capture(remote_database_id bigint, install boolean) returns jsonb
Datum sync_capture(FunctionCallInfo fcinfo) {
    return pg::jsonb_datum(install_capture(pg::int64_arg(fcinfo, 0), pg::bool_arg(fcinfo, 1)));
}

// berqenas._sync_start_worker(remote_database_id bigint) returns boolean
Datum sync_start_worker(FunctionCallInfo fcinfo) {
    pg::require_preloaded("realtime sync");
    PG_RETURN_BOOL(start_realtime_worker(pg::int64_arg(fcinfo, 0)));
}

// berqenas.sync_disconnect() returns integer
Datum sync_disconnect(FunctionCallInfo) {
    PG_RETURN_INT32(close_session_connections());
}

// berqenas._cron_next_run(schedule text, after timestamptz) returns timestamptz
Datum cron_next(FunctionCallInfo fcinfo) {
    if (pg::arg_is_null(fcinfo, 0) || pg::arg_is_null(fcinfo, 1)) PG_RETURN_NULL();
    std::string expression = pg::text_arg(fcinfo, 0);
    TimestampTz after = PG_GETARG_TIMESTAMPTZ(1);
    std::time_t seconds = pg::pg_call([&] { return timestamptz_to_time_t(after); });
    auto next = cron_next_run(expression, seconds);
    if (!next) PG_RETURN_NULL();
    std::time_t value = *next;
    PG_RETURN_TIMESTAMPTZ(pg::pg_call([&] { return time_t_to_timestamptz(value); }));
}

}  // namespace

}  // namespace berqenas::sync

BERQENAS_SQL_FUNCTION(berqenas_sync_run, berqenas::sync::sync_run)
BERQENAS_SQL_FUNCTION(berqenas_sync_check_columns, berqenas::sync::sync_check_columns)
BERQENAS_SQL_FUNCTION(berqenas_sync_require_realtime, berqenas::sync::sync_require_realtime)
BERQENAS_SQL_FUNCTION(berqenas_sync_capture, berqenas::sync::sync_capture)
BERQENAS_SQL_FUNCTION(berqenas_sync_start_worker, berqenas::sync::sync_start_worker)
BERQENAS_SQL_FUNCTION(berqenas_sync_disconnect, berqenas::sync::sync_disconnect)
BERQENAS_SQL_FUNCTION(berqenas_cron_next_run, berqenas::sync::cron_next)
