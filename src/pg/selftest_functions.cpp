// Test hooks for the boundary guards, not part of the extension's SQL API: the regression test
// test_boundary creates them with CREATE FUNCTION ... AS 'berqenas'. They raise errors and spin
// with RAII objects alive, and count live objects, so tests can prove nothing leaks.
#include <string>

#include "pg/guard.hpp"
#include "pg/values.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "portability/instr_time.h"
}

namespace berqenas::pg {

namespace {

int live_objects = 0;

// Counts itself in and out; a leak shows up as a non-zero count after an error.
struct Tracked {
    std::string payload = std::string(256, 'x');   // heap memory ASan would see leak
    Tracked() { ++live_objects; }
    ~Tracked() { --live_objects; }
};

void throw_at_depth(int depth, const std::string& state) {
    Tracked here;
    if (depth <= 0) throw Error(state, "raised inside C++ at the requested depth", "RAII objects were alive");
    throw_at_depth(depth - 1, state);
}

void pg_error_at_depth(int depth) {
    Tracked here;
    if (depth <= 0) {
        pg_call([] { return DirectFunctionCall1(int4in, CStringGetDatum("not a number")); });
        return;
    }
    pg_error_at_depth(depth - 1);
}

Datum selftest_raise(FunctionCallInfo fcinfo) {
    throw_at_depth(int32_arg(fcinfo, 0), text_arg(fcinfo, 1));
    return 0;
}

Datum selftest_pg_error(FunctionCallInfo fcinfo) {
    pg_error_at_depth(int32_arg(fcinfo, 0));
    return 0;
}

// Spins for the given seconds with objects alive, checking for a cancel as long loops must.
Datum selftest_spin(FunctionCallInfo fcinfo) {
    double seconds = float8_arg(fcinfo, 0);
    Tracked outer;
    instr_time start, now;
    INSTR_TIME_SET_CURRENT(start);
    long long iterations = 0;
    for (;;) {
        Tracked inner;
        check_for_interrupts();
        INSTR_TIME_SET_CURRENT(now);
        INSTR_TIME_SUBTRACT(now, start);
        if (INSTR_TIME_GET_DOUBLE(now) >= seconds) break;
        ++iterations;
    }
    return Int64GetDatum(iterations);
}

Datum selftest_live_objects(FunctionCallInfo) { return Int32GetDatum(live_objects); }

// A C++ exception thrown from inside pg_call: it must come out as a normal error, and a later
// PostgreSQL error must still find a valid error handler (PG_exception_stack restored).
Datum selftest_throw_inside_pg_call(FunctionCallInfo) {
    Tracked outer;
    pg_call([] { throw Error(sqlstate::invalid_parameter, "thrown inside pg_call"); });
    return 0;
}

}  // namespace

}  // namespace berqenas::pg

BERQENAS_SQL_FUNCTION(berqenas_selftest_raise, berqenas::pg::selftest_raise)
BERQENAS_SQL_FUNCTION(berqenas_selftest_pg_error, berqenas::pg::selftest_pg_error)
BERQENAS_SQL_FUNCTION(berqenas_selftest_spin, berqenas::pg::selftest_spin)
BERQENAS_SQL_FUNCTION(berqenas_selftest_live_objects, berqenas::pg::selftest_live_objects)
BERQENAS_SQL_FUNCTION(berqenas_selftest_throw_inside_pg_call, berqenas::pg::selftest_throw_inside_pg_call)
