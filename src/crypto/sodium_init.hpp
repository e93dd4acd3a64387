// libsodium must be initialised once per process before any other call.
#pragma once

#include "common/pure_cpp.hpp"

#include <sodium.h>

#include "common/error.hpp"

namespace berqenas::crypto {

inline void ensure_sodium() {
    if (sodium_init() < 0) throw Error(sqlstate::internal_error, "libsodium could not be initialised");
}

}  // namespace berqenas::crypto
