// The backend's connection cache and the transaction callbacks that keep remote transactions in
// step with the local one. No two-phase commit: see docs/fdw.md for what that means.
#include "fdw/connection_cache.hpp"

#include <map>
#include <string>
#include <utility>

#include "fdw/fdw_options.hpp"
#include "pg/callback_guard.hpp"
#include "pg/values.hpp"

extern "C" {
#include "access/xact.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
#include "utils/acl.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

namespace berqenas::fdw {

namespace {

struct Entry {
    std::string server_name;
    std::shared_ptr<remote::RemoteConnection> conn;
    int xact_depth = 0;          // 0: no remote transaction; 1: top level; n: savepoints up to level n
    bool lost_in_transaction = false;
    // A server or user mapping changed (alter_remote_database touches the servers naming a
    // registration): reconnect at the next use outside a remote transaction.
    bool invalidated = false;
};

using Key = std::pair<Oid, Oid>;   // server, user

std::map<Key, Entry>& cache() {
    static std::map<Key, Entry> entries;
    return entries;
}

std::string savepoint_name(int level) { return "berqenas_s" + std::to_string(level); }

void open_savepoint(Entry& e, int level) {
    e.conn->execute(e.conn->dialect().savepoint_sql(savepoint_name(level)));
}

void pre_commit() {
    for (auto& [key, e] : cache()) {
        if (e.lost_in_transaction) {
            e.lost_in_transaction = false;
            e.xact_depth = 0;
            throw Error(sqlstate::connection_failure,
                        "the connection to server \"" + e.server_name + "\" was lost during this transaction",
                        {}, "the remote changes of this transaction were rolled back; run it again");
        }
        if (e.xact_depth == 0 || !e.conn) continue;
        e.xact_depth = 0;
        e.conn->commit();
    }
}

void abort_all() {
    for (auto& [key, e] : cache()) {
        e.lost_in_transaction = false;
        if (e.xact_depth == 0 || !e.conn) {
            e.xact_depth = 0;
            continue;
        }
        e.xact_depth = 0;
        try {
            e.conn->rollback();
        } catch (...) {
            // Whatever state it is in, a fresh connection next time is the safe choice.
            e.conn.reset();
        }
    }
}

void xact_callback(XactEvent event, void*) noexcept {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
            pg::guarded_callback([] { pre_commit(); });
            break;
        case XACT_EVENT_PRE_PREPARE:
            pg::guarded_callback([] {
                for (auto& [key, e] : cache())
                    if (e.xact_depth > 0)
                        throw Error(sqlstate::feature_not_supported, "cannot PREPARE a transaction that has used berqenas_fdw foreign tables",
                                    {}, "berqenas_fdw has no two-phase commit");
            });
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            // Must not fail: a connection that cannot roll back is dropped inside; anything else
            // becomes a WARNING.
            pg::guarded_c_callback("could not roll back the remote transactions", [] { abort_all(); });
            break;
        default:
            break;
    }
}

void subxact_callback(SubXactEvent event, SubTransactionId, SubTransactionId, void*) noexcept {
    if (event != SUBXACT_EVENT_PRE_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB) return;
    int level = GetCurrentTransactionNestLevel();
    auto work = [&] {
        for (auto& [key, e] : cache()) {
            if (e.xact_depth < level || !e.conn) continue;
            e.xact_depth = level - 1;
            const remote::Dialect& dialect = e.conn->dialect();
            if (event == SUBXACT_EVENT_PRE_COMMIT_SUB) {
                std::string release = dialect.release_savepoint_sql(savepoint_name(level));
                if (!release.empty()) e.conn->execute(release);
                continue;
            }
            try {
                e.conn->execute(dialect.rollback_to_savepoint_sql(savepoint_name(level)));
            } catch (...) {
                // The remote transaction can no longer follow ours: the top level must not commit.
                e.conn.reset();
                e.lost_in_transaction = true;
            }
        }
    };
    if (event == SUBXACT_EVENT_PRE_COMMIT_SUB)
        pg::guarded_callback(work);
    else
        pg::guarded_c_callback("could not roll back to the remote savepoints", work);
}

// Any change of a foreign server or user mapping: every kept connection is rebuilt when next
// used (changes are rare; sorting out which entry a hash value names is not worth it).
void inval_callback(Datum, int, uint32) {
    pg::guarded_callback([] {
        for (auto& [key, e] : cache()) e.invalidated = true;
    });
}

void register_callbacks() {
    static bool registered = false;
    if (registered) return;
    pg::pg_call([] {
        RegisterXactCallback(xact_callback, nullptr);
        RegisterSubXactCallback(subxact_callback, nullptr);
        CacheRegisterSyscacheCallback(FOREIGNSERVEROID, inval_callback, Datum(0));
        CacheRegisterSyscacheCallback(USERMAPPINGOID, inval_callback, Datum(0));
    });
    registered = true;
}

}  // namespace

std::shared_ptr<remote::RemoteConnection> get_connection(Oid server_oid, Oid user_oid, bool in_transaction) {
    register_callbacks();
    Entry& e = cache()[Key(server_oid, user_oid)];
    if (e.lost_in_transaction)
        throw Error(sqlstate::connection_failure,
                    "the connection to server \"" + e.server_name + "\" was lost during this transaction", {},
                    "roll back and run the transaction again");
    if (e.conn && !e.conn->is_usable()) {
        bool was_in_transaction = e.xact_depth > 0;
        e.conn.reset();
        e.xact_depth = 0;
        if (was_in_transaction) {
            e.lost_in_transaction = true;
            throw Error(sqlstate::connection_failure,
                        "the connection to server \"" + e.server_name + "\" was lost during this transaction", {},
                        "roll back and run the transaction again; the next one reconnects");
        }
    }
    if (e.conn && e.invalidated && e.xact_depth == 0) e.conn.reset();
    if (!e.conn) {
        e.invalidated = false;
        ForeignServer* server = pg::pg_call([&] { return GetForeignServer(server_oid); });
        e.server_name = server->servername;
        remote::ConnectionParams params = connection_params(server_oid, user_oid);
        auto conn = std::shared_ptr<remote::RemoteConnection>(remote::connect(params));
        std::string setup = conn->dialect().session_setup_sql();
        if (!setup.empty()) conn->execute(setup);
        e.conn = std::move(conn);
        e.xact_depth = 0;
    }
    if (in_transaction) {
        if (e.xact_depth == 0) {
            e.conn->begin();
            e.xact_depth = 1;
        }
        int level = GetCurrentTransactionNestLevel();
        while (e.xact_depth < level) {
            open_savepoint(e, e.xact_depth + 1);
            ++e.xact_depth;
        }
    }
    return e.conn;
}

namespace {

Datum fdw_connections_body(FunctionCallInfo fcinfo) {
    pg::pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (auto& [key, e] : cache()) {
        if (!e.conn) continue;
        Datum values[5];
        bool nulls[5] = {false, false, false, false, false};
        values[0] = pg::text_datum(e.server_name);
        char* user = pg::pg_call([&] { return GetUserNameFromId(key.second, true); });
        if (user)
            values[1] = pg::text_datum(user);
        else
            nulls[1] = true;
        values[2] = pg::text_datum(remote::database_kind_name(e.conn->kind()));
        values[3] = BoolGetDatum(e.conn->is_usable());
        values[4] = BoolGetDatum(e.xact_depth > 0);
        pg::pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls); });
    }
    return Datum(0);
}

