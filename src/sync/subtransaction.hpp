// A sync's local changes in an internal subtransaction, so a failure undoes them all and the
// failure itself can still be recorded in the caller's transaction.
#pragma once

#include <functional>

namespace berqenas::sync {

// Runs body inside an internal subtransaction; on any exception rolls it back (so everything the
// body did to local data is undone) and rethrows.
void in_subtransaction(const std::function<void()>& body);

}  // namespace berqenas::sync
