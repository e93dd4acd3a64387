// Realtime capture on the remote: the change table and trigger of every configured table
// (engine/capture_ddl), installed or removed, and recorded in berqenas.sync_tables.
#pragma once

#include <string>

namespace berqenas::sync {

// Installs (or removes) the capture objects on the remote for every table of the configuration;
// returns a JSON array describing them. Every table is checked before anything is installed.
std::string install_capture(long long remote_database_id, bool install);

}  // namespace berqenas::sync