Datum fdw_disconnect_body(FunctionCallInfo fcinfo) {
    std::string name = pg::text_arg(fcinfo, 0);
    ForeignServer* server = pg::pg_call([&] { return GetForeignServerByName(name.c_str(), false); });
    bool closed = false;
    for (auto it = cache().begin(); it != cache().end();) {
        if (it->first.first != server->serverid || !it->second.conn) {
            ++it;
            continue;
        }
        if (it->second.xact_depth > 0)
            throw Error(sqlstate::object_not_in_prerequisite_state,
                        "cannot close the connection to server \"" + name + "\" while this transaction uses it", {},
                        "run berqenas.fdw_disconnect() outside the transaction that used the server");
        it = cache().erase(it);
        closed = true;
    }
    PG_RETURN_BOOL(closed);
}

// Runs one statement on the server's remote inside the remote transaction that follows ours.
Datum fdw_execute_body(FunctionCallInfo fcinfo) {
    std::string name = pg::text_arg(fcinfo, 0);
    std::string statement = pg::text_arg(fcinfo, 1);
    ForeignServer* server = pg::pg_call([&] { return GetForeignServerByName(name.c_str(), false); });
    Oid server_oid = server->serverid;
    AclResult acl = pg::pg_call([&] { return pg_foreign_server_aclcheck(server_oid, GetUserId(), ACL_USAGE); });
    if (acl != ACLCHECK_OK)
        throw Error(sqlstate::insufficient_privilege, "permission denied for foreign server \"" + name + "\"");
    auto conn = get_connection(server_oid, GetUserId(), true);
    PG_RETURN_INT64(conn->execute(statement));
}

}  // namespace

}  // namespace berqenas::fdw

BERQENAS_SQL_FUNCTION(berqenas_fdw_execute, berqenas::fdw::fdw_execute_body)
BERQENAS_SQL_FUNCTION(berqenas_fdw_connections, berqenas::fdw::fdw_connections_body)
BERQENAS_SQL_FUNCTION(berqenas_fdw_disconnect, berqenas::fdw::fdw_disconnect_body)
