// What a realtime worker is started with (bgw_extra): the database and role to connect as, and the
// remote database it serves. Written by start_realtime_worker, read by the worker's main.
#pragma once

#include "pg/guard.hpp"

namespace berqenas::sync::realtime {

struct WorkerArgs {
    Oid database;
    Oid role;
    int64 remote_database_id;
};

}  // namespace berqenas::sync::realtime
