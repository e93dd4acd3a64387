// MemoryContextScope: CurrentMemoryContext switched for a C++ scope and switched back when the
// scope ends, also when an exception passes — the RAII form of a MemoryContextSwitchTo pair.
#pragma once

extern "C" {
#include "postgres.h"
#include "utils/palloc.h"
}

namespace berqenas::pg {

// { pg::MemoryContextScope in_batch(batch); ...allocations in batch... }  // caller's context again
// Not for use inside a pg_call lambda (no objects with destructors there): inside one, a plain
// MemoryContextSwitchTo pair is fine, as the guard restores the caller's context when it fails.
class MemoryContextScope {
public:
    explicit MemoryContextScope(MemoryContext context) noexcept : previous_(MemoryContextSwitchTo(context)) {}
    ~MemoryContextScope() { MemoryContextSwitchTo(previous_); }
    MemoryContextScope(const MemoryContextScope&) = delete;
    MemoryContextScope& operator=(const MemoryContextScope&) = delete;

    // The context that was current before, and will be again.
    MemoryContext previous() const noexcept { return previous_; }

private:
    MemoryContext previous_;
};

}  // namespace berqenas::pg
