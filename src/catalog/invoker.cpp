// berqenas._invoker(): the role that called into Berqenas. Inside a SECURITY DEFINER function
// current_user is the extension's owner; ownership checks must use the caller's own role instead.
#include "pg/guard.hpp"

extern "C" {
#include "utils/fmgrprotos.h"
}

namespace berqenas::catalog {

namespace {

// The outer user is current_user as the session set it (login or SET ROLE); SECURITY DEFINER
// functions change only the current user, so this is who called, however deep the call is.
Datum invoker(FunctionCallInfo) {
    return ObjectIdGetDatum(GetOuterUserId());
}

}  // namespace

}  // namespace berqenas::catalog

BERQENAS_SQL_FUNCTION(berqenas_invoker, berqenas::catalog::invoker)
