// Realtime sync: a background worker per remote database in realtime mode applies the changes the
// remote's capture triggers record, continuously. Needs shared_preload_libraries (55000 otherwise).
// A launcher, registered at server start, restarts the workers of berqenas.launcher_database.
#pragma once

#include <string>

namespace berqenas::sync {

void register_realtime_launcher();
// Starts the worker for one remote database of the current database (false: it already runs).
bool start_realtime_worker(long long remote_database_id);
// Installs (or removes) the capture objects on the remote for every table of the configuration;
// returns a JSON array describing them.
std::string install_capture(long long remote_database_id, bool install);

}  // namespace berqenas::sync
