// The transactions a realtime worker or the launcher runs itself (a background worker has none of
// its own): each round, pruning chunk and failure record in one.
#pragma once

#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/snapmgr.h"
}

namespace berqenas::sync::realtime {

inline void begin_xact() {
    pg::pg_call([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
    });
}

inline void commit_xact() {
    pg::pg_call([] {
        PopActiveSnapshot();
        CommitTransactionCommand();
    });
}

}  // namespace berqenas::sync::realtime
