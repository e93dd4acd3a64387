// SQL-callable functions behind the registry: sealing a new secret, probing a remote database
// (test_connection), and rotating the key file. Validation and bookkeeping live in SQL
// (sql/berqenas--0.1.0.sql); what needs the key or a remote connection lives here.
#include <chrono>
#include <optional>

#include "catalog/remote_database.hpp"
#include "catalog/secret_store.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"
#include <sodium.h>

#include "crypto/sealing_key.hpp"
#include "crypto/secret_box.hpp"
#include "pg/callback_guard.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/values.hpp"
#include "remote/remote_connection.hpp"

extern "C" {
#include "access/xact.h"
}

namespace berqenas::catalog {

namespace {

std::string seal_for_registration(const std::string& plaintext, long long id);

// berqenas._seal_secret(plaintext text, remote_database_id bigint) returns bytea
Datum seal_secret(FunctionCallInfo fcinfo) {
    return pg::bytea_datum(seal_for_registration(pg::text_arg(fcinfo, 0), pg::int64_arg(fcinfo, 1)));
}

// berqenas.sealing_key() returns text: the hex X25519 public key clients seal passwords for.
Datum sealing_key(FunctionCallInfo) {
    crypto::SealingKey key = crypto::SealingKey::load_or_create(sealing_key_path());
    return pg::text_datum(to_hex(key.public_key()));
}

// berqenas._seal_secret_box(box bytea, remote_database_id bigint, allow_empty boolean) returns bytea:
// the password inside a sealed box, opened and sealed for storage here, so it never exists as SQL.
Datum seal_secret_box(FunctionCallInfo fcinfo) {
    std::string box = pg::bytea_arg(fcinfo, 0);
    long long id = pg::int64_arg(fcinfo, 1);
    bool allow_empty = pg::bool_arg(fcinfo, 2);
    crypto::SealingKey key = crypto::SealingKey::load_or_create(sealing_key_path());
    std::string plaintext = key.open(box);
    if (plaintext.empty() && !allow_empty)
        throw Error(sqlstate::invalid_parameter, "password must not be empty",
                    "a non-superuser's remote connections must authenticate with a password");
    std::string sealed = seal_for_registration(plaintext, id);
    sodium_memzero(plaintext.data(), plaintext.size());
    return pg::bytea_datum(sealed);
}

std::string seal_for_registration(const std::string& plaintext, long long id) {
    // A new key file only for the first secret: with sealed secrets stored, a missing key file is
    // lost, and a fresh key would seal new secrets while every older one stays unopenable.
    bool others_sealed;
    {
        pg::SpiSession spi;
        others_sealed = spi.scalar("SELECT 1 FROM berqenas.remote_database_secrets WHERE remote_database_id <> $1::bigint LIMIT 1",
                                   {std::to_string(id)})
                            .has_value();
    }
    crypto::KeyRing ring = load_key_ring(others_sealed ? KeyFileMissing::fail : KeyFileMissing::create);
    return crypto::seal_secret(ring, plaintext, secret_context(id));
}

// berqenas._remote_probe(remote_database_id bigint) returns jsonb
// {"ok", "server_version", "latency_ms"} or {"ok": false, "error", "sqlstate", "detail"}.
Datum remote_probe(FunctionCallInfo fcinfo) {
    long long id = pg::int64_arg(fcinfo, 0);
    std::optional<RemoteDatabase> db;
    {
        pg::SpiSession spi;
        db = load_remote_database(spi, id);
    }
    JsonObject result;
    auto started = std::chrono::steady_clock::now();
    try {
        auto connection = remote::connect(db->connection);
        std::string version = connection->server_version();
        double latency_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        result.add("ok", true).add("server_version", version).add("latency_ms", latency_ms);
    } catch (const Error& e) {
        if (e.sqlstate() == sqlstate::query_canceled) throw;   // a cancel is not a failed probe
        result.add("ok", false).add("error", e.what()).add("sqlstate", e.sqlstate());
        if (!e.detail().empty()) result.add("detail", e.detail());
    }
    return pg::jsonb_datum(result.str());
}

// Pruning old keys happens only once the re-encryption is committed.
struct PendingPrune {
    bool armed = false;
    uint32_t keep_id = 0;
};
PendingPrune pending_prune;
bool prune_callback_registered = false;

// An XactCallback: nothing may fail once the transaction has committed, so a failure to prune is
// a warning (the old keys stay in the key file, unused).
void prune_on_commit(XactEvent event, void*) noexcept {
    if (!pending_prune.armed) return;
    if (event == XACT_EVENT_COMMIT) {
        pg::guarded_c_callback("old secret keys could not be removed from the key file", [] {
            crypto::KeyRing ring = load_key_ring(KeyFileMissing::fail);
            ring.keep_only({pending_prune.keep_id});
        });
        pending_prune.armed = false;
    } else if (event == XACT_EVENT_ABORT) {
        pending_prune.armed = false;
    }
}

// berqenas.rotate_secret_key() returns jsonb: a new key re-encrypts every secret in this
// transaction; the old keys leave the key file when it commits.
Datum rotate_secret_key(FunctionCallInfo) {
    pg::SpiSession spi;
    // Registrations take ROW EXCLUSIVE before sealing, so none can seal with a key being retired.
    spi.execute("LOCK TABLE berqenas.remote_database_secrets IN EXCLUSIVE MODE");
    pg::SpiResult rows = spi.execute(
        "SELECT remote_database_id, password_sealed::text FROM berqenas.remote_database_secrets ORDER BY 1");
    // With secrets stored, their key file must exist; a fresh one would open none of them.
    crypto::KeyRing ring = load_key_ring(rows.rows.empty() ? KeyFileMissing::create : KeyFileMissing::fail);
    uint32_t new_id = ring.add_new_key();
    long long count = 0;
    for (const auto& row : rows.rows) {
        pg::check_for_interrupts();
        long long id = std::stoll(*row[0]);
        std::string sealed = from_hex(*row[1]);
        std::string plain;
        try {
            plain = crypto::open_secret(ring, sealed, secret_context(id));
        } catch (const Error& e) {
            // Name the registration: the whole rotation stops on it and nothing changes.
            auto name = spi.scalar("SELECT name FROM berqenas.remote_database_registry WHERE id = $1::bigint",
                                   {std::to_string(id)});
            throw Error(e.sqlstate(),
                        "cannot rotate the secret key: the secret of remote database \"" + name.value_or("?") +
                            "\" does not open",
                        e.what(), "nothing was changed; register that database again (or restore its key), then rotate");
        }
        std::string resealed = crypto::seal_secret(ring, plain, secret_context(id));
        spi.execute(
            "UPDATE berqenas.remote_database_secrets SET password_sealed = decode($2, 'hex'), key_id = $3::int, "
            "updated_at = now() WHERE remote_database_id = $1::bigint",
            {std::to_string(id), to_hex(resealed), std::to_string(new_id)});
        ++count;
    }
    if (!prune_callback_registered) {
        pg::pg_call([] { RegisterXactCallback(prune_on_commit, nullptr); });
        prune_callback_registered = true;
    }
    pending_prune.armed = true;
    pending_prune.keep_id = new_id;
    JsonObject result;
    result.add("key_id", static_cast<long long>(new_id)).add("secrets_reencrypted", count).add("key_file", ring.path());
    return pg::jsonb_datum(result.str());
}

}  // namespace

}  // namespace berqenas::catalog

BERQENAS_SQL_FUNCTION(berqenas_seal_secret, berqenas::catalog::seal_secret)
BERQENAS_SQL_FUNCTION(berqenas_sealing_key, berqenas::catalog::sealing_key)
BERQENAS_SQL_FUNCTION(berqenas_seal_secret_box, berqenas::catalog::seal_secret_box)
BERQENAS_SQL_FUNCTION(berqenas_remote_probe, berqenas::catalog::remote_probe)
BERQENAS_SQL_FUNCTION(berqenas_rotate_secret_key, berqenas::catalog::rotate_secret_key)
