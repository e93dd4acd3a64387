// Starting realtime workers: one per remote database in realtime mode, from configure_sync, and at
// server start from a launcher (registered when the library is preloaded) for berqenas.launcher_database.
#pragma once

namespace berqenas::sync {

void register_realtime_launcher();
// Starts the worker for one remote database of the current database (false: it already runs).
bool start_realtime_worker(long long remote_database_id);

}  // namespace berqenas::sync
