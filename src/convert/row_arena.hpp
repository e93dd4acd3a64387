// Memory for the converted values of the row a scan returns, reused row after row.
//
// A numeric or text a scan builds lives until the scan's next row: ExecScan resets the per-tuple
// context it was palloc'd in before asking for that row, and whoever keeps a row longer copies it
// (materialize, sort, hash, ModifyTable). A block reset at each row gives values exactly that life
// without an allocator call each: two pallocs were a tenth of a bulk row's own cost.
#pragma once

#include <cstddef>

extern "C" {
#include "postgres.h"
#include "utils/palloc.h"
}

namespace berqenas::convert {

class RowArena {
public:
    static constexpr size_t kBlockSize = 8192;

    // The block comes from cxt (the scan's query context) on first use.
    explicit RowArena(MemoryContext cxt) : cxt_(cxt) {}
    RowArena(const RowArena&) = delete;
    RowArena& operator=(const RowArena&) = delete;

    // Before converting a row: the previous row's values are no longer referenced.
    void reset() { used_ = 0; }

    // n bytes, MAXALIGNed; nullptr when the block has no room (the caller pallocs instead, so a
    // large value never makes the block grow). Runs inside pg_call (MemoryContextAlloc may ereport).
    void* take(size_t n) {
        n = MAXALIGN(n);
        if (used_ + n > kBlockSize) return nullptr;
        if (block_ == nullptr) block_ = static_cast<char*>(MemoryContextAlloc(cxt_, kBlockSize));
        void* p = block_ + used_;
        used_ += n;
        return p;
    }

private:
    MemoryContext cxt_;
    char* block_ = nullptr;   // freed with cxt_
    size_t used_ = 0;
};

}  // namespace berqenas::convert
