// One remote connection per server and user per backend, reused across queries, reopened when
// broken, and tied to the local transaction: the remote transaction commits at the local
// pre-commit and rolls back on abort; local subtransactions become remote savepoints.
#pragma once

#include <memory>

#include "pg/guard.hpp"
#include "remote/remote_connection.hpp"

namespace berqenas::fdw {

// The connection for server+user, opened on first use. When in_transaction, a remote
// transaction (and one savepoint per open local subtransaction level) is open on return.
std::shared_ptr<remote::RemoteConnection> get_connection(Oid server_oid, Oid user_oid, bool in_transaction = true);

}  // namespace berqenas::fdw
