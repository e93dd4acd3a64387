// Registry row + secret → ConnectionParams.
#include "catalog/remote_database.hpp"

#include "catalog/secret_store.hpp"
#include "common/hex.hpp"
#include "crypto/secret_box.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace berqenas::catalog {

const char* const remote_database_columns =
    "r.id, r.name, r.database_type, r.host, r.port, r.database_name, r.username, "
    "coalesce(r.schema_name, ''), s.password_sealed::text, r.password_required";

RemoteDatabase remote_database_from_row(const pg::SqlRow& all, size_t first) {
    auto row = [&](size_t i) -> const pg::SqlValue& { return all.at(first + i); };
    RemoteDatabase db;
    db.id = std::stoll(*row(0));
    db.name = *row(1);
    db.connection.kind = remote::parse_database_kind(*row(2));
    db.connection.host = *row(3);
    db.connection.port = std::stoi(*row(4));
    db.connection.database = *row(5);
    db.connection.user = *row(6);
    db.schema = *row(7);
    db.connection.connect_timeout_seconds = pg::Settings::connect_timeout_seconds;
    db.connection.query_timeout_seconds = pg::Settings::remote_query_timeout_seconds;
    // A registration a non-superuser made, or a connection on a non-superuser's behalf (the FDW
    // runs as its caller; the SQL API as its definer, called by the outer user).
    const bool superusers = pg::pg_call([] { return superuser_arg(GetUserId()) && superuser_arg(GetOuterUserId()); });
    db.connection.require_password = *row(9) == "t" || !superusers;
    if (row(8)) {
        crypto::KeyRing ring = load_key_ring(KeyFileMissing::fail);
        db.connection.password = crypto::open_secret(ring, from_hex(*row(8)), secret_context(db.id));
    }
    return db;
}

namespace {

const std::string select_by = std::string("SELECT ") + remote_database_columns +
                              " FROM berqenas.remote_database_registry r"
                              " LEFT JOIN berqenas.remote_database_secrets s ON s.remote_database_id = r.id WHERE ";

RemoteDatabase from_row(const pg::SpiResult& r, const std::string& what) {
    if (r.rows.empty())
        throw Error(sqlstate::undefined_object, "remote database " + what + " is not registered", {},
                    "see berqenas.remote_databases");
    return remote_database_from_row(r.rows[0], 0);
}

}  // namespace

RemoteDatabase load_remote_database(pg::SpiSession& spi, const std::string& name) {
    return from_row(spi.execute(select_by + "r.name = $1", {name}, true), "\"" + name + "\"");
}

RemoteDatabase load_remote_database(pg::SpiSession& spi, long long id) {
    return from_row(spi.execute(select_by + "r.id = $1::bigint", {std::to_string(id)}, true),
                    "with id " + std::to_string(id));
}

}  // namespace berqenas::catalog
