// in_subtransaction: BeginInternalSubTransaction and its release or rollback around a C++ body,
// with the caller's memory context and resource owner restored either way.
#include "sync/subtransaction.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace berqenas::sync {

void in_subtransaction(const std::function<void()>& body) {
    MemoryContext outer_context = CurrentMemoryContext;
    ResourceOwner outer_owner = CurrentResourceOwner;
    pg::pg_call([&] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(outer_context);
    });
    try {
        body();
    } catch (...) {
        pg::pg_call([&] {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(outer_context);
            CurrentResourceOwner = outer_owner;
        });
        throw;
    }
    pg::pg_call([&] {
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(outer_context);
        CurrentResourceOwner = outer_owner;
    });
}

}  // namespace berqenas::sync
