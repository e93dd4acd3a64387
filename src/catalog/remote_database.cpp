// Registry row + secret → ConnectionParams.
#include "catalog/remote_database.hpp"

#include "catalog/secret_store.hpp"
#include "crypto/secret_box.hpp"
#include "pg/settings.hpp"

namespace berqenas::catalog {

namespace {

const char* select_by = R"(
    SELECT r.id, r.name, r.database_type, r.host, r.port, r.database_name, r.username,
           coalesce(r.schema_name, ''), s.password_sealed::text
      FROM berqenas.remote_database_registry r
      LEFT JOIN berqenas.remote_database_secrets s ON s.remote_database_id = r.id
     WHERE )";

std::string decode_bytea_hex(const std::string& text) {
    // SPI returns bytea as "\x...." text.
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x')
        throw Error(sqlstate::data_corrupted, "stored secret is not in hex bytea form");
    std::string out;
    out.reserve((text.size() - 2) / 2);
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 2; i + 1 < text.size(); i += 2) out.push_back(char((nibble(text[i]) << 4) | nibble(text[i + 1])));
    return out;
}

RemoteDatabase from_row(const pg::SpiResult& r, const std::string& what) {
    if (r.rows.empty())
        throw Error(sqlstate::undefined_object, "remote database " + what + " is not registered", {},
                    "see berqenas.remote_databases");
    const pg::SqlRow& row = r.rows[0];
    RemoteDatabase db;
    db.id = std::stoll(*row[0]);
    db.name = *row[1];
    db.connection.kind = remote::parse_database_kind(*row[2]);
    db.connection.host = *row[3];
    db.connection.port = std::stoi(*row[4]);
    db.connection.database = *row[5];
    db.connection.user = *row[6];
    db.schema = *row[7];
    db.connection.connect_timeout_seconds = pg::Settings::connect_timeout_seconds;
    db.connection.query_timeout_seconds = pg::Settings::remote_query_timeout_seconds;
    if (row[8]) {
        crypto::KeyRing ring = load_key_ring(KeyFileMissing::fail);
        db.connection.password = crypto::open_secret(ring, decode_bytea_hex(*row[8]), secret_context(db.id));
    }
    return db;
}

}  // namespace

RemoteDatabase load_remote_database(pg::SpiSession& spi, const std::string& name) {
    return from_row(spi.execute(std::string(select_by) + "r.name = $1", {name}, true), "\"" + name + "\"");
}

RemoteDatabase load_remote_database(pg::SpiSession& spi, long long id) {
    return from_row(spi.execute(std::string(select_by) + "r.id = $1::bigint", {std::to_string(id)}, true),
                    "with id " + std::to_string(id));
}

}  // namespace berqenas::catalog
