// (verify: being written)
#include "pg/guard.hpp"
#include "common/error.hpp"
namespace berqenas::sync {
namespace {
Datum sync_verify(FunctionCallInfo) { throw Error(sqlstate::internal_error, "verify is not built yet"); }
}
}  // namespace berqenas::sync
BERQENAS_SQL_FUNCTION(berqenas_sync_verify, berqenas::sync::sync_verify)
